//! Property tests for the CLI parsers and the console cleaner: arbitrary input, and
//! real captures cut and mangled at random places, never make them panic or produce a
//! non-finite value.

use lightgate::source::serial::terminal::render;
use lightgate::source::serial::{parse, Dialect};
use proptest::prelude::*;

const SAMPLES: [&str; 7] = [
    include_str!("fixtures/serial/ios_transceiver_detail.txt"),
    include_str!("fixtures/serial/ios_interface.txt"),
    include_str!("fixtures/serial/junos_optics.txt"),
    include_str!("fixtures/serial/junos_terse.txt"),
    // Forms that print a power twice (mW and dBm) or thresholds in another order.
    include_str!("fixtures/serial/iosxr_controllers_interface.txt"),
    include_str!("fixtures/serial/iosxr_all_phy_sfp.txt"),
    include_str!("fixtures/serial/eos_transceiver_detail.txt"),
];

fn check(text: &str) -> Result<(), TestCaseError> {
    for d in Dialect::ALL {
        for (_, found) in d.parse(text, Some("0/0/0/0")) {
            let r = found.into_reading();
            if let Some(o) = r.optic {
                for p in [o.rx, o.tx]
                    .into_iter()
                    .chain(o.lanes.iter().flat_map(|l| [l.rx, l.tx]))
                {
                    prop_assert!(p.dbm().is_none_or(f64::is_finite));
                }
                for v in [o.temperature_celsius, o.voltage_volts, o.bias_amperes]
                    .into_iter()
                    .flatten()
                {
                    prop_assert!(v.is_finite());
                }
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in ".{0,600}") {
        check(&text)?;
        let _ = render(text.as_bytes());
    }

    #[test]
    fn mangled_captures_never_panic(which in 0usize..SAMPLES.len(), cut in 0usize..4000, insert in "[ \\-+|:/().0-9A-Za-z\\n]{0,40}", at in 0usize..4000) {
        let mut text: String = SAMPLES[which].chars().take(cut).collect();
        let pos = text.char_indices().map(|(i, _)| i).nth(at % (text.chars().count() + 1)).unwrap_or(text.len());
        text.insert_str(pos, &insert);
        check(&text)?;
    }

    /// A power printed in mW (2 to 5 decimals) beside its dBm (2 decimals) is that
    /// reading; the same mW beside a dBm 3 dB or more off is refused, never a pick.
    #[test]
    fn a_power_printed_twice_is_read_only_when_the_two_agree(
        mw in 0.001f64..20.0,
        decimals in 2usize..6,
        off in prop_oneof![Just(3.0f64), Just(-3.0f64), Just(10.0f64)],
    ) {
        let dbm = 10.0 * mw.log10();
        let mw_text = format!("{mw:.decimals$}");
        // Too few digits to carry the value (0.00 mW) is a case of its own.
        prop_assume!(mw_text.parse::<f64>().unwrap() > 0.0);
        let dbm_text = format!("{dbm:.2}");
        let read = parse::common::power_twins(Some(&mw_text), Some(&dbm_text));
        prop_assert_eq!(read.clone().ok().and_then(|p| p.dbm()), dbm_text.parse::<f64>().ok(), "{:?}", read);
        // From 0.1 mW up, two decimals carry the value to 0.2 dB: 3 dB off is a
        // disagreement. (Below, the mW text may hold too few digits to tell.)
        if mw >= 0.1 {
            let wrong = format!("{:.2}", dbm + off);
            prop_assert!(parse::common::power_twins(Some(&mw_text), Some(&wrong)).is_err());
        }
    }

    #[test]
    fn arbitrary_text_and_numbers_in_twins_never_panic(mw in ".{0,12}", dbm in ".{0,12}") {
        let _ = parse::common::power_twins(Some(&mw), Some(&dbm));
    }

    #[test]
    fn arbitrary_bytes_clean_without_panicking(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = render(&bytes);
    }
}
