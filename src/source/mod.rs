//! Where readings come from. Every source kind fills the same [`LinkReading`]s for the
//! interfaces it is asked about; the poller, store and exporter never know which kind
//! they talk to.
//!
//! The set of kinds is closed and chosen by config, so [`AnySource`] is an enum that
//! delegates to each kind's [`ReadingSource`] implementation (the mini-redis `Command`
//! pattern): no `dyn`, no boxed futures. A new kind adds a module, a variant and a
//! match arm, and touches nothing in the core.

pub mod azure;
pub mod serial;
pub mod sim;
pub mod snmp;

use std::future::Future;

use crate::config::{DeviceConfig, SourceConfig};

pub use lightgate_core::source::{InterfaceResult, PollResult, SourceError};

/// A device that can be read.
pub trait ReadingSource {
    /// Reads the named interfaces once. Called by one poller task at a time.
    fn poll(
        &mut self,
        interfaces: &[String],
    ) -> impl Future<Output = Result<PollResult, SourceError>> + Send;
}

/// One of the source kinds, built from a device's config.
pub enum AnySource {
    Sim(sim::SimSource),
    Snmp(Box<snmp::SnmpSource>),
    Serial(serial::SerialSource),
}

impl AnySource {
    /// Builds the source for a device.
    pub fn build(device: &DeviceConfig) -> Self {
        match &device.source {
            SourceConfig::Sim(settings) => AnySource::Sim(sim::SimSource::new(settings.clone())),
            SourceConfig::Snmp(settings) => {
                AnySource::Snmp(Box::new(snmp::SnmpSource::new(settings.clone())))
            }
            SourceConfig::Serial(settings) => {
                AnySource::Serial(serial::SerialSource::new(settings.clone(), device.timeout))
            }
        }
    }

    /// Protocol request counts so far, for sources that speak a protocol.
    pub fn counters(&self) -> Option<snmp::Counters> {
        match self {
            AnySource::Sim(_) | AnySource::Serial(_) => None,
            AnySource::Snmp(s) => Some(s.counters()),
        }
    }

    /// Asks the source to refresh what it cached about the device at the next poll.
    pub fn invalidate(&mut self, why: &str) {
        if let AnySource::Snmp(s) = self {
            s.invalidate(why);
        }
    }

    pub async fn poll(&mut self, interfaces: &[String]) -> Result<PollResult, SourceError> {
        match self {
            AnySource::Sim(s) => s.poll(interfaces).await,
            AnySource::Snmp(s) => s.poll(interfaces).await,
            AnySource::Serial(s) => s.poll(interfaces).await,
        }
    }
}
