//! How long to wait before trying again, for every client lightgate has (Azure's
//! management and identity endpoints, SNMP requests, console visits): doubling waits
//! up to a cap, spread by a share of jitter so that many clients failing together do
//! not retry together, and a server's Retry-After honoured up to a cap. Pure: time and
//! the jitter's seed come in; the caller sleeps and logs.

use std::time::{Duration, SystemTime};

/// Doubling waits from a first one up to a cap.
#[derive(Debug, Clone, PartialEq)]
pub struct Backoff {
    next: Duration,
    max: Duration,
    /// Each wait is spread by up to this share either way (0: exact).
    jitter: f64,
    state: u64,
}

/// One wait, and what a server asked for when the cap cut it short (for the log).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Wait {
    pub wait: Duration,
    pub capped_from: Option<Duration>,
}

impl Backoff {
    /// Waits of `first`, twice that, and so on, never above `max`.
    pub fn new(first: Duration, max: Duration) -> Backoff {
        Backoff {
            next: first.min(max),
            max,
            jitter: 0.0,
            state: 0,
        }
    }

    /// Each wait spread by up to `share` (0..1) either way, from a generator seeded
    /// with `seed` (a device name's hash, the time: anything that differs by client).
    pub fn with_jitter(mut self, share: f64, seed: u64) -> Backoff {
        self.jitter = share.clamp(0.0, 1.0);
        self.state = seed | 1;
        self
    }

    /// The wait before the next try; the one after it doubles (up to the cap).
    pub fn next_wait(&mut self) -> Duration {
        let base = self.next;
        self.next = self.next.saturating_mul(2).min(self.max);
        if self.jitter == 0.0 {
            return base;
        }
        // xorshift64: enough to spread clients, no cryptography needed.
        self.state ^= self.state << 13;
        self.state ^= self.state >> 7;
        self.state ^= self.state << 17;
        let unit = (self.state >> 11) as f64 / (1u64 << 53) as f64;
        base.mul_f64(1.0 + self.jitter * (2.0 * unit - 1.0))
    }

    /// The wait a server asked for (`asked`, its Retry-After), else the next backoff
    /// wait; never above `cap`, saying so when a server's wish was cut short. The
    /// backoff advances either way.
    pub fn after(&mut self, asked: Option<Duration>, cap: Duration) -> Wait {
        let own = self.next_wait();
        let wait = asked.unwrap_or(own);
        Wait {
            wait: wait.min(cap),
            capped_from: asked.filter(|a| *a > cap),
        }
    }
}

/// A Retry-After value in either form HTTP allows: delay-seconds, or an HTTP-date
/// (RFC 9110 section 10.2.3), as a wait from `now` (a date in the past is no wait).
pub fn retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(v).ok()?;
    Some(at.duration_since(now).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Duration = Duration::from_secs(1);

    #[test]
    fn waits_double_up_to_the_cap() {
        let mut b = Backoff::new(5 * S, 300 * S);
        let waits: Vec<u64> = (0..9).map(|_| b.next_wait().as_secs()).collect();
        assert_eq!(waits, [5, 10, 20, 40, 80, 160, 300, 300, 300]);
        assert_eq!(
            Backoff::new(10 * S, 3 * S).next_wait(),
            3 * S,
            "first above the cap"
        );
    }

    #[test]
    fn jitter_spreads_each_wait_within_its_share_and_differs_by_seed() {
        let mut a = Backoff::new(10 * S, 10 * S).with_jitter(0.2, 1);
        let mut b = Backoff::new(10 * S, 10 * S).with_jitter(0.2, 2);
        let wa: Vec<Duration> = (0..20).map(|_| a.next_wait()).collect();
        let wb: Vec<Duration> = (0..20).map(|_| b.next_wait()).collect();
        assert!(
            wa.iter().chain(&wb).all(|w| *w >= 8 * S && *w <= 12 * S),
            "{wa:?}"
        );
        assert_ne!(wa, wb, "two clients do not retry in step");
        assert!(wa.iter().any(|w| *w != wa[0]), "{wa:?}");
    }

    #[test]
    fn a_servers_wish_is_honoured_up_to_the_cap_and_the_cut_is_reported() {
        let mut b = Backoff::new(S / 2, 30 * S);
        assert_eq!(
            b.after(Some(7 * S), 30 * S),
            Wait {
                wait: 7 * S,
                capped_from: None
            }
        );
        assert_eq!(
            b.after(Some(120 * S), 30 * S),
            Wait {
                wait: 30 * S,
                capped_from: Some(120 * S)
            }
        );
        // Without a wish, the backoff (which advanced meanwhile): 0.5, 1, then 2 s.
        assert_eq!(b.after(None, 30 * S).wait, 2 * S);
    }

    #[test]
    fn retry_after_is_read_in_seconds_and_as_an_http_date() {
        let now = httpdate::parse_http_date("Mon, 07 Dec 2026 10:00:00 GMT").unwrap();
        assert_eq!(retry_after(" 7 ", now), Some(7 * S));
        assert_eq!(
            retry_after("Mon, 07 Dec 2026 10:00:12 GMT", now),
            Some(12 * S)
        );
        assert_eq!(
            retry_after("Mon, 07 Dec 2026 09:59:00 GMT", now),
            Some(Duration::ZERO),
            "a date in the past is no wait"
        );
        assert_eq!(retry_after("soon", now), None);
    }
}
