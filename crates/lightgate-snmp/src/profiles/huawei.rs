//! Huawei VRP: HUAWEI-ENTITY-EXTENT-MIB hwOpticalModuleInfoTable
//! (1.3.6.1.4.1.2011.5.25.31.1.1.3.1), one row per optic, indexed by entPhysicalIndex
//! and mapped to its interface through entAliasMapping (whose rows end in `.1` on
//! these switches, not `.0`) or the entity's name.
//!
//! The module columns hwEntityOpticalRxPower/TxPower (.8/.9) are in 0.01 dBm by the
//! MIB (V3.05) but in uW on older firmware (an S5720 answers 536 for -2.7 dBm), and
//! nothing in the row says which: reading them would be a power-of-ten guess. lightgate
//! reads the per-lane columns instead, hwEntityOpticalLaneRxPower/TxPower (.32/.33),
//! text lists in 0.01 dBm on every firmware ("-270.19", or "114,32,-90,-228" for four
//! lanes; "-Inf" for no light), with the lane bias (.31, mA). Thresholds (.13-.16,
//! .20-.23) are 0.01 dBm; temperature (.5) is Celsius with -255 for none; voltage (.6)
//! is mV with -1 for none. Detected by the Huawei enterprise number (2011).

use super::table::{Column, Limit, RowKey, Table, TableMib, ThresholdColumn};
use crate::plan::{Encoding, Quantity, Unit};
use crate::types::Oid;

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
    }],
};
