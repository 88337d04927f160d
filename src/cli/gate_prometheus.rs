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

/// A name Prometheus is asked about: letters, digits, '-', '_' and '.' only, so it
/// cannot change the query.
fn plain(name: &str, what: &str) -> Result<(), (u8, String)> {
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err((exit::USAGE, format!("{name:?} is not a {what} name")));
    }
    Ok(())
}

/// Why `port` is not ready per Prometheus: both links' `lightgate_link_ready` recent and
/// 1, failing checks named. Err when Prometheus has no series for the port at all.
fn port_failing(
    client: &http::Client,
    prometheus: &str,
    port: &str,
    max_age: f64,
) -> Result<Vec<String>, (u8, String)> {
    let selector = format!("lightgate_link_ready{{port=\"{port}\"}}");
    // Only series labelled for this port count (a proxy or a relabelling mistake can
    // answer with others).
    let links: Vec<Value> = query(client, prometheus, &selector)?
        .into_iter()
        .filter(|s| label(s, "port") == port)
        .collect();
    if links.is_empty() {
        return Err((
            exit::USAGE,
            format!("{port}: Prometheus has no lightgate_link_ready series for this port"),
        ));
    }
    let ages = query(
        client,
        prometheus,
        &format!("time() - timestamp({selector})"),
    )?;
    let failing_checks = query(
        client,
        prometheus,
        &format!("lightgate_readiness_check{{port=\"{port}\"}} == 0"),
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
    let expected: Vec<&Value> = links.iter().collect();
    failing.extend(unfresh(
        &expected,
        &ages,
        max_age,
        &["port", "link", "instance"],
    ));
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
    Ok(failing)
}

/// The labels that name one series of `series` among its kind.
fn same_series(a: &Value, b: &Value, keys: &[&str]) -> bool {
    keys.iter().all(|k| label(a, k) == label(b, k))
}

/// "fresh: ..." for every series of `expected` that has no age of its own in `ages`
/// (matched on `keys`), or whose age is not a number, negative (a timestamp in the
/// future: clock skew, or a forged answer) or older than `max_age`. Each series needs
/// its own fresh age: a missing one (an empty answer, a Thanos partial response, a
/// series past the lookback window) is a refusal, never a pass.
fn unfresh(expected: &[&Value], ages: &[Value], max_age: f64, keys: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for e in expected {
        let name = format!(
            "{}{} of {}",
            label(e, "link"),
            match label(e, "neighbor") {
                n if n.is_empty() => String::new(),
                n => format!(" session to {n}"),
            },
            label(e, "instance")
        );
        let mine: Vec<f64> = ages
            .iter()
            .filter(|a| same_series(a, e, keys))
            .map(sample)
            .collect();
        if mine.is_empty() {
            out.push(format!(
                "fresh: {name} has no age in Prometheus (timestamp() gave no series for it)"
            ));
            continue;
        }
        for age in mine {
            if !age.is_finite() {
                out.push(format!("fresh: {name} has an unreadable age in Prometheus"));
            } else if age < 0.0 {
                out.push(format!(
                    "fresh: {name} is {age:.0}s old in Prometheus: a timestamp in the future (clock skew?)"
                ));
            } else if age > max_age {
                out.push(format!(
                    "fresh: {name} is {age:.0}s old in Prometheus, older than {max_age}s"
                ));
            }
        }
    }
    out
}

/// Why traffic may not move onto `circuit` per Prometheus: every peering of the
/// circuit has recent `lightgate_bgp_session_ready` series for both links (each agent
/// exports its own router's), all 1; its router-independent check
/// (`advertised_prefixes_configured`) passes; the ports' links are ready; and, where
/// Azure is read, the circuit is Provisioned and Enabled. Returns the ports too.
fn traffic_failing(
    client: &http::Client,
    prometheus: &str,
    circuit: &str,
    max_age: f64,
) -> Result<(Vec<String>, Vec<String>), (u8, String)> {
    let selector = format!("lightgate_bgp_session_ready{{circuit=\"{circuit}\"}}");
    let sessions: Vec<Value> = query(client, prometheus, &selector)?
        .into_iter()
        .filter(|s| label(s, "circuit") == circuit)
        .collect();
    if sessions.is_empty() {
        return Err((
            exit::USAGE,
            format!("{circuit}: Prometheus has no lightgate_bgp_session_ready series for this circuit (no peering known for it, or its agents are not scraped)"),
        ));
    }
    let ages = query(
        client,
        prometheus,
        &format!("time() - timestamp({selector})"),
    )?;
    let expected: Vec<&Value> = sessions.iter().collect();
    let mut failing = unfresh(
        &expected,
        &ages,
        max_age,
        &[
            "port", "circuit", "peering", "link", "device", "neighbor", "family", "instance",
        ],
    );
    let mut peerings: Vec<(String, String)> = sessions
        .iter()
        .map(|s| (label(s, "port"), label(s, "peering")))
        .collect();
    peerings.sort();
    peerings.dedup();
    let configured = query(
        client,
        prometheus,
        &format!("lightgate_peering_check{{circuit=\"{circuit}\",check=\"advertised_prefixes_configured\"}}"),
    )?;
    for (port, peering) in &peerings {
        for link in ["link1", "link2"] {
            let mine: Vec<&Value> = sessions
                .iter()
                .filter(|s| {
                    label(s, "port") == *port
                        && label(s, "peering") == *peering
                        && label(s, "link") == link
                })
                .collect();
            if mine.is_empty() {
                failing.push(format!(
                    "{peering} bgp_established: {link} has no session series in Prometheus (is the agent that polls its router scraped?)"
                ));
            }
            for s in mine.iter().filter(|s| sample(s) != 1.0) {
                failing.push(format!(
                    "{peering}: {link} {} to {} ({}) is not ready, as reported by {} (its checks: lightgate status on that agent)",
                    label(s, "device"),
                    label(s, "neighbor"),
                    label(s, "family"),
                    label(s, "instance"),
                ));
            }
        }
        let c: Vec<&Value> = configured
            .iter()
            .filter(|s| label(s, "port") == *port && label(s, "peering") == *peering)
            .collect();
        if c.is_empty() {
            failing.push(format!(
                "{peering} advertised_prefixes_configured: no series in Prometheus"
            ));
        } else if c.iter().any(|s| sample(s) != 1.0) {
            failing.push(format!(
                "{peering} advertised_prefixes_configured: fails (see lightgate status)"
            ));
        }
    }
    let mut ports: Vec<String> = peerings.iter().map(|(p, _)| p.clone()).collect();
    ports.dedup();
    for port in &ports {
        failing.extend(port_failing(client, prometheus, port, max_age)?);
    }
    // Azure's view of the circuit, where it is read.
    for (metric, state) in [
        ("lightgate_azure_circuit_provider_state", "Provisioned"),
        ("lightgate_azure_circuit_state", "Enabled"),
        ("lightgate_azure_circuit_provisioning_state", "Succeeded"),
    ] {
        let s = query(
            client,
            prometheus,
            &format!("{metric}{{circuit=\"{circuit}\",state=\"{state}\"}}"),
        )?;
        if s.iter().any(|x| sample(x) != 1.0) {
            failing.push(format!("{metric}: circuit {circuit} is not {state}"));
        }
    }
    Ok((failing, ports))
}

pub fn decide(a: &GateArgs, prometheus: &str) -> Result<Decision, (u8, String)> {
    use lightgate_core::gate::Action;
    let client = http::Client::for_peer(&a.client, "Prometheus")?;
    let action: Action = a.action.parse().map_err(|e| (exit::USAGE, e))?;
    let max_age = a.max_age.as_secs_f64();
    let (failing, port, circuit) = match action {
        Action::CreateCircuit => {
            plain(&a.port, "port")?;
            (port_failing(&client, prometheus, &a.port, max_age)?, a.port.clone(), None)
        }
        Action::EnableTraffic => {
            plain(&a.port, "circuit")?;
            let (failing, ports) = traffic_failing(&client, prometheus, &a.port, max_age)?;
            (failing, ports.join(","), Some(a.port.clone()))
        }
        // Decided on Azure's states: ask the agent that reads Azure.
        other => {
            return Err((
                exit::USAGE,
                format!("{other} is decided by the agent that reads the circuit from Azure (--url), not through Prometheus"),
            ))
        }
    };
    let ready = failing.is_empty();
    let (user, host) = who();
    let decision = Decision {
        failures: Vec::new(),
        decision_id: format!(
            "prom-{}",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis())
                .unwrap_or(0)
        ),
        time: humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string(),
        port,
        action: a.action.clone(),
        circuit,
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
