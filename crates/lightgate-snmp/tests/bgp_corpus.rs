//! Conformance of the BGP reader with LibreNMS's expectations: every
//! `librenms-bgp/*.expected.json` in the shared corpus names the walk to replay, and
//! every peer its poller expects (address, remote AS, state, admin status, established
//! time) and every per-family prefix row (accepted and advertised) must come out of
//! lightgate's discovery of that walk. A new case in the corpus is a new test case,
//! with no code change. Where lightgate deliberately differs, [`EXCEPTIONS`] says why.

mod common;
use common::corpus;

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use lightgate_core::bgp::{BgpSession, Family};
use lightgate_snmp::bgp;
use lightgate_snmp::transport::Replay;
use lightgate_snmp::Counters;
use serde_json::Value;

/// (walk, peer or "*", why lightgate differs). Keep it short.
const EXCEPTIONS: &[(&str, &str, &str)] = &[
    (
        "vrp_ne8000",
        "ipv6-prefixes",
        "upstream's bgpPeers_cbgp rows of every IPv6 peer repeat the last IPv4 peer's counters (826404/18); the walk has 0 for them (MANIFEST traps)",
    ),
    (
        "iosxr_asr9001",
        "10.246.0.3 ipv6/vpn",
        "the walk has no ipv6/vpn prefix row for this IPv4 peer; upstream repeats its ipv4/vpn counters",
    ),
    (
        "iosxr_asr9001",
        "10.246.0.4 ipv6/vpn",
        "the walk has no ipv6/vpn prefix row for this IPv4 peer; upstream repeats its ipv4/vpn counters",
    ),
    (
        "junos_mx",
        "192.168.99.25 ipv4/mvpn",
        "upstream repeats the multicast count (4); the walk's safi-5 row (jnxBgpM2PrefixInPrefixesAccepted.1.1.5) is 0",
    ),
    (
        "junos_mx",
        "192.168.99.25 ipv4/vpn",
        "upstream repeats the unicast count (20); the walk's safi-128 row is 0",
    ),
    (
        "junos_mx",
        "192.168.99.25 l2vpn/vpls",
        "upstream repeats the unicast count (20); the walk's afi-25 safi-65 row is 0",
    ),
    (
        "timos_7750-bgp",
        "admin",
        "upstream's admin status is tBgpPeerNgOperLastEvent, which is not an admin status (and its numbers differ between the two TiMOS walks); lightgate leaves it out",
    ),
    (
        "timos_7705",
        "admin",
        "as for timos_7750-bgp",
    ),
];

fn excepted(walk: &str, what: &str) -> bool {
    EXCEPTIONS
        .iter()
        .any(|(w, p, _)| *w == walk && (*p == "*" || *p == what))
}

fn sessions_of(dir: &Path, walk: &str) -> Vec<BgpSession> {
    let text = std::fs::read_to_string(dir.join(walk)).unwrap();
    // Some walks carry sanitised cells ("58AC78XXYYZZ") that are not valid snmprec;
    // none of them is a BGP cell, and a replay refuses the whole file for one.
    let text: String = text
        .lines()
        .filter(|l| Replay::from_snmprec(l).is_ok())
        .map(|l| format!("{l}\n"))
        .collect();
    let mut replay = Replay::from_snmprec(&text).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let d = rt
        .block_on(bgp::discover(&mut replay, &mut Counters::default()))
        .unwrap();
    assert!(d.has_table(), "{walk}: no BGP table found");
    d.sessions.into_iter().map(|d| d.session).collect()
}

fn find<'a>(sessions: &'a [BgpSession], addr: &str) -> Vec<&'a BgpSession> {
    let a: IpAddr = addr.parse().unwrap_or_else(|e| panic!("{addr}: {e}"));
    sessions.iter().filter(|s| s.peer == a).collect()
}

/// LibreNMS spells families its own way (labeledUnicast); compare letters only.
fn same_family(a: &Family, b: &Family) -> bool {
    let norm = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase()
    };
    norm(&a.afi) == norm(&b.afi) && norm(&a.safi) == norm(&b.safi)
}

#[test]
fn every_peer_librenms_expects_is_read_right() {
    let dir = corpus();
    let mut cases = 0;
    let mut peers = 0;
    let mut rows = 0;
    let mut failures = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("librenms-bgp"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".expected.json"))
        .collect();
    files.sort();
    for file in files {
        let name = file
            .file_name()
            .unwrap()
            .to_string_lossy()
            .trim_end_matches(".expected.json")
            .to_string();
        let expected: Value =
            serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let walk = expected["_walk"].as_str().unwrap();
        let poller = &expected["bgp-peers"]["poller"];
        let sessions = sessions_of(&dir, walk);
        cases += 1;
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for p in poller["bgpPeers"].as_array().into_iter().flatten() {
            let addr = p["bgpPeerIdentifier"].as_str().unwrap();
            *seen.entry(addr.to_string()).or_default() += 1;
            if excepted(&name, "*") || excepted(&name, addr) {
                continue;
            }
            peers += 1;
            let found = find(&sessions, addr);
            let Some(s) = found.first() else {
                failures.push(format!("{name} {addr}: not found"));
                continue;
            };
            let want_as = p["bgpPeerRemoteAs"].as_u64().unwrap();
            if s.remote_as.map(|a| u64::from(a.0)) != Some(want_as) {
                failures.push(format!(
                    "{name} {addr}: remote AS {:?}, expected {want_as}",
                    s.remote_as
                ));
            }
            let want_state = p["bgpPeerState"].as_str().unwrap();
            if s.state.as_str() != want_state {
                failures.push(format!(
                    "{name} {addr}: state {}, expected {want_state}",
                    s.state
                ));
            }
            let want_admin = p["bgpPeerAdminStatus"].as_str().unwrap_or("");
            if !want_admin.is_empty()
                && !excepted(&name, "admin")
                && s.admin.as_deref() != Some(want_admin)
            {
                failures.push(format!(
                    "{name} {addr}: admin {:?}, expected {want_admin}",
                    s.admin
                ));
            }
            if want_state == "established" {
                let want = p["bgpPeerFsmEstablishedTime"].as_u64().unwrap();
                if s.established_seconds != Some(want) {
                    failures.push(format!(
                        "{name} {addr}: established {:?} s, expected {want}",
                        s.established_seconds
                    ));
                }
            } else if s.established_seconds.is_some() {
                failures.push(format!(
                    "{name} {addr}: {want_state} but has an established time"
                ));
            }
        }
        for r in poller["bgpPeers_cbgp"].as_array().into_iter().flatten() {
            let addr = r["bgpPeerIdentifier"].as_str().unwrap();
            if excepted(&name, "*") || excepted(&name, addr) {
                continue;
            }
            if addr.contains(':') && excepted(&name, "ipv6-prefixes") {
                continue;
            }
            let family = Family::new(r["afi"].as_str().unwrap(), r["safi"].as_str().unwrap());
            if excepted(&name, &format!("{addr} {family}")) {
                continue;
            }
            rows += 1;
            let counts = find(&sessions, addr).into_iter().find_map(|s| {
                s.prefixes
                    .iter()
                    .find(|p| same_family(&p.family, &family))
                    .cloned()
            });
            let accepted = r["AcceptedPrefixes"].as_u64().unwrap();
            let advertised = r["AdvertisedPrefixes"].as_u64().unwrap();
            let Some(c) = counts else {
                // LibreNMS writes 0 where the device has no counters at all.
                if accepted != 0 || advertised != 0 {
                    failures.push(format!("{name} {addr} {family}: no prefix counters"));
                }
                continue;
            };
            if c.accepted.or(c.received) != Some(accepted) {
                failures.push(format!(
                    "{name} {addr} {family}: accepted {:?}/{:?}, expected {accepted}",
                    c.accepted, c.received
                ));
            }
            if c.advertised.unwrap_or(0) != advertised {
                failures.push(format!(
                    "{name} {addr} {family}: advertised {:?}, expected {advertised}",
                    c.advertised
                ));
            }
        }
        // Every session lightgate reports is one upstream lists (no invented peers),
        // unless upstream's device is excepted wholesale.
        if !excepted(&name, "*") {
            for s in &sessions {
                if !seen
                    .keys()
                    .any(|k| k.parse::<IpAddr>().ok() == Some(s.peer))
                {
                    failures.push(format!("{name} {}: read but not expected upstream", s.peer));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(cases >= 16, "only {cases} BGP cases in the corpus");
    eprintln!("{cases} walks, {peers} peers, {rows} prefix rows read as LibreNMS expects");
}
