//! Huawei VRP: HUAWEI-ENTITY-EXTENT-MIB hwOpticalModuleInfoTable
//! (1.3.6.1.4.1.2011.5.25.31.1.1.3.1), one row per optic, indexed by entPhysicalIndex
//! and mapped to its interface through entAliasMapping (whose rows end in `.1` on
//! these switches, not `.0`) or the entity's name.
//!
//! The module columns hwEntityOpticalRxPower/TxPower (.8/.9) are in 0.01 dBm by the
//! MIB (V3.05) but in uW on older firmware (an S5720 answers 536 for -2.7 dBm), and
//! nothing in the row says which. lightgate reads the per-lane columns,
//! hwEntityOpticalLaneRxPower/TxPower (.32/.33), text lists ("-270.19", or
//! "114,32,-90,-228" for four lanes; "-Inf" for no light), with the lane bias (.31,
//! mA). Those lists are in 0.01 dBm on VRP V200 but in dBm on newer VRP and YunShan
//! ("-1.25,-1.39,-2.47,-1.34", and "-40.00" for a dark lane, which read as 0.01 dBm
//! would be a lit -0.40 dBm). So the lists' unit is confirmed at discovery
//! ([`lane_list_unit`]): only a unit under which every value is a plausible power, and
//! under which the module columns (in either of their units) say the same power, is
//! taken; none or both is no reading, with the reason. Thresholds (.13-.16, .20-.23)
//! are 0.01 dBm; temperature (.5) is Celsius with -255 for none; voltage (.6) is mV
//! with -1 for none. Detected by the Huawei enterprise number (2011).

use super::table::{Column, Limit, RowCells, RowKey, Table, TableMib, ThresholdColumn, UnitCheck};
use crate::plan::{decimal, scaled, Encoding, Number, Quantity, Unit};
use crate::types::Oid;
use lightgate_core::domain::power::{
    agrees_with, dbm_to_milliwatts, milliwatts_to_dbm, NO_LIGHT_FLOOR_DBM,
};

pub fn detects(sys_object_id: &Oid) -> bool {
    sys_object_id.0.starts_with(&[1, 3, 6, 1, 4, 1, 2011])
}

const fn lane(col: u32, quantity: Quantity, exp10: i32, unit: Unit) -> Column {
    Column {
        col,
        quantity,
        exp10,
        unit,
        encoding: Encoding::DecimalList(0),
        absent: None,
    }
}

const fn threshold(col: u32, rx: bool, limit: Limit) -> ThresholdColumn {
    ThresholdColumn {
        col,
        rx,
        limit,
        exp10: -2,
        unit: Unit::Dbm,
        encoding: Encoding::Integer,
    }
}

pub const MIB: TableMib = TableMib {
    name: "HUAWEI-ENTITY-EXTENT-MIB hwOpticalModuleInfoTable",
    tables: &[Table {
        entry: "1.3.6.1.4.1.2011.5.25.31.1.1.3.1",
        key: RowKey::Entity,
        present: 32,
        lane_list: Some(32),
        columns: &[
            lane(32, Quantity::Rx, -2, Unit::Dbm),
            lane(33, Quantity::Tx, -2, Unit::Dbm),
            lane(31, Quantity::Bias, -3, Unit::Amperes),
            Column {
                col: 5,
                quantity: Quantity::Temperature,
                exp10: 0,
                unit: Unit::Celsius,
                encoding: Encoding::Integer,
                absent: Some(-255),
            },
            Column {
                col: 6,
                quantity: Quantity::Voltage,
                exp10: -3,
                unit: Unit::Volts,
                encoding: Encoding::Integer,
                absent: Some(-1),
            },
        ],
        thresholds: &[
            threshold(13, true, Limit::LowAlarm),
            threshold(14, true, Limit::HighAlarm),
            threshold(20, true, Limit::LowWarning),
            threshold(21, true, Limit::HighWarning),
            threshold(15, false, Limit::LowAlarm),
            threshold(16, false, Limit::HighAlarm),
            threshold(22, false, Limit::LowWarning),
            threshold(23, false, Limit::HighWarning),
        ],
        unit_check: Some(UnitCheck {
            columns: &[8, 9],
            decide: lane_list_unit,
        }),
    }],
};

/// The lane lists' candidate units, as exp10 of dBm: 0.01 dBm (VRP V200), dBm (newer
/// VRP, YunShan).
const LANE_UNITS: [i32; 2] = [-2, 0];

/// What one value says: dark, lit at this many dBm, or not a power at all.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Seen {
    Dark,
    Lit(f64),
    Implausible,
}

/// A power in dBm as an optic can report it: lit up to +10 dBm, dark at or below the
/// no-light floor down to -60 (the vendors' floors and "no reading" sentinels). Beyond
/// either end it is no optical power in this unit.
fn seen_dbm(dbm: f64) -> Seen {
    if dbm == f64::NEG_INFINITY || (NO_LIGHT_FLOOR_DBM - 20.0..=NO_LIGHT_FLOOR_DBM).contains(&dbm) {
        Seen::Dark
    } else if dbm > NO_LIGHT_FLOOR_DBM && dbm <= 10.0 {
        Seen::Lit(dbm)
    } else {
        Seen::Implausible
    }
}

/// A module column's value in each of its units, as the band of mW it allows (see
/// [`agrees_with`]): 0.01 dBm by the MIB (exact), uW on older firmware (whole
/// microwatts, within one). -1, anything missing and a value that is no plausible power
/// in a unit say nothing.
fn module_bands(raw: Option<i64>) -> Vec<(f64, f64)> {
    let Some(raw) = raw.filter(|r| *r != -1) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    match seen_dbm(raw as f64 / 100.0) {
        Seen::Dark => out.push((0.0, 0.0)),
        Seen::Lit(d) => out.push((dbm_to_milliwatts(d), dbm_to_milliwatts(d))),
        Seen::Implausible => {}
    }
    if raw >= 0 && seen_dbm(milliwatts_to_dbm(raw as f64 / 1000.0)) != Seen::Implausible {
        out.push((
            ((raw - 1) as f64 / 1000.0).max(0.0),
            (raw + 1) as f64 / 1000.0,
        ));
    }
    out
}

/// Whether a lane list and its module column fit together with the list in `exp10`.
fn fits(list: Option<&str>, module: Option<i64>, exp10: i32) -> bool {
    let lanes: Vec<Seen> = list
        .into_iter()
        .flat_map(|t| t.split(','))
        .filter_map(|item| match decimal(item) {
            Number::Exact(raw, digits) => Some(seen_dbm(scaled(raw, exp10 - digits))),
            Number::MinusInfinity => Some(Seen::Dark),
            Number::None => None,
        })
        .collect();
    if lanes.contains(&Seen::Implausible) {
        return false;
    }
    let modules = module_bands(module);
    if modules.is_empty() || lanes.is_empty() {
        return true;
    }
    // The module's value is the lanes' total on some optics and their mean (or the
    // one lane) on others: either agreeing confirms the unit.
    let lit: Vec<f64> = lanes
        .iter()
        .filter_map(|l| match l {
            Seen::Lit(d) => Some(dbm_to_milliwatts(*d)),
            _ => None,
        })
        .collect();
    let total_mw: f64 = lit.iter().sum();
    let dbm = |mw: f64| (mw > 0.0).then(|| milliwatts_to_dbm(mw));
    let candidates = [dbm(total_mw), dbm(total_mw / lanes.len() as f64)];
    modules
        .iter()
        .any(|(low, high)| candidates.iter().any(|c| agrees_with(*c, *low, *high)))
}

/// The exp10 of the lane lists (.32 Rx, .33 Tx) of one row: the one candidate unit
/// under which both lists hold plausible powers and agree with the module columns
/// (.8, .9) in one of their units. Neither: the row's values are inconsistent; both
/// (nothing tells them apart, such as a lone "-1.25" with no module value): the unit
/// is not established. Either way no reading.
pub fn lane_list_unit(cell: &RowCells) -> Result<i32, String> {
    let text = |col| cell(col).and_then(|v| v.as_text());
    let int = |col| cell(col).and_then(|v| v.as_i64());
    let (rx_list, tx_list) = (text(32), text(33));
    let (rx_module, tx_module) = (int(8), int(9));
    let alive: Vec<i32> = LANE_UNITS
        .into_iter()
        .filter(|e| {
            fits(rx_list.as_deref(), rx_module, *e) && fits(tx_list.as_deref(), tx_module, *e)
        })
        .collect();
    let shown = || {
        format!(
            "lane lists rx {:?} tx {:?}, module columns rx {} tx {}",
            rx_list.as_deref().unwrap_or(""),
            tx_list.as_deref().unwrap_or(""),
            rx_module.map_or("-".to_string(), |v| v.to_string()),
            tx_module.map_or("-".to_string(), |v| v.to_string()),
        )
    };
    // Lists of nothing but "-Inf" (or empty) read the same in either unit.
    let any_number = [&rx_list, &tx_list].iter().any(|l| {
        l.as_deref().is_some_and(|t| {
            t.split(',')
                .any(|i| matches!(decimal(i), Number::Exact(..)))
        })
    });
    match alive[..] {
        [one] => Ok(one),
        [first, _] if !any_number => Ok(first),
        [] => Err(format!(
            "inconsistent: the Huawei lane power lists fit neither 0.01 dBm nor dBm against the module power columns ({})",
            shown()
        )),
        _ => Err(format!(
            "unit not established: the Huawei lane power lists read as 0.01 dBm and as dBm alike, and no module power column tells them apart ({})",
            shown()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Value;

    /// A row as `lane_list_unit` sees it: lists .32/.33, module columns .8/.9.
    fn row(rx: &str, tx: &str, rx_module: i64, tx_module: i64) -> Result<i32, String> {
        let cell = |col: u32| match col {
            32 => Some(Value::OctetString(rx.as_bytes().to_vec())),
            33 => Some(Value::OctetString(tx.as_bytes().to_vec())),
            8 => Some(Value::Integer(rx_module)),
            9 => Some(Value::Integer(tx_module)),
            _ => None,
        };
        lane_list_unit(&cell)
    }

    #[test]
    fn vrp_v200_lists_in_hundredths_confirmed_by_microwatt_module_columns() {
        // S5720: 536 uW is -2.71 dBm; the list says -270.19 (0.01 dBm).
        assert_eq!(row("-270.19", "-228.40", 536, 591), Ok(-2));
        // Four lanes in 0.01 dBm beside module totals in 0.01 dBm (the MIB's unit).
        assert_eq!(row("114,32,-90,-228", "100,90,80,70", 578, 687), Ok(-2));
    }

    #[test]
    fn yunshan_lists_in_dbm_and_a_dark_lane_is_not_a_lit_fraction() {
        // Newer firmware: dBm lists, module columns in 0.01 dBm (mean of the lanes).
        assert_eq!(
            row(
                "-1.25,-1.39,-2.47,-1.34",
                "-0.50,-0.61,-0.70,-0.55",
                -161,
                -59
            ),
            Ok(0)
        );
        // A dark port: "-40.00" is -40 dBm, not a lit -0.40 dBm; the module says dark.
        assert_eq!(row("-40.00", "-2.10", -4000, -210), Ok(0));
        assert_eq!(row("-40.00", "-2.10", 0, 617), Ok(0));
    }

    #[test]
    fn lists_that_fit_no_unit_or_both_are_no_reading_with_the_reason() {
        // The module says -2.7 dBm, the list -12.7 dBm or -0.127: inconsistent.
        let e = row("-1270", "-228.40", 536, 591).unwrap_err();
        assert!(e.starts_with("inconsistent"), "{e}");
        // No module value (-1) and a list plausible both ways.
        let e = row("-1.25", "-2.10", -1, -1).unwrap_err();
        assert!(e.starts_with("unit not established"), "{e}");
        // Only "-Inf" and empty lists: the unit does not matter.
        assert_eq!(row("-Inf,-Inf", "", 0, 1040), Ok(-2));
    }
}
