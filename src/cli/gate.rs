//! `lightgate gate PORT [-- COMMAND...]`: ask the agent for a recorded decision and run
//! the command only when the port is ready.
//!
//! Exit codes: the command's own when it ran; 0 ready (no command); 75 not ready
//! (EX_TEMPFAIL); 69 agent unreachable or unable to record (EX_UNAVAILABLE); 64 unknown
//! port or bad arguments (EX_USAGE); 126/127 the command could not be started.

use std::time::Instant;

use super::exit;
pub use super::gate_request::{who, GateArgs};
use super::http;
use crate::api::PortJson;
use crate::audit::{Decision, GateRequest};

/// A check name in plain words; `None` for a check without a gloss (its own name is
/// printed then).
fn words(check: &str) -> Option<&'static str> {
    Some(match check {
        "azure_admin_enabled" => "the Azure admin state of the link is not Enabled",
        "azure_provisioned" => "Azure has not finished provisioning the port or link",
        "azure_line_protocol_up" => "Azure does not see the link's line protocol up",
        "local_admin_up" => "the router port is administratively down",
        "oper_up" => "the link is not up",
        "rx_power_in_range" => "receive light is out of range",
        "tx_power_in_range" => "transmit light is out of range",
        "stable" => "the link has not been stable for the hold-down",
        "fresh" => "there is no fresh reading",
        "circuit_port" => "the circuit is on another port",
        "circuit_provisioning" => "Azure has not finished an operation on the circuit",
        "provider_state" => "the circuit's provider state does not allow it",
        "circuit_state" => "the circuit is not enabled",
        "peerings_removed" => "peerings are still configured",
        "authorizations_unused" => "virtual networks are still linked",
        "bgp_established" => "a BGP session is not established",
        "bgp_stable" => "a BGP session has not been up for the hold-down",
        "prefixes_received" => "prefixes received from Microsoft are out of bounds",
        "prefix_limit_headroom" => "advertised prefixes are at Microsoft's limit",
        "advertised_prefixes_configured" => "Microsoft has not validated the advertised prefixes",
        _ => return None,
    })
}

/// One line per failure: what it is about, the check (its name and, where there is
/// one, a gloss) and the detail. Falls back to the "check: detail" strings of an
/// agent that sends no structured failures.
fn explain(d: &Decision) -> String {
    let gloss = |check: &str| match words(check) {
        Some(w) => format!("{check} ({w})"),
        None => check.to_string(),
    };
    let esc = |t: &str| crate::text::escape(t).into_owned();
    if d.failures.is_empty() {
        return d
            .failing
            .iter()
            .map(|f| esc(f))
            .map(|f| match f.split_once(": ") {
                Some((check, detail)) if words(check).is_some() => {
                    format!("  - {}: {detail}\n", gloss(check))
                }
                _ => format!("  - {f}\n"),
            })
            .collect();
    }
    d.failures
        .iter()
        .map(|f| {
            let check = gloss(&esc(&f.check));
            let subject = if f.subject.is_empty() {
                String::new()
            } else {
                format!("{}: ", esc(&f.subject))
            };
            format!("  - {subject}{check}: {}\n", esc(&f.detail))
        })
        .collect()
}

/// Whether `action` names a circuit action (else a port action, or an unknown one the
/// agent will refuse by name).
fn on_circuit(action: &str) -> bool {
    action
        .parse::<lightgate_core::gate::Action>()
        .is_ok_and(|a| a.on_circuit())
}

fn fail(code: u8, message: String) -> u8 {
    eprintln!("{message}");
    code
}

/// Asks for a recorded decision.
fn decide(a: &GateArgs) -> Result<Decision, (u8, String)> {
    if let Some(prom) = &a.prometheus {
        return super::gate_prometheus::decide(a, prom);
    }
    let client = http::Client::new(&a.client)?;
    let (user, host) = who();
    let circuit_action = on_circuit(&a.action);
    let what = if circuit_action { "circuits" } else { "ports" };
    let url = format!(
        "{}/api/v1/{what}/{}/gate",
        http::base(&a.url),
        crate::text::encode(&a.port)
    );
    let request = GateRequest {
        action: a.action.clone(),
        user,
        host,
        command: a.command.clone(),
    };
    let answer = client.post_json(&url, &request)?;
    match answer.status {
        200 | 503 => {
            let d: Decision = serde_json::from_str(&answer.body).map_err(|e| {
                (
                    exit::UNAVAILABLE,
                    format!(
                        "the agent at {} answered something that is not a gate decision: {e}",
                        a.url
                    ),
                )
            })?;
            check_answer(a, circuit_action, &d)?;
            check_consistent(answer.status, &d)?;
            Ok(d)
        }
        404 => Err((
            exit::USAGE,
            format!("{}: {}", a.port, http::error_text(&answer.body)),
        )),
        400 => Err((exit::USAGE, http::error_text(&answer.body))),
        s => Err((
            exit::UNAVAILABLE,
            format!(
                "the agent could not decide (HTTP {s}): {}",
                http::error_text(&answer.body)
            ),
        )),
    }
}

/// Refuses a decision about anything but what was asked (a proxy, a misrouted request
/// or a confused agent): running the command on it would act on someone else's verdict.
fn check_answer(a: &GateArgs, circuit_action: bool, d: &Decision) -> Result<(), (u8, String)> {
    let subject_ok = if circuit_action {
        d.circuit.as_deref() == Some(a.port.as_str())
    } else {
        d.port == a.port && d.circuit.is_none()
    };
    if subject_ok && d.action == a.action {
        return Ok(());
    }
    let subject = d.circuit.as_deref().unwrap_or(&d.port);
    Err((
        exit::UNAVAILABLE,
        format!(
            "the agent's decision {} is about {} {}, not {} {}; not running anything",
            crate::text::escape(&d.decision_id),
            crate::text::escape(subject),
            crate::text::escape(&d.action),
            a.port,
            a.action
        ),
    ))
}

/// Refuses an answer that contradicts itself (HTTP 503 with `ready: true`, `ready`
/// with failing checks or a "not_ready" verdict, ...): a command runs only when the
/// HTTP status, `ready`, the verdict and an empty failing list all say ready, and a
/// refusal is taken as one only when they all say not ready.
fn check_consistent(status: u16, d: &Decision) -> Result<(), (u8, String)> {
    let says_ready = [
        status == 200,
        d.ready,
        d.verdict == "ready",
        d.failing.is_empty() && d.failures.is_empty(),
    ];
    if says_ready.iter().all(|r| *r) || says_ready.iter().all(|r| !r) {
        return Ok(());
    }
    Err((
        exit::UNAVAILABLE,
        format!(
            "the agent's answer contradicts itself (HTTP {status}, ready: {}, verdict: {:?}, {} failing); not running anything",
            d.ready,
            crate::text::escape(&d.verdict),
            d.failing.len() + d.failures.len()
        ),
    ))
}

/// Waits (without recording decisions) until the port, or the circuit for a circuit
/// action, looks ready or `deadline`, printing progress when it changes.
fn wait_until_ready(a: &GateArgs, deadline: Instant) -> Result<(), (u8, String)> {
    if a.prometheus.is_some() {
        // Prometheus mode: waiting is asking again.
        return Ok(());
    }
    let circuit = on_circuit(&a.action);
    let traffic = a.action == lightgate_core::gate::Action::EnableTraffic.as_str();
    let client = http::Client::new(&a.client)?;
    let what = if circuit { "circuits" } else { "ports" };
    // Traffic waits on its own answer: it also knows circuits declared without Azure.
    let url = format!(
        "{}/api/v1/{what}/{}{}",
        http::base(&a.url),
        crate::text::encode(&a.port),
        if traffic { "/traffic" } else { "" }
    );
    let mut last = String::new();
    loop {
        // None: looks ready (or the answer is not understood: ask for the decision).
        let progress = match client.get(&url) {
            Ok(ans) if ans.status == 404 => {
                return Err((
                    exit::USAGE,
                    format!("{}: {}", a.port, http::error_text(&ans.body)),
                ))
            }
            Ok(ans) if traffic && ans.status == 200 => None,
            Ok(ans) if traffic => Some(
                serde_json::from_str::<crate::api::ActionJson>(&ans.body)
                    .map(|t| t.failing.first().cloned().unwrap_or_default())
                    .unwrap_or_else(|_| format!("HTTP {}", ans.status)),
            ),
            Ok(ans) if circuit && ans.status == 200 => {
                serde_json::from_str::<crate::api::CircuitJson>(&ans.body)
                    .ok()
                    .and_then(|c| {
                        c.actions
                            .get(&a.action)
                            .filter(|act| !act.ready)
                            .map(|act| act.failing.first().cloned().unwrap_or_default())
                    })
            }
            Ok(ans) if ans.status == 200 => None,
            Ok(ans) => Some(
                serde_json::from_str::<PortJson>(&ans.body)
                    .map(|p| {
                        let first = p.failing.first().cloned().unwrap_or_default();
                        format!("{} check(s) failing; first: {first}", p.failing.len())
                    })
                    .unwrap_or_else(|_| format!("HTTP {}", ans.status)),
            ),
            Err((_, e)) => Some(e),
        };
        let Some(progress) = progress else {
            return Ok(());
        };
        if progress != last {
            let left = deadline.saturating_duration_since(Instant::now());
            eprintln!(
                "waiting for {} ({} left): {}",
                a.port,
                crate::domain::format_duration(left),
                crate::text::escape(&progress)
            );
            last = progress;
        }
        if Instant::now() + a.interval > deadline {
            return Ok(());
        }
        std::thread::sleep(a.interval);
    }
}

pub fn run(a: GateArgs) -> u8 {
    if !crate::config::is_name(&a.port) {
        return fail(
            exit::USAGE,
            format!(
                "{:?} is not a port or circuit name (letters, digits, '-', '_' and '.')",
                crate::text::escape(&a.port)
            ),
        );
    }
    let deadline = a.wait.map(|w| Instant::now() + w);
    let decision = loop {
        if let Some(d) = deadline {
            if let Err((code, m)) = wait_until_ready(&a, d) {
                return fail(code, m);
            }
        }
        match decide(&a) {
            Err((code, m)) => return fail(code, m),
            Ok(d) if d.ready => break d,
            Ok(d) => match deadline {
                Some(dl) if Instant::now() + a.interval <= dl => {
                    eprintln!(
                        "{} was not ready at the moment of decision {}; waiting on",
                        a.port,
                        crate::text::escape(&d.decision_id)
                    );
                    std::thread::sleep(a.interval);
                }
                _ => break d,
            },
        }
    };
    if a.json {
        match serde_json::to_string_pretty(&decision) {
            Ok(t) => println!("{t}"),
            Err(e) => return fail(exit::SOFTWARE, format!("cannot print JSON: {e}")),
        }
    }
    if !decision.ready {
        if !a.json {
            eprint!(
                "{} is NOT ready for {} (decision {} is in the audit trail):\n{}",
                a.port,
                a.action,
                crate::text::escape(&decision.decision_id),
                explain(&decision)
            );
            if !a.command.is_empty() {
                eprintln!("Not running: {}", a.command.join(" "));
            }
        }
        return exit::NOT_READY;
    }
    if !a.json {
        eprintln!(
            "{} is ready for {} (decision {} is in the audit trail).",
            a.port,
            a.action,
            crate::text::escape(&decision.decision_id)
        );
    }
    if a.command.is_empty() {
        return exit::OK;
    }
    exec(&a.command)
}

/// Replaces this process with the command: the terminal, signals and exit code are the
/// command's own, with nothing in between.
fn exec(command: &[String]) -> u8 {
    use std::os::unix::process::CommandExt;
    let err = std::process::Command::new(&command[0])
        .args(&command[1..])
        .exec();
    let code = if err.kind() == std::io::ErrorKind::NotFound {
        127
    } else {
        126
    };
    fail(code, format!("cannot run {}: {err}", command[0]))
}
