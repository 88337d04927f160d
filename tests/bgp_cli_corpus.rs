//! Conformance of the `show bgp summary` reader with the real captures in the shared
//! corpus: every ntc-templates BGP summary capture (`ntc/<platform>/<command>/`,
//! `.raw` with its `.yml`) and every genieparser BGP summary golden
//! (`genie/<os>/<Parser>/`, `_output.txt` with `_expected.json`) is parsed, and every
//! neighbour upstream expects must come out with its remote AS, its state (or, when
//! established, its prefix count) and, when established, its up time. A new capture
//! in those folders is a new case with no code change.
//!
//! Not compared: `show ip bgp neighbors` (per-neighbour detail, not what lightgate
//! runs). Where a capture repeats one (sanitised) address on several rows, only its
//! presence is checked: upstream keeps one of the rows and which one is arbitrary.

mod common;

use std::path::{Path, PathBuf};

use common::snmpsim::corpus;
use lightgate::bgp::{parse_uptime, Asn, BgpSession, BgpState};
use lightgate::source::serial::parse::bgp::parse_bgp_summary;
use serde_json::Value;

/// One neighbour upstream expects.
#[derive(Debug)]
struct Want {
    addr: String,
    vrf: Option<String>,
    asn: Option<String>,
    /// A state word, or a prefix count when established.
    state: String,
    /// The prefix count when the state is in its own column.
    prefixes: Option<String>,
    up: Option<String>,
}

fn s(v: &Value) -> Option<String> {
    match v {
        Value::String(x) => Some(x.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn pick(rec: &serde_json::Map<String, Value>, keys: &[&str]) -> Option<Value> {
    keys.iter().find_map(|k| rec.get(*k).cloned())
}

/// ntc records; XR's per-VRF records hold lists, one element per neighbour.
fn ntc_wants(yml: &Path) -> Vec<Want> {
    let doc: Value = serde_norway::from_str(&std::fs::read_to_string(yml).unwrap()).unwrap();
    let mut out = Vec::new();
    for rec in doc["parsed_sample"].as_array().unwrap() {
        let rec = rec.as_object().unwrap();
        let addr = pick(rec, &["bgp_neighbor", "bgp_neigh", "peer_ip", "peer"]).unwrap();
        let n = match &addr {
            Value::Array(a) => a.len(),
            _ => 1,
        };
        let at = |keys: &[&str], i: usize| -> Option<String> {
            match pick(rec, keys)? {
                Value::Array(a) => a.get(i).and_then(s),
                v => s(&v),
            }
        };
        let vrf = at(&["vrf"], 0).or_else(|| {
            at(&["interface"], 0).and_then(|r| {
                let p: Vec<&str> = r.split('.').collect();
                (p.len() == 3).then(|| p[0].to_string())
            })
        });
        for i in 0..n {
            let combined = at(&["state_or_prefixes_received"], i).or_else(|| {
                (!rec.contains_key("state"))
                    .then(|| at(&["state_pfxrcd"], i))
                    .flatten()
            });
            let (state, prefixes) = match combined {
                Some(c) => (c, None),
                None => (
                    at(&["state"], i).unwrap_or_default(),
                    at(&["state_pfxrcd", "pref_rcvd", "received"], i).filter(|p| !p.is_empty()),
                ),
            };
            let up = match (at(&["last_flap"], i), at(&["up_down"], i)) {
                (Some(f), Some(u)) => Some(format!("{f} {u}")),
                (_, u) => u,
            };
            out.push(Want {
                addr: at(&["bgp_neighbor", "bgp_neigh", "peer_ip", "peer"], i).unwrap(),
                vrf: vrf.clone(),
                asn: at(&["neighbor_as", "neigh_as", "peer_as", "asn"], i),
                state,
                prefixes,
                up,
            });
        }
    }
    out
}

/// genie: neighbours are the keys of every "neighbor" object (with the VRF of the
/// enclosing "vrf" key), or Junos' "bgp-peer" list.
fn genie_wants(v: &Value, vrf: Option<&str>, out: &mut Vec<Want>) {
    match v {
        Value::Object(o) => {
            for (k, child) in o {
                match k.as_str() {
                    "vrf" => {
                        for (name, inner) in child.as_object().into_iter().flatten() {
                            genie_wants(inner, Some(name), out);
                        }
                    }
                    "neighbor" => {
                        for (addr, n) in child.as_object().into_iter().flatten() {
                            let afs: Vec<&Value> =
                                match n.get("address_family").and_then(Value::as_object) {
                                    Some(afs) => afs.values().collect(),
                                    None => vec![n],
                                };
                            for af in afs {
                                let asn = af
                                    .get("as")
                                    .or(n.get("remote_as"))
                                    .or(af.get("remote_as"))
                                    .cloned();
                                let state = af
                                    .get("state_pfxrcd")
                                    .or(af.get("state"))
                                    .and_then(s)
                                    .unwrap_or_default();
                                out.push(Want {
                                    addr: addr.clone(),
                                    vrf: vrf.map(str::to_string),
                                    asn: asn.as_ref().and_then(|a| {
                                        // genie stores asdot 1.57920 as the float 1.5792:
                                        // not an AS number any more.
                                        (!a.is_f64()).then(|| s(a)).flatten()
                                    }),
                                    state,
                                    prefixes: None,
                                    up: af.get("up_down").or(n.get("last_flap")).and_then(s),
                                });
                            }
                        }
                    }
                    "bgp-peer" => {
                        for p in child.as_array().into_iter().flatten() {
                            let state = p["peer-state"].as_str().unwrap_or("").to_string();
                            let rib = p["bgp-rib"].as_array().and_then(|r| r.first());
                            out.push(Want {
                                addr: p["peer-address"].as_str().unwrap().to_string(),
                                vrf: None,
                                asn: s(&p["peer-as"]),
                                state,
                                prefixes: rib.and_then(|r| s(&r["received-prefix-count"])),
                                up: p["elapsed-time"]["#text"].as_str().map(str::to_string),
                            });
                        }
                    }
                    _ => genie_wants(child, vrf, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| genie_wants(x, vrf, out)),
        _ => {}
    }
}

fn check(
    case: &str,
    raw: &str,
    want: &[Want],
    got: &[BgpSession],
    failures: &mut Vec<String>,
) -> usize {
    let mut checked = 0;
    for w in want {
        let addr = w.addr.split('%').next().unwrap();
        let ip: std::net::IpAddr = match addr.parse() {
            Ok(ip) => ip,
            Err(_) => {
                failures.push(format!(
                    "{case}: upstream neighbour {addr:?} is not an address"
                ));
                continue;
            }
        };
        let named_vrf = w
            .vrf
            .as_deref()
            .filter(|v| !matches!(*v, "" | "default") && raw.contains(*v));
        let found: Vec<&BgpSession> = got
            .iter()
            .filter(|s| s.peer == ip && (named_vrf.is_none() || s.vrf.as_deref() == named_vrf))
            .collect();
        let Some(s) = found.first() else {
            failures.push(format!("{case} {addr} (vrf {named_vrf:?}): not read"));
            continue;
        };
        checked += 1;
        let rows = raw
            .lines()
            .filter(|l| {
                l.split_whitespace()
                    .next()
                    .and_then(|t| t.split('%').next())
                    == Some(addr)
            })
            .count();
        if rows > 1 {
            continue;
        }
        if let Some(a) = &w.asn {
            let want: Asn = a.parse().unwrap();
            if s.remote_as != Some(want) {
                failures.push(format!("{case} {addr}: AS {:?}, expected {a}", s.remote_as));
            }
        }
        let word = w.state.trim().trim_end_matches('!');
        let count: Option<u64> = word.split_whitespace().next().and_then(|x| x.parse().ok());
        let inline_counts = word.contains('/')
            && word.split('/').all(|x| {
                x.split_whitespace()
                    .next()
                    .is_some_and(|y| y.parse::<u64>().is_ok())
            });
        let want_state = if count.is_some() || inline_counts {
            Some(BgpState::Established)
        } else {
            BgpState::from_word(word)
        };
        let Some(want_state) = want_state else {
            failures.push(format!(
                "{case} {addr}: upstream state {:?} is not a state",
                w.state
            ));
            continue;
        };
        if s.state != want_state {
            failures.push(format!("{case} {addr}: {} expected {}", s.state, w.state));
            continue;
        }
        let no_cap = w.state.to_ascii_lowercase().contains("no cap");
        let n = count
            .filter(|_| !no_cap)
            .or(w.prefixes.as_deref().and_then(|p| p.parse().ok()));
        if let Some(n) = n.filter(|_| want_state == BgpState::Established) {
            let has = s
                .prefixes
                .iter()
                .any(|p| p.received == Some(n) || p.accepted == Some(n));
            if !has {
                failures.push(format!(
                    "{case} {addr}: no family with {n} prefixes: {:?}",
                    s.prefixes
                ));
            }
        }
        if want_state == BgpState::Established {
            if let Some(up) = &w.up {
                if s.established_seconds != parse_uptime(up) {
                    failures.push(format!(
                        "{case} {addr}: up {:?} s, expected {up:?}",
                        s.established_seconds
                    ));
                }
            }
        }
    }
    checked
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    v
}

fn is_summary(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.contains("bgp")
        && (n.contains("summary") || n.contains("display_bgp_peer") || n.contains("sessions"))
}

#[test]
fn every_bgp_summary_capture_reads_as_upstream_expects() {
    let root = corpus();
    let mut failures = Vec::new();
    let (mut cases, mut neighbours) = (0, 0);
    for platform in files(&root.join("ntc")) {
        for command in files(&platform) {
            if !is_summary(&command.file_name().unwrap().to_string_lossy()) {
                continue;
            }
            for raw in files(&command)
                .into_iter()
                .filter(|p| p.extension().is_some_and(|e| e == "raw"))
            {
                let text = std::fs::read_to_string(&raw).unwrap();
                let want = ntc_wants(&raw.with_extension("yml"));
                let got = parse_bgp_summary(&text, None);
                let case = raw.strip_prefix(&root).unwrap().display().to_string();
                neighbours += check(&case, &text, &want, &got.sessions, &mut failures);
                cases += 1;
            }
        }
    }
    for os in files(&root.join("genie")) {
        for parser in files(&os) {
            if !is_summary(&parser.file_name().unwrap().to_string_lossy()) {
                continue;
            }
            for out in files(&parser)
                .into_iter()
                .filter(|p| p.to_string_lossy().ends_with("_output.txt"))
            {
                let stem = out
                    .to_string_lossy()
                    .trim_end_matches("_output.txt")
                    .to_string();
                let text = std::fs::read_to_string(&out).unwrap();
                let expected: Value = serde_json::from_str(
                    &std::fs::read_to_string(format!("{stem}_expected.json")).unwrap(),
                )
                .unwrap();
                let args: Option<Value> = std::fs::read_to_string(format!("{stem}_arguments.json"))
                    .ok()
                    .and_then(|a| serde_json::from_str(&a).ok());
                let vrf = args
                    .as_ref()
                    .and_then(|a| a["vrf"].as_str())
                    .or(args.as_ref().and_then(|a| a["instance"].as_str()));
                let mut want = Vec::new();
                genie_wants(&expected, None, &mut want);
                let got = parse_bgp_summary(&text, vrf);
                let case = out.strip_prefix(&root).unwrap().display().to_string();
                neighbours += check(&case, &text, &want, &got.sessions, &mut failures);
                cases += 1;
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(cases >= 30, "only {cases} BGP summary captures found");
    eprintln!("{cases} captures, {neighbours} neighbours read as upstream expects");
}

/// `lightgate parse --bgp` prints a saved summary's sessions, says which rows it could
/// not read, and exits 65 for them with --strict, 69 when there is no summary at all.
#[test]
fn lightgate_parse_reads_a_saved_bgp_summary() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("summary.txt");
    std::fs::write(
        &file,
        "Neighbor        V           AS MsgRcvd MsgSent   TblVer  InQ OutQ Up/Down  State/PfxRcd\n\
         192.168.100.130 4        12076     100     120        9    0    0 1d02h           4\n\
         192.168.100.134 4        notanas   100     120        9    0    0 1d02h           4\n",
    )
    .unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_lightgate"))
            .args(["parse", "--dialect", "cisco-ios", "--bgp"])
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&[file.to_str().unwrap(), "--vrf", "AZURE"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines().any(|l| l.starts_with("AZURE")
            && l.contains("192.168.100.130")
            && l.contains("established")
            && l.contains("12076")
            && l.contains("93600")),
        "{text}"
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("Rows not read (1)"),
        "{out:?}"
    );
    assert_eq!(
        run(&[file.to_str().unwrap(), "--strict"]).status.code(),
        Some(65)
    );
    let json = run(&[file.to_str().unwrap(), "--json"]);
    let v: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v[0]["remote_as"], 12076);
    std::fs::write(&file, "nothing like a summary\n").unwrap();
    assert_eq!(run(&[file.to_str().unwrap()]).status.code(), Some(69));
}
