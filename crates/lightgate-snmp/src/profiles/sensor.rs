//! Optics from entity sensors: CISCO-ENTITY-SENSOR-MIB (IOS, IOS-XE, NX-OS, IOS-XR) and
//! ENTITY-SENSOR-MIB (Arista EOS and others). Each sensor's own type, scale and
//! precision decide its unit (never a global guess: the power-of-ten bugs of other
//! tools came from that), thresholds are classified by severity and relation (never by
//! row order), and each sensor is mapped to its interface through the entity tree.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::entity::{column, int_column, quantity_in, EntityTree, InterfaceNames};
use crate::oids;
use crate::plan::{
    fold_single_lane, scale_exponent, scaled, OpticPlan, Quantity, SensorPlan, Unit, OVERFLOW,
    UNDERFLOW,
};
use crate::types::{Oid, Varbind};
use lightgate_core::domain::{power::milliwatts_to_dbm, Standard, Thresholds};

/// Which sensor MIB, and where its thresholds are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavour {
    /// CISCO-ENTITY-SENSOR-MIB, thresholds in entSensorThresholdTable, lanes named
    /// from 1 ("Lane 1" is lane 0).
    Cisco,
    /// ENTITY-SENSOR-MIB with ARISTA-ENTITY-SENSOR-MIB thresholds, lanes from 0.
    Arista,
    /// ENTITY-SENSOR-MIB alone, lanes from 0.
    Plain,
}

struct Columns {
    kind: Oid,
    scale: Oid,
    precision: Oid,
    value: Oid,
    status: Oid,
}

fn columns(f: Flavour) -> Columns {
    match f {
        Flavour::Cisco => Columns {
            kind: oids::cisco_sensor_type(),
            scale: oids::cisco_sensor_scale(),
            precision: oids::cisco_sensor_precision(),
            value: oids::cisco_sensor_value(),
            status: oids::cisco_sensor_status(),
        },
        Flavour::Arista | Flavour::Plain => Columns {
            kind: oids::ent_phy_sensor_type(),
            scale: oids::ent_phy_sensor_scale(),
            precision: oids::ent_phy_sensor_precision(),
            value: oids::ent_phy_sensor_value(),
            status: oids::ent_phy_sensor_status(),
        },
    }
}

/// The columns discovery must walk for a flavour (besides the entity tree).
pub fn discovery_columns(f: Flavour) -> Vec<Oid> {
    let c = columns(f);
    let mut v = vec![c.kind, c.scale, c.precision];
    match f {
        Flavour::Cisco => v.extend([
            oids::cisco_sensor_measured_entity(),
            oids::cisco_threshold_severity(),
            oids::cisco_threshold_relation(),
            oids::cisco_threshold_value(),
        ]),
        Flavour::Arista => v.extend([
            oids::arista_low_warning(),
            oids::arista_low_critical(),
            oids::arista_high_warning(),
            oids::arista_high_critical(),
        ]),
        Flavour::Plain => {}
    }
    v
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
const NO_THRESHOLD: i64 = -32768;

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

/// A threshold value in dBm for a power sensor, if it is a real threshold.
fn threshold_dbm(raw: i64, unit: Unit, exp10: i32) -> Option<f64> {
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

/// Cisco thresholds of one sensor, classified by severity (minor = warning, major and
/// critical = alarm, the most severe winning) and relation (less* = low, greater* =
/// high). Rows with other severities or relations are ignored.
fn cisco_thresholds(walk: &[Varbind], ent: u32, unit: Unit, exp10: i32) -> Thresholds {
    let by_row = |col: Oid| -> HashMap<u32, i64> {
        column(walk, &col)
            .filter_map(|(idx, v)| match idx {
                [e, row] if *e == ent => v.as_i64().map(|n| (*row, n)),
                _ => None,
            })
            .collect()
    };
    let severity = by_row(oids::cisco_threshold_severity());
    let relation = by_row(oids::cisco_threshold_relation());
    let value = by_row(oids::cisco_threshold_value());
    let mut t = Thresholds::default();
    let mut alarm_sev: [i64; 2] = [0, 0]; // [high, low]
    let mut rows: Vec<&u32> = value.keys().collect();
    rows.sort();
    for row in rows {
        let (Some(sev), Some(rel), Some(raw)) =
            (severity.get(row), relation.get(row), value.get(row))
        else {
            continue;
        };
        let Some(v) = threshold_dbm(*raw, unit, exp10) else {
            continue;
        };
        let high = match rel {
            1 | 2 => false,
            3 | 4 => true,
            _ => continue,
        };
        match sev {
            10 => {
                let slot = if high {
                    &mut t.high_warning
                } else {
                    &mut t.low_warning
                };
                slot.get_or_insert(v);
            }
            20 | 30 => {
                let i = usize::from(!high);
                if *sev > alarm_sev[i] {
                    alarm_sev[i] = *sev;
                    if high {
                        t.high_alarm = Some(v);
                    } else {
                        t.low_alarm = Some(v);
                    }
                }
            }
            _ => {}
        }
    }
    t
}

/// Arista thresholds of one sensor (same units as the sensor; +-1e9 means unset).
fn arista_thresholds(walk: &[Varbind], ent: u32, unit: Unit, exp10: i32) -> Thresholds {
    let one = |col: Oid| {
        column(walk, &col)
            .find(|(idx, _)| *idx == [ent])
            .and_then(|(_, v)| v.as_i64())
            .and_then(|raw| threshold_dbm(raw, unit, exp10))
    };
    Thresholds {
        high_alarm: one(oids::arista_high_critical()),
        high_warning: one(oids::arista_high_warning()),
        low_warning: one(oids::arista_low_warning()),
        low_alarm: one(oids::arista_low_critical()),
    }
}

/// Plans the optics of the wanted interfaces from a discovery walk (entity tree,
/// sensor columns and thresholds).
pub fn plan(
    flavour: Flavour,
    walk: &[Varbind],
    wanted: &BTreeSet<u32>,
    names: &InterfaceNames,
) -> BTreeMap<u32, OpticPlan> {
    let tree = EntityTree::from_walk(walk);
    let cols = columns(flavour);
    let kinds = int_column(walk, &cols.kind);
    let scales = int_column(walk, &cols.scale);
    let precisions = int_column(walk, &cols.precision);
    let measured = int_column(walk, &oids::cisco_sensor_measured_entity());
    let lane_base = if flavour == Flavour::Cisco { 1 } else { 0 };
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
        let measured_ent = measured
            .get(ent)
            .and_then(|m| u32::try_from(*m).ok())
            .filter(|m| *m != 0);
        let Some(if_index) = tree.interface_of(*ent, measured_ent, names) else {
            continue;
        };
        if !wanted.contains(&if_index) {
            continue;
        }
        let lane = match quantity {
            Quantity::Rx | Quantity::Tx | Quantity::Bias => {
                tree.lane_of(*ent).map(|l| l.saturating_sub(lane_base))
            }
            _ => None,
        };
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
            let t = match flavour {
                Flavour::Cisco => cisco_thresholds(walk, *ent, unit, exp10),
                Flavour::Arista => arista_thresholds(walk, *ent, unit, exp10),
                Flavour::Plain => Thresholds::default(),
            };
            let slot = if quantity == Quantity::Rx {
                &mut plan.rx_thresholds
            } else {
                &mut plan.tx_thresholds
            };
            if slot.is_empty() {
                *slot = t;
            }
        }
        plan.sensors.push(SensorPlan {
            value: cols.value.child(&[*ent]),
            status: Some(cols.status.child(&[*ent])),
            quantity,
            lane,
            exp10,
            unit,
            sentinels: true,
        });
    }
    for p in plans.values_mut() {
        fold_single_lane(&mut p.sensors);
    }
    plans
}
