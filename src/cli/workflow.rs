//! `lightgate workflow PORT`: the provisioning workflow of a port, from an agent.

use super::exit;
use super::http;
use crate::workflow::{Status, Workflow};

/// `lightgate workflow`'s arguments.
#[derive(Debug, clap::Args)]
pub struct WorkflowArgs {
    /// The port (pair) name.
    pub port: String,
    /// The agent's base URL.
    #[arg(long, default_value = "http://127.0.0.1:9750", value_name = "URL")]
    pub url: String,
    /// Print the workflow as JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub client: http::ClientArgs,
}

pub fn run(a: WorkflowArgs) -> u8 {
    let (port, url, json, client) = (a.port.as_str(), a.url.as_str(), a.json, &a.client);
    if !crate::config::is_name(port) {
        eprintln!(
            "{:?} is not a port name (letters, digits, '-', '_' and '.')",
            crate::text::escape(port)
        );
        return exit::USAGE;
    }
    let path = format!("/api/v1/ports/{}/workflow", crate::text::encode(port));
    let answer = match http::Client::new(client)
        .and_then(|c| c.get(&format!("{}{path}", http::base(url))))
    {
        Ok(a) => a,
        Err((code, m)) => {
            eprintln!("{m}");
            return code;
        }
    };
    if answer.status == 404 {
        eprintln!("{port}: {}", http::error_text(&answer.body));
        return exit::USAGE;
    }
    // Text for a terminal: every string the agent sent escaped.
    let parsed = if json {
        serde_json::from_str(&answer.body)
    } else {
        http::parse_for_terminal(&answer.body)
    };
    let w: Workflow = match parsed {
        Ok(w) => w,
        Err(e) => {
            eprintln!("the agent answered something that is not a workflow: {e}");
            return exit::UNAVAILABLE;
        }
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&w).unwrap_or_default());
        return exit::OK;
    }
    println!("Workflow of {} (ExpressRoute Direct)", w.port);
    for (i, s) in w.steps.iter().enumerate() {
        let mark = match s.status {
            Status::Done => "done   ",
            Status::Next => "NEXT   ",
            Status::Blocked => "BLOCKED",
            Status::Pending => "pending",
            Status::Unknown => "unknown",
        };
        println!("{}. [{mark}] {}", i + 1, s.step);
        for e in &s.evidence {
            println!("      {e}");
        }
    }
    for p in &w.partner_circuits {
        println!("partner model: {p}");
    }
    exit::OK
}
