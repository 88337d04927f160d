//! The simulator's meter: every request PDU and varbind it receives, per client
//! address, so two pollers run against one fleet are measured by the same instrument.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::Mutex;

use serde::Serialize;

use super::respond::{Answer, RequestKind};

/// Counts of one client (or the total).
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Counts {
    /// Request PDUs answered.
    pub requests: u64,
    pub get: u64,
    pub getnext: u64,
    pub getbulk: u64,
    /// SNMPv3 requests answered with a Report (engine discovery, unknown user, ...).
    pub reports: u64,
    /// Varbinds in the requests.
    pub varbinds_requested: u64,
    /// Varbinds in the responses.
    pub varbinds_returned: u64,
    /// Responses that were tooBig.
    pub too_big: u64,
    /// Datagrams dropped (garbled, wrong community, SNMPv3, SET).
    pub dropped: u64,
}

impl Counts {
    fn add(&mut self, a: &Answer) {
        self.requests += 1;
        match a.kind {
            Some(RequestKind::Get) => self.get += 1,
            Some(RequestKind::GetNext) => self.getnext += 1,
            Some(RequestKind::GetBulk) => self.getbulk += 1,
            None => self.reports += 1,
        }
        self.varbinds_requested += a.varbinds_in as u64;
        self.varbinds_returned += a.varbinds_out as u64;
        self.too_big += u64::from(a.too_big);
    }
}

impl std::ops::AddAssign for Counts {
    fn add_assign(&mut self, o: Counts) {
        self.requests += o.requests;
        self.get += o.get;
        self.getnext += o.getnext;
        self.getbulk += o.getbulk;
        self.reports += o.reports;
        self.varbinds_requested += o.varbinds_requested;
        self.varbinds_returned += o.varbinds_returned;
        self.too_big += o.too_big;
        self.dropped += o.dropped;
    }
}

/// What `GET /meter` returns.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub devices: usize,
    pub clients: BTreeMap<String, Counts>,
    pub total: Counts,
    pub traps_sent: u64,
    /// The simulator's own CPU time (user + system), from /proc/self/stat.
    pub cpu_seconds: Option<f64>,
    /// Its peak resident set, from /proc/self/status VmHWM.
    pub peak_rss_bytes: Option<u64>,
}

#[derive(Debug, Default)]
struct Inner {
    clients: BTreeMap<IpAddr, Counts>,
    traps_sent: u64,
}

/// The shared meter.
#[derive(Debug, Default)]
pub struct Meter {
    inner: Mutex<Inner>,
}

impl Meter {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn answered(&self, client: IpAddr, a: &Answer) {
        self.lock().clients.entry(client).or_default().add(a);
    }

    pub fn dropped(&self, client: IpAddr) {
        self.lock().clients.entry(client).or_default().dropped += 1;
    }

    pub fn trap_sent(&self) {
        self.lock().traps_sent += 1;
    }

    /// Zeroes every count.
    pub fn reset(&self) {
        *self.lock() = Inner::default();
    }

    pub fn report(&self, devices: usize) -> Report {
        let inner = self.lock();
        let mut total = Counts::default();
        for c in inner.clients.values() {
            total += *c;
        }
        let (cpu_seconds, peak_rss_bytes) = own_usage();
        Report {
            devices,
            clients: inner
                .clients
                .iter()
                .map(|(ip, c)| (ip.to_string(), *c))
                .collect(),
            total,
            traps_sent: inner.traps_sent,
            cpu_seconds,
            peak_rss_bytes,
        }
    }
}

/// This process's CPU seconds and peak RSS, where /proc has them (Linux).
fn own_usage() -> (Option<f64>, Option<u64>) {
    // USER_HZ is 100 for /proc on every Linux architecture lightgate runs on.
    const USER_HZ: f64 = 100.0;
    let cpu = std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            // Fields after the command name, which is in parentheses and may hold spaces.
            let rest = &s[s.rfind(')')? + 2..];
            let f: Vec<&str> = rest.split_whitespace().collect();
            let utime: f64 = f.get(11)?.parse().ok()?;
            let stime: f64 = f.get(12)?.parse().ok()?;
            Some((utime + stime) / USER_HZ)
        });
    let rss = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
                .map(|kb| kb * 1024)
        });
    (cpu, rss)
}
