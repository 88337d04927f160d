//! Cisco: CISCO-ENTITY-SENSOR-MIB (IOS, IOS-XE, NX-OS, IOS-XR). Sensors carry their
//! own type, scale and precision (dBm x10 on IOS, watts on IOS-XR, "Lane N" sensors on
//! NX-OS numbered from 1); thresholds live in entSensorThresholdTable and are
//! classified by severity and relation, never by row order. Detected by the Cisco
//! enterprise number (9) in sysObjectID.

use std::collections::HashMap;

use super::sensors::{threshold_dbm, SensorMib, ThresholdCells};
use crate::oids;
use crate::plan::Unit;
use crate::types::Oid;
use lightgate_core::domain::Thresholds;

/// Whether a sysObjectID is Cisco's.
pub fn detects(sys_object_id: &Oid) -> bool {
    sys_object_id.0.starts_with(&[1, 3, 6, 1, 4, 1, 9])
}

pub const MIB: SensorMib = SensorMib {
    kind: oids::cisco_sensor_type,
    scale: oids::cisco_sensor_scale,
    precision: oids::cisco_sensor_precision,
    value: oids::cisco_sensor_value,
    status: oids::cisco_sensor_status,
    measured_entity: Some(oids::cisco_sensor_measured_entity),
    threshold_columns: || {
        vec![
            oids::cisco_threshold_severity(),
            oids::cisco_threshold_relation(),
            oids::cisco_threshold_value(),
        ]
    },
    thresholds,
    lane_base: 1,
    threshold_rows: true,
};

/// Cisco thresholds of one sensor, classified by severity (minor = warning, major and
/// critical = alarm, the most severe winning) and relation (less* = low, greater* =
/// high). Rows with other severities or relations are ignored.
fn thresholds(cells: &ThresholdCells, ent: u32, unit: Unit, exp10: i32) -> Thresholds {
    // Positions in MIB.threshold_columns.
    const SEVERITY: usize = 0;
    const RELATION: usize = 1;
    const VALUE: usize = 2;
    let by_row = |col: usize| -> HashMap<u32, i64> {
        cells
            .of(col, ent)
            .iter()
            .filter_map(|(rest, v)| match rest {
                [row] => v.as_i64().map(|n| (*row, n)),
                _ => None,
            })
            .collect()
    };
    let severity = by_row(SEVERITY);
    let relation = by_row(RELATION);
    let value = by_row(VALUE);
    let mut t = Thresholds::default();
    let mut alarm_sev: [i64; 2] = [0, 0]; // [high, low]
    let mut rows: Vec<&u32> = value.keys().collect();
    rows.sort();
    for row in rows {
        let (Some(sev), Some(rel), Some(raw)) =
            (severity.get(row), relation.get(row), value.get(row))
        else {
            continue;
        };
        let Some(v) = threshold_dbm(*raw, unit, exp10) else {
            continue;
        };
        let high = match rel {
            1 | 2 => false,
            3 | 4 => true,
            _ => continue,
        };
        match sev {
            10 => {
                let slot = if high {
                    &mut t.high_warning
                } else {
                    &mut t.low_warning
                };
                slot.get_or_insert(v);
            }
            20 | 30 => {
                let i = usize::from(!high);
                if *sev > alarm_sev[i] {
                    alarm_sev[i] = *sev;
                    if high {
                        t.high_alarm = Some(v);
                    } else {
                        t.low_alarm = Some(v);
                    }
                }
            }
            _ => {}
        }
    }
    t
}
