//! Optical power: exact mW <-> dBm conversion, and "no light" as a state of its own.
//!
//! Every tool that ever exported `-Inf` or a fake `-40` for a dark fibre taught the
//! same lesson: a reading, the absence of light and the absence of a sensor are three
//! different things, and a fourth is a value the device gave twice in two forms that
//! disagree. [`OpticalPower`] keeps them apart, and a [`Power`] can only hold a
//! finite, strictly positive value, so neither `-Inf` nor `NaN` can leave this module.

use std::fmt;

/// Readings at or below this level are vendor floors, not light: SFF-8472's resolution is
/// 0.1 uW (-40 dBm), Cisco IOS reports -400 (x0.1 dBm) and SONiC writes -40 for "-inf".
pub const NO_LIGHT_FLOOR_DBM: f64 = -40.0;

/// A measured optical power: finite, above the no-light floor. It keeps the number in
/// the unit the device reported, so that unit is never round-tripped through a
/// logarithm, and converts to the other when asked (the same conversion, on the same
/// number, as when both were stored: 8 bytes less per power, 80 per four-lane optic).
#[derive(Clone, Copy)]
pub struct Power {
    value: f64,
    unit: Reported,
}

/// The unit a power was reported in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reported {
    Milliwatts,
    Dbm,
}

impl Power {
    /// Power in dBm (1 mW = 0 dBm).
    pub fn dbm(&self) -> f64 {
        match self.unit {
            Reported::Dbm => self.value,
            Reported::Milliwatts => milliwatts_to_dbm(self.value),
        }
    }

    /// Power in milliwatts.
    pub fn milliwatts(&self) -> f64 {
        match self.unit {
            Reported::Milliwatts => self.value,
            Reported::Dbm => dbm_to_milliwatts(self.value),
        }
    }
}

/// Equal when both units are: the same light, whichever unit it was reported in.
impl PartialEq for Power {
    fn eq(&self, other: &Self) -> bool {
        self.milliwatts() == other.milliwatts() && self.dbm() == other.dbm()
    }
}

impl fmt::Debug for Power {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Power")
            .field("milliwatts", &self.milliwatts())
            .field("dbm", &self.dbm())
            .finish()
    }
}

/// What a device says about the power in one direction of one lane or module.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum OpticalPower {
    /// A real reading.
    Measured(Power),
    /// The optic reports no light (0 mW, -inf, N/A, a vendor floor such as -40 dBm).
    NoLight,
    /// The optic or the source does not report this value at all.
    NotSupported,
    /// The device gave this value twice (in mW and dBm, in two columns, module and
    /// lanes) and the two disagree, or its unit could not be established: never a
    /// number, never light or darkness. The reading's note says which values.
    Inconsistent,
}

/// A value that cannot be a power reading (NaN, +inf, a negative mW, unparseable text).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("invalid optical power {0:?}")]
pub struct InvalidPower(pub String);

/// dBm = 10 * log10(mW).
pub fn milliwatts_to_dbm(mw: f64) -> f64 {
    10.0 * mw.log10()
}

/// mW = 10 ^ (dBm / 10).
pub fn dbm_to_milliwatts(dbm: f64) -> f64 {
    10f64.powf(dbm / 10.0)
}

/// How far apart, in dB, two readings of one power may be and still agree.
pub const AGREEMENT_DB: f64 = 0.5;

/// Whether a power in dBm (`None`: dark) agrees with another reading of the same power
/// that allows `low_mw..=high_mw` (its value and its precision): inside that band
/// widened by [`AGREEMENT_DB`], or, when dark, a band that reaches down to the
/// no-light floor. The one rule for a device that gives one power twice (mW beside
/// dBm, a module column beside its lanes): agreement confirms the unit, disagreement
/// is no reading.
pub fn agrees_with(dbm: Option<f64>, low_mw: f64, high_mw: f64) -> bool {
    let margin = 10f64.powf(AGREEMENT_DB / 10.0);
    match dbm {
        None => low_mw <= dbm_to_milliwatts(NO_LIGHT_FLOOR_DBM),
        Some(d) => (low_mw.max(0.0) / margin..=high_mw * margin).contains(&dbm_to_milliwatts(d)),
    }
}

impl OpticalPower {
    /// From a reading in milliwatts. 0 mW and anything at or below the floor is no light.
    pub fn from_milliwatts(mw: f64) -> Result<Self, InvalidPower> {
        if !mw.is_finite() || mw < 0.0 {
            return Err(InvalidPower(format!("{mw} mW")));
        }
        if mw == 0.0 {
            return Ok(OpticalPower::NoLight);
        }
        let dbm = milliwatts_to_dbm(mw);
        if dbm <= NO_LIGHT_FLOOR_DBM {
            return Ok(OpticalPower::NoLight);
        }
        Ok(OpticalPower::Measured(Power {
            value: mw,
            unit: Reported::Milliwatts,
        }))
    }

    /// From a reading in dBm. `-inf` and the vendor floors are no light; 0 dBm is 1 mW.
    pub fn from_dbm(dbm: f64) -> Result<Self, InvalidPower> {
        if dbm == f64::NEG_INFINITY || (dbm.is_finite() && dbm <= NO_LIGHT_FLOOR_DBM) {
            return Ok(OpticalPower::NoLight);
        }
        // Above about +3082 dBm the milliwatts overflow to infinity: no optic says that.
        let milliwatts = dbm_to_milliwatts(dbm);
        if !dbm.is_finite() || !milliwatts.is_finite() {
            return Err(InvalidPower(format!("{dbm} dBm")));
        }
        Ok(OpticalPower::Measured(Power {
            value: dbm,
            unit: Reported::Dbm,
        }))
    }

    /// From a dBm value as CLIs print it: a number, or one of the spellings of darkness
    /// ("-inf", "- Inf", "N/A", "<-40.00", "-Inf dBm", ...).
    pub fn parse_dbm(text: &str) -> Result<Self, InvalidPower> {
        let t = text.trim();
        let t = t
            .strip_suffix("dBm")
            .or_else(|| t.strip_suffix("dbm"))
            .unwrap_or(t)
            .trim();
        let compact: String = t.chars().filter(|c| !c.is_whitespace()).collect();
        let lower = compact.to_ascii_lowercase();
        if matches!(lower.as_str(), "-inf" | "n/a" | "na" | "none" | "nolight")
            || lower.starts_with('<')
        {
            return Ok(OpticalPower::NoLight);
        }
        let value: f64 = lower.parse().map_err(|_| InvalidPower(text.to_string()))?;
        Self::from_dbm(value)
    }

    /// The measured value in dBm, `None` when dark or not reported.
    pub fn dbm(&self) -> Option<f64> {
        match self {
            OpticalPower::Measured(p) => Some(p.dbm()),
            _ => None,
        }
    }

    /// The measured value in mW, `None` when dark or not reported.
    pub fn milliwatts(&self) -> Option<f64> {
        match self {
            OpticalPower::Measured(p) => Some(p.milliwatts()),
            _ => None,
        }
    }

    /// True when the optic reports that no light is there.
    pub fn is_no_light(&self) -> bool {
        matches!(self, OpticalPower::NoLight)
    }

    /// True when the device's evidence for this value disagrees.
    pub fn is_inconsistent(&self) -> bool {
        matches!(self, OpticalPower::Inconsistent)
    }

    /// The sum of several powers in mW (a multi-lane optic's total), no light if all dark,
    /// not supported if none is reported, inconsistent if any part is.
    pub fn total<'a>(powers: impl IntoIterator<Item = &'a OpticalPower>) -> OpticalPower {
        let mut sum = 0.0;
        let mut any_reported = false;
        for p in powers {
            match p {
                OpticalPower::Measured(m) => {
                    sum += m.milliwatts();
                    any_reported = true;
                }
                OpticalPower::NoLight => any_reported = true,
                OpticalPower::NotSupported => {}
                OpticalPower::Inconsistent => return OpticalPower::Inconsistent,
            }
        }
        if !any_reported {
            return OpticalPower::NotSupported;
        }
        OpticalPower::from_milliwatts(sum).unwrap_or(OpticalPower::NotSupported)
    }
}

impl fmt::Display for OpticalPower {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OpticalPower::Measured(p) => write!(f, "{:.2} dBm", p.dbm()),
            OpticalPower::NoLight => f.write_str("no light"),
            OpticalPower::NotSupported => f.write_str("not reported"),
            OpticalPower::Inconsistent => f.write_str("inconsistent"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_readings_of_one_power_agree_within_half_a_db_or_their_precision() {
        // -2.0 dBm is 0.631 mW.
        assert!(agrees_with(Some(-2.0), 0.631, 0.631));
        assert!(agrees_with(Some(-2.4), 0.631, 0.631), "0.4 dB apart");
        assert!(!agrees_with(Some(-2.7), 0.631, 0.631), "0.7 dB apart");
        // A band as wide as a coarse column's last digit (0.00 mW for -25 dBm).
        assert!(agrees_with(Some(-25.0), 0.0, 0.005));
        // Dark: the other reading may reach down to the floor, and no further.
        assert!(agrees_with(None, 0.0, 0.0));
        assert!(agrees_with(None, 0.00005, 0.00015));
        assert!(!agrees_with(None, 0.5, 0.5));
        assert!(!agrees_with(Some(-3.0), 0.0, 0.0), "lit against dark");
    }

    #[test]
    fn a_power_keeps_its_reported_unit_exactly_and_converts_as_before() {
        for mw in [1.0, 0.5537, 0.000_101, 2.7, 1e-4 * 1.0001] {
            let p = OpticalPower::from_milliwatts(mw).unwrap();
            assert_eq!(p.milliwatts(), Some(mw), "{mw} mW kept as reported");
            assert_eq!(p.dbm(), Some(milliwatts_to_dbm(mw)));
        }
        for dbm in [0.0, -3.1, -36.98, 2.5, -39.99] {
            let p = OpticalPower::from_dbm(dbm).unwrap();
            assert_eq!(p.dbm(), Some(dbm), "{dbm} dBm kept as reported");
            assert_eq!(p.milliwatts(), Some(dbm_to_milliwatts(dbm)));
        }
        // One light, two units: equal.
        assert_eq!(
            OpticalPower::from_milliwatts(1.0).unwrap(),
            OpticalPower::from_dbm(0.0).unwrap()
        );
        assert_ne!(
            OpticalPower::from_dbm(-3.0).unwrap(),
            OpticalPower::from_dbm(-3.1).unwrap()
        );
        // A stored reading is as small as a number and a tag: the three states and the
        // unit share the tag.
        assert_eq!(std::mem::size_of::<OpticalPower>(), 16);
    }

    fn dbm(p: OpticalPower) -> f64 {
        p.dbm().expect("measured")
    }

    #[test]
    fn a_dbm_whose_milliwatts_overflow_is_not_a_reading() {
        // Found by the SNMP decode property test: raw 30826 at 0.1 dBm.
        assert!(OpticalPower::from_dbm(3082.6).is_err());
        assert!(OpticalPower::from_dbm(f64::MAX).is_err());
        assert!(OpticalPower::parse_dbm("4000").is_err());
        assert!(OpticalPower::from_dbm(30.0)
            .unwrap()
            .milliwatts()
            .unwrap()
            .is_finite());
    }

    #[test]
    fn one_milliwatt_is_zero_dbm_and_zero_dbm_is_a_real_reading() {
        let p = OpticalPower::from_milliwatts(1.0).unwrap();
        assert_eq!(dbm(p), 0.0);
        let q = OpticalPower::from_dbm(0.0).unwrap();
        assert_eq!(q.milliwatts(), Some(1.0));
        assert!(!q.is_no_light());
    }

    #[test]
    fn conversions_follow_ten_log_ten() {
        let cases = [
            (0.5, -3.010299956639812),
            (0.1, -10.0),
            (2.0, 3.010299956639812),
            (0.0001001, -39.99565922520681),
        ];
        for (mw, expected) in cases {
            let got = dbm(OpticalPower::from_milliwatts(mw).unwrap());
            assert!((got - expected).abs() < 1e-12, "{mw} mW gave {got}");
        }
        for (db, expected_mw) in [(-3.0, 0.5011872336272722), (-14.2, 0.038018939632056124)] {
            let got = OpticalPower::from_dbm(db).unwrap().milliwatts().unwrap();
            assert!((got - expected_mw).abs() < 1e-15, "{db} dBm gave {got}");
        }
    }

    #[test]
    fn the_reported_unit_is_kept_exactly() {
        let p = OpticalPower::from_dbm(-2.14).unwrap();
        assert_eq!(p.dbm(), Some(-2.14));
        let q = OpticalPower::from_milliwatts(0.6135).unwrap();
        assert_eq!(q.milliwatts(), Some(0.6135));
    }

    #[test]
    fn darkness_in_every_spelling_is_no_light() {
        assert_eq!(
            OpticalPower::from_milliwatts(0.0),
            Ok(OpticalPower::NoLight)
        );
        assert_eq!(
            OpticalPower::from_milliwatts(0.0001),
            Ok(OpticalPower::NoLight)
        );
        assert_eq!(OpticalPower::from_dbm(-40.0), Ok(OpticalPower::NoLight));
        assert_eq!(OpticalPower::from_dbm(-60.0), Ok(OpticalPower::NoLight));
        assert_eq!(
            OpticalPower::from_dbm(f64::NEG_INFINITY),
            Ok(OpticalPower::NoLight)
        );
        for text in ["-inf", "- Inf", "-Inf dBm", "N/A", "<-40.00", " n/a "] {
            assert_eq!(
                OpticalPower::parse_dbm(text),
                Ok(OpticalPower::NoLight),
                "{text}"
            );
        }
    }

    #[test]
    fn just_above_the_floor_is_a_reading() {
        assert_eq!(OpticalPower::from_dbm(-39.99).unwrap().dbm(), Some(-39.99));
        assert_eq!(
            OpticalPower::parse_dbm("-36.98").unwrap().dbm(),
            Some(-36.98)
        );
        assert_eq!(
            OpticalPower::parse_dbm("0.00 dBm").unwrap().dbm(),
            Some(0.0)
        );
    }

    #[test]
    fn impossible_values_are_errors_not_readings() {
        assert!(OpticalPower::from_milliwatts(-1.0).is_err());
        assert!(OpticalPower::from_milliwatts(f64::NAN).is_err());
        assert!(OpticalPower::from_dbm(f64::NAN).is_err());
        assert!(OpticalPower::from_dbm(f64::INFINITY).is_err());
        assert!(OpticalPower::parse_dbm("garbage").is_err());
        assert!(OpticalPower::parse_dbm("").is_err());
    }

    #[test]
    fn totals_add_in_milliwatts() {
        let lanes = [
            OpticalPower::from_dbm(-3.0).unwrap(),
            OpticalPower::from_dbm(-3.0).unwrap(),
        ];
        let total = OpticalPower::total(&lanes);
        assert!((total.dbm().unwrap() - (-3.0 + 3.010299956639812)).abs() < 1e-12);
        assert_eq!(
            OpticalPower::total(&[OpticalPower::NoLight, OpticalPower::NoLight]),
            OpticalPower::NoLight
        );
        assert_eq!(OpticalPower::total(&[]), OpticalPower::NotSupported);
    }

    #[test]
    fn display_never_prints_infinity() {
        assert_eq!(OpticalPower::NoLight.to_string(), "no light");
        assert_eq!(
            OpticalPower::from_dbm(-2.5).unwrap().to_string(),
            "-2.50 dBm"
        );
    }
}
