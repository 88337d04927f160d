//! The `serial` source: routers read through their console (a local serial port or a
//! console server's TCP port), for sites where SNMP is not allowed or not configured
//! yet. Pure parsers per CLI dialect ([`parse`]), the dialogue ([`session`]) and the
//! byte pipes ([`transport`]) are separate; blocking I/O runs off the async workers,
//! and a lock keeps two lightgate processes (or devices) from talking over each other.

pub mod lock;
pub mod parse;
pub mod session;
pub mod transport;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use parse::{lookup, Dialect, Found};
use session::SessionSettings;
use transport::{Console, LineSettings, SerialConsole, TcpConsole};

use super::{PollResult, ReadingSource, SourceError};

/// Where the console is.
#[derive(Debug, Clone, PartialEq)]
pub enum ConsoleTarget {
    /// A local serial device and its line settings.
    Device { path: String, line: LineSettings },
    /// A console server port, host:port.
    Tcp(String),
}

impl ConsoleTarget {
    pub fn describe(&self) -> String {
        match self {
            ConsoleTarget::Device { path, .. } => path.clone(),
            ConsoleTarget::Tcp(a) => format!("tcp://{a}"),
        }
    }
}

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
            && self.session.step_timeout == other.session.step_timeout
            && self.session.command_timeout == other.session.command_timeout
    }
}

/// The IOS-XR controller name of an interface: "HundredGigE0/0/0/0" -> "0/0/0/0".
pub fn xr_port(interface: &str) -> &str {
    interface
        .find(|c: char| c.is_ascii_digit())
        .map(|i| &interface[i..])
        .unwrap_or(interface)
}

/// The read-only show commands that give link state and DOM for one interface.
pub fn commands(dialect: Dialect, interface: &str) -> Vec<String> {
    match dialect {
        Dialect::CiscoIos => vec![
            format!("show interfaces {interface} transceiver detail"),
            format!("show interfaces {interface}"),
        ],
        Dialect::CiscoNxos => vec![
            format!("show interface {interface} transceiver details"),
            format!("show interface {interface}"),
        ],
        Dialect::CiscoIosxr => vec![
            format!("show controllers optics {}", xr_port(interface)),
            format!("show interfaces {interface}"),
        ],
        Dialect::AristaEos => vec![
            format!("show interfaces {interface} transceiver"),
            format!("show interfaces {interface}"),
        ],
        Dialect::Junos => vec![
            format!("show interfaces diagnostics optics {interface}"),
            format!("show interfaces {interface} terse"),
        ],
    }
}

fn merge(into: &mut Found, from: &Found) {
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
}

/// Turns the outputs of [`commands`] for each interface into results. Pure.
pub fn readings(dialect: Dialect, interfaces: &[String], outputs: &[String]) -> PollResult {
    let mut result = BTreeMap::new();
    let per = outputs.len() / interfaces.len().max(1);
    for (i, name) in interfaces.iter().enumerate() {
        let mut combined = Found::default();
        for out in outputs.iter().skip(i * per).take(per) {
            let port = (dialect == Dialect::CiscoIosxr).then(|| xr_port(name));
            let found = parse::parse(dialect, out, port);
            for key in [Some(name.as_str()), port].into_iter().flatten() {
                if let Some(f) = lookup(&found, key) {
                    merge(&mut combined, f);
                }
            }
        }
        let r = match (combined.admin, combined.oper) {
            (Some(_), Some(_)) => Ok(combined.into_reading()),
            _ => Err(format!("the console did not show the link state of {name} (is the name right for {dialect}?)")),
        };
        result.insert(name.clone(), r);
    }
    result
}

/// Polls one device over its console.
pub struct SerialSource {
    settings: SerialSettings,
    /// After a failure, the console is left alone until then (doubling backoff).
    retry_at: Option<(Instant, Duration, SourceError)>,
}

const FIRST_BACKOFF: Duration = Duration::from_secs(5);
const MAX_BACKOFF: Duration = Duration::from_secs(300);

impl SerialSource {
    pub fn new(settings: SerialSettings) -> Self {
        SerialSource {
            settings,
            retry_at: None,
        }
    }
}

/// One complete visit to the console: lock, connect, dialogue, parse.
pub fn poll_blocking(s: &SerialSettings, interfaces: &[String]) -> Result<PollResult, SourceError> {
    let _lock = lock::ConsoleLock::acquire(&s.target)?;
    let mut console: Box<dyn Console> = match &s.target {
        ConsoleTarget::Device { path, line } => Box::new(
            SerialConsole::open(path, line).map_err(|e| SourceError::Transport(e.to_string()))?,
        ),
        ConsoleTarget::Tcp(addr) => Box::new(
            TcpConsole::connect(addr, s.session.step_timeout).map_err(|e| {
                SourceError::Transport(format!("cannot connect to the console server {addr}: {e}"))
            })?,
        ),
    };
    let cmds: Vec<String> = interfaces
        .iter()
        .flat_map(|i| commands(s.session.dialect, i))
        .collect();
    let outputs = session::run(console.as_mut(), &s.session, &cmds)?;
    Ok(readings(s.session.dialect, interfaces, &outputs))
}

impl ReadingSource for SerialSource {
    async fn poll(&mut self, interfaces: &[String]) -> Result<PollResult, SourceError> {
        if let Some((at, _, err)) = &self.retry_at {
            if Instant::now() < *at {
                return Err(err.clone());
            }
        }
        let settings = self.settings.clone();
        let wanted = interfaces.to_vec();
        let outcome = tokio::task::spawn_blocking(move || poll_blocking(&settings, &wanted))
            .await
            .unwrap_or_else(|e| Err(SourceError::Transport(format!("internal error: {e}"))));
        match &outcome {
            Ok(_) => self.retry_at = None,
            Err(e) => {
                let backoff = self
                    .retry_at
                    .as_ref()
                    .map(|(_, b, _)| (*b * 2).min(MAX_BACKOFF))
                    .unwrap_or(FIRST_BACKOFF);
                self.retry_at = Some((Instant::now() + backoff, backoff, e.clone()));
            }
        }
        outcome
    }
}
