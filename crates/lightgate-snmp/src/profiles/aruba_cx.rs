//! HPE Aruba AOS-CX: ARUBAWIRED-PM-MIB. A lane table
//! (1.3.6.1.4.1.47196.4.1.1.3.27.1.2.2.1, index ifIndex . lane from 1) holds the
//! powers and bias as decimal text, Tx .7 and Rx .12 in mW, bias .2 in mA ("n/a" or
//! empty where the port has no DOM); the module table (…27.1.2.1.1, index ifIndex)
//! holds temperature .2 (Celsius), voltage .11 (V) and the power thresholds in mW:
//! Tx .24 high alarm, .25 low alarm, .26 high warning, .27 low warning; Rx .28 to .31
//! likewise. Detected by the Aruba enterprise number (47196).

use super::table::{Column, Limit, RowKey, Table, TableMib, ThresholdColumn};
use crate::plan::{Encoding, Quantity, Unit};
use crate::types::Oid;

pub fn detects(sys_object_id: &Oid) -> bool {
    sys_object_id.0.starts_with(&[1, 3, 6, 1, 4, 1, 47196])
}

const fn threshold(col: u32, rx: bool, limit: Limit) -> ThresholdColumn {
    ThresholdColumn {
        col,
        rx,
        limit,
        exp10: 0,
        unit: Unit::Milliwatts,
        encoding: Encoding::Decimal,
    }
}

pub const MIB: TableMib = TableMib {
    name: "ARUBAWIRED-PM-MIB transceiver tables",
    tables: &[
        Table {
            entry: "1.3.6.1.4.1.47196.4.1.1.3.27.1.2.2.1",
            key: RowKey::IfIndexLane,
            present: 12,
            lane_list: None,
            columns: &[
                Column::decimal(12, Quantity::Rx, 0, Unit::Milliwatts),
                Column::decimal(7, Quantity::Tx, 0, Unit::Milliwatts),
                Column::decimal(2, Quantity::Bias, -3, Unit::Amperes),
            ],
            thresholds: &[],
            unit_check: None,
        },
        Table {
            entry: "1.3.6.1.4.1.47196.4.1.1.3.27.1.2.1.1",
            key: RowKey::IfIndex,
            present: 2,
            lane_list: None,
            columns: &[
                Column::decimal(2, Quantity::Temperature, 0, Unit::Celsius),
                Column::decimal(11, Quantity::Voltage, 0, Unit::Volts),
            ],
            thresholds: &[
                threshold(24, false, Limit::HighAlarm),
                threshold(25, false, Limit::LowAlarm),
                threshold(26, false, Limit::HighWarning),
                threshold(27, false, Limit::LowWarning),
                threshold(28, true, Limit::HighAlarm),
                threshold(29, true, Limit::LowAlarm),
                threshold(30, true, Limit::HighWarning),
                threshold(31, true, Limit::LowWarning),
            ],
            unit_check: None,
        },
    ],
};
