//! `lightgate run`: the agent.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use super::exit;
use crate::agent::Agent;
use crate::config::Config;
use crate::exporter::web::WebConfig;

use crate::telemetry::{self, LogFormat};

/// `lightgate run`'s arguments.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The config file (TOML). Without it, the embedded demo runs.
    #[arg(
        long = "config.file",
        short = 'c',
        visible_alias = "config",
        value_name = "FILE"
    )]
    pub config: Option<PathBuf>,
    /// Address to serve HTTP on, overriding the config's `listen`.
    #[arg(
        long = "web.listen-address",
        visible_alias = "listen",
        value_name = "ADDR"
    )]
    pub listen: Option<String>,
    /// Address to listen for SNMP traps on, overriding the config's `[traps]
    /// listen` (which must exist: it holds the community), also after reloads.
    /// Agents of a sharded fleet on one host each need their own.
    #[arg(long = "traps.listen-address", value_name = "ADDR")]
    pub traps_listen: Option<String>,
    /// Log format.
    #[arg(
        long = "log.format",
        visible_alias = "log-format",
        value_enum,
        default_value = "plain"
    )]
    pub log_format: LogFormat,
    /// Log level or filter (RUST_LOG overrides it), e.g. "info" or "lightgate=debug".
    #[arg(
        long = "log.level",
        visible_alias = "log-level",
        default_value = "info",
        value_name = "FILTER"
    )]
    pub log_level: String,
    /// TLS and basic auth, in the web configuration file format of Prometheus
    /// exporters (tls_server_config, basic_auth_users).
    #[arg(long = "web.config.file", value_name = "FILE")]
    pub web_config_file: Option<PathBuf>,
    /// Poll only this shard of the devices (I/N), for fleets spread over agents.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<crate::shard::Shard>,
    /// HTTP connections open at once; more are closed at once and counted. Each
    /// open bring-up page holds one (keep the open-files limit well above it).
    #[arg(long = "web.max-connections", default_value_t = 512, value_parser = clap::value_parser!(u32).range(1..=1_000_000), value_name = "N")]
    pub max_connections: u32,
}

pub fn run(a: RunArgs) -> u8 {
    crate::heap::one_arena();
    telemetry::init(a.log_format, &a.log_level);
    let mut cfg = match a.config.as_deref() {
        Some(path) => match Config::load(path) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("{}", e.report());
                return exit::CONFIG;
            }
        },
        None => {
            tracing::info!("No --config given: running the embedded demo (port \"demo\" on two simulated routers).");
            Config::demo()
        }
    };
    if let Some(addr) = a.listen.as_deref() {
        match addr.parse::<SocketAddr>() {
            Ok(x) => cfg.listen = x,
            Err(e) => {
                eprintln!("--listen {addr:?} is not an address:port ({e})");
                return exit::USAGE;
            }
        }
    }
    let traps_listen = match a.traps_listen.as_deref().map(str::parse::<SocketAddr>) {
        None => None,
        Some(Err(e)) => {
            eprintln!(
                "--traps.listen-address {:?} is not an address:port ({e})",
                a.traps_listen.as_deref().unwrap_or_default()
            );
            return exit::USAGE;
        }
        Some(Ok(addr)) => match cfg.traps.as_mut() {
            Some(traps) => {
                traps.listen = addr;
                Some(addr)
            }
            None => {
                eprintln!("--traps.listen-address needs a [traps] section in the config (it holds the community traps must carry)");
                return exit::USAGE;
            }
        },
    };
    let web = match a
        .web_config_file
        .as_deref()
        .map(WebConfig::load)
        .transpose()
    {
        Ok(w) => w.unwrap_or_default(),
        Err(e) => {
            eprintln!("--web.config.file: {e}");
            return exit::CONFIG;
        }
    };
    let runtime = match super::runtime::build(true) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let config_path = a.config.clone();
    let shard = a.shard;
    runtime.block_on(async move {
        // Watch SIGHUP before announcing anything: its default action would kill us.
        let hup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup());
        let listener = match tokio::net::TcpListener::bind(cfg.listen).await {
            Ok(l) => l,
            Err(e) => {
                tracing::error!(address = %cfg.listen, error = %e, "Cannot listen.");
                return exit::OS_ERROR;
            }
        };
        let address = listener.local_addr().map(|a| a.to_string()).unwrap_or_default();
        let tls = web.tls_server_config.is_some();
        let shard_text = shard.map(|s| s.to_string()).unwrap_or_else(|| "all".to_string());
        tracing::info!(%address, tls, shard = %shard_text, devices = cfg.devices.len(), ports = cfg.ports.len(), "Listening.");
        let agent = Agent::start_sharded(cfg, shard);
        if let Some(path) = config_path {
            agent.set_config_path(path);
        }
        if let Some(addr) = traps_listen {
            agent.set_traps_listen(addr);
        }
        match hup {
            Ok(hup) => {
                tokio::spawn(reload_on_sighup(agent.clone(), hup));
            }
            Err(e) => tracing::error!(error = %e, "Cannot watch SIGHUP; reload with POST /-/reload."),
        }
        let limits = crate::exporter::server::Limits::for_connections(a.max_connections as usize);
        match agent
            .serve_with_limits(listener, web, limits, shutdown_signal())
            .await
        {
            Ok(()) => {
                tracing::info!("Stopped.");
                exit::OK
            }
            Err(e) => {
                tracing::error!(error = %e, "Server failed.");
                exit::SOFTWARE
            }
        }
    })
}

/// Re-reads the config on every SIGHUP (systemctl reload).
async fn reload_on_sighup(agent: Arc<Agent>, mut hup: tokio::signal::unix::Signal) {
    while hup.recv().await.is_some() {
        tracing::info!("SIGHUP received, reloading the config.");
        let a = agent.clone();
        let _ = tokio::task::spawn_blocking(move || a.reload()).await;
    }
}

/// Completes on SIGINT or SIGTERM.
pub(super) async fn shutdown_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = match signal(SignalKind::terminate()) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "Cannot watch SIGTERM; stopping on SIGINT only.");
            let _ = tokio::signal::ctrl_c().await;
            return;
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => tracing::info!("SIGINT received, shutting down."),
        _ = term.recv() => tracing::info!("SIGTERM received, shutting down."),
    }
}
