//! NX-OS `show interface [X] transceiver details`: one block per interface, a table of
//! current value, high/low alarm and high/low warning per quantity, per lane for
//! multi-lane optics ("Lane Number:2 Network Lane"; lanes are printed from 1).

use std::collections::BTreeMap;

use super::common::{dbm, is_flag, num, threshold, used, Found};
use crate::domain::{Standard, Thresholds};

/// The interface a block starts with: a line at column 0 like "Ethernet1/49", or the
/// Fibre Channel form "fc1/48 sfp is present" (Nexus 5000).
fn block_start(line: &str) -> Option<&str> {
    let t = line.trim_end();
    let (name, rest) = t.split_once(' ').unwrap_or((t, ""));
    let starts = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
    let named = starts && name.chars().any(|c| c.is_ascii_digit()) && name.contains('/');
    let rest = rest.trim().to_ascii_lowercase();
    (named && (rest.is_empty() || rest.starts_with("sfp is "))).then_some(name)
}

/// The outputs of NX-OS's commands (see `serial::dialect`): the transceiver details and
/// the interface lines.
pub fn output(text: &str, _port: Option<&str>, found: &mut BTreeMap<String, Found>) {
    parse(text, found);
    super::common::interface_lines(text, found);
}

pub fn parse(text: &str, found: &mut BTreeMap<String, Found>) {
    let mut current: Option<String> = None;
    let mut lane: Option<u16> = None;
    let mut network_lane = false;
    for line in text.lines() {
        if let Some(name) = block_start(line) {
            used(line);
            current = Some(name.to_string());
            lane = None;
            network_lane = false;
            continue;
        }
        let Some(name) = &current else { continue };
        // The FC form prints "Optical Tx Power      : -14.95 dBm      --".
        let t = line.trim();
        let t = t.strip_prefix("Optical ").unwrap_or(t);
        if t.eq_ignore_ascii_case("DOM is not supported") {
            used(line);
            found.entry(name.clone()).or_default().note =
                Some("no DOM: the optic does not support DOM".to_string());
            continue;
        }
        if t.eq_ignore_ascii_case("transceiver is not present") {
            used(line);
            found.entry(name.clone()).or_default().note =
                Some("no optic: transceiver is not present".to_string());
            continue;
        }
        if let Some(kind) = t.strip_prefix("type is ") {
            used(line);
            found.entry(name.clone()).or_default().standard = Standard::detect(kind);
            continue;
        }
        if let Some(rest) = t.strip_prefix("Lane Number:") {
            used(line);
            let n: Option<u16> = rest.split_whitespace().next().and_then(|n| n.parse().ok());
            network_lane = rest.contains("Network");
            lane = n.map(|n| n.saturating_sub(1));
            continue;
        }
        let (label, rest) = if let Some(r) = t.strip_prefix("Temperature") {
            ("temp", r)
        } else if let Some(r) = t.strip_prefix("Voltage") {
            ("volt", r)
        } else if let Some(r) = t.strip_prefix("Current") {
            if r.trim_start().starts_with("Measurement") || r.trim_start().starts_with("Alarms") {
                continue;
            }
            ("bias", r)
        } else if let Some(r) = t.strip_prefix("Tx Power") {
            ("tx", r)
        } else if let Some(r) = t.strip_prefix("Rx Power") {
            ("rx", r)
        } else {
            continue;
        };
        used(line);
        // "-14.05 dBm --    1.69 dBm  -11.30 dBm ..." -> values without units and flags.
        let values: Vec<&str> = rest
            .split_whitespace()
            .filter(|w| !is_flag(w) && !matches!(*w, ":" | "C" | "V" | "mA" | "dBm" | "mW"))
            .collect();
        let Some(value) = values.first() else {
            continue;
        };
        let t = Thresholds {
            high_alarm: values.get(1).and_then(|v| threshold(v)),
            low_alarm: values.get(2).and_then(|v| threshold(v)),
            high_warning: values.get(3).and_then(|v| threshold(v)),
            low_warning: values.get(4).and_then(|v| threshold(v)),
        };
        let per_lane = if network_lane { lane } else { None };
        let optic = found.entry(name.clone()).or_default().optic();
        match (label, per_lane) {
            ("temp", _) => optic.temperature_celsius = optic.temperature_celsius.or(num(value)),
            ("volt", _) => optic.voltage_volts = optic.voltage_volts.or(num(value)),
            ("bias", Some(l)) => optic.lane(l).bias_amperes = num(value).map(|v| v / 1000.0),
            ("bias", None) => optic.bias_amperes = num(value).map(|v| v / 1000.0),
            ("tx", Some(l)) => optic.lane(l).tx = dbm(value),
            ("tx", None) => optic.tx = Some(dbm(value)),
            ("rx", Some(l)) => optic.lane(l).rx = dbm(value),
            ("rx", None) => optic.rx = Some(dbm(value)),
            _ => {}
        }
        match label {
            "tx" if optic.tx_thresholds.is_empty() => optic.tx_thresholds = t,
            "rx" if optic.rx_thresholds.is_empty() => optic.rx_thresholds = t,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{lookup, parse_with_leftovers};

    #[test]
    fn the_fibre_channel_form_names_its_port_on_the_sfp_line() {
        // Nexus 5000 `show interface fc1/48 transceiver details`.
        let text = "\
fc1/48 sfp is present
    Name is CISCO-FINISAR
    SFP Diagnostics Information:
        Temperature           :  34.63 C  +
        Voltage               :   3.29 V
        Current               :   6.10 mA
        Optical Tx Power      : -2.95 dBm
        Optical Rx Power      :  N/A   dBm      --
fc1/47 sfp is not present
";
        let (found, left) = parse_with_leftovers(super::output, text, None);
        assert!(left.is_empty(), "{left:?}");
        let o = lookup(&found, "fc1/48")
            .unwrap()
            .clone()
            .into_reading()
            .optic
            .unwrap();
        assert_eq!(o.tx.dbm(), Some(-2.95));
        assert_eq!(o.rx.dbm(), None);
        assert_eq!(o.temperature_celsius, Some(34.63));
        assert!((o.bias_amperes.unwrap() - 0.0061).abs() < 1e-12);
    }
}
