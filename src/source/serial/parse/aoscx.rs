//! HPE Aruba AOS-CX: `show interface X dom detail` and `show interface X` (AOS-CX
//! command reference, `show interface dom` and `show interface`).
//!
//! `dom detail` prints a block per port, "Transceiver in 1/1/34", its module "Type:",
//! then "Name: value" lines: Temperature (C), Voltage (V), Tx Bias (mA), Rx and Tx
//! Power in mW only, each with its alarm and warning flags and thresholds; a
//! multi-lane module ("QSFP+LR4") repeats bias and powers under "Channel N:" (lanes
//! from 1). A module without DOM says "% No DOM information available". A threshold
//! of 0.00mW (a QSFP+LR4's Tx thresholds) is no threshold: 0 mW is no power in dBm.
//!
//! `show interface X` starts "Interface 1/1/1 is up" or "... is down (Administratively
//! down)", then "Admin state is up|down", "Description: ...", "Type SFP+SR" and "Speed
//! 10000 Mb/s".

use std::collections::BTreeMap;

use super::common::{description_line, num, speed_mbps, used, Found};
use crate::domain::power::milliwatts_to_dbm;
use crate::domain::{AdminStatus, Level, OperStatus, OpticalPower, Standard};

/// The outputs of AOS-CX's commands (see `serial::dialect`).
pub fn output(text: &str, _port: Option<&str>, found: &mut BTreeMap<String, Found>) {
    dom_detail(text, found);
    interface(text, found);
}

/// A module type as AOS-CX names it ("SFP+SR", "QSFP+LR4", "QSFP28LR4", "SFP28SR") as
/// the standard it is: AOS-CX names the form factor, and the form factor the rate.
fn standard(kind: &str) -> Option<Standard> {
    let k = kind.trim().to_ascii_uppercase();
    let (rate, code) = [
        ("QSFP28", "100G"),
        ("QSFP+", "40G"),
        ("SFP28", "25G"),
        ("SFP+", "10G"),
    ]
    .into_iter()
    .find_map(|(prefix, rate)| k.strip_prefix(prefix).map(|code| (rate, code)))?;
    Standard::detect(&format!("{rate} {}", code.trim_start_matches(['-', ' '])))
}

/// "0.54mW" as a power; "0.00mW" is no light.
fn milliwatts(value: &str) -> OpticalPower {
    value
        .trim()
        .strip_suffix("mW")
        .and_then(num)
        .and_then(|mw| OpticalPower::from_milliwatts(mw).ok())
        .unwrap_or(OpticalPower::NotSupported)
}

/// A threshold in mW as dBm; 0 (or less) is none.
fn threshold_dbm(value: &str) -> Option<f64> {
    let mw = num(value.trim().strip_suffix("mW")?)?;
    (mw > 0.0).then(|| milliwatts_to_dbm(mw))
}

/// "8.40mA", "3.25V", "23.60C": the number before the unit.
fn quantity(value: &str, unit: &str) -> Option<f64> {
    num(value.trim().strip_suffix(unit)?)
}

fn dom_detail(text: &str, found: &mut BTreeMap<String, Found>) {
    let mut port: Option<String> = None;
    let mut lane: Option<u16> = None;
    for line in text.lines() {
        let t = line.trim();
        if let Some(p) = t.strip_prefix("Transceiver in ") {
            used(line);
            port = Some(p.trim().to_string());
            lane = None;
            continue;
        }
        let Some(name) = &port else { continue };
        if t.starts_with("% No DOM information") {
            used(line);
            found.entry(name.clone()).or_default().note =
                Some("no DOM: the module reports no DOM information".to_string());
            continue;
        }
        if let Some(n) = t.strip_prefix("Channel ").and_then(|r| r.strip_suffix(':')) {
            used(line);
            lane = n.trim().parse::<u16>().ok().and_then(|n| n.checked_sub(1));
            continue;
        }
        let Some((key, value)) = t.split_once(':') else {
            continue;
        };
        let key = key.trim();
        if key == "Type" {
            used(line);
            found.entry(name.clone()).or_default().standard = standard(value);
            continue;
        }
        let (quantity_name, rest) =
            match ["Rx Power", "Tx Power", "Tx Bias", "Temperature", "Voltage"]
                .into_iter()
                .find_map(|q| key.strip_prefix(q).map(|rest| (q, rest.trim())))
            {
                Some(x) => x,
                None => continue,
            };
        used(line);
        let optic = found.entry(name.clone()).or_default().optic();
        if rest.is_empty() {
            match (quantity_name, lane) {
                ("Rx Power", Some(l)) => optic.lane(l).rx = milliwatts(value),
                ("Rx Power", None) => optic.rx = Some(milliwatts(value)),
                ("Tx Power", Some(l)) => optic.lane(l).tx = milliwatts(value),
                ("Tx Power", None) => optic.tx = Some(milliwatts(value)),
                ("Tx Bias", Some(l)) => {
                    optic.lane(l).bias_amperes = quantity(value, "mA").map(|v| v / 1000.0)
                }
                ("Tx Bias", None) => optic.bias_amperes = quantity(value, "mA").map(|v| v / 1000.0),
                ("Temperature", _) => optic.temperature_celsius = quantity(value, "C"),
                ("Voltage", _) => optic.voltage_volts = quantity(value, "V"),
                _ => {}
            }
            continue;
        }
        // "high alarm threshold", "low warning threshold" (the flags, "high alarm: Off",
        // are read but say nothing a threshold does not).
        let Some(level) = rest.strip_suffix(" threshold").and_then(|l| match l {
            "high alarm" => Some(Level::HighAlarm),
            "high warning" => Some(Level::HighWarning),
            "low warning" => Some(Level::LowWarning),
            "low alarm" => Some(Level::LowAlarm),
            _ => None,
        }) else {
            continue;
        };
        // One set per module: the first channel's (AOS-CX prints the same per channel).
        let first = lane.is_none_or(|l| l == 0);
        match quantity_name {
            "Rx Power" if first => optic.rx_thresholds.set(level, threshold_dbm(value)),
            "Tx Power" if first => optic.tx_thresholds.set(level, threshold_dbm(value)),
            _ => {}
        }
    }
}

fn interface(text: &str, found: &mut BTreeMap<String, Found>) {
    let mut current: Option<String> = None;
    for line in text.lines() {
        let t = line.trim();
        if let Some((name, state)) = t
            .strip_prefix("Interface ")
            .and_then(|r| r.split_once(" is "))
        {
            used(line);
            let state = state.to_ascii_lowercase();
            let e = found.entry(name.trim().to_string()).or_default();
            e.oper = Some(if state.starts_with("up") {
                OperStatus::Up
            } else {
                OperStatus::Down
            });
            if state.contains("administratively down") {
                e.admin = Some(AdminStatus::Down);
            }
            current = Some(name.trim().to_string());
            continue;
        }
        let Some(name) = &current else { continue };
        let e = found.entry(name.clone()).or_default();
        if let Some(admin) = t.strip_prefix("Admin state is ") {
            used(line);
            e.admin = Some(if admin.trim().eq_ignore_ascii_case("up") {
                AdminStatus::Up
            } else {
                AdminStatus::Down
            });
        } else if let Some(alias) = description_line(line) {
            e.alias = Some(alias);
        } else if let Some(kind) = t.strip_prefix("Type ") {
            e.standard = standard(kind).or(e.standard);
        } else if let Some(speed) = t.strip_prefix("Speed ") {
            let words: String = speed.split_whitespace().take(2).collect();
            e.speed_mbps = speed_mbps(&words).or(e.speed_mbps);
        }
    }
    // A port whose state line says up and no admin line: up.
    for f in found.values_mut() {
        if f.oper.is_some() && f.admin.is_none() {
            f.admin = Some(AdminStatus::Up);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{lookup, parse_with_leftovers};
    use super::*;

    const INTERFACE: &str = "\
Interface 1/1/34 is up
Admin state is up
Description: to MSEE primary
Hardware: Ethernet, MAC Address: 70:72:cf:fd:e7:b4
MTU 9198
Type SFP+SR
Speed 10000 Mb/s

Interface 1/1/2 is down (Administratively down)
Admin state is down
State information: admin_down
Type QSFP+SR4
Speed 40000 Mb/s
";

    #[test]
    fn the_interface_output_gives_state_description_speed_and_module() {
        let (found, left) = parse_with_leftovers(output, INTERFACE, None);
        assert!(left.is_empty(), "{left:?}");
        let up = lookup(&found, "1/1/34").unwrap();
        assert_eq!(
            (up.admin, up.oper),
            (Some(AdminStatus::Up), Some(OperStatus::Up))
        );
        assert_eq!(up.alias.as_deref(), Some("to MSEE primary"));
        assert_eq!(up.speed_mbps, Some(10_000));
        assert_eq!(up.standard, Some(Standard::TenGBaseSr));
        let shut = lookup(&found, "1/1/2").unwrap();
        assert_eq!(
            (shut.admin, shut.oper),
            (Some(AdminStatus::Down), Some(OperStatus::Down))
        );
    }

    #[test]
    fn module_types_name_their_standard_by_form_factor() {
        assert_eq!(standard("SFP+SR"), Some(Standard::TenGBaseSr));
        assert_eq!(standard("SFP+LR"), Some(Standard::TenGBaseLr));
        assert_eq!(standard("QSFP+LR4"), Some(Standard::FortyGBaseLr4));
        assert_eq!(standard("QSFP28LR4"), Some(Standard::HundredGBaseLr4));
        assert_eq!(standard("SFP28DAC0.65"), None);
        assert_eq!(standard("1000SX"), None);
    }

    #[test]
    fn a_zero_milliwatt_threshold_is_none_and_zero_power_is_no_light() {
        assert_eq!(threshold_dbm("0.00mW"), None);
        assert_eq!(threshold_dbm("1.00mW"), Some(0.0));
        assert_eq!(milliwatts("0.00mW"), OpticalPower::NoLight);
        assert_eq!(milliwatts("n/a"), OpticalPower::NotSupported);
        assert_eq!(
            milliwatts("0.54mW").dbm().map(|d| (d * 100.0).round()),
            Some(-268.0)
        );
    }
}
