//! Nokia SR OS (TiMOS): TIMETRA-PORT-MIB tmnxDigitalDiagMonitorTable
//! (1.3.6.1.4.1.6527.3.1.2.2.4.31.1), indexed by tmnxChassisIndex . tmnxPortPortID
//! (the port ID is the ifIndex). Powers are in 0.1 uW, as SFF-8472 stores them:
//! Tx .16 (thresholds .17 low warning, .18 low alarm, .19 high warning, .20 high
//! alarm), Rx .21 (.22-.25 likewise); supply voltage .6 in 100 uV. Raw 1 (0.1 uW,
//! -40 dBm) is the floor of the scale: no light. Temperature (.1, in 1/256 Celsius, not
//! a power of ten) and bias (whose unit lightgate could not confirm) are not read.
//! Multi-lane optics also have tmnxDDMLaneTable (…4.66.1, index chassis . port ID .
//! lane from 1): Tx .12 and Rx .17, in 0.1 uW (as LibreNMS's TiMOS support reads
//! them); each lane is part of the reading, so a dark lane fails the check. Detected
//! by the Nokia/Alcatel-Lucent enterprise number (6527).

use super::table::{Column, Limit, RowKey, Table, TableMib, ThresholdColumn};
use crate::plan::{Encoding, Quantity, Unit};
use crate::types::Oid;

pub fn detects(sys_object_id: &Oid) -> bool {
    sys_object_id.0.starts_with(&[1, 3, 6, 1, 4, 1, 6527])
}

const fn threshold(col: u32, rx: bool, limit: Limit) -> ThresholdColumn {
    ThresholdColumn {
        col,
        rx,
        limit,
        exp10: -4,
        unit: Unit::Milliwatts,
        encoding: Encoding::Integer,
    }
}

pub const MIB: TableMib = TableMib {
    name: "TIMETRA-PORT-MIB tmnxDigitalDiagMonitorTable",
    tables: &[
        Table {
            entry: "1.3.6.1.4.1.6527.3.1.2.2.4.31.1",
            key: RowKey::ChassisIfIndex,
            present: 21,
            lane_list: None,
            columns: &[
                Column::integer(21, Quantity::Rx, -4, Unit::Milliwatts),
                Column::integer(16, Quantity::Tx, -4, Unit::Milliwatts),
                Column::integer(6, Quantity::Voltage, -4, Unit::Volts),
            ],
            thresholds: &[
                threshold(17, false, Limit::LowWarning),
                threshold(18, false, Limit::LowAlarm),
                threshold(19, false, Limit::HighWarning),
                threshold(20, false, Limit::HighAlarm),
                threshold(22, true, Limit::LowWarning),
                threshold(23, true, Limit::LowAlarm),
                threshold(24, true, Limit::HighWarning),
                threshold(25, true, Limit::HighAlarm),
            ],
            unit_check: None,
        },
        Table {
            entry: "1.3.6.1.4.1.6527.3.1.2.2.4.66.1",
            key: RowKey::ChassisIfIndexLane,
            present: 17,
            lane_list: None,
            columns: &[
                Column::integer(17, Quantity::Rx, -4, Unit::Milliwatts),
                Column::integer(12, Quantity::Tx, -4, Unit::Milliwatts),
            ],
            thresholds: &[],
            unit_check: None,
        },
    ],
};
