//! The column tables of `show interfaces transceiver [detail]` on IOS, IOS-XE and EOS:
//! a header, a line of dashes, then one row per interface (or lane). Columns are told
//! apart by their header words, not by position, so the same code reads the 4-, 5- and
//! 6-column summary variants and the per-quantity detail sections with thresholds.

use std::collections::BTreeMap;

use super::common::{
    dbm_with_floor, is_flag, normalize_interface, not_read, num, speed_mbps, threshold, used, Found,
};
use crate::domain::power::NO_LIGHT_FLOOR_DBM;
use crate::domain::{AdminStatus, Level, OperStatus, Standard, Thresholds};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Lane,
    Temp,
    Volt,
    Bias,
    Tx,
    Rx,
    /// A column lightgate does not read (Last Update, ...).
    Other,
}

/// How one CLI prints what the tables hold.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// Readings at or below this are no light (EOS: -30.00).
    pub floor_dbm: f64,
}

impl Style {
    pub const IOS: Style = Style {
        floor_dbm: NO_LIGHT_FLOOR_DBM,
    };
    pub const EOS: Style = Style { floor_dbm: -30.0 };
}

/// The character spans of the columns a line of dashes draws ("-----   -------").
fn dash_spans(line: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start = None;
    for (i, c) in line
        .char_indices()
        .chain(std::iter::once((line.len(), ' ')))
    {
        match (c == '-', start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                spans.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    spans
}

/// Whitespace-separated tokens with their byte spans.
fn tokens(line: &str) -> Vec<(usize, usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in line
        .char_indices()
        .chain(std::iter::once((line.len(), ' ')))
    {
        match (c.is_whitespace(), start) {
            (false, None) => start = Some(i),
            (true, Some(s)) => {
                out.push((s, i, &line[s..i]));
                start = None;
            }
            _ => {}
        }
    }
    out
}

fn is_dashes(line: &str) -> bool {
    let t = line.trim();
    t.len() >= 3 && t.chars().all(|c| c == '-' || c == ' ') && t.contains("---")
}

/// Whether a line is a table row: its first word names a port, and port names hold
/// digits ("Te1/1", "Hu2/0/0", "Et3/1/1"), while heading words ("Port", "High Alarm",
/// "Temperature") and prompts ("router#") do not, or end in a prompt character.
fn is_row(line: &str) -> bool {
    line.split_whitespace().next().is_some_and(|w| {
        w.chars().any(|c| c.is_ascii_digit())
            && w.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && !w.ends_with('#')
            && !w.ends_with('>')
    })
}

/// (header lines, dash line, row lines) of every table in `text`. A table's heading
/// ends at a blank line, a dash line or a row of the table above (outputs pasted
/// without their blank lines run one table into the next); its rows end at the first
/// line that is not a row.
fn blocks(text: &str) -> Vec<(Vec<&str>, &str, Vec<&str>)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if !is_dashes(line) {
            continue;
        }
        let mut header = Vec::new();
        let mut j = i;
        while j > 0 && header.len() < 5 {
            j -= 1;
            if lines[j].trim().is_empty() || is_dashes(lines[j]) || is_row(lines[j]) {
                break;
            }
            header.insert(0, lines[j]);
        }
        let rows: Vec<&str> = lines[i + 1..]
            .iter()
            .take_while(|l| !l.trim().is_empty() && !is_dashes(l) && is_row(l))
            .copied()
            .collect();
        if !header.is_empty() && !rows.is_empty() {
            out.push((header, *line, rows));
        }
    }
    out
}

const COLUMN_WORDS: [(&str, Col); 11] = [
    ("Lane", Col::Lane),
    ("Temp", Col::Temp),
    ("Voltage", Col::Volt),
    ("Current", Col::Bias),
    ("Bias", Col::Bias),
    ("Tx Power", Col::Tx),
    ("Rx Power", Col::Rx),
    ("Transmit", Col::Tx),
    ("Receive", Col::Rx),
    ("Last", Col::Other),
    ("Update", Col::Other),
];

/// The kinds of the summary table's value columns, in order of their position.
fn summary_columns(header: &[&str]) -> Vec<(usize, Col)> {
    let mut found: Vec<(usize, Col)> = Vec::new();
    for line in header {
        for (w, col) in COLUMN_WORDS {
            if let Some(pos) = line.find(w) {
                if col == Col::Other || !found.iter().any(|(_, c)| *c == col) {
                    found.push((pos, col));
                }
            }
        }
    }
    found.sort_by_key(|(p, _)| *p);
    found.dedup_by_key(|(p, _)| *p);
    found
}

/// The kind of each column the dash line draws, from the header words above it; the
/// first column is the port. `None` when the dashes do not line up with the words.
fn spanned_columns(header: &[&str], dashes: &str) -> Option<Vec<((usize, usize), Col)>> {
    let spans = dash_spans(dashes);
    if spans.len() < 3 {
        return None;
    }
    let words = summary_columns(header);
    let mut cols = Vec::with_capacity(spans.len());
    for (i, span) in spans.iter().enumerate() {
        let kind = if i == 0 {
            Col::Other
        } else {
            words
                .iter()
                .find(|(pos, _)| *pos >= span.0.saturating_sub(1) && *pos < span.1)
                .map(|(_, c)| *c)
                .unwrap_or(Col::Other)
        };
        cols.push((*span, kind));
    }
    cols.iter()
        .any(|(_, c)| matches!(c, Col::Tx | Col::Rx))
        .then_some(cols)
}

/// The value tokens of a summary row with their column, by position under the dash
/// line (so a blank cell shifts nothing), else in order of the header words.
fn row_cells<'a>(
    row: &'a str,
    header: &[&str],
    dashes: &str,
) -> Option<(&'a str, Vec<(Col, &'a str)>)> {
    let toks: Vec<(usize, usize, &str)> = tokens(row)
        .into_iter()
        .filter(|(_, _, t)| !is_flag(t))
        .collect();
    let (_, _, port) = *toks.first()?;
    if let Some(cols) = spanned_columns(header, dashes) {
        let mut cells: Vec<(Col, &str)> = Vec::new();
        let mut taken = vec![false; cols.len()];
        for (start, end, tok) in &toks[1..] {
            // The column the token overlaps, else the nearest one.
            let at = cols
                .iter()
                .position(|((s, e), _)| start < e && end > s)
                .or_else(|| {
                    (0..cols.len()).min_by_key(|i| {
                        let (s, e) = cols[*i].0;
                        s.abs_diff(*start).min(e.abs_diff(*end))
                    })
                })?;
            if at == 0 || taken[at] {
                continue;
            }
            taken[at] = true;
            cells.push((cols[at].1, *tok));
        }
        return Some((port, cells));
    }
    let words = summary_columns(header);
    let cells = words
        .iter()
        .map(|(_, c)| *c)
        .filter(|c| *c != Col::Other)
        .zip(toks[1..].iter().map(|(_, _, t)| *t))
        .collect();
    Some((port, cells))
}

/// Cisco prints lanes from 1 on multi-lane optics; lightgate's lanes start at 0.
fn lane_number(token: &str, zero_based: bool) -> Option<u16> {
    let n: u16 = token.parse().ok()?;
    Some(if zero_based { n } else { n.saturating_sub(1) })
}

/// Parses every transceiver table of `text` into `found` (keyed by the name printed).
pub fn parse(text: &str, style: Style, found: &mut BTreeMap<String, Found>) {
    let dbm = |t: &str| dbm_with_floor(t, style.floor_dbm);
    for (header, dashes, rows) in blocks(text) {
        let head = header.join(" ");
        if !head.contains("Port") {
            continue;
        }
        if head.contains("Threshold") {
            let cells: Vec<Vec<&str>> = rows
                .iter()
                .map(|r| {
                    r.split_whitespace()
                        .filter(|t| !is_flag(t))
                        .collect::<Vec<_>>()
                })
                .filter(|t| t.len() >= 2)
                .collect();
            // Only a section whose quantity was understood counts as read, so that
            // `--strict` names the lines of one it did not.
            if detail_section(&header, &cells, style, found) {
                header
                    .iter()
                    .chain([&dashes])
                    .chain(&rows)
                    .for_each(|l| used(l));
            } else if ["(dBm)", "(mW)", "(uW)"].iter().any(|u| head.contains(u)) {
                // Power values of a kind not understood: their rows carry no unit of
                // their own, so say that they were not read.
                rows.iter().for_each(|l| not_read(l));
            }
            continue;
        }
        let words = summary_columns(&header);
        if !words.iter().any(|(_, c)| matches!(c, Col::Tx | Col::Rx)) {
            continue;
        }
        header.iter().chain([&dashes]).for_each(|l| used(l));
        let rows: Vec<(&str, Vec<(Col, &str)>)> = rows
            .iter()
            .filter_map(|r| {
                let cells = row_cells(r, &header, dashes).filter(|(_, c)| !c.is_empty());
                if cells.is_some() {
                    used(r);
                }
                cells
            })
            .collect();
        let zero_based = rows
            .iter()
            .any(|(_, cells)| cells.iter().any(|(c, t)| *c == Col::Lane && *t == "0"));
        for (port, cells) in &rows {
            let entry = found.entry(port.to_string()).or_default();
            let mut lane = None;
            for (col, token) in cells {
                let optic = entry.optic();
                match col {
                    Col::Lane => lane = lane_number(token, zero_based),
                    Col::Temp => optic.temperature_celsius = num(token),
                    Col::Volt => optic.voltage_volts = num(token),
                    Col::Bias => {
                        let a = num(token).map(|ma| ma / 1000.0);
                        match lane {
                            Some(l) => optic.lane(l).bias_amperes = a,
                            None => optic.bias_amperes = a,
                        }
                    }
                    Col::Tx => match lane {
                        Some(l) => optic.lane(l).tx = dbm(token),
                        None => optic.tx = Some(dbm(token)),
                    },
                    Col::Rx => match lane {
                        Some(l) => optic.lane(l).rx = dbm(token),
                        None => optic.rx = Some(dbm(token)),
                    },
                    Col::Other => {}
                }
            }
        }
    }
}

/// The outputs of the IOS family's commands (see `serial::dialect`): the transceiver
/// tables, IOS-XE's key=value form, and the interface lines.
pub fn ios_output(text: &str, _port: Option<&str>, found: &mut BTreeMap<String, Found>) {
    parse(text, Style::IOS, found);
    if super::iosxe_status::present(text) {
        super::iosxe_status::parse(text, found);
    }
    super::common::interface_lines(text, found);
}

/// EOS's: the transceiver tables (its -30 dBm floor), `status` rows and the interface
/// lines.
pub fn eos_output(text: &str, _port: Option<&str>, found: &mut BTreeMap<String, Found>) {
    parse(text, Style::EOS, found);
    parse_status(text, found);
    super::common::interface_lines(text, found);
}

/// EOS `show interfaces X status`: Port, Name, Status, Vlan, Duplex, Speed, Type, cut
/// at the header words' positions (the Name column may hold spaces). Gives the link
/// state, the speed and the module type.
pub fn parse_status(text: &str, found: &mut BTreeMap<String, Found>) {
    let mut header: Option<Vec<(usize, String)>> = None;
    for line in text.lines() {
        let words = tokens(line);
        if words.first().map(|w| w.2) == Some("Port")
            && words.iter().any(|w| w.2 == "Status")
            && words.iter().any(|w| w.2 == "Type")
        {
            header = Some(words.iter().map(|w| (w.0, w.2.to_string())).collect());
            used(line);
            continue;
        }
        let Some(cols) = &header else { continue };
        if line.trim().is_empty() || is_dashes(line) {
            continue;
        }
        let cell = |name: &str| -> Option<&str> {
            let i = cols.iter().position(|(_, w)| w == name)?;
            let start = cols[i].0.min(line.len());
            let end = cols
                .get(i + 1)
                .map(|c| c.0)
                .unwrap_or(line.len())
                .min(line.len());
            let (start, end) = (floor_char(line, start), floor_char(line, end));
            let v = line.get(start..end.max(start))?.trim();
            (!v.is_empty()).then_some(v)
        };
        if !is_row(line) {
            // A prompt or anything else after the table ends it.
            header = None;
            continue;
        }
        let Some(port) = words.first().map(|w| w.2) else {
            continue;
        };
        used(line);
        let entry = found.entry(port.to_string()).or_default();
        if let Some(status) = cell("Status") {
            let (admin, oper) = match status {
                "connected" | "up" => (AdminStatus::Up, OperStatus::Up),
                "disabled" | "admin" => (AdminStatus::Down, OperStatus::Down),
                _ => (AdminStatus::Up, OperStatus::Down),
            };
            entry.admin.get_or_insert(admin);
            entry.oper.get_or_insert(oper);
        }
        if let Some(speed) = cell("Speed").and_then(|s| s.split_whitespace().last()) {
            entry.speed_mbps = speed_mbps(speed.trim_start_matches("a-"));
        }
        if let Some(t) = cell("Type") {
            entry.standard = Standard::detect(t);
        }
    }
}

/// The largest char boundary at or below `i`.
fn floor_char(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The order in which a detail section's header prints the four thresholds: IOS and
/// IOS-XE print High Alarm, High Warn, Low Warn, Low Alarm; EOS prints High Alarm,
/// High Warn, Low Alarm, Low Warn. Read from the words, never assumed; `None` when
/// the header does not name all four.
fn threshold_order(header: &[&str]) -> Option<[Level; 4]> {
    let line = header.iter().find(|l| l.contains("High Alarm"))?;
    let mut at = [
        (line.find("High Alarm")?, Level::HighAlarm),
        (line.find("High Warn")?, Level::HighWarning),
        (line.find("Low Warn")?, Level::LowWarning),
        (line.find("Low Alarm")?, Level::LowAlarm),
    ];
    at.sort_by_key(|(pos, _)| *pos);
    Some(at.map(|(_, k)| k))
}

/// The quantity a detail section's header names: "Temperature", "Voltage",
/// "Current", "Transmit Power" or "Tx Power" (EOS), "Receive Power" or "Rx Power".
fn section_kind(head: &str) -> Option<Col> {
    [
        ("Temperature", Col::Temp),
        ("Voltage", Col::Volt),
        ("Current", Col::Bias),
        ("Transmit", Col::Tx),
        ("Tx Power", Col::Tx),
        ("Receive", Col::Rx),
        ("Rx Power", Col::Rx),
    ]
    .into_iter()
    .find(|(w, _)| head.contains(w))
    .map(|(_, c)| c)
}

/// One quantity of `show interfaces transceiver detail`: Port [Lane] value, then the
/// four thresholds in the order the header names them. Returns whether the section's
/// quantity was understood (false: nothing was read from it).
fn detail_section(
    header: &[&str],
    rows: &[Vec<&str>],
    style: Style,
    found: &mut BTreeMap<String, Found>,
) -> bool {
    let head = header.join(" ");
    let dbm = |t: &str| dbm_with_floor(t, style.floor_dbm);
    let Some(kind) = section_kind(&head) else {
        return false;
    };
    let order = threshold_order(header);
    let has_lane = head.contains("Lane");
    let zero_based = has_lane && rows.iter().any(|r| r.get(1) == Some(&"0"));
    for r in rows {
        let (lane, rest) = if has_lane {
            (
                r.get(1).and_then(|t| lane_number(t, zero_based)),
                r.get(2..).unwrap_or_default(),
            )
        } else {
            (None, r.get(1..).unwrap_or_default())
        };
        let Some(value) = rest.first() else { continue };
        let mut t = Thresholds::default();
        for (i, k) in order.iter().flatten().enumerate() {
            t.set(*k, rest.get(i + 1).and_then(|v| threshold(v)));
        }
        let optic = found.entry(r[0].to_string()).or_default().optic();
        match (kind, lane) {
            (Col::Temp, _) => optic.temperature_celsius = num(value),
            (Col::Volt, _) => optic.voltage_volts = num(value),
            (Col::Bias, Some(l)) => optic.lane(l).bias_amperes = num(value).map(|v| v / 1000.0),
            (Col::Bias, None) => optic.bias_amperes = num(value).map(|v| v / 1000.0),
            (Col::Tx, Some(l)) => optic.lane(l).tx = dbm(value),
            (Col::Tx, None) => optic.tx = Some(dbm(value)),
            (Col::Rx, Some(l)) => optic.lane(l).rx = dbm(value),
            (Col::Rx, None) => optic.rx = Some(dbm(value)),
            (Col::Lane | Col::Other, _) => {}
        }
        match kind {
            Col::Tx if optic.tx_thresholds.is_empty() => optic.tx_thresholds = t,
            Col::Rx if optic.rx_thresholds.is_empty() => optic.rx_thresholds = t,
            _ => {}
        }
    }
    true
}

/// Finds an entry by any spelling of the interface name.
pub fn find<'a>(found: &'a BTreeMap<String, Found>, name: &str) -> Option<&'a Found> {
    let want = normalize_interface(name);
    found
        .iter()
        .find(|(k, _)| normalize_interface(k) == want)
        .or_else(|| {
            // A block known only by its slot path ("2/0/0", IOS-XE `show hw-module
            // subslot ... status`) is the interface with that path.
            let path = want.trim_start_matches(|c: char| c.is_ascii_alphabetic());
            (path.len() < want.len())
                .then(|| found.iter().find(|(k, _)| k.as_str() == path))
                .flatten()
        })
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::super::{lookup, parse_with_leftovers};
    use super::eos_output;

    /// EOS `show interfaces transceiver detail` as Arista's manual prints it: one
    /// table per quantity, "Tx Power" / "Rx Power" (not IOS's "Transmit" /
    /// "Receive"), and the thresholds in the order High Alarm, High Warn, Low Alarm,
    /// Low Warn (IOS: High Alarm, High Warn, Low Warn, Low Alarm).
    const EOS_DETAIL: &str = "\
mA: milliamperes, dBm: decibels (milliwatts), NA or N/A: not applicable.
A2D readouts (if they differ), are reported in parentheses.
The threshold values are calibrated.

                               High Alarm  High Warn   Low Alarm   Low Warn
                 Tx Power      Threshold   Threshold   Threshold   Threshold
Port             (dBm)         (dBm)       (dBm)       (dBm)       (dBm)
---------------  ------------  ----------  ----------  ----------  ----------
Et1              -2.10         1.70        -1.30       -11.30      -7.30
Et2              -30.00        1.70        -1.30       -11.30      -7.30

                               High Alarm  High Warn   Low Alarm   Low Warn
                 Rx Power      Threshold   Threshold   Threshold   Threshold
Port             (dBm)         (dBm)       (dBm)       (dBm)       (dBm)
---------------  ------------  ----------  ----------  ----------  ----------
Et1              -3.05         2.00        -1.00       -13.90      -9.90
Et2              -4.20 -       2.00        -1.00       -13.90      -9.90
";

    #[test]
    fn eos_detail_sections_are_read_with_their_threshold_order() {
        let (found, left) = parse_with_leftovers(eos_output, EOS_DETAIL, None);
        assert!(left.is_empty(), "{left:?}");
        let et1 = lookup(&found, "Ethernet1").unwrap().clone().into_reading();
        let o = et1.optic.unwrap();
        assert_eq!(o.tx.dbm(), Some(-2.1));
        assert_eq!(o.rx.dbm(), Some(-3.05));
        assert_eq!(o.rx_thresholds.high_alarm, Some(2.0));
        assert_eq!(o.rx_thresholds.high_warning, Some(-1.0));
        assert_eq!(o.rx_thresholds.low_alarm, Some(-13.9));
        assert_eq!(o.rx_thresholds.low_warning, Some(-9.9));
        assert_eq!(o.tx_thresholds.low_alarm, Some(-11.3));
        assert_eq!(o.tx_thresholds.low_warning, Some(-7.3));
        // EOS's -30.00 is a dark transmitter; a flag after a value is no threshold.
        let et2 = lookup(&found, "Et2").unwrap().clone().into_reading();
        let o = et2.optic.unwrap();
        assert!(o.tx.is_no_light());
        assert_eq!(o.rx.dbm(), Some(-4.2));
        assert_eq!(o.rx_thresholds.low_warning, Some(-9.9));
    }

    #[test]
    fn a_detail_section_of_a_quantity_not_understood_is_not_read_and_says_so() {
        let text = EOS_DETAIL.replace("Rx Power   ", "Aux Power  ");
        let (_, left) = parse_with_leftovers(eos_output, &text, None);
        assert_eq!(left.len(), 2, "the Rx rows are left over: {left:?}");
    }
}
