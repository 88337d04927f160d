//! What `lightgate gate` was asked, and who asks: shared by the decision from an agent
//! and the decision from Prometheus.

use std::time::Duration;

use super::http;

/// The gate's arguments.
pub struct GateArgs {
    pub client: http::ClientArgs,
    /// Ask Prometheus (or Thanos, Mimir, VictoriaMetrics) instead of one agent.
    pub prometheus: Option<String>,
    /// With --prometheus: append the decision to this local audit file.
    pub audit_log: Option<std::path::PathBuf>,
    /// With --prometheus: the newest sample may be at most this old.
    pub max_age: Duration,
    pub port: String,
    pub url: String,
    pub action: String,
    pub wait: Option<Duration>,
    pub interval: Duration,
    pub json: bool,
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
