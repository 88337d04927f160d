//! Durations written the way people write them: "10s", "5m", "1h 30m", "500ms", each
//! within a sane range for its setting. One parser and one set of ranges serve the
//! config file, its reloads and the command line, so "18446744073709551615s" or "1ns"
//! is a clear error naming the setting and its range, never an overflow later on.

use std::ops::Range;
use std::time::Duration;

use serde::{Deserialize, Deserializer};
use toml::Spanned;

/// A duration parsed with humantime; the parse error names the bad text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HumanDuration(pub Duration);

impl<'de> Deserialize<'de> for HumanDuration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        parse(&text)
            .map(HumanDuration)
            .map_err(serde::de::Error::custom)
    }
}

/// A duration as text, or a message naming the text.
pub fn parse(text: &str) -> Result<Duration, String> {
    humantime::parse_duration(text).map_err(|e| {
        format!("invalid duration {text:?} ({e}); write e.g. \"10s\", \"5m\" or \"1h 30m\"")
    })
}

/// The values one duration setting may take, inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    pub min: Duration,
    pub max: Duration,
}

const fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

const fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

const DAY: u64 = 86_400;

/// How often a device is polled.
pub const POLL_INTERVAL: Bounds = Bounds {
    min: ms(10),
    max: secs(DAY),
};
/// How long one poll may take (never more than the interval: see the device check).
pub const POLL_TIMEOUT: Bounds = Bounds {
    min: ms(10),
    max: secs(DAY),
};
/// How long a link must have been stable.
pub const HOLD_DOWN: Bounds = Bounds {
    min: ms(100),
    max: secs(7 * DAY),
};
/// How old a reading may be.
pub const STALENESS: Bounds = Bounds {
    min: ms(100),
    max: secs(7 * DAY),
};
/// A console step (wake, login, paging) or a show command's output.
pub const CONSOLE_TIMEOUT: Bounds = Bounds {
    min: ms(100),
    max: secs(3600),
};
/// One SNMP request.
pub const SNMP_REQUEST_TIMEOUT: Bounds = Bounds {
    min: ms(10),
    max: secs(300),
};
/// How often SNMP discovery runs again at the latest.
pub const REDISCOVER: Bounds = Bounds {
    min: secs(1),
    max: secs(30 * DAY),
};
/// How often Azure is asked.
pub const AZURE_POLL: Bounds = Bounds {
    min: ms(100),
    max: secs(DAY),
};
/// One Azure request.
pub const AZURE_REQUEST_TIMEOUT: Bounds = Bounds {
    min: ms(100),
    max: secs(600),
};
/// A simulated device's answer delay (zero allowed).
pub const SIM_DELAY: Bounds = Bounds {
    min: ms(0),
    max: secs(DAY),
};
/// A simulated flapping link's period.
pub const FLAP_PERIOD: Bounds = Bounds {
    min: ms(10),
    max: secs(DAY),
};
/// `lightgate gate --wait`.
pub const GATE_WAIT: Bounds = Bounds {
    min: ms(0),
    max: secs(7 * DAY),
};
/// `lightgate gate --interval`.
pub const GATE_INTERVAL: Bounds = Bounds {
    min: ms(100),
    max: secs(3600),
};
/// `lightgate gate --max-age`.
pub const MAX_AGE: Bounds = Bounds {
    min: secs(1),
    max: secs(DAY),
};

impl Bounds {
    /// `value` when inside, else the message saying which setting and what range.
    pub fn check(&self, what: &str, value: Duration) -> Result<Duration, String> {
        if value < self.min || value > self.max {
            return Err(format!(
                "{what} {} is out of range: {} to {}",
                show(value),
                show(self.min),
                show(self.max)
            ));
        }
        Ok(value)
    }

    /// `value` moved into the range (to keep checking the rest of a config without an
    /// overflow after an error was reported).
    pub fn clamp(&self, value: Duration) -> Duration {
        value.clamp(self.min, self.max)
    }

    /// A setting from the config: its value within range, or `report`ed and clamped.
    pub fn setting(
        &self,
        what: &str,
        value: &Spanned<HumanDuration>,
        report: &mut dyn FnMut(Range<usize>, String),
    ) -> Duration {
        let v = value.get_ref().0;
        if let Err(e) = self.check(what, v) {
            report(value.span(), e);
        }
        self.clamp(v)
    }

    /// A command-line value: parsed and within range.
    pub fn parse(&self, what: &str, text: &str) -> Result<Duration, String> {
        self.check(what, parse(text)?)
    }
}

/// A duration for messages, short even when huge.
fn show(d: Duration) -> String {
    if d >= Duration::from_secs(100 * 365 * DAY) {
        return format!("{}s", d.as_secs());
    }
    humantime::format_duration(d).to_string()
}

/// Parsers for clap's `value_parser`, one per command-line duration.
pub mod cli {
    use super::*;

    pub fn gate_wait(text: &str) -> Result<Duration, String> {
        GATE_WAIT.parse("--wait", text)
    }

    pub fn gate_interval(text: &str) -> Result<Duration, String> {
        GATE_INTERVAL.parse("--interval", text)
    }

    pub fn max_age(text: &str) -> Result<Duration, String> {
        MAX_AGE.parse("--max-age", text)
    }

    pub fn snmp_timeout(text: &str) -> Result<Duration, String> {
        SNMP_REQUEST_TIMEOUT.parse("--timeout", text)
    }

    pub fn poll_interval(text: &str) -> Result<Duration, String> {
        POLL_INTERVAL.parse("--poll-interval", text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absurd_values_are_errors_with_the_range() {
        let huge = parse("18446744073709551615s").unwrap();
        let e = POLL_INTERVAL.check("poll_interval", huge).unwrap_err();
        assert_eq!(
            e,
            "poll_interval 18446744073709551615s is out of range: 10ms to 1day"
        );
        assert!(HOLD_DOWN
            .check("hold_down", parse("999999999999h").unwrap())
            .is_err());
        assert!(POLL_INTERVAL
            .check("poll_interval", parse("1ns").unwrap())
            .is_err());
        assert!(POLL_INTERVAL
            .check("poll_interval", parse("2e18s").unwrap_or(huge))
            .is_err());
        assert_eq!(POLL_INTERVAL.check("poll_interval", secs(10)), Ok(secs(10)));
        assert_eq!(POLL_INTERVAL.clamp(huge), secs(DAY));
        assert!(cli::gate_wait("30m").is_ok());
        assert!(cli::gate_interval("1ns")
            .unwrap_err()
            .contains("--interval"));
        assert!(parse("five minutes")
            .unwrap_err()
            .contains("invalid duration"));
    }
}
