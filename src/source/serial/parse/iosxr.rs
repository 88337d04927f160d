//! IOS-XR: `show controllers optics R/S/I/P` (module and per-lane values, a threshold
//! table, the port named by the command line or the caller) and `show controllers all
//! phy` (decoded QSFP DOM with "mW (dBm)" values).

use std::collections::BTreeMap;

use super::common::{dbm, num, power_twins, threshold, used, Found};
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

/// "0.58450 mW (-2.33215 dBm)   0.6 mW (-2.2 dBm)" -> each power as its mW and dBm
/// twins agree on it (see [`power_twins`]), in order; `Err` names a pair that
/// disagrees.
fn mw_dbm_pairs(line: &str) -> Vec<Result<OpticalPower, String>> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(open) = rest.find('(') {
        let Some(close) = rest[open..].find(')').map(|c| open + c) else {
            break;
        };
        let inside = &rest[open + 1..close];
        if inside.contains("dBm") {
            let before = rest[..open].trim_end();
            let mw = before
                .strip_suffix("mW")
                .and_then(|b| b.split_whitespace().last());
            out.push(power_twins(mw, Some(inside)));
        }
        rest = &rest[close + 1..];
    }
    out
}

/// A "name = value unit" line's value.
fn after_equals(line: &str) -> Option<&str> {
    line.split_once('=').map(|(_, v)| v.trim())
}

/// The outputs of IOS-XR's commands (see `serial::dialect`): `show controllers all
/// phy`, `show controllers <interface>`, or `show controllers optics` (`port`: the
/// controller an output without its command line is about), and the interface lines.
pub fn output(text: &str, port: Option<&str>, found: &mut BTreeMap<String, Found>) {
    if text.contains("PHY data for interface:") {
        parse_all_phy(text, found);
    } else if super::iosxr_controllers::present(text) {
        super::iosxr_controllers::parse(text, found);
    } else {
        parse_optics(text, port, found);
    }
    super::common::interface_lines(text, found);
}

/// `show controllers optics`: everything after a command line naming the port (or,
/// without one, for `default_port`).
pub fn parse_optics(text: &str, default_port: Option<&str>, found: &mut BTreeMap<String, Found>) {
    let mut port: Option<String> = default_port.map(str::to_string);
    let mut in_lanes = false;
    // Ports whose module power came from "Total TX/RX Power" lines.
    let mut totals: std::collections::BTreeSet<String> = Default::default();
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
        // `show controllers optics *` (and a paste that starts without its command
        // line) heads each port's block with "Port: Optics0/2/0/0": that block is the
        // port's, named as the command line names it ("0/2/0/0").
        if let Some(name) = t.strip_prefix("Port:").map(str::trim) {
            if let Some(name) = name.split_whitespace().next() {
                used(line);
                port = Some(name.strip_prefix("Optics").unwrap_or(name).to_string());
                in_lanes = false;
                continue;
            }
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
        if lower.starts_with("total ") && lower.contains(" power =") {
            totals.insert(p.clone());
        }
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
    // A multi-lane optic's "Total" powers are the sum of its lanes, not a reading of
    // one: lanes are what every dialect reports for such an optic (a total of 2.7 dBm
    // with a dark lane would be exported as a lit module). Kept as module power only
    // where there is no lane table.
    for p in totals {
        if let Some(o) = found.get_mut(&p).and_then(|f| f.optic.as_mut()) {
            if !o.lanes.is_empty() {
                o.rx = None;
                o.tx = None;
            }
        }
    }
}

/// `show controllers all phy`: a QSFP's "Module" and "Lanes" sections, or an SFP's
/// one set of module values ("Tx Power:  0.02730 mW (-15.63837 dBm)").
pub fn parse_all_phy(text: &str, found: &mut BTreeMap<String, Found>) {
    let mut port: Option<String> = None;
    let mut section = "";
    for line in text.lines() {
        let t = line.trim();
        if let Some(rest) = t.strip_prefix("PHY data for interface:") {
            used(line);
            port = rest.split_whitespace().next().map(str::to_string);
            section = "";
            continue;
        }
        let Some(p) = &port else { continue };
        if t == "Module" || t == "Lanes" {
            used(line);
            section = if t == "Module" { "module" } else { "lanes" };
            continue;
        }
        let entry = found.entry(p.clone()).or_default();
        // The module's own values: in a QSFP's "Module" section, or anywhere in an
        // SFP's output, which has no sections.
        let module = section != "lanes";
        if let Some(v) = t.strip_prefix("Temperature:") {
            used(line);
            if !v.contains("C ") && module {
                entry.optic().temperature_celsius = v.split_whitespace().next().and_then(num);
            }
        } else if let Some(v) = t.strip_prefix("Voltage:") {
            used(line);
            if module && v.split_whitespace().count() == 2 {
                entry.optic().voltage_volts = v.split_whitespace().next().and_then(num);
            }
        } else if let (true, Some(v)) = (module, t.strip_prefix("Tx Bias:")) {
            used(line);
            entry.optic().bias_amperes = v
                .split_whitespace()
                .next()
                .and_then(num)
                .map(|ma| ma / 1000.0);
        } else if let (true, Some(rx)) = (
            module,
            t.strip_prefix("Tx Power:")
                .map(|_| false)
                .or(t.strip_prefix("Rx Power:").map(|_| true)),
        ) {
            used(line);
            let power = mw_dbm_pairs(t).into_iter().next();
            let what = if rx { "rx" } else { "tx" };
            let value = match power {
                Some(p) => entry.confirmed(p, what),
                None => OpticalPower::NotSupported,
            };
            if rx {
                entry.optic().rx = Some(value);
            } else {
                entry.optic().tx = Some(value);
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
                mw_dbm_pairs(t).as_slice(),
            ) {
                used(line);
                let bias = w
                    .iter()
                    .position(|x| *x == "mAmps")
                    .and_then(|i| w.get(i.checked_sub(1)?))
                    .and_then(|b| num(b));
                let tx = entry.confirmed(tx.clone(), &format!("lane {lane} tx"));
                let rx = entry.confirmed(rx.clone(), &format!("lane {lane} rx"));
                let l = entry.optic().lane(lane);
                l.tx = tx;
                l.rx = rx;
                l.bias_amperes = bias.map(|b| b / 1000.0);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{lookup, parse_with_leftovers};

    #[test]
    fn an_sfp_in_all_phy_gives_module_values_checked_in_both_units() {
        let text = "\
PHY data for interface: TenGigE0/0/0/9

SFP EEPROM  port: 9
        Xcvr Code: SFP-10G-LR
        Temperature: 31.500
        Voltage: 3.301 Volt
        Tx Bias: 30.120 mAmps
        Tx Power:  0.56550 mW (-2.47567 dBm)
        Rx Power:  0.000 mW (<-40.00 dBm)
PHY data for interface: TenGigE0/0/0/10
        Tx Power:  0.56550 mW (-12.47567 dBm)
        Rx Power:  0.42270 mW (-3.73968 dBm)
";
        let (found, left) = parse_with_leftovers(super::output, text, None);
        assert!(left.is_empty(), "{left:?}");
        let r = lookup(&found, "Te0/0/0/9").unwrap().clone().into_reading();
        let o = r.optic.unwrap();
        assert_eq!(o.tx.dbm(), Some(-2.47567));
        assert!(o.rx.is_no_light());
        assert_eq!(o.temperature_celsius, Some(31.5));
        assert_eq!(o.voltage_volts, Some(3.301));
        assert_eq!(o.bias_amperes, Some(0.03012));
        // 0.5655 mW is -2.48 dBm, not -12.48: no reading, and the reason says why.
        let r = lookup(&found, "Te0/0/0/10").unwrap().clone().into_reading();
        assert_eq!(r.optic.as_ref().unwrap().tx.dbm(), None);
        assert_eq!(r.optic.as_ref().unwrap().rx.dbm(), Some(-3.73968));
        assert!(r.note.unwrap_or_default().contains("inconsistent"));
    }

    #[test]
    fn show_controllers_optics_star_gives_each_port_its_own_block() {
        let text = "\
RP/0/RP0/CPU0:ios#show controllers optics *
 Port:    Optics0/2/0/0

 Controller State: Down
	 Optics not present
	 TX Power = Unavailable
	 RX Power = Unavailable
-----------------------------------------------
 Port:    Optics0/2/0/4

 Controller State: Up
	 Optics Type: QSFP+ 40G LR4
	 RX Power = -3.10 dBm
	 Actual TX Power = -1.20 dBm
";
        let (found, left) = parse_with_leftovers(super::output, text, None);
        assert!(left.is_empty(), "{left:?}");
        let up = lookup(&found, "0/2/0/4").unwrap().clone().into_reading();
        assert_eq!(up.optic.as_ref().unwrap().rx.dbm(), Some(-3.1));
        assert_eq!(up.optic.as_ref().unwrap().tx.dbm(), Some(-1.2));
        let absent = lookup(&found, "0/2/0/0").unwrap().clone().into_reading();
        assert_eq!(absent.optic.and_then(|o| o.rx.dbm()), None);
    }
}
