//! One power given twice by one optic: a module value beside its lanes. Devices fill
//! the module value with the lanes' total (IOS-XR "Total", Huawei on some optics),
//! their mean, or one lane's value (single-lane optics, some QSFP firmware), so any of
//! those agreeing within [`AGREEMENT_DB`] confirms both; none agreeing means one of
//! them is wrong (a unit misread, a stale row, a lane table of another port), and
//! lightgate cannot tell which: the direction is inconsistent, module and lanes alike,
//! never a pick. Near the floor a relative band means nothing: two readings within
//! [`NOISE_MW`] of each other agree (a Juniper SFP's module says -36.98 dBm and its lane
//! -32.21 dBm in one walk: 0.2 and 0.6 uW, a few steps of SFF-8472's 0.1 uW).

/// Below this difference two readings of one power agree whatever their ratio: 1 uW
/// (-30 dBm), ten steps of SFF-8472's 0.1 uW resolution, far below any window.
pub const NOISE_MW: f64 = 0.001;

use super::power::{agrees_with, milliwatts_to_dbm, OpticalPower, AGREEMENT_DB};
use super::reading::{Direction, OpticReading};

/// Checks each direction's module power against its lanes; a direction that
/// disagrees becomes [`OpticalPower::Inconsistent`] at module and lane level. Returns
/// one sentence per such direction, for the reading's note.
pub fn module_against_lanes(optic: &mut OpticReading) -> Vec<String> {
    // Runs on every reading of every optic: nothing is allocated unless they disagree.
    let mut out = Vec::new();
    for d in [Direction::Rx, Direction::Tx] {
        let module = optic.power(d);
        let module_mw = match module {
            OpticalPower::Measured(p) => p.milliwatts(),
            OpticalPower::NoLight => 0.0,
            OpticalPower::NotSupported | OpticalPower::Inconsistent => continue,
        };
        let reported = || {
            optic
                .lanes
                .iter()
                .map(move |l| l.power(d))
                .filter(|p| matches!(p, OpticalPower::Measured(_) | OpticalPower::NoLight))
        };
        let lit = || reported().filter_map(|p| p.milliwatts());
        let lanes = reported().count();
        if lanes == 0 {
            continue;
        }
        let total: f64 = lit().sum();
        let close = |mw: f64| {
            (mw - module_mw).abs() <= NOISE_MW
                || (mw > 0.0
                    && module_mw > 0.0
                    && agrees_with(Some(milliwatts_to_dbm(mw)), module_mw, module_mw))
        };
        let agree = if lit().next().is_none() {
            // Every lane dark: the module must be dark (or at the floor) too.
            agrees_with(None, module_mw, module_mw) || close(0.0)
        } else {
            close(total) || close(total / lanes as f64) || lit().any(close)
        };
        if agree {
            continue;
        }
        let lanes_text = reported()
            .map(|p| match p.dbm() {
                Some(v) => format!("{v:.2}"),
                None => "dark".to_string(),
            })
            .collect::<Vec<_>>()
            .join(", ");
        out.push(format!(
            "{} module {module} and its lanes ({lanes_text} dBm) disagree by more than {AGREEMENT_DB} dB whether read as their total, mean or one lane",
            d.as_str()
        ));
        match d {
            Direction::Rx => optic.rx = OpticalPower::Inconsistent,
            Direction::Tx => optic.tx = OpticalPower::Inconsistent,
        }
        for l in &mut optic.lanes {
            match d {
                Direction::Rx if l.rx != OpticalPower::NotSupported => {
                    l.rx = OpticalPower::Inconsistent
                }
                Direction::Tx if l.tx != OpticalPower::NotSupported => {
                    l.tx = OpticalPower::Inconsistent
                }
                _ => {}
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::LaneReading;

    fn dbm(v: f64) -> OpticalPower {
        OpticalPower::from_dbm(v).unwrap()
    }

    fn optic(module: OpticalPower, lanes: &[OpticalPower]) -> OpticReading {
        OpticReading::with_powers(
            module,
            OpticalPower::NotSupported,
            lanes
                .iter()
                .enumerate()
                .map(|(i, p)| LaneReading {
                    lane: i as u16,
                    rx: *p,
                    tx: OpticalPower::NotSupported,
                    bias_amperes: None,
                })
                .collect(),
        )
    }

    #[test]
    fn a_module_that_is_the_total_the_mean_or_one_lane_confirms_the_lanes() {
        let lanes = [dbm(-2.0), dbm(-2.0), dbm(-2.0), dbm(-2.0)];
        for module in [dbm(4.02), dbm(-2.0), dbm(-2.3)] {
            let mut o = optic(module, &lanes);
            assert!(module_against_lanes(&mut o).is_empty(), "{module}");
            assert_eq!(o.rx, module);
            assert_eq!(o.lanes[0].rx, lanes[0]);
        }
        // Dark everywhere agrees; so does a module at the floor beside dark lanes.
        let dark = [OpticalPower::NoLight; 4];
        assert!(module_against_lanes(&mut optic(OpticalPower::NoLight, &dark)).is_empty());
        // One dark lane: the total of the three lit ones, or the mean over four.
        let one_dark = [dbm(-1.0), dbm(-1.0), OpticalPower::NoLight, dbm(-1.0)];
        assert!(module_against_lanes(&mut optic(dbm(3.77), &one_dark)).is_empty());
    }

    #[test]
    fn a_module_that_fits_no_reading_of_its_lanes_makes_the_direction_inconsistent() {
        // A unit misread: the module says -0.40 dBm (a "-40.00" read as 0.01 dBm)
        // while every lane is dark.
        let mut o = optic(dbm(-0.4), &[OpticalPower::NoLight; 4]);
        let why = module_against_lanes(&mut o);
        assert_eq!(why.len(), 1);
        assert!(why[0].starts_with("rx module -0.40 dBm"), "{}", why[0]);
        assert_eq!(o.rx, OpticalPower::Inconsistent);
        assert!(o.lanes.iter().all(|l| l.rx == OpticalPower::Inconsistent));
        // Lit lanes beside a dark module, and lanes 10 dB away from it.
        let lit = [dbm(-2.0); 4];
        assert_eq!(
            module_against_lanes(&mut optic(OpticalPower::NoLight, &lit)).len(),
            1
        );
        // Near the floor, a few tenths of a microwatt apart is noise, not disagreement.
        assert!(module_against_lanes(&mut optic(dbm(-36.98), &[dbm(-32.21)])).is_empty());
        assert!(module_against_lanes(&mut optic(dbm(-36.98), &[OpticalPower::NoLight])).is_empty());
        assert_eq!(module_against_lanes(&mut optic(dbm(-12.0), &lit)).len(), 1);
        // Tx, never read, is left alone.
        let mut o = optic(dbm(-12.0), &lit);
        module_against_lanes(&mut o);
        assert_eq!(o.tx, OpticalPower::NotSupported);
    }

    #[test]
    fn nothing_to_compare_is_no_disagreement() {
        let lit = [dbm(-2.0); 4];
        let mut o = optic(OpticalPower::NotSupported, &lit);
        assert!(module_against_lanes(&mut o).is_empty());
        assert_eq!(o.lanes[0].rx, lit[0]);
        let mut o = optic(dbm(-2.0), &[]);
        assert!(module_against_lanes(&mut o).is_empty());
        assert_eq!(o.rx, dbm(-2.0));
    }
}
