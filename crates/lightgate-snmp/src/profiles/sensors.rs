//! What the entity-sensor profiles share: planning optics from a walk of the entity tree
//! and a sensor table shaped like ENTITY-SENSOR-MIB (Cisco's, Arista's and the plain
//! one differ in columns, thresholds and lane numbering, which each profile's file
//! gives as a [`SensorMib`]). Each sensor's own type, scale and precision decide its
//! unit (never a global guess: the power-of-ten bugs of other tools came from that),
//! and each sensor is mapped to its interface through the entity tree.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use super::entity::{int_column, quantity_in, EntityTree, InterfaceNames};
use crate::plan::{
    fold_single_lane, scale_exponent, scaled, OpticPlan, Quantity, SensorKind, SensorPlan, Unit,
    OVERFLOW, UNDERFLOW,
};
use crate::types::{Oid, Value, Varbind};
use lightgate_core::domain::{power::milliwatts_to_dbm, Standard, Thresholds};

/// One sensor MIB: its columns, its thresholds and how it numbers lanes.
pub struct SensorMib {
    /// Sensor type, scale, precision, value and status columns (indexed by entity).
    pub kind: fn() -> Oid,
    pub scale: fn() -> Oid,
    pub precision: fn() -> Oid,
    pub value: fn() -> Oid,
    pub status: fn() -> Oid,
    /// The column naming the entity a sensor measures, where the MIB has one.
    pub measured_entity: Option<fn() -> Oid>,
    /// Threshold columns discovery walks besides the sensor columns, indexed by the
    /// sensor's entity first.
    pub threshold_columns: fn() -> Vec<Oid>,
    /// A power sensor's thresholds: (the threshold cells, sensor entity, unit, exp10).
    pub thresholds: fn(&ThresholdCells, u32, Unit, i32) -> Thresholds,
    /// The number of the first lane in sensor names ("Lane 1" is lane 0 on Cisco).
    pub lane_base: u16,
    /// Whether the threshold columns have rows of their own under each sensor
    /// (Cisco's `entSensorThresholdIndex`), rather than one cell per sensor.
    pub threshold_rows: bool,
}

/// No thresholds: for MIBs that carry none.
pub fn no_thresholds(_: &ThresholdCells, _: u32, _: Unit, _: i32) -> Thresholds {
    Thresholds::default()
}

/// The cells of a MIB's threshold columns, by column (its position in
/// `threshold_columns`) and sensor entity, each with the rest of its index. Built once
/// per discovery: looking each sensor's cells up in the whole walk was quadratic, two
/// thirds of the agent's CPU while discovering routers of 48 optics.
pub struct ThresholdCells<'a> {
    cells: HashMap<(usize, u32), Vec<Cell<'a>>>,
}

/// A threshold cell: the rest of its index after the sensor's entity, and its value.
type Cell<'a> = (&'a [u32], &'a Value);

impl<'a> ThresholdCells<'a> {
    pub fn new(walk: &'a [Varbind], columns: &[Oid]) -> Self {
        let mut cells: HashMap<(usize, u32), Vec<Cell<'a>>> = HashMap::new();
        for (o, v) in walk {
            for (c, col) in columns.iter().enumerate() {
                if let Some([ent, rest @ ..]) = o.suffix(col) {
                    cells.entry((c, *ent)).or_default().push((rest, v));
                }
            }
        }
        ThresholdCells { cells }
    }

    /// The cells of column number `column` for the sensor `ent`: (rest of the index,
    /// value), in walk order.
    pub fn of(&self, column: usize, ent: u32) -> &[Cell<'a>] {
        self.cells.get(&(column, ent)).map_or(&[], Vec::as_slice)
    }
}

/// entSensorType / entPhySensorType values lightgate uses.
const TYPE_OTHER: i64 = 1;
const TYPE_VOLTS_AC: i64 = 3;
const TYPE_VOLTS_DC: i64 = 4;
const TYPE_AMPERES: i64 = 5;
const TYPE_WATTS: i64 = 6;
const TYPE_CELSIUS: i64 = 8;
const TYPE_DBM: i64 = 14;
/// Cisco's "no threshold" value.
pub const NO_THRESHOLD: i64 = -32768;

/// How one sensor is read, or `None` if it is not an optic sensor lightgate uses.
fn unit_and_quantity(
    kind: i64,
    label_quantity: Option<Quantity>,
    exp10: i32,
) -> Option<(Quantity, Unit, i32)> {
    match (kind, label_quantity) {
        (TYPE_DBM, Some(q @ (Quantity::Rx | Quantity::Tx))) => Some((q, Unit::Dbm, exp10)),
        // ASR920 IOS-XE reports dBm sensors as other(1) (LibreNMS "Fix for Cisco ASR920").
        (TYPE_OTHER, Some(q @ (Quantity::Rx | Quantity::Tx))) => Some((q, Unit::Dbm, exp10)),
        // Watts (IOS-XR, Arista, SONiC): to milliwatts.
        (TYPE_WATTS, Some(q @ (Quantity::Rx | Quantity::Tx))) => {
            Some((q, Unit::Milliwatts, exp10 + 3))
        }
        (TYPE_AMPERES, _) => Some((Quantity::Bias, Unit::Amperes, exp10)),
        (TYPE_CELSIUS, _) => Some((Quantity::Temperature, Unit::Celsius, exp10)),
        (TYPE_VOLTS_DC | TYPE_VOLTS_AC, _) => Some((Quantity::Voltage, Unit::Volts, exp10)),
        _ => None,
    }
}

/// Whether a sensor of this type can be an optic's Rx or Tx power (its name decides).
pub fn may_be_power(kind: i64) -> bool {
    matches!(
        unit_and_quantity(kind, Some(Quantity::Rx), 0),
        Some((Quantity::Rx, _, _))
    )
}

/// The entity a sensor says it measures (entSensorMeasuredEntity), when it names one.
pub fn measured_entity(measured: &HashMap<u32, i64>, sensor: u32) -> Option<u32> {
    measured
        .get(&sensor)
        .and_then(|m| u32::try_from(*m).ok())
        .filter(|m| *m != 0)
}

/// A threshold value in dBm for a power sensor, if it is a real threshold.
pub fn threshold_dbm(raw: i64, unit: Unit, exp10: i32) -> Option<f64> {
    if raw == NO_THRESHOLD || raw == UNDERFLOW || raw == OVERFLOW {
        return None;
    }
    let v = scaled(raw, exp10);
    match unit {
        Unit::Dbm => Some(v),
        Unit::Milliwatts if v > 0.0 => Some(milliwatts_to_dbm(v)),
        _ => None,
    }
}

/// Plans the optics of the wanted interfaces from a discovery walk (entity tree,
/// sensor columns and thresholds).
pub fn plan(
    mib: &SensorMib,
    walk: &[Varbind],
    wanted: &BTreeSet<u32>,
    names: &InterfaceNames,
) -> BTreeMap<u32, OpticPlan> {
    let tree = EntityTree::from_walk(walk);
    let kinds = int_column(walk, &(mib.kind)());
    let scales = int_column(walk, &(mib.scale)());
    let precisions = int_column(walk, &(mib.precision)());
    let measured = mib
        .measured_entity
        .map(|col| int_column(walk, &col()))
        .unwrap_or_default();
    let threshold_cells = ThresholdCells::new(walk, &(mib.threshold_columns)());
    let mut plans: BTreeMap<u32, OpticPlan> = BTreeMap::new();
    let mut sensors: Vec<&u32> = kinds.keys().collect();
    sensors.sort();
    for ent in sensors {
        let kind = kinds[ent];
        let label_q = tree.labels(*ent).find_map(quantity_in);
        let exp10 = scale_exponent(
            *scales.get(ent).unwrap_or(&9),
            *precisions.get(ent).unwrap_or(&0),
        );
        let Some((quantity, unit, exp10)) = unit_and_quantity(kind, label_q, exp10) else {
            continue;
        };
        // A bias, temperature or voltage sensor must also be named as an optic's.
        if label_q.is_none() {
            continue;
        }
        let measured_ent = measured_entity(&measured, *ent);
        // The lane as the name writes it; numbered from 0 or 1 (decided per optic below).
        let mut lane = match quantity {
            Quantity::Rx | Quantity::Tx | Quantity::Bias => tree.lane_of(*ent),
            _ => None,
        };
        let if_index = match tree.interface_of(*ent, measured_ent, names) {
            Some(i) => i,
            // A broken-out port: each lane is an interface of its own, with one lane.
            None => match lane.and_then(|l| tree.breakout_interface(*ent, l, names)) {
                Some(i) => {
                    lane = None;
                    i
                }
                None => continue,
            },
        };
        if !wanted.contains(&if_index) {
            continue;
        }
        let plan = plans.entry(if_index).or_default();
        if plan.standard.is_none() {
            // The transceiver entity the sensor sits under often names its type
            // ("QSFP 100GBASE-LR4"): lane count and launch power follow from it.
            plan.standard = tree
                .lineage(*ent)
                .into_iter()
                .skip(1)
                .take(3)
                .flat_map(|e| tree.labels(e))
                .find_map(Standard::detect);
        }
        if matches!(quantity, Quantity::Rx | Quantity::Tx) {
            let t = (mib.thresholds)(&threshold_cells, *ent, unit, exp10);
            let slot = if quantity == Quantity::Rx {
                Arc::make_mut(&mut plan.rx_thresholds)
            } else {
                Arc::make_mut(&mut plan.tx_thresholds)
            };
            if slot.is_empty() {
                *slot = t;
            }
        }
        let kind = SensorKind {
            value: (mib.value)(),
            status: Some((mib.status)()),
            quantity,
            lane,
            exp10,
            unit,
            sentinels: true,
            encoding: Default::default(),
            absent: None,
        };
        plan.sensors.push(SensorPlan::at(kind, &[*ent]));
    }
    for p in plans.values_mut() {
        // NX-OS writes "Lane 1" for the first lane, IOS-XR "Lane 0": an optic with a
        // lane 0 counts from 0, the others from the MIB's usual first lane.
        let base = if p.sensors.iter().any(|s| s.lane == Some(0)) {
            0
        } else {
            mib.lane_base
        };
        for s in &mut p.sensors {
            if let Some(l) = s.lane {
                s.set_lane(Some(l.saturating_sub(base)));
            }
        }
        fold_single_lane(&mut p.sensors);
    }
    plans
}
