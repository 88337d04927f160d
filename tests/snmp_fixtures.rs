//! lightgate's own SNMP fixtures (tests/fixtures/snmp), for what the corpus lacks:
//! IOS-XR watts sensors with lanes named from 1 and a dark lane, thresholds of 0 dBm
//! and "no threshold" rows, NX-OS lane-only optics mapped by entSensorMeasuredEntity,
//! a copper port, and SNMPv3 users.

mod common;

use std::time::Duration;

use common::snmpsim::{fixture, settings_v3, SnmpSim, V3User};
use lightgate::domain::{power::milliwatts_to_dbm, OpticalPower};
use lightgate::source::snmp::{self, settings::*};
use lightgate::source::SourceError;

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-9)
}

#[tokio::test]
async fn iosxr_watts_lanes_dark_lane_and_zero_dbm_threshold() {
    let sim = SnmpSim::start(&fixture("iosxr_watts_lanes.snmprec"), "public");
    let names = vec![
        "HundredGigE0/0/0/0".to_string(),
        "GigabitEthernet0/0/0/1".to_string(),
    ];
    let r = snmp::probe(&sim.settings("public"), &names).await.unwrap();
    let hu = r["HundredGigE0/0/0/0"].as_ref().unwrap();
    let o = hu.optic.as_ref().unwrap();
    assert_eq!(
        o.rx,
        OpticalPower::NotSupported,
        "no module total is invented"
    );
    let lanes: Vec<u16> = o.lanes.iter().map(|l| l.lane).collect();
    assert_eq!(
        lanes,
        vec![0, 1, 2, 3],
        "\"Lane 1\"..\"Lane 4\" are lanes 0..3"
    );
    assert!(
        close(o.lanes[0].rx.milliwatts(), 0.512),
        "{:?}",
        o.lanes[0].rx
    );
    assert!(close(o.lanes[0].rx.dbm(), milliwatts_to_dbm(0.512)));
    assert_eq!(
        o.lanes[2].rx,
        OpticalPower::NoLight,
        "0 W is no light, not -inf"
    );
    assert!(close(o.lanes[3].tx.milliwatts(), 0.905));
    assert!(close(o.temperature_celsius, 35.12));
    // Thresholds by severity and relation, whatever the row order.
    let t = *o.rx_thresholds;
    assert!(close(t.high_alarm, milliwatts_to_dbm(3.162)));
    assert_eq!(
        t.high_warning,
        Some(0.0),
        "1 mW is a 0 dBm threshold, a real one"
    );
    assert!(close(t.low_warning, milliwatts_to_dbm(0.05)));
    assert!(close(t.low_alarm, milliwatts_to_dbm(0.025)));
    assert!(close(o.tx_thresholds.low_alarm, -10.0));
    assert_eq!(hu.details.alias.as_deref(), Some("to MSEE link1"));
    assert_eq!(hu.details.speed_mbps, Some(100_000));
    assert_eq!(hu.details.in_errors, Some(3));
    // A copper port: link state only, with the reason.
    let ge = r["GigabitEthernet0/0/0/1"].as_ref().unwrap();
    assert!(ge.optic.is_none());
    assert!(
        ge.note
            .as_deref()
            .unwrap()
            .starts_with("no DOM: no transceiver sensors"),
        "{:?}",
        ge.note
    );
    assert_eq!(ge.oper_status.as_str(), "down");
}

#[tokio::test]
async fn probe_without_names_lists_only_interfaces_with_optics() {
    let sim = SnmpSim::start(&fixture("iosxr_watts_lanes.snmprec"), "public");
    let r = snmp::probe(&sim.settings("public"), &[]).await.unwrap();
    assert_eq!(r.keys().collect::<Vec<_>>(), vec!["HundredGigE0/0/0/0"]);
}

#[tokio::test]
async fn nxos_lane_only_optic_mapped_by_measured_entity() {
    let sim = SnmpSim::start(&fixture("nxos_lane_sensors.snmprec"), "public");
    let r = snmp::probe(&sim.settings("public"), &["Ethernet1/49".to_string()])
        .await
        .unwrap();
    let o = r["Ethernet1/49"].as_ref().unwrap().optic.clone().unwrap();
    let rx: Vec<Option<f64>> = o.lanes.iter().map(|l| l.rx.dbm()).collect();
    assert_eq!(
        rx,
        vec![Some(-2.31), Some(-2.45), Some(-14.02), Some(-2.26)]
    );
    assert!(close(o.lanes[0].bias_amperes, 0.004121));
    assert_eq!(o.rx_thresholds.low_warning, Some(-13.0));
    assert_eq!(o.rx_thresholds.low_alarm, Some(-16.0));
    assert_eq!(o.rx_thresholds.high_alarm, Some(5.5));
    assert_eq!(o.rx_thresholds.high_warning, Some(2.5));
    assert!(close(o.voltage_volts, 3.29));
}

const USER: V3User = V3User {
    user: "lightgate",
    auth_proto: "SHA",
    auth_key: "auth-pass-123",
    privacy: Some(("AES", "priv-pass-456")),
};

fn v3(auth: &str, level: SecurityLevel) -> V3Settings {
    V3Settings {
        user: "lightgate".into(),
        level,
        auth_protocol: AuthProtocol::Sha1,
        auth_password: Some(lightgate::config::Secret::new(auth)),
        priv_protocol: PrivProtocol::Aes128,
        priv_password: Some(lightgate::config::Secret::new("priv-pass-456")),
        // snmpsim selects the walk by v3 context name (= the data file's name).
        context: Some("public".into()),
    }
}

#[tokio::test]
async fn snmpv3_auth_priv_reads_the_device() {
    let sim = SnmpSim::start_v3(&fixture("iosxr_watts_lanes.snmprec"), "public", &USER);
    let s = settings_v3(&sim.address, v3("auth-pass-123", SecurityLevel::AuthPriv));
    let r = snmp::probe(&s, &["HundredGigE0/0/0/0".to_string()])
        .await
        .unwrap();
    assert!(close(
        r["HundredGigE0/0/0/0"]
            .as_ref()
            .unwrap()
            .optic
            .as_ref()
            .unwrap()
            .lanes[0]
            .rx
            .milliwatts(),
        0.512
    ));
}

#[tokio::test]
async fn snmpv3_sha256_with_aes256_reads_the_device() {
    let user = V3User {
        auth_proto: "SHA256",
        privacy: Some(("AES256", "priv-pass-456")),
        ..USER
    };
    let sim = SnmpSim::start_v3(&fixture("iosxr_watts_lanes.snmprec"), "public", &user);
    let mut v = v3("auth-pass-123", SecurityLevel::AuthPriv);
    v.auth_protocol = AuthProtocol::Sha256;
    v.priv_protocol = PrivProtocol::Aes256;
    let r = snmp::probe(
        &settings_v3(&sim.address, v),
        &["HundredGigE0/0/0/0".to_string()],
    )
    .await
    .unwrap();
    assert!(r["HundredGigE0/0/0/0"].as_ref().unwrap().optic.is_some());
}

#[tokio::test]
async fn snmpv3_auth_no_priv_reads_the_device() {
    let user = V3User {
        privacy: None,
        ..USER
    };
    let sim = SnmpSim::start_v3(&fixture("iosxr_watts_lanes.snmprec"), "public", &user);
    let s = settings_v3(&sim.address, v3("auth-pass-123", SecurityLevel::AuthNoPriv));
    let r = snmp::probe(&s, &["HundredGigE0/0/0/0".to_string()])
        .await
        .unwrap();
    assert_eq!(
        r["HundredGigE0/0/0/0"]
            .as_ref()
            .unwrap()
            .oper_status
            .as_str(),
        "up"
    );
}

#[tokio::test]
async fn snmpv3_with_a_wrong_password_is_an_authentication_error() {
    let sim = SnmpSim::start_v3(&fixture("iosxr_watts_lanes.snmprec"), "public", &USER);
    let mut s = settings_v3(
        &sim.address,
        v3("not-the-password", SecurityLevel::AuthPriv),
    );
    s.request_timeout = Duration::from_millis(500);
    let err = match snmp::probe(&s, &["HundredGigE0/0/0/0".to_string()]).await {
        Err(e) => e,
        Ok(r) => panic!("read with a wrong password: {r:?}"),
    };
    assert!(matches!(err, SourceError::Auth(_)), "{err:?}");
    assert!(
        err.to_string()
            .contains("check the user, protocols and passwords"),
        "{err}"
    );
    assert!(!err.to_string().contains("not-the-password"));
}

#[test]
fn the_probe_command_prints_a_table_and_reading_json() {
    let sim = SnmpSim::start(&fixture("nxos_lane_sensors.snmprec"), "public");
    let bin = env!("CARGO_BIN_EXE_lightgate");
    let out = std::process::Command::new(bin)
        .args([
            "probe",
            "snmp",
            "--address",
            &sim.address,
            "--community-env",
            "LG_TEST_COMMUNITY",
        ])
        .env("LG_TEST_COMMUNITY", "public")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.contains("Ethernet1/49"), "{table}");
    assert!(
        table.contains("lane 2") && table.contains("-14.02"),
        "{table}"
    );
    assert!(
        !table.contains("Ethernet1/50"),
        "no optic, not listed:\n{table}"
    );
    let out = std::process::Command::new(bin)
        .args([
            "probe",
            "snmp",
            "--address",
            &sim.address,
            "--interface",
            "Ethernet1/49",
            "--json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["interface"], "Ethernet1/49");
    assert_eq!(v[0]["lanes"][2]["rx_dbm"], -14.02);
    assert_eq!(v[0]["rx_dbm"], serde_json::Value::Null);
    assert_eq!(v[0]["thresholds"]["rx"]["low_alarm"], -16.0);
    // A configured device, by name.
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("lightgate.toml");
    std::fs::write(
        &cfg,
        format!(
            "[[device]]\nname = \"nx1\"\nsource = \"snmp\"\n[device.snmp]\naddress = \"{}\"\ncommunity_env = \"LG_TEST_COMMUNITY\"\n",
            sim.address
        ),
    )
    .unwrap();
    let out = std::process::Command::new(bin)
        .args([
            "probe",
            "snmp",
            "--config",
            cfg.to_str().unwrap(),
            "--device",
            "nx1",
            "--interface",
            "Ethernet1/49",
        ])
        .env("LG_TEST_COMMUNITY", "public")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8(out.stdout).unwrap().contains("-14.02"));
    // A device that does not answer: a clear error and exit 69.
    let silent = common::snmpsim::free_udp_port();
    let out = std::process::Command::new(bin)
        .args([
            "probe",
            "snmp",
            "--address",
            &format!("127.0.0.1:{silent}"),
            "--timeout",
            "200ms",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(69));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.starts_with(&format!("127.0.0.1:{silent}: ")), "{err}");
}
