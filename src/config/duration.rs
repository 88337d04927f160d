//! Durations written the way people write them: "10s", "5m", "1h 30m", "500ms".

use std::time::Duration;

use serde::{Deserialize, Deserializer};

/// A duration parsed with humantime; the parse error names the bad text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HumanDuration(pub Duration);

impl<'de> Deserialize<'de> for HumanDuration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        humantime::parse_duration(&text)
            .map(HumanDuration)
            .map_err(|e| {
                serde::de::Error::custom(format!(
                    "invalid duration {text:?} ({e}); write e.g. \"10s\", \"5m\" or \"1h 30m\""
                ))
            })
    }
}
