//! The shared in-memory state: the latest reading of every polled interface, each
//! device's last success and last error, and each link's history. Pollers write it,
//! the exporter and API read consistent snapshots of it.
//!
//! A `std::sync::RwLock` and not tokio's: every critical section is short and never
//! awaits, which is the case mini-redis's `db.rs` documents for the same choice.
//! Readers clone what they need into views and render outside the lock.

use std::collections::HashMap;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{Duration, Instant, SystemTime};

use crate::config::{Config, LinkConfig, PortConfig};
use crate::domain::{
    evaluate_link, span_loss_db, AzureAdminState, AzureInput, AzureLink, AzurePort, LinkId,
    LinkInputs, LinkReading, LinkTracker, PortReadiness, Windows,
};
use crate::shard::Shard;
use crate::source::{PollResult, SourceError};
use crate::telemetry::PollMetrics;

pub mod bgp;
mod counters;

pub use counters::{DeviceCounters, ALWAYS_EXPORTED_TRAPS, POLL_BUCKETS, TRAP_KINDS};

/// What is known about one interface of a device.
#[derive(Debug, Clone, Default)]
pub struct InterfaceState {
    /// The latest successful reading, however old. Boxed: inline, every entry of the
    /// per-device map (and its empty slots) was 430 bytes, 29 KB for a 48-optic router.
    pub reading: Option<Box<LinkReading>>,
    pub read_at: Option<Instant>,
    pub read_at_wall: Option<SystemTime>,
    /// Why the latest poll gave no reading for this interface, if it did not.
    pub error: Option<String>,
}

/// What is known about one device.
#[derive(Debug, Clone, Default)]
pub struct DeviceState {
    pub last_success: Option<Instant>,
    pub last_success_wall: Option<SystemTime>,
    /// Set while the latest poll failed: the error and its kind.
    pub last_error: Option<(String, &'static str)>,
    pub interfaces: HashMap<String, InterfaceState>,
    /// Polls, errors, SNMP traffic and traps since the agent started.
    pub counters: DeviceCounters,
    /// How long the latest poll took.
    pub last_poll: Option<Duration>,
}

impl DeviceState {
    /// A device is up when it has answered and its latest poll succeeded.
    pub fn up(&self) -> bool {
        self.last_success.is_some() && self.last_error.is_none()
    }
}

/// The history of one link, with the settings it was built under: a link whose device,
/// interface or window changes in a reload starts a fresh history.
#[derive(Debug, Clone)]
struct LinkHistory {
    key: (LinkConfig, Windows, Duration),
    tracker: LinkTracker,
}

/// What Azure said about one port, most recently.
#[derive(Debug, Clone, Default)]
pub struct AzureState {
    /// The latest successful observation and when it was made.
    pub observed: Option<(Instant, SystemTime, AzurePort)>,
    /// Set while the latest Azure poll failed.
    pub error: Option<String>,
}

#[derive(Debug)]
struct State {
    config: Arc<Config>,
    // Boxed values: a map keeps about half its slots empty, and a slot is as large as
    // its value (a device's state is 352 bytes, a link's history about 460).
    devices: HashMap<String, Box<DeviceState>>,
    links: HashMap<(String, LinkId), Box<LinkHistory>>,
    azure: HashMap<String, AzureState>,
    bgp: HashMap<String, bgp::BgpObservation>,
}

/// A snapshot of one link, for rendering.
#[derive(Debug, Clone)]
pub struct LinkView {
    pub link: LinkId,
    pub config: LinkConfig,
    /// The Azure admin state readiness used, and where it came from ("declared",
    /// "observed", or "unavailable" when Azure is configured but gave nothing recent).
    pub azure_admin: AzureAdminState,
    pub azure_origin: &'static str,
    /// Azure's fresh view of the link, when observed.
    pub azure: Option<AzureLink>,
    /// Span loss (to_azure, from_azure) in dB, when both ends have values.
    pub span_loss_db: (Option<f64>, Option<f64>),
    pub reading: Option<LinkReading>,
    pub read_at_wall: Option<SystemTime>,
    /// True while `reading` is younger than the port's staleness limit.
    pub fresh: bool,
    pub error: Option<String>,
    pub flaps: u64,
    /// How long the link has been undisturbed (the hold-down counts this), once read.
    pub stable_for: Option<Duration>,
    /// Polled by another agent of a sharded fleet: nothing local to show.
    pub remote: bool,
}

/// A snapshot of one port: its settings, its verdict and both links.
#[derive(Debug, Clone)]
pub struct PortView {
    pub config: PortConfig,
    /// Azure's fresh observation of the port (circuits included), when observed.
    pub azure: Option<AzurePort>,
    /// Why there is no fresh Azure observation, when the port is meant to have one.
    pub azure_error: Option<String>,
    pub readiness: PortReadiness,
    pub evaluated_at: SystemTime,
    pub links: [LinkView; 2],
    /// The port's peerings and whether their BGP sessions are ready for traffic.
    pub peerings: Vec<crate::bgp::PeeringReadiness>,
}

impl PortView {
    /// The circuit of that name seen in Azure on this port.
    pub fn azure_circuit(&self, circuit: &str) -> Option<&crate::domain::AzureCircuit> {
        self.azure
            .as_ref()?
            .circuits
            .iter()
            .find(|c| c.name == circuit)
    }

    /// The port's ARM id, when its Azure side is observed (a circuit naming another
    /// port is then never this port's).
    fn observed_port_id(&self) -> Option<&str> {
        self.azure
            .as_ref()
            .and(self.config.azure_port_id.as_deref())
    }

    /// What the gate decides on `action` now: a port action on the port, a circuit
    /// action on `circuit` (its Azure states, its peerings). The one evaluation the
    /// gate, the workflow, the HTTP answers, the page and the metrics render.
    pub fn decide(
        &self,
        action: lightgate_core::gate::Action,
        circuit: Option<&str>,
    ) -> lightgate_core::gate::Outcome {
        let peerings = circuit.map(|c| self.peerings_of(c)).unwrap_or_default();
        lightgate_core::gate::decide(
            action,
            &self.readiness,
            self.observed_port_id(),
            circuit.and_then(|c| self.azure_circuit(c)),
            &peerings,
        )
    }

    /// What enable-traffic decides on one peering of this port alone (its links, its
    /// circuit's Azure states, its checks): the verdict of the peering's answers.
    pub fn decide_peering(
        &self,
        peering: &crate::bgp::PeeringReadiness,
    ) -> lightgate_core::gate::Outcome {
        lightgate_core::gate::decide(
            lightgate_core::gate::Action::EnableTraffic,
            &self.readiness,
            self.observed_port_id(),
            self.azure_circuit(&peering.circuit),
            std::slice::from_ref(peering),
        )
    }

    /// The peerings of `circuit` on this port.
    pub fn peerings_of(&self, circuit: &str) -> Vec<crate::bgp::PeeringReadiness> {
        self.peerings
            .iter()
            .filter(|p| p.circuit == circuit)
            .cloned()
            .collect()
    }
}

/// A snapshot of one device.
#[derive(Debug, Clone)]
pub struct DeviceView {
    pub name: String,
    pub source: &'static str,
    pub up: bool,
    pub last_success_wall: Option<SystemTime>,
    pub last_error: Option<String>,
    pub last_poll: Option<Duration>,
    /// Polls (`counters.polls`), errors, SNMP traffic and traps.
    pub counters: DeviceCounters,
}

/// The shared state. Cheap to share as `Arc<Store>`.
#[derive(Debug)]
pub struct Store {
    state: RwLock<State>,
    /// This agent's part of a sharded fleet; `None` polls every device.
    shard: Option<Shard>,
    pub poll_metrics: PollMetrics,
    /// Bumped after every change a reader could see (a poll, an Azure observation, a
    /// config), so that live views wake on changes instead of re-reading on a timer.
    changes: tokio::sync::watch::Sender<u64>,
}

impl Store {
    pub fn new(config: Config) -> Self {
        Self::new_sharded(config, None)
    }

    /// A store for the devices of `shard` only.
    pub fn new_sharded(config: Config, shard: Option<Shard>) -> Self {
        let store = Store {
            shard,
            state: RwLock::new(State {
                config: Arc::new(Config::new(
                    config.listen,
                    None,
                    config.audit_log.clone(),
                    None,
                    Vec::new(),
                    Vec::new(),
                )),
                devices: HashMap::new(),
                links: HashMap::new(),
                azure: HashMap::new(),
                bgp: HashMap::new(),
            }),
            poll_metrics: PollMetrics::new(),
            changes: tokio::sync::watch::Sender::new(0),
        };
        store.apply_config(config);
        store
    }

    // A poisoned lock only means another thread panicked mid-update of plain data;
    // the data is still usable, and the agent must keep serving.
    fn read(&self) -> RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, State> {
        self.state.write().unwrap_or_else(|e| e.into_inner())
    }

    /// A receiver that sees a new value after every change of the state.
    pub fn subscribe_changes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.changes.subscribe()
    }

    /// Tells live views that the state changed (after the lock is released).
    fn changed(&self) {
        self.changes.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Whether this agent polls `device` (its shard owns it).
    pub fn owns(&self, device: &str) -> bool {
        self.shard.is_none_or(|s| s.owns(device))
    }

    /// This agent's shard, if the fleet is sharded.
    pub fn shard(&self) -> Option<Shard> {
        self.shard
    }

    /// The config in force.
    pub fn config(&self) -> Arc<Config> {
        self.read().config.clone()
    }

    /// Switches to a new config. Devices and links that did not change keep their
    /// state; removed ones are forgotten, so their series disappear from /metrics.
    pub fn apply_config(&self, config: Config) {
        let mut state = self.write();
        let removed: Vec<String> = state
            .devices
            .keys()
            .filter(|name| config.device(name).is_none() || !self.owns(name))
            .cloned()
            .collect();
        for name in &removed {
            state.devices.remove(name);
            state.bgp.remove(name);
        }
        // Only this agent's devices: another shard's would be zero-valued series and
        // memory for devices nobody here polls.
        for device in config.devices.iter().filter(|d| self.owns(&d.name)) {
            let wanted = config.interfaces_of(&device.name);
            let entry = state.devices.entry(device.name.clone()).or_default();
            entry.interfaces.retain(|name, _| wanted.contains(name));
        }
        let mut links = HashMap::new();
        for port in &config.ports {
            for id in LinkId::BOTH {
                if !self.owns(&port.link(id).device) {
                    continue; // another shard tracks its flaps
                }
                let key = (port.link(id).clone(), port.policy().windows, port.staleness);
                let slot = (port.name.clone(), id);
                let history = match state.links.remove(&slot) {
                    Some(h) if h.key == key => h,
                    _ => Box::new(LinkHistory {
                        key,
                        tracker: LinkTracker::default(),
                    }),
                };
                links.insert(slot, history);
            }
        }
        state.links = links;
        state
            .azure
            .retain(|port, _| config.port(port).is_some_and(|p| p.azure_port_id.is_some()));
        state.config = Arc::new(config);
        drop(state);
        self.changed();
    }

    /// Records one read of `device`'s BGP sessions.
    pub fn record_bgp(
        &self,
        device: &str,
        outcome: &Result<Vec<crate::bgp::BgpSession>, String>,
        now: Instant,
        wall: SystemTime,
    ) {
        {
            let mut state = self.write();
            if state.config.device(device).is_none() {
                return;
            }
            state
                .bgp
                .entry(device.to_string())
                .or_default()
                .record(outcome, now, wall);
        }
        self.changed();
    }

    /// Microsoft's addresses `device` must have BGP sessions with, over every port's
    /// peerings (from Azure where observed, else from the config).
    pub fn bgp_wanted(&self, device: &str, now: Instant) -> Vec<crate::source::BgpWanted> {
        let state = self.read();
        let ports: Vec<(&PortConfig, Vec<crate::bgp::PeeringSpec>)> = state
            .config
            .ports_of(device)
            // Neither Azure nor a declared peering: nothing to look for (most ports).
            .filter(|p| p.azure_port_id.is_some() || !p.peerings.is_empty())
            .map(|p| (p, crate::peerings::specs(p, azure_port(&state, p, now).0)))
            .collect();
        crate::peerings::wanted(device, &ports)
    }

    /// When each established BGP session came up (Unix seconds), per device, for the
    /// devices that have any: what /metrics needs of the observations.
    pub fn bgp_established_at(&self) -> HashMap<String, bgp::EstablishedAt> {
        self.read()
            .bgp
            .iter()
            .filter(|(_, o)| !o.established_at.is_empty())
            .map(|(d, o)| (d.clone(), o.established_at.clone()))
            .collect()
    }

    /// The interfaces a device's poll should read, per the config in force.
    pub fn interfaces_of(&self, device: &str) -> Vec<String> {
        self.read().config.interfaces_of(device)
    }

    /// Records one poll of `device`, with the SNMP request PDUs and varbinds it cost
    /// (zero for other sources), under one write of the state.
    pub fn record_poll(
        &self,
        device: &str,
        outcome: Result<PollResult, SourceError>,
        traffic: (u64, u64),
        took: Duration,
        now: Instant,
        wall: SystemTime,
    ) {
        self.apply_poll(device, outcome, traffic, took, now, wall);
        self.changed();
    }

    fn apply_poll(
        &self,
        device: &str,
        outcome: Result<PollResult, SourceError>,
        (requests, varbinds): (u64, u64),
        took: Duration,
        now: Instant,
        wall: SystemTime,
    ) {
        let mut guard = self.write();
        let state = &mut *guard;
        if !state.devices.contains_key(device) {
            return; // removed by a reload while the poll was in flight
        }
        // The link trackers first: they look at the readings the interfaces then take.
        // Only this device's ports (an index): scanning every port at every poll cost
        // O(devices x ports) per cycle, a tenth of a second at 10,000 routers.
        if let Ok(results) = &outcome {
            for port in state.config.ports_of(device) {
                for id in LinkId::BOTH {
                    let link = port.link(id);
                    if link.device != device {
                        continue;
                    }
                    let reading = match results.get(&link.interface) {
                        Some(Ok(r)) => r,
                        _ => continue,
                    };
                    if let Some(h) = state.links.get_mut(&(port.name.clone(), id)) {
                        h.tracker
                            .observe(id, reading, &port.policy().windows, port.staleness, now);
                    }
                }
            }
        }
        let Some(dev) = state.devices.get_mut(device) else {
            return;
        };
        dev.counters
            .observe(took, outcome.as_ref().err().map(|e| e.kind()));
        dev.counters.snmp_requests += requests;
        dev.counters.snmp_varbinds += varbinds;
        dev.last_poll = Some(took);
        let results = match outcome {
            Err(e) => {
                dev.last_error = Some((e.to_string(), e.kind()));
                return;
            }
            Ok(results) => results,
        };
        dev.last_success = Some(now);
        dev.last_success_wall = Some(wall);
        dev.last_error = None;
        // Moved, not copied: a reading is stored as the poll made it.
        for (name, result) in results {
            let iface = dev.interfaces.entry(name).or_default();
            match result {
                Ok(reading) => {
                    // Into the interface's box when it has one: a new box per
                    // interface per poll was 48,000 allocations a cycle at 1000 x 48.
                    match &mut iface.reading {
                        Some(kept) => **kept = reading,
                        None => iface.reading = Some(Box::new(reading)),
                    }
                    iface.read_at = Some(now);
                    iface.read_at_wall = Some(wall);
                    iface.error = None;
                }
                Err(e) => iface.error = Some(e),
            }
        }
    }

    /// Records the outcome of one Azure poll of a port.
    pub fn record_azure(
        &self,
        port: &str,
        outcome: Result<AzurePort, String>,
        now: Instant,
        wall: SystemTime,
    ) {
        self.apply_azure(port, outcome, now, wall);
        self.changed();
    }

    fn apply_azure(
        &self,
        port: &str,
        outcome: Result<AzurePort, String>,
        now: Instant,
        wall: SystemTime,
    ) {
        let mut state = self.write();
        if state
            .config
            .port(port)
            .is_none_or(|p| p.azure_port_id.is_none())
        {
            return;
        }
        let entry = state.azure.entry(port.to_string()).or_default();
        match outcome {
            Ok(obs) => {
                entry.observed = Some((now, wall, obs));
                entry.error = None;
            }
            Err(e) => entry.error = Some(e),
        }
    }

    /// Whether the latest Azure poll of each Azure-observed port succeeded.
    pub fn azure_up(&self) -> Vec<(String, bool)> {
        let state = self.read();
        state
            .config
            .ports
            .iter()
            .filter(|p| p.azure_port_id.is_some())
            .map(|p| {
                let s = state.azure.get(&p.name);
                (
                    p.name.clone(),
                    s.is_some_and(|s| s.observed.is_some() && s.error.is_none()),
                )
            })
            .collect()
    }

    /// Counts a trap accepted from `device`; `coalesced` when it started no poll of its
    /// own (one was running or had just run).
    pub fn record_trap(&self, device: &str, kind: lightgate_snmp::trap::TrapKind, coalesced: bool) {
        if let Some(dev) = self.write().devices.get_mut(device) {
            dev.counters.trap(kind);
            if coalesced {
                dev.counters.trap_polls_coalesced += 1;
            }
        }
    }

    /// A device's counters (zero for one this agent does not poll).
    pub fn counters(&self, device: &str) -> DeviceCounters {
        self.read()
            .devices
            .get(device)
            .map(|d| d.counters.clone())
            .unwrap_or_default()
    }

    /// A number that changes whenever anything a port's view is built from changes (a
    /// poll of either link's device, either way; an Azure observation of the port; the
    /// config): cheap, so that live views re-evaluate a port only when it moved. `None`
    /// for a port that is not configured.
    pub fn port_signature(&self, name: &str) -> Option<u64> {
        use std::hash::{Hash, Hasher};
        let state = self.read();
        let port = state.config.port(name)?;
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (Arc::as_ptr(&state.config) as usize).hash(&mut h);
        for id in LinkId::BOTH {
            let device = state.devices.get(&port.link(id).device);
            device.map(|d| d.counters.polls).hash(&mut h);
        }
        if let Some(a) = state.azure.get(name) {
            a.observed.as_ref().map(|(at, _, _)| *at).hash(&mut h);
            a.error.hash(&mut h);
        }
        for id in LinkId::BOTH {
            state
                .bgp
                .get(&port.link(id).device)
                .map(|b| b.reads)
                .hash(&mut h);
        }
        Some(h.finish())
    }

    /// Every port, evaluated at `now`, in config order.
    pub fn ports(&self, now: Instant) -> Vec<PortView> {
        let state = self.read();
        let wall = SystemTime::now();
        state
            .config
            .ports
            .iter()
            .map(|p| port_view(&state, self.shard, p, now, wall))
            .collect()
    }

    /// One port by name, evaluated at `now`.
    pub fn port(&self, name: &str, now: Instant) -> Option<PortView> {
        let state = self.read();
        let config = state.config.clone();
        config
            .port(name)
            .map(|p| port_view(&state, self.shard, p, now, SystemTime::now()))
    }

    /// The circuit of that name on an Azure-observed port, with its port, at `now`.
    pub fn circuit(
        &self,
        circuit: &str,
        now: Instant,
    ) -> Option<(PortView, crate::domain::AzureCircuit)> {
        self.ports(now).into_iter().find_map(|v| {
            let c = v
                .azure
                .as_ref()?
                .circuits
                .iter()
                .find(|c| c.name == circuit)?
                .clone();
            Some((v, c))
        })
    }

    /// The circuit of that name and its port, at `now`: seen in Azure (with its
    /// states), else known by the peerings a port declares for it (without Azure), in
    /// one evaluation of the ports.
    pub fn circuit_or_declared(
        &self,
        circuit: &str,
        now: Instant,
    ) -> Option<(PortView, Option<crate::domain::AzureCircuit>)> {
        let mut declared = None;
        for v in self.ports(now) {
            if let Some(c) = v
                .azure
                .as_ref()
                .and_then(|a| a.circuits.iter().find(|c| c.name == circuit))
            {
                let c = c.clone();
                return Some((v, Some(c)));
            }
            if declared.is_none() && v.peerings.iter().any(|p| p.circuit == circuit) {
                declared = Some(v);
            }
        }
        declared.map(|v| (v, None))
    }

    /// Calls `f` with the fresh reading of every monitored interface that no port link
    /// of this agent exports already (device, interface, reading), under one read lock.
    /// A reading is fresh for three poll intervals of its device.
    pub fn for_each_monitored(&self, now: Instant, mut f: impl FnMut(&str, &str, &LinkReading)) {
        let state = self.read();
        let in_ports: std::collections::HashSet<(&str, &str)> = state
            .config
            .ports
            .iter()
            .flat_map(|p| [&p.link1, &p.link2])
            .map(|l| (l.device.as_str(), l.interface.as_str()))
            .collect();
        for d in &state.config.devices {
            if d.monitor.is_empty() || !self.owns(&d.name) {
                continue;
            }
            let Some(dev) = state.devices.get(&d.name) else {
                continue;
            };
            let max_age = d.poll_interval * 3;
            for name in &d.monitor {
                if in_ports.contains(&(d.name.as_str(), name.as_str())) {
                    continue;
                }
                let Some(iface) = dev.interfaces.get(name) else {
                    continue;
                };
                let fresh = iface
                    .read_at
                    .is_some_and(|t| now.saturating_duration_since(t) <= max_age);
                if let (Some(r), true) = (&iface.reading, fresh) {
                    f(&d.name, name, r);
                }
            }
        }
    }

    /// The devices this agent polls (in a sharded fleet, its shard's only: another
    /// agent's device is not down here, it is simply not ours to report).
    pub fn devices(&self) -> Vec<DeviceView> {
        let state = self.read();
        state
            .config
            .devices
            .iter()
            .filter(|d| self.owns(&d.name))
            .map(|d| {
                let s = state.devices.get(&d.name).map(|s| &**s);
                DeviceView {
                    name: d.name.clone(),
                    source: d.source.kind(),
                    up: s.is_some_and(DeviceState::up),
                    last_success_wall: s.and_then(|s| s.last_success_wall),
                    last_error: s.and_then(|s| s.last_error.as_ref().map(|e| e.0.clone())),
                    last_poll: s.and_then(|s| s.last_poll),
                    counters: s.map(|s| s.counters.clone()).unwrap_or_default(),
                }
            })
            .collect()
    }
}

/// The fresh Azure observation of a port, or why there is none; (None, None) for a
/// port that is not observed (its admin states are declared).
fn azure_port<'a>(
    state: &'a State,
    port: &PortConfig,
    now: Instant,
) -> (Option<&'a AzurePort>, Option<String>) {
    if port.azure_port_id.is_none() {
        return (None, None);
    }
    let max_age = state
        .config
        .azure
        .as_ref()
        .map(|a| a.poll_interval * 3)
        .unwrap_or(Duration::from_secs(180));
    let s = state.azure.get(&port.name);
    let error = s.and_then(|s| s.error.clone());
    match s.and_then(|s| s.observed.as_ref()) {
        Some((at, _, obs)) if now.saturating_duration_since(*at) <= max_age => (Some(obs), None),
        Some((at, _, _)) => {
            let age = crate::domain::format_duration(now.saturating_duration_since(*at));
            let why = match error {
                Some(e) => format!("last observed {age} ago; since then: {e}"),
                None => format!("last observed {age} ago"),
            };
            (None, Some(why))
        }
        None => (
            None,
            Some(error.unwrap_or_else(|| "no answer from Azure yet".to_string())),
        ),
    }
}

/// The Azure side of one link for readiness, from its port's observation: declared,
/// observed, or unavailable with the reason.
fn azure_of(
    port: &PortConfig,
    id: LinkId,
    observed: Option<&AzurePort>,
    why: Option<&String>,
) -> (
    AzureAdminState,
    &'static str,
    Option<AzureLink>,
    Option<String>,
) {
    if port.azure_port_id.is_none() {
        return (port.link(id).azure_admin_state, "declared", None, None);
    }
    match observed {
        Some(obs) => {
            let link = match id {
                LinkId::Link1 => obs.link1.clone(),
                LinkId::Link2 => obs.link2.clone(),
            };
            (link.admin, "observed", Some(link), None)
        }
        None => (AzureAdminState::Unknown, "unavailable", None, why.cloned()),
    }
}

fn port_view(
    state: &State,
    shard: Option<Shard>,
    port: &PortConfig,
    now: Instant,
    wall: SystemTime,
) -> PortView {
    let policy = port.policy();
    let empty_tracker = LinkTracker::default();
    let empty_iface = InterfaceState::default();
    let (observed, observed_why) = azure_port(state, port, now);
    let mut views = Vec::with_capacity(2);
    let mut checks = Vec::with_capacity(2);
    for id in LinkId::BOTH {
        let link = port.link(id);
        let device = state.devices.get(&link.device);
        let iface = device
            .and_then(|d| d.interfaces.get(&link.interface))
            .unwrap_or(&empty_iface);
        let remote = shard.is_some_and(|s| !s.owns(&link.device));
        let remote_note = shard.filter(|_| remote).map(|s| format!("polled by another lightgate agent (this one is shard {s}); gate through Prometheus"));
        let error = if remote {
            remote_note.as_deref()
        } else {
            device
                .and_then(|d| d.last_error.as_ref().map(|e| e.0.as_str()))
                .or(iface.error.as_deref())
        };
        let tracker = state
            .links
            .get(&(port.name.clone(), id))
            .map(|h| &h.tracker)
            .unwrap_or(&empty_tracker);
        let (azure_admin, azure_origin, azure, azure_why) =
            azure_of(port, id, observed, observed_why.as_ref());
        let azure_input = match (&azure, &azure_why) {
            (_, Some(why)) => AzureInput::Unavailable(why),
            (Some(a), None) => AzureInput::Observed {
                admin: a.admin,
                line_protocol_up: a.line_protocol_up,
                received: &a.rx,
                stale: a.stale.as_deref(),
                provisioning: &a.provisioning,
                admin_said: a.admin_said.as_deref(),
            },
            (None, None) => AzureInput::Declared(azure_admin),
        };
        let inputs = LinkInputs {
            link: id,
            azure: azure_input,
            reading: iface.reading.as_deref(),
            read_at: iface.read_at,
            error,
            tracker,
        };
        checks.push(evaluate_link(&inputs, &policy, now));
        let fresh = iface
            .read_at
            .is_some_and(|t| now.saturating_duration_since(t) <= port.staleness);
        let span_loss_db = match (
            &azure,
            iface.reading.as_ref().and_then(|r| r.optic.as_ref()),
        ) {
            (Some(a), Some(o)) if fresh => span_loss_db(o, a),
            _ => (None, None),
        };
        views.push(LinkView {
            link: id,
            config: link.clone(),
            azure_admin,
            azure_origin,
            azure,
            span_loss_db,
            reading: iface.reading.as_deref().cloned(),
            read_at_wall: iface.read_at_wall,
            fresh,
            error: error.map(str::to_string),
            flaps: tracker.flaps(),
            stable_for: tracker
                .disturbed()
                .map(|(at, _)| now.saturating_duration_since(at)),
            remote,
        });
    }
    let link2 = checks.pop().expect("two links");
    let link1 = checks.pop().expect("two links");
    let [v1, v2]: [LinkView; 2] = views.try_into().expect("two links");
    let peerings = bgp::peerings(&state.bgp, shard, port, observed, now);
    PortView {
        peerings,
        config: port.clone(),
        azure: observed.cloned(),
        azure_error: observed_why,
        readiness: PortReadiness { link1, link2 },
        evaluated_at: wall,
        links: [v1, v2],
    }
}

/// The current instant on tokio's clock, so that tests with a paused clock see the
/// same time in the pollers, the store and the exporter.
pub fn now() -> Instant {
    tokio::time::Instant::now().into_std()
}
