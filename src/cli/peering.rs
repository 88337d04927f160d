//! `lightgate peering check PLAN.toml`: the peering pre-flight.

use std::path::Path;

use super::exit;
use crate::peering::{self, Severity};

/// 0 clean (or warnings only, without --strict), 65 errors (or warnings with --strict),
/// 66 the plan cannot be read.
pub fn check(file: &Path, json: bool, strict: bool) -> u8 {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{}: {e}", file.display());
            return exit::NO_INPUT;
        }
    };
    let report = peering::check(&text);
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
