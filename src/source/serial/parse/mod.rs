//! Pure parsers of CLI output, one module per output form (the dialects in
//! `serial::dialect` name theirs): text in, readings per interface out. They never
//! panic, whatever the console printed.

pub mod aoscx;
pub mod bfd;
pub mod bgp;
pub mod common;
mod iosxe_status;
pub mod iosxr;
mod iosxr_controllers;
pub mod junos;
pub mod nxos;
pub mod tables;

use std::collections::BTreeMap;

pub use common::{normalize_interface, Found};

/// A dialect's parser (see `serial::dialect`): the outputs' text without pager lines,
/// the port an output pasted without its command line is about, and the readings
/// found so far, per interface name.
pub type Parser = fn(&str, Option<&str>, &mut BTreeMap<String, Found>);

/// [`parse`], and the lines that look like optical data that no parser could read
/// (line number from 1, line): what `lightgate parse` lists and the agent logs.
pub fn parse_with_leftovers(
    parser: Parser,
    text: &str,
    port: Option<&str>,
) -> (BTreeMap<String, Found>, Vec<(usize, String)>) {
    let (clean, numbers) = without_pager_lines(text);
    let (found, left) = common::with_marks(&clean, || run(parser, &clean, port));
    let left = left
        .into_iter()
        .map(|(n, l)| (numbers.get(n - 1).copied().unwrap_or(n), l))
        .collect();
    (found, left)
}

/// Parses the output of one or several show commands with `parser`. `port` names the
/// interface for output pasted without its command line.
pub fn parse(parser: Parser, text: &str, port: Option<&str>) -> BTreeMap<String, Found> {
    run(parser, &without_pager_lines(text).0, port)
}

fn run(parser: Parser, text: &str, port: Option<&str>) -> BTreeMap<String, Found> {
    let mut found = BTreeMap::new();
    parser(text, port, &mut found);
    found
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
        let (found, left) = parse_with_leftovers(junos::output, text, None);
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
        let (found, left) = parse_with_leftovers(iosxr::output, text, None);
        assert!(found.is_empty(), "{found:?}");
        assert_eq!(left.len(), 1, "the value is shown as not read");
    }
}
