//! `lightgate peering check PLAN.toml`: the peering pre-flight.

use std::path::{Path, PathBuf};

use super::{exit, http};
use crate::peering::{self, PortFacts, Severity};

/// The port's facts from the agent at `url` (`port`: its name there).
fn port_facts(url: &str, port: &str, client: &http::ClientArgs) -> Result<PortFacts, (u8, String)> {
    if !crate::config::is_name(port) {
        return Err((
            exit::USAGE,
            format!(
                "{:?} is not a port name (letters, digits, '-', '_' and '.')",
                crate::text::escape(port)
            ),
        ));
    }
    let path = format!("/api/v1/ports/{}", crate::text::encode(port));
    let answer = http::Client::new(client)?.get(&format!("{}{path}", http::base(url)))?;
    if answer.status == 404 {
        return Err((
            exit::USAGE,
            format!("{port}: {}", http::error_text(&answer.body)),
        ));
    }
    let v: serde_json::Value = http::parse_for_terminal(&answer.body).map_err(|e| {
        (
            exit::UNAVAILABLE,
            format!("the agent answered something that is not a port: {e}"),
        )
    })?;
    Ok(PortFacts {
        source: format!("Azure (through the agent's port {port})"),
        encapsulation: v["azure_port"]["encapsulation"]
            .as_str()
            .map(str::to_string),
        vlans_in_use: Vec::new(),
    })
}

/// `lightgate peering`'s subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum PeeringAction {
    /// Check a peering plan (TOML): addresses, VLANs, AS numbers, MD5 key, prefix
    /// limits. Exit 0 clean, 65 errors (or warnings with --strict), 66 unreadable.
    Check {
        #[arg(value_name = "PLAN")]
        plan: PathBuf,
        /// Print the findings and addresses as JSON.
        #[arg(long)]
        json: bool,
        /// Fail on warnings too.
        #[arg(long)]
        strict: bool,
        /// Check the plan against the port as Azure gives it, read from this agent
        /// (its encapsulation: the plan may leave port_encapsulation out).
        #[arg(long, value_name = "URL", requires = "port")]
        url: Option<String>,
        /// The agent's port (pair) the circuit is on (with --url).
        #[arg(long, value_name = "PORT", requires = "url")]
        port: Option<String>,
        #[command(flatten)]
        client: http::ClientArgs,
    },
}

/// Runs a `lightgate peering` subcommand.
pub fn run(action: PeeringAction) -> u8 {
    match action {
        PeeringAction::Check {
            plan,
            json,
            strict,
            url,
            port,
            client,
        } => {
            let agent = url.zip(port);
            check(&plan, json, strict, agent.as_ref(), &client)
        }
    }
}

/// 0 clean (or warnings only, without --strict), 65 errors (or warnings with --strict),
/// 66 the plan cannot be read; with an agent, its errors' codes (69 unreachable).
fn check(
    file: &Path,
    json: bool,
    strict: bool,
    agent: Option<&(String, String)>,
    client: &http::ClientArgs,
) -> u8 {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{}: {e}", file.display());
            return exit::NO_INPUT;
        }
    };
    let facts = match agent.map(|(url, port)| port_facts(url, port, client)) {
        None => None,
        Some(Ok(f)) => Some(f),
        Some(Err((code, m))) => {
            eprintln!("{m}");
            return code;
        }
    };
    let report = peering::check_with(&text, facts.as_ref());
    if json {
        match serde_json::to_string_pretty(&serde_json::json!({
            "file": file.display().to_string(),
            "errors": report.errors(),
            "warnings": report.warnings(),
            "findings": report.findings,
            "addresses": report.addresses,
        })) {
            Ok(t) => println!("{t}"),
            Err(e) => eprintln!("cannot print JSON: {e}"),
        }
    } else {
        for f in &report.findings {
            println!("{}: {f}", file.display());
        }
        if !report.addresses.is_empty() {
            println!(
                "{:<8} {:<10} {:<22} {:<26} MICROSOFT",
                "PEERING", "LINK", "SUBNET", "YOUR ROUTER"
            );
            for a in &report.addresses {
                println!(
                    "{:<8} {:<10} {:<22} {:<26} {}",
                    a.peering, a.link, a.subnet, a.customer, a.microsoft
                );
            }
        }
        println!(
            "{} error(s), {} warning(s)",
            report.errors(),
            report.warnings()
        );
    }
    let failed = report
        .findings
        .iter()
        .any(|f| f.severity == Severity::Error || strict);
    if failed {
        exit::DATA_ERR
    } else {
        exit::OK
    }
}
