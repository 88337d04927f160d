//! The named behaviours a simulated interface can follow, and the optics it can carry.

use std::fmt;
use std::str::FromStr;

use crate::domain::{Standard, Thresholds};

/// What a simulated interface does over time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scenario {
    /// Up, light well inside the window.
    Healthy,
    /// Up, but Rx around -14 dBm: a dirty or badly seated connector.
    DirtyConnector,
    /// No light received, oper down: the fibre is not patched.
    Unplugged,
    /// Shut down locally: admin and oper down, laser off.
    AdminDown,
    /// Oper state toggles every `flap_period`.
    Flapping,
    /// Rx falls steadily until it crosses the optic's low alarm, then stays there.
    Degrading,
    /// One lane of four is dark (forces a 4-lane optic); the link cannot come up.
    LaneFault,
    /// The local laser failed: no Tx light, far end sees nothing, oper down.
    TxFault,
}

impl Scenario {
    pub const ALL: [Scenario; 8] = [
        Scenario::Healthy,
        Scenario::DirtyConnector,
        Scenario::Unplugged,
        Scenario::AdminDown,
        Scenario::Flapping,
        Scenario::Degrading,
        Scenario::LaneFault,
        Scenario::TxFault,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Scenario::Healthy => "healthy",
            Scenario::DirtyConnector => "dirty-connector",
            Scenario::Unplugged => "unplugged",
            Scenario::AdminDown => "admin-down",
            Scenario::Flapping => "flapping",
            Scenario::Degrading => "degrading",
            Scenario::LaneFault => "lane-fault",
            Scenario::TxFault => "tx-fault",
        }
    }
}

impl fmt::Display for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Scenario {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Scenario::ALL
            .into_iter()
            .find(|sc| sc.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<_> = Scenario::ALL.iter().map(|s| s.as_str()).collect();
                format!(
                    "unknown scenario {s:?}, expected one of: {}",
                    names.join(", ")
                )
            })
    }
}

/// A transceiver type with realistic nominal levels and factory thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OpticModel {
    /// 10GBASE-LR SFP+: one lane.
    TenGigLr,
    /// 100GBASE-LR4 QSFP28: four lanes (thresholds per lane).
    HundredGigLr4,
}

/// Nominal values of an optic model.
pub struct OpticProfile {
    pub lanes: u16,
    pub rx_dbm: f64,
    pub tx_dbm: f64,
    pub bias_amperes: f64,
    pub rx: Thresholds,
    pub tx: Thresholds,
}

impl OpticModel {
    pub const ALL: [OpticModel; 2] = [OpticModel::TenGigLr, OpticModel::HundredGigLr4];

    pub fn as_str(&self) -> &'static str {
        match self {
            OpticModel::TenGigLr => "10g-lr",
            OpticModel::HundredGigLr4 => "100g-lr4",
        }
    }

    /// The optic an interface name suggests: ten-gig names get a 10G-LR, all others the
    /// 100G-LR4 that ExpressRoute Direct 100G ports use.
    pub fn for_interface(name: &str) -> OpticModel {
        let n = name.to_ascii_lowercase();
        if n.starts_with("tengig") || n.starts_with("te") || n.starts_with("xe-") {
            OpticModel::TenGigLr
        } else {
            OpticModel::HundredGigLr4
        }
    }

    /// The standard the model implements.
    pub fn standard(&self) -> Standard {
        match self {
            OpticModel::TenGigLr => Standard::TenGBaseLr,
            OpticModel::HundredGigLr4 => Standard::HundredGBaseLr4,
        }
    }

    /// Levels and thresholds typical of the part's data sheet (dBm, A).
    pub fn profile(&self) -> OpticProfile {
        match self {
            OpticModel::TenGigLr => OpticProfile {
                lanes: 1,
                rx_dbm: -3.2,
                tx_dbm: -1.8,
                bias_amperes: 0.038,
                rx: Thresholds {
                    high_alarm: Some(2.5),
                    high_warning: Some(0.5),
                    low_warning: Some(-14.4),
                    low_alarm: Some(-18.4),
                },
                tx: Thresholds {
                    high_alarm: Some(3.5),
                    high_warning: Some(0.5),
                    low_warning: Some(-8.2),
                    low_alarm: Some(-12.2),
                },
            },
            OpticModel::HundredGigLr4 => OpticProfile {
                lanes: 4,
                rx_dbm: -2.6,
                // LR4 lasers launch above 0 dBm per lane when healthy (IEEE allows
                // -4.3..+4.5): the value that the old Tx check wrongly failed.
                tx_dbm: 0.6,
                bias_amperes: 0.045,
                rx: Thresholds {
                    high_alarm: Some(5.5),
                    high_warning: Some(2.5),
                    low_warning: Some(-13.0),
                    low_alarm: Some(-16.0),
                },
                tx: Thresholds {
                    high_alarm: Some(5.0),
                    high_warning: Some(2.0),
                    low_warning: Some(-6.5),
                    low_alarm: Some(-10.5),
                },
            },
        }
    }
}

impl FromStr for OpticModel {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        OpticModel::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| format!("unknown optic {s:?}, expected 10g-lr or 100g-lr4"))
    }
}
