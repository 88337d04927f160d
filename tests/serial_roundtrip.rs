//! Round trips through the CLI parsers: random optics (one or four lanes, dark lanes,
//! values across the range) rendered in each dialect's real output forms, then mangled
//! the way consoles and tickets mangle text (CRLF line ends, blank lines dropped,
//! trailing spaces, a pager prompt left on a line, the command echo and prompt around
//! it), must read back value for
//! value: every lane, Rx and Tx within the printed precision, dark lanes as no light,
//! and nothing else invented.

mod common;

use common::console::dialect::{self, Iface, Lane};
use common::console::Dialect;
use lightgate::source::serial;
use proptest::prelude::*;

fn name(d: Dialect) -> &'static str {
    match d {
        Dialect::CiscoIos => "HundredGigE0/0/1",
        Dialect::CiscoNxos => "Ethernet1/49",
        Dialect::CiscoIosxr => "HundredGigE0/0/0/1",
        Dialect::AristaEos => "Ethernet49/1",
        Dialect::Junos => "et-0/0/2",
        Dialect::ArubaAoscx => "1/1/49",
    }
}

/// A value as every dialect prints it exactly: one decimal.
fn tenth(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn lane() -> impl Strategy<Value = Lane> {
    (
        prop::option::weighted(0.85, -25.0f64..3.0),
        -8.0f64..4.5,
        10.0f64..90.0,
    )
        .prop_map(|(rx, tx, bias)| Lane {
            rx: rx.map(tenth),
            tx: tenth(tx),
            bias_ma: tenth(bias),
        })
}

/// An interface of `d` with one or four lanes.
fn iface(d: Dialect) -> impl Strategy<Value = Iface> {
    (prop::bool::ANY, prop::collection::vec(lane(), 4)).prop_map(move |(four, lanes)| {
        let mut i = if four {
            dialect::lr4(name(d), None)
        } else {
            dialect::lr(name(d), false)
        };
        let n = if four { 4 } else { 1 };
        i.optic.lanes = lanes[..n].to_vec();
        i.up = i.optic.lanes.iter().all(|l| l.rx.is_some());
        i
    })
}

/// How a capture gets mangled on its way to lightgate.
#[derive(Debug, Clone, Copy)]
struct Mangle {
    crlf: bool,
    drop_blank_lines: bool,
    trailing_spaces: bool,
    echo_and_prompt: bool,
    /// A pager prompt left on a line of its own before this line (a ticket paste).
    pager_at: Option<usize>,
}

fn mangle() -> impl Strategy<Value = Mangle> {
    (
        prop::bool::ANY,
        prop::bool::ANY,
        prop::bool::ANY,
        prop::bool::ANY,
        prop::option::of(1usize..60),
    )
        .prop_map(
            |(crlf, drop_blank_lines, trailing_spaces, echo_and_prompt, pager_at)| Mangle {
                crlf,
                drop_blank_lines,
                trailing_spaces,
                echo_and_prompt,
                pager_at,
            },
        )
}

fn apply(m: Mangle, command: &str, text: &str) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    if m.drop_blank_lines {
        lines.retain(|l| !l.trim().is_empty());
    }
    if let Some(at) = m.pager_at.filter(|a| *a < lines.len()) {
        lines.insert(at, " --More-- ".to_string());
    }
    if m.trailing_spaces {
        for l in &mut lines {
            l.push_str("   ");
        }
    }
    if m.echo_and_prompt {
        lines.insert(0, format!("router#{command}"));
        lines.push("router#".to_string());
    }
    let end = if m.crlf { "\r\n" } else { "\n" };
    lines.join(end) + end
}

fn round_trip(d: Dialect, i: &Iface, m: Mangle) -> Result<(), TestCaseError> {
    // Every value exactly 0 is the no-DOM placeholder, by design not a reading.
    prop_assume!(!i
        .optic
        .lanes
        .iter()
        .all(|l| l.rx == Some(0.0) && l.tx == 0.0));
    let cmds = serial::commands(d, &i.name);
    let outputs: Vec<String> = cmds
        .iter()
        .zip(dialect::outputs(d, i))
        .map(|(c, t)| apply(m, c, &t))
        .collect();
    // Nothing but interfaces: no entry named after a heading word ("High", "Port").
    for text in &outputs {
        let port = (d == Dialect::CiscoIosxr).then_some("0/0/0/1");
        for key in d.parse(text, port).keys() {
            prop_assert!(
                key.chars().any(|c| c.is_ascii_digit()),
                "{:?} {:?}: an interface named {:?}\n{}",
                d,
                m,
                key,
                text
            );
        }
    }
    let result = serial::readings(
        d,
        std::slice::from_ref(&i.name),
        &outputs,
        std::time::SystemTime::UNIX_EPOCH,
    );
    let reading = result[&i.name]
        .as_ref()
        .map_err(|e| TestCaseError::fail(format!("{d:?} {m:?}: {e}\n{}", outputs[0])))?;
    let optic = reading
        .optic
        .as_ref()
        .ok_or_else(|| TestCaseError::fail(format!("{d:?} {m:?}: no optic\n{}", outputs[0])))?;
    let want = &i.optic.lanes;
    if want.len() == 1 {
        // A single-lane optic may be reported as the module or as lane 0.
        let (rx, tx) = match optic.lanes.as_slice() {
            [] => (optic.rx, optic.tx),
            [l] => (l.rx, l.tx),
            more => {
                return Err(TestCaseError::fail(format!(
                    "{d:?} {m:?}: {} lanes for a single-lane optic",
                    more.len()
                )))
            }
        };
        prop_assert!(
            dialect::power_read_back(d, rx, want[0].rx),
            "{d:?} {m:?}: rx {rx:?} vs {:?}\n{}",
            want[0].rx,
            outputs[0]
        );
        prop_assert!(
            dialect::power_read_back(d, tx, Some(want[0].tx)),
            "{d:?} {m:?}: tx {tx:?} vs {}\n{}",
            want[0].tx,
            outputs[0]
        );
    } else {
        prop_assert_eq!(
            optic.lanes.len(),
            want.len(),
            "{:?} {:?}\n{}",
            d,
            m,
            outputs[0]
        );
        for (k, (g, w)) in optic.lanes.iter().zip(want).enumerate() {
            prop_assert_eq!(
                usize::from(g.lane),
                k,
                "{:?} {:?}: lanes are numbered from 0",
                d,
                m
            );
            prop_assert!(
                dialect::power_read_back(d, g.rx, w.rx),
                "{d:?} {m:?} lane {}: rx {:?} vs {:?}\n{}",
                g.lane,
                g.rx,
                w.rx,
                outputs[0]
            );
            prop_assert!(
                dialect::power_read_back(d, g.tx, Some(w.tx)),
                "{d:?} {m:?} lane {}: tx {:?} vs {}\n{}",
                g.lane,
                g.tx,
                w.tx,
                outputs[0]
            );
        }
    }
    Ok(())
}

fn cases(default: u32) -> u32 {
    std::env::var("LIGHTGATE_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(64), .. ProptestConfig::default() })]

    #[test]
    fn cisco_ios_reads_back_what_it_printed(i in iface(Dialect::CiscoIos), m in mangle()) {
        round_trip(Dialect::CiscoIos, &i, m)?;
    }

    #[test]
    fn cisco_nxos_reads_back_what_it_printed(i in iface(Dialect::CiscoNxos), m in mangle()) {
        round_trip(Dialect::CiscoNxos, &i, m)?;
    }

    #[test]
    fn cisco_iosxr_reads_back_what_it_printed(i in iface(Dialect::CiscoIosxr), m in mangle()) {
        round_trip(Dialect::CiscoIosxr, &i, m)?;
    }

    #[test]
    fn arista_eos_reads_back_what_it_printed(i in iface(Dialect::AristaEos), m in mangle()) {
        round_trip(Dialect::AristaEos, &i, m)?;
    }

    #[test]
    fn junos_reads_back_what_it_printed(i in iface(Dialect::Junos), m in mangle()) {
        round_trip(Dialect::Junos, &i, m)?;
    }

    #[test]
    fn aruba_aoscx_reads_back_what_it_printed(i in iface(Dialect::ArubaAoscx), m in mangle()) {
        round_trip(Dialect::ArubaAoscx, &i, m)?;
    }
}
