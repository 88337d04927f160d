//! Pure parsers of CLI output, one module per dialect: text in, readings per interface
//! out. They never panic, whatever the console printed.

pub mod bfd;
pub mod bgp;
pub mod common;
mod iosxe_status;
mod iosxr;
mod iosxr_controllers;
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
    let (clean, numbers) = without_pager_lines(text);
    let (found, left) = common::with_marks(&clean, || parse_clean(dialect, &clean, port));
    let left = left
        .into_iter()
        .map(|(n, l)| (numbers.get(n - 1).copied().unwrap_or(n), l))
        .collect();
    (found, left)
}

/// Parses the output of one or several show commands of `dialect`. `port` names the
/// interface for IOS-XR `show controllers optics` output pasted without its command
/// line.
pub fn parse(dialect: Dialect, text: &str, port: Option<&str>) -> BTreeMap<String, Found> {
    parse_clean(dialect, &without_pager_lines(text).0, port)
}

/// A pager prompt left on a line of its own in pasted output (" --More-- ",
/// "---(more)---", "-- MORE --"): a live session's terminal model erases these, a
/// ticket paste keeps them, and one in the middle of a table or a section would end it.
fn is_pager_line(line: &str) -> bool {
    let t = line.trim().to_ascii_lowercase();
    let core = t.trim_matches(|c: char| c == '-' || c == ' ' || c == '(' || c == ')');
    !t.is_empty() && t.len() > core.len() && core == "more"
}

/// The text without its pager lines, and the original number (from 1) of each line
/// kept.
fn without_pager_lines(text: &str) -> (std::borrow::Cow<'_, str>, Vec<usize>) {
    if !text.lines().any(is_pager_line) {
        return (
            std::borrow::Cow::Borrowed(text),
            (1..=text.lines().count()).collect(),
        );
    }
    let mut clean = String::with_capacity(text.len());
    let mut numbers = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if !is_pager_line(line) {
            clean.push_str(line);
            clean.push('\n');
            numbers.push(i + 1);
        }
    }
    (std::borrow::Cow::Owned(clean), numbers)
}

fn parse_clean(dialect: Dialect, text: &str, port: Option<&str>) -> BTreeMap<String, Found> {
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
            } else if iosxr_controllers::present(text) {
                iosxr_controllers::parse(text, &mut found);
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
            if let Some(alias) = common::description_line(line) {
                found.entry(name.clone()).or_default().alias = Some(alias);
                continue;
            }
            if let Some(ago) = common::change_line(line) {
                found.entry(name.clone()).or_default().last_change_ago = Some(ago);
                continue;
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pager_lines_left_in_a_paste_are_skipped_and_line_numbers_kept() {
        let text = "Physical interface: et-0/0/2\n --More-- \n    Laser output power  :  0.6 mW / -2.22 dBm\n    Receiver power far end :  0.5 mW / -3.01 dBm\n";
        let (found, left) = parse_with_leftovers(Dialect::Junos, text, None);
        let o = lookup(&found, "et-0/0/2").unwrap().clone().into_reading();
        assert_eq!(o.optic.unwrap().tx.dbm(), Some(-2.22));
        assert_eq!(
            left,
            vec![(
                4,
                "    Receiver power far end :  0.5 mW / -3.01 dBm".to_string()
            )],
            "numbered as in the original text"
        );
        assert!(is_pager_line("---(more)---"));
        assert!(is_pager_line(" -- MORE -- "));
        assert!(!is_pager_line("more"));
        assert!(!is_pager_line("----"));
    }

    #[test]
    fn a_wildcard_command_names_no_interface() {
        let text =
            "RP/0/RSP0/CPU0:r1#show controllers optics 0/0/0/*\n         RX Power = -3.10 dBm\n";
        let (found, left) = parse_with_leftovers(Dialect::CiscoIosxr, text, None);
        assert!(found.is_empty(), "{found:?}");
        assert_eq!(left.len(), 1, "the value is shown as not read");
    }
}
