//! IOS-XR `show controllers <interface>` (HundredGigE, FourHundredGigE, ...): one
//! block per interface, headed "Operational data for interface X:", with the
//! administrative and operational state, the module's temperature and voltage, a lane
//! DOM table that prints every power twice (dBm and mW) and a threshold table.
//!
//! The lane rows are all numbered "00" on some releases, so lanes are taken in the
//! order printed. A power printed in both units is a reading only when the two agree
//! (see [`super::common::power_twins`]).

use std::collections::BTreeMap;

use super::common::{num, power_twins, speed_mbps, threshold, used, Found};
use crate::domain::{AdminStatus, Level, OperStatus, Thresholds};

/// Whether `text` holds this command's output.
pub fn present(text: &str) -> bool {
    text.contains("Operational data for interface")
}

/// What part of an interface block the parser is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Other,
    /// After the lane table's heading: rows until something else.
    Lanes,
    /// After the threshold table's heading, with the order of its four columns.
    Thresholds,
}

pub fn parse(text: &str, found: &mut BTreeMap<String, Found>) {
    let lines: Vec<&str> = text.lines().collect();
    let mut port: Option<String> = None;
    let mut part = Part::Other;
    let mut next_lane: u16 = 0;
    let mut order = Level::ALL;
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim();
        if let Some(rest) = t.strip_prefix("Operational data for interface") {
            used(line);
            port = rest
                .trim()
                .trim_end_matches(':')
                .split_whitespace()
                .next()
                .map(str::to_string);
            part = Part::Other;
            next_lane = 0;
            continue;
        }
        let Some(p) = &port else { continue };
        let entry = found.entry(p.clone()).or_default();
        let lower = t.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("administrative state:") {
            used(line);
            entry.admin = Some(match v.trim() {
                "enabled" | "up" => AdminStatus::Up,
                _ => AdminStatus::Down,
            });
            continue;
        }
        if let Some(v) = lower.strip_prefix("operational state:") {
            used(line);
            entry.oper = Some(if v.trim() == "up" {
                OperStatus::Up
            } else {
                OperStatus::Down
            });
            continue;
        }
        if let Some(v) = lower.strip_prefix("speed:") {
            entry.speed_mbps = speed_mbps(v.trim()).or(entry.speed_mbps);
            continue;
        }
        if let Some(v) = lower.strip_prefix("transceiver temp:") {
            used(line);
            entry.optic().temperature_celsius = v.split_whitespace().next().and_then(num);
            continue;
        }
        if let Some(v) = lower.strip_prefix("transceiver voltage:") {
            used(line);
            entry.optic().voltage_volts = v.split_whitespace().next().and_then(num);
            continue;
        }
        if lower.contains("tx power") && lower.contains("rx power") {
            // "Wavelength    Tx Power          Rx Power      Laser Bias"; a units line
            // and a dash line may follow.
            used(line);
            part = Part::Lanes;
            next_lane = 0;
            continue;
        }
        if lower.starts_with("thresholds") {
            // "Alarm  Alarm  Warning  Warning  Alarm" above "Thresholds  High  High
            // Low  Low": the four columns' levels, read from the two lines.
            used(line);
            if let Some(levels) = i.checked_sub(1).and_then(|j| column_levels(lines[j], t)) {
                order = levels;
            }
            part = Part::Thresholds;
            continue;
        }
        match part {
            Part::Lanes => {
                if t.starts_with("--") || lower.starts_with("lane") {
                    used(line);
                    continue;
                }
                // "00     n/a     0.1   1.0205     -1.8   0.6627     5.450"
                let w: Vec<&str> = t
                    .split_whitespace()
                    .map(without_flag)
                    .filter(|w| !w.is_empty())
                    .collect();
                let is_row = w.len() >= 6 && w[0].bytes().all(|b| b.is_ascii_digit());
                if !is_row {
                    part = Part::Other;
                    continue;
                }
                used(line);
                let lane = next_lane;
                next_lane = next_lane.saturating_add(1);
                let tx = power_twins(Some(w[3]), Some(w[2]));
                let tx = entry.confirmed(tx, &format!("lane {lane} tx"));
                let rx = power_twins(Some(w[5]), Some(w[4]));
                let rx = entry.confirmed(rx, &format!("lane {lane} rx"));
                let l = entry.optic().lane(lane);
                l.tx = tx;
                l.rx = rx;
                l.bias_amperes = w.get(6).and_then(|b| num(b)).map(|ma| ma / 1000.0);
            }
            Part::Thresholds => {
                let Some((name, values)) = t.split_once("):") else {
                    if !t.is_empty() && !t.starts_with("--") {
                        part = Part::Other;
                    } else {
                        used(line);
                    }
                    continue;
                };
                used(line);
                let name = name.to_ascii_lowercase();
                // Only the dBm rows: the mW rows say the same, and print an unset
                // warning level as 0.000 where the dBm row says -inf.
                if !name.ends_with("(dbm") {
                    continue;
                }
                let v: Vec<Option<f64>> = values.split_whitespace().map(threshold).collect();
                let mut th = Thresholds::default();
                for (k, level) in order.iter().enumerate() {
                    th.set(*level, v.get(k).copied().flatten());
                }
                if name.starts_with("transmit") {
                    entry.optic().tx_thresholds = th;
                } else if name.starts_with("receive") {
                    entry.optic().rx_thresholds = th;
                }
            }
            Part::Other => {}
        }
    }
}

/// "-1.8(L)" -> "-1.8"; a flag printed on its own ("(L)") -> "".
fn without_flag(token: &str) -> &str {
    match token.find('(') {
        Some(i) if token.ends_with(')') => &token[..i],
        _ => token,
    }
}

/// The levels of the threshold table's four value columns, from its two heading
/// lines ("Alarm / High", "Warning / High", "Warning / Low", "Alarm / Low").
fn column_levels(above: &str, line: &str) -> Option<[Level; 4]> {
    let kinds: Vec<String> = above
        .split_whitespace()
        .skip(1)
        .map(str::to_ascii_lowercase)
        .collect();
    let sides: Vec<String> = line
        .split_whitespace()
        .skip(1)
        .map(str::to_ascii_lowercase)
        .collect();
    if kinds.len() != 4 || sides.len() != 4 {
        return None;
    }
    let mut out = [Level::HighAlarm; 4];
    for (k, (kind, side)) in kinds.iter().zip(&sides).enumerate() {
        out[k] = match (kind.as_str(), side.as_str()) {
            ("alarm", "high") => Level::HighAlarm,
            ("warning", "high") => Level::HighWarning,
            ("warning", "low") => Level::LowWarning,
            ("alarm", "low") => Level::LowAlarm,
            _ => return None,
        };
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::super::{iosxr, lookup, parse_with_leftovers};
    use crate::domain::{AdminStatus, OperStatus};

    /// The form Cisco's command reference documents for `show controllers
    /// HundredGigE`, with lanes numbered properly, one lane dark, flags after values,
    /// and the threshold columns in the documented order.
    const DOC_FORM: &str = "\
RP/0/RP0/CPU0:r1#show controllers HundredGigE0/0/0/5
Operational data for interface HundredGigE0/0/0/5:

State:
    Administrative state: enabled
    Operational state: Down (Reason: Link is down)

Phy:
    Media type: R4 fibre over 4 lane optics (long reach)
    Digital Optical Monitoring:
        Transceiver Temp: 30.500 C
        Transceiver Voltage: 3.300 V

        Alarms key: (H) Alarm high, (h) Warning high
                    (L) Alarm low, (l) Warning low
           Wavelength    Tx Power          Rx Power      Laser Bias
        Lane  (nm)    (dBm)    (mW)     (dBm)     (mW)      (mA)
        --   -----   ------   ------    ------   ------    ------
        0     1295    +1.2   1.3183     -3.0   0.5012     45.100
        1     1300    +1.0   1.2589     -40.0(L) 0.0000   45.200
        2     1304    +0.9   1.2303     -2.8   0.5248     44.900
        3     1309    +1.1   1.2882     -3.1   0.4898     45.000

        Alarm                     Alarm    Warning   Warning    Alarm
        Thresholds                High      High       Low       Low
                                 -------   -------   -------   -------
        Transceiver Temp (C):     75.000    70.000     0.000    -5.000
        Transmit Power (dBm):      4.500     2.500    -6.307   -10.301
        Receive Power (dBm):       4.500     2.500   -10.600   -14.600
";

    #[test]
    fn the_documented_form_gives_state_lanes_and_thresholds() {
        let (found, left) = parse_with_leftovers(iosxr::output, DOC_FORM, None);
        assert!(left.is_empty(), "{left:?}");
        let r = lookup(&found, "Hu0/0/0/5").unwrap().clone().into_reading();
        assert_eq!(r.admin_status, AdminStatus::Up);
        assert_eq!(r.oper_status, OperStatus::Down);
        let o = r.optic.unwrap();
        assert_eq!(o.lanes.len(), 4);
        assert_eq!(o.lanes[0].tx.dbm(), Some(1.2));
        assert_eq!(o.lanes[0].rx.dbm(), Some(-3.0));
        assert!(o.lanes[1].rx.is_no_light(), "{:?}", o.lanes[1]);
        assert_eq!(o.lanes[3].rx.dbm(), Some(-3.1));
        assert_eq!(o.temperature_celsius, Some(30.5));
        assert_eq!(o.tx_thresholds.low_warning, Some(-6.307));
        assert_eq!(o.tx_thresholds.low_alarm, Some(-10.301));
        assert_eq!(o.rx_thresholds.high_warning, Some(2.5));
    }

    #[test]
    fn a_lane_whose_dbm_and_mw_disagree_is_no_reading_with_a_reason() {
        // -3.0 dBm is 0.50 mW; the row says 0.05 mW (10 dB apart).
        let text = DOC_FORM.replace("-3.0   0.5012", "-3.0   0.0501");
        let (found, _) = parse_with_leftovers(iosxr::output, &text, None);
        let r = lookup(&found, "HundredGigE0/0/0/5")
            .unwrap()
            .clone()
            .into_reading();
        let o = r.optic.as_ref().unwrap();
        assert_eq!(o.lanes[0].rx.dbm(), None, "{:?}", o.lanes[0]);
        assert_eq!(o.lanes[2].rx.dbm(), Some(-2.8), "the other lanes stand");
        let note = r.note.unwrap_or_default();
        assert!(
            note.contains("inconsistent") && note.contains("lane 0 rx"),
            "{note}"
        );
        // The agent's poll merges the outputs of its commands: the reason stays.
        let name = "HundredGigE0/0/0/5".to_string();
        let polled = crate::source::serial::readings(
            crate::source::serial::Dialect::CiscoIosxr,
            std::slice::from_ref(&name),
            &[text, format!("{name} is up, line protocol is up\n")],
            std::time::SystemTime::UNIX_EPOCH,
        );
        let r = polled[&name].as_ref().unwrap();
        assert!(
            r.note.as_deref().unwrap_or_default().contains("lane 0 rx"),
            "{r:?}"
        );
        assert_eq!(r.optic.as_ref().unwrap().lanes[0].rx.dbm(), None);
    }
}
