//! Property tests for the CLI parsers and the console cleaner: arbitrary input, and
//! real captures cut and mangled at random places, never make them panic or produce a
//! non-finite value.

use lightgate::source::serial::parse::{self, Dialect};
use lightgate::source::serial::terminal::render;
use proptest::prelude::*;

const SAMPLES: [&str; 4] = [
    include_str!("fixtures/serial/ios_transceiver_detail.txt"),
    include_str!("fixtures/serial/ios_interface.txt"),
    include_str!("fixtures/serial/junos_optics.txt"),
    include_str!("fixtures/serial/junos_terse.txt"),
];

fn check(text: &str) -> Result<(), TestCaseError> {
    for d in Dialect::ALL {
        for (_, found) in parse::parse(d, text, Some("0/0/0/0")) {
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
    fn mangled_captures_never_panic(which in 0usize..4, cut in 0usize..4000, insert in "[ \\-+|:/().0-9A-Za-z\\n]{0,40}", at in 0usize..4000) {
        let mut text: String = SAMPLES[which].chars().take(cut).collect();
        let pos = text.char_indices().map(|(i, _)| i).nth(at % (text.chars().count() + 1)).unwrap_or(text.len());
        text.insert_str(pos, &insert);
        check(&text)?;
    }

    #[test]
    fn arbitrary_bytes_clean_without_panicking(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = render(&bytes);
    }
}
