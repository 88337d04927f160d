//! The CLI parsers against real device output from the shared corpus, with the values
//! the upstream projects expect (ntc-templates TextFSM results, Genie parser dicts):
//! every Rx/Tx value, lane and threshold must come out equal (0.005 dB). Vendor "no
//! light" floors (-40 dBm) and "N/A" must come out as no light or no reading, never a
//! number.

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;

use common::snmpsim::corpus;
use lightgate::domain::{OpticReading, OpticalPower, Thresholds};
use lightgate::source::serial::parse::{lookup, Found};
use lightgate::source::serial::Dialect;
use serde_json::Value;

fn read(rel: &str) -> String {
    let p: PathBuf = corpus().join(rel);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn json(rel: &str) -> Value {
    serde_json::from_str(&read(rel)).unwrap()
}

fn yaml(rel: &str) -> Vec<Value> {
    let v: Value = serde_norway::from_str(&read(rel)).unwrap();
    v["parsed_sample"].as_array().unwrap().clone()
}

/// Compares an expected value as upstream wrote it with what lightgate read.
fn same_power(what: &str, expected: &Value, got: OpticalPower) {
    let text = match expected {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        Value::Null => return,
        other => panic!("{what}: unexpected {other}"),
    };
    let text = text.trim_end_matches("dBm").trim().to_string();
    if text.is_empty() {
        return;
    }
    match text.parse::<f64>() {
        Ok(v) if v <= -40.0 => assert_eq!(
            got,
            OpticalPower::NoLight,
            "{what}: {v} is a no-light floor"
        ),
        Ok(v) => {
            let g = got
                .dbm()
                .unwrap_or_else(|| panic!("{what}: expected {v} dBm, got {got:?}"));
            assert!((g - v).abs() <= 0.005, "{what}: expected {v}, got {g}");
        }
        Err(_) => assert!(
            got.dbm().is_none(),
            "{what}: expected {text:?} (no reading), got {got:?}"
        ),
    }
}

fn same_threshold(what: &str, expected: &Value, got: Option<f64>) {
    let v = match expected {
        Value::String(s) if s.trim().is_empty() => return,
        Value::String(s) => s.trim().trim_start_matches('+').parse::<f64>().ok(),
        Value::Number(n) => n.as_f64(),
        _ => return,
    };
    let Some(v) = v else { return };
    let g = got.unwrap_or_else(|| panic!("{what}: threshold {v} missing"));
    assert!(
        (g - v).abs() <= 0.005,
        "{what}: threshold expected {v}, got {g}"
    );
}

fn optic(found: &BTreeMap<String, Found>, name: &str) -> OpticReading {
    let f = lookup(found, name).unwrap_or_else(|| {
        panic!(
            "{name} not parsed; parsed: {:?}",
            found.keys().collect::<Vec<_>>()
        )
    });
    f.clone()
        .into_reading()
        .optic
        .unwrap_or_else(|| panic!("{name}: no optic values"))
}

fn thresholds(what: &str, e: &Value, t: &Thresholds, keys: [&str; 4]) {
    same_threshold(&format!("{what} high alarm"), &e[keys[0]], t.high_alarm);
    same_threshold(&format!("{what} high warning"), &e[keys[1]], t.high_warning);
    same_threshold(&format!("{what} low warning"), &e[keys[2]], t.low_warning);
    same_threshold(&format!("{what} low alarm"), &e[keys[3]], t.low_alarm);
}

#[test]
fn genie_ios_and_iosxe_transceiver_detail() {
    for (dir, case) in [
        ("ios/ShowInterfacesTransceiverDetail", "golden_output"),
        ("iosxe/ShowInterfacesTransceiverDetail", "golden1"),
        ("iosxe/ShowInterfacesTransceiverDetail", "golden2"),
    ] {
        let found = Dialect::CiscoIos.parse(&read(&format!("genie/{dir}/{case}_output.txt")), None);
        let expected = json(&format!("genie/{dir}/{case}_expected.json"));
        let mut n = 0;
        for (name, e) in expected["interfaces"].as_object().unwrap() {
            let o = optic(&found, name);
            let what = format!("{dir}/{case} {name}");
            same_power(&format!("{what} rx"), &e["OpticalRX"]["Value"], o.rx);
            same_power(&format!("{what} tx"), &e["OpticalTX"]["Value"], o.tx);
            let keys = [
                "HighAlarmThreshold",
                "HighWarnThreshold",
                "LowWarnThreshold",
                "LowAlarmThreshold",
            ];
            thresholds(
                &format!("{what} rx"),
                &e["OpticalRX"],
                &o.rx_thresholds,
                keys,
            );
            thresholds(
                &format!("{what} tx"),
                &e["OpticalTX"],
                &o.tx_thresholds,
                keys,
            );
            if let Some(t) = e["Temperature"]["Value"].as_f64() {
                assert!(
                    (o.temperature_celsius.unwrap() - t).abs() < 1e-9,
                    "{what} temperature"
                );
            }
            if let Some(c) = e["Current"]["Value"].as_f64() {
                assert!(
                    (o.bias_amperes.unwrap() - c / 1000.0).abs() < 1e-12,
                    "{what} bias"
                );
            }
            n += 1;
        }
        assert!(n >= 1);
    }
}

#[test]
fn genie_iosxe_and_ntc_ios_transceiver_tables() {
    let found = Dialect::CiscoIos.parse(
        &read("genie/iosxe/ShowInterfacesTransceiver/golden1_output.txt"),
        None,
    );
    let expected = json("genie/iosxe/ShowInterfacesTransceiver/golden1_expected.json");
    for (name, e) in expected["interfaces"].as_object().unwrap() {
        let o = optic(&found, name);
        same_power(&format!("iosxe table {name} rx"), &e["opticalrx"], o.rx);
        same_power(&format!("iosxe table {name} tx"), &e["opticaltx"], o.tx);
    }
    let found = Dialect::CiscoIos.parse(
        &read("ntc/cisco_ios/show_interface_transceiver/cisco_ios_show_interface_transceiver.raw"),
        None,
    );
    for e in
        yaml("ntc/cisco_ios/show_interface_transceiver/cisco_ios_show_interface_transceiver.yml")
    {
        let name = e["interface"].as_str().unwrap();
        let o = optic(&found, name);
        same_power(&format!("ntc ios {name} rx"), &e["rx_pwr"], o.rx);
        same_power(&format!("ntc ios {name} tx"), &e["tx_pwr"], o.tx);
    }
}

#[test]
fn ntc_arista_eos_transceiver_table() {
    let found = Dialect::AristaEos.parse(
        &read(
            "ntc/arista_eos/show_interfaces_transceiver/arista_eos_show_interfaces_transceiver.raw",
        ),
        None,
    );
    let rows = yaml(
        "ntc/arista_eos/show_interfaces_transceiver/arista_eos_show_interfaces_transceiver.yml",
    );
    assert_eq!(rows.len(), 5);
    for e in rows {
        let name = e["port"].as_str().unwrap();
        let o = optic(&found, name);
        same_power(&format!("eos {name} rx"), &e["rx_power"], o.rx);
        same_power(&format!("eos {name} tx"), &e["tx_power"], o.tx);
        if let Some(b) = e["bias_current"]
            .as_str()
            .and_then(|b| b.parse::<f64>().ok())
        {
            assert!((o.bias_amperes.unwrap() - b / 1000.0).abs() < 1e-12);
        }
    }
}

#[test]
fn ntc_and_genie_nxos_transceiver_details_with_lanes() {
    let found = Dialect::CiscoNxos.parse(&read("ntc/cisco_nxos/show_interface_transceiver_details/cisco_nxos_show_interface_transceiver_details.raw"), None);
    let rows = yaml("ntc/cisco_nxos/show_interface_transceiver_details/cisco_nxos_show_interface_transceiver_details.yml");
    let mut lanes_seen = 0;
    for e in &rows {
        let name = e["interface"].as_str().unwrap();
        let o = optic(&found, name);
        let lane: Option<u16> = e["lane"].as_str().and_then(|l| l.parse().ok());
        let what = format!("nxos {name} lane {lane:?}");
        let (rx, tx) = match lane {
            // NX-OS prints lanes from 1; lightgate's start at 0.
            Some(l) => {
                let Some(ln) = o.lanes.iter().find(|x| x.lane == l - 1) else {
                    // Common-diagnostics lanes carry no power.
                    assert!(
                        e["rx_value"].as_str().unwrap_or_default().is_empty(),
                        "{what}: lane missing"
                    );
                    continue;
                };
                lanes_seen += 1;
                (ln.rx, ln.tx)
            }
            None => (o.rx, o.tx),
        };
        same_power(&format!("{what} rx"), &e["rx_value"], rx);
        same_power(&format!("{what} tx"), &e["tx_value"], tx);
        thresholds(
            &format!("{what} rx"),
            e,
            &o.rx_thresholds,
            [
                "rx_alarm_high",
                "rx_warn_high",
                "rx_warn_low",
                "rx_alarm_low",
            ],
        );
        thresholds(
            &format!("{what} tx"),
            e,
            &o.tx_thresholds,
            [
                "tx_alarm_high",
                "tx_warn_high",
                "tx_warn_low",
                "tx_alarm_low",
            ],
        );
    }
    assert!(lanes_seen >= 2, "per-lane rows checked");

    for case in ["golden_output_1", "golden_output_2"] {
        let found = Dialect::CiscoNxos.parse(
            &read(&format!(
                "genie/nxos/ShowInterfaceTransceiverDetails/{case}_output.txt"
            )),
            None,
        );
        let expected = json(&format!(
            "genie/nxos/ShowInterfaceTransceiverDetails/{case}_expected.json"
        ));
        for (name, e) in expected.as_object().unwrap() {
            let f = lookup(&found, name).unwrap();
            if e["dom_supported"] == false {
                let r = f.clone().into_reading();
                assert!(
                    r.optic.is_none() && r.note.as_deref().unwrap().starts_with("no DOM"),
                    "{name}: {r:?}"
                );
                continue;
            }
            let o = f.clone().into_reading().optic.unwrap();
            for (lane_name, l) in e["lane_number"].as_object().into_iter().flatten() {
                let n: u16 = lane_name
                    .split_whitespace()
                    .next()
                    .unwrap()
                    .parse()
                    .unwrap();
                let Some(ln) = o.lanes.iter().find(|x| x.lane == n - 1) else {
                    continue;
                };
                let what = format!("genie nxos {case} {name} lane {n}");
                same_power(&format!("{what} rx"), &l["Rx Power"]["current"], ln.rx);
                same_power(&format!("{what} tx"), &l["Tx Power"]["current"], ln.tx);
                thresholds(
                    &format!("{what} rx"),
                    &l["Rx Power"],
                    &o.rx_thresholds,
                    ["high_alarm", "high_warning", "low_warning", "low_alarm"],
                );
            }
        }
    }
}

#[test]
fn genie_iosxr_controllers_optics_and_ntc_all_phy() {
    for case in ["golden_output1", "golden_output2", "golden_output3"] {
        let port = json(&format!(
            "genie/iosxr/ShowControllersOptics/{case}_arguments.json"
        ))["port"]
            .as_str()
            .unwrap()
            .to_string();
        let found = Dialect::CiscoIosxr.parse(
            &read(&format!(
                "genie/iosxr/ShowControllersOptics/{case}_output.txt"
            )),
            Some(&port),
        );
        let expected = json(&format!(
            "genie/iosxr/ShowControllersOptics/{case}_expected.json"
        ));
        let e = &expected[&port]["optics_status"];
        let o = optic(&found, &port);
        let what = format!("iosxr {case} {port}");
        same_power(&format!("{what} rx"), &e["rx_power"], o.rx);
        same_power(&format!("{what} tx"), &e["actual_tx_power"], o.tx);
        for (lane, l) in e["lane"].as_object().into_iter().flatten() {
            let n: u16 = lane.parse().unwrap();
            let ln = o
                .lanes
                .iter()
                .find(|x| x.lane == n)
                .unwrap_or_else(|| panic!("{what} lane {n}"));
            same_power(&format!("{what} lane {n} rx"), &l["rx_power"], ln.rx);
            same_power(&format!("{what} lane {n} tx"), &l["tx_power"], ln.tx);
        }
        let t = &e["threshold_values"];
        let keys = ["high_alarm", "high_warning", "low_warning", "low_alarm"];
        thresholds(
            &format!("{what} rx"),
            &t["Rx Power Threshold(dBm)"],
            &o.rx_thresholds,
            keys,
        );
        thresholds(
            &format!("{what} tx"),
            &t["Tx Power Threshold(dBm)"],
            &o.tx_thresholds,
            keys,
        );
    }
    let found = Dialect::CiscoIosxr.parse(
        &read("ntc/cisco_xr/show_controllers_all_phy/cisco_xr_show_controllers_all_phy.raw"),
        None,
    );
    let rows = yaml("ntc/cisco_xr/show_controllers_all_phy/cisco_xr_show_controllers_all_phy.yml");
    let mut lanes = 0;
    for e in rows {
        let name = e["interface"].as_str().unwrap();
        let o = optic(&found, name);
        let Some(lane) = e["lane"].as_str().and_then(|l| l.parse::<u16>().ok()) else {
            continue;
        };
        let ln = o.lanes.iter().find(|x| x.lane == lane).unwrap();
        let what = format!("xr all phy {name} lane {lane}");
        same_power(&format!("{what} rx"), &e["rx_value"], ln.rx);
        same_power(&format!("{what} tx"), &e["tx_value"], ln.tx);
        thresholds(
            &format!("{what} rx"),
            &e,
            &o.rx_thresholds,
            [
                "rx_alarm_high",
                "rx_warn_high",
                "rx_warn_low",
                "rx_alarm_low",
            ],
        );
        thresholds(
            &format!("{what} tx"),
            &e,
            &o.tx_thresholds,
            [
                "tx_alarm_high",
                "tx_warn_high",
                "tx_warn_low",
                "tx_alarm_low",
            ],
        );
        lanes += 1;
    }
    assert!(lanes >= 4);
}

#[test]
fn genie_junos_diagnostics_optics() {
    let found = Dialect::Junos.parse(
        &read("genie/junos/ShowInterfacesDiagnosticsOptics/golden_output_output.txt"),
        None,
    );
    let expected = json("genie/junos/ShowInterfacesDiagnosticsOptics/golden_output_expected.json");
    for i in expected["interface-information"]["physical-interface"]
        .as_array()
        .unwrap()
    {
        let name = i["name"].as_str().unwrap();
        let d = &i["optics-diagnostics"];
        let o = optic(&found, name);
        let dbm_of =
            |v: &Value| Value::String(v.as_str().unwrap().rsplit('/').next().unwrap().to_string());
        same_power(
            &format!("junos {name} rx"),
            &dbm_of(&d["receiver-signal-average-optical-power"]),
            o.rx,
        );
        same_power(
            &format!("junos {name} tx"),
            &dbm_of(&d["laser-output-power"]),
            o.tx,
        );
        let t = |k: &str| dbm_of(&d[k]);
        same_threshold(
            "rx high alarm",
            &t("laser-rx-power-high-alarm-threshold"),
            o.rx_thresholds.high_alarm,
        );
        same_threshold(
            "rx low alarm",
            &t("laser-rx-power-low-alarm-threshold"),
            o.rx_thresholds.low_alarm,
        );
        same_threshold(
            "rx high warning",
            &t("laser-rx-power-high-warning-threshold"),
            o.rx_thresholds.high_warning,
        );
        same_threshold(
            "rx low warning",
            &t("laser-rx-power-low-warning-threshold"),
            o.rx_thresholds.low_warning,
        );
        same_threshold(
            "tx high alarm",
            &t("laser-output-power-high-alarm-threshold"),
            o.tx_thresholds.high_alarm,
        );
        same_threshold(
            "tx low warning",
            &t("laser-output-power-low-warning-threshold"),
            o.tx_thresholds.low_warning,
        );
        assert!((o.bias_amperes.unwrap() - 0.037682).abs() < 1e-12);
        assert_eq!(o.temperature_celsius, Some(36.0));
    }
}
