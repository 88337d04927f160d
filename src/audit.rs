//! The audit trail of gate decisions: one JSON object per line, appended and flushed
//! to disk (fsync) before the agent answers, so a command never starts on a decision
//! that a crash could lose. The file is only ever appended to, never rewritten; a torn
//! last line (power loss mid-write) is reported and skipped by readers, and the next
//! record starts on a fresh line.

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::api::{CheckJson, ReadingJson};

/// The checks of both links at decision time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct LinkChecks {
    pub link1: Vec<CheckJson>,
    pub link2: Vec<CheckJson>,
}

/// The readings of both links at decision time (null where there was none).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct LinkReadings {
    pub link1: Option<ReadingJson>,
    pub link2: Option<ReadingJson>,
}

/// One gate decision, as recorded and as answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    pub decision_id: String,
    pub time: String,
    pub port: String,
    pub action: String,
    /// The circuit, for circuit actions (configure-peering, delete-circuit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub circuit: Option<String>,
    pub ready: bool,
    /// "ready" or "not_ready".
    pub verdict: String,
    /// Who asked, as the gate reported it.
    pub user: String,
    pub host: String,
    /// The command the gate will run when ready (empty for a plain check).
    pub command: Vec<String>,
    /// "check: detail" for every failing check.
    pub failing: Vec<String>,
    pub checks: LinkChecks,
    pub readings: LinkReadings,
}

/// What a gate asks for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GateRequest {
    #[serde(default = "default_action")]
    pub action: String,
    #[serde(default)]
    pub user: String,
    #[serde(default)]
    pub host: String,
    #[serde(default)]
    pub command: Vec<String>,
}

pub fn default_action() -> String {
    "create-circuit".to_string()
}

/// The append-only file, with one writer at a time.
#[derive(Debug, Default)]
pub struct AuditLog {
    open: Mutex<Option<(PathBuf, File)>>,
}

impl AuditLog {
    /// Appends one record to `path` and fsyncs it. The parent directory is created if
    /// missing.
    pub fn append(&self, path: &Path, decision: &Decision) -> io::Result<()> {
        let mut line = serde_json::to_vec(decision).map_err(io::Error::other)?;
        line.push(b'\n');
        let mut guard = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if guard.as_ref().is_none_or(|(p, _)| p != path) {
            *guard = Some((path.to_path_buf(), open_for_append(path)?));
        }
        let (_, file) = guard.as_mut().expect("just opened");
        let result = ends_with_newline(file)
            .and_then(|clean| if clean { Ok(()) } else { file.write_all(b"\n") })
            .and_then(|()| file.write_all(&line))
            .and_then(|()| file.sync_data());
        if result.is_err() {
            // Reopen next time: the handle may be broken (disk full, file removed).
            *guard = None;
        }
        result
    }
}

fn open_for_append(path: &Path) -> io::Result<File> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    OpenOptions::new()
        .create(true)
        .append(true)
        .read(true)
        .open(path)
}

/// Whether the file is empty or ends a line. Checked before every record, because a
/// torn line may have been left by another writer or an earlier crash; a new record
/// must never be glued onto it.
fn ends_with_newline(file: &File) -> io::Result<bool> {
    use std::os::unix::fs::FileExt;
    let len = file.metadata()?.len();
    if len == 0 {
        return Ok(true);
    }
    let mut last = [0u8; 1];
    file.read_exact_at(&mut last, len - 1)?;
    Ok(last[0] == b'\n')
}

/// Which records to read.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub port: Option<String>,
    pub since: Option<SystemTime>,
}

/// A `since` bound (CLI `--since`, HTTP `?since=`): RFC 3339, or the reason it is not.
pub fn parse_since(since: Option<&str>) -> Result<Option<SystemTime>, String> {
    since
        .map(humantime::parse_rfc3339_weak)
        .transpose()
        .map_err(|e| format!("{e} (use RFC 3339, e.g. 2026-11-25T10:00:00Z)"))
}

/// Records matching `filter`, and a message for each line that could not be read.
pub fn read(path: &Path, filter: &Filter) -> io::Result<(Vec<Decision>, Vec<String>)> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok((Vec::new(), Vec::new())),
        Err(e) => return Err(e),
    };
    let mut records = Vec::new();
    let mut problems = Vec::new();
    for (n, line) in BufReader::new(file).split(b'\n').enumerate() {
        let line = line?;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<Decision>(&line) {
            Ok(d) => {
                if filter.port.as_ref().is_some_and(|p| *p != d.port) {
                    continue;
                }
                if let Some(since) = filter.since {
                    match humantime::parse_rfc3339_weak(&d.time) {
                        Ok(t) if t < since => continue,
                        _ => {}
                    }
                }
                records.push(d);
            }
            Err(e) => problems.push(format!(
                "{}:{}: unreadable audit record (truncated or corrupt), skipped: {e}",
                path.display(),
                n + 1
            )),
        }
    }
    Ok((records, problems))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decision(port: &str, time: &str) -> Decision {
        Decision {
            decision_id: "1".into(),
            time: time.into(),
            port: port.into(),
            action: default_action(),
            circuit: None,
            ready: true,
            verdict: "ready".into(),
            user: "alice".into(),
            host: "nms1".into(),
            command: vec!["true".into()],
            failing: vec![],
            checks: LinkChecks::default(),
            readings: LinkReadings::default(),
        }
    }

    #[test]
    fn records_append_and_a_torn_line_is_skipped_not_fatal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/audit.jsonl");
        let log = AuditLog::default();
        log.append(&path, &decision("a", "2026-11-25T10:00:00Z"))
            .unwrap();
        // Power loss mid-write: half a record, no newline.
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"{\"decision_id\":\"2\",\"ti")
            .unwrap();
        let fresh = AuditLog::default();
        fresh
            .append(&path, &decision("b", "2026-11-25T11:00:00Z"))
            .unwrap();
        let (records, problems) = read(&path, &Filter::default()).unwrap();
        assert_eq!(
            records.iter().map(|d| d.port.as_str()).collect::<Vec<_>>(),
            vec!["a", "b"]
        );
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].contains("audit.jsonl:2: unreadable audit record"),
            "{problems:?}"
        );
        let since = humantime::parse_rfc3339_weak("2026-11-25T10:30:00Z").unwrap();
        let (r, _) = read(
            &path,
            &Filter {
                port: None,
                since: Some(since),
            },
        )
        .unwrap();
        assert_eq!(r.len(), 1);
        let (r, _) = read(
            &path,
            &Filter {
                port: Some("a".into()),
                since: None,
            },
        )
        .unwrap();
        assert_eq!(r.len(), 1);
    }

    #[test]
    fn a_missing_file_has_no_records() {
        let (r, p) = read(Path::new("/nonexistent/audit.jsonl"), &Filter::default()).unwrap();
        assert!(r.is_empty() && p.is_empty());
    }
}
