//! The agent end to end in-process: simulated devices, the poller, the store and the
//! HTTP server on 127.0.0.1:0, checked through /metrics and /api/v1/ports.

mod common;

use std::time::Duration;

use common::{pair, samples, step, value, TestAgent};
use lightgate::config::Config;

const PORT: &str = "/api/v1/ports/erd-ams-1";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_healthy_pair_becomes_ready_after_the_hold_down() {
    let t = TestAgent::start(&pair("\"healthy\"", "100ms", "1500ms")).await;
    // Before the hold-down has passed: readings are in, but not yet stable.
    let (status, body) = t
        .wait_for(PORT, Duration::from_secs(5), |_, v| {
            v["links"]["link1"]["reading"].is_object() && v["links"]["link2"]["reading"].is_object()
        })
        .await;
    assert_eq!(status, 503, "{body:#}");
    let failing: Vec<String> = serde_json::from_value(body["failing"].clone()).unwrap();
    assert!(!failing.is_empty());
    assert!(
        failing.iter().all(|f| f.starts_with("stable: ")),
        "{failing:#?}"
    );
    let m = t.metrics().await;
    assert_eq!(
        value(&m, "lightgate_port_ready", &[("port", "erd-ams-1")]),
        0.0
    );
    assert_eq!(
        value(
            &m,
            "lightgate_readiness_check",
            &[("link", "link1"), ("check", "stable")]
        ),
        0.0
    );
    assert_eq!(
        value(
            &m,
            "lightgate_readiness_check",
            &[("link", "link1"), ("check", "oper_up")]
        ),
        1.0
    );

    // After it: ready, 200, every check passing.
    let (status, body) = t
        .wait_for(PORT, Duration::from_secs(10), |s, _| s == 200)
        .await;
    assert_eq!(status, 200, "{body:#}");
    assert_eq!(body["ready"], true);
    assert_eq!(body["failing"].as_array().unwrap().len(), 0);
    for link in ["link1", "link2"] {
        let checks = body["links"][link]["checks"].as_array().unwrap();
        assert_eq!(checks.len(), 7);
        assert!(checks.iter().all(|c| c["pass"] == true));
    }
    let m = t.metrics().await;
    assert_eq!(
        value(&m, "lightgate_port_ready", &[("port", "erd-ams-1")]),
        1.0
    );
    assert_eq!(value(&m, "lightgate_link_ready", &[("link", "link2")]), 1.0);
    let (status, all) = t.json("/api/v1/ports").await;
    assert_eq!(status, 200);
    assert_eq!(all["ports"].as_array().unwrap().len(), 1);
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dirty_connector_on_link2_gives_503_naming_link2_rx() {
    let t = TestAgent::start(&pair("\"dirty-connector\"", "100ms", "300ms")).await;
    let (status, body) = t
        .wait_for(PORT, Duration::from_secs(5), |_, v| {
            v["links"]["link1"]["ready"] == true
        })
        .await;
    assert_eq!(status, 503);
    assert_eq!(body["links"]["link1"]["ready"], true, "{body:#}");
    assert_eq!(body["links"]["link2"]["ready"], false);
    let failing: Vec<String> = serde_json::from_value(body["failing"].clone()).unwrap();
    let rx: Vec<&String> = failing
        .iter()
        .filter(|f| f.starts_with("rx_power_in_range: "))
        .collect();
    assert_eq!(rx.len(), 1, "{failing:#?}");
    assert!(
        rx[0].starts_with("rx_power_in_range: link2 rx -1"),
        "{}",
        rx[0]
    );
    assert!(rx[0].contains("dBm below -10.00 dBm (lane 0)"), "{}", rx[0]);
    assert!(
        failing.iter().all(|f| f.contains("link2")),
        "only link2 fails: {failing:#?}"
    );
    let m = t.metrics().await;
    assert_eq!(
        value(
            &m,
            "lightgate_readiness_check",
            &[("link", "link2"), ("check", "rx_power_in_range")]
        ),
        0.0
    );
    assert_eq!(
        value(
            &m,
            "lightgate_readiness_check",
            &[("link", "link2"), ("check", "tx_power_in_range")]
        ),
        1.0
    );
    assert_eq!(value(&m, "lightgate_link_ready", &[("link", "link1")]), 1.0);
    let lane0 = value(
        &m,
        "lightgate_optic_rx_power_dbm",
        &[("link", "link2"), ("lane", "0")],
    );
    assert!((-14.9..-13.0).contains(&lane0), "{lane0}");
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flapping_link_never_becomes_ready() {
    let t = TestAgent::start(&pair(
        "{ scenario = \"flapping\", flap_period = \"400ms\" }",
        "100ms",
        "1s",
    ))
    .await;
    let deadline = std::time::Instant::now() + Duration::from_secs(3);
    let mut saw_up = false;
    let mut saw_down = false;
    while std::time::Instant::now() < deadline {
        let (status, body) = t.json(PORT).await;
        assert_eq!(status, 503, "a flapping link must never be ready: {body:#}");
        match body["links"]["link2"]["reading"]["oper_status"].as_str() {
            Some("up") => saw_up = true,
            Some("down") => saw_down = true,
            _ => {}
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        saw_up && saw_down,
        "the link should have been seen both up and down"
    );
    let m = t.metrics().await;
    let flaps = value(&m, "lightgate_link_flaps_total", &[("link", "link2")]);
    assert!(flaps >= 3.0, "flaps {flaps}");
    assert_eq!(
        value(&m, "lightgate_link_flaps_total", &[("link", "link1")]),
        0.0
    );
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dark_optic_exports_no_light_and_no_dbm_sample() {
    let text = pair(
        "{ scenario = \"unplugged\", optic = \"10g-lr\" }",
        "100ms",
        "1s",
    )
    .replace(
        r#"interfaces = { "HundredGigE0/0/0" = "healthy" }"#,
        r#"interfaces = { "HundredGigE0/0/0" = "lane-fault" }"#,
    ) + "\n[metrics]\nmilliwatts = true\n";
    let t = TestAgent::start(&text).await;
    let (_, body) = t
        .wait_for(PORT, Duration::from_secs(5), |_, v| {
            v["links"]["link1"]["reading"].is_object() && v["links"]["link2"]["reading"].is_object()
        })
        .await;
    // Single-lane optic, dark: module rx is null with rx_no_light, never -40 or -inf.
    let r2 = &body["links"]["link2"]["reading"];
    assert_eq!(r2["rx_dbm"], serde_json::Value::Null, "{r2:#}");
    assert_eq!(r2["rx_no_light"], true);
    assert!(r2["tx_dbm"].as_f64().unwrap() > -10.0);
    assert_eq!(r2["oper_status"], "down");
    // Four-lane optic with lane 2 dark.
    let lanes = body["links"]["link1"]["reading"]["lanes"]
        .as_array()
        .unwrap();
    let lane_numbers: Vec<u64> = lanes.iter().map(|l| l["lane"].as_u64().unwrap()).collect();
    assert_eq!(lane_numbers, vec![0, 1, 2, 3]);
    assert_eq!(lanes[2]["rx_dbm"], serde_json::Value::Null);
    assert_eq!(lanes[2]["rx_no_light"], true);
    assert!(lanes[1]["rx_dbm"].is_f64());
    let failing: Vec<String> = serde_json::from_value(body["failing"].clone()).unwrap();
    assert!(
        failing.contains(&"rx_power_in_range: link1 rx no light (lane 2)".to_string()),
        "{failing:#?}"
    );
    assert!(
        failing.contains(&"rx_power_in_range: link2 rx no light".to_string()),
        "{failing:#?}"
    );

    let m = t.metrics().await;
    assert!(
        samples(&m, "lightgate_optic_rx_power_dbm", &[("link", "link2")]).is_empty(),
        "no dBm sample for a dark optic"
    );
    assert!(
        samples(
            &m,
            "lightgate_optic_rx_power_milliwatts",
            &[("link", "link2")]
        )
        .is_empty(),
        "no mW sample for a dark optic either"
    );
    assert_eq!(
        samples(
            &m,
            "lightgate_optic_rx_power_milliwatts",
            &[("link", "link1")]
        )
        .len(),
        3,
        "mW beside dBm when asked for: the three lit lanes of link1"
    );
    assert_eq!(
        value(
            &m,
            "lightgate_optic_no_light",
            &[("link", "link2"), ("direction", "rx")]
        ),
        1.0
    );
    assert_eq!(
        value(
            &m,
            "lightgate_optic_no_light",
            &[("link", "link2"), ("direction", "tx")]
        ),
        0.0
    );
    assert_eq!(
        value(
            &m,
            "lightgate_optic_no_light",
            &[("link", "link1"), ("lane", "2"), ("direction", "rx")]
        ),
        1.0
    );
    assert_eq!(
        value(
            &m,
            "lightgate_optic_no_light",
            &[("link", "link1"), ("lane", "1"), ("direction", "rx")]
        ),
        0.0
    );
    assert!(samples(
        &m,
        "lightgate_optic_rx_power_dbm",
        &[("link", "link1"), ("lane", "2")]
    )
    .is_empty());
    assert_eq!(
        samples(&m, "lightgate_optic_rx_power_dbm", &[("link", "link1")]).len(),
        3
    );
    t.stop().await;
}

/// Every scenario at once: whatever the simulated hardware does, nothing exported is
/// NaN or infinite, every documented family is there, and the JSON has the documented
/// reading fields.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_scenario_exports_finite_documented_series() {
    let scenarios = [
        "healthy",
        "dirty-connector",
        "unplugged",
        "admin-down",
        "flapping",
        "degrading",
        "lane-fault",
        "tx-fault",
    ];
    let mut text = String::from("[[device]]\nname = \"r1\"\nsource = \"sim\"\npoll_interval = \"100ms\"\n[device.sim]\ninterfaces = { ");
    let ifaces: Vec<String> = scenarios
        .iter()
        .enumerate()
        .flat_map(|(i, s)| {
            [
                format!("\"Hu0/{i}\" = \"{s}\""),
                format!("\"Te0/{i}\" = {{ scenario = \"{s}\", optic = \"10g-lr\" }}"),
            ]
        })
        .collect();
    text.push_str(&ifaces.join(", "));
    text.push_str(" }\n");
    for (i, _) in scenarios.iter().enumerate() {
        text.push_str(&format!(
            "[[port]]\nname = \"p{i}\"\nlink1 = {{ device = \"r1\", interface = \"Hu0/{i}\" }}\nlink2 = {{ device = \"r1\", interface = \"Te0/{i}\", azure_admin_state = \"disabled\" }}\n"
        ));
    }
    let t = TestAgent::start(&text).await;
    let (status, all) = t
        .wait_for("/api/v1/ports", Duration::from_secs(5), |_, v| {
            v["ports"].as_array().is_some_and(|ps| {
                ps.iter()
                    .all(|p| p["links"]["link2"]["reading"].is_object())
            })
        })
        .await;
    assert_eq!(status, 503);
    for p in all["ports"].as_array().unwrap() {
        for link in ["link1", "link2"] {
            let r = &p["links"][link]["reading"];
            for key in [
                "device",
                "interface",
                "admin_status",
                "oper_status",
                "rx_dbm",
                "tx_dbm",
                "rx_no_light",
                "tx_no_light",
                "lanes",
                "bias_amperes",
                "temperature_celsius",
                "voltage_volts",
                "thresholds",
            ] {
                assert!(r.get(key).is_some(), "reading lacks {key}: {r:#}");
            }
            for level in ["high_alarm", "high_warning", "low_warning", "low_alarm"] {
                assert!(
                    r["thresholds"]["rx"][level].is_f64() && r["thresholds"]["tx"][level].is_f64()
                );
            }
        }
        assert_eq!(
            p["links"]["link2"]["checks"][0]["pass"], false,
            "azure disabled fails"
        );
    }
    let m = t.metrics().await;
    for line in m.lines().filter(|l| !l.starts_with('#')) {
        let v = line.rsplit(' ').next().unwrap();
        assert!(!v.contains("Inf") && !v.contains("NaN"), "{line}");
        let f: f64 = v.parse().unwrap();
        assert!(f.is_finite());
        assert!(
            !line.starts_with("lightgate_optic_rx_power_dbm") || f > -40.0,
            "{line}"
        );
    }
    // Milliwatts are derived from dBm in PromQL; exported only when asked for.
    assert!(
        !m.contains("lightgate_optic_rx_power_milliwatts{")
            && !m.contains("lightgate_optic_tx_power_milliwatts{"),
        "no mW series by default"
    );
    for family in [
        "lightgate_optic_rx_power_dbm",
        "lightgate_optic_tx_power_dbm",
        "lightgate_optic_no_light",
        "lightgate_optic_bias_current_amperes",
        "lightgate_optic_temperature_celsius",
        "lightgate_optic_supply_voltage_volts",
        "lightgate_optic_threshold_dbm",
        "lightgate_link_admin_up",
        "lightgate_link_oper_up",
        "lightgate_link_last_change_timestamp_seconds",
        "lightgate_link_flaps_total",
        "lightgate_azure_link_admin_enabled",
        "lightgate_link_ready",
        "lightgate_port_ready",
        "lightgate_readiness_check",
        "lightgate_device_up",
        "lightgate_poll_duration_seconds",
        "lightgate_poll_errors_total",
        "lightgate_link_in_errors_total",
        "lightgate_link_out_errors_total",
        "lightgate_device_last_success_timestamp_seconds",
    ] {
        assert!(
            m.contains(&format!("# TYPE {family} ")),
            "missing family {family}"
        );
    }
    assert_eq!(
        value(
            &m,
            "lightgate_optic_threshold_dbm",
            &[
                ("port", "p0"),
                ("link", "link2"),
                ("direction", "rx"),
                ("level", "low_alarm")
            ]
        ),
        -18.4
    );
    assert_eq!(
        value(
            &m,
            "lightgate_azure_link_admin_enabled",
            &[("port", "p0"), ("link", "link2")]
        ),
        0.0
    );
    assert_eq!(
        value(
            &m,
            "lightgate_link_admin_up",
            &[("port", "p3"), ("link", "link1")]
        ),
        0.0
    );
    t.stop().await;
}

/// The per-device poll histogram and counters are written by lightgate itself (not the
/// prometheus crate): promtool accepts the whole exposition, and the histogram's +Inf
/// bucket, its count and the API's poll count agree.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_exposition_passes_promtool_and_the_poll_histogram_counts_every_poll() {
    common::require("promtool", "prometheus");
    let t = TestAgent::start(&pair("\"healthy\"", "100ms", "1s")).await;
    t.wait_for("/api/v1/devices", Duration::from_secs(5), |_, v| {
        v["devices"][0]["polls"].as_u64().unwrap_or(0) >= 3
    })
    .await;
    t.agent
        .apply_config(Config::parse(&pair("\"healthy\"", "1h", "1s"), "still").unwrap());
    // Polls stop (hourly now); a poll still in flight may end between the two reads:
    // read both until they were taken with no poll between them.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let (m, v) = loop {
        let (_, before) = t.json("/api/v1/devices").await;
        let m = t.metrics().await;
        let (_, v) = t.json("/api/v1/devices").await;
        if before["devices"][0]["polls"] == v["devices"][0]["polls"]
            || std::time::Instant::now() > deadline
        {
            break (m, v);
        }
    };
    let device = v["devices"][0]["device"].as_str().unwrap().to_string();
    let polls = v["devices"][0]["polls"].as_u64().unwrap() as f64;
    let one = [("device", device.as_str())];
    assert_eq!(
        value(&m, "lightgate_poll_duration_seconds_count", &one),
        polls
    );
    assert_eq!(
        value(
            &m,
            "lightgate_poll_duration_seconds_bucket",
            &[("device", device.as_str()), ("le", "+Inf")]
        ),
        polls
    );
    let buckets: Vec<f64> = samples(&m, "lightgate_poll_duration_seconds_bucket", &one)
        .iter()
        .map(|l| l.rsplit(' ').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(buckets.len(), 13, "12 bounds and +Inf");
    assert!(
        buckets.windows(2).all(|w| w[0] <= w[1]),
        "cumulative: {buckets:?}"
    );
    assert_eq!(
        value(
            &m,
            "lightgate_poll_errors_total",
            &[("device", device.as_str()), ("kind", "timeout")]
        ),
        0.0,
        "errors are exported at zero from the start"
    );
    let mut check = std::process::Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    check.stdin.take().unwrap().write_all(m.as_bytes()).unwrap();
    let out = check.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "promtool check metrics: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removing_a_device_from_the_config_removes_its_series() {
    let two_ports = format!(
        "{}\n[[device]]\nname = \"edge-c\"\nsource = \"sim\"\npoll_interval = \"100ms\"\n[device.sim]\ninterfaces = {{ \"Hu0\" = \"healthy\", \"Hu1\" = \"healthy\" }}\n\n[[port]]\nname = \"erd-ams-2\"\nlink1 = {{ device = \"edge-c\", interface = \"Hu0\" }}\nlink2 = {{ device = \"edge-c\", interface = \"Hu1\" }}\n",
        pair("\"healthy\"", "100ms", "1s")
    );
    let t = TestAgent::start(&two_ports).await;
    t.wait_for("/api/v1/ports/erd-ams-2", Duration::from_secs(5), |_, v| {
        v["links"]["link2"]["reading"].is_object()
    })
    .await;
    let before = t.metrics().await;
    assert!(before.contains("device=\"edge-c\""));
    assert!(!samples(
        &before,
        "lightgate_poll_duration_seconds_count",
        &[("device", "edge-c")]
    )
    .is_empty());
    assert!(!samples(
        &before,
        "lightgate_optic_rx_power_dbm",
        &[("port", "erd-ams-2")]
    )
    .is_empty());

    t.agent
        .apply_config(Config::parse(&pair("\"healthy\"", "100ms", "1s"), "reloaded").unwrap());
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let after = loop {
        let m = t.metrics().await;
        if !(m.contains("edge-c") || m.contains("erd-ams-2"))
            || std::time::Instant::now() > deadline
        {
            break m;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(
        !after.contains("edge-c"),
        "series of the removed device remain:\n{after}"
    );
    assert!(
        !after.contains("erd-ams-2"),
        "series of the removed port remain"
    );
    assert!(
        after.contains("device=\"edge-a\""),
        "the remaining devices keep their series"
    );
    let (status, _) = t.json("/api/v1/ports/erd-ams-2").await;
    assert_eq!(status, 404);
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_device_is_down_with_its_reason_and_goes_stale() {
    let text = pair("\"healthy\"", "100ms", "1s").replacen(
        "seed = 8\n",
        "seed = 8\nunreachable = true\n",
        1,
    );
    let t = TestAgent::start(&text).await;
    let (status, body) = t
        .wait_for(PORT, Duration::from_secs(5), |_, v| {
            v["links"]["link2"]["last_error"].is_string()
                && v["links"]["link1"]["reading"].is_object()
        })
        .await;
    assert_eq!(status, 503);
    assert_eq!(
        body["links"]["link2"]["last_error"],
        "transport error: simulated device is unreachable"
    );
    let fresh = body["links"]["link2"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "fresh")
        .unwrap()
        .clone();
    assert_eq!(fresh["pass"], false);
    assert_eq!(
        fresh["detail"],
        "link2 never read (last error: transport error: simulated device is unreachable)"
    );
    let m = t.metrics().await;
    assert_eq!(
        value(&m, "lightgate_device_up", &[("device", "edge-b")]),
        0.0
    );
    assert_eq!(
        value(&m, "lightgate_device_up", &[("device", "edge-a")]),
        1.0
    );
    assert!(
        value(
            &m,
            "lightgate_poll_errors_total",
            &[("device", "edge-b"), ("kind", "transport")]
        ) >= 1.0
    );
    assert_eq!(
        value(
            &m,
            "lightgate_poll_errors_total",
            &[("device", "edge-a"), ("kind", "transport")]
        ),
        0.0
    );
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_ports_are_404_and_the_small_endpoints_answer() {
    let t = TestAgent::start(&pair("\"healthy\"", "1s", "1s")).await;
    let (status, body) = t.json("/api/v1/ports/nope").await;
    assert_eq!(status, 404);
    assert_eq!(body["error"], "no port named \"nope\" is configured");
    let (status, body) = t.get("/-/healthy").await;
    assert_eq!((status, body.as_str()), (200, "Healthy.\n"));
    let (status, page) = t.get("/").await;
    assert_eq!(status, 200);
    for link in [
        "href=\"/metrics\"",
        "href=\"/api/v1/ports\"",
        "href=\"/ports/erd-ams-1\"",
    ] {
        assert!(page.contains(link), "{page}");
    }
    let (status, _) = t.get("/nothing-here").await;
    assert_eq!(status, 404);
    t.stop().await;
}

/// The embedded demo with fast polling, link2's Azure admin state and scenario set.
fn demo(link2_admin: &str, link2_scenario: &str) -> Config {
    let toml = lightgate::config::DEMO_TOML
        .replace("poll_interval = \"2s\"", "poll_interval = \"100ms\"")
        .replace("hold_down = \"20s\"", "hold_down = \"1s\"")
        .replace(
            "seed = 2\ninterfaces = { \"HundredGigE0/0/0\" = \"healthy\" }",
            &format!("seed = 2\ninterfaces = {{ \"HundredGigE0/0/0\" = \"{link2_scenario}\" }}"),
        )
        .replace(
            "link2 = { device = \"edge-b\", interface = \"HundredGigE0/0/0\", azure_admin_state = \"enabled\" }",
            &format!("link2 = {{ device = \"edge-b\", interface = \"HundredGigE0/0/0\", azure_admin_state = \"{link2_admin}\" }}"),
        );
    assert!(
        toml.contains(link2_scenario) && toml.contains("100ms"),
        "the demo config changed shape"
    );
    Config::parse(&toml, "demo").unwrap()
}

fn step_status(w: &serde_json::Value, name: &str) -> String {
    step(w, name)["status"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_workflow_walks_from_admin_disabled_to_ready_for_circuit() {
    const ADMIN: &str = "admin state enabled on both links";
    const PHYSICAL: &str = "light levels and physical link healthy and stable on both links";
    const CIRCUIT: &str = "circuit created on the port";
    const PATH: &str = "/api/v1/ports/demo/workflow";
    let t = TestAgent::start(lightgate::config::DEMO_TOML).await;
    t.agent.apply_config(demo("disabled", "unplugged"));

    // Admin state disabled on link2 (and link2 dark): admin is the next step.
    let (status, w) = t
        .wait_for(PATH, Duration::from_secs(5), |_, w| {
            step_status(w, PHYSICAL) == "pending" && w.to_string().contains("no light")
        })
        .await;
    assert_eq!(status, 200);
    assert_eq!(step_status(&w, "Letter of Authorization"), "done", "{w:#}");
    assert_eq!(step_status(&w, ADMIN), "next", "{w:#}");
    assert!(
        w.to_string().contains("link2 Azure admin state disabled"),
        "{w:#}"
    );
    assert_eq!(step_status(&w, CIRCUIT), "pending");

    // Enabled in Azure, still dark: the physical step is blocked, with the reason.
    t.agent.apply_config(demo("enabled", "unplugged"));
    let (_, w) = t
        .wait_for(PATH, Duration::from_secs(5), |_, w| {
            step_status(w, ADMIN) == "done"
        })
        .await;
    assert_eq!(step_status(&w, PHYSICAL), "blocked", "{w:#}");

    // The cross-connect is fixed: after the hold-down, ready for circuit.
    t.agent.apply_config(demo("enabled", "healthy"));
    let (_, w) = t
        .wait_for(PATH, Duration::from_secs(8), |_, w| {
            step_status(w, CIRCUIT) == "next"
        })
        .await;
    assert_eq!(step_status(&w, PHYSICAL), "done", "{w:#}");
    let evidence = step(&w, CIRCUIT)["evidence"][0]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        evidence.starts_with("ready for circuit creation: lightgate gate demo -- "),
        "{w:#}"
    );
    let (status, _) = t.get("/api/v1/ports/demo").await;
    assert_eq!(status, 200, "the gate agrees");
    t.stop().await;
}

#[tokio::test]
async fn the_devices_endpoint_counts_polls_and_poll_now_polls_at_once() {
    // Polled once at start, then once an hour: only POST .../poll explains a second poll.
    let t = TestAgent::start(&common::pair("\"healthy\"", "1h", "5m")).await;
    let polls = |v: &serde_json::Value, name: &str| {
        v["devices"]
            .as_array()
            .and_then(|ds| ds.iter().find(|d| d["device"] == name))
            .and_then(|d| d["polls"].as_u64())
            .unwrap_or(0)
    };
    let (_, v) = t
        .wait_for("/api/v1/devices", Duration::from_secs(10), |_, v| {
            polls(v, "edge-a") >= 1 && polls(v, "edge-b") >= 1
        })
        .await;
    assert_eq!((polls(&v, "edge-a"), polls(&v, "edge-b")), (1, 1), "{v:#}");
    let a = v["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["device"] == "edge-a")
        .unwrap();
    assert_eq!(a["up"], true);
    assert_eq!(a["source"], "sim");
    assert!(a["last_poll_seconds"].as_f64().is_some());

    let (status, body) = common::post_json(
        t.url("/api/v1/devices/poll?device=edge-a"),
        serde_json::json!({}),
    )
    .await;
    assert_eq!((status, &body["polling"]), (202, &serde_json::json!(1)));
    let (_, v) = t
        .wait_for("/api/v1/devices", Duration::from_secs(10), |_, v| {
            polls(v, "edge-a") >= 2
        })
        .await;
    assert_eq!(
        (polls(&v, "edge-a"), polls(&v, "edge-b")),
        (2, 1),
        "only edge-a: {v:#}"
    );

    let (status, body) =
        common::post_json(t.url("/api/v1/devices/poll"), serde_json::json!({})).await;
    assert_eq!((status, &body["polling"]), (202, &serde_json::json!(2)));
    let (_, v) = t
        .wait_for("/api/v1/devices", Duration::from_secs(10), |_, v| {
            polls(v, "edge-b") >= 2
        })
        .await;
    assert_eq!(polls(&v, "edge-b"), 2);

    let (status, _) = common::post_json(
        t.url("/api/v1/devices/poll?device=nope"),
        serde_json::json!({}),
    )
    .await;
    assert_eq!(status, 404);

    // Issue 30, 8: eight clients asking as fast as they can share polls and are held
    // to the trap rate (at most TRAP_BURST polls per TRAP_WINDOW per device), however
    // long the storm takes on this machine.
    use lightgate::poller::{TRAP_BURST, TRAP_WINDOW};
    let (_, v) = t.json("/api/v1/devices").await;
    let before = polls(&v, "edge-a");
    let started = std::time::Instant::now();
    let url = t.url("/api/v1/devices/poll?device=edge-a");
    let mut clients = Vec::new();
    for _ in 0..8 {
        let url = url.clone();
        clients.push(tokio::task::spawn_blocking(move || {
            let agent: ureq::Agent = ureq::Agent::config_builder()
                .http_status_as_error(false)
                .build()
                .into();
            for _ in 0..150 {
                let status = agent.post(&url).send_empty().map(|r| r.status().as_u16());
                assert_eq!(status.ok(), Some(202));
            }
        }));
    }
    for c in clients {
        c.await.unwrap();
    }
    let windows = (started.elapsed().as_secs_f64() / TRAP_WINDOW.as_secs_f64()).ceil() as u64 + 1;
    // The last request's poll may still be on its way: let it finish.
    let (_, v) = t
        .wait_for("/api/v1/devices", Duration::from_secs(5), |_, v| {
            polls(v, "edge-a") > before
        })
        .await;
    let storm = polls(&v, "edge-a") - before;
    assert!(storm >= 1, "the requests were answered with a poll");
    assert!(
        storm <= TRAP_BURST as u64 * windows,
        "{storm} polls for 1200 requests in {} windows",
        windows
    );
    t.stop().await;
}

#[tokio::test]
async fn monitored_interfaces_are_exported_by_device_and_interface_outside_readiness() {
    let toml = r#"
[[device]]
name = "edge-a"
source = "sim"
poll_interval = "1s"
monitor = ["HundredGigE0/0/1", "HundredGigE0/0/2"]
[device.sim]
seed = 7
interfaces = { "HundredGigE0/0/0" = "healthy", "HundredGigE0/0/1" = "unplugged", "HundredGigE0/0/2" = "healthy" }

[[device]]
name = "edge-b"
source = "sim"
poll_interval = "1s"
[device.sim]
seed = 8
interfaces = { "HundredGigE0/0/0" = "healthy" }

[[port]]
name = "erd-ams-1"
hold_down = "1s"
link1 = { device = "edge-a", interface = "HundredGigE0/0/0", azure_admin_state = "enabled" }
link2 = { device = "edge-b", interface = "HundredGigE0/0/0", azure_admin_state = "enabled" }
"#;
    let t = TestAgent::start(toml).await;
    let (status, _) = t
        .wait_for(
            "/api/v1/ports/erd-ams-1",
            Duration::from_secs(10),
            |s, _| s == 200,
        )
        .await;
    assert_eq!(
        status, 200,
        "a dark monitored optic does not hold the port back"
    );
    let m = t.metrics().await;
    let dark = [("device", "edge-a"), ("interface", "HundredGigE0/0/1")];
    let lit = [("device", "edge-a"), ("interface", "HundredGigE0/0/2")];
    assert_eq!(common::value(&m, "lightgate_link_oper_up", &dark), 0.0);
    assert_eq!(common::value(&m, "lightgate_link_oper_up", &lit), 1.0);
    let mut lane0 = lit.to_vec();
    lane0.push(("lane", "0"));
    let rx = common::value(&m, "lightgate_optic_rx_power_dbm", &lane0);
    assert!((-10.0..0.0).contains(&rx), "{rx}");
    let mut dark0 = dark.to_vec();
    dark0.extend([("lane", "0"), ("direction", "rx")]);
    assert_eq!(common::value(&m, "lightgate_optic_no_light", &dark0), 1.0);
    // Not a port link: no port label, no readiness series.
    for line in m.lines().filter(|l| l.contains("HundredGigE0/0/2")) {
        assert!(
            !line.contains("port=") && !line.starts_with("lightgate_readiness_check"),
            "{line}"
        );
    }
    // The interface of a port link is exported once, with its port.
    let port_lines = m
        .lines()
        .filter(|l| {
            l.starts_with("lightgate_link_oper_up{")
                && l.contains("edge-a")
                && l.contains("HundredGigE0/0/0")
        })
        .count();
    assert_eq!(port_lines, 1, "{m}");
    t.stop().await;
}

/// /-/ready: 503 naming the devices whose first poll has not finished, 200 after.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ready_waits_for_the_first_poll_of_every_device() {
    use lightgate::exporter::{serve, web::WebConfig, AppState};
    let config = lightgate::config::Config::parse(&pair("\"healthy\"", "1s", "1s"), "t").unwrap();
    // A store with no pollers: nothing is polled until the test records it.
    let store = std::sync::Arc::new(lightgate::store::Store::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/-/ready", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let app = AppState::new(store.clone());
    let server = tokio::spawn(async move {
        serve(listener, app, &WebConfig::default(), async move {
            let _ = stopped.await;
        })
        .await
    });
    let (status, body) = common::get(&url).await;
    assert_eq!(status, 503);
    assert!(body.contains("edge-a") && body.contains("edge-b"), "{body}");
    let now = lightgate::store::now();
    let failed: Result<lightgate::source::PollResult, lightgate::source::SourceError> = Err(
        lightgate::source::SourceError::Transport("timed out".into()),
    );
    store.record_poll(
        "edge-a",
        failed.clone(),
        (0, 0),
        std::time::Duration::from_secs(1),
        now,
        std::time::SystemTime::now(),
    );
    let (status, body) = common::get(&url).await;
    assert_eq!(status, 503);
    assert!(
        !body.contains("edge-a") && body.contains("edge-b"),
        "a failed poll counts: {body}"
    );
    store.record_poll(
        "edge-b",
        failed.clone(),
        (0, 0),
        std::time::Duration::from_secs(1),
        now,
        std::time::SystemTime::now(),
    );
    assert_eq!(common::get(&url).await, (200, "Ready.\n".to_string()));
    let _ = stop.send(());
    server.await.unwrap().unwrap();
}
