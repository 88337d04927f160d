//! `lightgate parse --dialect D FILE`: read saved CLI output (one or several show
//! commands, as pasted from a terminal or a ticket) and print the readings per
//! interface, as a table or as the agent's reading JSON.

use std::path::Path;

use super::exit;
use crate::source::serial::parse::{self, Dialect};

pub fn run(dialect: &str, file: &Path, port: Option<&str>, json: bool, strict: bool) -> u8 {
    let dialect: Dialect = match dialect.parse() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("--dialect: {e}");
            return exit::USAGE;
        }
    };
    let bytes = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{}: {e}", file.display());
            return exit::USAGE;
        }
    };
    let text = String::from_utf8_lossy(&bytes);
    let (found, unread) = parse::parse_with_leftovers(dialect, &text, port);
    let results: std::collections::BTreeMap<String, crate::source::InterfaceResult> = found
        .into_iter()
        .map(|(name, f)| (name, Ok(f.into_reading())))
        .collect();
    if let Err(code) = super::probe::print("", &file.display().to_string(), &results, json) {
        return code;
    }
    if !unread.is_empty() {
        // On stderr with --json, so the JSON stays whole.
        let heading = format!(
            "Lines not read ({}): they look like optical data, but no {dialect} parser understood them",
            unread.len()
        );
        let list: Vec<String> = unread
            .iter()
            .map(|(n, l)| format!("  {n:>5}: {}", crate::text::escape(l)))
            .collect();
        if json {
            eprintln!("{heading}\n{}", list.join("\n"));
        } else {
            println!("{heading}\n{}", list.join("\n"));
        }
    }
    if results.is_empty() {
        eprintln!("{}: no {dialect} interface output found", file.display());
        return exit::UNAVAILABLE;
    }
    if strict && !unread.is_empty() {
        return exit::DATA_ERR;
    }
    exit::OK
}
