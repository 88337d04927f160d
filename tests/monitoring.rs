//! The monitoring shipped in dashboards/: the alert rules pass promtool's checks and
//! unit tests; the dashboards are well-formed Grafana JSON; and, against a real
//! Prometheus scraping a real agent whose simulated, SNMP and Azure-observed links
//! cover every alert, every panel query returns data and the expected alerts fire
//! (and only those).

mod common;

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::fake_azure::{fake_azure, Fake, PORT_ID, SECRET};
use common::prometheus::Prometheus;
use common::snmpsim::{corpus, SnmpSim};
use common::{require, TestAgent};
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn dashboards() -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(root().join("dashboards")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            out.push((path.file_name().unwrap().to_string_lossy().to_string(), v));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(out.len() >= 2, "expected the overview and agent dashboards");
    out
}

/// Every (dashboard, panel title, expr) of every dashboard.
fn queries() -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for (file, d) in dashboards() {
        for p in d["panels"].as_array().unwrap() {
            for t in p["targets"].as_array().into_iter().flatten() {
                out.push((
                    file.clone(),
                    p["title"].as_str().unwrap().to_string(),
                    t["expr"].as_str().unwrap().to_string(),
                ));
            }
        }
    }
    out
}

#[test]
fn alert_rules_pass_promtool_checks_and_unit_tests() {
    require("promtool", "prometheus");
    let rules = root().join("dashboards/alerts.yml");
    let out = Command::new("promtool")
        .arg("check")
        .arg("rules")
        .arg(&rules)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let out = Command::new("promtool")
        .args(["test", "rules"])
        .arg(root().join("dashboards/tests/alerts_test.yml"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // Every alert of the rule file has a unit test.
    let rules_text = std::fs::read_to_string(&rules).unwrap();
    let tests_text =
        std::fs::read_to_string(root().join("dashboards/tests/alerts_test.yml")).unwrap();
    for line in rules_text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- alert: "))
    {
        assert!(
            tests_text.contains(&format!("alertname: {line}")),
            "alert {line} has no promtool unit test"
        );
    }
}

#[test]
fn dashboards_are_well_formed() {
    for (file, d) in dashboards() {
        assert!(
            d["schemaVersion"].as_u64().unwrap() >= 38,
            "{file}: Grafana 10+ JSON model"
        );
        let vars = d["templating"]["list"].as_array().unwrap();
        assert!(
            vars.iter()
                .any(|v| v["type"] == "datasource" && v["query"] == "prometheus"),
            "{file}: a datasource variable"
        );
        let text = d.to_string();
        for (i, _) in text.match_indices("\"uid\":") {
            let rest = &text[i..i + 40.min(text.len() - i)];
            assert!(
                rest.starts_with("\"uid\":\"${datasource}\"")
                    || rest.starts_with("\"uid\":\"lightgate-"),
                "{file}: hard-coded uid at {rest}"
            );
        }
        let panels = d["panels"].as_array().unwrap();
        let mut ids = HashSet::new();
        let mut cells: HashSet<(u64, u64)> = HashSet::new();
        for p in panels {
            let title = p["title"].as_str().unwrap_or_default();
            assert!(
                ids.insert(p["id"].as_u64().unwrap()),
                "{file}: duplicate panel id in {title}"
            );
            let g = &p["gridPos"];
            let (x, y, w, h) = (
                g["x"].as_u64().unwrap(),
                g["y"].as_u64().unwrap(),
                g["w"].as_u64().unwrap(),
                g["h"].as_u64().unwrap(),
            );
            assert!(x + w <= 24, "{file}: {title} is wider than the grid");
            for cx in x..x + w {
                for cy in y..y + h {
                    assert!(
                        cells.insert((cx, cy)),
                        "{file}: {title} overlaps another panel at {cx},{cy}"
                    );
                }
            }
            if p["type"] == "row" {
                continue;
            }
            assert_eq!(
                p["datasource"]["uid"], "${datasource}",
                "{file}: {title} has no datasource"
            );
            assert!(
                !p["description"].as_str().unwrap_or_default().is_empty(),
                "{file}: {title} has no description"
            );
            let targets = p["targets"].as_array().unwrap();
            assert!(!targets.is_empty(), "{file}: {title} has no query");
            for t in targets {
                assert!(
                    !t["expr"].as_str().unwrap_or_default().is_empty(),
                    "{file}: {title} has an empty query"
                );
                assert_eq!(t["datasource"]["uid"], "${datasource}");
            }
        }
    }
}

/// Metric names a PromQL expression uses (lightgate's own and Prometheus's scrape
/// series).
fn metric_names(expr: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let bytes: Vec<char> = expr.chars().collect();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_alphabetic() || bytes[i] == '_' {
            let start = i;
            while i < bytes.len()
                && (bytes[i].is_ascii_alphanumeric() || bytes[i] == '_' || bytes[i] == ':')
            {
                i += 1;
            }
            let word: String = bytes[start..i].iter().collect();
            let quoted = start > 0 && bytes[start - 1] == '"';
            if !quoted
                && (word.starts_with("lightgate") || word == "up" || word.starts_with("scrape_"))
            {
                names.insert(word);
            }
        } else {
            i += 1;
        }
    }
    names
}

/// An agent whose links cover every alert: simulated scenarios, a flaky and a dead
/// device, an SNMP device (snmpsim) and an Azure-observed port (fake Azure).
fn fleet(snmp: &str, azure: &str) -> String {
    format!(
        r#"
[azure]
tenant_id = "tenant-1"
client_id = "client-1"
client_secret_env = "LG_TEST_AZURE_SECRET"
arm_endpoint = "{azure}"
login_endpoint = "{azure}"
metadata_endpoint = "{azure}"
poll_interval = "1s"

[[device]]
name = "r1"
source = "sim"
poll_interval = "500ms"
[device.sim]
seed = 1
interfaces = {{ "Hu0" = "healthy", "Hu2" = "dirty-connector", "Hu3" = "unplugged", "Hu4" = "admin-down", "Hu5" = {{ scenario = "flapping", flap_period = "1s" }}, "Hu6" = "tx-fault", "Te7" = {{ scenario = "degrading", degrade_db_per_minute = 90.0, optic = "10g-lr" }}, "Hu8" = "healthy" }}

[[device]]
name = "r2"
source = "sim"
poll_interval = "500ms"
[device.sim]
seed = 2
interfaces = {{ "Hu0" = "healthy", "Hu1" = "healthy", "Hu2" = "healthy", "Hu3" = "healthy", "Hu4" = "healthy", "Hu5" = "healthy" }}

[[device]]
name = "r3"
source = "sim"
poll_interval = "300ms"
[device.sim]
seed = 3
fail_every = 2
interfaces = {{ "Hu0" = "healthy", "Hu1" = "healthy" }}

[[device]]
name = "dead"
source = "sim"
poll_interval = "500ms"
[device.sim]
unreachable = true
interfaces = {{ "Hu0" = "healthy" }}

[[device]]
name = "mx5"
source = "snmp"
poll_interval = "1s"
[device.snmp]
address = "{snmp}"
community = "public"

[[port]]
name = "good"
hold_down = "1s"
link1 = {{ device = "r1", interface = "Hu0", azure_admin_state = "enabled" }}
link2 = {{ device = "r2", interface = "Hu0", azure_admin_state = "enabled" }}

[[port]]
name = "dirty"
hold_down = "1s"
link1 = {{ device = "r1", interface = "Hu2", azure_admin_state = "enabled" }}
link2 = {{ device = "r2", interface = "Hu1", azure_admin_state = "enabled" }}

[[port]]
name = "dark"
hold_down = "1s"
link1 = {{ device = "r1", interface = "Hu3", azure_admin_state = "enabled" }}
link2 = {{ device = "r2", interface = "Hu2", azure_admin_state = "enabled" }}

[[port]]
name = "shut"
hold_down = "1s"
link1 = {{ device = "r1", interface = "Hu4", azure_admin_state = "disabled" }}
link2 = {{ device = "r2", interface = "Hu3", azure_admin_state = "enabled" }}

[[port]]
name = "flappy"
hold_down = "1s"
link1 = {{ device = "r1", interface = "Hu5", azure_admin_state = "enabled" }}
link2 = {{ device = "r3", interface = "Hu0", azure_admin_state = "enabled" }}

[[port]]
name = "txfault"
hold_down = "1s"
link1 = {{ device = "r1", interface = "Hu6", azure_admin_state = "enabled" }}
link2 = {{ device = "r3", interface = "Hu1", azure_admin_state = "enabled" }}

[[port]]
name = "aging"
hold_down = "1s"
link1 = {{ device = "r1", interface = "Te7", azure_admin_state = "enabled" }}
link2 = {{ device = "dead", interface = "Hu0", azure_admin_state = "enabled" }}

[[port]]
name = "azure"
hold_down = "1s"
azure_port_id = "{PORT_ID}"
link1 = {{ device = "r1", interface = "Hu8" }}
link2 = {{ device = "r2", interface = "Hu4" }}

[[port]]
name = "snmp"
hold_down = "1s"
link1 = {{ device = "mx5", interface = "xe-0/0/0", azure_admin_state = "enabled" }}
link2 = {{ device = "mx5", interface = "xe-0/0/1", azure_admin_state = "enabled" }}
"#
    )
}

fn key(a: &Value) -> (String, String, String) {
    let l = &a["labels"];
    let s = |k: &str| l[k].as_str().unwrap_or_default().to_string();
    let subject = if l["port"].is_string() {
        s("port")
    } else if l["device"].is_string() {
        s("device")
    } else {
        s("job")
    };
    (s("alertname"), subject, s("link"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_prometheus_has_data_for_every_panel_and_fires_the_expected_alerts() {
    let sim = SnmpSim::start(&corpus().join("librenms/junos_mx5t-isis.snmprec"), "public");
    std::env::set_var("LG_TEST_AZURE_SECRET", SECRET);
    let fake = Arc::new(Mutex::new(Fake {
        link2_admin: "Disabled",
        rx_dbm: [-9.0, -1.0],
        // A circuit with a Microsoft peering, for the circuit and peering panels.
        circuits: vec![common::fake_azure::circuit(
            "er-ams-1",
            "Provisioned",
            "Enabled",
            vec![common::fake_azure::microsoft_peering_validation_needed()],
        )],
        ..Default::default()
    }));
    let azure = fake_azure(fake).await;
    let t = TestAgent::start(&fleet(&sim.address, &azure)).await;
    let gone = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .to_string();
    let agent_addr = t.addr.to_string();
    let prom = tokio::task::spawn_blocking(move || {
        Prometheus::start(&[("lightgate", agent_addr), ("lightgate-gone", gone)])
    })
    .await
    .unwrap();
    let prom = Arc::new(prom);

    // (b) The expected alerts reach firing, for the faulty links.
    let expected: BTreeSet<(String, String, String)> = [
        ("LightgateRxPowerOutOfWindow", "dirty", "link1"),
        ("LightgateRxPowerOutOfWindow", "aging", "link1"),
        ("LightgateOpticRxAlarm", "aging", "link1"),
        ("LightgateNoLight", "dark", "link1"),
        ("LightgateNoLight", "txfault", "link1"),
        ("LightgateLinkDown", "dark", "link1"),
        ("LightgateLinkDown", "txfault", "link1"),
        ("LightgateLinkFlapping", "flappy", "link1"),
        ("LightgateAzureAdminDisabled", "azure", "link2"),
        ("LightgateSpanLossHigh", "azure", "link1"),
        ("LightgatePortNotReady", "dirty", ""),
        ("LightgatePortNotReady", "shut", ""),
        ("LightgateDeviceDown", "dead", ""),
        ("LightgatePollsFailing", "r3", ""),
        ("LightgateAgentDown", "lightgate-gone", ""),
    ]
    .iter()
    .map(|(a, p, l)| (a.to_string(), p.to_string(), l.to_string()))
    .collect();
    let deadline = Instant::now() + Duration::from_secs(90);
    let firing = loop {
        let p = prom.clone();
        let firing: BTreeSet<(String, String, String)> =
            tokio::task::spawn_blocking(move || p.firing())
                .await
                .unwrap()
                .iter()
                .map(key)
                .collect();
        if expected.is_subset(&firing) || Instant::now() > deadline {
            break firing;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    };
    let missing: Vec<_> = expected.difference(&firing).collect();
    assert!(
        missing.is_empty(),
        "alerts that did not fire: {missing:#?}\nfiring: {firing:#?}"
    );
    // ... and not for the healthy or admin-down ones.
    for (alert, port, link) in &firing {
        assert!(
            port != "good" && port != "snmp",
            "{alert} fired for the healthy port {port} {link}"
        );
        if port == "shut" {
            assert_eq!(
                alert, "LightgatePortNotReady",
                "{alert} paged for the admin-down port"
            );
        }
        // A link flapping every second can be seen down for the shortened 3 s `for:`
        // when a poll is late on a loaded machine: a true alert, not noise.
        let tolerated = alert == "LightgateLinkDown" && port == "flappy";
        if alert != "LightgatePortNotReady" && !link.is_empty() && !tolerated {
            assert!(
                expected.contains(&(alert.clone(), port.clone(), link.clone())),
                "unexpected {alert} for {port} {link}"
            );
        }
    }

    // (a) Every panel query of every dashboard returns at least one series.
    for (file, title, expr) in queries() {
        let q = expr
            .replace("$port", ".*")
            .replace("$device", ".*")
            .replace("$link", ".*")
            .replace("$lane", ".*")
            .replace("$__rate_interval", "1m");
        let p = prom.clone();
        let q2 = q.clone();
        let result = tokio::task::spawn_blocking(move || p.query(&q2))
            .await
            .unwrap();
        assert!(
            !result.is_empty(),
            "{file}: panel {title:?} has no data for {q}"
        );
    }

    // Every metric a dashboard or rule names is one lightgate exports (or Prometheus's own).
    let exported: BTreeSet<String> = t
        .metrics()
        .await
        .lines()
        .filter_map(|l| l.strip_prefix("# TYPE "))
        .map(|l| l.split(' ').next().unwrap().to_string())
        .collect();
    let known = |name: &str| {
        exported.contains(name)
            || ["_bucket", "_count", "_sum"]
                .iter()
                .any(|s| name.strip_suffix(s).is_some_and(|b| exported.contains(b)))
            || name.starts_with("lightgate:")
            || ["up", "scrape_duration_seconds", "scrape_samples_scraped"].contains(&name)
    };
    let rules = rule_exprs(&std::fs::read_to_string(root().join("dashboards/alerts.yml")).unwrap());
    assert!(rules.len() >= 15);
    let rules = rules
        .into_iter()
        .map(|e| ("alerts.yml".to_string(), "rule".to_string(), e));
    for (file, title, expr) in queries().into_iter().chain(rules) {
        for name in metric_names(&expr) {
            assert!(
                known(&name),
                "{file}: {title} names {name}, which lightgate does not export"
            );
        }
    }
    t.stop().await;
}

/// The `expr:` of every rule in a rule file (one-line or `|` blocks).
fn rule_exprs(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if let Some(rest) = line.trim_start().strip_prefix("expr:") {
            let indent = line.len() - line.trim_start().len();
            if rest.trim() == "|" {
                let mut block = String::new();
                i += 1;
                while i < lines.len()
                    && (lines[i].trim().is_empty()
                        || lines[i].len() - lines[i].trim_start().len() > indent)
                {
                    block.push_str(lines[i].trim());
                    block.push(' ');
                    i += 1;
                }
                out.push(block);
                continue;
            }
            out.push(rest.trim().to_string());
        }
        i += 1;
    }
    out
}

#[test]
fn metric_names_are_found_in_queries() {
    let names = metric_names(
        r#"histogram_quantile(0.95, sum by (le) (rate(lightgate_poll_duration_seconds_bucket{device=~"lightgate_x"}[1m]))) + up"#,
    );
    assert_eq!(
        names.into_iter().collect::<Vec<_>>(),
        vec!["lightgate_poll_duration_seconds_bucket", "up"]
    );
}

/// Grafana scales its built-in "dBm" unit with SI prefixes ("-200 mdBm" for -0.2 dBm):
/// every panel of a dBm series uses a suffix unit, which is printed as it is.
#[test]
fn dbm_panels_are_not_si_scaled() {
    let mut dbm_panels = 0;
    for (file, d) in dashboards() {
        for p in d["panels"].as_array().unwrap() {
            let unit = p["fieldConfig"]["defaults"]["unit"].as_str().unwrap_or("");
            let exprs = p["targets"].to_string();
            assert_ne!(
                unit, "dBm",
                "{file}: {} uses Grafana's SI-scaled dBm",
                p["title"]
            );
            if exprs.contains("_dbm") && !exprs.contains("span_loss") {
                assert_eq!(unit, "suffix: dBm", "{file}: {}", p["title"]);
                dbm_panels += 1;
            }
        }
    }
    assert!(dbm_panels >= 3, "{dbm_panels} dBm panels");
}

/// The committed dashboards are what dashboards/generate.py writes: the one source.
#[test]
fn the_dashboards_are_generated_from_their_one_source() {
    common::require("python3", "python3");
    let out = tempfile::tempdir().unwrap();
    let run = std::process::Command::new("python3")
        .arg(root().join("dashboards/generate.py"))
        .arg(out.path())
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    for name in ["lightgate-overview.json", "lightgate-agent.json"] {
        let made = std::fs::read_to_string(out.path().join(name)).unwrap();
        let committed = std::fs::read_to_string(root().join("dashboards").join(name)).unwrap();
        assert!(
            made == committed,
            "dashboards/{name} differs from what generate.py writes: run python3 dashboards/generate.py"
        );
    }
}
