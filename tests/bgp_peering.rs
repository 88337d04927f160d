//! The whole workflow to traffic, end to end on loopback: two simulated routers over
//! real SNMP (one Cisco, one Juniper flavour, each with BGP sessions to Microsoft's
//! addresses), a fake ARM, and the agent. The port becomes light-ready, the circuit
//! is created through the gate, the private peering is configured in Azure, both
//! sessions are read established from the routers, the peering becomes ready and
//! `lightgate gate CIRCUIT --action enable-traffic` runs its command; then one session
//! drops on link2's router and the gate refuses with the reason within a second of
//! the router's trap, while the devices are polled only every 30 s.

mod common;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::fake_azure::{circuit, fake_azure, Fake, PORT_ID, SECRET};
use common::snmpsim::free_udp_port;
use common::{cli, post_json, step, value, TestAgent};
use lightgate::simulate::bgp::SimPeer;
use lightgate::simulate::config_out::{lightgate_config, ConfigOptions, Monitor};
use lightgate::simulate::{parse_flavours, parse_mix, BgpRequest, Fleet, FleetSettings};
use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;

const PORT: &str = "erd-0001-0";
const CIRCUIT: &str = "ckt-ams-1";

fn private_peering() -> Value {
    json!({
        "name": "AzurePrivatePeering", "properties": {
            "provisioningState": "Succeeded", "peeringType": "AzurePrivatePeering", "state": "Enabled",
            "azureASN": 12076, "peerASN": 65010, "vlanId": 200,
            "primaryPeerAddressPrefix": "192.168.100.128/30", "secondaryPeerAddressPrefix": "192.168.100.132/30"
        }
    })
}

/// Two simulated routers (Cisco and Juniper flavours), each with BGP sessions to
/// `peers`, sending their traps to `traps`.
async fn routers(peers: &[&str], traps: Option<SocketAddr>) -> (Arc<Fleet>, CancellationToken) {
    let settings = FleetSettings {
        devices: 2,
        ports: 2,
        flavours: parse_flavours("cisco,juniper").unwrap(),
        mix: parse_mix("healthy").unwrap(),
        first_address: Ipv4Addr::LOCALHOST,
        port: 0,
        one_address: true,
        control: Some("127.0.0.1:0".parse().unwrap()),
        trap_to: traps.into_iter().collect(),
        bgp_peers: peers.iter().map(|p| SimPeer::parse(p).unwrap()).collect(),
        ..FleetSettings::default()
    };
    let fleet = Arc::new(Fleet::bind(settings).await.expect("the fleet binds"));
    let cancel = CancellationToken::new();
    tokio::spawn(fleet.clone().serve(cancel.clone()));
    (fleet, cancel)
}

/// POSTs `body` to the simulator's control endpoint `path`; the HTTP status.
async fn control(fleet: &Fleet, path: &str, body: Value) -> u16 {
    let url = format!(
        "http://{}{path}",
        fleet.control_addr().expect("a control endpoint")
    );
    tokio::task::spawn_blocking(move || {
        ureq::post(&url)
            .send_json(body)
            .map(|r| r.status().as_u16())
            .unwrap_or(0)
    })
    .await
    .unwrap()
}

/// The agent's config options for the routers: one port on their first interfaces.
fn options(dir: &std::path::Path, poll: &str, traps: Option<SocketAddr>) -> ConfigOptions {
    ConfigOptions {
        listen: "127.0.0.1:0".into(),
        poll_interval: poll.into(),
        hold_down: "1s".into(),
        monitor: Monitor::First(1),
        community: "public".into(),
        audit_log: dir.join("audit.jsonl").display().to_string(),
        traps: traps.map(|t| (t, "public".to_string())),
        v3: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_port_walks_from_light_to_traffic_and_a_dropped_session_closes_the_gate() {
    // Two routers that both have sessions to Microsoft's primary and secondary
    // addresses (link1's router uses .130, link2's .134).
    let traps: SocketAddr = format!("127.0.0.1:{}", free_udp_port()).parse().unwrap();
    let (fleet, cancel) = routers(
        &[
            "192.168.100.130,received=12,advertised=40",
            "192.168.100.134,received=12,advertised=40",
        ],
        Some(traps),
    )
    .await;

    std::env::set_var("LG_TEST_AZURE_SECRET", SECRET);
    let fake = Arc::new(Mutex::new(Fake {
        link2_admin: "Enabled",
        rx_dbm: [-4.0, -4.0],
        ..Default::default()
    }));
    let url = fake_azure(fake.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let options = options(dir.path(), "30s", Some(traps));
    let config = lightgate_config(&fleet.devices, &fleet.addresses(), &options)
        .replace(
            &format!("name = \"{PORT}\"\n"),
            &format!("name = \"{PORT}\"\nazure_port_id = \"{PORT_ID}\"\nstaleness = \"1h\"\nloa_issued = \"2026-11-02\"\ncross_connects_completed = \"2026-11-20\"\n"),
        )
        + &format!(
            "\n[azure]\ntenant_id = \"tenant-1\"\nclient_id = \"client-1\"\nclient_secret_env = \"LG_TEST_AZURE_SECRET\"\narm_endpoint = \"{url}\"\nlogin_endpoint = \"{url}\"\nmetadata_endpoint = \"{url}\"\npoll_interval = \"300ms\"\nrequest_timeout = \"5s\"\n"
        );
    let t = TestAgent::start(&config).await;

    // 1. Light: the port becomes ready; no peering is known yet, so traffic is
    //    refused by name.
    let (status, body) = t
        .wait_for(
            &format!("/api/v1/ports/{PORT}"),
            Duration::from_secs(20),
            |s, _| s == 200,
        )
        .await;
    assert_eq!(status, 200, "{body:#}");
    let (_, w) = t.json(&format!("/api/v1/ports/{PORT}/workflow")).await;
    assert_eq!(
        step(&w, "BGP up and Microsoft peering prefixes validated")["status"],
        "unknown",
        "{w:#}"
    );

    // 2. The circuit is created through the gate.
    let (status, d) = post_json(
        t.url(&format!("/api/v1/ports/{PORT}/gate")),
        json!({"action": "create-circuit", "user": "alice", "command": ["az", "network", "express-route", "create"]}),
    )
    .await;
    assert_eq!(status, 200, "{d:#}");
    fake.lock().unwrap().circuits = vec![circuit(CIRCUIT, "Provisioned", "Enabled", vec![])];
    let (status, _) = t
        .wait_for(
            &format!("/api/v1/circuits/{CIRCUIT}"),
            Duration::from_secs(10),
            |s, _| s == 200,
        )
        .await;
    assert_eq!(status, 200, "the circuit is seen in Azure");
    let (status, d) = post_json(
        t.url(&format!("/api/v1/circuits/{CIRCUIT}/gate")),
        json!({"action": "enable-traffic", "user": "alice"}),
    )
    .await;
    assert_eq!(status, 503, "no peering yet: {d:#}");
    assert!(
        d["failing"]
            .to_string()
            .contains("no peering is known for this circuit"),
        "{d:#}"
    );
    let (_, c) = t.json(&format!("/api/v1/circuits/{CIRCUIT}")).await;
    assert_eq!(c["actions"]["enable-traffic"]["ready"], false, "{c:#}");
    assert_eq!(c["actions"]["configure-peering"]["ready"], true, "{c:#}");

    // 3. The private peering is configured in Azure: the agent derives the sessions
    //    (Microsoft at .130 and .134), polls both routers at once and finds them up.
    fake.lock().unwrap().circuits = vec![circuit(
        CIRCUIT,
        "Provisioned",
        "Enabled",
        vec![private_peering()],
    )];
    let path = format!("/api/v1/circuits/{CIRCUIT}/peerings/AzurePrivatePeering");
    let (status, p) = t
        .wait_for(&path, Duration::from_secs(10), |s, _| s == 200)
        .await;
    assert_eq!(
        status, 200,
        "the peering turns ready well before the 30 s poll: {p:#}"
    );
    assert_eq!(p["ready"], true);
    let sessions = p["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 2, "{p:#}");
    assert_eq!(sessions[0]["link"], "link1");
    assert_eq!(sessions[0]["neighbor"], "192.168.100.130");
    assert_eq!(sessions[0]["customer_address"], "192.168.100.129");
    assert_eq!(sessions[1]["neighbor"], "192.168.100.134");
    for s in sessions {
        assert_eq!(s["state"], "established", "{s:#}");
        assert_eq!(s["remote_as"], 12076);
        assert_eq!(s["prefixes_received"], 12);
        assert_eq!(s["prefixes_accepted"], 12, "apart from received: {s:#}");
        assert_eq!(s["prefixes_advertised"], 40, "read from the router: {s:#}");
        assert_eq!(s["prefix_limit"], 10_000, "the fake's circuit is Premium");
        assert!(s["established_seconds"].as_u64().unwrap() >= 3600);
    }
    let m = t.metrics().await;
    let labels = [("circuit", CIRCUIT), ("peering", "AzurePrivatePeering")];
    assert_eq!(value(&m, "lightgate_peering_ready", &labels), 1.0);
    let mut l = labels.to_vec();
    l.extend([("link", "link2"), ("state", "established")]);
    assert_eq!(value(&m, "lightgate_bgp_session_state", &l), 1.0);

    let out = cli(&["status", "--url", &t.url("")]).await;
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!(
            "PEERING {CIRCUIT} AzurePrivatePeering  READY FOR TRAFFIC"
        )),
        "{text}"
    );

    let (_, w) = t.json(&format!("/api/v1/ports/{PORT}/workflow")).await;
    assert_eq!(step(&w, "traffic enabled")["status"], "next", "{w:#}");
    assert_eq!(
        step(&w, "traffic enabled")["evidence"][0],
        format!("ready for traffic: lightgate gate {CIRCUIT} --action enable-traffic -- COMMAND")
    );

    // 4. Traffic: the gate runs the command and the workflow ends with its evidence.
    let marker = dir.path().join("traffic");
    let out = cli(&[
        "gate",
        CIRCUIT,
        "--action",
        "enable-traffic",
        "--url",
        &t.url(""),
        "--",
        "touch",
        marker.to_str().unwrap(),
    ])
    .await;
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(marker.exists(), "the command ran");
    // The audit record holds the peering as decided on.
    let (_, audit) = t.json(&format!("/api/v1/audit?port={PORT}")).await;
    let last = audit["records"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "enable-traffic", "{last:#}");
    assert_eq!(last["circuit"], CIRCUIT);
    let recorded = &last["peerings"][0];
    assert_eq!(recorded["ready"], true, "{last:#}");
    assert_eq!(recorded["sessions"][1]["state"], "established", "{last:#}");
    let (_, w) = t.json(&format!("/api/v1/ports/{PORT}/workflow")).await;
    for s in w["steps"].as_array().unwrap() {
        assert_eq!(s["status"], "done", "every step, with its evidence: {s:#}");
        assert!(!s["evidence"].as_array().unwrap().is_empty(), "{s:#}");
    }
    assert!(
        step(&w, "traffic enabled")["evidence"][0]
            .as_str()
            .unwrap()
            .contains("by alice"),
        "{w:#}"
    );
    assert!(
        step(&w, "BGP up and Microsoft peering prefixes validated")["evidence"]
            .to_string()
            .contains("link2 sim-0002 to 192.168.100.134 established, AS 12076"),
        "{w:#}"
    );

    // 5. The session on link2's router drops: its trap makes the agent read it at once
    //    (the next scheduled poll is ~30 s away) and the gate refuses, naming it.
    // sim-0002's last poll: its next scheduled one is 30 s after it.
    let (_, devices) = t.json("/api/v1/devices").await;
    let last = devices["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["device"] == "sim-0002")
        .and_then(|d| d["last_success"].as_str())
        .map(|t| humantime::parse_rfc3339_weak(t).unwrap())
        .expect("sim-0002 was polled");
    let scheduled = last + Duration::from_secs(30);
    let dropped = fleet
        .set_bgp(&BgpRequest {
            device: "sim-0002".into(),
            neighbor: "192.168.100.134".into(),
            state: Some("idle".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(dropped.trap_sent);
    let sent = Instant::now();
    let refused = loop {
        let (status, p) = t.json(&path).await;
        if status == 503 {
            break p;
        }
        // Refused before the next scheduled poll: the trap's doing, however busy the
        // machine is (no tighter bound is asserted).
        assert!(
            std::time::SystemTime::now() < scheduled,
            "still ready {:?} after the trap, at the next scheduled poll: {p:#}",
            sent.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    // The router's last NOTIFICATION (bgpPeerLastError) is named on the dropped session.
    assert_eq!(
        refused["sessions"][1]["last_error"], "Cease: administrative shutdown",
        "{refused:#}"
    );
    assert_eq!(
        refused["sessions"][0]["last_error"],
        Value::Null,
        "{refused:#}"
    );
    let (status, d) = post_json(
        t.url(&format!("/api/v1/circuits/{CIRCUIT}/gate")),
        json!({"action": "enable-traffic", "user": "alice"}),
    )
    .await;
    assert_eq!(status, 503, "{d:#}");
    let failing = d["failing"].to_string();
    // The failure names the dropped session alone; the one still up is not repeated.
    assert!(
        failing
            .contains("bgp_established: link2 sim-0002 to 192.168.100.134: idle (not established)")
            && !failing.contains("192.168.100.130: established"),
        "{d:#} / {refused:#}"
    );
    t.stop().await;
    cancel.cancel();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_router_without_bgp_tables_says_so_once_and_is_not_probed_every_poll() {
    // Routers without any BGP MIB, a peering declared without Azure.
    let (fleet, cancel) = routers(&[], None).await;
    let dir = tempfile::tempdir().unwrap();
    let options = options(dir.path(), "200ms", None);
    let config = lightgate_config(&fleet.devices, &fleet.addresses(), &options)
        + "\n[[port.peering]]\ncircuit = \"ckt-lab\"\ntype = \"private\"\nprimary_subnet = \"192.168.100.128/30\"\nsecondary_subnet = \"192.168.100.132/30\"\n";
    let t = TestAgent::start(&config).await;
    let path = "/api/v1/circuits/ckt-lab/peerings/private";
    let (status, p) = t
        .wait_for(path, Duration::from_secs(10), |_, p| {
            p["failing"].to_string().contains("no BGP table")
        })
        .await;
    assert_eq!(status, 503, "{p:#}");
    // The peering's answer is enable-traffic's: the links' checks come first, then the
    // peering's own.
    let detail = p["failing"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f.as_str())
        .find(|f| f.contains("no BGP table"))
        .unwrap();
    assert!(
        detail.contains("link1 sim-0001 to 192.168.100.130: BGP sessions not read: could not decode the device's answer: no BGP table")
            && detail.contains("use the serial source"),
        "{p:#}"
    );
    // Polls go on every 200 ms; the BGP tables are not probed again at each of them.
    let count = |m: &str, name: &str| value(m, name, &[("device", "sim-0001")]);
    let polls = |d: &Value| {
        d["devices"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["device"] == "sim-0001")
            .unwrap()["polls"]
            .as_f64()
            .unwrap()
    };
    let (m0, d0) = (t.metrics().await, t.json("/api/v1/devices").await.1);
    // Ten more polls, however long a busy machine takes for them.
    t.wait_for("/api/v1/devices", Duration::from_secs(60), |_, d| {
        polls(d) >= polls(&d0) + 10.0
    })
    .await;
    // The requests up to now, the polls up to a moment later: never fewer polls than
    // made those requests.
    let m1 = t.metrics().await;
    let d1 = t.json("/api/v1/devices").await.1;
    let requests =
        count(&m1, "lightgate_snmp_requests_total") - count(&m0, "lightgate_snmp_requests_total");
    let n = polls(&d1) - polls(&d0);
    assert!(n >= 10.0, "{n} polls");
    assert!(
        requests <= 2.0 * n,
        "{requests} SNMP requests for {n} polls: the missing tables are probed at every poll"
    );
    t.stop().await;
    cancel.cancel();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declared_peering_walks_the_workflow_to_traffic_without_azure() {
    let dir = tempfile::tempdir().unwrap();
    let config = format!(
        "audit_log = \"{}\"\n{}\n[[port.peering]]\ncircuit = \"ckt-lab\"\ntype = \"private\"\nprimary_subnet = \"192.168.100.128/30\"\nsecondary_subnet = \"192.168.100.132/30\"\nhold_down = \"1s\"\n",
        dir.path().join("audit.jsonl").display(),
        common::pair("\"healthy\"", "200ms", "500ms").replace(
            "name = \"erd-ams-1\"\n",
            "name = \"erd-ams-1\"\nloa_issued = \"2026-11-02\"\ncross_connects_completed = \"2026-11-20\"\n"
        )
    );
    let t = TestAgent::start(&config).await;
    const PATH: &str = "/api/v1/ports/erd-ams-1/workflow";
    const BGP: &str = "BGP up and Microsoft peering prefixes validated";
    // The simulated sessions take a few seconds to come up: blocked, with the reason.
    let (_, w) = t
        .wait_for(PATH, Duration::from_secs(5), |_, w| {
            step(w, BGP)["status"] == "blocked"
        })
        .await;
    assert!(w.to_string().contains("(not established)"), "{w:#}");
    // `gate --wait` waits (recording nothing) until the sessions are up, then runs.
    let marker = dir.path().join("traffic");
    let (url, m) = (t.url(""), marker.to_str().unwrap().to_string());
    let waiting = tokio::spawn(async move {
        cli(&[
            "gate",
            "ckt-lab",
            "--action",
            "enable-traffic",
            "--wait",
            "20s",
            "--interval",
            "100ms",
            "--url",
            &url,
            "--",
            "touch",
            &m,
        ])
        .await
    });
    assert_eq!(
        step(&w, "circuit created on the port")["status"],
        "done",
        "{w:#}"
    );
    assert!(step(&w, "peerings configured")["evidence"][0]
        .as_str()
        .unwrap()
        .contains("declared in [[port.peering]]"));
    let out = waiting.await.unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(
        marker.exists(),
        "the command ran once the peering was ready"
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("waiting for ckt-lab"),
        "progress shown while waiting: {out:?}"
    );
    let (status, tr) = t.json("/api/v1/circuits/ckt-lab/traffic").await;
    assert_eq!((status, tr["ready"].clone()), (200, json!(true)), "{tr:#}");
    let (_, w) = t.json(PATH).await;
    assert_eq!(step(&w, BGP)["status"], "done", "{w:#}");
    // Without Azure the circuit is known by its declared peering.
    let (status, d) = post_json(
        t.url("/api/v1/circuits/ckt-lab/gate"),
        json!({"action": "enable-traffic", "user": "bob", "command": ["true"]}),
    )
    .await;
    assert_eq!(status, 200, "{d:#}");
    assert_eq!(d["circuit"], "ckt-lab");
    let (_, w) = t.json(PATH).await;
    assert_eq!(step(&w, "traffic enabled")["status"], "done", "{w:#}");
    let (status, _) = post_json(
        t.url("/api/v1/circuits/ckt-lab/gate"),
        json!({"action": "configure-peering", "user": "bob"}),
    )
    .await;
    assert_eq!(
        status, 404,
        "other circuit actions need the circuit from Azure"
    );
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flapping_session_is_followed_trap_by_trap_and_its_restarts_counted() {
    // link1's router flaps its session (up 2 s, down 1 s) and says so by trap; the
    // devices are polled only every 30 s.
    let traps: SocketAddr = format!("127.0.0.1:{}", free_udp_port()).parse().unwrap();
    let (fleet, cancel) = routers(
        &[
            "192.168.100.130,state=flapping,flap_up=2,flap_down=1",
            "192.168.100.134",
        ],
        Some(traps),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let options = options(dir.path(), "30s", Some(traps));
    let config = lightgate_config(&fleet.devices, &fleet.addresses(), &options)
        + "staleness = \"1h\"\n\n[[port.peering]]\ncircuit = \"ckt-lab\"\ntype = \"private\"\nprimary_subnet = \"192.168.100.128/30\"\nsecondary_subnet = \"192.168.100.132/30\"\nhold_down = \"1s\"\n";
    let t = TestAgent::start(&config).await;
    let labels = [("circuit", "ckt-lab"), ("link", "link1")];
    let mut starts = std::collections::BTreeSet::new();
    let mut seen_down = false;
    let until = Instant::now() + Duration::from_secs(12);
    while Instant::now() < until && (starts.len() < 3 || !seen_down) {
        let m = t.metrics().await;
        let up = common::samples(&m, "lightgate_bgp_established_timestamp_seconds", &labels);
        if let Some(v) = up.first().and_then(|l| l.rsplit(' ').next()) {
            starts.insert(v.to_string());
        }
        let down = common::samples(
            &m,
            "lightgate_bgp_session_state",
            &[("link", "link1"), ("state", "idle")],
        );
        seen_down |= down.iter().any(|l| l.ends_with(" 1"));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(seen_down, "the session was never seen down");
    assert!(
        starts.len() >= 3,
        "the session restarted every 3 s, by trap, but only these starts were seen: {starts:?}"
    );
    // The session's answer counts what the agent saw: a flap per fall and per restart.
    let (_, p) = t
        .wait_for(
            "/api/v1/circuits/ckt-lab/peerings/private",
            Duration::from_secs(20),
            |_, p| {
                p["sessions"][0]["flaps_seen"]
                    .as_u64()
                    .is_some_and(|n| n >= 2)
            },
        )
        .await;
    assert!(
        p["sessions"][0]["flaps_seen"]
            .as_u64()
            .is_some_and(|n| n >= 2),
        "{p:#}"
    );
    assert_eq!(p["sessions"][1]["flaps_seen"], 0, "the steady one: {p:#}");
    t.stop().await;
    cancel.cancel();
}

/// `vrf = "default"` (the name Cisco and Arista give their global table; Junos says
/// "master") finds the sessions the routers hold in their global routing table.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_global_table_can_be_named_by_its_vendor_names() {
    let (fleet, cancel) = routers(&["192.168.100.130", "192.168.100.134"], None).await;
    let dir = tempfile::tempdir().unwrap();
    let options = options(dir.path(), "200ms", None);
    let config = lightgate_config(&fleet.devices, &fleet.addresses(), &options)
        + "\n[[port.peering]]\ncircuit = \"ckt-lab\"\ntype = \"private\"\nprimary_subnet = \"192.168.100.128/30\"\nsecondary_subnet = \"192.168.100.132/30\"\nvrf = \"default\"\nhold_down = \"1s\"\n";
    let t = TestAgent::start(&config).await;
    let (status, p) = t
        .wait_for(
            "/api/v1/circuits/ckt-lab/traffic",
            Duration::from_secs(20),
            |s, _| s == 200,
        )
        .await;
    assert_eq!(status, 200, "{p:#}");
    let out = cli(&[
        "gate",
        "ckt-lab",
        "--action",
        "enable-traffic",
        "--url",
        &t.url(""),
    ])
    .await;
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    t.stop().await;
    cancel.cancel();
}

/// Issue 28, 5: a Juniper router that restarts (sysUpTime back to zero, every peer under
/// another index, as the simulator's control endpoint does it) has its BGP tables
/// walked again before any counter is attributed: each neighbour's prefix count stays
/// its own (never another's, never lost), with no agent restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_router_keeps_each_neighbours_counters_its_own() {
    let (fleet, cancel) = routers(
        &[
            "192.168.100.130,received=12",
            "192.168.100.134,received=7",
            // Not Microsoft's: a neighbour lightgate does not poll takes an index too.
            "10.0.0.9,received=99",
        ],
        None,
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let options = options(dir.path(), "200ms", None);
    let config = lightgate_config(&fleet.devices, &fleet.addresses(), &options)
        + "\n[[port.peering]]\ncircuit = \"ckt-lab\"\ntype = \"private\"\nprimary_subnet = \"192.168.100.128/30\"\nsecondary_subnet = \"192.168.100.132/30\"\nhold_down = \"1s\"\n";
    let t = TestAgent::start(&config).await;
    let path = "/api/v1/circuits/ckt-lab/peerings/private";
    let juniper = |p: &Value| p["sessions"][1].clone();
    let (_, p) = t
        .wait_for(path, Duration::from_secs(20), |_, p| {
            juniper(p)["prefixes_received"] == 7
        })
        .await;
    assert_eq!(juniper(&p)["device"], "sim-0002", "{p:#}");
    assert_eq!(juniper(&p)["prefixes_received"], 7, "{p:#}");
    let restarted = control(&fleet, "/restart", json!({"device": "sim-0002"})).await;
    assert_eq!(restarted, 200);
    // The agent sees the sessions come back (established moments ago)...
    let (_, p) = t
        .wait_for(path, Duration::from_secs(20), |_, p| {
            juniper(p)["established_seconds"]
                .as_u64()
                .is_some_and(|s| s < 60)
        })
        .await;
    assert!(
        juniper(&p)["established_seconds"]
            .as_u64()
            .is_some_and(|s| s < 60),
        "the restart was never seen: {p:#}"
    );
    // ...and over the polls that follow, each neighbour keeps its own count.
    let polls = |d: &Value| {
        d["devices"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["device"] == "sim-0002")
            .unwrap()["polls"]
            .as_u64()
            .unwrap()
    };
    let first = polls(&t.json("/api/v1/devices").await.1);
    loop {
        let (_, p) = t.json(path).await;
        assert_eq!(
            juniper(&p)["prefixes_received"],
            7,
            "192.168.100.134's count after the restart: {p:#}"
        );
        assert_eq!(p["sessions"][0]["prefixes_received"], 12, "{p:#}");
        if polls(&t.json("/api/v1/devices").await.1) >= first + 5 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    t.stop().await;
    cancel.cancel();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bfd_is_read_beside_each_session_and_gates_only_where_required() {
    // link2's router (Juniper: its experimental BFD-STD-MIB) runs BFD with Microsoft;
    // link1's (Cisco: CISCO-IETF-BFD-MIB) has BGP up but BFD down.
    let (fleet, cancel) = routers(&["192.168.100.130,bfd=down", "192.168.100.134"], None).await;
    let dir = tempfile::tempdir().unwrap();
    let options = options(dir.path(), "200ms", None);
    let peering = |extra: &str| {
        lightgate_config(&fleet.devices, &fleet.addresses(), &options)
            + "\n[[port.peering]]\ncircuit = \"ckt-lab\"\ntype = \"private\"\nprimary_subnet = \"192.168.100.128/30\"\nsecondary_subnet = \"192.168.100.132/30\"\nhold_down = \"1s\"\n"
            + extra
    };
    let path = "/api/v1/circuits/ckt-lab/peerings/private";
    let check = |p: &Value| {
        p["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["check"] == "bfd_up")
            .cloned()
            .unwrap_or(Value::Null)
    };

    // Informational by default: the peering becomes ready, the check says why not BFD.
    let t = TestAgent::start(&peering("")).await;
    let (_, p) = t
        .wait_for(path, Duration::from_secs(20), |_, p| p["ready"] == true)
        .await;
    assert_eq!(p["ready"], true, "{p:#}");
    assert_eq!(p["sessions"][0]["bfd"], "down", "{p:#}");
    assert_eq!(
        p["sessions"][0]["bfd_diagnostic"], "control detection time expired",
        "{p:#}"
    );
    assert_eq!(p["sessions"][1]["bfd"], "up", "{p:#}");
    let c = check(&p);
    assert_eq!(c["pass"], true, "{p:#}");
    let detail = c["detail"].as_str().unwrap();
    assert!(
        detail.starts_with("warning: ")
            && detail.contains(
                "link1 sim-0001 to 192.168.100.130: BFD down (control detection time expired)"
            )
            && detail.contains("set bfd_required = true"),
        "{detail}"
    );
    let m = t.metrics().await;
    assert_eq!(
        value(
            &m,
            "lightgate_bgp_bfd_up",
            &[("neighbor", "192.168.100.130")]
        ),
        0.0
    );
    assert_eq!(
        value(
            &m,
            "lightgate_bgp_bfd_up",
            &[("neighbor", "192.168.100.134")]
        ),
        1.0
    );
    t.stop().await;

    // Required: the same evidence blocks enable-traffic, naming BFD...
    let t = TestAgent::start(&peering("bfd_required = true\n")).await;
    let (_, p) = t
        .wait_for(path, Duration::from_secs(20), |_, p| {
            p["sessions"][0]["bfd"] == "down" && p["sessions"][1]["bfd"] == "up"
        })
        .await;
    assert_eq!(p["ready"], false, "{p:#}");
    assert_eq!(check(&p)["pass"], false, "{p:#}");
    assert!(
        p["failing"]
            .to_string()
            .contains("link1 sim-0001 to 192.168.100.130: BFD down"),
        "{p:#}"
    );
    // ...until the router's BFD session comes up.
    let changed = control(
        &fleet,
        "/bgp",
        json!({"device": "sim-0001", "neighbor": "192.168.100.130", "bfd": "follow"}),
    )
    .await;
    assert_eq!(changed, 200);
    let (_, p) = t
        .wait_for(path, Duration::from_secs(20), |_, p| p["ready"] == true)
        .await;
    assert_eq!(p["ready"], true, "{p:#}");
    assert!(check(&p)["detail"]
        .as_str()
        .unwrap()
        .contains("link1 sim-0001 to 192.168.100.130: BFD up"));
    t.stop().await;
    cancel.cancel();
}
