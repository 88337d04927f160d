//! Pure parsers of CLI output, one module per dialect: text in, readings per interface
//! out. They never panic, whatever the console printed.

pub mod common;
mod iosxe_status;
mod iosxr;
mod junos;
mod nxos;
mod tables;

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

pub use common::{normalize_interface, Found};

/// The CLI families lightgate reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    CiscoIos,
    CiscoNxos,
    CiscoIosxr,
    AristaEos,
    Junos,
}

impl Dialect {
    pub const ALL: [Dialect; 5] = [
        Dialect::CiscoIos,
        Dialect::CiscoNxos,
        Dialect::CiscoIosxr,
        Dialect::AristaEos,
        Dialect::Junos,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Dialect::CiscoIos => "cisco-ios",
            Dialect::CiscoNxos => "cisco-nxos",
            Dialect::CiscoIosxr => "cisco-iosxr",
            Dialect::AristaEos => "arista-eos",
            Dialect::Junos => "junos",
        }
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Dialect {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Dialect::ALL
            .into_iter()
            .find(|d| d.as_str() == s)
            .ok_or_else(|| format!("unknown dialect {s:?}: cisco-ios, cisco-nxos, cisco-iosxr, arista-eos or junos"))
    }
}

/// [`parse`], and the lines that look like optical data that no parser could read
/// (line number from 1, line): what `lightgate parse` lists and the agent logs.
pub fn parse_with_leftovers(
    dialect: Dialect,
    text: &str,
    port: Option<&str>,
) -> (BTreeMap<String, Found>, Vec<(usize, String)>) {
    common::with_marks(text, || parse(dialect, text, port))
}

/// Parses the output of one or several show commands of `dialect`. `port` names the
/// interface for IOS-XR `show controllers optics` output pasted without its command
/// line.
pub fn parse(dialect: Dialect, text: &str, port: Option<&str>) -> BTreeMap<String, Found> {
    let mut found = BTreeMap::new();
    match dialect {
        Dialect::CiscoIos => {
            tables::parse(text, tables::Style::IOS, &mut found);
            if iosxe_status::present(text) {
                iosxe_status::parse(text, &mut found);
            }
        }
        Dialect::AristaEos => {
            tables::parse(text, tables::Style::EOS, &mut found);
            tables::parse_status(text, &mut found);
        }
        Dialect::CiscoNxos => nxos::parse(text, &mut found),
        Dialect::CiscoIosxr => {
            if text.contains("PHY data for interface:") {
                iosxr::parse_all_phy(text, &mut found);
            } else {
                iosxr::parse_optics(text, port, &mut found);
            }
        }
        Dialect::Junos => junos::parse(text, &mut found),
    }
    if dialect != Dialect::Junos {
        // "X is up, line protocol is up", then that interface's details until the next.
        let mut current: Option<String> = None;
        for line in text.lines() {
            if let Some((name, admin, oper)) = common::state_line(line) {
                common::used(line);
                let e = found.entry(name.clone()).or_default();
                e.admin = Some(admin);
                e.oper = Some(oper);
                current = Some(name);
                continue;
            }
            let Some(name) = &current else { continue };
            if let Some((speed, standard)) = common::detail_line(line) {
                common::used(line);
                let e = found.entry(name.clone()).or_default();
                e.speed_mbps = speed.or(e.speed_mbps);
                e.standard = standard.or(e.standard);
            }
        }
    }
    found
}

/// The entry of `found` for an interface, by any spelling of its name.
pub fn lookup<'a>(found: &'a BTreeMap<String, Found>, name: &str) -> Option<&'a Found> {
    tables::find(found, name)
}
