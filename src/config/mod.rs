//! The TOML config: devices (where readings come from) and ports (the Direct port
//! pairs, each link naming a device and interface). Parsing is strict: unknown keys are
//! errors, every problem is reported with its line and column, and nothing is
//! half-applied.

mod azure;
pub mod defaults;
pub mod duration;

mod raw;

mod names;
mod serial;
mod snmp;
mod validate;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

pub use crate::source::azure::{AzureAuth, AzureConfig};
pub use lightgate_core::location::{self, Problem};
pub use lightgate_core::secret::{self, Secret};
pub use names::is_name;

use crate::domain::{AzureAdminState, HealthyWindow, LinkId, LinkPolicy, Windows};
use crate::source::serial::SerialSettings;
use crate::source::sim::SimSettings;
use crate::source::snmp::SnmpSettings;

/// The embedded demo: two simulated routers, one healthy port pair, short hold-down.
pub const DEMO_TOML: &str = include_str!("demo.toml");

/// A validated config.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub listen: SocketAddr,
    /// Azure access; `None` when the Azure side is only declared.
    pub azure: Option<AzureConfig>,
    /// The gate's audit trail (JSON Lines, append-only).
    pub audit_log: std::path::PathBuf,
    /// Where to listen for linkUp/linkDown traps; off when `None`.
    pub traps: Option<TrapConfig>,
    /// Shared with the pollers (each holds its device's), not copied for them.
    pub devices: Vec<Arc<DeviceConfig>>,
    pub ports: Vec<PortConfig>,
    /// Lookups by name, built once per config (a fleet has tens of thousands of
    /// devices, and pollers ask on every poll).
    pub index: ConfigIndex,
    /// What /metrics exports beyond its defaults (`[metrics]`).
    pub metrics: MetricsOptions,
}

/// `[metrics]`: series a user pays for only when asked.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct MetricsOptions {
    /// Optical powers in milliwatts too (`lightgate_optic_*_power_milliwatts`), which
    /// PromQL derives from dBm: `10 ^ (lightgate_optic_rx_power_dbm / 10)`.
    pub milliwatts: bool,
}

/// Positions of devices and ports by name, and each device's interfaces to read.
#[derive(Debug, Clone, Default)]
pub struct ConfigIndex {
    devices: std::collections::HashMap<String, usize>,
    ports: std::collections::HashMap<String, usize>,
    interfaces: std::collections::HashMap<String, Vec<String>>,
    /// Positions of the ports each device serves (a link of), in config order.
    ports_of: std::collections::HashMap<String, Vec<usize>>,
}

/// Derived from the rest of the config: never what makes two configs differ.
impl PartialEq for ConfigIndex {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl ConfigIndex {
    fn build(devices: &[Arc<DeviceConfig>], ports: &[PortConfig]) -> Self {
        let mut interfaces: std::collections::HashMap<String, Vec<String>> = devices
            .iter()
            .map(|d| (d.name.clone(), d.monitor.clone()))
            .collect();
        for l in ports.iter().flat_map(|p| [&p.link1, &p.link2]) {
            if let Some(list) = interfaces.get_mut(&l.device) {
                list.push(l.interface.clone());
            }
        }
        for list in interfaces.values_mut() {
            list.sort();
            list.dedup();
        }
        let mut ports_of: std::collections::HashMap<String, Vec<usize>> = Default::default();
        for (i, p) in ports.iter().enumerate() {
            for d in [&p.link1.device, &p.link2.device] {
                let list = ports_of.entry(d.clone()).or_default();
                if list.last() != Some(&i) {
                    list.push(i);
                }
            }
        }
        ConfigIndex {
            devices: devices
                .iter()
                .enumerate()
                .map(|(i, d)| (d.name.clone(), i))
                .collect(),
            ports: ports
                .iter()
                .enumerate()
                .map(|(i, p)| (p.name.clone(), i))
                .collect(),
            interfaces,
            ports_of,
        }
    }
}

/// The trap listener.
#[derive(Debug, Clone, PartialEq)]
pub struct TrapConfig {
    pub listen: SocketAddr,
    /// v1/v2c traps must carry this community; others are counted and dropped.
    pub community: Secret,
}

/// One device to poll.
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceConfig {
    pub name: String,
    pub poll_interval: Duration,
    /// A poll that takes longer than this fails with a timeout.
    pub timeout: Duration,
    /// Interfaces read and exported (light levels, link state) although no port link
    /// uses them: the rest of the router's optics, for dashboards and alerts. They take
    /// no part in readiness.
    pub monitor: Vec<String>,
    pub source: SourceConfig,
}

/// The source kind of a device and its settings.
#[derive(Debug, Clone, PartialEq)]
pub enum SourceConfig {
    Sim(SimSettings),
    Snmp(SnmpSettings),
    Serial(SerialSettings),
}

impl SourceConfig {
    /// Every secret in the source's settings, kept out of error texts (a device or a
    /// console server may echo them back).
    pub fn secrets(&self) -> Vec<&str> {
        let all: Vec<Option<&Secret>> = match self {
            SourceConfig::Sim(_) => Vec::new(),
            SourceConfig::Snmp(s) => vec![
                s.community.as_ref(),
                s.v3.as_ref().and_then(|v| v.auth_password.as_ref()),
                s.v3.as_ref().and_then(|v| v.priv_password.as_ref()),
            ],
            SourceConfig::Serial(s) => vec![
                s.session.password.as_ref(),
                s.session.enable_password.as_ref(),
            ],
        };
        all.into_iter().flatten().map(Secret::expose).collect()
    }

    pub fn kind(&self) -> &'static str {
        match self {
            SourceConfig::Sim(_) => "sim",
            SourceConfig::Snmp(_) => "snmp",
            SourceConfig::Serial(_) => "serial",
        }
    }
}

/// One ExpressRoute Direct port pair.
#[derive(Debug, Clone, PartialEq)]
pub struct PortConfig {
    pub name: String,
    pub hold_down: Duration,
    pub staleness: Duration,
    pub window: HealthyWindow,
    /// The transmit window, when configured (`tx_min_dbm`, `tx_max_dbm`).
    pub tx_window: Option<HealthyWindow>,
    /// The ExpressRoutePorts resource id, when Azure is observed for this port.
    pub azure_port_id: Option<String>,
    /// Workflow milestones declared by the operator (YYYY-MM-DD).
    pub loa_issued: Option<String>,
    pub cross_connects_completed: Option<String>,
    pub link1: LinkConfig,
    pub link2: LinkConfig,
    /// `[[port.peering]]` entries, in file order.
    pub peerings: Vec<PeeringConfig>,
}

/// One `[[port.peering]]`: the sessions' expectations lightgate cannot read from Azure
/// (VRF, bounds), and without Azure the peering itself. Becomes a core `PeeringSpec`
/// (see `crate::peerings`).
#[derive(Debug, Clone, PartialEq)]
pub struct PeeringConfig {
    pub circuit: String,
    pub kind: crate::bgp::PeeringKind,
    pub primary: Option<ipnet::IpNet>,
    pub secondary: Option<ipnet::IpNet>,
    pub ipv6_primary: Option<ipnet::IpNet>,
    pub ipv6_secondary: Option<ipnet::IpNet>,
    pub vrf: Option<String>,
    pub premium: Option<bool>,
    pub hold_down: Duration,
    pub prefixes_min: u64,
    pub prefixes_max: Option<u64>,
    pub advertised: (Option<u64>, Option<u64>),
    pub advertised_prefixes_state: Option<String>,
    pub bfd_required: bool,
}

impl PortConfig {
    pub fn link(&self, id: LinkId) -> &LinkConfig {
        match id {
            LinkId::Link1 => &self.link1,
            LinkId::Link2 => &self.link2,
        }
    }

    pub fn policy(&self) -> LinkPolicy {
        LinkPolicy {
            windows: Windows {
                rx: self.window,
                tx: self.tx_window,
            },
            hold_down: self.hold_down,
            staleness: self.staleness,
        }
    }
}

/// The router interface cabled to one Direct link.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkConfig {
    pub device: String,
    pub interface: String,
    /// Declared by the operator until the Azure source observes it.
    pub azure_admin_state: AzureAdminState,
}

/// A config that cannot be used, with every problem found.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{origin}: {}", .problems.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("; "))]
pub struct ConfigError {
    /// The file name (or "embedded demo").
    pub origin: String,
    pub problems: Vec<Problem>,
}

impl ConfigError {
    /// One line per problem, `FILE:LINE:COLUMN: message`, as compilers print them.
    pub fn report(&self) -> String {
        self.problems
            .iter()
            .map(|p| match p.at {
                Some((l, c)) => format!("{}:{l}:{c}: {}", self.origin, p.message),
                None => format!("{}: {}", self.origin, p.message),
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl Config {
    /// The embedded demo config.
    pub fn demo() -> Config {
        Config::parse(DEMO_TOML, "embedded demo").expect("the embedded demo config is valid")
    }

    /// Builds a config from its parts (and its name index).
    pub fn new(
        listen: SocketAddr,
        azure: Option<AzureConfig>,
        audit_log: std::path::PathBuf,
        traps: Option<TrapConfig>,
        devices: Vec<DeviceConfig>,
        ports: Vec<PortConfig>,
    ) -> Config {
        let devices: Vec<Arc<DeviceConfig>> = devices.into_iter().map(Arc::new).collect();
        let index = ConfigIndex::build(&devices, &ports);
        Config {
            listen,
            azure,
            audit_log,
            traps,
            devices,
            ports,
            index,
            metrics: MetricsOptions::default(),
        }
    }

    pub fn device(&self, name: &str) -> Option<&DeviceConfig> {
        self.index
            .devices
            .get(name)
            .and_then(|i| self.devices.get(*i))
            .map(|d| &**d)
            .filter(|d| d.name == name)
    }

    pub fn port(&self, name: &str) -> Option<&PortConfig> {
        self.index
            .ports
            .get(name)
            .and_then(|i| self.ports.get(*i))
            .filter(|p| p.name == name)
    }

    /// The interfaces of a device that some port's link uses or that the device
    /// monitors: all a poll needs to read.
    /// The ports `device` serves a link of, in config order.
    pub fn ports_of<'a>(&'a self, device: &str) -> impl Iterator<Item = &'a PortConfig> + 'a {
        self.index
            .ports_of
            .get(device)
            .into_iter()
            .flatten()
            .filter_map(|i| self.ports.get(*i))
    }

    pub fn interfaces_of(&self, device: &str) -> Vec<String> {
        self.index
            .interfaces
            .get(device)
            .cloned()
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests;
