//! `lightgate gate --prometheus URL PORT`: the verdict from Prometheus (or anything
//! that speaks its query API: Thanos, Mimir, VictoriaMetrics), for fleets whose two
//! links are polled by different agents. Both links' `lightgate_link_ready` must be 1
//! and recent; failing checks come from `lightgate_readiness_check`.

use serde_json::Value;

use super::exit;
use super::gate_request::{who, GateArgs};
use super::http;
use crate::audit::{AuditLog, Decision, LinkChecks, LinkReadings};

fn query(client: &http::Client, base: &str, promql: &str) -> Result<Vec<Value>, (u8, String)> {
    let encoded = crate::text::encode(promql);
    let answer = client.get(&format!(
        "{}/api/v1/query?query={encoded}",
        http::base(base)
    ))?;
    let v: Value = serde_json::from_str(&answer.body).map_err(|_| {
        (
            exit::UNAVAILABLE,
            format!(
                "{base} does not answer like Prometheus (HTTP {})",
                answer.status
            ),
        )
    })?;
    if v["status"] != "success" {
        return Err((
            exit::UNAVAILABLE,
            format!("Prometheus rejected {promql}: {}", v["error"]),
        ));
    }
    Ok(v["data"]["result"].as_array().cloned().unwrap_or_default())
}

fn label(series: &Value, name: &str) -> String {
    series["metric"][name]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn sample(series: &Value) -> f64 {
    series["value"][1]
        .as_str()
        .and_then(|v| v.parse().ok())
        .unwrap_or(f64::NAN)
}

pub fn decide(a: &GateArgs, prometheus: &str) -> Result<Decision, (u8, String)> {
    let client = http::Client::for_peer(&a.client, "Prometheus")?;
    if !a
        .port
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err((exit::USAGE, format!("{:?} is not a port name", a.port)));
    }
    let selector = format!("lightgate_link_ready{{port=\"{}\"}}", a.port);
    let links = query(&client, prometheus, &selector)?;
    if links.is_empty() {
        return Err((
            exit::USAGE,
            format!(
                "{}: Prometheus has no lightgate_link_ready series for this port",
                a.port
            ),
        ));
    }
    let ages = query(
        &client,
        prometheus,
        &format!("time() - timestamp({selector})"),
    )?;
    let failing_checks = query(
        &client,
        prometheus,
        &format!("lightgate_readiness_check{{port=\"{}\"}} == 0", a.port),
    )?;

    let mut failing = Vec::new();
    for link in ["link1", "link2"] {
        let series: Vec<&Value> = links.iter().filter(|s| label(s, "link") == link).collect();
        if series.is_empty() {
            failing.push(format!(
                "fresh: {link} has no series in Prometheus (is the agent that polls it scraped?)"
            ));
        }
    }
    for s in &ages {
        let age = sample(s);
        // A NaN age (an unreadable sample) is not fresh either.
        let fresh = age.is_finite() && age <= a.max_age.as_secs_f64();
        if !fresh {
            failing.push(format!(
                "fresh: {} of {} is {:.0}s old in Prometheus, older than {}s",
                label(s, "link"),
                label(s, "instance"),
                age,
                a.max_age.as_secs()
            ));
        }
    }
    for s in &failing_checks {
        failing.push(format!(
            "{}: {} ({} {}) fails it, as reported by {}",
            label(s, "check"),
            label(s, "link"),
            label(s, "device"),
            label(s, "interface"),
            label(s, "instance")
        ));
    }
    for s in &links {
        if sample(s) != 1.0
            && !failing_checks
                .iter()
                .any(|f| label(f, "link") == label(s, "link"))
        {
            failing.push(format!("ready: {} is not ready", label(s, "link")));
        }
    }
    let ready = failing.is_empty();
    let (user, host) = who();
    let decision = Decision {
        decision_id: format!(
            "prom-{}",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis())
                .unwrap_or(0)
        ),
        time: humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string(),
        port: a.port.clone(),
        action: a.action.clone(),
        circuit: None,
        ready,
        verdict: if ready { "ready" } else { "not_ready" }.to_string(),
        user,
        host,
        command: a.command.clone(),
        failing,
        checks: LinkChecks::default(),
        readings: LinkReadings::default(),
        peerings: Vec::new(),
    };
    if let Some(path) = &a.audit_log {
        AuditLog::default().append(path, &decision).map_err(|e| {
            (
                exit::UNAVAILABLE,
                format!(
                    "cannot record the decision in {}: {e}; refusing to decide",
                    path.display()
                ),
            )
        })?;
    }
    Ok(decision)
}
