//! SNMP devices in the running agent: readiness from a real walk served by snmpsim,
//! the PDU cost of a steady-state cycle, linkDown traps sent with net-snmp's snmptrap,
//! and agents that answer garbage or nothing.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::snmpsim::{corpus, free_udp_port, SnmpSim};
use common::{value, TestAgent};

/// The Juniper walk with xe-0/0/0's ifOperStatus and ifLastChange writable, so a test
/// can take the link down with snmpset.
fn writable_junos() -> tempfile::NamedTempFile {
    let text = std::fs::read_to_string(corpus().join("librenms/junos_mx5t-isis.snmprec")).unwrap();
    let text = text
        .replace(
            "\n1.3.6.1.2.1.2.2.1.8.541|2|1\n",
            "\n1.3.6.1.2.1.2.2.1.8.541|2:writecache|value=1\n",
        )
        .replace(
            "\n1.3.6.1.2.1.2.2.1.9.541|67|",
            "\n1.3.6.1.2.1.2.2.1.9.541|67:writecache|value=",
        );
    assert!(
        text.contains("8.541|2:writecache"),
        "the walk changed: fix the test"
    );
    let f = tempfile::Builder::new()
        .suffix(".snmprec")
        .tempfile()
        .unwrap();
    std::fs::write(f.path(), text).unwrap();
    f
}

fn config(address: &str, poll: &str, traps: Option<u16>) -> String {
    let traps = traps
        .map(|p| format!("[traps]\nlisten = \"127.0.0.1:{p}\"\ncommunity = \"trap-secret\"\n\n"))
        .unwrap_or_default();
    format!(
        r#"{traps}
[[device]]
name = "mx5"
source = "snmp"
poll_interval = "{poll}"
[device.snmp]
address = "{address}"
version = "2c"
community = "public"

[[port]]
name = "erd-fra-1"
hold_down = "1s"
link1 = {{ device = "mx5", interface = "xe-0/0/0", azure_admin_state = "enabled" }}
link2 = {{ device = "mx5", interface = "xe-0/0/1", azure_admin_state = "enabled" }}
"#
    )
}

async fn run(cmd: &'static str, args: Vec<String>) {
    let out = tokio::task::spawn_blocking(move || Command::new(cmd).args(&args).output().unwrap())
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{cmd}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_juniper_pair_over_snmp_is_ready_and_a_steady_cycle_costs_one_pdu() {
    let walk = writable_junos();
    let sim = SnmpSim::start(walk.path(), "public");
    let t = TestAgent::start(&config(&sim.address, "200ms", None)).await;
    let (status, body) = t
        .wait_for(
            "/api/v1/ports/erd-fra-1",
            Duration::from_secs(15),
            |s, _| s == 200,
        )
        .await;
    assert_eq!(status, 200, "{body:#}");
    let m = t.metrics().await;
    assert_eq!(
        value(
            &m,
            "lightgate_optic_rx_power_dbm",
            &[("interface", "xe-0/0/0")]
        ),
        -2.14
    );
    assert_eq!(
        value(
            &m,
            "lightgate_optic_rx_power_dbm",
            &[("interface", "xe-0/0/0"), ("lane", "0")]
        ),
        -2.18
    );
    assert_eq!(
        value(
            &m,
            "lightgate_optic_threshold_dbm",
            &[
                ("interface", "xe-0/0/1"),
                ("direction", "rx"),
                ("level", "low_alarm")
            ]
        ),
        -15.0
    );
    assert_eq!(value(&m, "lightgate_device_up", &[("device", "mx5")]), 1.0);

    // Steady state: discovery is done; count request PDUs per poll from here.
    let metrics = t.agent.store();
    let (p0, r0) = (
        metrics.counters("mx5").polls,
        metrics.counters("mx5").snmp_requests,
    );
    tokio::time::sleep(Duration::from_millis(2000)).await;
    let (p1, r1) = (
        metrics.counters("mx5").polls,
        metrics.counters("mx5").snmp_requests,
    );
    assert!(p1 - p0 >= 5, "only {} polls in 2 s", p1 - p0);
    let per_cycle = (r1 - r0) as f64 / (p1 - p0) as f64;
    assert!(
        per_cycle <= 3.0,
        "{per_cycle} request PDUs per cycle for two interfaces"
    );
    assert_eq!(r1 - r0, p1 - p0, "two interfaces fit in one GET");
    assert!(value(&m, "lightgate_snmp_varbinds_total", &[("device", "mx5")]) > 0.0);
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_down_trap_shows_in_metrics_within_a_second() {
    let walk = writable_junos();
    let sim = SnmpSim::start(walk.path(), "public");
    let trap_port = free_udp_port();
    // A poll interval of ten minutes: only the trap can make the change visible.
    let t = TestAgent::start(&config(&sim.address, "10m", Some(trap_port))).await;
    t.wait_for(
        "/api/v1/ports/erd-fra-1",
        Duration::from_secs(15),
        |_, v| v["links"]["link1"]["reading"]["oper_status"] == "up",
    )
    .await;
    let metrics = t.agent.store();
    let polls_before = metrics.counters("mx5").polls;
    let target = format!("127.0.0.1:{trap_port}");

    // Noise first: a wrong community and an unknown source change nothing.
    let link_down = |community: &str, extra: &[&str]| -> Vec<String> {
        let mut a: Vec<String> = vec!["-v2c".into(), "-c".into(), community.into()];
        a.extend(extra.iter().map(|s| s.to_string()));
        a.extend([target.clone(), String::new(), "1.3.6.1.6.3.1.1.5.3".into()]);
        // linkDown carries the state being left (up), as RFC 2863 says.
        a.extend(
            [
                "1.3.6.1.2.1.2.2.1.1.541",
                "i",
                "541",
                "1.3.6.1.2.1.2.2.1.7.541",
                "i",
                "1",
                "1.3.6.1.2.1.2.2.1.8.541",
                "i",
                "1",
            ]
            .map(String::from),
        );
        a
    };
    run("snmptrap", link_down("wrong-community", &[])).await;
    run(
        "snmptrap",
        link_down("trap-secret", &["--clientaddr=127.0.0.3"]),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let m = t.metrics().await;
    assert_eq!(
        value(
            &m,
            "lightgate_snmp_traps_dropped_total",
            &[("reason", "bad_community")]
        ),
        1.0
    );
    assert_eq!(
        value(
            &m,
            "lightgate_snmp_traps_dropped_total",
            &[("reason", "unknown_source")]
        ),
        1.0
    );
    assert_eq!(
        metrics.counters("mx5").polls,
        polls_before,
        "dropped traps trigger no poll"
    );

    // The link goes down on the device, which sends linkDown.
    run(
        "snmpset",
        vec![
            "-v2c".into(),
            "-c".into(),
            "public".into(),
            sim.address.clone(),
            "1.3.6.1.2.1.2.2.1.8.541".into(),
            "i".into(),
            "2".into(),
        ],
    )
    .await;
    let sent = Instant::now();
    run("snmptrap", link_down("trap-secret", &[])).await;
    let seen = loop {
        let m = t.metrics().await;
        if value(&m, "lightgate_link_oper_up", &[("interface", "xe-0/0/0")]) == 0.0 {
            break sent.elapsed();
        }
        assert!(
            sent.elapsed() < Duration::from_secs(5),
            "link loss not visible after 5 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(
        seen < Duration::from_secs(1),
        "link loss took {seen:?} to show"
    );
    let m = t.metrics().await;
    assert_eq!(
        value(
            &m,
            "lightgate_snmp_traps_total",
            &[("device", "mx5"), ("trap", "linkDown")]
        ),
        1.0
    );
    assert_eq!(
        value(
            &m,
            "lightgate_link_flaps_total",
            &[("interface", "xe-0/0/0")]
        ),
        1.0
    );
    assert_eq!(
        value(
            &m,
            "lightgate_readiness_check",
            &[("interface", "xe-0/0/0"), ("check", "oper_up")]
        ),
        0.0
    );
    assert_eq!(
        value(&m, "lightgate_port_ready", &[("port", "erd-fra-1")]),
        0.0
    );
    t.stop().await;
}
