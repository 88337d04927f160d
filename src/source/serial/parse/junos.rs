//! Junos `show interfaces diagnostics optics [X]` ("Physical interface: xe-0/1/7",
//! "name : value" lines, values as "0.6560 mW / -1.83 dBm", "- Inf" when dark, "Lane N"
//! sub-blocks on multi-lane optics, lanes from 0) and `show interfaces X terse`.

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
        let optic = found.entry(name.clone()).or_default().optic();
        let is_rx = key == "receiver signal average optical power"
            || key == "laser rx power"
            || key == "laser receiver power";
        // The alarm flags (Off/On) and the thresholds in other units are known lines;
        // the values read below are marked where they are read.
        if key.ends_with(" alarm") || key.ends_with(" warning") || key.contains("threshold") {
            used(line);
        }
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
