//! `lightgate run`: the agent.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use super::exit;
use crate::agent::Agent;
use crate::config::Config;
use crate::exporter::web::WebConfig;
use crate::shard::Shard;
use crate::telemetry::{self, LogFormat};

pub struct RunArgs<'a> {
    pub config: Option<&'a Path>,
    pub listen: Option<&'a str>,
    /// Replaces the config's `[traps] listen` (and at every reload).
    pub traps_listen: Option<&'a str>,
    pub format: LogFormat,
    pub level: &'a str,
    pub web_config: Option<&'a Path>,
    pub shard: Option<Shard>,
    /// HTTP connections open at once (each open bring-up page holds one).
    pub max_connections: usize,
}

pub fn run(a: RunArgs<'_>) -> u8 {
    crate::heap::one_arena();
    telemetry::init(a.format, a.level);
    let mut cfg = match a.config {
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
    if let Some(addr) = a.listen {
        match addr.parse::<SocketAddr>() {
            Ok(x) => cfg.listen = x,
            Err(e) => {
                eprintln!("--listen {addr:?} is not an address:port ({e})");
                return exit::USAGE;
            }
        }
    }
    let traps_listen = match a.traps_listen.map(str::parse::<SocketAddr>) {
        None => None,
        Some(Err(e)) => {
            eprintln!(
                "--traps.listen-address {:?} is not an address:port ({e})",
                a.traps_listen.unwrap_or_default()
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
    let web = match a.web_config.map(WebConfig::load).transpose() {
        Ok(w) => w.unwrap_or_default(),
        Err(e) => {
            eprintln!("--web.config.file: {e}");
            return exit::CONFIG;
        }
    };
    let runtime = match super::runtime(true) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let config_path = a.config.map(Path::to_path_buf);
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
        let limits = crate::exporter::server::Limits::for_connections(a.max_connections);
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
