//! Every default in one place.

use std::time::Duration;

pub const LISTEN: &str = "127.0.0.1:9750";
pub const POLL_INTERVAL: Duration = Duration::from_secs(30);
/// The default timeout is the poll interval, capped at this.
pub const MAX_DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
pub const HOLD_DOWN: Duration = Duration::from_secs(300);
/// Readings older than this many poll intervals (of the slower device of a port) are
/// stale.
pub const STALE_AFTER_POLLS: u32 = 3;
/// Microsoft's documented healthy range for Direct port light levels.
pub const HEALTHY_MIN_DBM: f64 = -10.0;
pub const HEALTHY_MAX_DBM: f64 = 0.0;

/// The audit trail: `audit.jsonl` in systemd's `$STATE_DIRECTORY` when set, else in
/// /var/lib/lightgate.
pub fn audit_log() -> std::path::PathBuf {
    let state = std::env::var_os("STATE_DIRECTORY")
        .and_then(|s| {
            s.to_str()
                .and_then(|s| s.split(':').next())
                .map(std::path::PathBuf::from)
        })
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| std::path::PathBuf::from("/var/lib/lightgate"));
    state.join("audit.jsonl")
}
