//! Exclusive access to a console: an flock on a lock file per console, taken without
//! waiting, so two lightgate processes (or two devices on one console) never talk over
//! each other; and, for local serial devices, respect for the UUCP lock files that
//! minicom, picocom and screen leave while an operator is connected.

use std::fs::{File, OpenOptions};
use std::path::PathBuf;

use super::transport::ConsoleTarget;
use crate::source::types::SourceError;

/// Held while a console is in use; released on drop.
pub struct ConsoleLock {
    _file: File,
}

fn lock_dir() -> PathBuf {
    for d in ["/run/lock", "/var/lock"] {
        let p = PathBuf::from(d);
        if p.is_dir() && std::fs::metadata(&p).is_ok_and(|m| !m.permissions().readonly()) {
            return p;
        }
    }
    std::env::temp_dir()
}

/// An operator's UUCP lock (LCK..ttyUSB0) held by a running process.
fn uucp_holder(path: &str) -> Option<u32> {
    let name = std::path::Path::new(path).file_name()?.to_str()?;
    for d in ["/run/lock", "/var/lock"] {
        let lck = PathBuf::from(d).join(format!("LCK..{name}"));
        let Ok(text) = std::fs::read_to_string(&lck) else {
            continue;
        };
        let pid: u32 = text.trim().parse().ok()?;
        if PathBuf::from(format!("/proc/{pid}")).exists() {
            return Some(pid);
        }
    }
    None
}

impl ConsoleLock {
    pub fn acquire(target: &ConsoleTarget) -> Result<ConsoleLock, SourceError> {
        let what = target.describe();
        if let ConsoleTarget::Device { path, .. } = target {
            if let Some(pid) = uucp_holder(path) {
                return Err(SourceError::Console(format!(
                    "{path} is in use by process {pid} (an operator session?); not taking it"
                )));
            }
        }
        let safe: String = what
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let path = lock_dir().join(format!("lightgate-console-{safe}.lock"));
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| {
                SourceError::Transport(format!(
                    "cannot create the console lock {}: {e}",
                    path.display()
                ))
            })?;
        match file.try_lock() {
            Ok(()) => Ok(ConsoleLock { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => Err(SourceError::Console(format!(
                "{what} is busy: another lightgate poll holds it ({})",
                path.display()
            ))),
            Err(std::fs::TryLockError::Error(e)) => Err(SourceError::Transport(format!(
                "cannot lock {}: {e}",
                path.display()
            ))),
        }
    }
}
