//! Simulated optics: interfaces that follow named scenarios (healthy, a dirty
//! connector, a dark lane, ...), deterministic given a seed. The physics only: the
//! agent's `sim` source and the SNMP fleet simulator both read these.

pub mod model;
mod noise;
pub mod scenario;

use std::time::Duration;

pub use scenario::{OpticModel, Scenario};

/// One simulated interface.
#[derive(Debug, Clone, PartialEq)]
pub struct SimInterface {
    pub scenario: Scenario,
    pub optic: OpticModel,
    /// Half period of the flapping scenario: up this long, then down this long.
    pub flap_period: Duration,
    /// How fast the degrading scenario loses light.
    pub degrade_db_per_minute: f64,
}

impl SimInterface {
    pub const DEFAULT_FLAP_PERIOD: Duration = Duration::from_secs(30);
    pub const DEFAULT_DEGRADE_DB_PER_MINUTE: f64 = 1.0;

    /// An interface with the scenario's defaults and the optic its name suggests.
    pub fn new(name: &str, scenario: Scenario) -> Self {
        SimInterface {
            scenario,
            optic: OpticModel::for_interface(name),
            flap_period: Self::DEFAULT_FLAP_PERIOD,
            degrade_db_per_minute: Self::DEFAULT_DEGRADE_DB_PER_MINUTE,
        }
    }
}
