//! What the vendor DOM tables share: one row per optic (or per lane), keyed by the
//! interface or by its entity, with each column in a fixed unit the MIB states. A
//! vendor file (Huawei, Nokia, MikroTik, AOS-CX, Juniper's coherent table) is a
//! [`TableMib`]: its tables, how their rows name an interface, and its columns.
//!
//! Discovery walks only the columns that say which rows hold an optic (and, for
//! Huawei, how many lanes it has), then GETs the thresholds of those rows; every poll
//! then GETs the planned cells of the wanted interfaces.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::entity::{column, EntityTree, InterfaceNames};
use crate::client::Counters;
use crate::oids;
use crate::plan::{
    decimal, fold_single_lane, scaled, Encoding, Number, OpticPlan, Quantity, SensorKind,
    SensorPlan, Unit,
};
use crate::transport::{get_present, Transport};
use crate::types::{oid, Oid, Value, Varbind};
use lightgate_core::domain::{power::milliwatts_to_dbm, Thresholds};
use lightgate_core::source::SourceError;

/// How a table's row index names an interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKey {
    /// The index is the ifIndex.
    IfIndex,
    /// chassis . ifIndex (TiMOS: tmnxChassisIndex . tmnxPortPortID, which is the
    /// ifIndex).
    ChassisIfIndex,
    /// ifIndex . lane, lanes numbered from 1 (AOS-CX).
    IfIndexLane,
    /// chassis . ifIndex . lane, lanes numbered from 1 (TiMOS lane table).
    ChassisIfIndexLane,
    /// An entPhysicalIndex, mapped to its interface through the entity tree (Huawei).
    Entity,
    /// Any index; the interface is named in this column of the row (MikroTik, whose
    /// row numbers are not tied to interfaces).
    NamedIn(u32),
}

/// Which threshold a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    HighAlarm,
    HighWarning,
    LowWarning,
    LowAlarm,
}

/// One value column.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub col: u32,
    pub quantity: Quantity,
    /// The value is `number * 10^exp10` in `unit`.
    pub exp10: i32,
    pub unit: Unit,
    pub encoding: Encoding,
    /// A raw value meaning "no reading".
    pub absent: Option<i64>,
}

impl Column {
    /// An integer column with no "no reading" value.
    pub const fn integer(col: u32, quantity: Quantity, exp10: i32, unit: Unit) -> Column {
        Column {
            col,
            quantity,
            exp10,
            unit,
            encoding: Encoding::Integer,
            absent: None,
        }
    }

    /// A column of decimal numbers written as text.
    pub const fn decimal(col: u32, quantity: Quantity, exp10: i32, unit: Unit) -> Column {
        Column {
            col,
            quantity,
            exp10,
            unit,
            encoding: Encoding::Decimal,
            absent: None,
        }
    }
}

/// One threshold column, in the same units as the power it bounds.
#[derive(Debug, Clone, Copy)]
pub struct ThresholdColumn {
    pub col: u32,
    pub rx: bool,
    pub limit: Limit,
    pub exp10: i32,
    pub unit: Unit,
    pub encoding: Encoding,
}

/// One table of a MIB.
pub struct Table {
    /// The table's entry OID (columns are its children).
    pub entry: &'static str,
    pub key: RowKey,
    /// The column discovery walks to find the rows (an optic is there when it holds a
    /// value other than `absent`, or a non-empty text).
    pub present: u32,
    /// The column whose comma-separated text lists one value per lane (Huawei): the
    /// lane count is its number of items.
    pub lane_list: Option<u32>,
    pub columns: &'static [Column],
    pub thresholds: &'static [ThresholdColumn],
    /// How the unit of the power columns is confirmed, when the MIB's word is not
    /// enough (firmware that differs from it); `None`: the columns' own unit.
    pub unit_check: Option<UnitCheck>,
}

/// A row's power columns whose unit is confirmed at discovery against other columns
/// of the same power in another unit: a decoder never guesses a power of ten.
pub struct UnitCheck {
    /// The other columns, read at discovery with the thresholds.
    pub columns: &'static [u32],
    /// Given a row's cells by column, the power columns' exp10 (their unit stays the
    /// column's), or why it cannot be established (the interface then has no optic
    /// plan, with that reason).
    pub decide: fn(&RowCells) -> Result<i32, String>,
}

/// A row's cells by column number, as a [`UnitCheck`] reads them.
pub type RowCells<'a> = dyn Fn(u32) -> Option<Value> + 'a;

/// A vendor's DOM MIB: one table, or a lane table and a module table.
pub struct TableMib {
    pub name: &'static str,
    pub tables: &'static [Table],
}

/// One row found at discovery.
struct Row {
    if_index: u32,
    index: Vec<u32>,
    /// The lane, from 0, of a lane-table row.
    lane: Option<u16>,
    /// The lanes listed in one cell (Huawei), when there are any.
    listed_lanes: u16,
}

/// Plans the optics of `wanted` interfaces from a MIB's tables.
pub async fn discover<T: Transport>(
    mib: &TableMib,
    transport: &mut T,
    wanted: &BTreeSet<u32>,
    names: &InterfaceNames,
    counters: &mut Counters,
) -> Result<BTreeMap<u32, Result<OpticPlan, String>>, SourceError> {
    let mut plans: BTreeMap<u32, OpticPlan> = BTreeMap::new();
    // Interfaces whose power unit could not be established, and why.
    let mut refused: BTreeMap<u32, String> = BTreeMap::new();
    let mut tree: Option<EntityTree> = None;
    for table in mib.tables {
        let entry = oid(table.entry);
        let mut walk = transport
            .walk(&entry.child(&[table.present]), counters)
            .await?;
        if walk.is_empty() {
            continue;
        }
        let mut more = Vec::new();
        if let Some(list) = table.lane_list.filter(|c| *c != table.present) {
            more.push(entry.child(&[list]));
        }
        if let RowKey::NamedIn(col) = table.key {
            more.push(entry.child(&[col]));
        }
        walk.extend(transport.walk_columns(&more, counters).await?);
        if table.key == RowKey::Entity && tree.is_none() {
            let columns = [
                oids::ent_physical_contained_in(),
                oids::ent_physical_class(),
                oids::ent_physical_name(),
                oids::ent_physical_descr(),
                oids::ent_alias_mapping(),
            ];
            let ent = transport.walk_columns(&columns, counters).await?;
            tree = Some(EntityTree::from_walk(&ent));
        }
        let rows = rows(table, &entry, &walk, tree.as_ref(), names, wanted);
        if rows.is_empty() {
            continue;
        }
        // Thresholds of just the rows found, in one GET (not a walk of every row).
        let checked = table.unit_check.as_ref().map_or(&[][..], |u| u.columns);
        let cells: Vec<Oid> = rows
            .iter()
            .flat_map(|r| {
                let thresholds = table.thresholds.iter().map(|t| t.col);
                thresholds
                    .chain(checked.iter().copied())
                    .map(|col| entry.child(&[col]).child(&r.index))
            })
            .collect();
        walk.extend(get_present(transport, &cells, counters).await?);
        for row in rows {
            let power_exp10 = match &table.unit_check {
                None => None,
                Some(check) => {
                    let cell = |col: u32| {
                        let o = entry.child(&[col]).child(&row.index);
                        walk.iter().find(|(k, _)| *k == o).map(|(_, v)| v.clone())
                    };
                    match (check.decide)(&cell) {
                        Ok(exp10) => Some(exp10),
                        Err(why) => {
                            refused.insert(row.if_index, why);
                            continue;
                        }
                    }
                }
            };
            plan_row(
                table,
                &entry,
                &walk,
                &row,
                power_exp10,
                plans.entry(row.if_index).or_default(),
            );
        }
    }
    refused.retain(|i, _| !plans.contains_key(i));
    let refused = refused.into_iter().map(|(i, why)| (i, Err(why)));
    Ok(plans
        .into_iter()
        // A module row without a power reading (temperature only) is no optic.
        .filter(|(_, p)| {
            p.sensors
                .iter()
                .any(|s| matches!(s.quantity, Quantity::Rx | Quantity::Tx))
        })
        .map(|(i, mut p)| {
            fold_single_lane(&mut p.sensors);
            (i, Ok(p))
        })
        .chain(refused)
        .collect())
}

/// The rows of `table` that hold an optic of a wanted interface.
fn rows(
    table: &Table,
    entry: &Oid,
    walk: &[Varbind],
    tree: Option<&EntityTree>,
    names: &InterfaceNames,
    wanted: &BTreeSet<u32>,
) -> Vec<Row> {
    let present_col = entry.child(&[table.present]);
    let present_absent = table
        .columns
        .iter()
        .find(|c| c.col == table.present)
        .and_then(|c| c.absent);
    let text_of = |col: u32, index: &[u32]| -> Option<String> {
        let o = entry.child(&[col]).child(index);
        walk.iter()
            .find(|(k, _)| *k == o)
            .and_then(|(_, v)| v.as_text())
    };
    let mut out = Vec::new();
    for (index, v) in column(walk, &present_col) {
        let there = match v {
            Value::OctetString(_) => v.as_text().is_some_and(|t| {
                let t = t.trim();
                !t.is_empty() && !t.eq_ignore_ascii_case("n/a")
            }),
            other => other.as_i64().is_some_and(|n| Some(n) != present_absent),
        };
        if !there {
            continue;
        }
        let (if_index, lane) = match (table.key, index) {
            (RowKey::IfIndex, [i]) => (Some(*i), None),
            (RowKey::ChassisIfIndex, [_, i]) => (Some(*i), None),
            (RowKey::IfIndexLane, [i, l]) | (RowKey::ChassisIfIndexLane, [_, i, l]) => (
                Some(*i),
                u16::try_from(*l).ok().and_then(|l| l.checked_sub(1)),
            ),
            (RowKey::Entity, [e]) => (tree.and_then(|t| t.interface_of(*e, None, names)), None),
            (RowKey::NamedIn(col), idx) => (text_of(col, idx).and_then(|n| names.find(&n)), None),
            _ => (None, None),
        };
        let Some(if_index) = if_index.filter(|i| wanted.contains(i)) else {
            continue;
        };
        if matches!(table.key, RowKey::IfIndexLane | RowKey::ChassisIfIndexLane) && lane.is_none() {
            continue;
        }
        let listed_lanes = table
            .lane_list
            .and_then(|c| text_of(c, index))
            .map(|t| t.split(',').filter(|s| !s.trim().is_empty()).count())
            .and_then(|n| u16::try_from(n).ok())
            .unwrap_or(0);
        if table.lane_list.is_some() && listed_lanes == 0 {
            continue;
        }
        out.push(Row {
            if_index,
            index: index.to_vec(),
            lane,
            listed_lanes,
        });
    }
    out
}

/// Adds one row's sensors and thresholds to its interface's plan; `power_exp10` is
/// the power columns' exp10 as a [`UnitCheck`] confirmed it.
fn plan_row(
    table: &Table,
    entry: &Oid,
    walk: &[Varbind],
    row: &Row,
    power_exp10: Option<i32>,
    plan: &mut OpticPlan,
) {
    for c in table.columns {
        let column = entry.child(&[c.col]);
        let exp10 = match c.quantity {
            Quantity::Rx | Quantity::Tx => power_exp10.unwrap_or(c.exp10),
            _ => c.exp10,
        };
        let sensor = |lane: Option<u16>, encoding: Encoding| {
            let kind = SensorKind {
                value: column.clone(),
                status: None,
                quantity: c.quantity,
                lane,
                exp10,
                unit: c.unit,
                sentinels: false,
                encoding,
                absent: c.absent,
            };
            SensorPlan::at(kind, &row.index)
        };
        match c.encoding {
            // One cell, one value per lane.
            Encoding::DecimalList(_) => {
                for l in 0..row.listed_lanes {
                    plan.sensors.push(sensor(Some(l), Encoding::DecimalList(l)));
                }
            }
            // Module values (temperature, voltage) come once per interface even from a
            // lane table.
            e => {
                let lane = match c.quantity {
                    Quantity::Rx | Quantity::Tx | Quantity::Bias => row.lane,
                    _ => None,
                };
                let duplicate = lane.is_none()
                    && plan
                        .sensors
                        .iter()
                        .any(|s| s.quantity == c.quantity && s.lane.is_none());
                if !duplicate {
                    plan.sensors.push(sensor(lane, e));
                }
            }
        }
    }
    for t in table.thresholds {
        let cell = entry.child(&[t.col]).child(&row.index);
        let Some(v) = walk.iter().find(|(k, _)| *k == cell).map(|(_, v)| v) else {
            continue;
        };
        let Some(dbm) = threshold_dbm(v, t) else {
            continue;
        };
        let th: &mut Thresholds = if t.rx {
            Arc::make_mut(&mut plan.rx_thresholds)
        } else {
            Arc::make_mut(&mut plan.tx_thresholds)
        };
        let slot = match t.limit {
            Limit::HighAlarm => &mut th.high_alarm,
            Limit::HighWarning => &mut th.high_warning,
            Limit::LowWarning => &mut th.low_warning,
            Limit::LowAlarm => &mut th.low_alarm,
        };
        slot.get_or_insert(dbm);
    }
}

/// A threshold cell in dBm, if it holds a usable number.
fn threshold_dbm(v: &Value, t: &ThresholdColumn) -> Option<f64> {
    let (raw, digits) = match t.encoding {
        Encoding::Integer => (v.as_i64()?, 0),
        _ => match decimal(&v.as_text()?) {
            Number::Exact(raw, digits) => (raw, digits),
            _ => return None,
        },
    };
    let value = scaled(raw, t.exp10 - digits);
    match t.unit {
        Unit::Dbm => Some(value),
        Unit::Milliwatts if value > 0.0 => Some(milliwatts_to_dbm(value)),
        _ => None,
    }
}
