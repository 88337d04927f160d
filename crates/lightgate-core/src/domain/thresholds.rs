//! The optic's own alarm and warning thresholds, and which of them a reading crosses.

/// The four thresholds an optic carries for one quantity (SFF-8472/8636 order: high
/// alarm, low alarm, high warning, low warning). `None` means the optic gives none;
/// a threshold of 0 dBm is a real threshold, never "missing".
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Thresholds {
    pub high_alarm: Option<f64>,
    pub high_warning: Option<f64>,
    pub low_warning: Option<f64>,
    pub low_alarm: Option<f64>,
}

/// One of the four threshold levels, named as in the metrics' `level` label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    HighAlarm,
    HighWarning,
    LowWarning,
    LowAlarm,
}

impl Level {
    pub const ALL: [Level; 4] = [
        Level::HighAlarm,
        Level::HighWarning,
        Level::LowWarning,
        Level::LowAlarm,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Level::HighAlarm => "high_alarm",
            Level::HighWarning => "high_warning",
            Level::LowWarning => "low_warning",
            Level::LowAlarm => "low_alarm",
        }
    }

    /// Human words for messages ("high alarm").
    pub fn words(&self) -> &'static str {
        match self {
            Level::HighAlarm => "high alarm",
            Level::HighWarning => "high warning",
            Level::LowWarning => "low warning",
            Level::LowAlarm => "low alarm",
        }
    }
}

impl Thresholds {
    /// Sets the value of one level.
    pub fn set(&mut self, level: Level, value: Option<f64>) {
        match level {
            Level::HighAlarm => self.high_alarm = value,
            Level::HighWarning => self.high_warning = value,
            Level::LowWarning => self.low_warning = value,
            Level::LowAlarm => self.low_alarm = value,
        }
    }

    /// The value of one level.
    pub fn get(&self, level: Level) -> Option<f64> {
        match level {
            Level::HighAlarm => self.high_alarm,
            Level::HighWarning => self.high_warning,
            Level::LowWarning => self.low_warning,
            Level::LowAlarm => self.low_alarm,
        }
    }

    /// True when no threshold is known.
    pub fn is_empty(&self) -> bool {
        Level::ALL.iter().all(|l| self.get(*l).is_none())
    }

    /// The alarm threshold that `value` crosses, if any: strictly above the high alarm
    /// or strictly below the low alarm (a value sitting on the threshold is not past it).
    pub fn alarm_crossed(&self, value: f64) -> Option<(Level, f64)> {
        if let Some(high) = self.high_alarm.filter(|h| value > *h) {
            return Some((Level::HighAlarm, high));
        }
        if let Some(low) = self.low_alarm.filter(|l| value < *l) {
            return Some((Level::LowAlarm, low));
        }
        None
    }

    /// The warning threshold that `value` crosses, if any (same rule as alarms).
    pub fn warning_crossed(&self, value: f64) -> Option<(Level, f64)> {
        if let Some(high) = self.high_warning.filter(|h| value > *h) {
            return Some((Level::HighWarning, high));
        }
        if let Some(low) = self.low_warning.filter(|l| value < *l) {
            return Some((Level::LowWarning, low));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lr4_rx() -> Thresholds {
        Thresholds {
            high_alarm: Some(5.5),
            high_warning: Some(2.5),
            low_warning: Some(-13.0),
            low_alarm: Some(-16.0),
        }
    }

    #[test]
    fn alarms_are_crossed_strictly_beyond_the_threshold() {
        let t = lr4_rx();
        assert_eq!(t.alarm_crossed(-3.0), None);
        assert_eq!(t.alarm_crossed(-16.0), None);
        assert_eq!(t.alarm_crossed(-16.01), Some((Level::LowAlarm, -16.0)));
        assert_eq!(t.alarm_crossed(6.0), Some((Level::HighAlarm, 5.5)));
        assert_eq!(t.warning_crossed(-14.0), Some((Level::LowWarning, -13.0)));
        assert_eq!(t.warning_crossed(3.0), Some((Level::HighWarning, 2.5)));
        assert_eq!(t.warning_crossed(0.0), None);
    }

    #[test]
    fn a_zero_dbm_threshold_is_a_real_threshold() {
        let t = Thresholds {
            high_alarm: Some(0.0),
            ..Default::default()
        };
        assert_eq!(t.alarm_crossed(0.1), Some((Level::HighAlarm, 0.0)));
        assert!(!t.is_empty());
    }

    #[test]
    fn missing_thresholds_never_fire() {
        let t = Thresholds::default();
        assert!(t.is_empty());
        assert_eq!(t.alarm_crossed(-100.0), None);
        assert_eq!(t.warning_crossed(100.0), None);
    }
}
