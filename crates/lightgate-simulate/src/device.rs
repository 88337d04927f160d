//! One simulated router: its layout, its ports' scenarios, and the values its cells
//! hold at a moment. Values come from the core simulator's physics
//! ([`lightgate_core::sim::model::read`]), encoded the way the flavour's MIB does.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use super::layout::{Cell, Flavour, Layout, Measure, Vendor};
use lightgate_core::domain::{AdminStatus, LinkReading, OperStatus, OpticalPower};
use lightgate_core::sim::{model, Scenario, SimInterface};
use lightgate_snmp::types::Value;

/// How long the simulated routers had been up when the simulator started.
const UP_BEFORE_START: Duration = Duration::from_secs(2 * 86_400);

/// One optical port of a simulated router.
#[derive(Debug, Clone)]
pub struct SimPort {
    pub name: String,
    pub if_index: u32,
    pub iface: SimInterface,
}

/// A link state forced from outside (the simulator's control endpoint).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Forced {
    pub down: bool,
    pub at: SystemTime,
}

/// A simulated router.
#[derive(Debug)]
pub struct SimDevice {
    pub name: String,
    pub layout: Arc<Layout>,
    pub seed: u64,
    pub ports: Vec<SimPort>,
    pub started: std::time::Instant,
    pub started_wall: SystemTime,
    forced: Mutex<HashMap<usize, Forced>>,
    /// Bumped whenever a port is forced, so snapshots taken before are dropped.
    generation: AtomicU64,
    /// The BGP sessions, in the layout's peer order.
    pub bgp: Mutex<Vec<super::bgp::PeerState>>,
    /// When the router last restarted through the control endpoint (sysUpTime counts
    /// from then), and each session's place in the router's own peer index
    /// (jnxBgpM2PeerIndex - 1), which a restart reorders as a real router's does.
    restart: Mutex<Restart>,
}

#[derive(Debug, Default)]
struct Restart {
    at: Option<SystemTime>,
    /// `slots[peer]`: the peer's index slot; identity until the first restart.
    slots: Vec<usize>,
}

/// The readings of a device at one second, computed on demand and reused by every
/// request within that second (a poll of 48 LR4 optics touches each port dozens of
/// times).
#[derive(Debug, Default)]
pub struct Snapshot {
    second: u64,
    generation: u64,
    readings: Vec<Option<LinkReading>>,
    /// Answers `readings` whatever the clock says (tests that give a router values).
    pinned: bool,
}

impl Snapshot {
    /// A snapshot that always answers `readings`, port by port.
    #[cfg(test)]
    pub(crate) fn pinned(readings: Vec<LinkReading>) -> Snapshot {
        Snapshot {
            readings: readings.into_iter().map(Some).collect(),
            pinned: true,
            ..Snapshot::default()
        }
    }
}

fn ticks_between(from: SystemTime, to: SystemTime) -> u32 {
    let cs = to.duration_since(from).unwrap_or_default().as_millis() / 10;
    (cs % (1u128 << 32)) as u32
}

impl SimDevice {
    pub fn new(name: String, layout: Arc<Layout>, seed: u64, scenarios: &[Scenario]) -> Self {
        let ports = (0..layout.ports)
            .map(|k| {
                let name = layout.flavour.interface_name(layout.optic, k);
                let mut iface = SimInterface::new(&name, scenarios[k % scenarios.len().max(1)]);
                iface.optic = layout.optic;
                SimPort {
                    if_index: layout.flavour.if_index(k),
                    name,
                    iface,
                }
            })
            .collect();
        SimDevice {
            name,
            layout,
            seed,
            ports,
            started: std::time::Instant::now(),
            started_wall: SystemTime::now(),
            forced: Mutex::new(HashMap::new()),
            generation: AtomicU64::new(0),
            bgp: Mutex::new(Vec::new()),
            restart: Mutex::new(Restart::default()),
        }
    }

    /// Restarts the router: sysUpTime starts over, every BGP session comes back up
    /// now, and each peer takes the next one's index slot (the last the first's), so
    /// that every index names another neighbour than before.
    pub fn restart(&self) {
        let now = SystemTime::now();
        let mut sessions = self.bgp.lock().unwrap_or_else(|e| e.into_inner());
        for p in sessions.iter_mut() {
            p.since = now;
        }
        let n = sessions.len();
        let mut r = self.restart.lock().unwrap_or_else(|e| e.into_inner());
        r.at = Some(now);
        r.slots = (0..n).map(|k| (k + 1) % n.max(1)).collect();
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// Who answers BGP cell `cell`, and in which index slot: Juniper's prefix counters
    /// and every BFD table (`by_slot`) are keyed by an index the router numbers, so
    /// their cell is an index slot, served
    /// by whichever peer holds it now; every other cell is a peer's (see
    /// [`SimDevice::restart`]).
    fn bgp_holder(&self, cell: usize, by_slot: bool) -> (usize, usize) {
        let r = self.restart.lock().unwrap_or_else(|e| e.into_inner());
        let peer = if by_slot {
            r.slots.iter().position(|s| *s == cell).unwrap_or(cell)
        } else {
            cell
        };
        (peer, r.slots.get(peer).copied().unwrap_or(peer))
    }

    /// Gives the router its BGP sessions (the fleet's `--bgp-peer` list).
    pub fn with_bgp(self, peers: &[super::bgp::SimPeer]) -> Self {
        let since = SystemTime::now()
            .checked_sub(Duration::from_secs(3600))
            .unwrap_or(SystemTime::UNIX_EPOCH);
        *self.bgp.lock().unwrap_or_else(|e| e.into_inner()) = peers
            .iter()
            .map(|p| super::bgp::PeerState {
                peer: p.clone(),
                since,
            })
            .collect();
        self
    }

    pub fn flavour(&self) -> Vendor {
        self.layout.flavour
    }

    fn boot_wall(&self) -> SystemTime {
        if let Some(at) = self.restart.lock().unwrap_or_else(|e| e.into_inner()).at {
            return at;
        }
        self.started_wall
            .checked_sub(UP_BEFORE_START)
            .unwrap_or(SystemTime::UNIX_EPOCH)
    }

    /// sysUpTime now, in hundredths of a second.
    pub fn uptime_ticks(&self) -> u32 {
        ticks_between(self.boot_wall(), SystemTime::now())
    }

    /// Forces port `k` down (no light, oper down) or back up. Returns false for an
    /// unknown port.
    pub fn force(&self, k: usize, down: bool) -> bool {
        if k >= self.ports.len() {
            return false;
        }
        let mut forced = self.forced.lock().unwrap_or_else(|e| e.into_inner());
        forced.insert(
            k,
            Forced {
                down,
                at: SystemTime::now(),
            },
        );
        self.generation.fetch_add(1, Ordering::SeqCst);
        true
    }

    fn forced(&self, k: usize) -> Option<Forced> {
        let forced = self.forced.lock().unwrap_or_else(|e| e.into_inner());
        forced.get(&k).copied()
    }

    /// The reading of port `k` now, with any forced state applied.
    pub fn read_port(&self, k: usize, forced: Option<&Forced>) -> LinkReading {
        let elapsed = self.started.elapsed();
        let clock = model::SimClock {
            elapsed,
            started_wall: self.started_wall,
            // The noise moves once a second.
            poll: elapsed.as_secs(),
        };
        let port = &self.ports[k];
        let mut r = model::read(self.seed, &port.name, &port.iface, clock);
        if let Some(f) = forced {
            r.last_change = Some(f.at);
            if f.down {
                r.oper_status = OperStatus::Down;
                if let Some(o) = r.optic.as_mut() {
                    o.rx = match o.rx {
                        OpticalPower::NotSupported => OpticalPower::NotSupported,
                        _ => OpticalPower::NoLight,
                    };
                    for lane in &mut o.lanes {
                        lane.rx = OpticalPower::NoLight;
                    }
                }
            }
        }
        r
    }

    /// Oper status of port `k` now (for trap generation).
    pub fn oper_up(&self, k: usize) -> bool {
        self.read_port(k, self.forced(k).as_ref()).oper_status == OperStatus::Up
    }

    /// The value of the cell at position `i` of the layout.
    pub fn value(&self, i: usize, snap: &mut Snapshot) -> Value {
        match &self.layout.cells[i].1 {
            Cell::Static(v) => v.clone(),
            Cell::Uptime => Value::TimeTicks(self.uptime_ticks()),
            Cell::AdminStatus(k) => match self.reading(*k, snap).admin_status {
                AdminStatus::Up => Value::Integer(1),
                AdminStatus::Down => Value::Integer(2),
                AdminStatus::Testing => Value::Integer(3),
                // An agent without the column.
                AdminStatus::Unknown => Value::NoSuchInstance,
            },
            Cell::OperStatus(k) => Value::Integer(match self.reading(*k, snap).oper_status {
                OperStatus::Up => 1,
                OperStatus::Down => 2,
                OperStatus::Testing => 3,
                OperStatus::Unknown => 4,
                OperStatus::Dormant => 5,
                OperStatus::NotPresent => 6,
                OperStatus::LowerLayerDown => 7,
            }),
            Cell::LastChange(k) => {
                let boot = self.boot_wall();
                let at = self.reading(*k, snap).last_change.unwrap_or(boot);
                Value::TimeTicks(ticks_between(boot, at))
            }
            Cell::Sensor {
                port,
                measure,
                lane,
            } => {
                let flavour = self.flavour();
                let r = self.reading(*port, snap);
                Value::Integer(encode(flavour, r, *measure, *lane))
            }
            Cell::SensorList { port, measure } => {
                let r = self.reading(*port, snap);
                Value::OctetString(encode_list(r, *measure).into_bytes())
            }
            Cell::SensorStatus { .. } => Value::Integer(1),
            Cell::Bgp { peer, field } => {
                let by_slot = field.by_index(self.flavour());
                let (who, slot) = self.bgp_holder(*peer, by_slot);
                let sessions = self.bgp.lock().unwrap_or_else(|e| e.into_inner());
                match sessions.get(who) {
                    Some(p) => {
                        super::bgp::value(self.flavour(), p, slot, *field, SystemTime::now())
                    }
                    None => Value::NoSuchInstance,
                }
            }
        }
    }

    fn reading<'a>(&self, k: usize, snap: &'a mut Snapshot) -> &'a LinkReading {
        let second = self.started.elapsed().as_secs();
        let generation = self.generation.load(Ordering::SeqCst);
        if !snap.pinned
            && (snap.second != second
                || snap.generation != generation
                || snap.readings.len() != self.ports.len())
        {
            snap.second = second;
            snap.generation = generation;
            snap.readings = vec![None; self.ports.len()];
        }
        snap.readings[k].get_or_insert_with(|| self.read_port(k, self.forced(k).as_ref()))
    }
}

/// A power as the flavour encodes it: 0.01 dBm (Cisco, Juniper; no light is their
/// -40.00 dBm floor) or 0.1 uW (Arista watts/milli/precision 4; no light is 0).
fn encode_power(flavour: Vendor, p: OpticalPower) -> i64 {
    match (flavour, p) {
        (Vendor::Arista | Vendor::EntitySensor | Vendor::Nokia, OpticalPower::Measured(p)) => {
            (p.milliwatts() * 10_000.0).round() as i64
        }
        (Vendor::Arista | Vendor::EntitySensor | Vendor::Nokia, _) => 0,
        // Huawei's module columns in uW (no light: 0).
        (Vendor::Huawei, OpticalPower::Measured(p)) => (p.milliwatts() * 1000.0).round() as i64,
        (Vendor::Huawei, _) => 0,
        (_, OpticalPower::Measured(p)) => (p.dbm() * 100.0).round() as i64,
        (_, _) => -4000,
    }
}

/// Huawei's per-lane text: 0.01 dBm with two decimals ("-Inf" for no light), or bias
/// in mA with two decimals; one item per lane, comma-separated.
fn encode_list(r: &LinkReading, m: Measure) -> String {
    let Some(o) = r.optic.as_ref() else {
        return String::new();
    };
    let lanes: Vec<(OpticalPower, OpticalPower, Option<f64>)> = if o.lanes.is_empty() {
        vec![(o.rx, o.tx, o.bias_amperes)]
    } else {
        o.lanes
            .iter()
            .map(|l| (l.rx, l.tx, l.bias_amperes))
            .collect()
    };
    let power = |p: OpticalPower| match p {
        OpticalPower::Measured(p) => format!("{:.2}", p.dbm() * 100.0),
        _ => "-Inf".to_string(),
    };
    lanes
        .into_iter()
        .map(|(rx, tx, bias)| match m {
            Measure::Rx => power(rx),
            Measure::Tx => power(tx),
            _ => format!("{:.2}", bias.unwrap_or(0.0) * 1000.0),
        })
        .collect::<Vec<_>>()
        .join(",")
}

fn mean_power(ps: impl Iterator<Item = OpticalPower>) -> OpticalPower {
    let (sum, n) = ps.fold((0.0, 0u32), |(s, n), p| match p {
        OpticalPower::Measured(p) => (s + p.milliwatts(), n + 1),
        _ => (s, n + 1),
    });
    if n == 0 {
        return OpticalPower::NotSupported;
    }
    OpticalPower::from_milliwatts(sum / f64::from(n)).unwrap_or(OpticalPower::NotSupported)
}

/// The raw integer of one sensor cell.
fn encode(flavour: Vendor, r: &LinkReading, m: Measure, lane: Option<u16>) -> i64 {
    let Some(o) = r.optic.as_ref() else { return 0 };
    let lane_reading = lane.and_then(|l| o.lanes.iter().find(|x| x.lane == l));
    let power = |d: lightgate_core::domain::Direction| match (lane, lane_reading) {
        (Some(_), Some(l)) => l.power(d),
        (Some(0), None) => o.power(d),
        (Some(_), None) => OpticalPower::NotSupported,
        // A multi-lane module's own row: the mean over its lanes (JUNIPER-DOM-MIB).
        (None, _) if !o.lanes.is_empty() => mean_power(o.lanes.iter().map(|l| l.power(d))),
        (None, _) => o.power(d),
    };
    let bias = match lane_reading {
        Some(l) => l.bias_amperes,
        None => o
            .bias_amperes
            .or_else(|| o.lanes.first().and_then(|l| l.bias_amperes)),
    }
    .unwrap_or(0.0);
    match m {
        Measure::Rx => encode_power(flavour, power(lightgate_core::domain::Direction::Rx)),
        Measure::Tx => encode_power(flavour, power(lightgate_core::domain::Direction::Tx)),
        Measure::Bias => match flavour {
            // 0.01 mA on Arista, uA elsewhere.
            Vendor::Arista | Vendor::EntitySensor => (bias * 100_000.0).round() as i64,
            _ => (bias * 1_000_000.0).round() as i64,
        },
        Measure::Temperature => {
            let t = o.temperature_celsius.unwrap_or(0.0);
            match flavour {
                Vendor::Juniper | Vendor::Huawei => t.round() as i64,
                _ => (t * 10.0).round() as i64,
            }
        }
        Measure::Voltage => {
            let v = o.voltage_volts.unwrap_or(0.0);
            match flavour {
                Vendor::Juniper | Vendor::Huawei => (v * 1000.0).round() as i64,
                // 100 uV
                Vendor::Nokia => (v * 10_000.0).round() as i64,
                _ => (v * 100.0).round() as i64,
            }
        }
    }
}
