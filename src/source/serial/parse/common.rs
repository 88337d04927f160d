//! Shared pieces of the CLI parsers: numbers as printed, alarm flags, interface names,
//! and a builder that turns what was found into a reading.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::domain::{
    AdminStatus, LaneReading, LinkDetails, LinkReading, OperStatus, OpticReading, OpticalPower,
    Standard, Thresholds,
};

// Which lines of the text being parsed a parser read. The parsers call [`used`] on
// each line they take something from (or recognise as part of a known section); the
// lines left over that look like optical data are what lightgate could not decode.
// Scoped to one parse on one thread by [`with_marks`]; outside it `used` does nothing.
thread_local! {
    static MARKS: std::cell::RefCell<Option<Marks>> = const { std::cell::RefCell::new(None) };
}

/// The lines of one text and which of them a parser used.
struct Marks {
    base: usize,
    len: usize,
    starts: Vec<usize>,
    used: Vec<bool>,
    /// Lines a parser recognised as power values it could not decode.
    unread: Vec<bool>,
}

/// Marks `line` (a slice of the text being parsed, or of one of its lines) as read.
pub fn used(line: &str) {
    mark(line, |m, i| m.used[i] = true);
}

/// Marks `line` as optical data that a parser recognised but could not decode (a
/// table row under a power heading of an unknown kind, whose cells carry no unit):
/// it is reported as not read, like a line that looks like data.
pub fn not_read(line: &str) {
    mark(line, |m, i| m.unread[i] = true);
}

fn mark(line: &str, set: impl FnOnce(&mut Marks, usize)) {
    MARKS.with(|m| {
        if let Some(m) = m.borrow_mut().as_mut() {
            let at = (line.as_ptr() as usize).wrapping_sub(m.base);
            if at <= m.len && !m.starts.is_empty() {
                let i = m.starts.partition_point(|s| *s <= at).saturating_sub(1);
                set(m, i);
            }
        }
    });
}

/// Runs `parse` on `text` and returns its result with the lines of `text` that look
/// like optical power (a number and dBm, mW or uW) that no parser used: (line number
/// from 1, line).
pub fn with_marks<T>(text: &str, parse: impl FnOnce() -> T) -> (T, Vec<(usize, String)>) {
    let mut starts = Vec::new();
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        starts.push(at);
        at += line.len();
    }
    let marks = Marks {
        base: text.as_ptr() as usize,
        len: text.len(),
        used: vec![false; starts.len()],
        unread: vec![false; starts.len()],
        starts,
    };
    MARKS.with(|m| *m.borrow_mut() = Some(marks));
    let out = parse();
    let marks = MARKS.with(|m| m.borrow_mut().take());
    let (used, unread) = marks.map(|m| (m.used, m.unread)).unwrap_or_default();
    let flag = |v: &[bool], i: usize| v.get(i).copied().unwrap_or(false);
    let left = text
        .lines()
        .enumerate()
        .filter(|(i, l)| !flag(&used, *i) && (flag(&unread, *i) || looks_like_data(l)))
        .map(|(i, l)| (i + 1, l.trim_end().to_string()))
        .collect();
    (out, left)
}

/// A line that carries an optical power: a number and a power unit (dBm, mW, uW) or
/// "-inf", as whole words ("FNS18510TXL" holds no "tx").
fn looks_like_data(line: &str) -> bool {
    let lower = line.to_ascii_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let number = words.iter().any(|w| w.bytes().all(|b| b.is_ascii_digit()));
    let unit = words.iter().any(|w| matches!(*w, "dbm" | "mw" | "uw"))
        || (words.contains(&"inf") && lower.contains("-inf"));
    number && unit
}

/// Alarm flags CLIs print after a value: high alarm, high warning, low warning, low alarm.
pub fn is_flag(token: &str) -> bool {
    matches!(token, "++" | "+" | "-" | "--")
}

/// A number as printed ("+26.535", "-2.7", "3.29"), or None for N/A and friends.
pub fn num(token: &str) -> Option<f64> {
    let t = token.trim().trim_start_matches('+');
    let v: f64 = t.parse().ok()?;
    v.is_finite().then_some(v)
}

/// A dBm value as printed, with no light in all its spellings.
pub fn dbm(token: &str) -> OpticalPower {
    OpticalPower::parse_dbm(token).unwrap_or(OpticalPower::NotSupported)
}

/// One power printed twice, in mW and in dBm ("0.6627 mW" beside "-1.8 dBm"): a
/// reading only when the two say the same. They agree when the dBm value, in mW, lies
/// within the mW value's printed precision (half its last digit) widened by 0.5 dB;
/// a dark dBm value ("<-40.00", "-inf") agrees with a mW value that may be no more
/// than the no-light floor (0.0001 mW). Either alone is taken
/// as it is. Disagreement is no reading: `Err` says which values disagreed, for the
/// interface's note, never a pick of one of them.
pub fn power_twins(mw: Option<&str>, dbm_text: Option<&str>) -> Result<OpticalPower, String> {
    use crate::domain::power::agrees_with;
    let from_mw = mw.and_then(|t| {
        let t = t.trim().trim_end_matches("mW").trim();
        let v = num(t)?;
        let decimals = t.split_once('.').map_or(0, |(_, f)| f.len());
        let half_digit = 0.5 * 10f64.powi(-i32::try_from(decimals).unwrap_or(0));
        Some((v, half_digit, OpticalPower::from_milliwatts(v).ok()?))
    });
    let from_dbm = dbm_text
        .map(dbm)
        .filter(|p| *p != OpticalPower::NotSupported);
    let Some((mw_value, half_digit, by_mw)) = from_mw else {
        return Ok(from_dbm.unwrap_or(OpticalPower::NotSupported));
    };
    let Some(by_dbm) = from_dbm else {
        return Ok(by_mw);
    };
    if agrees_with(by_dbm.dbm(), mw_value - half_digit, mw_value + half_digit) {
        // The dBm as printed (mW columns of small powers print too few digits to
        // carry a dBm value), dark when the dBm says so.
        Ok(by_dbm)
    } else {
        Err(format!(
            "{} dBm and {} mW disagree",
            dbm_text.unwrap_or_default().trim(),
            mw.unwrap_or_default().trim()
        ))
    }
}

/// A dBm value from a CLI whose no-light floor is above the generic one: EOS prints
/// -30.00 for a dark lane (the IEEE "off transmitter" level), never a reading.
pub fn dbm_with_floor(token: &str, floor: f64) -> OpticalPower {
    match dbm(token) {
        OpticalPower::Measured(p) if p.dbm() <= floor => OpticalPower::NoLight,
        other => other,
    }
}

/// A link speed as CLIs print it: "100Gb/s", "10Gbps", "100G", "100000Mbps",
/// "1000Mb/s", in Mbit/s.
pub fn speed_mbps(token: &str) -> Option<u64> {
    let t = token.trim().trim_end_matches(',').to_ascii_lowercase();
    let digits = t.len() - t.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let n: u64 = t[..digits].parse().ok()?;
    match &t[digits..] {
        "g" | "gb/s" | "gbps" | "gbit/s" => n.checked_mul(1000),
        "m" | "mb/s" | "mbps" | "mbit/s" => Some(n),
        _ => None,
    }
}

/// Threshold text as printed (N/A means none).
pub fn threshold(token: &str) -> Option<f64> {
    num(token)
}

/// A lowercase, unabbreviated form of an interface name, for matching what a CLI
/// prints ("Twe2/1/1", "Te1/49", "Et3/1/1") with what a config or another command says
/// ("TwentyFiveGigE2/1/1", "TenGigabitEthernet1/49", "Ethernet3/1/1").
pub fn normalize_interface(name: &str) -> String {
    let lower = name.trim().to_ascii_lowercase();
    let split = lower
        .find(|c: char| c.is_ascii_digit())
        .unwrap_or(lower.len());
    let (kind, rest) = lower.split_at(split);
    let full = match kind {
        "gi" | "gig" | "gigabitethernet" | "ge" => "gigabitethernet",
        "te" | "ten" | "tengig" | "tengige" | "tengigabitethernet" => "tengigabitethernet",
        "twe" | "twentyfivegige" | "twentyfivegigabitethernet" => "twentyfivegige",
        "fo" | "fortygige" | "fortygigabitethernet" => "fortygigabitethernet",
        "fif" | "fiftygige" => "fiftygige",
        "hu" | "hundredgige" | "hundredgigabitethernet" => "hundredgige",
        "fh" | "fourhundredgige" => "fourhundredgige",
        "et" | "eth" | "ethernet" => "ethernet",
        other => other,
    };
    format!("{full}{rest}")
}

/// What one parse found about one interface.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Found {
    pub admin: Option<AdminStatus>,
    pub oper: Option<OperStatus>,
    pub optic: Option<OpticBuilder>,
    /// "transceiver is not present" and the like.
    pub note: Option<String>,
    /// The link speed the interface output shows.
    pub speed_mbps: Option<u64>,
    /// The optic's standard, when an output names the module type.
    pub standard: Option<Standard>,
    /// Values refused because the output gave them twice and the two disagree ("lane
    /// 2 rx -3.0 dBm and 0.05 mW disagree"): the note says so.
    pub inconsistent: Vec<String>,
    /// The interface's description, as the output prints it.
    pub alias: Option<String>,
    /// How long ago the link last changed state, as the output prints it ("Last link
    /// flapped 1w2d", EOS "Up 3 days, 2 hours", Junos "Last flapped : ... (2w0d 04:05
    /// ago)"), and the resolution of that age (its smallest unit printed): made a time
    /// by the poll that read it.
    pub last_change_ago: Option<(std::time::Duration, std::time::Duration)>,
}

/// Values collected for one optic, module level and per lane.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OpticBuilder {
    pub rx: Option<OpticalPower>,
    pub tx: Option<OpticalPower>,
    pub lanes: BTreeMap<u16, LaneReading>,
    pub bias_amperes: Option<f64>,
    pub temperature_celsius: Option<f64>,
    pub voltage_volts: Option<f64>,
    pub rx_thresholds: Thresholds,
    pub tx_thresholds: Thresholds,
}

impl OpticBuilder {
    pub fn lane(&mut self, lane: u16) -> &mut LaneReading {
        self.lanes.entry(lane).or_insert(LaneReading {
            lane,
            rx: OpticalPower::NotSupported,
            tx: OpticalPower::NotSupported,
            bias_amperes: None,
        })
    }

    pub fn build(self, standard: Option<Standard>) -> OpticReading {
        OpticReading {
            rx: self.rx.unwrap_or(OpticalPower::NotSupported),
            tx: self.tx.unwrap_or(OpticalPower::NotSupported),
            lanes: self.lanes.into_values().collect(),
            bias_amperes: self.bias_amperes,
            temperature_celsius: self.temperature_celsius,
            voltage_volts: self.voltage_volts,
            rx_thresholds: self.rx_thresholds.into(),
            tx_thresholds: self.tx_thresholds.into(),
            lane_count: None,
            standard,
        }
    }
}

impl Found {
    pub fn optic(&mut self) -> &mut OpticBuilder {
        self.optic.get_or_insert_with(OpticBuilder::default)
    }

    /// A power that [`power_twins`] confirmed, or no reading with the reason kept for
    /// the note (`what` names the value: "lane 2 rx").
    pub fn confirmed(&mut self, power: Result<OpticalPower, String>, what: &str) -> OpticalPower {
        power.unwrap_or_else(|why| {
            self.inconsistent.push(format!("{what} {why}"));
            OpticalPower::Inconsistent
        })
    }

    /// A reading, when the link state is known (a transceiver-only capture has none:
    /// the offline parse then reports up/up-less readings as "unknown").
    pub fn into_reading(mut self) -> LinkReading {
        let note = self.note.clone().or_else(|| {
            self.optic
                .is_none()
                .then(|| "no DOM: the output shows no transceiver values".to_string())
        });
        let standard = self.standard;
        let mut optic = self.optic.take().map(|o| o.build(standard));
        if let Some(o) = optic.as_mut() {
            self.inconsistent
                .extend(crate::domain::cross_check::module_against_lanes(o));
        }
        let mut note = match (note, self.inconsistent.is_empty()) {
            (note, true) => note,
            (None, false) => Some(format!("inconsistent: {}", self.inconsistent.join("; "))),
            (Some(n), false) => Some(format!(
                "{n}; inconsistent: {}",
                self.inconsistent.join("; ")
            )),
        };
        if optic.as_ref().is_some_and(|o| o.is_all_zero_placeholder()) {
            optic = None;
            note = Some(crate::domain::ALL_ZERO_NOTE.to_string());
        }
        LinkReading {
            admin_status: self.admin.unwrap_or(AdminStatus::Unknown),
            oper_status: self.oper.unwrap_or(OperStatus::Unknown),
            last_change: None,
            optic,
            note,
            details: LinkDetails {
                speed_mbps: self.speed_mbps,
                alias: self.alias,
                ..LinkDetails::default()
            },
        }
    }
}

/// The interface lines of `show interfaces X` on the IOS family (IOS, IOS-XE, NX-OS,
/// IOS-XR, EOS): "X is up, line protocol is up", then that interface's description,
/// last change, speed and media type until the next such line.
pub fn interface_lines(text: &str, found: &mut BTreeMap<String, Found>) {
    let mut current: Option<String> = None;
    for line in text.lines() {
        if let Some((name, admin, oper)) = state_line(line) {
            used(line);
            let e = found.entry(name.clone()).or_default();
            e.admin = Some(admin);
            e.oper = Some(oper);
            current = Some(name);
            continue;
        }
        let Some(name) = &current else { continue };
        if let Some(alias) = description_line(line) {
            found.entry(name.clone()).or_default().alias = Some(alias);
            continue;
        }
        if let Some(ago) = change_line(line) {
            found.entry(name.clone()).or_default().last_change_ago = Some(ago);
            continue;
        }
        if let Some((speed, standard)) = detail_line(line) {
            used(line);
            let e = found.entry(name.clone()).or_default();
            e.speed_mbps = speed.or(e.speed_mbps);
            e.standard = standard.or(e.standard);
        }
    }
}

/// An interface's description line: "  Description: to MSEE" (IOS, IOS-XR, NX-OS, EOS,
/// Junos).
pub fn description_line(line: &str) -> Option<String> {
    let d = line.trim().strip_prefix("Description:")?.trim();
    (!d.is_empty()).then(|| d.to_string())
}

/// How long ago the link changed state, from a line that says it, and the resolution
/// of the age as printed: NX-OS "Last link flapped 1week(s) 2day(s)" or "00:05:12",
/// IOS-XR "Last link flapped 1w2d", EOS "Up 3 days, 2 hours, 1 minutes" / "Down 12
/// minutes, 3 seconds". "never" is None.
pub fn change_line(line: &str) -> Option<(Duration, Duration)> {
    let t = line.trim();
    if let Some(rest) = t.strip_prefix("Last link flapped") {
        return age(rest);
    }
    let rest = t.strip_prefix("Up ").or_else(|| t.strip_prefix("Down "))?;
    // EOS spells its units out; a bare "Up" line of anything else is not a time.
    spelled_age(rest)
}

/// "1w2d", "00:05:12", "1week(s) 2day(s)", "3 days, 2 hours": a duration and its
/// resolution.
pub fn age(text: &str) -> Option<(Duration, Duration)> {
    if let Some(a) = spelled_age(text) {
        return Some(a);
    }
    let secs = lightgate_core::bgp::parse_uptime(text)?;
    let resolution = if text.contains(':') {
        1
    } else {
        [
            ('s', 1),
            ('m', 60),
            ('h', 3600),
            ('d', 86_400),
            ('w', 604_800),
            ('y', 31_536_000),
        ]
        .into_iter()
        .find(|(unit, _)| text.contains(*unit))
        .map_or(1, |(_, r)| r)
    };
    Some((Duration::from_secs(secs), Duration::from_secs(resolution)))
}

/// Numbers each followed by a unit word ("3 days, 2 hours", "1week(s) 2day(s)"), and
/// the smallest unit.
fn spelled_age(text: &str) -> Option<(Duration, Duration)> {
    let unit = |w: &str| -> Option<u64> {
        let w = w.trim_end_matches("(s)").trim_end_matches('s');
        Some(match w {
            "year" => 365 * 86_400,
            "week" => 7 * 86_400,
            "day" => 86_400,
            "hour" => 3600,
            "minute" => 60,
            "second" => 1,
            _ => return None,
        })
    };
    let cleaned = text.replace(',', " ");
    let mut words = Vec::new();
    for w in cleaned.split_whitespace() {
        // "1week(s)": the number and its unit together.
        let split = w.find(|c: char| !c.is_ascii_digit()).unwrap_or(w.len());
        if split > 0 && split < w.len() {
            words.push(&w[..split]);
            words.push(&w[split..]);
        } else {
            words.push(w);
        }
    }
    if words.is_empty() || words.len() % 2 != 0 {
        return None;
    }
    let mut total: u64 = 0;
    let mut smallest = u64::MAX;
    for pair in words.chunks(2) {
        let n: u64 = pair[0].parse().ok()?;
        let u = unit(pair[1])?;
        smallest = smallest.min(u);
        total = total.checked_add(n.checked_mul(u)?)?;
    }
    Some((Duration::from_secs(total), Duration::from_secs(smallest)))
}

/// The link state line of `show interfaces X` on IOS, IOS-XE, IOS-XR, NX-OS and EOS:
/// "Gi1/0/1 is up, line protocol is up", "X is administratively down, line protocol is
/// down", "Ethernet1/1 is down (Administratively down)", "X is down (notconnect)".
pub fn state_line(line: &str) -> Option<(String, AdminStatus, OperStatus)> {
    let (name, rest) = line.trim().split_once(" is ")?;
    if name.contains(' ') || name.is_empty() {
        return None;
    }
    let rest = rest.to_ascii_lowercase();
    let admin_down = rest.starts_with("administratively down")
        || rest.contains("(administratively down)")
        || rest.contains("(disabled)");
    let oper_up = if let Some(lp) = rest.split("line protocol is ").nth(1) {
        lp.starts_with("up")
    } else {
        rest.starts_with("up")
    };
    if !(rest.starts_with("up") || rest.starts_with("down") || rest.starts_with("administratively"))
    {
        return None;
    }
    let admin = if admin_down {
        AdminStatus::Down
    } else {
        AdminStatus::Up
    };
    let oper = if oper_up {
        OperStatus::Up
    } else {
        OperStatus::Down
    };
    Some((name.to_string(), admin, oper))
}

/// A line of `show interfaces X` that gives the speed or the module type: IOS
/// "Full Duplex, 100000Mbps, link type is force-up, media type is QSFP 100G LR4",
/// EOS "Full-duplex, 100Gb/s, auto negotiation: off", NX-OS "full-duplex, 100 Gb/s".
pub fn detail_line(line: &str) -> Option<(Option<u64>, Option<Standard>)> {
    let lower = line.to_ascii_lowercase();
    if !lower.contains("duplex") && !lower.contains("media type") {
        return None;
    }
    let words: Vec<&str> = line.split([',', ' ']).filter(|w| !w.is_empty()).collect();
    let speed = words.iter().enumerate().find_map(|(i, w)| {
        speed_mbps(w).or_else(|| {
            // "100 Gb/s": the number and its unit apart.
            let unit = words.get(i + 1)?;
            w.parse::<u64>().ok()?;
            speed_mbps(&format!("{w}{unit}"))
        })
    });
    let standard = lower
        .find("media type is")
        .and_then(|i| Standard::detect(&line[i + "media type is".len()..]));
    (speed.is_some() || standard.is_some()).then_some((speed, standard))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_change_ages_of_every_dialect_with_their_resolution() {
        let d = |s: u64| Duration::from_secs(s);
        let day = 86_400;
        assert_eq!(
            change_line("  Last link flapped 1week(s) 2day(s)"),
            Some((d(9 * day), d(day)))
        );
        assert_eq!(
            change_line("Last link flapped 1w2d"),
            Some((d(9 * day), d(day)))
        );
        assert_eq!(
            change_line("Last link flapped 00:05:12"),
            Some((d(312), d(1)))
        );
        assert_eq!(change_line("Last link flapped never"), None);
        assert_eq!(
            change_line("  Up 3 days, 2 hours, 1 minutes"),
            Some((d(3 * day + 7200 + 60), d(60)))
        );
        assert_eq!(
            change_line("  Down 12 minutes, 3 seconds"),
            Some((d(723), d(1)))
        );
        assert_eq!(change_line("  Up time is great"), None);
        assert_eq!(
            description_line("  Description: to MSEE link1"),
            Some("to MSEE link1".to_string())
        );
        assert_eq!(description_line("  Description:"), None);
    }

    #[test]
    fn lines_with_optical_power_that_no_parser_read_are_reported() {
        let text = "Te1/1 is up, line protocol is up\n  Rx power far end = -3.10 dBm\n  serial number is FNS18510TXL\n  Tx power = -1.0 dBm\n";
        let ((), left) = with_marks(text, || {
            for (i, line) in text.lines().enumerate() {
                if i == 0 || i == 3 {
                    used(line.trim());
                }
            }
        });
        assert_eq!(
            left,
            vec![(2, "  Rx power far end = -3.10 dBm".to_string())]
        );
        // Outside a marked parse, `used` does nothing.
        used("x");
    }

    #[test]
    fn exact_zeros_on_rx_and_tx_are_no_reading_not_zero_dbm() {
        // A passive cable in a table form: the device writes 0.0 for both.
        let text = "\
                                           Optical   Optical
            Temperature  Voltage  Current   Tx Power  Rx Power
Port        (Celsius)    (Volts)  (mA)      (dBm)     (dBm)
---------   -----------  -------  --------  --------  --------
Te1/1/1       0.0        0.00       0.0       0.0       0.0
Te1/1/2      31.2        3.29       6.1      -2.2      -0.0
";
        let found = super::super::parse(super::super::tables::ios_output, text, None);
        let dac = super::super::lookup(&found, "Te1/1/1")
            .unwrap()
            .clone()
            .into_reading();
        assert!(dac.optic.is_none(), "{dac:?}");
        assert_eq!(dac.note.as_deref(), Some(crate::domain::ALL_ZERO_NOTE));
        // One value at 0 dBm beside a real one is a reading.
        let real = super::super::lookup(&found, "Te1/1/2")
            .unwrap()
            .clone()
            .into_reading();
        let o = real.optic.unwrap();
        assert_eq!(o.rx.dbm(), Some(0.0));
        assert_eq!(o.tx.dbm(), Some(-2.2));
    }

    #[test]
    fn names_normalize_across_abbreviations() {
        assert_eq!(
            normalize_interface("Twe2/1/1"),
            normalize_interface("TwentyFiveGigE2/1/1")
        );
        assert_eq!(
            normalize_interface("Te0/0/5"),
            normalize_interface("TenGigabitEthernet0/0/5")
        );
        assert_eq!(
            normalize_interface("Et3/1/1"),
            normalize_interface("Ethernet3/1/1")
        );
        assert_eq!(normalize_interface("xe-0/1/7"), "xe-0/1/7");
        assert_ne!(normalize_interface("Gi1/1"), normalize_interface("Te1/1"));
    }

    #[test]
    fn state_lines_of_every_dialect() {
        use AdminStatus as A;
        use OperStatus as O;
        let s = |l: &str| state_line(l).map(|(_, a, o)| (a, o));
        assert_eq!(
            s("GigabitEthernet1/0/1 is up, line protocol is up (connected)"),
            Some((A::Up, O::Up))
        );
        assert_eq!(
            s("Te1/1 is administratively down, line protocol is down"),
            Some((A::Down, O::Down))
        );
        assert_eq!(
            s("Ethernet1/1 is down (Administratively down)"),
            Some((A::Down, O::Down))
        );
        assert_eq!(s("Ethernet1/2 is up"), Some((A::Up, O::Up)));
        assert_eq!(
            s("Ethernet3 is down, line protocol is down (notconnect)"),
            Some((A::Up, O::Down))
        );
        assert_eq!(s("transceiver is present"), None);
        assert_eq!(s("Hardware is C6k 1000Mb 802.3"), None);
    }

    #[test]
    fn interface_details_give_speed_and_media() {
        assert_eq!(
            detail_line(
                "  Full Duplex, 100000Mbps, link type is force-up, media type is QSFP 100G LR4"
            ),
            Some((Some(100_000), Some(Standard::HundredGBaseLr4)))
        );
        assert_eq!(
            detail_line("  Full-duplex, 100Gb/s, auto negotiation: off, uni-link: disabled"),
            Some((Some(100_000), None))
        );
        assert_eq!(
            detail_line("  full-duplex, 10 Gb/s, media type is 10G"),
            Some((Some(10_000), None))
        );
        assert_eq!(detail_line("  Description: to MSEE link2"), None);
    }

    #[test]
    fn speeds_as_printed() {
        assert_eq!(speed_mbps("100Gb/s,"), Some(100_000));
        assert_eq!(speed_mbps("100000Mbps"), Some(100_000));
        assert_eq!(speed_mbps("10G"), Some(10_000));
        assert_eq!(speed_mbps("auto"), None);
        assert_eq!(speed_mbps("99999999999999999999G"), None);
    }

    #[test]
    fn the_eos_floor_is_no_light() {
        assert_eq!(dbm_with_floor("-30.00", -30.0), OpticalPower::NoLight);
        assert_eq!(dbm_with_floor("-29.99", -30.0).dbm(), Some(-29.99));
        assert_eq!(dbm_with_floor("0.00", -30.0).dbm(), Some(0.0));
    }

    #[test]
    fn a_power_printed_twice_is_a_reading_only_when_both_agree() {
        let twins = |mw: &str, d: &str| power_twins(Some(mw), Some(d));
        assert_eq!(twins("0.6627", "-1.8").unwrap().dbm(), Some(-1.8));
        assert_eq!(
            twins("1.38250 mW", "1.40665 dBm").unwrap().dbm(),
            Some(1.40665)
        );
        assert!(twins("0.0001", "-40.0").unwrap().is_no_light());
        assert!(twins("0.000", "<-40.00").unwrap().is_no_light());
        // 0.003 mW prints as 0.00 with two decimals: the same light, not a dispute.
        assert_eq!(twins("0.00", "-25.2").unwrap().dbm(), Some(-25.2));
        // A tenth of the power, a lit value against a dark one: no reading.
        assert!(twins("0.0501", "-3.0").is_err());
        assert!(twins("0.5012", "-40.0").is_err());
        assert!(twins("0.0000", "-3.0").is_err());
        // One of the two missing: the other as it is.
        assert_eq!(power_twins(None, Some("-2.0")).unwrap().dbm(), Some(-2.0));
        assert_eq!(
            power_twins(Some("junk"), None),
            Ok(OpticalPower::NotSupported)
        );
    }

    #[test]
    fn numbers_and_darkness() {
        assert_eq!(num("+26.535"), Some(26.535));
        assert_eq!(num("N/A"), None);
        assert_eq!(dbm("- Inf"), OpticalPower::NoLight);
        assert_eq!(dbm("<-40.00"), OpticalPower::NoLight);
        assert_eq!(dbm("Unavailable"), OpticalPower::NotSupported);
    }
}
