//! The contract of every reading source (simulated, SNMP, serial console): what one poll
//! of a device returns, and how a poll fails as a whole.

use std::collections::BTreeMap;

use crate::domain::LinkReading;

/// A poll that failed as a whole. The kind is the `kind` label of
/// `lightgate_poll_errors_total`, drawn from a fixed set.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SourceError {
    #[error("timed out after {0}")]
    Timeout(String),
    #[error("transport error: {0}")]
    Transport(String),
    #[error("could not decode the device's answer: {0}")]
    Decode(String),
    #[error("authentication failed: {0}")]
    Auth(String),
    /// Logged in, but a command was not permitted at the session's level: not an
    /// authentication failure (counted with them, kind `auth`).
    #[error("not permitted: {0}")]
    Refused(String),
    /// The console itself stands in the way: in use by someone else, its prompt
    /// changed, its output unreadable. Its own reason, said once (kind `transport`).
    #[error("console: {0}")]
    Console(String),
}

impl SourceError {
    pub const KINDS: [&'static str; 4] = ["timeout", "transport", "decode", "auth"];

    /// The same error with every one of `secrets` (and anything credential-shaped)
    /// removed from its text: see [`crate::text::redact`].
    pub fn redacted(self, secrets: &[&str]) -> SourceError {
        use crate::text::redact;
        match self {
            SourceError::Timeout(m) => SourceError::Timeout(redact(&m, secrets)),
            SourceError::Transport(m) => SourceError::Transport(redact(&m, secrets)),
            SourceError::Decode(m) => SourceError::Decode(redact(&m, secrets)),
            SourceError::Auth(m) => SourceError::Auth(redact(&m, secrets)),
            SourceError::Refused(m) => SourceError::Refused(redact(&m, secrets)),
            SourceError::Console(m) => SourceError::Console(redact(&m, secrets)),
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            SourceError::Timeout(_) => "timeout",
            SourceError::Transport(_) | SourceError::Console(_) => "transport",
            SourceError::Decode(_) => "decode",
            SourceError::Auth(_) | SourceError::Refused(_) => "auth",
        }
    }
}

/// Protocol traffic of a source so far: request PDUs sent (retries included) and
/// values received.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Traffic {
    pub requests: u64,
    pub varbinds: u64,
}

/// The outcome for one interface of a successful poll: a reading, or why there is none
/// (e.g. "no interface named X on this device").
pub type InterfaceResult = Result<LinkReading, String>;

/// What one successful poll returned, per requested interface name.
pub type PollResult = BTreeMap<String, InterfaceResult>;
