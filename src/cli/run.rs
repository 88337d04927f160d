//! `lightgate run`: the agent.

use std::net::SocketAddr;
use std::path::Path;

use super::exit;
use crate::config::Config;
use crate::telemetry::{self, LogFormat};

pub fn run(config: Option<&Path>, listen: Option<&str>, format: LogFormat, level: &str) -> u8 {
    telemetry::init(format, level);
    let mut cfg = match config {
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
    if let Some(addr) = listen {
        match addr.parse::<SocketAddr>() {
            Ok(a) => cfg.listen = a,
            Err(e) => {
                eprintln!("--listen {addr:?} is not an address:port ({e})");
                return exit::USAGE;
            }
        }
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot start the async runtime: {e}");
            return exit::SOFTWARE;
        }
    };
    runtime.block_on(async move {
        let listener = match tokio::net::TcpListener::bind(cfg.listen).await {
            Ok(l) => l,
            Err(e) => {
                tracing::error!(address = %cfg.listen, error = %e, "Cannot listen.");
                return exit::OS_ERROR;
            }
        };
        let address = listener.local_addr().map(|a| a.to_string()).unwrap_or_default();
        tracing::info!(%address, devices = cfg.devices.len(), ports = cfg.ports.len(), "Listening.");
        match crate::agent::run(cfg, listener, shutdown_signal()).await {
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

/// Completes on SIGINT or SIGTERM.
async fn shutdown_signal() {
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
