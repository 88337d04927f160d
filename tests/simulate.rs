//! `lightgate simulate`: the fleet speaks SNMP that net-snmp's tools walk and that
//! lightgate decodes to the values the simulator meant, its meter counts what clients
//! send, and a forced link change reaches lightgate by trap.

mod common;

use std::net::Ipv4Addr;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::snmpsim::free_udp_port;
use common::TestAgent;
use lightgate::domain::OpticalPower;
use lightgate::simulate::config_out::{lightgate_config, ConfigOptions, Monitor};
use lightgate::simulate::{parse_mix, Fleet, FleetSettings, Vendor};
use tokio_util::sync::CancellationToken;

fn settings(devices: usize, ports: usize, mix: &str) -> FleetSettings {
    FleetSettings {
        devices,
        ports,
        mix: parse_mix(mix).unwrap(),
        first_address: Ipv4Addr::LOCALHOST,
        port: 0,
        one_address: true,
        control: Some("127.0.0.1:0".parse().unwrap()),
        ..FleetSettings::default()
    }
}

async fn start(s: FleetSettings) -> (Arc<Fleet>, CancellationToken) {
    let fleet = Arc::new(Fleet::bind(s).await.expect("the fleet binds"));
    let cancel = CancellationToken::new();
    tokio::spawn(fleet.clone().serve(cancel.clone()));
    (fleet, cancel)
}

/// Starts the fleet and an agent polling it with these options.
async fn fleet_and_agent(
    s: FleetSettings,
    options: &ConfigOptions,
) -> (Arc<Fleet>, CancellationToken, TestAgent) {
    let (fleet, cancel) = start(s).await;
    let toml = lightgate_config(&fleet.devices, &fleet.addresses(), options);
    let agent = TestAgent::start(&toml).await;
    (fleet, cancel, agent)
}

fn options(monitor: Monitor, poll: &str, traps: Option<std::net::SocketAddr>) -> ConfigOptions {
    ConfigOptions {
        listen: "127.0.0.1:0".into(),
        poll_interval: poll.into(),
        hold_down: "1s".into(),
        monitor,
        community: "public".into(),
        audit_log: std::env::temp_dir()
            .join(format!("lightgate-sim-test-{}.jsonl", std::process::id()))
            .display()
            .to_string(),
        traps: traps.map(|t| (t, "public".to_string())),
        v3: None,
    }
}

fn dbm(p: OpticalPower) -> Option<f64> {
    match p {
        OpticalPower::Measured(m) => Some(m.dbm()),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lightgate_decodes_every_flavour_to_the_values_the_simulator_meant() {
    // Router 1 Cisco, 2 Juniper, 3 Arista, 4 Cisco (paired with 3); port 2 of each unplugged.
    let mut s = settings(4, 3, "healthy");
    s.mix = vec![(lightgate::source::sim::Scenario::Healthy, 1)];
    let (fleet, cancel) = start(s).await;
    for d in &fleet.devices {
        assert!(d.force(2, true));
    }
    let toml = lightgate_config(
        &fleet.devices,
        &fleet.addresses(),
        &options(Monitor::First(3), "1s", None),
    );
    let agent = TestAgent::start(&toml).await;
    let (_, ports) = agent
        .wait_for("/api/v1/ports", Duration::from_secs(20), |_, v| {
            v["ports"].as_array().is_some_and(|ps| {
                ps.iter().all(|p| {
                    ["link1", "link2"]
                        .iter()
                        .all(|l| !p["links"][*l]["reading"].is_null())
                })
            })
        })
        .await;
    let ports = ports["ports"].as_array().unwrap();
    assert_eq!(ports.len(), 6, "3 interfaces of 2 pairs of routers");
    let mut checked = 0;
    for p in ports {
        for l in ["link1", "link2"] {
            let r = &p["links"][l]["reading"];
            let name = r["device"].as_str().unwrap();
            let iface = r["interface"].as_str().unwrap();
            let dev = fleet.devices.iter().find(|d| d.name == name).unwrap();
            let k = dev.ports.iter().position(|x| x.name == iface).unwrap();
            let truth = dev.read_port(k, None);
            let optic = truth.optic.as_ref().unwrap();
            let lanes = r["lanes"].as_array().unwrap();
            assert_eq!(lanes.len(), 4, "{name} {iface}: {r:#}");
            for (lane, want) in lanes.iter().zip(&optic.lanes) {
                assert_eq!(lane["lane"], want.lane, "lanes are 0-based");
                if k == 2 {
                    assert_eq!(r["oper_status"], "down", "{name} {iface}");
                    assert_eq!(lane["rx_no_light"], true, "{name} {iface} is dark");
                    assert!(lane["rx_dbm"].is_null(), "no light is not a number");
                } else {
                    assert_eq!(r["oper_status"], "up");
                    // The noise moves a few hundredths of a dB between seconds.
                    let got = lane["rx_dbm"].as_f64().unwrap();
                    let want = dbm(want.rx).unwrap();
                    assert!(
                        (got - want).abs() < 0.25,
                        "{name} {iface} lane {}: {got} vs {want}",
                        want
                    );
                    let bias = lane["bias_amperes"].as_f64().unwrap();
                    assert!(
                        (bias - optic.lanes[0].bias_amperes.unwrap()).abs() < 0.005,
                        "{name} bias {bias} A"
                    );
                }
                checked += 1;
            }
            let t = &r["thresholds"]["rx"];
            // Arista's 0.1 uW resolution moves -16 dBm by a few thousandths of a dB.
            let near = |v: &serde_json::Value, want: f64| (v.as_f64().unwrap() - want).abs() < 0.01;
            assert!(
                near(&t["low_alarm"], -16.0),
                "{name}: thresholds in dBm from the vendor's table: {t}"
            );
            assert!(near(&t["high_warning"], 2.5), "{name}: {t}");
        }
    }
    assert_eq!(checked, 6 * 2 * 4);
    agent.stop().await;
    cancel.cancel();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn net_snmp_walks_every_flavour_in_order_with_getnext_and_getbulk() {
    common::require("snmpwalk", "snmp");
    let mut s = settings(3, 4, "healthy");
    s.flavours = lightgate::simulate::SIMULATED_BY_DEFAULT.to_vec();
    let (fleet, cancel) = start(s).await;
    for (d, addr) in fleet.devices.iter().zip(fleet.addresses()) {
        for tool in ["snmpwalk", "snmpbulkwalk"] {
            let out = tokio::task::spawn_blocking(move || {
                Command::new(tool)
                    .args([
                        "-v2c",
                        "-c",
                        "public",
                        "-On",
                        "-t",
                        "2",
                        &addr.to_string(),
                        ".1",
                    ])
                    .output()
                    .unwrap()
            })
            .await
            .unwrap();
            let text = String::from_utf8_lossy(&out.stdout);
            let err = String::from_utf8_lossy(&out.stderr);
            // net-snmp stops with "OID not increasing" if the agent walks backwards.
            assert!(
                out.status.success() && err.trim().is_empty(),
                "{tool} {}: {err}",
                d.name
            );
            // The last line says the walk reached the end of the MIB view.
            let lines = text
                .lines()
                .filter(|l| l.starts_with('.') && !l.contains("No more variables"))
                .count();
            assert_eq!(
                lines,
                d.layout.cells.len(),
                "{tool} on {} ({})",
                d.name,
                d.flavour()
            );
        }
    }
    let report = fleet.meter.report(fleet.devices.len());
    let c = &report.clients["127.0.0.1"];
    assert!(c.getnext > 0 && c.getbulk > 0, "{c:?}");
    cancel.cancel();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_meter_counts_every_request_pdu_and_varbind_per_client() {
    common::require("snmpget", "snmp");
    let (fleet, cancel) = start(settings(1, 2, "healthy")).await;
    let addr = fleet.addresses()[0].to_string();
    let out = tokio::task::spawn_blocking(move || {
        Command::new("snmpget")
            .args([
                "-v2c",
                "-c",
                "public",
                &addr,
                "1.3.6.1.2.1.1.3.0",
                "1.3.6.1.2.1.1.2.0",
                "1.3.6.1.2.1.31.1.5.0",
            ])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Over HTTP, as the benchmark reads it.
    let url = format!("http://{}/meter", fleet.control_addr().unwrap());
    let (status, body) = common::get(&url).await;
    assert_eq!(status, 200);
    let m: serde_json::Value = serde_json::from_str(&body).unwrap();
    let c = &m["clients"]["127.0.0.1"];
    assert_eq!(c["requests"], 1, "{m:#}");
    assert_eq!(c["get"], 1);
    assert_eq!(c["varbinds_requested"], 3);
    assert_eq!(c["varbinds_returned"], 3);
    assert!(
        m["cpu_seconds"].as_f64().is_some(),
        "its own CPU use is reported"
    );
    cancel.cancel();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_too_small_response_limit_makes_lightgate_split_its_gets_and_still_read() {
    let mut s = settings(1, 8, "healthy");
    s.max_response_size = 484;
    // Both links on the one router: four interfaces, over a hundred cells a poll.
    let (fleet, cancel, agent) = fleet_and_agent(s, &options(Monitor::First(8), "1s", None)).await;
    let (_, ports) = agent
        .wait_for("/api/v1/ports", Duration::from_secs(20), |_, v| {
            v["ports"]
                .as_array()
                .is_some_and(|ps| ps.iter().all(|p| !p["links"]["link2"]["reading"].is_null()))
        })
        .await;
    assert_eq!(ports["ports"].as_array().unwrap().len(), 4);
    let report = fleet.meter.report(1);
    assert!(
        report.total.too_big > 0,
        "the limit was never hit: {:?}",
        report.total
    );
    agent.stop().await;
    cancel.cancel();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forced_link_down_reaches_lightgate_by_trap_not_by_polling() {
    let trap_port = free_udp_port();
    let trap_addr: std::net::SocketAddr = format!("127.0.0.1:{trap_port}").parse().unwrap();
    let mut s = settings(2, 2, "healthy");
    s.trap_to = vec![trap_addr];
    // Poll once an hour: only the trap can make lightgate look again.
    let (fleet, cancel, agent) =
        fleet_and_agent(s, &options(Monitor::First(2), "1h", Some(trap_addr))).await;
    let path = "/api/v1/ports/erd-0001-0";
    let (_, p) = agent
        .wait_for(path, Duration::from_secs(20), |_, v| {
            v["links"]["link1"]["reading"]["oper_status"] == "up"
        })
        .await;
    assert_eq!(p["links"]["link1"]["reading"]["oper_status"], "up", "{p:#}");
    let iface = fleet.devices[0].ports[0].name.clone();
    let forced = fleet.force("sim-0001", &iface, true).await.unwrap();
    assert!(forced.trap_sent);
    let started = Instant::now();
    let (_, p) = agent
        .wait_for(path, Duration::from_secs(10), |_, v| {
            v["links"]["link1"]["reading"]["oper_status"] == "down"
        })
        .await;
    assert_eq!(
        p["links"]["link1"]["reading"]["oper_status"],
        "down",
        "after {:?}: {p:#}",
        started.elapsed()
    );
    assert_eq!(fleet.meter.report(2).traps_sent, 1);
    agent.stop().await;
    cancel.cancel();
}

/// A flood of valid linkDown traps (2,000 in about two seconds) against a router that
/// answers in microseconds must not turn into a flood of polls: polls woken by traps
/// coalesce, at most 5 in any 100 ms, and the folded traps are counted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trap_flood_is_coalesced_into_a_few_polls() {
    let trap_port = free_udp_port();
    let trap_addr: std::net::SocketAddr = format!("127.0.0.1:{trap_port}").parse().unwrap();
    let (fleet, cancel) = start(settings(2, 2, "healthy")).await;
    let toml = lightgate_config(
        &fleet.devices,
        &fleet.addresses(),
        &options(Monitor::First(2), "1h", Some(trap_addr)),
    );
    let agent = TestAgent::start(&toml).await;
    agent
        .wait_for(
            "/api/v1/ports/erd-0001-0",
            Duration::from_secs(20),
            |_, v| v["links"]["link1"]["reading"]["oper_status"] == "up",
        )
        .await;
    let metrics = agent.agent.store();
    let polls_before = metrics.counters("sim-0001").polls;
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let started = Instant::now();
    for i in 0..2000u32 {
        let pdu =
            lightgate::simulate::trap::link_trap("public", i64::from(i), 100 + i, 1, true, false);
        socket.send_to(&pdu, trap_addr).unwrap();
        // A steady stream (about one a millisecond), not bursts that coalesce anyway.
        std::thread::sleep(Duration::from_micros(900));
    }
    let flood = started.elapsed();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let polls = metrics.counters("sim-0001").polls - polls_before;
    let m = agent.metrics().await;
    let accepted = common::value(
        &m,
        "lightgate_snmp_traps_total",
        &[("device", "sim-0001"), ("trap", "linkDown")],
    );
    let coalesced = common::value(
        &m,
        "lightgate_snmp_trap_polls_coalesced_total",
        &[("device", "sim-0001")],
    );
    let most = (flood.as_secs_f64() * 50.0).ceil() as u64 + 5;
    assert!(polls >= 1, "the traps made no poll at all");
    assert!(
        polls <= most,
        "{polls} polls for a {flood:?} trap flood (at most {most})"
    );
    assert!(accepted > 1000.0, "only {accepted} traps were accepted");
    assert!(
        coalesced >= accepted - most as f64,
        "{coalesced} of {accepted} traps counted as coalesced"
    );
    agent.stop().await;
    cancel.cancel();
}

#[test]
fn the_simulate_command_writes_a_config_that_lightgate_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("fleet.toml");
    let meter = dir.path().join("meter.json");
    // v3 passwords from files: the written config names the same files.
    let auth = dir.path().join("auth.pw");
    let privacy = dir.path().join("priv.pw");
    std::fs::write(&auth, "auth-file-pass-1\n").unwrap();
    std::fs::write(&privacy, "priv-file-pass-1\n").unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_lightgate"))
        .current_dir(dir.path())
        .args([
            "simulate",
            "--v3-user",
            "lightgate",
            "--v3-auth-password-file",
        ])
        .arg(&auth)
        .arg("--v3-priv-password-file")
        .arg(&privacy)
        .args([
            "--devices",
            "3",
            "--ports",
            "4",
            "--first-address",
            "127.0.0.1",
            "--one-address",
            "--port",
            "0",
            "--control",
            "127.0.0.1:0",
            "--mix",
            "healthy=3,dirty-connector=1",
            "--monitor",
            "all",
        ])
        .arg("--write-config")
        .arg(&config)
        .arg("--meter-file")
        .arg(&meter)
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !(config.exists() && meter.exists()) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let check = Command::new(env!("CARGO_BIN_EXE_lightgate"))
        .arg("check-config")
        .arg(&config)
        .output()
        .unwrap();
    // SIGTERM: the simulator stops cleanly.
    let _ = Command::new("kill").arg(child.id().to_string()).status();
    let status = child.wait().unwrap();
    let text = std::fs::read_to_string(&config).unwrap_or_default();
    assert!(
        check.status.success(),
        "{}\n{text}",
        String::from_utf8_lossy(&check.stderr)
    );
    // 3 routers: 1+2 make two ports of their first two interfaces, 3 pairs its own
    // first two; every other optic is monitored.
    assert!(
        String::from_utf8_lossy(&check.stdout).contains("(3 devices, 3 ports)"),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    assert_eq!(text.matches("monitor = [").count(), 3, "{text}");
    assert!(
        text.contains(&format!("auth_password_file = \"{}\"", auth.display()))
            && text.contains(&format!("priv_password_file = \"{}\"", privacy.display()))
            && !text.contains("file-pass"),
        "{text}"
    );
    assert!(status.success(), "{status:?}");
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&meter).unwrap()).unwrap();
    assert_eq!(m["devices"], 3);
}

/// /api/v1/ports once every port's link2 reads four lanes (or after 20 s).
async fn lanes_read(agent: &TestAgent) -> serde_json::Value {
    let (_, ports) = agent
        .wait_for("/api/v1/ports", Duration::from_secs(20), |_, v| {
            v["ports"].as_array().is_some_and(|ps| {
                ps.iter().all(|p| {
                    p["links"]["link2"]["reading"]["lanes"]
                        .as_array()
                        .is_some_and(|l| l.len() == 4)
                })
            })
        })
        .await;
    ports
}

const V3_AUTH: &str = "sim-auth-pass-1";
const V3_PRIV: &str = "sim-priv-pass-1";

fn v3_user() -> lightgate::simulate::usm::V3User {
    lightgate::simulate::usm::V3User {
        name: "lightgate".into(),
        auth: lightgate::simulate::usm::AuthProtocol::Sha256,
        auth_password: V3_AUTH.into(),
        priv_password: Some(V3_PRIV.into()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lightgate_polls_the_fleet_over_snmpv3_auth_priv() {
    std::env::set_var("LG_SIM_TEST_AUTH", V3_AUTH);
    std::env::set_var("LG_SIM_TEST_PRIV", V3_PRIV);
    let mut s = settings(2, 2, "healthy");
    s.v3 = Some(v3_user());
    let (fleet, cancel) = start(s).await;
    let mut o = options(Monitor::First(2), "1s", None);
    o.v3 = Some(lightgate::simulate::config_out::ConfigV3 {
        user: "lightgate".into(),
        auth_protocol: lightgate::simulate::usm::AuthProtocol::Sha256,
        auth_password: lightgate::simulate::config_out::PasswordFrom::Env(
            "LG_SIM_TEST_AUTH".into(),
        ),
        priv_password: Some(lightgate::simulate::config_out::PasswordFrom::Env(
            "LG_SIM_TEST_PRIV".into(),
        )),
    });
    let toml = lightgate_config(&fleet.devices, &fleet.addresses(), &o);
    assert!(
        toml.contains("security_level = \"authPriv\"") && !toml.contains(V3_AUTH),
        "{toml}"
    );
    let agent = TestAgent::start(&toml).await;
    let ports = lanes_read(&agent).await;
    assert_eq!(ports["ports"].as_array().unwrap().len(), 2, "{ports:#}");
    let report = fleet.meter.report(2);
    assert!(
        report.total.requests > 0 && report.total.dropped == 0,
        "{:?}",
        report.total
    );
    agent.stop().await;
    cancel.cancel();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn net_snmp_reads_the_fleet_over_snmpv3_and_a_wrong_password_gets_nothing() {
    common::require("snmpget", "snmp");
    let mut s = settings(1, 1, "healthy");
    s.v3 = Some(v3_user());
    let (fleet, cancel) = start(s).await;
    let addr = fleet.addresses()[0].to_string();
    let get = |auth: &'static str, level: &'static str| {
        let addr = addr.clone();
        tokio::task::spawn_blocking(move || {
            Command::new("snmpget")
                .args([
                    "-v3",
                    "-l",
                    level,
                    "-u",
                    "lightgate",
                    "-a",
                    "SHA-256",
                    "-A",
                    auth,
                    "-x",
                    "AES",
                    "-X",
                    V3_PRIV,
                    "-t",
                    "1",
                    "-r",
                    "0",
                    "-On",
                    &addr,
                    "1.3.6.1.2.1.1.2.0",
                ])
                .output()
                .unwrap()
        })
    };
    let ok = get(V3_AUTH, "authPriv").await.unwrap();
    let text = String::from_utf8_lossy(&ok.stdout);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(
        text.contains(".1.3.6.1.2.1.1.2.0 = OID: .1.3.6.1.4.1.9.12.3.1.3.1812"),
        "{text}"
    );
    let wrong = get("not-the-password", "authPriv").await.unwrap();
    assert!(
        !wrong.status.success(),
        "a wrong password must not read anything"
    );
    let no_priv = get(V3_AUTH, "authNoPriv").await.unwrap();
    assert!(!no_priv.status.success(), "the user requires privacy");
    assert!(
        String::from_utf8_lossy(&no_priv.stderr).contains("Unsupported security level"),
        "{}",
        String::from_utf8_lossy(&no_priv.stderr)
    );
    cancel.cancel();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plain_entity_sensor_router_reads_per_lane_without_thresholds() {
    let mut s = settings(2, 2, "healthy");
    s.flavours = vec![Vendor::EntitySensor];
    let (_fleet, cancel, agent) = fleet_and_agent(s, &options(Monitor::First(2), "1s", None)).await;
    let ports = lanes_read(&agent).await;
    let r = &ports["ports"][0]["links"]["link1"]["reading"];
    assert_eq!(r["lanes"].as_array().map(Vec::len), Some(4), "{ports:#}");
    let rx = r["lanes"][0]["rx_dbm"].as_f64().unwrap();
    assert!((-10.0..0.0).contains(&rx), "{rx}");
    assert!(
        r["thresholds"]["rx"]["low_alarm"].is_null(),
        "plain ENTITY-SENSOR-MIB has no thresholds: {r}"
    );
    agent.stop().await;
    cancel.cancel();
}

/// Found by the benchmark: a targeted discovery GETs entity names and descriptions,
/// long texts that make the agent answer tooBig, and the smaller GET size it learned
/// carried over to every poll after it (three PDUs a poll instead of two for a Cisco
/// with two interfaces). A poll's GET size is learned from polls.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_discovery_learns_about_response_size_does_not_shrink_the_polls() {
    let mut s = settings(1, 48, "healthy");
    s.flavours = vec![Vendor::Cisco];
    let (fleet, cancel, agent) =
        fleet_and_agent(s, &options(Monitor::First(2), "200ms", None)).await;
    let name = fleet.devices[0].name.clone();
    let metrics = agent.agent.store();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while metrics.counters(&name).polls < 3 {
        assert!(std::time::Instant::now() < deadline, "no steady polls");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (p0, r0) = (
        metrics.counters(&name).polls,
        metrics.counters(&name).snmp_requests,
    );
    tokio::time::sleep(Duration::from_millis(2000)).await;
    let (p1, r1) = (
        metrics.counters(&name).polls,
        metrics.counters(&name).snmp_requests,
    );
    assert!(p1 - p0 >= 5, "only {} polls in 2 s", p1 - p0);
    assert!(
        fleet.meter.report(1).total.too_big > 0,
        "discovery never hit the response limit, so this tests nothing"
    );
    // Two GET PDUs a poll: 69 cells do not fit one 1472-byte response, 48 do. (A
    // poll may be in flight at either reading of the counters: two PDUs of slack.)
    let polls = p1 - p0;
    assert!(
        r1 - r0 <= 2 * polls + 2,
        "{} request PDUs for {polls} polls",
        r1 - r0
    );
    agent.stop().await;
    cancel.cancel();
}
