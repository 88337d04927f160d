//! lightgate: reads the optical light levels and link state of the router ports cabled
//! to an Azure ExpressRoute Direct port pair, decides whether the pair is ready for
//! circuit creation, and exports it all for Prometheus.
//!
//! # Layout
//! - [`domain`]: the pure core (units, readings, thresholds, readiness; the
//!   `lightgate-core` crate). No I/O.
//! - [`config`]: the TOML config, strictly parsed and validated with line numbers.
//! - [`source`]: where readings come from (simulated hardware, SNMP, the serial
//!   console, Azure), behind one enum.
//! - [`poller`]: one task per device, on its own interval, with a per-poll timeout.
//! - [`store`]: the shared in-memory state the pollers write and the exporter reads.
//! - [`exporter`]: the HTTP server: `/metrics`, `/api/v1/ports`, `/-/healthy`.
//! - [`api`]: the JSON shapes of the HTTP API, shared by server and CLI.
//! - [`audit`]: the append-only, fsynced trail of gate decisions.
//! - [`agent`]: wiring of all of the above, with a shutdown signal.
//! - [`traps`]: the linkUp/linkDown trap listener that triggers immediate polls.
//! - [`simulate`]: `lightgate simulate`, a fleet of simulated routers over real SNMP.
//! - [`cli`]: the command-line interface.

pub mod agent;
pub mod api;
pub mod audit;
pub mod cli;
pub mod config;
pub mod exporter;
pub mod files;
pub mod gate;
pub mod heap;
pub mod peerings;
pub mod poller;
pub mod shard;
pub mod source;
pub mod store;
pub mod telemetry;
pub mod traps;
pub mod workflow;

#[cfg(test)]
mod agreement_tests;

// The pure core lives in its own crate (no I/O, no async: the compiler enforces it);
// these paths are the ones the agent and its tests have always used.
pub use lightgate_core::{bgp, domain, peering, text};
/// The SNMP fleet simulator (`lightgate simulate`), its own crate.
pub use lightgate_simulate as simulate;
