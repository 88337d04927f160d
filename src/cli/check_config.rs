//! `lightgate check-config FILE`.

use std::path::{Path, PathBuf};

use super::exit;
use crate::config::Config;

/// `lightgate check-config`'s arguments.
#[derive(Debug, clap::Args)]
pub struct CheckConfigArgs {
    /// The config file (TOML).
    #[arg(value_name = "FILE", required_unless_present = "config")]
    pub file: Option<PathBuf>,
    /// The config file, as `run` takes it.
    #[arg(
        long = "config.file",
        short = 'c',
        visible_alias = "config",
        value_name = "FILE",
        conflicts_with = "file"
    )]
    pub config: Option<PathBuf>,
}

pub fn run(a: CheckConfigArgs) -> u8 {
    match a.file.or(a.config) {
        Some(file) => check(&file),
        None => exit::USAGE,
    }
}

fn check(file: &Path) -> u8 {
    match Config::load(file) {
        Ok(c) => {
            println!(
                "{}: valid ({} devices, {} ports)",
                file.display(),
                c.devices.len(),
                c.ports.len()
            );
            exit::OK
        }
        Err(e) => {
            eprintln!("{}", e.report());
            let n = e.problems.len();
            eprintln!("{n} problem{} found", if n == 1 { "" } else { "s" });
            exit::CONFIG
        }
    }
}
