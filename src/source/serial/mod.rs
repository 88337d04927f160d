//! The `serial` source: routers read through their console (a local serial port or a
//! console server's TCP port), for sites where SNMP is not allowed or not configured
//! yet. Pure parsers per CLI dialect ([`parse`]), the dialogue ([`session`]) and the
//! byte pipes ([`transport`]) are separate; blocking I/O runs off the async workers,
//! and a lock keeps two lightgate processes (or devices) from talking over each other.

pub mod change_times;
pub mod dialect;
pub mod lock;
pub mod parse;
pub mod session;
pub mod terminal;
pub mod transport;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

pub use change_times::ChangeTimes;
pub use dialect::Dialect;
use lightgate_core::retry::Backoff;
use parse::common::OpticBuilder;
use parse::{lookup, Found};
use session::SessionSettings;
pub use transport::ConsoleTarget;
use transport::{Console, SerialConsole, TcpConsole};

use super::types::{PollResult, ReadingSource, SourceError};
use crate::domain::{LinkReading, OpticalPower};

/// One console-read device, as configured.
#[derive(Debug, Clone)]
pub struct SerialSettings {
    pub target: ConsoleTarget,
    pub session: SessionSettings,
}

impl PartialEq for SerialSettings {
    fn eq(&self, other: &Self) -> bool {
        self.target == other.target
            && self.session.dialect == other.session.dialect
            && self.session.username == other.session.username
            && self.session.password == other.session.password
            && self.session.enable_password == other.session.enable_password
            && self.session.step_timeout == other.session.step_timeout
            && self.session.command_timeout == other.session.command_timeout
    }
}

/// The read-only show commands that give link state and DOM for one interface.
pub fn commands(dialect: Dialect, interface: &str) -> Vec<String> {
    dialect.commands(interface)
}

fn merge(into: &mut Found, from: &Found) {
    into.speed_mbps = from.speed_mbps.or(into.speed_mbps);
    into.alias = from.alias.clone().or(into.alias.take());
    into.last_change_ago = from.last_change_ago.or(into.last_change_ago);
    into.standard = from.standard.or(into.standard);
    if from.admin.is_some() {
        into.admin = from.admin;
    }
    if from.oper.is_some() && (into.oper.is_none() || from.admin.is_some()) {
        into.oper = from.oper;
    }
    if from.optic.is_some() {
        into.optic = from.optic.clone();
    }
    if from.note.is_some() {
        into.note = from.note.clone();
    }
    if !from.inconsistent.is_empty() {
        into.inconsistent = from.inconsistent.clone();
    }
}

/// Turns the outputs of [`commands`] for each interface into results, read at `now`
/// (what makes "flapped 3 days ago" a time). Pure.
pub fn readings(
    dialect: Dialect,
    interfaces: &[String],
    outputs: &[String],
    now: std::time::SystemTime,
) -> PollResult {
    readings_and_unread(dialect, interfaces, outputs, now, &ChangeTimes::default()).0
}

/// [`readings`], and the lines of the outputs that look like optical power but that no
/// parser read (each once).
pub fn readings_and_unread(
    dialect: Dialect,
    interfaces: &[String],
    outputs: &[String],
    now: std::time::SystemTime,
    times: &ChangeTimes,
) -> (PollResult, Vec<String>) {
    let mut unread: Vec<String> = Vec::new();
    let mut result = BTreeMap::new();
    let per = outputs.len() / interfaces.len().max(1);
    for (i, name) in interfaces.iter().enumerate() {
        let mut combined = Found::default();
        let mut rows: BTreeMap<String, Found> = BTreeMap::new();
        for out in outputs.iter().skip(i * per).take(per) {
            let port = dialect.spec().port_of.map(|of| of(name));
            let (found, left) = dialect.parse_with_leftovers(out, port);
            for (_, line) in left {
                if !unread.contains(&line) {
                    unread.push(line);
                }
            }
            for key in [Some(name.as_str()), port].into_iter().flatten() {
                if let Some(f) = lookup(&found, key) {
                    merge(&mut combined, f);
                }
            }
            for (k, f) in found {
                rows.entry(k).or_insert(f);
            }
        }
        if dialect.spec().lane_rows {
            fold_lane_rows(&mut combined, &rows, name, interfaces);
        }
        let ago = combined.last_change_ago;
        let r = match (combined.admin, combined.oper) {
            (Some(_), Some(_)) => Ok(LinkReading {
                last_change: ago.and_then(|a| times.settle(name, now, a)),
                ..combined.into_reading()
            }),
            _ => Err(format!("the console did not show the link state of {name} (is the name right for {dialect}?)")),
        };
        result.insert(name.clone(), r);
    }
    (result, unread)
}

/// EOS prints the optic of an unbroken multi-lane port as one row per lane, each named
/// after the lane's sub-interface (Et49/1 ... Et49/4): those rows are the lanes of the
/// port `name` (row /N is lane N-1). A broken-out port's sub-interfaces are ports of
/// their own: rows are not folded when one of them is polled as an interface, or when
/// the port runs at a single lane's speed (under 40G).
pub fn fold_lane_rows(
    combined: &mut Found,
    rows: &BTreeMap<String, Found>,
    name: &str,
    polled: &[String],
) {
    let norm = parse::normalize_interface(name);
    let Some(base) = norm.strip_suffix("/1") else {
        return;
    };
    if combined.optic.as_ref().is_none_or(|o| !o.lanes.is_empty()) {
        return;
    }
    let siblings: BTreeMap<u16, &Found> = rows
        .iter()
        .filter_map(|(k, f)| {
            let n = parse::normalize_interface(k);
            let lane: u16 = n.strip_prefix(base)?.strip_prefix('/')?.parse().ok()?;
            ((2..=16).contains(&lane) && f.optic.is_some()).then_some((lane, f))
        })
        .collect();
    if siblings.is_empty() || combined.speed_mbps.is_some_and(|s| s < 40_000) {
        return;
    }
    let broken_out = polled.iter().any(|p| {
        parse::normalize_interface(p)
            .strip_prefix(base)
            .and_then(|r| r.strip_prefix('/'))
            .and_then(|l| l.parse::<u16>().ok())
            .is_some_and(|l| l >= 2)
    });
    if broken_out {
        return;
    }
    let Some(module) = combined.optic.take() else {
        return;
    };
    let mut optic = OpticBuilder {
        temperature_celsius: module.temperature_celsius,
        voltage_volts: module.voltage_volts,
        rx_thresholds: module.rx_thresholds,
        tx_thresholds: module.tx_thresholds,
        ..OpticBuilder::default()
    };
    let lanes = std::iter::once((0, &module)).chain(
        siblings
            .iter()
            .filter_map(|(n, f)| Some((n - 1, f.optic.as_ref()?))),
    );
    for (n, row) in lanes {
        let lane = optic.lane(n);
        lane.rx = row.rx.unwrap_or(OpticalPower::NotSupported);
        lane.tx = row.tx.unwrap_or(OpticalPower::NotSupported);
        lane.bias_amperes = row.bias_amperes;
    }
    combined.optic = Some(optic);
}

/// What one visit to the console gives: the readings and the lines not read.
pub type Visit = Result<(PollResult, Vec<String>), SourceError>;

/// Polls one device over its console.
pub struct SerialSource {
    /// The device's name, for the log.
    device: String,
    settings: SerialSettings,
    /// Lines that look like optical power but were not read, already logged: each is
    /// logged once per device, not at every poll.
    unread_logged: std::collections::HashSet<String>,
    /// The device's poll timeout: the session must be done, logout included, within it.
    timeout: Duration,
    /// After a failure, the console is left alone until then (doubling backoff).
    retry_at: Option<(Instant, Backoff, SourceError)>,
    /// A visit still running: one the poller gave up waiting for (its timeout fired
    /// first) finishes, logout included, before the next one starts.
    inflight: Option<tokio::task::JoinHandle<FullVisit>>,
    /// The BGP neighbours to read during the next visit, and what the last visit read.
    bgp_wanted: Vec<super::types::BgpWanted>,
    bgp_last: Option<Result<Vec<lightgate_core::bgp::BgpSession>, SourceError>>,
    /// What visits share: whether lightgate's own session may still be open, and the
    /// stop signal of the visit running.
    visit: std::sync::Arc<session::VisitState>,
}

/// Tells a running visit to stop typing and log out when the poll that started it is
/// dropped (the agent stopping, or the poller giving up on it) before it finished.
struct StopOnDrop(Option<std::sync::Arc<session::VisitState>>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        if let Some(v) = self.0.take() {
            v.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        }
    }
}

/// A visit's readings, unread lines and BGP sessions (None when none were asked for).
type FullVisit = Result<
    (
        PollResult,
        Vec<String>,
        Option<Result<Vec<lightgate_core::bgp::BgpSession>, SourceError>>,
    ),
    SourceError,
>;

/// The read-only commands that list BGP sessions, with the VRF each one's output is
/// about when the output does not say (see [`dialect::DialectSpec::bgp_commands`]).
pub fn bgp_commands(dialect: Dialect, vrfs: &[String]) -> Vec<(String, Option<String>)> {
    (dialect.spec().bgp_commands)(vrfs)
}

/// The read-only command that lists BFD sessions (see [`parse::bfd`]), read after the
/// BGP commands; a router that rejects it reports no BFD, and BGP is read as usual.
pub fn bfd_command(dialect: Dialect) -> &'static str {
    dialect.spec().bfd_command
}

/// A console that failed is left alone 5 s, then twice as long after each failure
/// that follows, up to 5 minutes (spread by a tenth: consoles behind one console
/// server that failed together are not visited together again).
fn console_backoff(target: &ConsoleTarget) -> Backoff {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    format!("{target:?}").hash(&mut h);
    Backoff::new(Duration::from_secs(5), Duration::from_secs(300)).with_jitter(0.1, h.finish())
}

impl SerialSource {
    pub fn new(device: &str, settings: SerialSettings, timeout: Duration) -> Self {
        SerialSource {
            device: device.to_string(),
            unread_logged: Default::default(),
            settings,
            timeout,
            retry_at: None,
            inflight: None,
            bgp_wanted: Vec::new(),
            bgp_last: None,
            visit: Default::default(),
        }
    }

    /// What the next visit reads about BGP.
    pub fn want_bgp(&mut self, wanted: &[super::types::BgpWanted]) {
        self.bgp_wanted = wanted.to_vec();
    }

    /// The BGP sessions the last visit read.
    pub fn take_bgp(
        &mut self,
        wanted: &[super::types::BgpWanted],
    ) -> Result<Vec<lightgate_core::bgp::BgpSession>, SourceError> {
        let _ = wanted;
        self.bgp_last.take().unwrap_or_else(|| {
            Err(SourceError::Transport(
                "the console visit did not read BGP".to_string(),
            ))
        })
    }

    /// The time one visit may take, logout included: a little less than the poll
    /// timeout, so that the poller's timeout never cuts a session short and the
    /// session's own error (with its cause) is what the poll reports.
    pub fn budget(timeout: Duration) -> Duration {
        timeout.saturating_sub(Duration::from_millis(250).min(timeout / 10))
    }

    /// Logs, once per device, the lines that look like optical power that no parser
    /// read (with the console's passwords removed): a firmware that prints a new form
    /// shows up in the log, not as a silent "not reported".
    fn log_unread(&mut self, unread: Vec<String>) {
        const MAX_REMEMBERED: usize = 1000;
        let new: Vec<String> = unread
            .into_iter()
            .filter(|l| !self.unread_logged.contains(l))
            .collect();
        if new.is_empty() || self.unread_logged.len() >= MAX_REMEMBERED {
            return;
        }
        let session = &self.settings.session;
        let secrets: Vec<&str> = [&session.password, &session.enable_password]
            .into_iter()
            .flatten()
            .map(lightgate_core::secret::Secret::expose)
            .collect();
        let shown: Vec<String> = new
            .iter()
            .take(10)
            .map(|l| crate::text::escape(&crate::text::redact(l, &secrets)).into_owned())
            .collect();
        tracing::warn!(
            device = %self.device,
            dialect = %session.dialect,
            count = new.len(),
            lines = %shown.join(" | "),
            "Console output has lines that look like optical power that lightgate could not read (logged once)."
        );
        self.unread_logged.extend(new);
    }

    fn take_unread(&mut self, outcome: FullVisit) -> Result<PollResult, SourceError> {
        match outcome {
            Ok((result, unread, bgp)) => {
                self.log_unread(unread);
                self.bgp_last = bgp;
                Ok(result)
            }
            Err(e) => {
                self.bgp_last = Some(Err(e.clone()));
                Err(e)
            }
        }
    }

    fn note(&mut self, outcome: &Result<PollResult, SourceError>) {
        match outcome {
            Ok(_) => self.retry_at = None,
            Err(e) => {
                let mut backoff = match self.retry_at.take() {
                    Some((_, b, _)) => b,
                    None => console_backoff(&self.settings.target),
                };
                let wait = backoff.next_wait();
                self.retry_at = Some((Instant::now() + wait, backoff, e.clone()));
            }
        }
    }
}

/// One complete visit to the console: lock, connect, dialogue, parse and logout, all
/// before `deadline`.
pub fn poll_blocking(s: &SerialSettings, interfaces: &[String], deadline: Instant) -> Visit {
    visit_blocking(s, interfaces, &[], deadline).map(|(r, u, _)| (r, u))
}

/// [`poll_blocking`], reading the BGP sessions with `bgp` too when it is not empty
/// (their result is an error when the console refused the BGP commands).
pub fn visit_blocking(
    s: &SerialSettings,
    interfaces: &[String],
    bgp: &[super::types::BgpWanted],
    deadline: Instant,
) -> FullVisit {
    visit_blocking_with(
        s,
        interfaces,
        bgp,
        deadline,
        &session::VisitState::default(),
    )
}

/// [`visit_blocking`] with what earlier visits left ([`session::VisitState`]: whether
/// lightgate's own session may still be open) and the agent's stop signal.
pub fn visit_blocking_with(
    s: &SerialSettings,
    interfaces: &[String],
    bgp: &[super::types::BgpWanted],
    deadline: Instant,
    visit: &session::VisitState,
) -> FullVisit {
    let _lock = lock::ConsoleLock::acquire(&s.target)?;
    let connect_within = s
        .session
        .step_timeout
        .min(deadline.saturating_duration_since(Instant::now()))
        .max(Duration::from_millis(1));
    let mut console: Box<dyn Console> = match &s.target {
        ConsoleTarget::Device { path, line } => Box::new(
            SerialConsole::open(path, line).map_err(|e| SourceError::Transport(e.to_string()))?,
        ),
        ConsoleTarget::Tcp(addr) => {
            Box::new(TcpConsole::connect(addr, connect_within).map_err(|e| {
                SourceError::Transport(format!("cannot connect to the console server {addr}: {e}"))
            })?)
        }
    };
    let mut cmds: Vec<String> = interfaces
        .iter()
        .flat_map(|i| commands(s.session.dialect, i))
        .collect();
    let mut vrfs: Vec<String> = bgp.iter().filter_map(|(v, _)| v.clone()).collect();
    vrfs.sort();
    vrfs.dedup();
    let bgp_cmds = if bgp.is_empty() {
        Vec::new()
    } else {
        bgp_commands(s.session.dialect, &vrfs)
    };
    let n = cmds.len();
    cmds.extend(bgp_cmds.iter().map(|(c, _)| c.clone()));
    // The BFD command's index, after the BGP ones.
    let bfd_at = (!bgp.is_empty()).then(|| {
        cmds.push(bfd_command(s.session.dialect).to_string());
        cmds.len() - 1
    });
    let session::Outputs {
        texts: outputs,
        refused,
        rejected,
    } = session::run_with(console.as_mut(), &s.session, &cmds, deadline, visit)?;
    let (mut readings, unread) = readings_and_unread(
        s.session.dialect,
        interfaces,
        &outputs[..n.min(outputs.len())],
        std::time::SystemTime::now(),
        &visit.change_times,
    );
    // A command refused at user level, or one the router does not know: the interfaces
    // it was for say so (the other commands were read as usual).
    let per = n / interfaces.len().max(1);
    for (i, why) in refused.iter().chain(&rejected).filter(|(i, _)| *i < n) {
        let Some(name) = interfaces.get(i / per.max(1)) else {
            continue;
        };
        match readings.get_mut(name) {
            Some(Ok(r)) => {
                r.note = Some(match r.note.take() {
                    Some(n) => format!("{n}; {why}"),
                    None => why.clone(),
                })
            }
            Some(Err(e)) => *e = format!("{e}; {why}"),
            None => {}
        }
    }
    let is_bgp = |i: usize| i >= n && i < n + bgp_cmds.len();
    let bgp_refused = refused
        .iter()
        .find(|(i, _)| is_bgp(*i))
        .map(|(_, w)| w.clone());
    let bgp_rejected: Vec<&String> = rejected
        .iter()
        .filter(|(i, _)| is_bgp(*i))
        .map(|(_, w)| w)
        .collect();
    let sessions = (!bgp.is_empty()).then(|| {
        if let Some(why) = &bgp_refused {
            return Err(SourceError::Refused(why.clone()));
        }
        if !bgp_cmds.is_empty() && bgp_rejected.len() == bgp_cmds.len() {
            // No BGP command this router knows: nothing was read.
            return Err(SourceError::Decode(
                bgp_rejected
                    .iter()
                    .map(|w| w.as_str())
                    .collect::<Vec<_>>()
                    .join("; "),
            ));
        }
        let mut all: Vec<lightgate_core::bgp::BgpSession> = Vec::new();
        for ((_, vrf), out) in bgp_cmds.iter().zip(outputs.iter().skip(n)) {
            let summary = parse::bgp::parse_bgp_summary(out, vrf.as_deref());
            for x in summary.sessions {
                if !all.iter().any(|y| y.peer == x.peer && y.vrf == x.vrf) {
                    all.push(x);
                }
            }
        }
        // A rejected or refused BFD command leaves no output: no session has BFD.
        let bfd_text = bfd_at
            .filter(|at| !refused.iter().chain(&rejected).any(|(i, _)| i == at))
            .and_then(|at| outputs.get(at));
        parse::bfd::attach(&mut all, bfd_text.map(String::as_str).unwrap_or(""));
        Ok(all)
    });
    Ok((readings, unread, sessions))
}

impl ReadingSource for SerialSource {
    async fn poll(&mut self, interfaces: &[String]) -> Result<PollResult, SourceError> {
        if let Some(previous) = self.inflight.as_mut() {
            let outcome = previous
                .await
                .unwrap_or_else(|e| Err(SourceError::Transport(format!("internal error: {e}"))));
            self.inflight = None;
            let outcome = self.take_unread(outcome);
            self.note(&outcome);
        }
        if let Some((at, _, err)) = &self.retry_at {
            if Instant::now() < *at {
                // Left alone after a failure: BGP is unread for the same reason.
                let err = err.clone();
                self.bgp_last = Some(Err(err.clone()));
                return Err(err);
            }
        }
        let settings = self.settings.clone();
        let wanted = interfaces.to_vec();
        let bgp = self.bgp_wanted.clone();
        let deadline = Instant::now() + Self::budget(self.timeout);
        let visit = self.visit.clone();
        visit.stop.store(false, std::sync::atomic::Ordering::SeqCst);
        let mut stop_on_drop = StopOnDrop(Some(visit.clone()));
        let task = tokio::task::spawn_blocking(move || {
            visit_blocking_with(&settings, &wanted, &bgp, deadline, &visit)
        });
        let running = self.inflight.insert(task);
        let outcome = running
            .await
            .unwrap_or_else(|e| Err(SourceError::Transport(format!("internal error: {e}"))));
        stop_on_drop.0 = None;
        self.inflight = None;
        let outcome = self.take_unread(outcome);
        self.note(&outcome);
        outcome
    }
}
