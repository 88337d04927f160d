//! `lightgate parse --dialect D FILE`: read saved CLI output (one or several show
//! commands, as pasted from a terminal or a ticket) and print the readings per
//! interface, as a table or as the agent's reading JSON.

use std::path::{Path, PathBuf};

use super::exit;
use crate::source::serial::parse;
use crate::source::serial::Dialect;

/// Largest saved output `parse` reads: sixteen times the most one console step may
/// print.
pub const MAX_INPUT: u64 = 64 * 1024 * 1024;

/// The dialect and the file's text, or the exit code after saying why not.
fn read(dialect: &str, file: &Path) -> Result<(Dialect, String), u8> {
    let dialect: Dialect = dialect.parse().map_err(|e| {
        eprintln!("--dialect: {e}");
        exit::USAGE
    })?;
    let bytes = crate::files::read_limited(file, MAX_INPUT).map_err(|e| {
        eprintln!("{e}");
        exit::USAGE
    })?;
    Ok((dialect, String::from_utf8_lossy(&bytes).into_owned()))
}

/// `lightgate parse`'s arguments.
#[derive(Debug, clap::Args)]
pub struct ParseArgs {
    /// cisco-ios, cisco-nxos, cisco-iosxr, arista-eos, junos or aruba-aoscx.
    #[arg(long, value_name = "DIALECT")]
    pub dialect: String,
    /// The file with the output.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The port, for IOS-XR `show controllers optics` output pasted without its
    /// command line.
    #[arg(long, value_name = "PORT")]
    pub port: Option<String>,
    /// Print a JSON list of readings (the agent's reading format).
    #[arg(long)]
    pub json: bool,
    /// Exit 65 when any line that looks like optical data was not read (with
    /// --bgp: any summary row).
    #[arg(long)]
    pub strict: bool,
    /// Read the file as a BGP summary (`show bgp summary` and its forms) and print
    /// each session: VRF, neighbour, state, AS, up time, prefixes.
    #[arg(long)]
    pub bgp: bool,
    /// With --bgp: the VRF the command asked for, when the output does not say.
    #[arg(long, value_name = "VRF", requires = "bgp")]
    pub vrf: Option<String>,
}

/// `lightgate parse`: readings per interface, or with `--bgp` the BGP sessions.
pub fn run(a: ParseArgs) -> u8 {
    if a.bgp {
        run_bgp(&a.dialect, &a.file, a.vrf.as_deref(), a.json, a.strict)
    } else {
        run_readings(&a.dialect, &a.file, a.port.as_deref(), a.json, a.strict)
    }
}

/// `lightgate parse --bgp`: the sessions of a saved BGP summary, one line each (or
/// JSON), and the rows that could not be read.
fn run_bgp(dialect: &str, file: &Path, vrf: Option<&str>, json: bool, strict: bool) -> u8 {
    let (dialect, text) = match read(dialect, file) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let summary = parse::bgp::parse_bgp_summary(&text, vrf);
    if json {
        match serde_json::to_string_pretty(&summary.sessions) {
            Ok(t) => println!("{t}"),
            Err(e) => {
                eprintln!("cannot print JSON: {e}");
                return exit::SOFTWARE;
            }
        }
    } else {
        println!(
            "{:<16} {:<40} {:<12} {:>11} {:>10} {:>9} {:>9}",
            "VRF", "NEIGHBOR", "STATE", "AS", "UP", "RECEIVED", "ACCEPTED"
        );
        for s in &summary.sessions {
            let n = |v: Option<u64>| v.map(|v| v.to_string()).unwrap_or_else(|| "-".into());
            let (rcvd, acc) = s
                .prefixes
                .first()
                .map(|p| (n(p.received), n(p.accepted)))
                .unwrap_or_else(|| ("-".into(), "-".into()));
            println!(
                "{:<16} {:<40} {:<12} {:>11} {:>10} {:>9} {:>9}",
                crate::text::escape(s.vrf.as_deref().unwrap_or("-")),
                s.peer.to_string(),
                s.state.as_str(),
                s.remote_as
                    .map(|a| a.to_string())
                    .unwrap_or_else(|| "-".into()),
                n(s.established_seconds),
                rcvd,
                acc
            );
        }
    }
    if !summary.notes.is_empty() {
        let list: Vec<String> = summary
            .notes
            .iter()
            .map(|l| format!("  {}", crate::text::escape(l)))
            .collect();
        eprintln!(
            "Rows not read ({}): under a summary header, but no session could be read from them\n{}",
            summary.notes.len(),
            list.join("\n")
        );
    }
    if summary.sessions.is_empty() {
        eprintln!("{}: no {dialect} BGP summary found", file.display());
        return exit::UNAVAILABLE;
    }
    if strict && !summary.notes.is_empty() {
        return exit::DATA_ERR;
    }
    exit::OK
}

fn run_readings(dialect: &str, file: &Path, port: Option<&str>, json: bool, strict: bool) -> u8 {
    let (dialect, text) = match read(dialect, file) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let (found, unread) = dialect.parse_with_leftovers(&text, port);
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
