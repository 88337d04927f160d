//! Conformance against real device walks: the LibreNMS captures in the shared corpus
//! (Juniper MX5-T, Arista 7050TX, Cisco 2960X), served by snmpsim on 127.0.0.1 and read
//! through lightgate's SNMP source. Every dBm value, lane and threshold LibreNMS
//! expects must come out within 0.01 dB; its -40/-60 "no light" conventions must come
//! out as no light, never a number.

mod common;

use std::collections::BTreeMap;

use common::snmpsim::{corpus, SnmpSim};
use lightgate::domain::{LinkReading, OpticalPower};
use lightgate::source::snmp;
use serde_json::Value;

struct Expected {
    interface: String,
    rx: bool,
    lane: Option<u16>,
    value: f64,
    limits: [Option<f64>; 4], // high alarm, high warning, low warning, low alarm
}

fn f(v: &Value) -> Option<f64> {
    v.as_f64()
}

/// The dBm sensors LibreNMS expects, with the interface each belongs to.
fn expected_dbm(device: &str) -> (Vec<Expected>, Value) {
    let path = corpus().join(format!("librenms/{device}.expected.json"));
    let e: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let if_name = |idx: i64| -> String {
        e["ports"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["ifIndex"] == idx)
            .unwrap()["ifName"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let mut out = Vec::new();
    for s in e["sensors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["sensor_class"] == "dbm")
    {
        let descr = s["sensor_descr"].as_str().unwrap();
        let lower = descr.to_ascii_lowercase();
        let rx = lower.contains("rx") || lower.contains("receive");
        let lane = lower
            .split("lane ")
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
            .and_then(|n| n.parse().ok());
        let interface = if let Some(pos) = descr.rfind(" for ") {
            descr[pos + 5..].trim().to_string()
        } else if s["entPhysicalIndex_measured"] == "ports" && device.starts_with("junos") {
            if_name(s["entPhysicalIndex"].as_str().unwrap().parse().unwrap())
        } else {
            // Cisco: the entity is the transceiver; LibreNMS lists its ifIndex.
            let ent: i64 = s["entPhysicalIndex"].as_str().unwrap().parse().unwrap();
            let t = e["transceivers"]
                .as_array()
                .unwrap()
                .iter()
                .find(|t| t["entity_physical_index"] == ent)
                .unwrap();
            if_name(t["ifIndex"].as_i64().unwrap())
        };
        out.push(Expected {
            interface,
            rx,
            lane,
            value: s["sensor_current"].as_f64().unwrap(),
            limits: [
                f(&s["sensor_limit"]),
                f(&s["sensor_limit_warn"]),
                f(&s["sensor_limit_low_warn"]),
                f(&s["sensor_limit_low"]),
            ],
        });
    }
    (out, e)
}

async fn read(device: &str, names: &[String]) -> BTreeMap<String, Result<LinkReading, String>> {
    let sim = SnmpSim::start(
        &corpus().join(format!("librenms/{device}.snmprec")),
        "public",
    );
    snmp::probe(&sim.settings("public"), names)
        .await
        .unwrap_or_else(|e| panic!("{device}: {e}"))
}

fn check_device(
    device: &str,
    readings: &BTreeMap<String, Result<LinkReading, String>>,
    expected: &[Expected],
    e: &Value,
) {
    let mut checked = 0;
    for x in expected {
        let r = readings[&x.interface]
            .as_ref()
            .unwrap_or_else(|err| panic!("{device} {}: {err}", x.interface));
        let optic = r
            .optic
            .as_ref()
            .unwrap_or_else(|| panic!("{device} {}: no optic ({:?})", x.interface, r.note));
        let power = match x.lane {
            None => {
                if x.rx {
                    optic.rx
                } else {
                    optic.tx
                }
            }
            Some(l) => {
                let lane = optic
                    .lanes
                    .iter()
                    .find(|ln| ln.lane == l)
                    .unwrap_or_else(|| {
                        panic!("{device} {} has no lane {l}: {optic:?}", x.interface)
                    });
                if x.rx {
                    lane.rx
                } else {
                    lane.tx
                }
            }
        };
        let what = format!(
            "{device} {} {}{}",
            x.interface,
            if x.rx { "rx" } else { "tx" },
            x.lane.map(|l| format!(" lane {l}")).unwrap_or_default()
        );
        if x.value <= -40.0 {
            assert_eq!(
                power,
                OpticalPower::NoLight,
                "{what}: LibreNMS writes {} for no light",
                x.value
            );
        } else {
            let got = power
                .dbm()
                .unwrap_or_else(|| panic!("{what}: expected {} dBm, got {power:?}", x.value));
            assert!(
                (got - x.value).abs() <= 0.01,
                "{what}: expected {} dBm, got {got}",
                x.value
            );
        }
        let t = if x.rx {
            &optic.rx_thresholds
        } else {
            &optic.tx_thresholds
        };
        let got = [t.high_alarm, t.high_warning, t.low_warning, t.low_alarm];
        for (i, (want, have)) in x.limits.iter().zip(got).enumerate() {
            if let Some(want) = want {
                let have = have
                    .unwrap_or_else(|| panic!("{what}: threshold {i} missing, expected {want}"));
                assert!(
                    (have - want).abs() <= 0.01,
                    "{what}: threshold {i}: expected {want}, got {have}"
                );
            }
        }
        checked += 1;
        // Link state as LibreNMS saw it.
        if let Some(port) = e["ports"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["ifName"] == x.interface.as_str())
        {
            assert_eq!(
                port["ifOperStatus"].as_str().unwrap(),
                r.oper_status.as_str(),
                "{what} oper"
            );
            assert_eq!(
                port["ifAdminStatus"].as_str().unwrap(),
                r.admin_status.as_str(),
                "{what} admin"
            );
        }
    }
    assert!(checked >= 2, "{device}: nothing checked");
}

fn interfaces(expected: &[Expected]) -> Vec<String> {
    let mut v: Vec<String> = expected.iter().map(|x| x.interface.clone()).collect();
    v.sort();
    v.dedup();
    v
}

#[tokio::test]
async fn juniper_mx5t_dom_and_lanes() {
    let (expected, e) = expected_dbm("junos_mx5t-isis");
    let names = interfaces(&expected);
    assert!(names.contains(&"ge-1/0/9".to_string()));
    let readings = read("junos_mx5t-isis", &names).await;
    check_device("junos_mx5t-isis", &readings, &expected, &e);
    // The manifest's spot checks, including the module/lane difference of ge-1/0/9.
    let ge9 = readings["ge-1/0/9"]
        .as_ref()
        .unwrap()
        .optic
        .clone()
        .unwrap();
    assert_eq!(ge9.rx.dbm(), Some(-36.98));
    assert_eq!(ge9.lanes[0].lane, 0);
    assert_eq!(ge9.lanes[0].rx.dbm(), Some(-32.21));
    assert_eq!(
        ge9.rx_thresholds.high_alarm,
        Some(0.0),
        "a 0 dBm threshold is a real threshold"
    );
    assert!((ge9.bias_amperes.unwrap() - 0.01136).abs() < 1e-9);
    assert_eq!(ge9.temperature_celsius, Some(25.0));
    assert!((ge9.voltage_volts.unwrap() - 3.286).abs() < 1e-9);
}

#[tokio::test]
async fn juniper_ports_without_dom_are_link_state_only() {
    // ge-1/0/1 is an empty or non-DOM port: an all-zero JUNIPER-DOM-MIB row.
    let readings = read(
        "junos_mx5t-isis",
        &["ge-1/0/1".to_string(), "xe-0/0/0".to_string()],
    )
    .await;
    let r = readings["ge-1/0/1"].as_ref().unwrap();
    assert!(r.optic.is_none(), "{r:?}");
    assert!(
        r.note.as_deref().unwrap().starts_with("no DOM"),
        "{:?}",
        r.note
    );
    assert!(readings["xe-0/0/0"].as_ref().unwrap().optic.is_some());
}

#[tokio::test]
async fn arista_entity_sensors_watts_thresholds_and_sentinels() {
    let (expected, e) = expected_dbm("arista_eos");
    let mut names = interfaces(&expected);
    names.push("Ethernet2".to_string());
    let readings = read("arista_eos", &names).await;
    check_device("arista_eos", &readings, &expected, &e);
    let et43 = readings["Ethernet43"]
        .as_ref()
        .unwrap()
        .optic
        .clone()
        .unwrap();
    assert!((et43.rx.dbm().unwrap() - -1.767).abs() <= 0.01);
    assert!(
        et43.lanes.is_empty(),
        "a single-lane SFP reports module values"
    );
    // Ethernet2: Rx is the -1000000000 sentinel: no number, and oper down.
    let et2 = readings["Ethernet2"].as_ref().unwrap();
    assert_eq!(et2.optic.as_ref().unwrap().rx.dbm(), None);
    assert!((et2.optic.as_ref().unwrap().tx.dbm().unwrap() - -6.071).abs() <= 0.01);
    assert_eq!(et2.oper_status.as_str(), "down");
    let et1 = readings["Ethernet1"]
        .as_ref()
        .unwrap()
        .optic
        .clone()
        .unwrap();
    assert_eq!(et1.rx, OpticalPower::NoLight);
    assert!((et1.bias_amperes.unwrap() - 0.03345).abs() < 1e-9);
    assert!((et1.temperature_celsius.unwrap() - 25.8).abs() < 1e-9);
}

#[tokio::test]
async fn cisco_2960x_entity_tree_mapping() {
    let (expected, e) = expected_dbm("ios_2960x");
    let names = interfaces(&expected);
    assert_eq!(names, vec!["Gi1/0/52".to_string(), "Gi3/0/52".to_string()]);
    let readings = read("ios_2960x", &names).await;
    check_device("ios_2960x", &readings, &expected, &e);
    let gi = readings["Gi1/0/52"]
        .as_ref()
        .unwrap()
        .optic
        .clone()
        .unwrap();
    assert_eq!(gi.rx.dbm(), Some(-4.7));
    assert_eq!(gi.tx.dbm(), Some(-5.0));
    assert!((gi.temperature_celsius.unwrap() - 34.6).abs() < 1e-9);
    assert!((gi.voltage_volts.unwrap() - 3.32).abs() < 1e-9);
    assert!((gi.bias_amperes.unwrap() - 0.0061).abs() < 1e-9);
    // Configured by ifDescr instead of ifName works too.
    let by_descr = read("ios_2960x", &["GigabitEthernet1/0/52".to_string()]).await;
    assert_eq!(
        by_descr["GigabitEthernet1/0/52"]
            .as_ref()
            .unwrap()
            .optic
            .as_ref()
            .unwrap()
            .rx
            .dbm(),
        Some(-4.7)
    );
}

#[tokio::test]
async fn an_unknown_interface_is_named_in_the_error() {
    let readings = read("ios_2960x", &["Gi9/9/99".to_string()]).await;
    let err = readings["Gi9/9/99"].as_ref().unwrap_err();
    assert_eq!(
        err,
        "no interface named \"Gi9/9/99\" on the device (matched against ifName and ifDescr)"
    );
}
