//! `lightgate simulate`: a fleet of simulated routers that speak real SNMP on
//! loopback, so lightgate (or any other poller, such as snmp_exporter) can be tried and
//! measured at scale without hardware.
//!
//! Each router answers GET, GETNEXT and GETBULK (v1, v2c, and v3 with USM) over IF-MIB, ENTITY-MIB and
//! its vendor's DOM tables from its own UDP socket, with values that follow the core
//! simulator's scenarios. A meter counts every request PDU and varbind per client; an
//! HTTP control endpoint reports it, and can force a link down or up, which sends a
//! linkDown/linkUp trap from the router's own address.

#![forbid(unsafe_code)]

pub mod ber;
pub mod bgp;
pub mod config_out;
pub mod device;
mod fleet;
pub mod layout;
pub mod meter;
pub mod respond;
mod server;
pub mod trap;
pub mod usm;

pub use device::SimDevice;
pub use fleet::{
    build_devices, device_address, device_name, parse_flavours, parse_mix, simulated_flavours,
    FleetSettings, SIMULATED, SIMULATED_BY_DEFAULT,
};
pub use layout::{Layout, Vendor};
pub use meter::Meter;
pub use server::{run, BgpChanged, BgpRequest, Fleet};

#[cfg(test)]
mod tests;
