//! What `lightgate gate` was asked, and who asks: shared by the decision from an agent
//! and the decision from Prometheus.

use std::path::PathBuf;

use super::http;

/// `lightgate gate`'s arguments.
#[derive(Debug, clap::Args)]
pub struct GateArgs {
    /// The port (pair) name; the circuit's name for a circuit action.
    pub port: String,
    /// The agent's base URL.
    #[arg(long, default_value = "http://127.0.0.1:9750", value_name = "URL")]
    pub url: String,
    /// What is about to be done: create-circuit (a port's links), or for a circuit
    /// configure-peering, delete-circuit (its states in Azure) or enable-traffic (its
    /// peerings' BGP sessions on both routers).
    #[arg(long, default_value = "create-circuit")]
    pub action: String,
    /// Keep asking until the port is ready or this much time has passed.
    #[arg(long, value_parser = crate::config::duration::cli::gate_wait, value_name = "DURATION")]
    pub wait: Option<std::time::Duration>,
    /// How often to ask while waiting.
    #[arg(long, default_value = "5s", value_parser = crate::config::duration::cli::gate_interval, value_name = "DURATION")]
    pub interval: std::time::Duration,
    /// Print the decision as JSON.
    #[arg(long)]
    pub json: bool,
    /// Ask Prometheus (or Thanos, Mimir, VictoriaMetrics) at this URL instead of an
    /// agent: for ports whose links are polled by different agents.
    #[arg(long, value_name = "URL", conflicts_with = "url")]
    pub prometheus: Option<String>,
    /// With --prometheus: record the decision in this local audit file.
    #[arg(long, value_name = "FILE", requires = "prometheus")]
    pub audit_log: Option<PathBuf>,
    /// With --prometheus: the newest sample of each link may be at most this old.
    #[arg(long, default_value = "2m", value_parser = crate::config::duration::cli::max_age, value_name = "DURATION")]
    pub max_age: std::time::Duration,
    #[command(flatten)]
    pub client: http::ClientArgs,
    /// The command to run when ready, after `--`.
    #[arg(last = true, value_name = "COMMAND")]
    pub command: Vec<String>,
}

/// Who runs the gate, as recorded in the audit trail: the login name and this host.
pub fn who() -> (String, String) {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_else(|_| "unknown".to_string());
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .or_else(|_| std::env::var("HOSTNAME"))
        .unwrap_or_else(|_| "unknown".to_string());
    (user, host)
}
