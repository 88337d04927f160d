//! The healthy light window and the per-direction power check, shared by readiness and
//! by the stability tracker so that "in range" means exactly one thing.

use super::power::OpticalPower;
use super::reading::{Direction, LinkReading};
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

fn lane_suffix(lane: Option<u16>) -> String {
    lane.map(|l| format!(" (lane {l})")).unwrap_or_default()
}

/// Checks one direction of one link against the window and the optic's own alarm
/// thresholds, lane by lane. Returns whether it passes and a sentence for a person,
/// e.g. "link2 rx -14.20 dBm below -10.00 dBm (lane 2)".
pub fn check_power(
    link: LinkId,
    direction: Direction,
    reading: &LinkReading,
    window: &HealthyWindow,
) -> (bool, String) {
    let dir = direction.as_str();
    let Some(optic) = &reading.optic else {
        let why = reading.note.as_deref().unwrap_or("no DOM reported");
        return (false, format!("{link} {dir} power not reported ({why})"));
    };
    let thresholds = optic.thresholds(direction);
    let mut failures = Vec::new();
    let mut measured = Vec::new();
    for (lane, power) in optic.checked_powers(direction) {
        let at = lane_suffix(lane);
        match power {
            OpticalPower::NoLight => failures.push(format!("{link} {dir} no light{at}")),
            OpticalPower::NotSupported => {
                failures.push(format!("{link} {dir} power not reported{at}"))
            }
            OpticalPower::Measured(p) => {
                let v = p.dbm();
                measured.push(v);
                if v < window.min_dbm {
                    failures.push(format!(
                        "{link} {dir} {v:.2} dBm below {:.2} dBm{at}",
                        window.min_dbm
                    ));
                } else if v > window.max_dbm {
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
    if !failures.is_empty() {
        return (false, failures.join("; "));
    }
    let range = window_text(window);
    let detail = match measured.as_slice() {
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
    (true, detail)
}

fn window_text(w: &HealthyWindow) -> String {
    format!("{:.2}..{:.2} dBm", w.min_dbm, w.max_dbm)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::reading::{LaneReading, OpticReading};
    use crate::domain::status::{AdminStatus, OperStatus};
    use crate::domain::thresholds::Thresholds;

    fn p(dbm: f64) -> OpticalPower {
        OpticalPower::from_dbm(dbm).unwrap()
    }

    fn single(rx: OpticalPower, tx: OpticalPower) -> LinkReading {
        LinkReading {
            admin_status: AdminStatus::Up,
            oper_status: OperStatus::Up,
            last_change: None,
            optic: Some(OpticReading {
                rx,
                tx,
                lanes: vec![],
                bias_amperes: None,
                temperature_celsius: None,
                voltage_volts: None,
                rx_thresholds: Thresholds::default(),
                tx_thresholds: Thresholds::default(),
            }),
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
    }

    #[test]
    fn a_crossed_optic_alarm_fails_even_inside_the_window() {
        let mut r = single(p(-1.0), p(-1.0));
        r.optic.as_mut().unwrap().rx_thresholds.high_alarm = Some(-2.0);
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
}
