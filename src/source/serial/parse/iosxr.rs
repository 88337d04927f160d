//! IOS-XR: `show controllers optics R/S/I/P` (module and per-lane values, a threshold
//! table, the port named by the command line or the caller) and `show controllers all
//! phy` (decoded QSFP DOM with "mW (dBm)" values).

use std::collections::BTreeMap;

use super::common::{dbm, num, threshold, used, Found};
use crate::domain::{OpticalPower, Standard, Thresholds};

/// "0.58450 mW (-2.33215 dBm)" -> the dBm values in parentheses, in order.
fn parenthesized_dbm(line: &str) -> Vec<OpticalPower> {
    line.split('(')
        .skip(1)
        .filter_map(|p| p.split(')').next())
        .filter(|p| p.contains("dBm"))
        .map(dbm)
        .collect()
}

/// A "name = value unit" line's value.
fn after_equals(line: &str) -> Option<&str> {
    line.split_once('=').map(|(_, v)| v.trim())
}

/// `show controllers optics`: everything after a command line naming the port (or,
/// without one, for `default_port`).
pub fn parse_optics(text: &str, default_port: Option<&str>, found: &mut BTreeMap<String, Found>) {
    let mut port: Option<String> = default_port.map(str::to_string);
    let mut in_lanes = false;
    for line in text.lines() {
        let t = line.trim();
        if let Some(idx) = t.find("show controllers optics ") {
            used(line);
            // A wildcard or a list names no one port: what follows is not assigned to
            // an interface named "0/0/0/*" (its lines show as not read instead).
            port = t[idx + "show controllers optics ".len()..]
                .split_whitespace()
                .next()
                .filter(|p| !p.contains(['*', ',']) && !p.eq_ignore_ascii_case("all"))
                .map(str::to_string);
            in_lanes = false;
            continue;
        }
        let Some(p) = &port else { continue };
        let entry = found.entry(p.clone()).or_default();
        if t.starts_with("Lane ") && t.contains("TX Power") {
            used(line);
            in_lanes = true;
            continue;
        }
        if in_lanes {
            let w: Vec<&str> = t.split_whitespace().collect();
            // "0      0.0 mA  -40.00 dBm  -40.00 dBm       N/A"
            if let (Some(Ok(lane)), true) = (w.first().map(|l| l.parse::<u16>()), w.len() >= 5) {
                used(line);
                let lane_r = entry.optic().lane(lane);
                lane_r.bias_amperes = num(w[1]).map(|v| v / 1000.0);
                lane_r.tx = dbm(w[3]);
                lane_r.rx = dbm(w[5.min(w.len() - 1)]);
                continue;
            }
            if !t.starts_with("----") {
                in_lanes = false;
            }
        }
        let lower = t.to_ascii_lowercase();
        // The threshold table's other rows (bias, temperature, voltage, mW), the
        // configured (not measured) Tx power and the mW twins of dBm values are known.
        if lower.contains("threshold(")
            || lower.starts_with("parameter")
            || lower.starts_with("configured tx power")
            || lower.contains("power(mw)")
        {
            used(line);
        }
        if let Some(kind) = lower
            .strip_prefix("optics type:")
            .or_else(|| lower.strip_prefix("optics type :"))
        {
            used(line);
            entry.standard = entry.standard.or(Standard::detect(kind));
            continue;
        }
        // 10G optics print "Actual TX Power = -2.60 dBm" and the module's "Laser Bias
        // Current = 8.8 mA" (the same value in mW follows as "Actual TX Power(mW)").
        if (lower.starts_with("tx power =")
            || lower.starts_with("total tx power =")
            || lower.starts_with("actual tx power ="))
            && !lower.contains("mw")
        {
            used(line);
            entry.optic().tx = after_equals(t).map(dbm);
        } else if lower.starts_with("laser bias current =") {
            used(line);
            entry.optic().bias_amperes = after_equals(t)
                .and_then(|v| v.split_whitespace().next())
                .and_then(num)
                .map(|ma| ma / 1000.0);
        } else if (lower.starts_with("tx power =") || lower.starts_with("total tx power ="))
            && !lower.contains("mw")
        {
            entry.optic().tx = after_equals(t).map(dbm);
        } else if (lower.starts_with("rx power =") || lower.starts_with("total rx power ="))
            && !lower.contains("mw")
        {
            used(line);
            entry.optic().rx = after_equals(t).map(dbm);
        } else if lower.starts_with("temperature =") {
            used(line);
            entry.optic().temperature_celsius = after_equals(t)
                .and_then(|v| v.split_whitespace().next())
                .and_then(num);
        } else if lower.starts_with("voltage =") {
            used(line);
            entry.optic().voltage_volts = after_equals(t)
                .and_then(|v| v.split_whitespace().next())
                .and_then(num);
        } else if lower.starts_with("rx power threshold(dbm)")
            || lower.starts_with("tx power threshold(dbm)")
        {
            // Parameter, High Alarm, Low Alarm, High Warning, Low Warning.
            let w: Vec<&str> = t.split_whitespace().collect();
            let v = |i: usize| {
                w.get(w.len().saturating_sub(4) + i)
                    .and_then(|x| threshold(x))
            };
            let th = Thresholds {
                high_alarm: v(0),
                low_alarm: v(1),
                high_warning: v(2),
                low_warning: v(3),
            };
            if lower.starts_with("rx") {
                entry.optic().rx_thresholds = th;
            } else {
                entry.optic().tx_thresholds = th;
            }
        } else if lower.starts_with("controller state:") {
            used(line);
            // The controller's own state: the best link hint this command gives.
            let up = lower.ends_with("up");
            entry.oper.get_or_insert(if up {
                crate::domain::OperStatus::Up
            } else {
                crate::domain::OperStatus::Down
            });
        }
    }
}

/// `show controllers all phy`.
pub fn parse_all_phy(text: &str, found: &mut BTreeMap<String, Found>) {
    let mut port: Option<String> = None;
    let mut section = "";
    for line in text.lines() {
        let t = line.trim();
        if let Some(rest) = t.strip_prefix("PHY data for interface:") {
            used(line);
            port = rest.split_whitespace().next().map(str::to_string);
            continue;
        }
        let Some(p) = &port else { continue };
        if t == "Module" || t == "Lanes" {
            used(line);
            section = if t == "Module" { "module" } else { "lanes" };
            continue;
        }
        let entry = found.entry(p.clone()).or_default();
        if let Some(v) = t.strip_prefix("Temperature:") {
            used(line);
            if !v.contains("C ") && section == "module" {
                entry.optic().temperature_celsius = v.split_whitespace().next().and_then(num);
            }
        } else if let Some(v) = t.strip_prefix("Voltage:") {
            used(line);
            if section == "module" && v.split_whitespace().count() == 2 {
                entry.optic().voltage_volts = v.split_whitespace().next().and_then(num);
            }
        } else if t.starts_with("Transmit Power:") || t.starts_with("Receive Power:") {
            // Alarm High, Warning High, Warning Low, Alarm Low.
            used(line);
            let v = parenthesized_dbm(t);
            let th = Thresholds {
                high_alarm: v.first().and_then(|p| p.dbm()),
                high_warning: v.get(1).and_then(|p| p.dbm()),
                low_warning: v.get(2).and_then(|p| p.dbm()),
                low_alarm: v.get(3).and_then(|p| p.dbm()),
            };
            if t.starts_with("Transmit") {
                entry.optic().tx_thresholds = th;
            } else {
                entry.optic().rx_thresholds = th;
            }
        } else if section == "lanes" {
            // "0   N/A   6.730 mAmps   0.60370 mW (-2.19179 dBm)   0.58450 mW (-2.33215 dBm)"
            let w: Vec<&str> = t.split_whitespace().collect();
            if let (Some(Ok(lane)), [tx, rx]) = (
                w.first().map(|l| l.parse::<u16>()),
                parenthesized_dbm(t).as_slice(),
            ) {
                used(line);
                let bias = w
                    .iter()
                    .position(|x| *x == "mAmps")
                    .and_then(|i| w.get(i - 1))
                    .and_then(|b| num(b));
                let l = entry.optic().lane(lane);
                l.tx = *tx;
                l.rx = *rx;
                l.bias_amperes = bias.map(|b| b / 1000.0);
            }
        }
    }
}
