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
pub mod types;

pub use types::{BgpWanted, InterfaceResult, PollResult, ReadingSource, SourceError, Traffic};

use lightgate_core::bgp::BgpSession;

/// One of the source kinds. The set is closed and chosen by config (the poller builds
/// one per device). Each is boxed: the enum is as large as its largest variant, and
/// every poller task holds one (a 128-byte simulated source inline in all 10,000).
pub enum AnySource {
    Sim(Box<sim::SimSource>),
    Snmp(Box<snmp::SnmpSource>),
    Serial(Box<serial::SerialSource>),
}

impl AnySource {
    pub fn traffic(&self) -> Option<Traffic> {
        match self {
            AnySource::Sim(s) => s.traffic(),
            AnySource::Snmp(s) => s.traffic(),
            AnySource::Serial(s) => s.traffic(),
        }
    }

    pub fn invalidate(&mut self, why: &str) {
        match self {
            AnySource::Sim(s) => s.invalidate(why),
            AnySource::Snmp(s) => s.invalidate(why),
            AnySource::Serial(s) => s.invalidate(why),
        }
    }

    /// Reads the device's BGP sessions with `wanted` (VRF, Microsoft's address). The
    /// serial source reads them during [`AnySource::poll`] (one console visit for
    /// both), so call this after it.
    pub async fn poll_bgp(&mut self, wanted: &[BgpWanted]) -> Result<Vec<BgpSession>, SourceError> {
        match self {
            AnySource::Sim(s) => s.poll_bgp(wanted),
            AnySource::Snmp(s) => s.poll_bgp(wanted).await,
            AnySource::Serial(s) => s.take_bgp(wanted),
        }
    }

    /// Tells a source that reads BGP with its regular poll what to read next time.
    pub fn want_bgp(&mut self, wanted: &[BgpWanted]) {
        if let AnySource::Serial(s) = self {
            s.want_bgp(wanted);
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
