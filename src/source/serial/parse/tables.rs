//! The column tables of `show interfaces transceiver [detail]` on IOS, IOS-XE and EOS:
//! a header, a line of dashes, then one row per interface (or lane). Columns are told
//! apart by their header words, not by position, so the same code reads the 4-, 5- and
//! 6-column summary variants and the per-quantity detail sections with thresholds.

use std::collections::BTreeMap;

use super::common::{dbm, is_flag, normalize_interface, num, threshold, Found};
use crate::domain::Thresholds;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Lane,
    Temp,
    Volt,
    Bias,
    Tx,
    Rx,
}

fn is_dashes(line: &str) -> bool {
    let t = line.trim();
    t.len() >= 3 && t.chars().all(|c| c == '-' || c == ' ') && t.contains("---")
}

/// (header lines, row lines) of every table in `text`.
fn blocks(text: &str) -> Vec<(Vec<&str>, Vec<&str>)> {
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
            if lines[j].trim().is_empty() || is_dashes(lines[j]) {
                break;
            }
            header.insert(0, lines[j]);
        }
        let rows: Vec<&str> = lines[i + 1..]
            .iter()
            .take_while(|l| !l.trim().is_empty() && !is_dashes(l))
            .copied()
            .collect();
        if !header.is_empty() && !rows.is_empty() {
            out.push((header, rows));
        }
    }
    out
}

/// The kinds of the summary table's value columns, in order of their position.
fn summary_columns(header: &[&str]) -> Vec<Col> {
    let words: [(&str, Col); 9] = [
        ("Lane", Col::Lane),
        ("Temp", Col::Temp),
        ("Voltage", Col::Volt),
        ("Current", Col::Bias),
        ("Bias", Col::Bias),
        ("Tx Power", Col::Tx),
        ("Rx Power", Col::Rx),
        ("Transmit", Col::Tx),
        ("Receive", Col::Rx),
    ];
    let mut found: Vec<(usize, Col)> = Vec::new();
    for line in header {
        for (w, col) in words {
            if let Some(pos) = line.find(w) {
                if !found.iter().any(|(_, c)| *c == col) {
                    found.push((pos, col));
                }
            }
        }
    }
    found.sort_by_key(|(p, _)| *p);
    found.into_iter().map(|(_, c)| c).collect()
}

/// Cisco prints lanes from 1 on multi-lane optics; lightgate's lanes start at 0.
fn lane_number(token: &str, zero_based: bool) -> Option<u16> {
    let n: u16 = token.parse().ok()?;
    Some(if zero_based { n } else { n.saturating_sub(1) })
}

/// Parses every transceiver table of `text` into `found` (keyed by the name printed).
pub fn parse(text: &str, found: &mut BTreeMap<String, Found>) {
    for (header, rows) in blocks(text) {
        let head = header.join(" ");
        if !head.contains("Port") {
            continue;
        }
        let rows: Vec<Vec<&str>> = rows
            .iter()
            .map(|r| {
                r.split_whitespace()
                    .filter(|t| !is_flag(t))
                    .collect::<Vec<_>>()
            })
            .filter(|t| t.len() >= 2)
            .collect();
        if head.contains("Threshold") {
            detail_section(&head, &rows, found);
        } else {
            let cols = summary_columns(&header);
            if !cols.iter().any(|c| matches!(c, Col::Tx | Col::Rx)) {
                continue;
            }
            let zero_based = rows
                .iter()
                .any(|r| cols.first() == Some(&Col::Lane) && r.get(1) == Some(&"0"));
            for r in &rows {
                let entry = found.entry(r[0].to_string()).or_default();
                let mut lane = None;
                for (col, token) in cols.iter().zip(&r[1..]) {
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
                    }
                }
            }
        }
    }
}

/// One quantity of `show interfaces transceiver detail`: Port [Lane] value, then the
/// high alarm, high warning, low warning and low alarm thresholds.
fn detail_section(head: &str, rows: &[Vec<&str>], found: &mut BTreeMap<String, Found>) {
    let kind = if head.contains("Temperature") {
        Col::Temp
    } else if head.contains("Voltage") {
        Col::Volt
    } else if head.contains("Current") {
        Col::Bias
    } else if head.contains("Transmit") {
        Col::Tx
    } else if head.contains("Receive") {
        Col::Rx
    } else {
        return;
    };
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
        let t = Thresholds {
            high_alarm: rest.get(1).and_then(|v| threshold(v)),
            high_warning: rest.get(2).and_then(|v| threshold(v)),
            low_warning: rest.get(3).and_then(|v| threshold(v)),
            low_alarm: rest.get(4).and_then(|v| threshold(v)),
        };
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
            (Col::Lane, _) => {}
        }
        match kind {
            Col::Tx if optic.tx_thresholds.is_empty() => optic.tx_thresholds = t,
            Col::Rx if optic.rx_thresholds.is_empty() => optic.rx_thresholds = t,
            _ => {}
        }
    }
}

/// Finds an entry by any spelling of the interface name.
pub fn find<'a>(found: &'a BTreeMap<String, Found>, name: &str) -> Option<&'a Found> {
    let want = normalize_interface(name);
    found
        .iter()
        .find(|(k, _)| normalize_interface(k) == want)
        .map(|(_, v)| v)
}
