//! What every source kind shares: the [`ReadingSource`] contract, the BGP neighbours
//! a device is asked for, and the core's reading types. The kinds use these, never
//! the enum over them.

use std::future::Future;

pub use lightgate_core::source::{InterfaceResult, PollResult, SourceError, Traffic};

/// A BGP neighbour a device must have: (VRF, Microsoft's address).
pub type BgpWanted = (Option<String>, std::net::IpAddr);

/// A device that can be read.
pub trait ReadingSource {
    /// Reads the named interfaces once. Called by one poller task at a time.
    fn poll(
        &mut self,
        interfaces: &[String],
    ) -> impl Future<Output = Result<PollResult, SourceError>> + Send;

    /// Protocol traffic so far, for sources that count it (SNMP).
    fn traffic(&self) -> Option<Traffic> {
        None
    }

    /// Forget what was cached about the device (an optic was swapped): the next poll
    /// learns it again. Sources that cache nothing ignore it.
    fn invalidate(&mut self, _why: &str) {}
}
