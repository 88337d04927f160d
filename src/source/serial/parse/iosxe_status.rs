//! IOS-XE's "key = value" transceiver form, printed by `show interfaces X transceiver`
//! on the ASR 1000 / ISR family (before its table) and by `show hw-module subslot S/U
//! transceiver P status`:
//!
//! ```text
//! The Transceiver in slot 2 subslot 0 port 0 is enabled.
//!   Module temperature                        = +22.214 C [Range: ...]
//!   Transceiver Tx supply voltage             = 3284.2 mVolts
//!   Transceiver Tx bias current               = 5296 uAmps
//!   Transceiver Tx power                      =  6.1 dBm
//!   Transceiver Rx optical power              = < -40.0 dBm
//!   Tx power Network Lane[00]                 =  0.2 dBm (1.456 mW)  [Range: ...]
//!   Rx power Network Lane[00]                 =  0.4 dBm (1.996 mW)
//!   Bias Current Network Lane[00]             = 7.494 mA
//! IDPROM for transceiver HundredGigE2/0/0:
//!   Transceiver Type:                         = QSFP 100GE SR (411)
//! ```
//!
//! A block starts at its "The Transceiver in slot S subslot U port P" line; its
//! interface is the one the command line or the IDPROM heading names, else "S/U/P"
//! (which a configured "TenGigabitEthernet0/0/1" matches by its slot path). The module
//! "Tx power" of a multi-lane optic is the total of its lanes; the lanes are read one
//! by one, so a dark lane is never hidden in a total. Values are dBm (with the mW in
//! brackets ignored), "< -40.0 dBm" is no light.

use std::collections::BTreeMap;

use super::common::{dbm, normalize_interface, num, used, Found};
use lightgate_core::domain::{OpticalPower, Standard};

/// Whether the text holds this form.
pub fn present(text: &str) -> bool {
    text.lines().any(|l| block_start(l).is_some())
}

/// "The Transceiver in slot 2 subslot 0 port 0 is enabled." -> "2/0/0".
fn block_start(line: &str) -> Option<String> {
    let rest = line.trim().strip_prefix("The Transceiver in slot ")?;
    let mut words = rest.split_whitespace();
    let slot = words.next()?;
    (words.next()? == "subslot").then_some(())?;
    let subslot = words.next()?;
    (words.next()? == "port").then_some(())?;
    let port = words.next()?;
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    (all_digits(slot) && all_digits(subslot) && all_digits(port))
        .then(|| format!("{slot}/{subslot}/{port}"))
}

/// The interface a command line names: "show interfaces HundredGigE2/0/0 transceiver".
fn commanded_interface(line: &str) -> Option<String> {
    let l = line.trim();
    let at = l.find("show interfaces ").or_else(|| l.find("sh int "))?;
    let after = &l[at..].split_whitespace().collect::<Vec<_>>();
    let name = after.get(2)?;
    (name.chars().any(|c| c.is_ascii_digit())
        && !name.contains(['*', ','])
        && after.get(3).is_some_and(|w| w.starts_with("trans")))
    .then(|| name.to_string())
}

/// (key, value text) of "  Key   = value".
fn key_value(line: &str) -> Option<(String, &str)> {
    let (k, v) = line.split_once('=')?;
    let key = k.trim().trim_end_matches(':').trim().to_ascii_lowercase();
    (!key.is_empty()).then_some((key, v.trim()))
}

/// The dBm of "-0.5 dBm ( 000.8964 mW)  [Range: ...]" or "< -40.0 dBm".
fn power(value: &str) -> OpticalPower {
    let v = value.trim();
    if let Some(rest) = v.strip_prefix('<') {
        // Below what the optic can measure.
        return match dbm(rest.split_whitespace().next().unwrap_or("")) {
            OpticalPower::NotSupported => OpticalPower::NotSupported,
            _ => OpticalPower::NoLight,
        };
    }
    let mut words = v.split_whitespace();
    match (words.next(), words.next()) {
        (Some(n), Some(unit)) if unit.eq_ignore_ascii_case("dbm") => dbm(n),
        _ => OpticalPower::NotSupported,
    }
}

/// "7.494 mA", "5296 uAmps", "3284.2 mVolts", "3.2405 Volts", "+28.945 C": the number
/// in base units (A, V, Celsius).
fn quantity(value: &str) -> Option<f64> {
    let mut words = value.split_whitespace();
    let n = num(words.next()?)?;
    let unit = words.next().unwrap_or("").to_ascii_lowercase();
    let scale = match unit.as_str() {
        "ma" | "mamps" => 1e-3,
        "ua" | "uamps" => 1e-6,
        "mv" | "mvolts" => 1e-3,
        "v" | "volts" | "c" => 1.0,
        _ => return None,
    };
    Some(n * scale)
}

/// "Tx power Network Lane[03]" -> 3.
fn lane_of(key: &str) -> Option<u16> {
    let open = key.find("lane[")?;
    let rest = &key[open + 5..];
    rest[..rest.find(']')?].trim().parse().ok()
}

/// Parses every block of the form into `found`, keyed by interface.
pub fn parse(text: &str, found: &mut BTreeMap<String, Found>) {
    let mut commanded: Option<String> = None;
    let mut blocks: Vec<(String, Found)> = Vec::new();
    let mut idprom_name: Option<String> = None;
    for line in text.lines() {
        if let Some(n) = commanded_interface(line) {
            used(line);
            commanded = Some(n);
            continue;
        }
        if let Some(slot_path) = block_start(line) {
            used(line);
            blocks.push((commanded.take().unwrap_or(slot_path), Found::default()));
            idprom_name = None;
            continue;
        }
        let trimmed = line.trim();
        if let Some(rest) = trimmed.strip_prefix("IDPROM for transceiver ") {
            used(line);
            idprom_name = Some(rest.trim_end_matches(':').trim().to_string());
            if let (Some((name, _)), Some(real)) = (blocks.last_mut(), &idprom_name) {
                if !name.chars().next().is_some_and(|c| c.is_ascii_alphabetic()) {
                    *name = real.clone();
                }
            }
            continue;
        }
        let Some((_, f)) = blocks.last_mut() else {
            continue;
        };
        let Some((key, value)) = key_value(line) else {
            continue;
        };
        if idprom_name.is_some() {
            // The IDPROM's "key = value" lines are inventory.
            used(line);
            if key.starts_with("transceiver type") || key.starts_with("product identifier") {
                f.standard = f.standard.or_else(|| Standard::detect(value));
            }
            continue;
        }
        let o = f.optic();
        used(line);
        match key.as_str() {
            "module temperature" => o.temperature_celsius = quantity(value),
            "transceiver tx supply voltage" => o.voltage_volts = quantity(value),
            "transceiver tx bias current" => o.bias_amperes = quantity(value),
            "transceiver tx power" => o.tx = Some(power(value)),
            "transceiver rx optical power" => o.rx = Some(power(value)),
            k if k.contains("network lane[") => {
                let Some(lane) = lane_of(k) else { continue };
                if k.starts_with("tx power") {
                    o.lane(lane).tx = power(value);
                } else if k.starts_with("rx power") {
                    o.lane(lane).rx = power(value);
                } else if k.starts_with("bias current") {
                    o.lane(lane).bias_amperes = quantity(value);
                }
            }
            _ => {}
        }
    }
    for (name, f) in blocks {
        // The table after the block names the same interface in its short form.
        let want = normalize_interface(&name);
        let key = found
            .keys()
            .find(|k| normalize_interface(k) == want)
            .cloned()
            .unwrap_or(name);
        let e = found.entry(key).or_default();
        // This form's values win over a table row of the same interface, which IOS-XE
        // prints after it with other roundings.
        if let Some(o) = f.optic {
            e.optic = Some(o);
        }
        e.standard = f.standard.or(e.standard);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HW_MODULE: &str = "show hw-module subslot 2/0 transceiver 0 status
The Transceiver in slot 2 subslot 0 port 0 is enabled.
  Module temperature                        = +31.824 C
  Transceiver Tx supply voltage             = 003.2309 Volts
  Transceiver Tx power                      =  2.9 dBm (001.9653 mW)
  Transceiver Rx optical power              = -0.5 dBm (000.8964 mW)
  Tx power Network Lane[00]                 =  0.0 dBm (000.9951 mW)
  Tx power Network Lane[01]                 = -0.1 dBm (000.9702 mW)
  Rx power Network Lane[00]                 = -0.5 dBm ( 000.8964 mW)
  Rx power Network Lane[01]                 = -40.0 dBm ( 000.0000 mW)
  Bias Current Network Lane[00]             = 007.0494 mA
";

    #[test]
    fn blocks_lanes_and_units() {
        let mut found = BTreeMap::new();
        parse(HW_MODULE, &mut found);
        let f = &found["2/0/0"];
        let o = f.clone().into_reading().optic.unwrap();
        assert_eq!(o.tx.dbm(), Some(2.9), "the lanes' total");
        assert_eq!(o.rx.dbm(), Some(-0.5), "one lit lane's");
        assert_eq!(o.lanes.len(), 2);
        assert_eq!(o.lanes[0].rx.dbm(), Some(-0.5));
        assert_eq!(o.lanes[1].rx, OpticalPower::NoLight);
        assert_eq!(o.lanes[1].tx.dbm(), Some(-0.1));
        assert!((o.lanes[0].bias_amperes.unwrap() - 0.0070494).abs() < 1e-12);
        assert!((o.voltage_volts.unwrap() - 3.2309).abs() < 1e-12);
        assert_eq!(o.temperature_celsius, Some(31.824));
    }

    #[test]
    fn a_module_total_that_contradicts_its_lanes_is_inconsistent_not_a_pick() {
        // The module says no light while a lane reads -0.5 dBm, and a Tx total 3 dB
        // above what its lanes add up to: both directions are refused, module and
        // lanes, with the reason.
        let text = HW_MODULE
            .replace("-0.5 dBm (000.8964 mW)\n  Tx", "< -40.0 dBm\n  Tx")
            .replace("2.9 dBm (001.9653 mW)", "5.9 dBm (003.8899 mW)");
        let mut found = BTreeMap::new();
        parse(&text, &mut found);
        let r = found["2/0/0"].clone().into_reading();
        let o = r.optic.unwrap();
        assert_eq!(o.rx, OpticalPower::Inconsistent);
        assert_eq!(o.tx, OpticalPower::Inconsistent);
        assert!(o
            .lanes
            .iter()
            .all(|l| l.rx == OpticalPower::Inconsistent && l.tx == OpticalPower::Inconsistent));
        let note = r.note.unwrap();
        assert!(
            note.starts_with("inconsistent: rx module no light and its lanes (-0.50, dark dBm)"),
            "{note}"
        );
    }

    #[test]
    fn the_command_or_the_idprom_names_the_interface() {
        let text = "Router#show interfaces HundredGigE2/0/0 transceiver\n\
            The Transceiver in slot 2 subslot 0 port 0 is enabled.\n  Transceiver Tx power = -1.0 dBm\n";
        let mut found = BTreeMap::new();
        parse(text, &mut found);
        assert!(found.contains_key("HundredGigE2/0/0"), "{found:?}");
        let text = "The Transceiver in slot 0 subslot 1 port 3 is enabled.\n  Transceiver Tx power = -1.0 dBm\n\
            IDPROM for transceiver TenGigabitEthernet0/1/3:\n  Transceiver Type:  = SFP+ 10GBASE-LR (273)\n";
        let mut found = BTreeMap::new();
        parse(text, &mut found);
        let f = &found["TenGigabitEthernet0/1/3"];
        assert_eq!(f.standard.map(|s| s.as_str()), Some("10GBASE-LR"));
    }

    #[test]
    fn garbage_gives_nothing_and_never_panics() {
        for text in [
            "",
            "The Transceiver in slot x subslot 0 port 0 is enabled.",
            "The Transceiver in slot 1",
            "  Tx power Network Lane[ = 3 dBm",
            "  Tx power Network Lane[99999999] = 3 dBm",
            "= = =",
        ] {
            let mut found = BTreeMap::new();
            parse(text, &mut found);
            assert!(found.is_empty(), "{text:?}: {found:?}");
        }
    }
}
