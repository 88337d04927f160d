//! Arista EOS: ENTITY-SENSOR-MIB in watts (scale milli, precision 4) with thresholds
//! in ARISTA-ENTITY-SENSOR-MIB; +-1000000000 are range sentinels (below range: no
//! light). Lanes are numbered from 0. Detected by the Arista enterprise number (30065).

use super::sensors::{threshold_dbm, SensorMib, ThresholdCells};
use crate::oids;
use crate::plan::Unit;
use crate::types::Oid;
use lightgate_core::domain::Thresholds;

/// Whether a sysObjectID is Arista's.
pub fn detects(sys_object_id: &Oid) -> bool {
    sys_object_id.0.starts_with(&[1, 3, 6, 1, 4, 1, 30065])
}

pub const MIB: SensorMib = SensorMib {
    kind: oids::ent_phy_sensor_type,
    scale: oids::ent_phy_sensor_scale,
    precision: oids::ent_phy_sensor_precision,
    value: oids::ent_phy_sensor_value,
    status: oids::ent_phy_sensor_status,
    measured_entity: None,
    threshold_columns: || {
        vec![
            oids::arista_low_warning(),
            oids::arista_low_critical(),
            oids::arista_high_warning(),
            oids::arista_high_critical(),
        ]
    },
    thresholds,
    lane_base: 0,
    threshold_rows: false,
};

/// Arista thresholds of one sensor (same units as the sensor; +-1e9 means unset).
fn thresholds(cells: &ThresholdCells, ent: u32, unit: Unit, exp10: i32) -> Thresholds {
    // Positions in MIB.threshold_columns.
    const LOW_WARNING: usize = 0;
    const LOW_CRITICAL: usize = 1;
    const HIGH_WARNING: usize = 2;
    const HIGH_CRITICAL: usize = 3;
    let one = |col: usize| {
        cells
            .of(col, ent)
            .iter()
            .find(|(rest, _)| rest.is_empty())
            .and_then(|(_, v)| v.as_i64())
            .and_then(|raw| threshold_dbm(raw, unit, exp10))
    };
    Thresholds {
        high_alarm: one(HIGH_CRITICAL),
        high_warning: one(HIGH_WARNING),
        low_warning: one(LOW_WARNING),
        low_alarm: one(LOW_CRITICAL),
    }
}
