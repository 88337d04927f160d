//! Optic standards lightgate recognises by name: how many optical lanes each has and
//! the average launch power its standard allows per lane. The transmit check uses the
//! range when an optic reports no thresholds of its own, and the lane count says which
//! lanes a reading must contain.
//!
//! Microsoft's -10..0 dBm window is documented for the light Azure *measures* on its own
//! ports; a customer optic transmits within its own standard's range (a healthy
//! 100GBASE-LR4 lane launches up to +4.5 dBm), so Tx is never judged by the Rx window.

use std::fmt;

/// A standard's per-lane average launch power range, inclusive, in dBm, and where it
/// is written.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LaunchPower {
    pub min_dbm: f64,
    pub max_dbm: f64,
    pub source: &'static str,
}

/// A physical-layer standard of a pluggable optic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Standard {
    TenGBaseSr,
    TenGBaseLr,
    TenGBaseEr,
    FortyGBaseLr4,
    HundredGBaseSr4,
    HundredGBaseLr4,
    HundredGBaseEr4,
    HundredGCwdm4,
}

impl Standard {
    pub const ALL: [Standard; 8] = [
        Standard::TenGBaseSr,
        Standard::TenGBaseLr,
        Standard::TenGBaseEr,
        Standard::FortyGBaseLr4,
        Standard::HundredGBaseSr4,
        Standard::HundredGBaseLr4,
        Standard::HundredGBaseEr4,
        Standard::HundredGCwdm4,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Standard::TenGBaseSr => "10GBASE-SR",
            Standard::TenGBaseLr => "10GBASE-LR",
            Standard::TenGBaseEr => "10GBASE-ER",
            Standard::FortyGBaseLr4 => "40GBASE-LR4",
            Standard::HundredGBaseSr4 => "100GBASE-SR4",
            Standard::HundredGBaseLr4 => "100GBASE-LR4",
            Standard::HundredGBaseEr4 => "100GBASE-ER4",
            Standard::HundredGCwdm4 => "100G-CWDM4",
        }
    }

    /// Optical lanes (wavelengths or fibres) of the standard.
    pub fn lanes(&self) -> u16 {
        match self {
            Standard::TenGBaseSr | Standard::TenGBaseLr | Standard::TenGBaseEr => 1,
            _ => 4,
        }
    }

    /// Average launch power per lane, as the standard's transmitter table gives it.
    pub fn launch_power(&self) -> LaunchPower {
        let (min_dbm, max_dbm, source) = match self {
            // IEEE 802.3 clause 52, Table 52-7 (10GBASE-S transmit characteristics):
            // the maximum is the lesser of the class 1 limit and -1.0 dBm.
            Standard::TenGBaseSr => (-7.3, -1.0, "IEEE 802.3 Table 52-7"),
            // IEEE 802.3 clause 52, Table 52-12 (10GBASE-L transmit characteristics).
            Standard::TenGBaseLr => (-8.2, 0.5, "IEEE 802.3 Table 52-12"),
            // IEEE 802.3 clause 52, Table 52-16 (10GBASE-E transmit characteristics).
            Standard::TenGBaseEr => (-4.7, 4.0, "IEEE 802.3 Table 52-16"),
            // IEEE 802.3 clause 87, Table 87-7 (40GBASE-LR4 transmit characteristics).
            Standard::FortyGBaseLr4 => (-7.0, 2.3, "IEEE 802.3 Table 87-7"),
            // IEEE 802.3 clause 95, Table 95-6 (100GBASE-SR4 transmit characteristics).
            Standard::HundredGBaseSr4 => (-8.4, 2.4, "IEEE 802.3 Table 95-6"),
            // IEEE 802.3 clause 88, Table 88-7 (100GBASE-LR4 and -ER4 transmit
            // characteristics), each lane.
            Standard::HundredGBaseLr4 => (-4.3, 4.5, "IEEE 802.3 Table 88-7"),
            Standard::HundredGBaseEr4 => (-2.9, 2.9, "IEEE 802.3 Table 88-7"),
            // 100G CWDM4 MSA Technical Specification 1.1, Table 4 (not an IEEE PMD).
            Standard::HundredGCwdm4 => (-6.5, 2.5, "CWDM4 MSA Table 4"),
        };
        LaunchPower {
            min_dbm,
            max_dbm,
            source,
        }
    }

    /// The widest launch-power range of the standards above: what an optic that names
    /// neither its standard nor its thresholds is held to.
    pub fn any_launch_power() -> (f64, f64) {
        Standard::ALL
            .iter()
            .fold((f64::MAX, f64::MIN), |(lo, hi), s| {
                let p = s.launch_power();
                (lo.min(p.min_dbm), hi.max(p.max_dbm))
            })
    }

    /// The standard named in a device's description of a module, as vendors print it:
    /// "QSFP-100G-LR4-S", "100GBASE-LR4", "QSFP28 100G LR4", "SFP+ 10G LR",
    /// "10Gbase-LR", "SFP-10G-SR", "XFP-10GLR-OC192SR", "100G CWDM4". `None` when the
    /// text names none of them, or is ambiguous (a lone "LR4" without its rate).
    pub fn detect(text: &str) -> Option<Standard> {
        let upper = text.to_ascii_uppercase();
        let tokens: Vec<&str> = upper
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|t| !t.is_empty())
            .collect();
        let mut rate: Option<u32> = None;
        let mut code: Option<&str> = None;
        for t in &tokens {
            let (r, rest) = split_rate(t);
            if r.is_some() && rate.is_none() {
                rate = r;
            }
            if code.is_none() && is_code(rest) {
                code = Some(rest);
            }
        }
        match (rate?, code?) {
            (10, "SR") => Some(Standard::TenGBaseSr),
            (10, "LR") => Some(Standard::TenGBaseLr),
            (10, "ER") => Some(Standard::TenGBaseEr),
            (40, "LR4") => Some(Standard::FortyGBaseLr4),
            (100, "SR4") => Some(Standard::HundredGBaseSr4),
            (100, "LR4") => Some(Standard::HundredGBaseLr4),
            (100, "ER4") => Some(Standard::HundredGBaseEr4),
            (100, "CWDM4") => Some(Standard::HundredGCwdm4),
            _ => None,
        }
    }
}

fn is_code(t: &str) -> bool {
    matches!(t, "SR" | "LR" | "ER" | "SR4" | "LR4" | "ER4" | "CWDM4")
}

/// "100GBASE" -> (100, ""), "10GLR" -> (10, "LR"), "100GE" -> (100, ""), "LR4" -> (None, "LR4").
fn split_rate(token: &str) -> (Option<u32>, &str) {
    let digits = token.len() - token.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let rest = &token[digits..];
    let Some(after_g) = rest.strip_prefix('G') else {
        return (None, token);
    };
    let Ok(rate) = token[..digits].parse::<u32>() else {
        return (None, token);
    };
    if !matches!(rate, 10 | 40 | 100) {
        return (None, token);
    }
    let rest = after_g
        .strip_prefix("BASE")
        .or_else(|| after_g.strip_prefix("E").filter(|r| r.is_empty()))
        .unwrap_or(after_g);
    (Some(rate), rest)
}

impl fmt::Display for Standard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendor_spellings_name_their_standard() {
        let cases = [
            ("QSFP-100G-LR4-S", Some(Standard::HundredGBaseLr4)),
            ("100GBASE-LR4", Some(Standard::HundredGBaseLr4)),
            ("QSFP28 100G LR4", Some(Standard::HundredGBaseLr4)),
            ("100GE LR4", Some(Standard::HundredGBaseLr4)),
            ("SFP+ 10G LR", Some(Standard::TenGBaseLr)),
            ("SFP+ 10G SR", Some(Standard::TenGBaseSr)),
            ("10Gbase-LR", Some(Standard::TenGBaseLr)),
            ("SFP-10G-ER", Some(Standard::TenGBaseEr)),
            ("XFP-10GLR-OC192SR", Some(Standard::TenGBaseLr)),
            ("QSFP-100G-SR4-S", Some(Standard::HundredGBaseSr4)),
            ("QSFP-100G-CWDM4-S", Some(Standard::HundredGCwdm4)),
            ("100GBASE-ER4", Some(Standard::HundredGBaseEr4)),
            ("QSFP-40G-LR4", Some(Standard::FortyGBaseLr4)),
            // Not ours, or not enough said.
            ("QSFP+ 40G 4x10G BASE LR", None),
            ("LR4", None),
            ("SFP-10G-LRM", None),
            ("1000BASE-T", None),
            ("QSFP-100G-CU3M", None),
            ("", None),
        ];
        for (text, want) in cases {
            assert_eq!(Standard::detect(text), want, "{text}");
        }
    }

    #[test]
    fn lanes_and_launch_power_follow_the_standard() {
        assert_eq!(Standard::HundredGBaseLr4.lanes(), 4);
        assert_eq!(Standard::TenGBaseLr.lanes(), 1);
        let lr4 = Standard::HundredGBaseLr4.launch_power();
        assert_eq!((lr4.min_dbm, lr4.max_dbm), (-4.3, 4.5));
        let lr = Standard::TenGBaseLr.launch_power();
        assert_eq!((lr.min_dbm, lr.max_dbm), (-8.2, 0.5));
        assert_eq!(Standard::any_launch_power(), (-8.4, 4.5));
    }
}
