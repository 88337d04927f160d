//! Link history: when a link last changed state or left its healthy window, and how
//! often it flapped. The hold-down ("stable") check and the flap counter read it.

use std::collections::BTreeSet;
use std::time::{Duration, Instant, SystemTime};

use super::reading::{Direction, LinkReading};
use super::status::{AdminStatus, LinkId, OperStatus};
use super::window::{PowerInputs, Windows};

/// A change of the device-reported last-change time by more than this, with the same
/// oper state on both sides, means the link went down and up between two polls. The
/// slack absorbs the second-granularity jitter of times derived from sysUpTime.
const LAST_CHANGE_SLACK: Duration = Duration::from_secs(2);

/// What the tracker knows about one link; updated by every successful reading.
#[derive(Debug, Clone, Default)]
pub struct LinkTracker {
    disturbed_at: Option<Instant>,
    disturbance: String,
    last_seen: Option<Instant>,
    last_oper: Option<OperStatus>,
    last_change: Option<SystemTime>,
    flaps: u64,
    /// Every lane seen on this link's optic, so that a lane that stops being reported
    /// fails the power checks instead of silently leaving them.
    lanes_seen: BTreeSet<u16>,
    /// The lane count the device last declared for the optic; a different count means
    /// a different optic, whose lanes are learnt afresh.
    declared_lanes: Option<u16>,
}

impl LinkTracker {
    /// Takes a new reading. Anything that is not a healthy, unchanged link restarts the
    /// hold-down: the first reading, a gap in readings longer than `gap_limit`, an oper
    /// state change (seen, or inferred from a moved last-change time), the link not
    /// being up, or light outside the window or past an optic alarm.
    pub fn observe(
        &mut self,
        link: LinkId,
        reading: &LinkReading,
        windows: &Windows,
        gap_limit: Duration,
        now: Instant,
    ) {
        let mut reasons: Vec<String> = Vec::new();
        match self.last_seen {
            None => reasons.push("readings started".to_string()),
            Some(seen) => {
                let gap = now.saturating_duration_since(seen);
                if gap > gap_limit {
                    reasons.push(format!("no readings for {}", format_duration(gap)));
                }
            }
        }
        if let Some(prev) = self.last_oper {
            if prev != reading.oper_status {
                self.flaps += 1;
                reasons.push(format!(
                    "oper status changed {prev} -> {}",
                    reading.oper_status
                ));
            } else if moved(self.last_change, reading.last_change) {
                self.flaps += 2;
                reasons.push(format!(
                    "link went {} and back between polls",
                    if prev == OperStatus::Up { "down" } else { "up" }
                ));
            }
        }
        if reading.admin_status != AdminStatus::Up {
            reasons.push(format!("admin status {}", reading.admin_status));
        }
        if reading.oper_status != OperStatus::Up {
            reasons.push(format!("oper status {}", reading.oper_status));
        }
        let expected = self.expected_lanes(reading);
        let power = PowerInputs {
            link,
            reading,
            windows,
            expected_lanes: &expected,
            azure_rx: &[],
        };
        for direction in Direction::BOTH {
            let (ok, detail) = power.check(direction);
            if !ok {
                reasons.push(detail);
            }
        }
        self.remember_lanes(reading);
        if !reasons.is_empty() {
            self.disturbed_at = Some(now);
            self.disturbance = reasons.join("; ");
        }
        self.last_seen = Some(now);
        self.last_oper = Some(reading.oper_status);
        self.last_change = reading.last_change;
    }

    /// The lanes `reading` must contain: every lane the device declares for the optic
    /// (when it does not say, the lane count of a standard that covers the lanes read:
    /// [`crate::domain::OpticReading::inferred_lanes`]), and every lane seen on it before (unless the
    /// declared count changed: another optic). Empty when nothing says the optic has
    /// lanes.
    pub fn expected_lanes(&self, reading: &LinkReading) -> BTreeSet<u16> {
        let Some(optic) = &reading.optic else {
            return self.lanes_seen.clone();
        };
        let declared = optic.declared_lanes();
        let mut lanes = if declared.is_some() && declared != self.declared_lanes {
            BTreeSet::new()
        } else {
            self.lanes_seen.clone()
        };
        lanes.extend(0..declared.or_else(|| optic.inferred_lanes()).unwrap_or(0));
        lanes
    }

    fn remember_lanes(&mut self, reading: &LinkReading) {
        let Some(optic) = &reading.optic else { return };
        let declared = optic.declared_lanes();
        if declared.is_some() && declared != self.declared_lanes {
            self.lanes_seen.clear();
            self.declared_lanes = declared;
        }
        self.lanes_seen.extend(optic.lane_numbers());
    }

    /// When the link was last disturbed and why; `None` before the first reading.
    pub fn disturbed(&self) -> Option<(Instant, &str)> {
        self.disturbed_at.map(|t| (t, self.disturbance.as_str()))
    }

    /// Oper-state transitions seen so far (a flap between polls counts as two).
    pub fn flaps(&self) -> u64 {
        self.flaps
    }
}

fn moved(before: Option<SystemTime>, after: Option<SystemTime>) -> bool {
    match (before, after) {
        (Some(a), Some(b)) => {
            let delta = a
                .duration_since(b)
                .or_else(|_| b.duration_since(a))
                .unwrap_or_default();
            delta > LAST_CHANGE_SLACK
        }
        _ => false,
    }
}

/// "1h2m", "5m", "40s", "250ms": short, for sentences.
pub fn format_duration(d: Duration) -> String {
    let secs = d.as_secs();
    if secs == 0 {
        return format!("{}ms", d.as_millis());
    }
    let (h, m, s) = (secs / 3600, (secs / 60) % 60, secs % 60);
    let mut out = String::new();
    if h > 0 {
        out.push_str(&format!("{h}h"));
    }
    if m > 0 {
        out.push_str(&format!("{m}m"));
    }
    if s > 0 || out.is_empty() {
        out.push_str(&format!("{s}s"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::power::OpticalPower;
    use crate::domain::reading::OpticReading;

    fn reading(oper: OperStatus, rx_dbm: f64, last_change: SystemTime) -> LinkReading {
        let p = |v| OpticalPower::from_dbm(v).unwrap();
        LinkReading {
            admin_status: AdminStatus::Up,
            oper_status: oper,
            last_change: Some(last_change),
            optic: Some(OpticReading::with_powers(p(rx_dbm), p(-1.0), Vec::new())),
            note: None,
            details: Default::default(),
        }
    }

    const GAP: Duration = Duration::from_secs(30);

    #[test]
    fn first_reading_starts_the_hold_down() {
        let t0 = Instant::now();
        let mut tr = LinkTracker::default();
        assert!(tr.disturbed().is_none());
        let lc = SystemTime::UNIX_EPOCH + Duration::from_secs(1000);
        tr.observe(
            LinkId::Link1,
            &reading(OperStatus::Up, -3.0, lc),
            &Windows::default(),
            GAP,
            t0,
        );
        assert_eq!(tr.disturbed(), Some((t0, "readings started")));
        tr.observe(
            LinkId::Link1,
            &reading(OperStatus::Up, -3.0, lc),
            &Windows::default(),
            GAP,
            t0 + Duration::from_secs(10),
        );
        assert_eq!(
            tr.disturbed().unwrap().0,
            t0,
            "a healthy reading does not restart it"
        );
        assert_eq!(tr.flaps(), 0);
    }

    #[test]
    fn oper_changes_count_as_flaps_and_restart_the_hold_down() {
        let t0 = Instant::now();
        let lc = SystemTime::UNIX_EPOCH + Duration::from_secs(1000);
        let w = Windows::default();
        let mut tr = LinkTracker::default();
        tr.observe(
            LinkId::Link1,
            &reading(OperStatus::Up, -3.0, lc),
            &w,
            GAP,
            t0,
        );
        let t1 = t0 + Duration::from_secs(10);
        tr.observe(
            LinkId::Link1,
            &reading(OperStatus::Down, -3.0, lc),
            &w,
            GAP,
            t1,
        );
        assert_eq!(tr.flaps(), 1);
        let (at, why) = tr.disturbed().unwrap();
        assert_eq!(at, t1);
        assert!(why.starts_with("oper status changed up -> down"), "{why}");
        let t2 = t1 + Duration::from_secs(10);
        tr.observe(
            LinkId::Link1,
            &reading(OperStatus::Up, -3.0, lc),
            &w,
            GAP,
            t2,
        );
        assert_eq!(tr.flaps(), 2);
        assert_eq!(tr.disturbed().unwrap().0, t2);
    }

    #[test]
    fn a_flap_between_polls_is_seen_through_last_change() {
        let t0 = Instant::now();
        let w = Windows::default();
        let lc = SystemTime::UNIX_EPOCH + Duration::from_secs(1000);
        let mut tr = LinkTracker::default();
        tr.observe(
            LinkId::Link1,
            &reading(OperStatus::Up, -3.0, lc),
            &w,
            GAP,
            t0,
        );
        let t1 = t0 + Duration::from_secs(10);
        // One second of jitter in a sysUpTime-derived time is not a flap.
        tr.observe(
            LinkId::Link1,
            &reading(OperStatus::Up, -3.0, lc + Duration::from_secs(1)),
            &w,
            GAP,
            t1,
        );
        assert_eq!(tr.flaps(), 0);
        let t2 = t1 + Duration::from_secs(10);
        tr.observe(
            LinkId::Link1,
            &reading(OperStatus::Up, -3.0, lc + Duration::from_secs(15)),
            &w,
            GAP,
            t2,
        );
        assert_eq!(tr.flaps(), 2);
        assert_eq!(
            tr.disturbed().unwrap(),
            (t2, "link went down and back between polls")
        );
    }

    #[test]
    fn an_excursion_restarts_the_hold_down() {
        let t0 = Instant::now();
        let w = Windows::default();
        let lc = SystemTime::UNIX_EPOCH;
        let mut tr = LinkTracker::default();
        tr.observe(
            LinkId::Link2,
            &reading(OperStatus::Up, -3.0, lc),
            &w,
            GAP,
            t0,
        );
        let t1 = t0 + Duration::from_secs(10);
        tr.observe(
            LinkId::Link2,
            &reading(OperStatus::Up, -11.0, lc),
            &w,
            GAP,
            t1,
        );
        assert_eq!(
            tr.disturbed().unwrap(),
            (t1, "link2 rx -11.00 dBm below -10.00 dBm")
        );
        assert_eq!(tr.flaps(), 0);
    }

    #[test]
    fn a_gap_in_readings_restarts_the_hold_down() {
        let t0 = Instant::now();
        let w = Windows::default();
        let lc = SystemTime::UNIX_EPOCH;
        let mut tr = LinkTracker::default();
        tr.observe(
            LinkId::Link1,
            &reading(OperStatus::Up, -3.0, lc),
            &w,
            GAP,
            t0,
        );
        let t1 = t0 + Duration::from_secs(95);
        tr.observe(
            LinkId::Link1,
            &reading(OperStatus::Up, -3.0, lc),
            &w,
            GAP,
            t1,
        );
        assert_eq!(tr.disturbed().unwrap(), (t1, "no readings for 1m35s"));
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(format_duration(Duration::from_millis(250)), "250ms");
        assert_eq!(format_duration(Duration::from_secs(40)), "40s");
        assert_eq!(format_duration(Duration::from_secs(300)), "5m");
        assert_eq!(format_duration(Duration::from_secs(3725)), "1h2m5s");
    }
}
