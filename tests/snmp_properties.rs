//! Property tests for the SNMP decode path: whatever a device (or an attacker) sends,
//! decoding never panics and never produces a NaN or infinite reading.

use std::collections::BTreeSet;
use std::time::SystemTime;

use lightgate::domain::{LinkReading, OpticalPower};
use lightgate::source::snmp::oids;
use lightgate::source::snmp::plan::{
    InterfacePlan, OpticPlan, Plan, Quantity, SensorKind, SensorPlan, Unit,
};
use lightgate::source::snmp::profiles::entity::InterfaceNames;
use lightgate::source::snmp::profiles::{arista, cisco, entity_sensor, juniper, sensors};
use lightgate::source::snmp::settings::Vendor;
use lightgate::source::snmp::types::{Oid, Value, Varbind};
use proptest::prelude::*;

fn prefixes() -> Vec<Oid> {
    vec![
        oids::ent_physical_descr(),
        oids::ent_physical_contained_in(),
        oids::ent_physical_class(),
        oids::ent_physical_name(),
        oids::ent_alias_mapping(),
        oids::cisco_sensor_type(),
        oids::cisco_sensor_scale(),
        oids::cisco_sensor_precision(),
        oids::cisco_sensor_value(),
        oids::cisco_sensor_measured_entity(),
        oids::cisco_threshold_severity(),
        oids::cisco_threshold_relation(),
        oids::cisco_threshold_value(),
        oids::ent_phy_sensor_type(),
        oids::ent_phy_sensor_scale(),
        oids::ent_phy_sensor_precision(),
        oids::arista_high_critical(),
        oids::jnx_dom_current(),
        oids::jnx_dom_lane(),
        oids::if_admin_status(),
        oids::if_oper_status(),
        oids::if_last_change(),
        oids::sys_uptime(),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::Integer),
        prop_oneof![
            Just(-1_000_000_000i64),
            Just(1_000_000_000),
            Just(-32768),
            Just(0),
            Just(-400),
            Just(1),
            Just(14),
            Just(6)
        ]
        .prop_map(Value::Integer),
        proptest::collection::vec(any::<u8>(), 0..24).prop_map(Value::OctetString),
        Just(Value::OctetString(
            b"Ethernet1 Lane 99999 Receive Power Sensor".to_vec()
        )),
        Just(Value::OctetString(
            b"DOM RX Power Sensor for Ethernet1".to_vec()
        )),
        proptest::collection::vec(any::<u32>(), 0..12).prop_map(|v| Value::ObjectId(Oid::from(v))),
        Just(Value::ObjectId(oids::if_index().child(&[1]))),
        any::<u32>().prop_map(Value::Counter32),
        any::<u32>().prop_map(Value::TimeTicks),
        any::<u64>().prop_map(Value::Counter64),
        Just(Value::NoSuchInstance),
        Just(Value::EndOfMibView),
    ]
}

fn varbind() -> impl Strategy<Value = Varbind> {
    (
        0..23usize,
        proptest::collection::vec(prop_oneof![0u32..4, any::<u32>()], 0..4),
        value(),
    )
        .prop_map(|(p, suffix, v)| (prefixes()[p].child(&suffix), v))
}

fn finite(r: &LinkReading) -> bool {
    let ok = |p: &OpticalPower| {
        p.dbm().is_none_or(f64::is_finite)
            && p.milliwatts().is_none_or(|m| m.is_finite() && m > 0.0)
    };
    let num = |v: Option<f64>| v.is_none_or(f64::is_finite);
    r.optic.as_ref().is_none_or(|o| {
        ok(&o.rx)
            && ok(&o.tx)
            && o.lanes
                .iter()
                .all(|l| ok(&l.rx) && ok(&l.tx) && num(l.bias_amperes))
            && num(o.bias_amperes)
            && num(o.temperature_celsius)
            && num(o.voltage_volts)
    })
}

fn any_plan() -> Plan {
    let sensor = |cell: Oid, quantity, lane, exp10, unit| {
        let (column, index) = cell.0.split_at(cell.0.len() - 1);
        let kind = SensorKind {
            value: Oid::from(column.to_vec()),
            status: Some(oids::cisco_sensor_status()),
            quantity,
            lane,
            exp10,
            unit,
            sentinels: true,
            encoding: Default::default(),
            absent: None,
        };
        SensorPlan::at(kind, index)
    };
    let optic = OpticPlan {
        sensors: vec![
            sensor(
                oids::cisco_sensor_value().child(&[1]),
                Quantity::Rx,
                None,
                -1,
                Unit::Dbm,
            ),
            sensor(
                oids::cisco_sensor_value().child(&[2]),
                Quantity::Tx,
                Some(0),
                -7,
                Unit::Milliwatts,
            ),
            sensor(
                oids::cisco_sensor_value().child(&[3]),
                Quantity::Bias,
                Some(1),
                300,
                Unit::Amperes,
            ),
            sensor(
                oids::jnx_dom_current().child(&[5, 1]),
                Quantity::Rx,
                Some(2),
                -2,
                Unit::Dbm,
            ),
        ],
        zero_row_means_absent: true,
        ..Default::default()
    };
    Plan {
        vendor: Vendor::Cisco,
        interfaces: [(
            "et-0/0/0".to_string(),
            Ok(Box::new(InterfacePlan {
                if_index: 1,
                alias: None,
                speed_mbps: None,
                optic: Some(optic),
                no_dom: None,
                link_state: true,
            })),
        )]
        .into_iter()
        .collect(),
        boot_wall: Some(SystemTime::UNIX_EPOCH),
        uptime_ticks: Some(100),
        if_table_last_change: Some(1),
        ent_last_change: None,
    }
}

/// Found by the property below on a clean CI run: an ifLastChange far beyond 32 bits
/// overflowed when turned into a time.
#[test]
fn an_impossible_if_last_change_is_no_time_not_a_panic() {
    let plan = any_plan();
    for v in [
        Value::Integer(i64::MAX),
        Value::Counter64(u64::MAX),
        Value::Integer(-5),
        Value::TimeTicks(u32::MAX),
    ] {
        let answers: Vec<Varbind> = plan
            .poll_oids()
            .into_iter()
            .map(|o| {
                let value = if o == oids::if_last_change().child(&[1]) {
                    v.clone()
                } else if o.starts_with(&oids::if_admin_status())
                    || o.starts_with(&oids::if_oper_status())
                {
                    Value::Integer(1)
                } else {
                    Value::Integer(100)
                };
                (o, value)
            })
            .collect();
        let decoded = plan.decode(&answers);
        let r = decoded.results.values().next().unwrap().as_ref().unwrap();
        assert_eq!(
            r.last_change.is_some(),
            v == Value::TimeTicks(u32::MAX),
            "{v:?}: {r:?}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

    #[test]
    fn decoding_any_answers_never_panics_or_yields_non_finite_values(answers in proptest::collection::vec(varbind(), 0..40)) {
        let plan = any_plan();
        let mut all = answers.clone();
        // Also the planned cells themselves, with arbitrary values.
        for (i, o) in plan.poll_oids().into_iter().enumerate() {
            if let Some((_, v)) = answers.get(i) {
                all.push((o, v.clone()));
            }
        }
        let decoded = plan.decode(&all);
        for r in decoded.results.values().flatten() {
            prop_assert!(finite(r), "{r:?}");
        }
    }

    #[test]
    fn planning_from_any_walk_never_panics(walk in proptest::collection::vec(varbind(), 0..80)) {
        let names = InterfaceNames::new([("Ethernet1".to_string(), 1u32), ("et-0/0/0".to_string(), 0)]);
        let wanted: BTreeSet<u32> = [0u32, 1, 2, 3].into();
        for mib in [&cisco::MIB, &arista::MIB, &entity_sensor::MIB] {
            for plan in sensors::plan(mib, &walk, &wanted, &names).values() {
                for t in [*plan.rx_thresholds, *plan.tx_thresholds] {
                    for v in [t.high_alarm, t.high_warning, t.low_warning, t.low_alarm].into_iter().flatten() {
                        prop_assert!(v.is_finite());
                    }
                }
            }
        }
        let _ = juniper::plan(1, &walk, &walk);
    }

    #[test]
    fn parsing_any_trap_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = lightgate::traps::parse(&bytes);
    }
}
