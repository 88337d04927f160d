//! `lightgate audit`: print gate decisions from the trail file or from an agent.

use std::path::Path;

use super::exit;
use super::http;
use crate::audit::{self, Decision, Filter};

pub struct AuditArgs<'a> {
    pub client: &'a http::ClientArgs,
    pub file: Option<&'a Path>,
    pub url: Option<&'a str>,
    pub port: Option<String>,
    pub since: Option<String>,
    pub json: bool,
}

pub fn run(a: AuditArgs<'_>) -> u8 {
    let since = match audit::parse_since(a.since.as_deref()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("--since: {e}");
            return exit::USAGE;
        }
    };
    let (records, problems) = match (a.file, a.url) {
        (Some(file), _) => match audit::read(
            file,
            &Filter {
                port: a.port.clone(),
                since,
            },
        ) {
            Ok(x) => x,
            Err(e) => {
                eprintln!("cannot read {}: {e}", file.display());
                return exit::UNAVAILABLE;
            }
        },
        (None, url) => {
            let base = http::base(url.unwrap_or("http://127.0.0.1:9750"));
            let mut query = Vec::new();
            if let Some(p) = &a.port {
                query.push(format!("port={}", urlencode(p)));
            }
            if let Some(s) = &a.since {
                query.push(format!("since={}", urlencode(s)));
            }
            let url = format!("{base}/api/v1/audit?{}", query.join("&"));
            let answer = match http::Client::new(a.client).and_then(|c| c.get(&url)) {
                Ok(a) => a,
                Err((code, m)) => {
                    eprintln!("{m}");
                    return code;
                }
            };
            #[derive(serde::Deserialize)]
            struct Body {
                records: Vec<Decision>,
                problems: Vec<String>,
            }
            match (answer.status, serde_json::from_str::<Body>(&answer.body)) {
                (200, Ok(b)) => (b.records, b.problems),
                (s, _) => {
                    eprintln!(
                        "the agent answered HTTP {s}: {}",
                        http::error_text(&answer.body)
                    );
                    return exit::UNAVAILABLE;
                }
            }
        }
    };
    for p in &problems {
        eprintln!("warning: {p}");
    }
    if a.json {
        for r in &records {
            match serde_json::to_string(r) {
                Ok(line) => println!("{line}"),
                Err(e) => eprintln!("cannot print a record: {e}"),
            }
        }
    } else {
        for r in &records {
            let cmd = if r.command.is_empty() {
                String::new()
            } else {
                format!("  $ {}", r.command.join(" "))
            };
            println!(
                "{}  {}  {}  {}  {}@{}  {}{cmd}",
                r.time, r.port, r.action, r.verdict, r.user, r.host, r.decision_id
            );
            for f in &r.failing {
                println!("    {f}");
            }
        }
    }
    exit::OK
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
