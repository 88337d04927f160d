//! The MIB tree of one simulated router: every OID it answers, sorted, and what each
//! one holds. A layout depends only on the vendor flavour, the optic and the number of
//! ports, so a fleet of a thousand identical routers shares one (devices differ in
//! their seed and scenarios, which only change values, never OIDs).

use lightgate_core::domain::Thresholds;
use lightgate_core::sim::OpticModel;
use lightgate_snmp::oids::{self, jnx};
use lightgate_snmp::types::{oid, Oid, Value};

/// The simulated routers speak one of the vendor profiles lightgate reads
/// ([`Vendor`]): Cisco (CISCO-ENTITY-SENSOR-MIB over an ENTITY-MIB tree, NX-OS style
/// per-lane sensors), Juniper (JUNIPER-DOM-MIB module and lane tables, keyed by
/// ifIndex), Arista (ENTITY-SENSOR-MIB in watts with ARISTA-ENTITY-SENSOR-MIB
/// thresholds), plain ENTITY-SENSOR-MIB (the Arista tree without vendor thresholds),
/// Huawei (HUAWEI-ENTITY-EXTENT-MIB lane lists by entity) or Nokia (TIMETRA-PORT-MIB
/// DDM tables in 0.1 uW). MikroTik and AOS-CX are read but not simulated.
pub use lightgate_snmp::Vendor;

/// How a simulated router of each vendor names and numbers things (the simulator's
/// part of a vendor profile).
pub trait Flavour {
    /// The sysObjectID a router of the vendor answers.
    fn sys_object_id(&self) -> Oid;
    /// The interface name of port `k` (0-based), as the vendor's CLI spells it.
    fn interface_name(&self, optic: OpticModel, k: usize) -> String;
    /// The ifIndex of port `k`, in the style of the vendor (sparse on Juniper).
    fn if_index(&self, k: usize) -> u32;
}

impl Flavour for Vendor {
    fn sys_object_id(&self) -> Oid {
        match self {
            // Nexus 93180YC-EX, MX5-T, DCS-7050, a net-snmp Linux box
            Vendor::Cisco => oid("1.3.6.1.4.1.9.12.3.1.3.1812"),
            Vendor::Juniper => oid("1.3.6.1.4.1.2636.1.1.1.2.90"),
            Vendor::Arista => oid("1.3.6.1.4.1.30065.1.3011.7050.1958.128"),
            Vendor::EntitySensor => oid("1.3.6.1.4.1.8072.3.2.10"),
            // S5720-56C-PWR-EI, 7750 SR-1; RouterOS, AOS-CX 6300 (not simulated)
            Vendor::Huawei => oid("1.3.6.1.4.1.2011.2.23.291"),
            Vendor::Nokia => oid("1.3.6.1.4.1.6527.1.3.17"),
            Vendor::Mikrotik => oid("1.3.6.1.4.1.14988.1"),
            Vendor::ArubaCx => oid("1.3.6.1.4.1.47196.4.1.1.1.100"),
        }
    }

    fn interface_name(&self, optic: OpticModel, k: usize) -> String {
        let ten = optic == OpticModel::TenGigLr;
        match (self, ten) {
            (Vendor::Cisco, false) => format!("HundredGigE1/0/{}", k + 1),
            (Vendor::Cisco, true) => format!("TenGigE1/0/{}", k + 1),
            (Vendor::Juniper, false) => format!("et-0/0/{k}"),
            (Vendor::Juniper, true) => format!("xe-0/0/{k}"),
            (Vendor::Arista | Vendor::EntitySensor, _) => format!("Ethernet{}/1", k + 1),
            (Vendor::Huawei, false) => format!("100GE1/0/{}", k + 1),
            (Vendor::Huawei, true) => format!("XGigabitEthernet0/0/{}", k + 1),
            (Vendor::Nokia, _) => format!("1/1/{}", k + 1),
            (Vendor::Mikrotik, _) => format!("sfp-sfpplus{}", k + 1),
            (Vendor::ArubaCx, _) => format!("1/1/{}", k + 1),
        }
    }

    fn if_index(&self, k: usize) -> u32 {
        let k = k as u32;
        match self {
            Vendor::Cisco => 436_207_616 + 4096 * k,
            Vendor::Juniper => 500 + k,
            Vendor::Arista | Vendor::EntitySensor => 1_000_001 + k,
            Vendor::Huawei => 10 + k,
            // TiMOS port IDs: slot 1, MDA 1, port k+1.
            Vendor::Nokia => 35_684_352 + 32_768 * k,
            Vendor::Mikrotik | Vendor::ArubaCx => 1 + k,
        }
    }
}

/// A DOM quantity a sensor cell reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    Rx,
    Tx,
    Bias,
    Temperature,
    Voltage,
}

/// What one OID holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Static(Value),
    /// sysUpTime.0
    Uptime,
    AdminStatus(usize),
    OperStatus(usize),
    LastChange(usize),
    /// A sensor value of port `port`, for `lane` (None: the module).
    Sensor {
        port: usize,
        measure: Measure,
        lane: Option<u16>,
    },
    /// Huawei's per-lane list: one value per lane as text, "-270.19,-268.02" (0.01
    /// dBm; "-Inf" for no light, mA for bias).
    SensorList {
        port: usize,
        measure: Measure,
    },
    /// The status column next to a sensor value: ok(1) while the sensor reads.
    SensorStatus {
        port: usize,
        measure: Measure,
    },
    /// A cell of BGP session `peer` (the fleet's `--bgp-peer` list, in order).
    Bgp {
        peer: usize,
        field: super::bgp::Field,
    },
}

/// The sorted OIDs of one router model.
#[derive(Debug)]
pub struct Layout {
    pub flavour: Vendor,
    pub optic: OpticModel,
    pub ports: usize,
    pub cells: Vec<(Oid, Cell)>,
}

const TYPE_VOLTS_DC: i64 = 4;
const TYPE_AMPERES: i64 = 5;
const TYPE_WATTS: i64 = 6;
const TYPE_CELSIUS: i64 = 8;
const TYPE_DBM: i64 = 14;
const SCALE_MICRO: i64 = 7;
const SCALE_MILLI: i64 = 8;
const SCALE_UNITS: i64 = 9;
const CLASS_CHASSIS: i64 = 3;
const CLASS_CONTAINER: i64 = 5;
const CLASS_SENSOR: i64 = 8;
const CLASS_MODULE: i64 = 9;
const CLASS_PORT: i64 = 10;

fn text(s: &str) -> Cell {
    Cell::Static(Value::OctetString(s.as_bytes().to_vec()))
}
fn int(n: i64) -> Cell {
    Cell::Static(Value::Integer(n))
}

/// (entity type, scale, precision) of a sensor in the ENTITY-SENSOR style flavours.
fn sensor_kind(flavour: Vendor, m: Measure) -> (i64, i64, i64) {
    match (flavour, m) {
        (Vendor::Arista | Vendor::EntitySensor, Measure::Rx | Measure::Tx) => {
            (TYPE_WATTS, SCALE_MILLI, 4)
        }
        (_, Measure::Rx | Measure::Tx) => (TYPE_DBM, SCALE_UNITS, 2),
        (Vendor::Arista | Vendor::EntitySensor, Measure::Bias) => (TYPE_AMPERES, SCALE_MILLI, 2),
        (_, Measure::Bias) => (TYPE_AMPERES, SCALE_MICRO, 0),
        (_, Measure::Temperature) => (TYPE_CELSIUS, SCALE_UNITS, 1),
        (_, Measure::Voltage) => (TYPE_VOLTS_DC, SCALE_UNITS, 2),
    }
}

/// The raw integer a flavour reports for a power threshold given in dBm.
fn raw_power(flavour: Vendor, dbm: f64) -> i64 {
    match flavour {
        Vendor::Arista | Vendor::EntitySensor | Vendor::Nokia => {
            (10f64.powf(dbm / 10.0) * 10_000.0).round() as i64
        }
        _ => (dbm * 100.0).round() as i64,
    }
}

fn measure_label(flavour: Vendor, m: Measure) -> &'static str {
    match (flavour, m) {
        (Vendor::Arista | Vendor::EntitySensor, Measure::Rx) => "RX Power",
        (Vendor::Arista | Vendor::EntitySensor, Measure::Tx) => "TX Power",
        (Vendor::Arista | Vendor::EntitySensor, Measure::Bias) => "TX Bias",
        (_, m) => match m {
            Measure::Rx => "Receive Power",
            Measure::Tx => "Transmit Power",
            Measure::Bias => "Bias Current",
            Measure::Temperature => "Temperature",
            Measure::Voltage => "Voltage",
        },
    }
}

impl Layout {
    /// Builds the tree of a router with `ports` optical ports of one optic model.
    pub fn new(flavour: Vendor, optic: OpticModel, ports: usize) -> Layout {
        Self::with_bgp(flavour, optic, ports, &[])
    }

    /// A router with BGP sessions to `peers` too (see [`super::bgp`]).
    pub fn with_bgp(
        flavour: Vendor,
        optic: OpticModel,
        ports: usize,
        peers: &[std::net::IpAddr],
    ) -> Layout {
        let mut cells: Vec<(Oid, Cell)> = super::bgp::cells(flavour, peers)
            .into_iter()
            .map(|(o, peer, field)| (o, Cell::Bgp { peer, field }))
            .collect();
        if !peers.is_empty() {
            cells.push((
                oid("1.3.6.1.2.1.15.2.0"),
                Cell::Static(Value::Integer(super::bgp::LOCAL_AS)),
            ));
        }
        let profile = optic.profile();
        let lanes = profile.lanes;
        cells.push((
            oids::sys_object_id(),
            Cell::Static(Value::ObjectId(flavour.sys_object_id())),
        ));
        cells.push((oids::sys_uptime(), Cell::Uptime));
        cells.push((
            oids::if_table_last_change(),
            Cell::Static(Value::TimeTicks(100)),
        ));
        let entity_tree = !matches!(flavour, Vendor::Juniper | Vendor::Nokia);
        if entity_tree {
            cells.push((oids::ent_last_change(), Cell::Static(Value::TimeTicks(100))));
        }
        for k in 0..ports {
            let i = [flavour.if_index(k)];
            let name = flavour.interface_name(optic, k);
            let speed = if lanes == 1 { 10_000 } else { 100_000 };
            cells.extend([
                (oids::if_index().child(&i), int(i64::from(i[0]))),
                (oids::if_descr().child(&i), text(&name)),
                (oids::if_admin_status().child(&i), Cell::AdminStatus(k)),
                (oids::if_oper_status().child(&i), Cell::OperStatus(k)),
                (oids::if_last_change().child(&i), Cell::LastChange(k)),
                (
                    oids::if_in_errors().child(&i),
                    Cell::Static(Value::Counter32(0)),
                ),
                (
                    oids::if_out_errors().child(&i),
                    Cell::Static(Value::Counter32(0)),
                ),
                (oids::if_name().child(&i), text(&name)),
                (
                    oids::if_high_speed().child(&i),
                    Cell::Static(Value::Gauge32(speed)),
                ),
                (oids::if_alias().child(&i), text(&format!("sim port {k}"))),
            ]);
            match flavour {
                Vendor::Juniper => juniper_port(&mut cells, k, i[0], lanes, &profile),
                Vendor::Huawei => huawei_port(&mut cells, k, i[0], &name, &profile),
                Vendor::Nokia => nokia_port(&mut cells, k, i[0], lanes, &profile),
                Vendor::Cisco
                | Vendor::Arista
                | Vendor::EntitySensor
                | Vendor::Mikrotik
                | Vendor::ArubaCx => {
                    entity_port(&mut cells, flavour, k, i[0], &name, lanes, &profile)
                }
            }
        }
        if entity_tree {
            let chassis = 1;
            cells.extend([
                (
                    oids::ent_physical_descr().child(&[chassis]),
                    text("simulated chassis"),
                ),
                (oids::ent_physical_contained_in().child(&[chassis]), int(0)),
                (
                    oids::ent_physical_class().child(&[chassis]),
                    int(CLASS_CHASSIS),
                ),
                (oids::ent_physical_name().child(&[chassis]), text("Chassis")),
            ]);
        }
        cells.sort_by(|a, b| a.0.cmp(&b.0));
        cells.dedup_by(|a, b| a.0 == b.0);
        Layout {
            flavour,
            optic,
            ports,
            cells,
        }
    }

    /// The position of `oid` if the tree holds it.
    pub fn find(&self, oid: &Oid) -> Option<usize> {
        self.cells.binary_search_by(|(o, _)| o.cmp(oid)).ok()
    }

    /// The position of the first OID after `oid`.
    pub fn next_after(&self, oid: &Oid) -> usize {
        self.cells.partition_point(|(o, _)| o <= oid)
    }
}

fn juniper_port(
    cells: &mut Vec<(Oid, Cell)>,
    k: usize,
    if_index: u32,
    lanes: u16,
    profile: &lightgate_core::sim::scenario::OpticProfile,
) {
    let cur = |col: u32| oids::jnx_dom_current().child(&[col, if_index]);
    let sensor = |measure, lane| Cell::Sensor {
        port: k,
        measure,
        lane,
    };
    cells.extend([
        (cur(jnx::RX_POWER), sensor(Measure::Rx, None)),
        (cur(jnx::BIAS), sensor(Measure::Bias, None)),
        (cur(jnx::TX_POWER), sensor(Measure::Tx, None)),
        (cur(jnx::TEMPERATURE), sensor(Measure::Temperature, None)),
        (cur(jnx::VOLTAGE), sensor(Measure::Voltage, None)),
        (cur(jnx::LANE_COUNT), int(i64::from(lanes))),
    ]);
    let t = |v: Option<f64>| int(v.map(|d| raw_power(Vendor::Juniper, d)).unwrap_or(0));
    for (col, v) in [
        (jnx::RX_HIGH_ALARM, profile.rx.high_alarm),
        (jnx::RX_LOW_ALARM, profile.rx.low_alarm),
        (jnx::RX_HIGH_WARNING, profile.rx.high_warning),
        (jnx::RX_LOW_WARNING, profile.rx.low_warning),
        (jnx::TX_HIGH_ALARM, profile.tx.high_alarm),
        (jnx::TX_LOW_ALARM, profile.tx.low_alarm),
        (jnx::TX_HIGH_WARNING, profile.tx.high_warning),
        (jnx::TX_LOW_WARNING, profile.tx.low_warning),
    ] {
        cells.push((cur(col), t(v)));
    }
    if lanes > 1 {
        for lane in 0..lanes {
            let l = |col: u32| oids::jnx_dom_lane().child(&[col, if_index, u32::from(lane)]);
            cells.extend([
                (l(jnx::LANE_INDEX), int(i64::from(lane))),
                (l(jnx::LANE_RX_POWER), sensor(Measure::Rx, Some(lane))),
                (l(jnx::LANE_BIAS), sensor(Measure::Bias, Some(lane))),
                (l(jnx::LANE_TX_POWER), sensor(Measure::Tx, Some(lane))),
            ]);
        }
    }
}

/// HUAWEI-ENTITY-EXTENT-MIB hwOpticalModuleInfoTable, indexed by the port's entity,
/// which entAliasMapping ties to the ifIndex (sub-index 1, as VRP does).
fn huawei_port(
    cells: &mut Vec<(Oid, Cell)>,
    k: usize,
    if_index: u32,
    name: &str,
    profile: &lightgate_core::sim::scenario::OpticProfile,
) {
    let ent = 16_842_753 + 64 * k as u32;
    cells.extend([
        (oids::ent_physical_descr().child(&[ent]), text("Port")),
        (oids::ent_physical_contained_in().child(&[ent]), int(1)),
        (oids::ent_physical_class().child(&[ent]), int(CLASS_PORT)),
        (oids::ent_physical_name().child(&[ent]), text(name)),
        (
            oids::ent_alias_mapping().child(&[ent, 1]),
            Cell::Static(Value::ObjectId(oids::if_index().child(&[if_index]))),
        ),
    ]);
    let col = |c: u32| oid("1.3.6.1.4.1.2011.5.25.31.1.1.3.1").child(&[c, ent]);
    let sensor = |measure| Cell::Sensor {
        port: k,
        measure,
        lane: None,
    };
    let list = |measure| Cell::SensorList { port: k, measure };
    cells.extend([
        (col(5), sensor(Measure::Temperature)),
        (col(6), sensor(Measure::Voltage)),
        // The module columns in uW, as an S5720 answers them (lightgate reads the lanes).
        (col(8), sensor(Measure::Rx)),
        (col(9), sensor(Measure::Tx)),
        (col(31), list(Measure::Bias)),
        (col(32), list(Measure::Rx)),
        (col(33), list(Measure::Tx)),
    ]);
    let t = |v: Option<f64>| int(v.map(|d| raw_power(Vendor::Juniper, d)).unwrap_or(-1));
    for (c, v) in [
        (13, profile.rx.low_alarm),
        (14, profile.rx.high_alarm),
        (20, profile.rx.low_warning),
        (21, profile.rx.high_warning),
        (15, profile.tx.low_alarm),
        (16, profile.tx.high_alarm),
        (22, profile.tx.low_warning),
        (23, profile.tx.high_warning),
    ] {
        cells.push((col(c), t(v)));
    }
}

/// TIMETRA-PORT-MIB tmnxDigitalDiagMonitorTable (chassis 1 . port ID) in 0.1 uW, and
/// the lane table for multi-lane optics.
fn nokia_port(
    cells: &mut Vec<(Oid, Cell)>,
    k: usize,
    if_index: u32,
    lanes: u16,
    profile: &lightgate_core::sim::scenario::OpticProfile,
) {
    let col = |c: u32| oid("1.3.6.1.4.1.6527.3.1.2.2.4.31.1").child(&[c, 1, if_index]);
    let sensor = |measure, lane| Cell::Sensor {
        port: k,
        measure,
        lane,
    };
    cells.extend([
        (col(6), sensor(Measure::Voltage, None)),
        (col(16), sensor(Measure::Tx, None)),
        (col(21), sensor(Measure::Rx, None)),
    ]);
    let t = |v: Option<f64>| int(v.map(|d| raw_power(Vendor::Nokia, d)).unwrap_or(0));
    for (c, v) in [
        (17, profile.tx.low_warning),
        (18, profile.tx.low_alarm),
        (19, profile.tx.high_warning),
        (20, profile.tx.high_alarm),
        (22, profile.rx.low_warning),
        (23, profile.rx.low_alarm),
        (24, profile.rx.high_warning),
        (25, profile.rx.high_alarm),
    ] {
        cells.push((col(c), t(v)));
    }
    if lanes > 1 {
        for lane in 0..lanes {
            let l = |c: u32| {
                oid("1.3.6.1.4.1.6527.3.1.2.2.4.66.1").child(&[c, 1, if_index, u32::from(lane) + 1])
            };
            cells.extend([
                (l(12), sensor(Measure::Tx, Some(lane))),
                (l(17), sensor(Measure::Rx, Some(lane))),
            ]);
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn entity_port(
    cells: &mut Vec<(Oid, Cell)>,
    flavour: Vendor,
    k: usize,
    if_index: u32,
    name: &str,
    lanes: u16,
    profile: &lightgate_core::sim::scenario::OpticProfile,
) {
    let base = 100_000_000 + 10_000 * (k as u32 + 1);
    let port_ent = base;
    let xcvr = base + 1;
    let entity = |cells: &mut Vec<(Oid, Cell)>, ent: u32, parent: u32, class: i64, label: &str| {
        cells.extend([
            (oids::ent_physical_descr().child(&[ent]), text(label)),
            (
                oids::ent_physical_contained_in().child(&[ent]),
                int(i64::from(parent)),
            ),
            (oids::ent_physical_class().child(&[ent]), int(class)),
            (oids::ent_physical_name().child(&[ent]), text(label)),
        ]);
    };
    entity(cells, port_ent, 1, CLASS_PORT, name);
    entity(
        cells,
        xcvr,
        port_ent,
        CLASS_MODULE,
        &format!("{name} Transceiver"),
    );
    cells.push((
        oids::ent_alias_mapping().child(&[port_ent, 0]),
        Cell::Static(Value::ObjectId(oids::if_index().child(&[if_index]))),
    ));
    // (sensor, its parent, its label, what it measures, its lane)
    let mut sensors: Vec<(u32, u32, String, Measure, Option<u16>)> = Vec::new();
    for (n, m) in [(1, Measure::Temperature), (2, Measure::Voltage)] {
        let label = match flavour {
            Vendor::Arista | Vendor::EntitySensor => {
                format!("DOM {} Sensor for {name}", measure_label(flavour, m))
            }
            _ => format!("{name} Transceiver {} Sensor", measure_label(flavour, m)),
        };
        sensors.push((xcvr + n, xcvr, label, m, None));
    }
    let lane_measures = [Measure::Rx, Measure::Tx, Measure::Bias];
    if lanes == 1 {
        for (n, m) in (3..).zip(lane_measures) {
            let label = match flavour {
                Vendor::Arista | Vendor::EntitySensor => {
                    format!("DOM {} Sensor for {name}", measure_label(flavour, m))
                }
                _ => format!("{name} Transceiver {} Sensor", measure_label(flavour, m)),
            };
            sensors.push((xcvr + n, xcvr, label, m, None));
        }
    } else {
        for lane in 0..lanes {
            let lane_base = xcvr + 10 * (u32::from(lane) + 1);
            let parent = match flavour {
                Vendor::Arista | Vendor::EntitySensor => {
                    // Arista hangs each lane's sensors under a "Lane N for Xcvr" container.
                    let container = lane_base;
                    entity(
                        cells,
                        container,
                        xcvr,
                        CLASS_CONTAINER,
                        &format!("Lane {lane} for Xcvr for {name}"),
                    );
                    container
                }
                _ => xcvr,
            };
            for (n, m) in (1..).zip(lane_measures) {
                let label = match flavour {
                    Vendor::Arista | Vendor::EntitySensor => {
                        format!("DOM {} Sensor for {name}", measure_label(flavour, m))
                    }
                    // NX-OS numbers lanes from 1.
                    _ => format!(
                        "{name} Lane {} Transceiver {} Sensor",
                        lane + 1,
                        measure_label(flavour, m)
                    ),
                };
                sensors.push((lane_base + n, parent, label, m, Some(lane)));
            }
        }
    }
    for (ent, parent, label, m, lane) in sensors {
        entity(cells, ent, parent, CLASS_SENSOR, &label);
        let (kind, scale, precision) = sensor_kind(flavour, m);
        let value = Cell::Sensor {
            port: k,
            measure: m,
            lane,
        };
        let status = Cell::SensorStatus {
            port: k,
            measure: m,
        };
        let thresholds = match m {
            Measure::Rx => Some(profile.rx),
            Measure::Tx => Some(profile.tx),
            _ => None,
        };
        match flavour {
            Vendor::Cisco => {
                let col = |c: Oid| c.child(&[ent]);
                cells.extend([
                    (col(oids::cisco_sensor_type()), int(kind)),
                    (col(oids::cisco_sensor_scale()), int(scale)),
                    (col(oids::cisco_sensor_precision()), int(precision)),
                    (col(oids::cisco_sensor_value()), value),
                    (col(oids::cisco_sensor_status()), status),
                    (
                        col(oids::cisco_sensor_measured_entity()),
                        int(i64::from(port_ent)),
                    ),
                ]);
                if let Some(t) = thresholds {
                    cisco_thresholds(cells, ent, &t);
                }
            }
            _ => {
                let col = |c: Oid| c.child(&[ent]);
                cells.extend([
                    (col(oids::ent_phy_sensor_type()), int(kind)),
                    (col(oids::ent_phy_sensor_scale()), int(scale)),
                    (col(oids::ent_phy_sensor_precision()), int(precision)),
                    (col(oids::ent_phy_sensor_value()), value),
                    (col(oids::ent_phy_sensor_status()), status),
                ]);
                // Plain ENTITY-SENSOR-MIB has no threshold columns.
                if let (Some(t), Vendor::Arista) = (thresholds, flavour) {
                    let raw =
                        |v: Option<f64>| int(v.map(|d| raw_power(Vendor::Arista, d)).unwrap_or(0));
                    cells.extend([
                        (col(oids::arista_low_warning()), raw(t.low_warning)),
                        (col(oids::arista_low_critical()), raw(t.low_alarm)),
                        (col(oids::arista_high_warning()), raw(t.high_warning)),
                        (col(oids::arista_high_critical()), raw(t.high_alarm)),
                    ]);
                }
            }
        }
    }
}

/// entSensorThresholdTable rows: (severity, relation, value) as NX-OS lists them.
fn cisco_thresholds(cells: &mut Vec<(Oid, Cell)>, ent: u32, t: &Thresholds) {
    let rows = [
        (10, 1, t.low_warning),
        (20, 1, t.low_alarm),
        (20, 3, t.high_alarm),
        (10, 3, t.high_warning),
    ];
    for (row, (severity, relation, v)) in (1u32..).zip(rows) {
        let Some(v) = v else { continue };
        cells.extend([
            (
                oids::cisco_threshold_severity().child(&[ent, row]),
                int(severity),
            ),
            (
                oids::cisco_threshold_relation().child(&[ent, row]),
                int(relation),
            ),
            (
                oids::cisco_threshold_value().child(&[ent, row]),
                int(raw_power(Vendor::Cisco, v)),
            ),
        ]);
    }
}
