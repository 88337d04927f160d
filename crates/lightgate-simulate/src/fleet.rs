//! How a fleet is made: its settings, the scenario mix and flavours as the command
//! line gives them, each router's address and name, and the routers themselves.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use lightgate_core::sim::{OpticModel, Scenario};

use crate::device::SimDevice;
use crate::layout::{Layout, Vendor};
use crate::{bgp, usm};

/// The vendors a fleet cycles through unless told otherwise.
pub const SIMULATED_BY_DEFAULT: [Vendor; 3] = [Vendor::Cisco, Vendor::Juniper, Vendor::Arista];

/// The flavours the simulator can serve, by name.
pub const SIMULATED: [&str; 6] = [
    "cisco",
    "juniper",
    "arista",
    "entity-sensor",
    "huawei",
    "nokia",
];

/// How a fleet is made.
#[derive(Debug, Clone)]
pub struct FleetSettings {
    pub devices: usize,
    /// Optical ports per router.
    pub ports: usize,
    /// Vendor flavours, given to routers in turn.
    pub flavours: Vec<Vendor>,
    pub optic: OpticModel,
    /// Scenario weights; each port draws one, deterministically from the seed.
    pub mix: Vec<(Scenario, u32)>,
    pub seed: u64,
    /// Router i listens on `first_address + i` (all of 127.0.0.0/8 is loopback on
    /// Linux), port `port`; with `one_address`, on `first_address`, port `port + i`.
    pub first_address: Ipv4Addr,
    pub port: u16,
    pub one_address: bool,
    pub community: String,
    /// The SNMPv3 user the routers also accept (v1/v2c keep working).
    pub v3: Option<usm::V3User>,
    /// The largest response a router sends, in bytes.
    pub max_response_size: usize,
    /// Where linkDown/linkUp traps go, if anywhere. Every agent of a sharded fleet gets every trap, as routers configured with
    /// several trap hosts send them.
    pub trap_to: Vec<SocketAddr>,
    pub trap_community: String,
    /// HTTP control and meter endpoint.
    pub control: Option<SocketAddr>,
    /// The meter is also written here (JSON) every second and at exit.
    pub meter_file: Option<PathBuf>,
    /// BGP neighbours every router has (`--bgp-peer`).
    pub bgp_peers: Vec<bgp::SimPeer>,
}

impl Default for FleetSettings {
    fn default() -> Self {
        FleetSettings {
            devices: 10,
            ports: 48,
            flavours: SIMULATED_BY_DEFAULT.to_vec(),
            optic: OpticModel::HundredGigLr4,
            mix: vec![(Scenario::Healthy, 1)],
            seed: 1,
            first_address: Ipv4Addr::new(127, 1, 0, 1),
            port: 1161,
            one_address: false,
            community: "public".to_string(),
            v3: None,
            max_response_size: 1472,
            trap_to: Vec::new(),
            trap_community: "public".to_string(),
            control: None,
            meter_file: None,
            bgp_peers: Vec::new(),
        }
    }
}

/// Parses a scenario mix such as "healthy=90,dirty-connector=5,flapping=5".
pub fn parse_mix(s: &str) -> Result<Vec<(Scenario, u32)>, String> {
    let mut out = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (name, weight) = match part.split_once('=') {
            Some((n, w)) => (
                n.trim(),
                w.trim()
                    .parse::<u32>()
                    .map_err(|_| format!("weight of {n:?} must be a whole number, got {w:?}"))?,
            ),
            None => (part, 1),
        };
        out.push((name.parse::<Scenario>()?, weight));
    }
    if out.iter().map(|(_, w)| u64::from(*w)).sum::<u64>() == 0 {
        return Err("the scenario mix needs at least one scenario with a weight above 0".into());
    }
    Ok(out)
}

/// Parses a flavour list such as "cisco,juniper".
pub fn parse_flavours(s: &str) -> Result<Vec<Vendor>, String> {
    let v: Vec<Vendor> = s
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::parse)
        .collect::<Result<_, _>>()?;
    if v.is_empty() {
        return Err(format!(
            "name at least one flavour: {}",
            SIMULATED.join(", ")
        ));
    }
    if let Some(no) = v.iter().find(|f| !SIMULATED.contains(&f.as_str())) {
        return Err(format!(
            "the simulator has no {no} flavour; it simulates {}",
            SIMULATED.join(", ")
        ));
    }
    Ok(v)
}

/// The flavours the simulator can serve.
pub fn simulated_flavours() -> Vec<Vendor> {
    Vendor::ALL
        .into_iter()
        .filter(|v| SIMULATED.contains(&v.as_str()))
        .collect()
}

pub(crate) fn mix_pick(mix: &[(Scenario, u32)], seed: u64, device: usize, port: usize) -> Scenario {
    let total: u64 = mix.iter().map(|(_, w)| u64::from(*w)).sum();
    let mut h = seed ^ 0x9e37_79b9_7f4a_7c15;
    for x in [device as u64, port as u64] {
        h = (h ^ x).wrapping_mul(0x0100_0000_01b3).rotate_left(29);
        h ^= h >> 31;
    }
    let mut pick = h % total.max(1);
    for (s, w) in mix {
        if pick < u64::from(*w) {
            return *s;
        }
        pick -= u64::from(*w);
    }
    Scenario::Healthy
}

/// The address router `i` listens on.
pub fn device_address(s: &FleetSettings, i: usize) -> Result<SocketAddr, String> {
    if s.one_address {
        let port = if s.port == 0 {
            0
        } else {
            u16::try_from(usize::from(s.port) + i).map_err(|_| {
                format!(
                    "router {i} would need UDP port {} (above 65535)",
                    usize::from(s.port) + i
                )
            })?
        };
        return Ok(SocketAddr::new(IpAddr::V4(s.first_address), port));
    }
    let base = u32::from(s.first_address);
    let ip = base
        .checked_add(i as u32)
        .map(Ipv4Addr::from)
        .filter(|ip| ip.octets()[0] == 127)
        .ok_or_else(|| {
            format!("router {i} would fall outside 127.0.0.0/8; start lower or use --one-address")
        })?;
    Ok(SocketAddr::new(IpAddr::V4(ip), s.port))
}

/// Builds the routers of a fleet (not yet listening).
pub fn build_devices(s: &FleetSettings) -> Vec<Arc<SimDevice>> {
    let mut layouts: HashMap<Vendor, Arc<Layout>> = HashMap::new();
    let flavours = if s.flavours.is_empty() {
        SIMULATED_BY_DEFAULT.to_vec()
    } else {
        s.flavours.clone()
    };
    (0..s.devices)
        .map(|i| {
            let flavour = flavours[i % flavours.len()];
            let layout = layouts
                .entry(flavour)
                .or_insert_with(|| {
                    let peers: Vec<IpAddr> = s.bgp_peers.iter().map(|p| p.addr).collect();
                    Arc::new(Layout::with_bgp(flavour, s.optic, s.ports, &peers))
                })
                .clone();
            let scenarios: Vec<Scenario> = (0..s.ports.max(1))
                .map(|k| mix_pick(&s.mix, s.seed, i, k))
                .collect();
            Arc::new(
                SimDevice::new(
                    device_name(i),
                    layout,
                    s.seed.wrapping_add(i as u64),
                    &scenarios,
                )
                .with_bgp(&s.bgp_peers),
            )
        })
        .collect()
}

/// The name of router `i`: sim-0001, sim-0002, ...
pub fn device_name(i: usize) -> String {
    format!("sim-{:04}", i + 1)
}
