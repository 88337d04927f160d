//! `lightgate status`: a table of every port read from a running agent.

use std::fmt::Write;

use super::exit;
use super::http;
use crate::api::{LinkJson, PortJson, PortsJson};

/// `lightgate status`'s arguments.
#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    /// The agent's base URL.
    #[arg(long, default_value = "http://127.0.0.1:9750", value_name = "URL")]
    pub url: String,
    /// Print the agent's JSON instead of the table.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub client: http::ClientArgs,
}

pub fn run(a: StatusArgs) -> u8 {
    let (url, json) = (a.url.as_str(), a.json);
    let client = match http::Client::new(&a.client) {
        Ok(c) => c,
        Err((code, m)) => {
            eprintln!("{m}");
            return code;
        }
    };
    let endpoint = format!("{}/api/v1/ports", http::base(url));
    let answer = match client.get(&endpoint) {
        Ok(a) => a,
        Err((code, message)) => {
            eprintln!("{message}");
            return code;
        }
    };
    if answer.status != 200 && answer.status != 503 {
        eprintln!(
            "the agent at {endpoint} answered HTTP {}; is this a lightgate agent?",
            answer.status
        );
        return exit::UNAVAILABLE;
    }
    // Text for a terminal: every string the agent sent escaped.
    let parsed = if json {
        serde_json::from_str(&answer.body)
    } else {
        http::parse_for_terminal(&answer.body)
    };
    let ports: PortsJson = match parsed {
        Ok(p) => p,
        Err(e) => {
            eprintln!(
                "the agent at {endpoint} answered something that is not lightgate's JSON: {e}"
            );
            return exit::UNAVAILABLE;
        }
    };
    if json {
        match serde_json::to_string_pretty(&ports) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("cannot print JSON: {e}");
                return exit::SOFTWARE;
            }
        }
    } else {
        print!("{}", render(&ports));
    }
    exit::OK
}

/// The whole table, one block per port.
pub fn render(ports: &PortsJson) -> String {
    let mut out = String::new();
    if ports.ports.is_empty() {
        out.push_str("No ports configured.\n");
    }
    for p in &ports.ports {
        render_port(&mut out, p);
    }
    out
}

fn render_port(out: &mut String, p: &PortJson) {
    let verdict = if p.ready { "READY" } else { "NOT READY" };
    let _ = writeln!(
        out,
        "PORT {}  {verdict}  (hold-down {}s, healthy {:.2}..{:.2} dBm)",
        p.port, p.hold_down_seconds, p.healthy_min_dbm, p.healthy_max_dbm
    );
    let _ = writeln!(
        out,
        "  {:<6} {:<12} {:<20} {:<6} {:<15} {:<9} {:>8} {:>8}  READY",
        "LINK", "DEVICE", "INTERFACE", "ADMIN", "OPER", "AZURE", "RX dBm", "TX dBm"
    );
    for l in [&p.links.link1, &p.links.link2] {
        render_link(out, l);
    }
    if !p.failing.is_empty() {
        let _ = writeln!(out, "  failing checks:");
        for f in &p.failing {
            let _ = writeln!(out, "    {f}");
        }
    }
    for peering in &p.peerings {
        render_peering(out, peering);
    }
    out.push('\n');
}

/// A peering: its verdict for traffic, one line per BGP session, and what fails.
fn render_peering(out: &mut String, p: &crate::api::PeeringReadyJson) {
    let verdict = if p.ready {
        "READY FOR TRAFFIC"
    } else {
        "NOT READY FOR TRAFFIC"
    };
    let _ = writeln!(out, "  PEERING {} {}  {verdict}", p.circuit, p.peering);
    for s in &p.sessions {
        let state = s.state.as_deref().unwrap_or("no such neighbour");
        let count = |n: Option<u64>| n.map(|n| n.to_string()).unwrap_or_else(|| "-".to_string());
        let _ = writeln!(
            out,
            "    {:<6} {:<12} {:<40} {:<12} AS {:<10} up {:>8}s  rcvd {:>6}  adv {:>6}/{}",
            s.link,
            s.device,
            format!("{} ({})", s.neighbor, s.family),
            state,
            s.remote_as
                .map(|a| a.to_string())
                .unwrap_or_else(|| "-".to_string()),
            count(s.established_seconds),
            count(s.prefixes_received),
            count(s.prefixes_advertised),
            s.prefix_limit,
        );
    }
    for f in &p.failing {
        let _ = writeln!(out, "    {f}");
    }
}

fn render_link(out: &mut String, l: &LinkJson) {
    let r = l.reading.as_ref();
    let stale = if l.fresh || r.is_none() {
        ""
    } else {
        " (stale)"
    };
    let _ = writeln!(
        out,
        "  {:<6} {:<12} {:<20} {:<6} {:<15} {:<9} {:>8} {:>8}  {}{stale}",
        l.link,
        l.device,
        l.interface,
        r.map(|r| r.admin_status.as_str()).unwrap_or("?"),
        r.map(|r| r.oper_status.as_str()).unwrap_or("?"),
        l.azure_admin_state,
        r.map(|r| r.rx().short()).unwrap_or_else(|| "-".into()),
        r.map(|r| r.tx().short()).unwrap_or_else(|| "-".into()),
        if l.ready { "yes" } else { "no" },
    );
    for lane in r.map(|r| r.lanes.as_slice()).unwrap_or_default() {
        let _ = writeln!(
            out,
            "  {:<6} {:<12} {:<20} {:<6} {:<15} {:<9} {:>8} {:>8}",
            "",
            "",
            format!("  lane {}", lane.lane),
            "",
            "",
            "",
            lane.rx().short(),
            lane.tx().short(),
        );
    }
    if r.is_none() {
        if let Some(e) = &l.last_error {
            let _ = writeln!(out, "         no reading: {e}");
        }
    }
}
