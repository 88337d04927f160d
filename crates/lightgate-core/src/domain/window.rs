//! The healthy light window and the per-direction power check, shared by readiness and
//! by the stability tracker so that "in range" means exactly one thing.

use std::collections::BTreeSet;

use super::azure::AzureLevel;
use super::power::OpticalPower;
use super::reading::{Direction, LinkReading, OpticReading};
use super::standard::Standard;
use super::status::LinkId;

/// The receive/transmit power range a link must stay in, inclusive at both ends.
/// Microsoft documents -10 dBm to 0 dBm as the healthy range of Direct ports.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HealthyWindow {
    pub min_dbm: f64,
    pub max_dbm: f64,
}

impl Default for HealthyWindow {
    fn default() -> Self {
        HealthyWindow {
            min_dbm: -10.0,
            max_dbm: 0.0,
        }
    }
}

impl HealthyWindow {
    pub fn contains(&self, dbm: f64) -> bool {
        dbm >= self.min_dbm && dbm <= self.max_dbm
    }
}

/// The ranges one link's light is held to.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Windows {
    /// Received light: the port's healthy window (Microsoft's -10..0 dBm by default),
    /// also applied to what Azure's port receives from the link.
    pub rx: HealthyWindow,
    /// Transmitted light, when the port configures it; otherwise the optic's own
    /// warning thresholds, else its standard's launch power (see [`tx_window`]).
    pub tx: Option<HealthyWindow>,
}

/// Everything one power check looks at besides the policy's windows.
#[derive(Debug, Clone, Copy)]
pub struct PowerInputs<'a> {
    pub link: LinkId,
    pub reading: &'a LinkReading,
    pub windows: &'a Windows,
    /// Lanes the optic has that the reading must contain: those the device declares and
    /// those seen in earlier readings of the link. A lane nobody read fails the check.
    pub expected_lanes: &'a BTreeSet<u16>,
    /// What Azure's port receives from this link (our Tx at the far end), when Azure is
    /// observed: checked with Tx against the healthy window.
    pub azure_rx: &'a [AzureLevel],
}

fn lane_suffix(lane: Option<u16>) -> String {
    lane.map(|l| format!(" (lane {l})")).unwrap_or_default()
}

/// The range transmitted light is judged by, and why that one: the port's configured
/// window, else the optic's own warning thresholds, else its standard's launch power,
/// else the widest launch power of the standards lightgate knows. Never Microsoft's Rx
/// window, which is about the light Azure measures.
pub fn tx_window(optic: &OpticReading, windows: &Windows) -> (HealthyWindow, String) {
    if let Some(w) = windows.tx {
        return (w, "the port's configured transmit window".to_string());
    }
    let t = &optic.tx_thresholds;
    if let (Some(lo), Some(hi)) = (t.low_warning, t.high_warning) {
        if lo <= hi {
            let w = HealthyWindow {
                min_dbm: lo,
                max_dbm: hi,
            };
            return (w, "the optic's warning thresholds".to_string());
        }
    }
    if let Some(s) = optic.standard {
        let p = s.launch_power();
        let w = HealthyWindow {
            min_dbm: p.min_dbm,
            max_dbm: p.max_dbm,
        };
        return (w, format!("{s} launch power, {}", p.source));
    }
    let (min_dbm, max_dbm) = Standard::any_launch_power();
    (
        HealthyWindow { min_dbm, max_dbm },
        "the widest launch power of the 10G/100G standards: the optic reports neither thresholds nor type (set tx_min_dbm and tx_max_dbm to be exact)".to_string(),
    )
}

/// The lanes of `expected` that `optic` does not carry. A module-only reading stands
/// for lane 0 of a single-lane optic, and for no lane of a multi-lane one.
pub fn missing_lanes(optic: &OpticReading, expected: &BTreeSet<u16>) -> Vec<u16> {
    if optic.lanes.is_empty() {
        if expected.iter().all(|l| *l == 0) {
            return Vec::new();
        }
        return expected.iter().copied().collect();
    }
    let reported = optic.lane_numbers();
    expected.difference(&reported).copied().collect()
}

impl PowerInputs<'_> {
    /// Checks one direction of the link, lane by lane: every expected lane reported, each
    /// inside its window and past none of the optic's alarm thresholds (and for Tx, what
    /// Azure receives inside the healthy window). Returns whether it passes and a
    /// sentence for a person, e.g. "link2 rx -14.20 dBm below -10.00 dBm (lane 2)".
    pub fn check(&self, direction: Direction) -> (bool, String) {
        let link = self.link;
        let dir = direction.as_str();
        let Some(optic) = &self.reading.optic else {
            let why = self.reading.note.as_deref().unwrap_or("no DOM reported");
            return (false, format!("{link} {dir} power not reported ({why})"));
        };
        let (window, basis) = match direction {
            Direction::Rx => (self.windows.rx, None),
            Direction::Tx => {
                let (w, why) = tx_window(optic, self.windows);
                (w, Some(why))
            }
        };
        let thresholds = optic.thresholds(direction);
        let mut failures = Vec::new();
        let mut measured = Vec::new();
        for lane in missing_lanes(optic, self.expected_lanes) {
            let n = self.expected_lanes.len();
            let inferred = optic.inferred_lanes().unwrap_or(0);
            let basis = match optic.declared_lanes() {
                Some(_) => format!("the optic has {n} lanes"),
                None if self.expected_lanes.iter().all(|l| *l < inferred) => format!(
                    "the device does not say how many lanes the optic has; from the {} it printed (up to lane {}), the smallest standard lane count is {inferred}",
                    optic.lanes.len(),
                    optic.lanes.iter().map(|l| l.lane).max().unwrap_or(0),
                ),
                None => format!("the optic had {n} lanes in earlier readings"),
            };
            failures.push(format!("{link} {dir} lane {lane} not reported ({basis})"));
        }
        let mut out_of_window = false;
        for (lane, power) in optic.checked_powers(direction) {
            let at = lane_suffix(lane);
            match power {
                OpticalPower::NoLight => failures.push(format!("{link} {dir} no light{at}")),
                OpticalPower::NotSupported => {
                    failures.push(format!("{link} {dir} power not reported{at}"))
                }
                OpticalPower::Inconsistent => failures.push(format!(
                    "{link} {dir} power inconsistent{at}: the device gives it twice and the two disagree (see the reading's note)"
                )),
                OpticalPower::Measured(p) => {
                    let v = p.dbm();
                    measured.push(v);
                    if v < window.min_dbm {
                        out_of_window = true;
                        failures.push(format!(
                            "{link} {dir} {v:.2} dBm below {:.2} dBm{at}",
                            window.min_dbm
                        ));
                    } else if v > window.max_dbm {
                        out_of_window = true;
                        failures.push(format!(
                            "{link} {dir} {v:.2} dBm above {:.2} dBm{at}",
                            window.max_dbm
                        ));
                    }
                    if let Some((level, t)) = thresholds.alarm_crossed(v) {
                        failures.push(format!(
                            "{link} {dir} {v:.2} dBm past the optic's {} {t:.2} dBm{at}",
                            level.words()
                        ));
                    }
                }
            }
        }
        if let (true, Some(why)) = (out_of_window, &basis) {
            if let Some(last) = failures.last_mut() {
                last.push_str(&format!(" [window: {why}]"));
            }
        }
        let azure = match direction {
            Direction::Tx => self.azure_received(&mut failures),
            Direction::Rx => None,
        };
        if !failures.is_empty() {
            return (false, failures.join("; "));
        }
        let range = window_text(&window);
        let mut detail = match measured.as_slice() {
            [one] => format!("{link} {dir} {one:.2} dBm within {range}"),
            many => {
                let lo = many.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = many.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                format!(
                    "{link} {dir} {} lanes {lo:.2} to {hi:.2} dBm within {range}",
                    many.len()
                )
            }
        };
        if let Some(why) = basis {
            detail.push_str(&format!(" ({why})"));
        }
        if let Some(a) = azure {
            detail.push_str(&format!("; {a}"));
        }
        (true, detail)
    }

    /// Checks what Azure's port receives from the link against the healthy window:
    /// pushes failures, or returns a sentence for the pass detail.
    fn azure_received(&self, failures: &mut Vec<String>) -> Option<String> {
        if self.azure_rx.is_empty() {
            return None;
        }
        let w = &self.windows.rx;
        let link = self.link;
        let before = failures.len();
        for level in self.azure_rx {
            let at = level
                .lane
                .as_deref()
                .map(|l| format!(" (Azure lane {l})"))
                .unwrap_or_default();
            let v = level.dbm;
            if v < w.min_dbm {
                failures.push(format!(
                    "{link} Azure receives {v:.2} dBm, below {:.2} dBm{at}",
                    w.min_dbm
                ));
            } else if v > w.max_dbm {
                failures.push(format!(
                    "{link} Azure receives {v:.2} dBm, above {:.2} dBm{at}",
                    w.max_dbm
                ));
            }
        }
        if failures.len() > before {
            return None;
        }
        let lo = self
            .azure_rx
            .iter()
            .map(|l| l.dbm)
            .fold(f64::INFINITY, f64::min);
        let hi = self
            .azure_rx
            .iter()
            .map(|l| l.dbm)
            .fold(f64::NEG_INFINITY, f64::max);
        Some(format!(
            "Azure receives {lo:.2} to {hi:.2} dBm within {}",
            window_text(w)
        ))
    }
}

fn window_text(w: &HealthyWindow) -> String {
    format!("{:.2}..{:.2} dBm", w.min_dbm, w.max_dbm)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::reading::{LaneReading, OpticReading};
    use crate::domain::status::{AdminStatus, OperStatus};

    fn p(dbm: f64) -> OpticalPower {
        OpticalPower::from_dbm(dbm).unwrap()
    }

    /// One direction checked against `window` for both directions, no lane expected.
    fn check_power(
        link: LinkId,
        direction: Direction,
        reading: &LinkReading,
        window: &HealthyWindow,
    ) -> (bool, String) {
        let windows = Windows {
            rx: *window,
            tx: Some(*window),
        };
        PowerInputs {
            link,
            reading,
            windows: &windows,
            expected_lanes: &BTreeSet::new(),
            azure_rx: &[],
        }
        .check(direction)
    }

    fn lanes(n: u16) -> BTreeSet<u16> {
        (0..n).collect()
    }

    fn single(rx: OpticalPower, tx: OpticalPower) -> LinkReading {
        LinkReading {
            admin_status: AdminStatus::Up,
            oper_status: OperStatus::Up,
            last_change: None,
            optic: Some(OpticReading::with_powers(rx, tx, Vec::new())),
            note: None,
            details: Default::default(),
        }
    }

    fn four_lanes(rx: [OpticalPower; 4]) -> LinkReading {
        let mut r = single(OpticalPower::total(&rx), p(4.0));
        r.optic.as_mut().unwrap().lanes = rx
            .iter()
            .enumerate()
            .map(|(i, rx)| LaneReading {
                lane: i as u16,
                rx: *rx,
                tx: p(-1.0),
                bias_amperes: None,
            })
            .collect();
        r
    }

    #[test]
    fn window_is_inclusive_at_both_ends() {
        let w = HealthyWindow::default();
        assert!(check_power(LinkId::Link1, Direction::Rx, &single(p(0.0), p(-1.0)), &w).0);
        assert!(check_power(LinkId::Link1, Direction::Rx, &single(p(-10.0), p(-1.0)), &w).0);
        let (ok, detail) = check_power(LinkId::Link1, Direction::Rx, &single(p(0.01), p(-1.0)), &w);
        assert!(!ok);
        assert_eq!(detail, "link1 rx 0.01 dBm above 0.00 dBm");
    }

    #[test]
    fn a_dirty_lane_is_named() {
        let r = four_lanes([p(-2.0), p(-2.1), p(-14.2), p(-2.3)]);
        let (ok, detail) = check_power(LinkId::Link2, Direction::Rx, &r, &HealthyWindow::default());
        assert!(!ok);
        assert_eq!(detail, "link2 rx -14.20 dBm below -10.00 dBm (lane 2)");
    }

    #[test]
    fn lanes_are_checked_not_the_total() {
        // Four lanes at -1 dBm are healthy although their total is about +5 dBm.
        let r = four_lanes([p(-1.0); 4]);
        assert!(r.optic.as_ref().unwrap().rx.dbm().unwrap() > 0.0);
        let (ok, detail) = check_power(LinkId::Link1, Direction::Rx, &r, &HealthyWindow::default());
        assert!(ok, "{detail}");
        assert_eq!(
            detail,
            "link1 rx 4 lanes -1.00 to -1.00 dBm within -10.00..0.00 dBm"
        );
    }

    #[test]
    fn no_light_and_missing_dom_fail_with_their_reason() {
        let w = HealthyWindow::default();
        let dark = single(OpticalPower::NoLight, p(-1.0));
        assert_eq!(
            check_power(LinkId::Link1, Direction::Rx, &dark, &w),
            (false, "link1 rx no light".to_string())
        );
        let mut copper = single(p(-1.0), p(-1.0));
        copper.optic = None;
        copper.note = Some("no DOM: copper port".into());
        assert_eq!(
            check_power(LinkId::Link1, Direction::Tx, &copper, &w),
            (
                false,
                "link1 tx power not reported (no DOM: copper port)".to_string()
            )
        );
        let lane_dark = four_lanes([p(-1.0), p(-1.0), OpticalPower::NoLight, p(-1.0)]);
        assert_eq!(
            check_power(LinkId::Link2, Direction::Rx, &lane_dark, &w).1,
            "link2 rx no light (lane 2)"
        );
        let lane_contradicted = four_lanes([p(-1.0), OpticalPower::Inconsistent, p(-1.0), p(-1.0)]);
        let (ok, detail) = check_power(LinkId::Link2, Direction::Rx, &lane_contradicted, &w);
        assert!(!ok, "inconsistent evidence is never a pass");
        assert!(
            detail.starts_with("link2 rx power inconsistent (lane 1): the device gives it twice"),
            "{detail}"
        );
    }

    #[test]
    fn a_crossed_optic_alarm_fails_even_inside_the_window() {
        let mut r = single(p(-1.0), p(-1.0));
        std::sync::Arc::make_mut(&mut r.optic.as_mut().unwrap().rx_thresholds).high_alarm =
            Some(-2.0);
        let (ok, detail) = check_power(LinkId::Link1, Direction::Rx, &r, &HealthyWindow::default());
        assert!(!ok);
        assert_eq!(
            detail,
            "link1 rx -1.00 dBm past the optic's high alarm -2.00 dBm"
        );
    }

    #[test]
    fn a_custom_window_is_honoured() {
        let w = HealthyWindow {
            min_dbm: -5.0,
            max_dbm: 2.0,
        };
        assert!(!check_power(LinkId::Link1, Direction::Tx, &single(p(-1.0), p(-6.0)), &w).0);
        assert!(check_power(LinkId::Link1, Direction::Tx, &single(p(-1.0), p(1.5)), &w).0);
    }

    fn four_lane_tx(tx: [f64; 4]) -> LinkReading {
        let mut r = four_lanes([p(-2.0); 4]);
        for (lane, v) in r.optic.as_mut().unwrap().lanes.iter_mut().zip(tx) {
            lane.tx = p(v);
        }
        r
    }

    fn default_inputs<'a>(
        reading: &'a LinkReading,
        windows: &'a Windows,
        expected: &'a BTreeSet<u16>,
    ) -> PowerInputs<'a> {
        PowerInputs {
            link: LinkId::Link1,
            reading,
            windows,
            expected_lanes: expected,
            azure_rx: &[],
        }
    }

    #[test]
    fn an_expected_lane_nobody_read_fails_the_check() {
        let mut r = four_lanes([p(-2.0); 4]);
        r.optic.as_mut().unwrap().lanes.remove(2);
        let w = Windows::default();
        let expected = lanes(4);
        let (ok, detail) = default_inputs(&r, &w, &expected).check(Direction::Rx);
        assert!(!ok);
        assert_eq!(
            detail,
            "link1 rx lane 2 not reported (the device does not say how many lanes the optic has; from the 3 it printed (up to lane 3), the smallest standard lane count is 4)"
        );
        // Three lanes printed as 0, 1, 2 are not a 3-lane optic: lane 3 is missing.
        let mut r = four_lanes([p(-2.0); 4]);
        r.optic.as_mut().unwrap().lanes.remove(3);
        let (ok, detail) = default_inputs(&r, &w, &lanes(4)).check(Direction::Rx);
        assert!(!ok && detail.contains("lane 3 not reported"), "{detail}");
        let mut tracker = crate::domain::LinkTracker::default();
        assert_eq!(
            tracker.expected_lanes(&r),
            lanes(4),
            "inferred without a lane count"
        );
        tracker = Default::default();
        r.optic.as_mut().unwrap().lane_count = Some(3);
        assert_eq!(
            tracker.expected_lanes(&r),
            lanes(3),
            "the device's own count wins"
        );
        // The three lanes that were read are fine: without the expectation it passes.
        assert!(
            default_inputs(&r, &w, &BTreeSet::new())
                .check(Direction::Rx)
                .0
        );
    }

    #[test]
    fn a_module_total_does_not_stand_for_four_lanes() {
        let mut r = four_lanes([p(-2.0); 4]);
        r.optic.as_mut().unwrap().lanes.clear();
        r.optic.as_mut().unwrap().rx = p(3.0);
        let w = Windows {
            rx: HealthyWindow {
                min_dbm: -10.0,
                max_dbm: 5.0,
            },
            tx: None,
        };
        let (ok, detail) = default_inputs(&r, &w, &lanes(4)).check(Direction::Rx);
        assert!(!ok);
        assert!(
            detail.contains("lane 0 not reported") && detail.contains("lane 3 not reported"),
            "{detail}"
        );
        // A single-lane optic's module value is its lane 0.
        let one = single(p(-2.0), p(-2.0));
        assert!(default_inputs(&one, &w, &lanes(1)).check(Direction::Rx).0);
    }

    #[test]
    fn a_healthy_lr4_transmitting_above_zero_dbm_passes_on_its_standard() {
        let mut r = four_lane_tx([0.4, 0.9, 0.6, 0.7]);
        r.optic.as_mut().unwrap().standard = Some(Standard::HundredGBaseLr4);
        let w = Windows::default();
        let (ok, detail) = default_inputs(&r, &w, &lanes(4)).check(Direction::Tx);
        assert!(ok, "{detail}");
        assert_eq!(
            detail,
            "link1 tx 4 lanes 0.40 to 0.90 dBm within -4.30..4.50 dBm (100GBASE-LR4 launch power, IEEE 802.3 Table 88-7)"
        );
        // Microsoft's Rx window is never applied to Tx.
        let (ok, _) = default_inputs(&r, &w, &lanes(4)).check(Direction::Rx);
        assert!(ok);
    }

    #[test]
    fn the_optics_warning_thresholds_come_before_its_standard() {
        let mut r = single(p(-2.0), p(-1.0));
        let o = r.optic.as_mut().unwrap();
        o.standard = Some(Standard::TenGBaseLr);
        let tx = std::sync::Arc::make_mut(&mut o.tx_thresholds);
        tx.low_warning = Some(-7.0);
        tx.high_warning = Some(-1.5);
        let w = Windows::default();
        let (ok, detail) = default_inputs(&r, &w, &lanes(1)).check(Direction::Tx);
        assert!(!ok);
        assert_eq!(
            detail,
            "link1 tx -1.00 dBm above -1.50 dBm [window: the optic's warning thresholds]"
        );
        // A configured window wins over both.
        let configured = Windows {
            tx: Some(HealthyWindow {
                min_dbm: -3.0,
                max_dbm: 0.0,
            }),
            ..Windows::default()
        };
        let (ok, detail) = default_inputs(&r, &configured, &lanes(1)).check(Direction::Tx);
        assert!(ok, "{detail}");
        assert!(
            detail.ends_with("(the port's configured transmit window)"),
            "{detail}"
        );
    }

    #[test]
    fn ten_gig_lr_is_held_to_its_launch_power() {
        let mut r = single(p(-2.0), p(-1.8));
        r.optic.as_mut().unwrap().standard = Some(Standard::TenGBaseLr);
        let w = Windows::default();
        assert!(default_inputs(&r, &w, &lanes(1)).check(Direction::Tx).0);
        r.optic.as_mut().unwrap().tx = p(0.9);
        let (ok, detail) = default_inputs(&r, &w, &lanes(1)).check(Direction::Tx);
        assert!(!ok);
        assert!(
            detail.contains("above 0.50 dBm") && detail.contains("Table 52-12"),
            "{detail}"
        );
    }

    #[test]
    fn an_optic_that_says_nothing_is_held_to_the_widest_standard_range() {
        let r = single(p(-2.0), p(3.0));
        let w = Windows::default();
        let (ok, detail) = default_inputs(&r, &w, &BTreeSet::new()).check(Direction::Tx);
        assert!(ok, "{detail}");
        assert!(detail.contains("within -8.40..4.50 dBm"), "{detail}");
        let dark = single(p(-2.0), OpticalPower::NoLight);
        assert!(
            !default_inputs(&dark, &w, &BTreeSet::new())
                .check(Direction::Tx)
                .0
        );
    }

    #[test]
    fn what_azure_receives_is_held_to_the_healthy_window() {
        let r = single(p(-2.0), p(-1.0));
        let w = Windows::default();
        let expected = lanes(1);
        let good = [AzureLevel {
            lane: None,
            dbm: -3.1,
        }];
        let mut inputs = default_inputs(&r, &w, &expected);
        inputs.azure_rx = &good;
        let (ok, detail) = inputs.check(Direction::Tx);
        assert!(ok, "{detail}");
        assert!(
            detail.ends_with("; Azure receives -3.10 to -3.10 dBm within -10.00..0.00 dBm"),
            "{detail}"
        );
        let dim = [
            AzureLevel {
                lane: Some("0".into()),
                dbm: -3.0,
            },
            AzureLevel {
                lane: Some("1".into()),
                dbm: -12.5,
            },
        ];
        inputs.azure_rx = &dim;
        let (ok, detail) = inputs.check(Direction::Tx);
        assert!(!ok);
        assert_eq!(
            detail,
            "link1 Azure receives -12.50 dBm, below -10.00 dBm (Azure lane 1)"
        );
    }
}
