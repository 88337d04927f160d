//! How long ago a console says a link changed state, made a time that holds still from
//! one visit to the next.

use std::time::Duration;

/// Link change times that a console prints as an age ("flapped 1w2d ago"), kept from
/// one visit to the next. An age printed in days or minutes makes a time that moves by
/// the time between polls at every poll, which the readiness tracker would take for the
/// link going down and up between polls: a new time replaces the kept one only when the
/// two differ by more than the age's resolution (a real change resets the age).
#[derive(Debug, Default)]
pub struct ChangeTimes(std::sync::Mutex<std::collections::HashMap<String, std::time::SystemTime>>);

/// What the resolution of an age leaves out on top of itself: the time a poll takes.
const CHANGE_SLACK: Duration = Duration::from_secs(5);

impl ChangeTimes {
    /// The change time of `interface`, `ago` (to `resolution`) before `now`.
    pub fn settle(
        &self,
        interface: &str,
        now: std::time::SystemTime,
        (ago, resolution): (Duration, Duration),
    ) -> Option<std::time::SystemTime> {
        let computed = now.checked_sub(ago)?;
        let mut kept = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let t = match kept.get(interface) {
            Some(prev) => {
                let apart = prev
                    .duration_since(computed)
                    .or_else(|_| computed.duration_since(*prev))
                    .unwrap_or_default();
                if apart <= resolution + CHANGE_SLACK {
                    *prev
                } else {
                    computed
                }
            }
            None => computed,
        };
        kept.insert(interface.to_string(), t);
        Some(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::SystemTime;

    /// A coarse age read at every poll keeps its time; a reset age (a real change)
    /// replaces it.
    #[test]
    fn a_coarse_age_does_not_drift_and_a_reset_is_a_change() {
        let times = ChangeTimes::default();
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(2_000_000_000);
        let day = Duration::from_secs(86_400);
        let first = times.settle("et-0/0/3", t0, (9 * day, day)).unwrap();
        for k in 1..100u64 {
            // "1w2d" printed at every 60 s poll for a while, then "1w3d".
            let now = t0 + Duration::from_secs(60 * k * 20);
            let printed = if k < 50 { 9 * day } else { 10 * day };
            assert_eq!(times.settle("et-0/0/3", now, (printed, day)), Some(first));
        }
        let later = t0 + Duration::from_secs(200_000);
        let reset = times
            .settle(
                "et-0/0/3",
                later,
                (Duration::from_secs(30), Duration::from_secs(1)),
            )
            .unwrap();
        assert_eq!(reset, later - Duration::from_secs(30));
    }
}
