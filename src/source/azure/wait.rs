//! How long an Azure request waits before its next try (ARM and the identity
//! endpoints alike): lightgate's one backoff (`lightgate_core::retry`), with Azure's
//! Retry-After honoured up to a cap that the log names when it cuts Azure short.

use std::time::Duration;

use lightgate_core::retry::{retry_after as retry_after_value, Backoff};

/// Never wait longer than this for one Retry-After (the log says when Azure asked more).
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);

/// The wait before the next try of an Azure request: what Azure asked (Retry-After,
/// either form) or the next backoff, capped at [`MAX_RETRY_AFTER`], logging when the
/// cap cut Azure's wish short. `endpoint` names the API in the log.
pub fn next_wait(
    backoff: &mut Backoff,
    retry_after: Option<&str>,
    endpoint: &'static str,
) -> Duration {
    let asked = retry_after.and_then(|v| retry_after_value(v, std::time::SystemTime::now()));
    let w = backoff.after(asked, MAX_RETRY_AFTER);
    if let Some(asked) = w.capped_from {
        tracing::warn!(
            endpoint,
            asked_s = asked.as_secs(),
            cap_s = MAX_RETRY_AFTER.as_secs(),
            "Azure asks lightgate to wait longer than its cap before retrying; waiting the cap."
        );
    }
    w.wait
}

/// The backoff of Azure requests: `first` doubling up to [`MAX_RETRY_AFTER`], spread
/// by a fifth so that agents throttled together do not come back together.
pub fn azure_backoff(first: Duration) -> Backoff {
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(1);
    Backoff::new(first, MAX_RETRY_AFTER).with_jitter(0.2, seed)
}
