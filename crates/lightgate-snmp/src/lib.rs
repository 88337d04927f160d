//! lightgate's SNMP layer: OIDs and values, a [`transport`] seam with the real UDP
//! client (snmp2 does the protocol) and a replay of a recorded walk, discovery of a
//! device into a [`plan::Plan`] of the cells to read, the [`profiles`] of each vendor
//! family (one file each), the pure decode of a poll's answers into readings, and trap
//! decoding. It produces the core's readings and knows nothing of the agent.

#![forbid(unsafe_code)]

pub mod bgp;
pub mod client;
pub mod discovery;
pub mod explain;
pub mod intern;
pub mod oids;
pub mod plan;
pub mod profiles;
pub mod settings;
pub mod transport;
pub mod trap;
pub mod types;

pub use client::Counters;
pub use plan::read;
pub use settings::{SnmpSettings, SnmpVersion, Vendor};

use client::Client;
use discovery::Wanted;
use lightgate_core::source::{PollResult, SourceError};

/// Reads a device once for `lightgate probe`: every interface with an optic, or the
/// named ones.
pub async fn probe(settings: &SnmpSettings, names: &[String]) -> Result<PollResult, SourceError> {
    let mut counters = Counters::default();
    let mut client = Client::connect(settings, &mut counters).await?;
    let wanted = if names.is_empty() {
        Wanted::AllOptics
    } else {
        Wanted::Names(names.to_vec())
    };
    let plan = discovery::discover(&mut client, settings.vendor, &wanted, &mut counters).await?;
    Ok(read(&mut client, &plan, &mut counters).await?.results)
}

/// [`probe`], with the explanation `lightgate probe --explain` prints: the profile and
/// why, the tables walked and their rows, the interfaces with and without DOM, and the
/// next step when nothing was found.
pub async fn probe_explained(
    settings: &SnmpSettings,
    names: &[String],
) -> Result<(PollResult, String), SourceError> {
    let mut counters = Counters::default();
    let mut client = Client::connect(settings, &mut counters).await?;
    let wanted = if names.is_empty() {
        Wanted::AllOptics
    } else {
        Wanted::Names(names.to_vec())
    };
    explain::probe_explained(&mut client, settings.vendor, &wanted).await
}
