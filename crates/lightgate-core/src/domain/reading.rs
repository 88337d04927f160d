//! What a source reads from one router interface: link state and the optic's DOM.

use std::sync::Arc;
use std::time::SystemTime;

use std::collections::BTreeSet;

use super::power::OpticalPower;
use super::standard::Standard;
use super::status::{AdminStatus, OperStatus};
use super::thresholds::Thresholds;

/// Direction of light as the router's optic sees it: rx is what arrives from Azure,
/// tx what the router sends towards Azure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    Rx,
    Tx,
}

impl Direction {
    pub const BOTH: [Direction; 2] = [Direction::Rx, Direction::Tx];

    pub fn as_str(&self) -> &'static str {
        match self {
            Direction::Rx => "rx",
            Direction::Tx => "tx",
        }
    }
}

/// One lane (optical channel) of a multi-lane optic. Lanes are numbered from 0.
#[derive(Debug, Clone, PartialEq)]
pub struct LaneReading {
    pub lane: u16,
    pub rx: OpticalPower,
    pub tx: OpticalPower,
    pub bias_amperes: Option<f64>,
}

impl LaneReading {
    pub fn power(&self, direction: Direction) -> OpticalPower {
        match direction {
            Direction::Rx => self.rx,
            Direction::Tx => self.tx,
        }
    }
}

/// Digital optical monitoring of one transceiver.
#[derive(Debug, Clone, PartialEq)]
pub struct OpticReading {
    /// Module-level receive power (a multi-lane optic's total, when the device gives one).
    pub rx: OpticalPower,
    /// Module-level transmit power.
    pub tx: OpticalPower,
    /// Per-lane values, empty for a single-lane optic that reports module values only.
    pub lanes: Vec<LaneReading>,
    pub bias_amperes: Option<f64>,
    pub temperature_celsius: Option<f64>,
    pub voltage_volts: Option<f64>,
    /// The optic's own receive power thresholds, in dBm (they apply to every lane).
    /// Shared: a source reading the same thresholds every poll (from its plan) hands
    /// out one copy rather than a copy per reading.
    pub rx_thresholds: Arc<Thresholds>,
    /// The optic's own transmit power thresholds, in dBm.
    pub tx_thresholds: Arc<Thresholds>,
    /// How many lanes the module has, as the device describes it (its lane table, its
    /// lane sensors); `None` when the device does not say.
    pub lane_count: Option<u16>,
    /// The optic's standard, when the device names it (module type or part number).
    pub standard: Option<Standard>,
}

/// Why an optic whose every Rx and Tx value is exactly 0 dBm (or raw 0) has no reading.
/// Real devices write 0 where they have nothing to say: a copper SFP or passive cable
/// (IOS-XR, with thresholds of 0 too), a port that is shut (NX-OS), an optic without
/// DOM (IOS-XE, RouterOS). A transmitter and a receiver both at exactly 1.000 mW is not
/// a measurement, and reading it as 0 dBm would put a dark port inside the healthy
/// window: it is no reading, never light.
pub const ALL_ZERO_NOTE: &str = "no reading: every Rx and Tx value is exactly 0, the placeholder devices give for no DOM (copper or passive cable, optic without DOM, port shut), not 0 dBm";

impl OpticReading {
    /// An optic with these powers and lanes and nothing else known (no bias,
    /// temperature, voltage, thresholds, lane count or standard): what a source fills
    /// in from there.
    pub fn with_powers(
        rx: OpticalPower,
        tx: OpticalPower,
        lanes: Vec<LaneReading>,
    ) -> OpticReading {
        OpticReading {
            rx,
            tx,
            lanes,
            bias_amperes: None,
            temperature_celsius: None,
            voltage_volts: None,
            rx_thresholds: Default::default(),
            tx_thresholds: Default::default(),
            lane_count: None,
            standard: None,
        }
    }

    /// Whether every Rx and Tx value, module and lanes, is exactly 0 dBm, with at least
    /// one of each: the placeholder of [`ALL_ZERO_NOTE`].
    pub fn is_all_zero_placeholder(&self) -> bool {
        let powers: Vec<(Direction, OpticalPower)> = [Direction::Rx, Direction::Tx]
            .into_iter()
            .flat_map(|d| {
                std::iter::once((d, self.power(d)))
                    .chain(self.lanes.iter().map(move |l| (d, l.power(d))))
            })
            .filter(|(_, p)| !matches!(p, OpticalPower::NotSupported))
            .collect();
        let has = |d: Direction| powers.iter().any(|(x, _)| *x == d);
        has(Direction::Rx) && has(Direction::Tx) && powers.iter().all(|(_, p)| p.dbm() == Some(0.0))
    }

    pub fn power(&self, direction: Direction) -> OpticalPower {
        match direction {
            Direction::Rx => self.rx,
            Direction::Tx => self.tx,
        }
    }

    pub fn thresholds(&self, direction: Direction) -> &Thresholds {
        match direction {
            Direction::Rx => &self.rx_thresholds,
            Direction::Tx => &self.tx_thresholds,
        }
    }

    /// How many lanes the device says the module has: its own count, else its
    /// standard's.
    pub fn declared_lanes(&self) -> Option<u16> {
        self.lane_count.or_else(|| self.standard.map(|s| s.lanes()))
    }

    /// How many lanes the optic must have when the device does not say: lanes are
    /// numbered from 0, so the highest lane read and the count read both set a floor,
    /// rounded up to a lane count some optic standard has (1, 2, 4, 8, 10, 16). Three
    /// lanes of a 100G optic are incomplete evidence, not a 3-lane optic. `None`
    /// without lanes.
    pub fn inferred_lanes(&self) -> Option<u16> {
        let highest = self.lanes.iter().map(|l| l.lane).max()?;
        let floor = (highest.saturating_add(1)).max(self.lanes.len() as u16);
        Some(
            STANDARD_LANE_COUNTS
                .into_iter()
                .find(|n| *n >= floor)
                .unwrap_or(floor),
        )
    }

    /// The lane numbers this reading carries.
    pub fn lane_numbers(&self) -> BTreeSet<u16> {
        self.lanes.iter().map(|l| l.lane).collect()
    }

    /// The values the healthy window is checked against: every lane when the optic has
    /// lanes (a healthy LR4's total is above 0 dBm while each lane is well inside the
    /// window), the module value otherwise. Each comes with its lane number, if any.
    pub fn checked_powers(&self, direction: Direction) -> Vec<(Option<u16>, OpticalPower)> {
        if self.lanes.is_empty() {
            vec![(None, self.power(direction))]
        } else {
            self.lanes
                .iter()
                .map(|l| (Some(l.lane), l.power(direction)))
                .collect()
        }
    }
}

/// The lane counts optic standards have (SFP 1, QSFP28-DR/FR 1, 50G 2, QSFP 4,
/// QSFP-DD/OSFP 8, CFP/CXP 10, 400G-SR16 16).
pub const STANDARD_LANE_COUNTS: [u16; 6] = [1, 2, 4, 8, 10, 16];

/// Everything read from one interface in one poll.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkReading {
    pub admin_status: AdminStatus,
    pub oper_status: OperStatus,
    /// Wall-clock time the interface entered its current oper state, when known.
    pub last_change: Option<SystemTime>,
    /// `None` when there is no optic, a copper port, or the device has no DOM support.
    pub optic: Option<OpticReading>,
    /// Why `optic` is missing, or anything else the source wants the operator to know.
    pub note: Option<String>,
    /// Interface facts that do not decide readiness but help an engineer.
    pub details: LinkDetails,
}

/// Descriptive interface facts, each optional (not every source has them).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LinkDetails {
    /// The operator's description of the interface (ifAlias).
    pub alias: Option<String>,
    /// Speed in Mbit/s (ifHighSpeed).
    pub speed_mbps: Option<u64>,
    /// Inbound and outbound error counters (ifInErrors, ifOutErrors), as the device
    /// counts them (they wrap and reset).
    pub in_errors: Option<u64>,
    pub out_errors: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn optic(rx: f64, tx: f64, lanes: &[(f64, f64)]) -> OpticReading {
        let p = |d: f64| OpticalPower::from_dbm(d).unwrap();
        OpticReading::with_powers(
            p(rx),
            p(tx),
            (0u16..)
                .zip(lanes)
                .map(|(lane, (r, t))| LaneReading {
                    lane,
                    rx: p(*r),
                    tx: p(*t),
                    bias_amperes: None,
                })
                .collect(),
        )
    }

    #[test]
    fn only_all_zero_rx_and_tx_is_the_placeholder() {
        assert!(optic(0.0, 0.0, &[]).is_all_zero_placeholder());
        assert!(optic(0.0, 0.0, &[(0.0, 0.0), (0.0, 0.0)]).is_all_zero_placeholder());
        assert!(!optic(0.0, -2.0, &[]).is_all_zero_placeholder());
        assert!(!optic(0.0, 0.0, &[(0.0, 0.0), (-3.1, 0.0)]).is_all_zero_placeholder());
        let mut rx_only = optic(0.0, 0.0, &[]);
        rx_only.tx = OpticalPower::NotSupported;
        assert!(
            !rx_only.is_all_zero_placeholder(),
            "one direction alone can be a real 0 dBm"
        );
    }
}
