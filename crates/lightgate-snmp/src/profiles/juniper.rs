//! JUNIPER-DOM-MIB: a module table and a lane table, both keyed by ifIndex, in fixed
//! units (0.01 dBm, 0.001 mA, Celsius, 0.001 V). No entity mapping is needed. A row of
//! zeros means "no DOM", not 0 dBm (librenms PR #5582); a single zero threshold is a
//! real 0 dBm threshold.

use std::collections::{BTreeMap, BTreeSet};

use super::entity::InterfaceNames;
use super::table::{self, Column, RowKey, Table, TableMib};
use crate::client::Counters;
use crate::oids::{self, jnx};
use crate::plan::{scaled, OpticPlan, Quantity, SensorKind, SensorPlan, Unit};
use crate::transport::Transport;
use crate::types::{Oid, Value, Varbind};
use lightgate_core::domain::Thresholds;
use lightgate_core::source::SourceError;

/// Whether a sysObjectID is Juniper's (enterprise 2636).
pub fn detects(sys_object_id: &Oid) -> bool {
    sys_object_id.0.starts_with(&[1, 3, 6, 1, 4, 1, 2636])
}

/// Plans the optics of `indexes`: one GET of every interface's thresholds and lane
/// count, then a walk of the lane table of each interface that has lanes.
pub async fn discover<T: Transport>(
    transport: &mut T,
    indexes: &BTreeSet<u32>,
    names: &InterfaceNames,
    counters: &mut Counters,
) -> Result<BTreeMap<u32, Result<OpticPlan, String>>, SourceError> {
    let cells: Vec<Oid> = indexes.iter().flat_map(|i| discovery_oids(*i)).collect();
    let answers = transport.get(&cells, counters).await?;
    // The lane rows of every interface that has lanes, walked side by side.
    let with_lanes: Vec<u32> = indexes
        .iter()
        .copied()
        .filter(|i| {
            answers
                .iter()
                .find(|(o, _)| *o == oids::jnx_dom_current().child(&[jnx::LANE_COUNT, *i]))
                .and_then(|(_, v)| v.as_i64())
                .is_some_and(|lanes| lanes > 0)
        })
        .collect();
    let roots: Vec<Oid> = with_lanes.iter().map(|i| lane_walk_root(*i)).collect();
    let lane_walk = transport.walk_columns(&roots, counters).await?;
    let mut optics = BTreeMap::new();
    for i in indexes {
        let root = lane_walk_root(*i);
        let start = lane_walk.partition_point(|(o, _)| *o < root);
        let end = start + lane_walk[start..].partition_point(|(o, _)| o.starts_with(&root));
        optics.insert(*i, plan(*i, &answers, &lane_walk[start..end]));
    }
    // Coherent optics (and DWDM line ports) have no JUNIPER-DOM-MIB row: their powers
    // are in the OTN performance table.
    let without: BTreeSet<u32> = optics
        .iter()
        .filter(|(_, p)| p.is_err())
        .map(|(i, _)| *i)
        .collect();
    if !without.is_empty() {
        let coherent = table::discover(&COHERENT, transport, &without, names, counters).await?;
        optics.extend(coherent);
    }
    Ok(optics)
}

/// JNX-OPT-IF-EXT-MIB's current performance table (1.3.6.1.4.1.2636.3.71.1.2.1.1),
/// indexed by ifIndex: Tx output .7 and Rx input .8, in 0.01 dBm.
pub const COHERENT: TableMib = TableMib {
    name: "Juniper OTN performance table (coherent optics)",
    tables: &[Table {
        entry: "1.3.6.1.4.1.2636.3.71.1.2.1.1",
        key: RowKey::IfIndex,
        present: 8,
        lane_list: None,
        columns: &[
            Column::integer(8, Quantity::Rx, -2, Unit::Dbm),
            Column::integer(7, Quantity::Tx, -2, Unit::Dbm),
        ],
        thresholds: &[],
        unit_check: None,
    }],
};

const THRESHOLD_COLUMNS: [u32; 8] = [
    jnx::RX_HIGH_ALARM,
    jnx::RX_LOW_ALARM,
    jnx::RX_HIGH_WARNING,
    jnx::RX_LOW_WARNING,
    jnx::TX_HIGH_ALARM,
    jnx::TX_LOW_ALARM,
    jnx::TX_HIGH_WARNING,
    jnx::TX_LOW_WARNING,
];

/// The cells discovery GETs for one interface: thresholds and lane count.
pub fn discovery_oids(if_index: u32) -> Vec<Oid> {
    THRESHOLD_COLUMNS
        .iter()
        .chain(&[jnx::LANE_COUNT])
        .map(|c| oids::jnx_dom_current().child(&[*c, if_index]))
        .collect()
}

/// The subtree discovery walks for one interface's lanes (jnxDomLaneIndex).
pub fn lane_walk_root(if_index: u32) -> Oid {
    oids::jnx_dom_lane().child(&[jnx::LANE_INDEX, if_index])
}

/// Plans one interface from its discovery answers, or says why it has no DOM.
pub fn plan(
    if_index: u32,
    answers: &[Varbind],
    lane_walk: &[Varbind],
) -> Result<OpticPlan, String> {
    let get = |col: u32| {
        let want = oids::jnx_dom_current().child(&[col, if_index]);
        answers.iter().find(|(o, _)| *o == want).map(|(_, v)| v)
    };
    let values: Vec<Option<i64>> = THRESHOLD_COLUMNS
        .iter()
        .map(|c| get(*c).and_then(Value::as_i64))
        .collect();
    if values.iter().all(Option::is_none) {
        return Err("no DOM: the device has no JUNIPER-DOM-MIB row for this interface (no optic, or copper)".to_string());
    }
    let all_zero = values.iter().all(|v| *v == Some(0));
    let dbm = |i: usize| {
        if all_zero {
            None
        } else {
            values[i].map(|v| scaled(v, -2))
        }
    };
    let rx_thresholds = Thresholds {
        high_alarm: dbm(0),
        low_alarm: dbm(1),
        high_warning: dbm(2),
        low_warning: dbm(3),
    };
    let tx_thresholds = Thresholds {
        high_alarm: dbm(4),
        low_alarm: dbm(5),
        high_warning: dbm(6),
        low_warning: dbm(7),
    };
    let kind = |column: Oid, quantity, lane, exp10, unit| SensorKind {
        value: column,
        status: None,
        quantity,
        lane,
        exp10,
        unit,
        sentinels: false,
        encoding: Default::default(),
        absent: None,
    };
    let module = |col: u32, quantity, exp10, unit| {
        let column = oids::jnx_dom_current().child(&[col]);
        SensorPlan::at(kind(column, quantity, None, exp10, unit), &[if_index])
    };
    let mut sensors = vec![
        module(jnx::RX_POWER, Quantity::Rx, -2, Unit::Dbm),
        module(jnx::TX_POWER, Quantity::Tx, -2, Unit::Dbm),
        module(jnx::BIAS, Quantity::Bias, -6, Unit::Amperes),
        module(jnx::TEMPERATURE, Quantity::Temperature, 0, Unit::Celsius),
        module(jnx::VOLTAGE, Quantity::Voltage, -3, Unit::Volts),
    ];
    let root = lane_walk_root(if_index);
    for (o, _) in lane_walk {
        let Some([lane]) = o.suffix(&root) else {
            continue;
        };
        let Ok(lane16) = u16::try_from(*lane) else {
            continue;
        };
        for (col, quantity, exp10, unit) in [
            (jnx::LANE_RX_POWER, Quantity::Rx, -2, Unit::Dbm),
            (jnx::LANE_TX_POWER, Quantity::Tx, -2, Unit::Dbm),
            (jnx::LANE_BIAS, Quantity::Bias, -6, Unit::Amperes),
        ] {
            let column = oids::jnx_dom_lane().child(&[col]);
            sensors.push(SensorPlan::at(
                kind(column, quantity, Some(lane16), exp10, unit),
                &[if_index, *lane],
            ));
        }
    }
    Ok(OpticPlan {
        sensors,
        rx_thresholds: rx_thresholds.into(),
        tx_thresholds: tx_thresholds.into(),
        zero_row_means_absent: true,
        standard: None,
    })
}
