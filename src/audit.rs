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
    /// The same failures with the check and what it is about apart (absent from
    /// records written before 0.x: read as empty).
    #[serde(default)]
    pub failures: Vec<crate::api::FailureJson>,
    pub checks: LinkChecks,
    pub readings: LinkReadings,
    /// enable-traffic: the circuit's peerings as decided on (checks and sessions).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub peerings: Vec<crate::api::PeeringReadyJson>,
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

/// Longest `action`, `user` and `host` a gate request may carry.
pub const MAX_FIELD: usize = 1024;
/// Longest command line (all its arguments) a gate request may carry.
pub const MAX_COMMAND: usize = 64 * 1024;

impl GateRequest {
    /// Why the request's fields are too large to record, if they are: every field is
    /// written to the audit trail and the log, so none may be unbounded.
    pub fn check_sizes(&self) -> Result<(), String> {
        for (name, value) in [
            ("action", &self.action),
            ("user", &self.user),
            ("host", &self.host),
        ] {
            if value.len() > MAX_FIELD {
                return Err(format!(
                    "{name} is {} bytes; at most {MAX_FIELD}",
                    value.len()
                ));
            }
        }
        let command: usize = self.command.iter().map(|a| a.len() + 1).sum();
        if command > MAX_COMMAND {
            return Err(format!("command is {command} bytes; at most {MAX_COMMAND}"));
        }
        Ok(())
    }
}

/// The append-only file, with one writer at a time.
#[derive(Debug, Default)]
pub struct AuditLog {
    open: Mutex<Option<(PathBuf, File)>>,
}

impl AuditLog {
    /// Appends one record to `path` and fsyncs it; returns only once the line is durable
    /// in the file the path names. The parent directory is created if missing.
    ///
    /// Rotation (logrotate renaming or removing the file) is detected by comparing the
    /// device and inode the path names with those of the open file, before writing and
    /// again after the fsync: a file rotated in between gets the record again in the new
    /// file (readers skip the adjacent duplicate), so an acknowledged decision is never
    /// only in a file nobody reads any more.
    pub fn append(&self, path: &Path, decision: &Decision) -> io::Result<()> {
        let mut line = serde_json::to_vec(decision).map_err(io::Error::other)?;
        line.push(b'\n');
        let mut guard = self.open.lock().unwrap_or_else(|e| e.into_inner());
        for _ in 0..3 {
            let current = match guard.as_ref() {
                Some((p, f)) if p == path => names(path, f)?,
                _ => false,
            };
            if !current {
                *guard = Some((path.to_path_buf(), open_for_append(path)?));
            }
            let (_, file) = guard.as_mut().expect("just opened");
            let result = ends_with_newline(file)
                .and_then(|clean| if clean { Ok(()) } else { file.write_all(b"\n") })
                .and_then(|()| file.write_all(&line))
                .and_then(|()| file.sync_data());
            if let Err(e) = result {
                // Reopen next time: the handle may be broken (disk full, file removed).
                *guard = None;
                return Err(e);
            }
            if names(path, file)? {
                return Ok(());
            }
            *guard = None;
        }
        Err(io::Error::other(format!(
            "{} kept being replaced while a decision was written",
            path.display()
        )))
    }
}

/// Whether `path` names the open `file` (same device and inode).
fn names(path: &Path, file: &File) -> io::Result<bool> {
    use std::os::unix::fs::MetadataExt;
    let open = file.metadata()?;
    match std::fs::metadata(path) {
        Ok(m) => Ok(m.dev() == open.dev() && m.ino() == open.ino()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

fn open_for_append(path: &Path) -> io::Result<File> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    if let Some(dir) = dir {
        std::fs::create_dir_all(dir)?;
    }
    let existed = path.exists();
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .read(true)
        .open(path)?;
    if !existed {
        // The new directory entry must survive a crash too.
        File::open(dir.unwrap_or(Path::new(".")))?.sync_all()?;
    }
    Ok(file)
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

impl Filter {
    fn matches(&self, d: &Decision) -> bool {
        if self.port.as_ref().is_some_and(|p| *p != d.port) {
            return false;
        }
        match (self.since, humantime::parse_rfc3339_weak(&d.time)) {
            (Some(since), Ok(t)) => t >= since,
            _ => true,
        }
    }
}

/// A `since` bound (CLI `--since`, HTTP `?since=`): RFC 3339, or the reason it is not.
pub fn parse_since(since: Option<&str>) -> Result<Option<SystemTime>, String> {
    since
        .map(humantime::parse_rfc3339_weak)
        .transpose()
        .map_err(|e| format!("{e} (use RFC 3339, e.g. 2026-11-25T10:00:00Z)"))
}

/// Longest line a reader accepts; longer ones are reported and skipped unread.
const MAX_LINE: usize = 1024 * 1024;
/// Most problems one read reports (then a count of the rest).
const MAX_PROBLEMS: usize = 100;

/// The trail's files, oldest first: its rotated copies (`audit.jsonl.2`,
/// `audit.jsonl.1`, or logrotate's dateext `audit.jsonl-20261125`), then the file
/// itself. Compressed copies cannot be read: they are named in the problems.
pub fn files(path: &Path) -> io::Result<(Vec<PathBuf>, Vec<String>)> {
    let mut problems = Vec::new();
    let (Some(dir), Some(name)) = (path.parent(), path.file_name().and_then(|n| n.to_str())) else {
        return Ok((vec![path.to_path_buf()], problems));
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let mut rotated: Vec<(SystemTime, PathBuf)> = Vec::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok((Vec::new(), problems)),
        Err(e) => return Err(e),
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(n) = file_name.to_str() else {
            continue;
        };
        let Some(rest) = n.strip_prefix(name) else {
            continue;
        };
        let Some(suffix) = rest.strip_prefix('.').or_else(|| rest.strip_prefix('-')) else {
            continue;
        };
        let (digits, compressed) = match suffix.split_once('.') {
            Some((d, ext)) => (d, Some(ext)),
            None => (suffix, None),
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        if let Some(ext) = compressed {
            problems.push(format!("{}: a compressed ({ext}) rotation of the audit trail is not read; rotate with delaycompress or without compression to keep it readable here", entry.path().display()));
            continue;
        }
        let modified = entry
            .metadata()
            .and_then(|m| m.modified())
            .unwrap_or(SystemTime::UNIX_EPOCH);
        rotated.push((modified, entry.path()));
    }
    // Oldest first; equal times (a fast rotation) by the larger number first.
    rotated.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then_with(|| rotation_number(&b.1).cmp(&rotation_number(&a.1)))
    });
    let mut out: Vec<PathBuf> = rotated.into_iter().map(|(_, p)| p).collect();
    if path.exists() {
        out.push(path.to_path_buf());
    }
    Ok((out, problems))
}

fn rotation_number(p: &Path) -> u64 {
    p.extension()
        .and_then(|e| e.to_str())
        .and_then(|e| e.parse().ok())
        .unwrap_or(0)
}

/// The next line of `r` (without its newline) into `buf`: Ok(Some(true)) when read,
/// Ok(Some(false)) when longer than [`MAX_LINE`] (skipped), Ok(None) at the end.
fn next_line(r: &mut impl BufRead, buf: &mut Vec<u8>) -> io::Result<Option<bool>> {
    buf.clear();
    let mut too_long = false;
    let mut any = false;
    loop {
        let chunk = r.fill_buf()?;
        if chunk.is_empty() {
            return Ok(any.then_some(!too_long));
        }
        any = true;
        let (part, done) = match chunk.iter().position(|b| *b == b'\n') {
            Some(i) => (&chunk[..i], Some(i + 1)),
            None => (chunk, None),
        };
        if !too_long && buf.len() + part.len() <= MAX_LINE {
            buf.extend_from_slice(part);
        } else {
            too_long = true;
            buf.clear();
        }
        let used = done.unwrap_or(chunk.len());
        r.consume(used);
        if done.is_some() {
            return Ok(Some(!too_long));
        }
    }
}

/// Calls `visit` with every record matching `filter`, oldest first across the rotated
/// files, one line in memory at a time, until `visit` returns false. Returns a message
/// for each line that could not be read.
pub fn scan(
    path: &Path,
    filter: &Filter,
    mut visit: impl FnMut(Decision) -> bool,
) -> io::Result<Vec<String>> {
    let (paths, mut problems) = files(path)?;
    let mut more_problems = 0usize;
    let mut last: Option<Decision> = None;
    let mut buf = Vec::new();
    for p in paths {
        let file = match File::open(&p) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        let mut reader = BufReader::new(file);
        let mut n = 0usize;
        while let Some(complete) = next_line(&mut reader, &mut buf)? {
            n += 1;
            let problem = if !complete {
                Some(format!(
                    "{}:{n}: an audit line longer than 1 MiB, skipped",
                    p.display()
                ))
            } else if buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            } else {
                match serde_json::from_slice::<Decision>(&buf) {
                    Ok(d) => {
                        // The same record twice in a row: written again after a rotation.
                        if last.as_ref() == Some(&d) {
                            continue;
                        }
                        last = Some(d.clone());
                        if filter.matches(&d) && !visit(d) {
                            return Ok(problems);
                        }
                        None
                    }
                    Err(e) => Some(format!(
                        "{}:{n}: unreadable audit record (truncated or corrupt), skipped: {e}",
                        p.display()
                    )),
                }
            };
            if let Some(m) = problem {
                if problems.len() < MAX_PROBLEMS {
                    problems.push(m);
                } else {
                    more_problems += 1;
                }
            }
        }
    }
    if more_problems > 0 {
        problems.push(format!("... and {more_problems} more unreadable lines"));
    }
    Ok(problems)
}

/// Records matching `filter`, and a message for each line that could not be read.
pub fn read(path: &Path, filter: &Filter) -> io::Result<(Vec<Decision>, Vec<String>)> {
    let mut records = Vec::new();
    let problems = scan(path, filter, |d| {
        records.push(d);
        true
    })?;
    Ok((records, problems))
}

/// The newest `n` records of `port`, oldest first: the whole trail is read one line at
/// a time and only `n` records are held, however long it is. A trail that does not
/// exist yet has no records.
pub fn recent(path: &Path, port: &str, n: usize) -> io::Result<Vec<Decision>> {
    let filter = Filter {
        port: Some(port.to_string()),
        since: None,
    };
    let mut newest = std::collections::VecDeque::with_capacity(n + 1);
    match scan(path, &filter, |d| {
        newest.push_back(d);
        if newest.len() > n {
            newest.pop_front();
        }
        true
    }) {
        Ok(_) => Ok(newest.into()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

/// One page of the trail.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Page {
    pub records: Vec<Decision>,
    pub problems: Vec<String>,
    /// The cursor of the next page (the last record's decision id), when there is one.
    pub next: Option<String>,
}

/// Largest page the API serves, in records.
pub const MAX_PAGE: usize = 10_000;
/// Largest page the API serves, in bytes of records (a page holds at least one record
/// whatever its size): records with long commands made one default page 64 MB, and
/// eight at once took the agent from 11 to 625 MB.
pub const MAX_PAGE_BYTES: usize = 4 * 1024 * 1024;

/// At most `limit` records matching `filter` (and at most [`MAX_PAGE_BYTES`] of them),
/// after the record `cursor` names (a decision id from an earlier page's `next`).
/// Memory is bounded by the page, however long the trail.
pub fn page(path: &Path, filter: &Filter, cursor: Option<&str>, limit: usize) -> io::Result<Page> {
    let limit = limit.clamp(1, MAX_PAGE);
    let mut seen_cursor = cursor.is_none();
    let mut records = Vec::new();
    let mut bytes = 0usize;
    let mut next = None;
    let problems = scan(path, filter, |d| {
        if !seen_cursor {
            seen_cursor = Some(d.decision_id.as_str()) == cursor;
            return true;
        }
        let size = serde_json::to_vec(&d).map(|v| v.len()).unwrap_or(0);
        let full = records.len() == limit || (!records.is_empty() && bytes + size > MAX_PAGE_BYTES);
        if full {
            next = records.last().map(|r: &Decision| r.decision_id.clone());
            return false;
        }
        bytes += size;
        records.push(d);
        true
    })?;
    if !seen_cursor {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "the cursor names no record of this trail (rotated away, or from another filter)",
        ));
    }
    Ok(Page {
        records,
        problems,
        next,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decision(port: &str, time: &str) -> Decision {
        Decision {
            failures: Vec::new(),
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
            peerings: Vec::new(),
        }
    }

    #[test]
    fn a_page_is_bounded_by_bytes_as_well_as_records() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let log = AuditLog::default();
        for i in 0..100 {
            let mut d = decision("a", "2026-11-25T10:00:00Z");
            d.decision_id = format!("id-{i}");
            d.command = vec!["x".repeat(60 * 1024)];
            log.append(&path, &d).unwrap();
        }
        let filter = Filter {
            port: None,
            since: None,
        };
        let p = page(&path, &filter, None, 1000).unwrap();
        let size: usize = p
            .records
            .iter()
            .map(|r| serde_json::to_vec(r).unwrap().len())
            .sum();
        assert!(size <= MAX_PAGE_BYTES, "{size}");
        assert!(p.records.len() < 100 && !p.records.is_empty());
        assert_eq!(
            p.next.as_deref(),
            p.records.last().map(|r| r.decision_id.as_str())
        );
        // The next page goes on from there.
        let q = page(&path, &filter, p.next.as_deref(), 1000).unwrap();
        assert_eq!(q.records[0].decision_id, format!("id-{}", p.records.len()));
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

    fn ports(records: &[Decision]) -> Vec<&str> {
        records.iter().map(|d| d.port.as_str()).collect()
    }

    #[test]
    fn a_renamed_or_removed_file_is_written_again_where_the_path_points() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let log = AuditLog::default();
        log.append(&path, &decision("a", "2026-11-25T10:00:00Z"))
            .unwrap();
        // logrotate's default: rename, then the writer must notice.
        std::fs::rename(&path, dir.path().join("audit.jsonl.1")).unwrap();
        log.append(&path, &decision2("b", "2")).unwrap();
        let (current, _) = read_one(&path);
        assert_eq!(
            ports(&current),
            vec!["b"],
            "the new file has the new record"
        );
        // Removed outright.
        std::fs::remove_file(&path).unwrap();
        log.append(&path, &decision2("c", "3")).unwrap();
        assert_eq!(ports(&read_one(&path).0), vec!["c"]);
        // copytruncate: same inode, emptied; appends continue at its end.
        std::fs::copy(&path, dir.path().join("audit.jsonl.2")).unwrap();
        std::fs::OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(&path)
            .unwrap();
        log.append(&path, &decision2("d", "4")).unwrap();
        assert_eq!(ports(&read_one(&path).0), vec!["d"]);
        // Readers see every rotation, oldest first (b went with the removed file).
        let (all, problems) = read(&path, &Filter::default()).unwrap();
        assert_eq!(ports(&all), vec!["a", "c", "d"], "{problems:?}");
    }

    fn decision2(port: &str, id: &str) -> Decision {
        let mut d = decision(port, "2026-11-25T11:00:00Z");
        d.decision_id = id.into();
        d
    }

    /// One file only, not its rotations.
    fn read_one(path: &Path) -> (Vec<Decision>, Vec<String>) {
        let text = std::fs::read_to_string(path).unwrap();
        let records = text
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect();
        (records, Vec::new())
    }

    #[test]
    fn rotated_files_are_read_in_order_and_compressed_ones_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let write = |name: &str, d: &Decision| {
            let mut line = serde_json::to_string(d).unwrap();
            line.push('\n');
            std::fs::write(dir.path().join(name), line).unwrap();
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        write("audit.jsonl.2", &decision2("oldest", "1"));
        write("audit.jsonl.1", &decision2("older", "2"));
        write("audit.jsonl", &decision2("newest", "3"));
        std::fs::write(dir.path().join("audit.jsonl.3.gz"), b"\x1f\x8b").unwrap();
        std::fs::write(dir.path().join("audit.jsonl.bak"), b"not ours").unwrap();
        let (all, problems) = read(&path, &Filter::default()).unwrap();
        assert_eq!(ports(&all), vec!["oldest", "older", "newest"]);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].contains("audit.jsonl.3.gz") && problems[0].contains("compressed"));
    }

    #[test]
    fn pages_follow_the_cursor_and_a_huge_line_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let log = AuditLog::default();
        for i in 0..5 {
            log.append(&path, &decision2(&format!("p{i}"), &i.to_string()))
                .unwrap();
        }
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        f.write_all(&vec![b'x'; 3 * MAX_LINE]).unwrap();
        f.write_all(b"\n").unwrap();
        log.append(&path, &decision2("p5", "5")).unwrap();
        let first = page(&path, &Filter::default(), None, 2).unwrap();
        assert_eq!(ports(&first.records), vec!["p0", "p1"]);
        assert_eq!(first.next.as_deref(), Some("1"));
        let second = page(&path, &Filter::default(), first.next.as_deref(), 10).unwrap();
        assert_eq!(ports(&second.records), vec!["p2", "p3", "p4", "p5"]);
        assert_eq!(second.next, None);
        assert!(
            second.problems[0].contains("longer than 1 MiB"),
            "{:?}",
            second.problems
        );
        let gone = page(&path, &Filter::default(), Some("nope"), 10).unwrap_err();
        assert_eq!(gone.kind(), io::ErrorKind::InvalidInput);
    }

    #[test]
    fn oversized_gate_fields_are_refused_by_name() {
        let mut r = GateRequest {
            action: default_action(),
            user: "u".repeat(MAX_FIELD),
            host: "h".into(),
            command: vec!["true".into()],
        };
        assert!(r.check_sizes().is_ok());
        r.user.push('x');
        assert!(r
            .check_sizes()
            .unwrap_err()
            .starts_with("user is 1025 bytes"));
        r.user = "u".into();
        r.command = vec!["x".repeat(MAX_COMMAND)];
        assert!(r.check_sizes().unwrap_err().starts_with("command is"));
    }

    #[test]
    fn a_missing_file_has_no_records() {
        let (r, p) = read(Path::new("/nonexistent/audit.jsonl"), &Filter::default()).unwrap();
        assert!(r.is_empty() && p.is_empty());
    }
}
