//! Conformance driven by the corpus, CLI side: every capture of optics output in the
//! shared corpus (`genie/` and `ntc/`, BGP folders aside) is parsed by the real
//! `lightgate parse --json`, and every optical power its upstream project expects
//! (module and lane, Rx and Tx) must come out within 0.01 dB on the right interface;
//! captures of commands that carry no optical power (inventory, supported lists,
//! registers, breakout or FEC tables) must give no reading at all. A capture dropped
//! into a folder the test knows is a new case, with no code change; a new folder needs
//! its expectation reader in [`adapter`] (the test fails naming it).
//!
//! The same captures are then read the way the agent reads a router: each is the
//! console's answer to the command lightgate sends for the interface, in a real
//! session over TCP with the console emulator, and must give the same values.
//!
//! Captures with values run with `--strict`: a line that looks like optical power that
//! no parser read fails the case.
//!
//! Upstream conventions are read as what they mean: "N/A", empty, "-inf" and values at
//! or below -40 dBm (the vendors' floors) must be no light or no reading, never a
//! number. Expectations lightgate deliberately does not meet are in [`EXCEPTIONS`].

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::console::tcp;
use common::snmpsim::corpus;
use lightgate::domain::LinkReading;
use lightgate::source::serial::parse::normalize_interface;
use lightgate::source::serial::session::SessionSettings;
use lightgate::source::serial::Dialect;
use lightgate::source::serial::{poll_blocking, ConsoleTarget, SerialSettings};
use serde_json::Value;

/// (capture, interface, why lightgate differs from upstream). Keep it short.
const EXCEPTIONS: &[(&str, &str, &str)] = &[];

/// Corpus folders of a form lightgate does not read yet, by name, with the reason.
/// Each is still listed when the test runs; remove the line when the form is read
/// (its expectation reader is in [`adapter`] already).
const NOT_YET_READ: &[(&str, &str)] = &[];

/// Captures whose text holds optical powers that the upstream parse does not keep
/// (ntc's `show interface transceiver` template keeps inventory only): (capture,
/// interface, rx, tx) as the text prints them (MANIFEST.md lists them). lightgate must
/// read these, with `--strict`, instead of the upstream's "no reading".
const TEXT_BEYOND_UPSTREAM: &[(&str, &str, &str, &str)] = &[
    (
        "cisco_nxos_show_interface_transceiver5",
        "Ethernet1/7",
        "-2.55",
        "-2.26",
    ),
    (
        "cisco_nxos_show_interface_transceiver5",
        "Ethernet1/47",
        "-2.55",
        "-2.26",
    ),
    (
        "cisco_nxos_show_interface_transceiver5",
        "Ethernet1/48",
        "-2.55",
        "-2.26",
    ),
    (
        "cisco_nxos_show_interface_transceiver_fc_n5k",
        "fc1/48",
        "N/A",
        "-14.95",
    ),
];

/// One expected optical power.
#[derive(Debug, Clone)]
struct Exp {
    interface: String,
    /// From 0.
    lane: Option<u16>,
    rx: bool,
    /// As upstream wrote it: a number, or text such as "N/A".
    value: Value,
}

/// What a capture should give.
enum Expect {
    /// Optical powers.
    Values(Vec<Exp>),
    /// No optical reading at all (the command carries none).
    Nothing,
}

/// One capture: its output, its expectation, the dialect and the port argument.
struct Case {
    name: String,
    output: PathBuf,
    dialect: &'static str,
    port: Option<String>,
    expect: Expect,
}

fn read_json(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn read_yaml(p: &Path) -> Vec<Value> {
    let v: Value = serde_norway::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
    v["parsed_sample"].as_array().cloned().unwrap_or_default()
}

fn exp(interface: &str, lane: Option<u16>, rx: bool, value: &Value) -> Exp {
    Exp {
        interface: interface.to_string(),
        lane,
        rx,
        value: value.clone(),
    }
}

/// Both directions of a module (`lane` None) or lane.
fn pair(out: &mut Vec<Exp>, name: &str, lane: Option<u16>, rx: &Value, tx: &Value) {
    out.push(exp(name, lane, true, rx));
    out.push(exp(name, lane, false, tx));
}

/// "0.6560 mW / -1.83 dBm" -> "-1.83".
fn dbm_part(v: &Value) -> Value {
    match v.as_str() {
        Some(s) => Value::String(s.rsplit('/').next().unwrap_or(s).to_string()),
        None => v.clone(),
    }
}

/// "0.54mW" -> its dBm as a number; anything else as it is.
fn mw_as_dbm(v: &Value) -> Value {
    match v
        .as_str()
        .and_then(|s| s.trim().strip_suffix("mW")?.trim().parse::<f64>().ok())
    {
        Some(mw) if mw > 0.0 => serde_json::json!(10.0 * mw.log10()),
        Some(_) => Value::String("-inf".into()),
        None => v.clone(),
    }
}

/// How to read one folder's expectations: (dialect, reader), by the folder's path
/// under the corpus.
#[allow(clippy::type_complexity)]
fn adapter(folder: &str) -> Option<(&'static str, fn(&Value, &[Value], Option<&str>) -> Expect)> {
    let genie_ios = |os: &str| matches!(os, "ios" | "iosxe" | "iosxe_rv1");
    let (family, rest) = folder.split_once('/')?;
    let (os, command) = rest.split_once('/')?;
    let none: fn(&Value, &[Value], Option<&str>) -> Expect = |_, _, _| Expect::Nothing;
    Some(match (family, os, command) {
        ("genie", os, "ShowInterfacesTransceiver") if os != "iosxe_rv1" && genie_ios(os) => {
            ("cisco-ios", |e, _, _| {
                let mut out = Vec::new();
                for (name, i) in e["interfaces"].as_object().into_iter().flatten() {
                    pair(&mut out, name, None, &i["opticalrx"], &i["opticaltx"]);
                }
                Expect::Values(out)
            })
        }
        ("genie", os, "ShowInterfacesTransceiverDetail") if genie_ios(os) => {
            ("cisco-ios", |e, _, _| {
                let mut out = Vec::new();
                for (name, i) in e["interfaces"].as_object().into_iter().flatten() {
                    for (key, rx) in [("OpticalRX", true), ("OpticalTX", false)] {
                        let v = &i[key];
                        if v.get("Value").is_some() {
                            out.push(exp(name, None, rx, &v["Value"]));
                        } else {
                            // Lanes keyed "1".."4".
                            for (n, l) in v.as_object().into_iter().flatten() {
                                let lane = n.parse::<u16>().ok().and_then(|n| n.checked_sub(1));
                                out.push(exp(name, lane, rx, &l["Value"]));
                            }
                        }
                    }
                }
                Expect::Values(out)
            })
        }
        ("genie", "iosxe", "ShowInterfacesTransceiverModule") => ("cisco-ios", |e, _, _| {
            let mut out = Vec::new();
            for (name, i) in e["interface"].as_object().into_iter().flatten() {
                pair(&mut out, name, None, &i["rx_power"], &i["tx_power"]);
            }
            Expect::Values(out)
        }),
        ("genie", "iosxe_rv1", "ShowInterfacesTransceiver") => ("cisco-ios", |e, _, _| {
            let mut out = Vec::new();
            for (name, i) in e["interfaces"].as_object().into_iter().flatten() {
                pair(
                    &mut out,
                    name,
                    None,
                    &i["details"]["rx_power"],
                    &i["details"]["tx_power"],
                );
                for (n, l) in i["lanes"].as_object().into_iter().flatten() {
                    let lane = n.parse().ok();
                    if l.get("tx_power").is_some() {
                        out.push(exp(name, lane, false, &l["tx_power"]));
                    }
                    if l.get("rx_power").is_some() {
                        out.push(exp(name, lane, true, &l["rx_power"]));
                    }
                }
            }
            Expect::Values(out)
        }),
        ("genie", "iosxe_rv1", "ShowHwModuleSubslotSubslotTransceiverTransceiverStatus") => {
            ("cisco-ios", |e, _, _| {
                let mut out = Vec::new();
                for (subslot, s) in e["subslot"].as_object().into_iter().flatten() {
                    for (port, t) in s["transceiver"].as_object().into_iter().flatten() {
                        let name = format!("{subslot}/{port}");
                        let rx = if t["rx_optical_power_dbm_is_less_than"] == true {
                            Value::String("-inf".into())
                        } else {
                            t["rx_optical_power_dbm"].clone()
                        };
                        pair(&mut out, &name, None, &rx, &t["tx_power_dbm"]);
                        for (key, rx) in [("rx_power_dbm", true), ("tx_power_dbm", false)] {
                            for (n, v) in t["lanes"][key].as_object().into_iter().flatten() {
                                out.push(exp(&name, n.parse().ok(), rx, v));
                            }
                        }
                    }
                }
                Expect::Values(out)
            })
        }
        ("genie", "iosxr", "ShowControllersOptics") => ("cisco-iosxr", |e, _, port| {
            // One port named by the arguments, or (`show controllers optics *`) every
            // port the expectation holds.
            let mut out = Vec::new();
            let ports: Vec<&str> = match port {
                Some(p) => vec![p],
                None => e
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(k, _)| k.as_str())
                    .collect(),
            };
            for port in ports {
                let s = &e[port]["optics_status"];
                pair(&mut out, port, None, &s["rx_power"], &s["actual_tx_power"]);
                for (n, l) in s["lane"].as_object().into_iter().flatten() {
                    pair(
                        &mut out,
                        port,
                        n.parse().ok(),
                        &l["rx_power"],
                        &l["tx_power"],
                    );
                }
            }
            Expect::Values(out)
        }),
        ("genie", "junos", "ShowInterfacesDiagnosticsOptics") => ("junos", |e, _, _| {
            let mut out = Vec::new();
            for i in e["interface-information"]["physical-interface"]
                .as_array()
                .into_iter()
                .flatten()
            {
                let name = i["name"].as_str().unwrap_or_default();
                let d = &i["optics-diagnostics"];
                pair(
                    &mut out,
                    name,
                    None,
                    &dbm_part(&d["receiver-signal-average-optical-power"]),
                    &dbm_part(&d["laser-output-power"]),
                );
            }
            Expect::Values(out)
        }),
        ("genie", "nxos", "ShowInterfaceTransceiverDetails") => ("cisco-nxos", |e, _, _| {
            let mut out = Vec::new();
            for (name, i) in e.as_object().into_iter().flatten() {
                if i["dom_supported"] == false {
                    // No DOM: no reading, which a "N/A" expectation checks.
                    pair(&mut out, name, None, &"N/A".into(), &"N/A".into());
                    continue;
                }
                for (n, l) in i["lane_number"].as_object().into_iter().flatten() {
                    let lane = n
                        .split_whitespace()
                        .next()
                        .and_then(|n| n.parse::<u16>().ok())
                        .and_then(|n| n.checked_sub(1));
                    pair(
                        &mut out,
                        name,
                        lane,
                        &l["Rx Power"]["current"],
                        &l["Tx Power"]["current"],
                    );
                }
            }
            Expect::Values(out)
        }),
        ("ntc", "cisco_ios", "show_interface_transceiver") => ("cisco-ios", |_, rows, _| {
            let mut out = Vec::new();
            for r in rows {
                let name = r["interface"].as_str().unwrap_or_default();
                pair(&mut out, name, None, &r["rx_pwr"], &r["tx_pwr"]);
            }
            Expect::Values(out)
        }),
        ("ntc", "arista_eos", "show_interfaces_transceiver") => ("arista-eos", |_, rows, _| {
            let mut out = Vec::new();
            for r in rows {
                let name = r["port"].as_str().unwrap_or_default();
                pair(&mut out, name, None, &r["rx_power"], &r["tx_power"]);
            }
            Expect::Values(out)
        }),
        ("ntc", "cisco_nxos", "show_interface_transceiver_details") => {
            ("cisco-nxos", |_, rows, _| {
                let mut out = Vec::new();
                for r in rows {
                    let name = r["interface"].as_str().unwrap_or_default();
                    let lane = r["lane"]
                        .as_str()
                        .and_then(|l| l.parse::<u16>().ok())
                        .and_then(|l| l.checked_sub(1));
                    // NX-OS's common-diagnostics lane rows carry no power.
                    if lane.is_some() && r["rx_value"].as_str().unwrap_or("").is_empty() {
                        continue;
                    }
                    pair(&mut out, name, lane, &r["rx_value"], &r["tx_value"]);
                }
                Expect::Values(out)
            })
        }
        ("ntc", "cisco_xr", "show_controllers_all_phy") => ("cisco-iosxr", |_, rows, _| {
            let mut out = Vec::new();
            for r in rows {
                let name = r["interface"].as_str().unwrap_or_default();
                // An empty lane: an SFP's one module-level value.
                let lane = r["lane"].as_str().and_then(|l| l.parse().ok());
                pair(&mut out, name, lane, &r["rx_value"], &r["tx_value"]);
            }
            Expect::Values(out)
        }),
        ("ntc", "arista_eos", "show_interfaces_transceiver_detail") => {
            ("arista-eos", |_, rows, _| {
                // One row per port and measure; only the power tables count here.
                let mut out = Vec::new();
                for r in rows {
                    let name = r["port"].as_str().unwrap_or_default();
                    match r["type"].as_str() {
                        Some("Rx Power") => out.push(exp(name, None, true, &r["current_value"])),
                        Some("Tx Power") => out.push(exp(name, None, false, &r["current_value"])),
                        _ => {}
                    }
                }
                Expect::Values(out)
            })
        }
        ("ntc", "cisco_xr", "show_controllers_HundredGigabitEthernet") => {
            ("cisco-iosxr", |_, rows, _| {
                // Every lane row is numbered "00": lanes are in row order.
                let mut out = Vec::new();
                for r in rows {
                    let name = r["interface"].as_str().unwrap_or_default();
                    let column = |k: &str| r[k].as_array().cloned().unwrap_or_default();
                    let (rx, tx) = (column("rx_value_dbm"), column("tx_value_dbm"));
                    for (lane, (rx, tx)) in rx.iter().zip(&tx).enumerate() {
                        pair(&mut out, name, u16::try_from(lane).ok(), rx, tx);
                    }
                }
                Expect::Values(out)
            })
        }
        ("ntc", "aruba_aoscx", "show_interface_dom_detail") => ("aruba-aoscx", |_, rows, _| {
            // Values in mW only ("0.54mW"), one per channel (none listed: the module).
            let mut out = Vec::new();
            for r in rows {
                let name = r["interface"].as_str().unwrap_or_default();
                let column = |k: &str| r[k].as_array().cloned().unwrap_or_default();
                let channels = column("channel");
                for (i, (rx, tx)) in column("rx_mw").iter().zip(&column("tx_mw")).enumerate() {
                    let lane = channels
                        .get(i)
                        .and_then(Value::as_str)
                        .and_then(|c| c.parse::<u16>().ok())
                        .and_then(|c| c.checked_sub(1));
                    pair(&mut out, name, lane, &mw_as_dbm(rx), &mw_as_dbm(tx));
                }
            }
            Expect::Values(out)
        }),
        // Commands that carry no optical power.
        ("genie", "iosxe", c)
            if c.starts_with("ShowInterfacesTransceiverProperties")
                || c.starts_with("ShowInterfacesTransceiverSupportedlist")
                || c.starts_with("ShowPlatform") =>
        {
            ("cisco-ios", none)
        }
        ("genie", "iosxr", c) if c.starts_with("ShowControllersOptics") => ("cisco-iosxr", none),
        ("ntc", "arista_eos", "show_interfaces_transceiver_hardware") => ("arista-eos", none),
        ("ntc", "cisco_nxos", "show_interface_transceiver") => ("cisco-nxos", none),
        _ => return None,
    })
}

/// Every optics capture of the corpus.
fn cases() -> Vec<Case> {
    let root = corpus();
    let mut out = Vec::new();
    for family in ["genie", "ntc"] {
        for os in sorted_dirs(&root.join(family)) {
            for cmd in sorted_dirs(&os) {
                let folder = cmd
                    .strip_prefix(&root)
                    .unwrap()
                    .to_string_lossy()
                    .to_string();
                if folder.to_ascii_lowercase().contains("bgp") {
                    continue;
                }
                if let Some((_, why)) = NOT_YET_READ.iter().find(|(f, _)| *f == folder) {
                    println!("{folder}: not read yet: {why}");
                    continue;
                }
                let (dialect, reader) = adapter(&folder).unwrap_or_else(|| {
                    panic!("{folder}: no expectation reader for this folder (add one to adapter())")
                });
                let mut files: Vec<PathBuf> = std::fs::read_dir(&cmd)
                    .unwrap()
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .collect();
                files.sort();
                for f in files {
                    let file = f.file_name().unwrap().to_string_lossy().to_string();
                    let (stem, expected, yml) = if let Some(stem) = file.strip_suffix("_output.txt")
                    {
                        (
                            stem.to_string(),
                            cmd.join(format!("{stem}_expected.json")),
                            None,
                        )
                    } else if let Some(stem) = file.strip_suffix(".raw") {
                        (
                            stem.to_string(),
                            PathBuf::new(),
                            Some(cmd.join(format!("{stem}.yml"))),
                        )
                    } else {
                        continue;
                    };
                    let args = cmd.join(format!("{stem}_arguments.json"));
                    let port = args
                        .exists()
                        .then(|| read_json(&args)["port"].as_str().map(str::to_string))
                        .flatten();
                    let (json, rows) = match &yml {
                        Some(y) if y.exists() => (Value::Null, read_yaml(y)),
                        Some(_) => continue,
                        None if expected.exists() => (read_json(&expected), Vec::new()),
                        None => continue,
                    };
                    let mut expect = reader(&json, &rows, port.as_deref());
                    let beyond: Vec<_> = TEXT_BEYOND_UPSTREAM
                        .iter()
                        .filter(|(c, ..)| *c == stem)
                        .collect();
                    if !beyond.is_empty() {
                        let mut out = Vec::new();
                        for (_, name, rx, tx) in beyond {
                            pair(&mut out, name, None, &(*rx).into(), &(*tx).into());
                        }
                        expect = Expect::Values(out);
                    }
                    out.push(Case {
                        name: format!("{folder}/{stem}"),
                        output: f.clone(),
                        dialect,
                        port: port.clone(),
                        expect,
                    });
                }
            }
        }
    }
    out
}

fn sorted_dirs(p: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(p)
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    v.sort();
    v
}

/// `lightgate parse --json` of one capture: its readings (empty when it found none).
fn parse(case: &Case) -> Result<Vec<Value>, String> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lightgate"));
    cmd.args(["parse", "--dialect", case.dialect, "--json"])
        .arg(&case.output);
    // Captures with optical values must be read whole: no line that looks like
    // optical power left over.
    if matches!(case.expect, Expect::Values(_)) {
        cmd.arg("--strict");
    }
    if let Some(p) = &case.port {
        cmd.args(["--port", p]);
    }
    let out = cmd.output().map_err(|e| e.to_string())?;
    match out.status.code() {
        Some(0) => {
            serde_json::from_slice::<Vec<Value>>(&out.stdout).map_err(|e| format!("bad JSON: {e}"))
        }
        Some(69) => Ok(Vec::new()),
        Some(65) => Err(format!(
            "lines that look like optical power were not read: {}",
            String::from_utf8_lossy(&out.stderr)
        )),
        other => Err(format!(
            "exit {other:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        )),
    }
}

/// No number is expected: text that is no reading, or a vendor no-light floor.
fn expected_number(v: &Value) -> Option<f64> {
    let text = match v {
        Value::Number(n) => return n.as_f64().filter(|x| *x > -40.0),
        Value::String(s) => s.trim().trim_end_matches("dBm").trim().to_string(),
        _ => return None,
    };
    text.trim_start_matches('+')
        .parse::<f64>()
        .ok()
        .filter(|x| x.is_finite() && *x > -40.0)
}

/// The interfaces whose every expected number is exactly 0 dBm: the placeholder a
/// module without DOM shows (IOS-XR's passive copper, "Dom Data Status: Not
/// Applicable"), which must be no reading, never 1 mW (as in the SNMP corpus test).
fn placeholder_interfaces(xs: &[Exp]) -> Vec<String> {
    let mut names: Vec<String> = xs.iter().map(|x| x.interface.clone()).collect();
    names.sort();
    names.dedup();
    names.retain(|n| {
        let numbers: Vec<f64> = xs
            .iter()
            .filter(|x| &x.interface == n)
            .filter_map(|x| expected_number(&x.value))
            .collect();
        !numbers.is_empty() && numbers.iter().all(|v| *v == 0.0)
    });
    names
}

/// The dBm lightgate gives for one expectation (None: no number), or why there is no
/// such interface or lane.
fn got(readings: &[Value], x: &Exp) -> Result<Option<f64>, String> {
    let want = normalize_interface(&x.interface);
    let r = readings
        .iter()
        .find(|r| normalize_interface(r["interface"].as_str().unwrap_or_default()) == want)
        .ok_or_else(|| {
            let names: Vec<&str> = readings
                .iter()
                .filter_map(|r| r["interface"].as_str())
                .collect();
            format!("no interface {} (parsed: {names:?})", x.interface)
        })?;
    let key = if x.rx { "rx_dbm" } else { "tx_dbm" };
    let lanes = r["lanes"].as_array().cloned().unwrap_or_default();
    match x.lane {
        // A single-lane optic's lane is the module.
        Some(_) if lanes.is_empty() => Ok(r[key].as_f64()),
        Some(l) => lanes
            .iter()
            .find(|ln| ln["lane"].as_u64() == Some(u64::from(l)))
            .map(|ln| ln[key].as_f64())
            .ok_or_else(|| format!("no lane {l} on {}", x.interface)),
        None => Ok(r[key].as_f64()),
    }
}

#[test]
fn every_corpus_capture_parses_as_upstream_expects() {
    let cases = cases();
    assert!(cases.len() >= 55, "only {} captures", cases.len());
    let mut misses = Vec::new();
    let mut per_family: std::collections::BTreeMap<String, (usize, usize)> = Default::default();
    for case in &cases {
        let family = case.name.split('/').take(2).collect::<Vec<_>>().join("/");
        let tally = per_family.entry(family).or_default();
        let readings = match parse(case) {
            Ok(r) => r,
            Err(e) => {
                misses.push(format!("{}: {e}", case.name));
                tally.1 += 1;
                continue;
            }
        };
        match &case.expect {
            Expect::Nothing => {
                tally.1 += 1;
                let with_light: Vec<&str> = readings
                    .iter()
                    .filter(|r| {
                        r["rx_dbm"].is_number()
                            || r["tx_dbm"].is_number()
                            || r["lanes"].as_array().is_some_and(|l| {
                                l.iter()
                                    .any(|l| l["rx_dbm"].is_number() || l["tx_dbm"].is_number())
                            })
                    })
                    .filter_map(|r| r["interface"].as_str())
                    .collect();
                if with_light.is_empty() {
                    tally.0 += 1;
                } else {
                    misses.push(format!(
                        "{}: a command without optical power read light on {with_light:?}",
                        case.name
                    ));
                }
            }
            Expect::Values(xs) => {
                assert!(!xs.is_empty(), "{}: nothing expected", case.name);
                let zeros = placeholder_interfaces(xs);
                for x in xs {
                    tally.1 += 1;
                    let what = format!(
                        "{} {} {}{}",
                        case.name,
                        x.interface,
                        if x.rx { "rx" } else { "tx" },
                        x.lane.map(|l| format!(" lane {l}")).unwrap_or_default()
                    );
                    if EXCEPTIONS
                        .iter()
                        .any(|(c, i, _)| case.name.ends_with(c) && *i == x.interface)
                    {
                        tally.0 += 1;
                        continue;
                    }
                    let want = expected_number(&x.value).filter(|_| !zeros.contains(&x.interface));
                    match (got(&readings, x), want) {
                        (Ok(g), w) if g.is_none() && w.is_none() => tally.0 += 1,
                        (Ok(Some(g)), Some(w)) if (g - w).abs() <= 0.01 => tally.0 += 1,
                        (Ok(g), _) => {
                            misses.push(format!("{what}: expected {} got {g:?}", x.value))
                        }
                        (Err(e), _) => misses.push(format!("{what}: {e}")),
                    }
                }
            }
        }
    }
    let (right, tried) = per_family
        .values()
        .fold((0, 0), |(a, b), (r, t)| (a + r, b + t));
    println!("CLI corpus: {right}/{tried} values and captures right");
    for (family, (r, t)) in &per_family {
        println!("  {family}: {r}/{t}");
    }
    assert!(
        misses.is_empty(),
        "{} of {tried} wrong or missing:\n{}",
        misses.len(),
        misses.join("\n")
    );
}

/// The power a console poll gave for one expectation (None: no number).
fn got_reading(r: &LinkReading, x: &Exp) -> Result<Option<f64>, String> {
    let Some(o) = r.optic.as_ref() else {
        return Ok(None);
    };
    let pick = |rx: lightgate::domain::OpticalPower, tx: lightgate::domain::OpticalPower| {
        if x.rx { rx } else { tx }.dbm()
    };
    match x.lane {
        Some(_) if o.lanes.is_empty() => Ok(pick(o.rx, o.tx)),
        Some(l) => o
            .lanes
            .iter()
            .find(|ln| ln.lane == l)
            .map(|ln| pick(ln.rx, ln.tx))
            .ok_or_else(|| format!("no lane {l} on {}", x.interface)),
        None => Ok(pick(o.rx, o.tx)),
    }
}

/// The link-state answer for `name` in `d`'s form (the captures hold only optics).
fn link_state(d: Dialect, name: &str) -> String {
    match d {
        Dialect::Junos => format!(
            "Interface               Admin Link Proto    Local                 Remote\n{name:<24}up    up\n"
        ),
        Dialect::ArubaAoscx => format!("Interface {name} is up\nAdmin state is up\n"),
        _ => format!("{name} is up, line protocol is up\n"),
    }
}

#[test]
fn every_corpus_capture_reads_the_same_through_a_console_session() {
    let mut tried = 0;
    let mut misses = Vec::new();
    for case in cases() {
        let Expect::Values(xs) = &case.expect else {
            continue;
        };
        let d: Dialect = case.dialect.parse().unwrap();
        let capture = std::fs::read_to_string(&case.output).unwrap();
        let mut names: Vec<String> = xs.iter().map(|x| x.interface.clone()).collect();
        names.dedup();
        names.sort();
        names.dedup();
        let mut router = common::console::dialect::router(d);
        for name in &names {
            let cmds = lightgate::source::serial::commands(d, name);
            router = router.output(&cmds[0], &capture);
            for c in &cmds[1..] {
                router = router.output(c, &link_state(d, name));
            }
        }
        let console = tcp(router);
        let s = SerialSettings {
            target: ConsoleTarget::Tcp(console.addr.clone()),
            session: SessionSettings {
                dialect: d,
                username: None,
                password: None,
                enable_password: None,
                step_timeout: std::time::Duration::from_secs(3),
                command_timeout: std::time::Duration::from_secs(10),
            },
        };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        let result = match poll_blocking(&s, &names, deadline) {
            Ok((r, _)) => r,
            Err(e) => {
                misses.push(format!("{}: the session failed: {e}", case.name));
                continue;
            }
        };
        let zeros = placeholder_interfaces(xs);
        for x in xs {
            tried += 1;
            let what = format!(
                "{} {} {}{:?}",
                case.name,
                x.interface,
                if x.rx { "rx" } else { "tx" },
                x.lane
            );
            let reading = match &result[&x.interface] {
                Ok(r) => r,
                Err(e) => {
                    misses.push(format!("{what}: {e}"));
                    continue;
                }
            };
            let want = expected_number(&x.value).filter(|_| !zeros.contains(&x.interface));
            match (got_reading(reading, x), want) {
                (Ok(None), None) => {}
                (Ok(Some(g)), Some(w)) if (g - w).abs() <= 0.01 => {}
                (Ok(g), _) => misses.push(format!("{what}: expected {} got {g:?}", x.value)),
                (Err(e), _) => misses.push(format!("{what}: {e}")),
            }
        }
    }
    println!(
        "CLI corpus through a console session: {}/{tried} values right",
        tried - misses.len()
    );
    assert!(tried >= 100, "only {tried} values tried");
    assert!(
        misses.is_empty(),
        "{} of {tried} wrong or missing:\n{}",
        misses.len(),
        misses.join("\n")
    );
}
