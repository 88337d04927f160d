//! MikroTik RouterOS: MIKROTIK-MIB mtxrOpticalTable (1.3.6.1.4.1.14988.1.1.19.1.1).
//! Its row numbers are not tied to interfaces, so each row is matched by the
//! interface name it holds (mtxrOpticalName, .2, which RouterOS keeps equal to
//! ifName). Tx .9 and Rx .10 are in 0.001 dBm, bias .8 in mA, supply voltage .7 in
//! mV; the temperature column's unit differs between sources, so it is not read. A
//! module without DOM answers 0 in every column: that is no reading (the all-zero
//! rule), not 0 dBm. Detected by the MikroTik enterprise number (14988).

use super::table::{Column, RowKey, Table, TableMib};
use crate::plan::{Quantity, Unit};
use crate::types::Oid;

pub fn detects(sys_object_id: &Oid) -> bool {
    sys_object_id.0.starts_with(&[1, 3, 6, 1, 4, 1, 14988])
}

pub const MIB: TableMib = TableMib {
    name: "MIKROTIK-MIB mtxrOpticalTable",
    tables: &[Table {
        entry: "1.3.6.1.4.1.14988.1.1.19.1.1",
        key: RowKey::NamedIn(2),
        present: 10,
        lane_list: None,
        columns: &[
            Column::integer(10, Quantity::Rx, -3, Unit::Dbm),
            Column::integer(9, Quantity::Tx, -3, Unit::Dbm),
            Column::integer(8, Quantity::Bias, -3, Unit::Amperes),
            Column::integer(7, Quantity::Voltage, -3, Unit::Volts),
        ],
        thresholds: &[],
        unit_check: None,
    }],
};
