//! Arista EOS: ENTITY-SENSOR-MIB in watts (scale milli, precision 4) with thresholds
//! in ARISTA-ENTITY-SENSOR-MIB; +-1000000000 are range sentinels (below range: no
//! light). Lanes are numbered from 0. Detected by the Arista enterprise number (30065).

use super::entity::column;
use super::sensors::{threshold_dbm, SensorMib};
use crate::oids;
use crate::plan::Unit;
use crate::types::{Oid, Varbind};
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
};

/// Arista thresholds of one sensor (same units as the sensor; +-1e9 means unset).
fn thresholds(walk: &[Varbind], ent: u32, unit: Unit, exp10: i32) -> Thresholds {
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
