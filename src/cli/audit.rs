//! `lightgate audit`: print gate decisions from the trail file or from an agent.

use std::path::PathBuf;

use super::exit;
use super::http;
use crate::audit::{self, Decision, Filter};
use crate::text::{encode, escape};

/// `lightgate audit`'s arguments.
#[derive(Debug, clap::Args)]
pub struct AuditArgs {
    /// Read this audit file (JSON Lines) instead of asking an agent.
    #[arg(long, conflicts_with = "url", value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// The agent's base URL (default http://127.0.0.1:9750).
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// Only this port.
    #[arg(long)]
    pub port: Option<String>,
    /// Only decisions at or after this time (RFC 3339).
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Print the records as JSON Lines.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub client: http::ClientArgs,
}

pub fn run(a: AuditArgs) -> u8 {
    let since = match audit::parse_since(a.since.as_deref()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("--since: {e}");
            return exit::USAGE;
        }
    };
    let print = |r: &Decision| print_record(r, a.json);
    match (a.file.as_deref(), a.url.as_deref()) {
        (Some(file), _) => {
            let filter = Filter {
                port: a.port.clone(),
                since,
            };
            match audit::scan(file, &filter, |r| {
                print(&r);
                true
            }) {
                Ok(problems) => {
                    for p in &problems {
                        eprintln!("warning: {}", escape(p));
                    }
                }
                Err(e) => {
                    eprintln!("cannot read {}: {e}", file.display());
                    return exit::UNAVAILABLE;
                }
            }
        }
        (None, url) => {
            let base = http::base(url.unwrap_or("http://127.0.0.1:9750"));
            let client = match http::Client::new(&a.client) {
                Ok(c) => c,
                Err((code, m)) => {
                    eprintln!("{m}");
                    return code;
                }
            };
            let mut cursor: Option<String> = None;
            loop {
                let mut query = vec!["limit=1000".to_string()];
                if let Some(p) = &a.port {
                    query.push(format!("port={}", encode(p)));
                }
                if let Some(s) = &a.since {
                    query.push(format!("since={}", encode(s)));
                }
                if let Some(c) = &cursor {
                    query.push(format!("cursor={}", encode(c)));
                }
                let url = format!("{base}/api/v1/audit?{}", query.join("&"));
                let answer = match client.get(&url) {
                    Ok(a) => a,
                    Err((code, m)) => {
                        eprintln!("{m}");
                        return code;
                    }
                };
                let page = match (
                    answer.status,
                    serde_json::from_str::<audit::Page>(&answer.body),
                ) {
                    (200, Ok(p)) => p,
                    (s, _) => {
                        eprintln!(
                            "the agent answered HTTP {s}: {}",
                            escape(&http::error_text(&answer.body))
                        );
                        return exit::UNAVAILABLE;
                    }
                };
                if cursor.is_none() {
                    for p in &page.problems {
                        eprintln!("warning: {}", escape(p));
                    }
                }
                page.records.iter().for_each(print);
                match page.next {
                    Some(next) => cursor = Some(next),
                    None => break,
                }
            }
        }
    }
    exit::OK
}

/// One record: a JSON line, or a line for a person with every field's control
/// characters escaped (a user name with a newline cannot forge a second record).
fn print_record(r: &Decision, json: bool) {
    if json {
        match serde_json::to_string(r) {
            Ok(line) => println!("{line}"),
            Err(e) => eprintln!("cannot print a record: {e}"),
        }
        return;
    }
    let cmd = if r.command.is_empty() {
        String::new()
    } else {
        format!("  $ {}", escape(&r.command.join(" ")))
    };
    println!(
        "{}  {}  {}  {}  {}@{}  {}{cmd}",
        escape(&r.time),
        escape(&r.port),
        escape(&r.action),
        escape(&r.verdict),
        escape(&r.user),
        escape(&r.host),
        escape(&r.decision_id)
    );
    for f in &r.failing {
        println!("    {}", escape(f));
    }
}
