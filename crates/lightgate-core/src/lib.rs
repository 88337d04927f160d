//! lightgate's pure core: everything that decides, and nothing that talks.
//!
//! - [`domain`]: optical power in dBm and mW with no light as a state, readings, the
//!   optic's thresholds and standards, link history and the readiness checks;
//! - [`gate`]: the actions a gate decides on and the rules for each;
//! - [`source`]: the contract every reading source fulfils (what a poll returns);
//! - [`sim`]: simulated optics and scenarios (the physics, not a transport);
//! - [`peering`]: the peering pre-flight rules;
//! - [`retry`]: how long every client waits before trying again;
//! - [`secret`], [`text`], [`location`]: secrets that never print, untrusted text made
//!   safe, and file locations for messages.
//!
//! No module here does I/O, awaits, logs or knows about Prometheus, SNMP or serial
//! ports: time comes in as an argument, so every rule is testable to the second. The
//! compiler enforces it: this crate depends on neither tokio nor any protocol crate.

#![forbid(unsafe_code)]

pub mod bgp;
pub mod domain;
pub mod gate;
pub mod location;
pub mod peering;
pub mod retry;
pub mod secret;
pub mod sim;
pub mod source;
pub mod text;
