//! A device's poll and SNMP counters, kept beside its state in the store and written
//! into /metrics by the exporter. Plain numbers, not prometheus crate children: each of
//! those holds its own copy of the family's description and label pairs, about 4 KB a
//! device for these nine series, 40 MB at 10,000 routers (BENCHMARKS.md, "Scale").

use std::time::Duration;

use lightgate_core::source::SourceError;
use lightgate_snmp::trap::TrapKind;

/// Upper bounds (seconds) of `lightgate_poll_duration_seconds`; +Inf is implied.
pub const POLL_BUCKETS: [f64; 12] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// The bounds as `le` labels, written once rather than at every scrape of every device.
static LE_LABELS: std::sync::LazyLock<Vec<String>> =
    std::sync::LazyLock::new(|| POLL_BUCKETS.iter().map(|b| b.to_string()).collect());

/// The trap kinds counted per device, in the order of [`DeviceCounters::traps`].
pub const TRAP_KINDS: [TrapKind; 6] = [
    TrapKind::LinkDown,
    TrapKind::LinkUp,
    TrapKind::EntityChange,
    TrapKind::BgpEstablished,
    TrapKind::BgpBackward,
    TrapKind::Other,
];

/// Link traps, exported at zero from the start so that `increase()` sees the first.
pub const ALWAYS_EXPORTED_TRAPS: usize = 2;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeviceCounters {
    /// Failed polls by kind, in the order of [`SourceError::KINDS`].
    pub errors: [u64; SourceError::KINDS.len()],
    pub snmp_requests: u64,
    pub snmp_varbinds: u64,
    /// Accepted traps by kind, in the order of [`TRAP_KINDS`].
    pub traps: [u64; TRAP_KINDS.len()],
    pub trap_polls_coalesced: u64,
    /// Polls finished, either way (the histogram's count).
    pub polls: u64,
    /// Polls per bucket of [`POLL_BUCKETS`], not cumulative; the rest took longer.
    pub poll_buckets: [u64; POLL_BUCKETS.len()],
    pub poll_seconds: f64,
}

impl DeviceCounters {
    /// One finished poll: how long it took, and the kind of its error if it failed.
    pub fn observe(&mut self, took: Duration, error_kind: Option<&str>) {
        let secs = took.as_secs_f64();
        self.polls += 1;
        self.poll_seconds += secs;
        if let Some(i) = POLL_BUCKETS.iter().position(|b| secs <= *b) {
            self.poll_buckets[i] += 1;
        }
        if let Some(i) = error_kind.and_then(|k| SourceError::KINDS.iter().position(|x| *x == k)) {
            self.errors[i] += 1;
        }
    }

    /// Polls that failed with errors of `kind`.
    pub fn errors(&self, kind: &str) -> u64 {
        SourceError::KINDS
            .iter()
            .position(|k| *k == kind)
            .map_or(0, |i| self.errors[i])
    }

    pub fn trap(&mut self, kind: TrapKind) {
        if let Some(i) = TRAP_KINDS.iter().position(|k| *k == kind) {
            self.traps[i] += 1;
        }
    }

    /// Cumulative bucket counts by their `le` label, as the text format wants them,
    /// ending with +Inf.
    pub fn cumulative_buckets(&self) -> impl Iterator<Item = (&'static str, u64)> + '_ {
        let mut sum = 0;
        LE_LABELS
            .iter()
            .zip(self.poll_buckets)
            .map(move |(le, n)| {
                sum += n;
                (le.as_str(), sum)
            })
            .chain(std::iter::once(("+Inf", self.polls)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_cumulative_and_end_with_every_poll() {
        let mut c = DeviceCounters::default();
        for ms in [1, 7, 7, 300, 45_000] {
            c.observe(Duration::from_millis(ms), None);
        }
        c.observe(Duration::from_millis(20), Some("timeout"));
        let b: Vec<(&str, u64)> = c.cumulative_buckets().collect();
        assert_eq!(b[0], ("0.005", 1));
        assert_eq!(b[1], ("0.01", 3));
        assert_eq!(b[2], ("0.025", 4));
        assert_eq!(b[6], ("0.5", 5), "300 ms is under 0.5 s");
        assert_eq!(b[11], ("30", 5), "45 s is over the last bound");
        assert_eq!(b[12], ("+Inf", 6));
        assert!((c.poll_seconds - 45.335).abs() < 1e-9);
        assert_eq!(c.errors("timeout"), 1);
        assert_eq!(c.errors("auth"), 0);
    }
}
