//! Plain ENTITY-SENSOR-MIB (RFC 3433): every other device that exports its optics as
//! entity sensors. No vendor thresholds; lanes from 0. The fallback profile: it
//! detects anything the other profiles do not.

use super::sensors::{no_thresholds, SensorMib};
use crate::oids;
use crate::types::Oid;

/// Any sysObjectID (tried last).
pub fn detects(_sys_object_id: &Oid) -> bool {
    true
}

pub const MIB: SensorMib = SensorMib {
    kind: oids::ent_phy_sensor_type,
    scale: oids::ent_phy_sensor_scale,
    precision: oids::ent_phy_sensor_precision,
    value: oids::ent_phy_sensor_value,
    status: oids::ent_phy_sensor_status,
    measured_entity: None,
    threshold_columns: Vec::new,
    thresholds: no_thresholds,
    lane_base: 0,
    threshold_rows: false,
};
