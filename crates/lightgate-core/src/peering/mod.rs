//! Peering pre-flight: validates a planned private or Microsoft peering before anyone
//! types it into Azure, with the documented rules (addresses, VLANs, AS numbers, MD5
//! keys, prefix limits) and the addresses each side takes, ready for router configs.
//! Pure: a plan's text in, findings out.

mod report;
mod rules;

pub use report::{Finding, LinkAddresses, Report, Severity};
pub use rules::{check, check_with, PortFacts};
