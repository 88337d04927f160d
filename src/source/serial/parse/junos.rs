//! Junos `show interfaces diagnostics optics [X]` ("Physical interface: xe-0/1/7",
//! "name : value" lines, values as "0.6560 mW / -1.83 dBm", "- Inf" when dark, "Lane N"
//! sub-blocks on multi-lane optics, lanes from 0), `show interfaces X` ("Physical
//! interface: et-0/0/3, Enabled, Physical link is Up", its description and when it last
//! flapped) and `show interfaces X terse`.

use std::collections::BTreeMap;

use super::common::{dbm, num, used, Found};
use crate::domain::{AdminStatus, OperStatus, OpticalPower};

/// "0.6560 mW / -1.83 dBm" -> the dBm part; "0.0000 mW / - Inf dBm" -> no light.
fn power(value: &str) -> OpticalPower {
    let dbm_part = value.rsplit('/').next().unwrap_or(value);
    dbm(dbm_part)
}

fn first_number(value: &str) -> Option<f64> {
    value.split_whitespace().next().and_then(num)
}

/// The outputs of Junos's commands (see `serial::dialect`); Junos has no IOS-style
/// interface lines.
pub fn output(text: &str, _port: Option<&str>, found: &mut BTreeMap<String, Found>) {
    parse(text, found);
}

pub fn parse(text: &str, found: &mut BTreeMap<String, Found>) {
    let mut current: Option<String> = None;
    let mut lane: Option<u16> = None;
    let mut terse = false;
    for line in text.lines() {
        let t = line.trim();
        if let Some(name) = t.strip_prefix("Physical interface:") {
            used(line);
            current = name
                .split([',', ' '])
                .find(|s| !s.is_empty())
                .map(str::to_string);
            lane = None;
            if let Some(c) = &current {
                physical_state(name, found.entry(c.clone()).or_default());
            }
            continue;
        }
        if t.starts_with("Interface") && t.contains("Admin") && t.contains("Link") {
            used(line);
            terse = true;
            continue;
        }
        if terse {
            let w: Vec<&str> = t.split_whitespace().collect();
            if w.len() >= 3 && w[0].contains('-') && !w[0].contains('.') {
                used(line);
                let e = found.entry(w[0].to_string()).or_default();
                e.admin = Some(if w[1] == "up" {
                    AdminStatus::Up
                } else {
                    AdminStatus::Down
                });
                e.oper = Some(if w[2] == "up" {
                    OperStatus::Up
                } else {
                    OperStatus::Down
                });
                continue;
            }
            if !w.is_empty() && !w[0].contains('.') {
                terse = false;
            }
        }
        let Some(name) = &current else { continue };
        if let Some(n) = t.strip_prefix("Lane ") {
            if let Ok(l) = n.trim().parse::<u16>() {
                used(line);
                lane = Some(l);
                continue;
            }
        }
        let Some((key, value)) = t.split_once(':') else {
            continue;
        };
        let key = key.trim().to_ascii_lowercase();
        let value = value.trim();
        if key == "description" && lane.is_none() && !value.is_empty() {
            found.entry(name.clone()).or_default().alias = Some(value.to_string());
            continue;
        }
        if key == "last flapped" {
            if let Some(ago) = flapped_ago(value) {
                found.entry(name.clone()).or_default().last_change_ago = Some(ago);
            }
            continue;
        }
        // The alarm flags (Off/On) and the thresholds in other units are known lines;
        // the values read below are marked where they are read.
        if key.ends_with(" alarm") || key.ends_with(" warning") || key.contains("threshold") {
            used(line);
        }
        let optic_key = key.starts_with("laser ")
            || key.starts_with("module ")
            || key.starts_with("receiver signal");
        if !optic_key {
            // `show interfaces X`'s other lines (index, MTU, flags...): not an optic.
            continue;
        }
        let optic = found.entry(name.clone()).or_default().optic();
        let is_rx = key == "receiver signal average optical power"
            || key == "laser rx power"
            || key == "laser receiver power";
        let known = matches!(
            key.as_str(),
            "laser bias current" | "laser output power" | "module temperature" | "module voltage"
        ) || is_rx;
        if known {
            used(line);
        }
        match (key.as_str(), lane) {
            ("laser bias current", Some(l)) => {
                optic.lane(l).bias_amperes = first_number(value).map(|v| v / 1000.0)
            }
            ("laser bias current", None) => {
                optic.bias_amperes = first_number(value).map(|v| v / 1000.0)
            }
            ("laser output power", Some(l)) => optic.lane(l).tx = power(value),
            ("laser output power", None) => optic.tx = Some(power(value)),
            (_, Some(l)) if is_rx => optic.lane(l).rx = power(value),
            (_, None) if is_rx => optic.rx = Some(power(value)),
            ("module temperature", _) => optic.temperature_celsius = first_number(value),
            ("module voltage", _) => optic.voltage_volts = first_number(value),
            (k, _)
                if k.ends_with(" threshold")
                    && (k.starts_with("laser output power") || k.starts_with("laser rx power")) =>
            {
                let v = power(value).dbm();
                let t = if k.starts_with("laser rx power") {
                    &mut optic.rx_thresholds
                } else {
                    &mut optic.tx_thresholds
                };
                if k.contains("high alarm") {
                    t.high_alarm = v;
                } else if k.contains("low alarm") {
                    t.low_alarm = v;
                } else if k.contains("high warning") {
                    t.high_warning = v;
                } else if k.contains("low warning") {
                    t.low_warning = v;
                }
            }
            _ => {}
        }
    }
}

/// The state words after the name on `show interfaces X`'s first line: "Enabled" or
/// "Administratively down" / "Disabled", and "Physical link is Up" / "Down". The
/// diagnostics command's header names no state: nothing is set.
fn physical_state(rest: &str, into: &mut Found) {
    let lower = rest.to_ascii_lowercase();
    let Some(link) = lower.split("physical link is ").nth(1) else {
        return;
    };
    into.admin = Some(
        if lower.contains("administratively down") || lower.contains("disabled") {
            AdminStatus::Down
        } else {
            AdminStatus::Up
        },
    );
    into.oper = Some(if link.trim_start().starts_with("up") {
        OperStatus::Up
    } else {
        OperStatus::Down
    });
}

/// "2026-11-20 10:00:00 UTC (2w0d 04:05 ago)" -> how long ago (weeks and days, then
/// hh:mm, or hh:mm:ss under a day) and to what resolution. "Never" is None.
fn flapped_ago(value: &str) -> Option<(std::time::Duration, std::time::Duration)> {
    let inside = value.rsplit_once('(')?.1.strip_suffix("ago)")?.trim();
    let mut secs: u64 = 0;
    let mut resolution: u64 = 86_400;
    for token in inside.split_whitespace() {
        if token.contains(':') {
            let parts: Vec<u64> = token
                .split(':')
                .map(|p| p.parse().ok())
                .collect::<Option<_>>()?;
            secs += match parts.as_slice() {
                [h, m] => {
                    resolution = resolution.min(60);
                    h * 3600 + m * 60
                }
                [h, m, s] => {
                    resolution = 1;
                    h * 3600 + m * 60 + s
                }
                _ => return None,
            };
        } else {
            let (a, r) = super::common::age(token)?;
            secs += a.as_secs();
            resolution = resolution.min(r.as_secs());
        }
    }
    Some((
        std::time::Duration::from_secs(secs),
        std::time::Duration::from_secs(resolution),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn show_interfaces_gives_state_description_and_last_flap_and_no_optic() {
        let text = "Physical interface: et-0/0/3, Enabled, Physical link is Down\n  Interface index: 650, SNMP ifIndex: 515\n  Description: to MSEE\n  Link-level type: Ethernet, MTU: 9192, Speed: 100Gbps\n  Last flapped   : 2026-11-29 10:00:00 UTC (1w2d 03:04 ago)\n";
        let mut found = BTreeMap::new();
        parse(text, &mut found);
        let f = &found["et-0/0/3"];
        assert_eq!(f.admin, Some(AdminStatus::Up));
        assert_eq!(f.oper, Some(OperStatus::Down));
        assert_eq!(f.alias.as_deref(), Some("to MSEE"));
        let (ago, resolution) = f.last_change_ago.unwrap();
        assert_eq!(ago.as_secs(), 9 * 86_400 + 3 * 3600 + 4 * 60);
        assert_eq!(resolution.as_secs(), 60);
        assert!(
            f.optic.is_none(),
            "an interface's other lines are not an optic"
        );
        let mut found = BTreeMap::new();
        parse("Physical interface: xe-0/0/1, Administratively down, Physical link is Down\n  Last flapped   : Never\n", &mut found);
        assert_eq!(found["xe-0/0/1"].admin, Some(AdminStatus::Down));
        assert_eq!(found["xe-0/0/1"].last_change_ago, None);
    }
}
