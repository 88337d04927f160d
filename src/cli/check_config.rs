//! `lightgate check-config FILE`.

use std::path::Path;

use super::exit;
use crate::config::Config;

pub fn run(file: &Path) -> u8 {
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
