//! Simulated routers: interfaces that follow named scenarios, deterministic given a
//! seed. The embedded demo and most tests run on these; they go through the same
//! poller, store and exporter as real devices.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use tokio::time::Instant;

pub use lightgate_core::sim::{model, scenario, OpticModel, Scenario, SimInterface};

use super::{PollResult, ReadingSource, SourceError};

/// A simulated router, as configured.
#[derive(Debug, Clone, PartialEq)]
pub struct SimSettings {
    pub seed: u64,
    /// Each poll takes this long (to exercise timeouts and slow devices).
    pub response_delay: Duration,
    /// When true the device never answers: every poll fails with a transport error.
    pub unreachable: bool,
    /// When set to N, every Nth poll fails with a transport error (a flaky device).
    pub fail_every: Option<u32>,
    pub interfaces: BTreeMap<String, SimInterface>,
}

/// The running simulator of one device.
pub struct SimSource {
    settings: SimSettings,
    started: Instant,
    started_wall: SystemTime,
    polls: u64,
}

impl SimSource {
    pub fn new(settings: SimSettings) -> Self {
        SimSource {
            settings,
            started: Instant::now(),
            started_wall: SystemTime::now(),
            polls: 0,
        }
    }
}

impl ReadingSource for SimSource {
    async fn poll(&mut self, interfaces: &[String]) -> Result<PollResult, SourceError> {
        if !self.settings.response_delay.is_zero() {
            tokio::time::sleep(self.settings.response_delay).await;
        }
        if self.settings.unreachable {
            return Err(SourceError::Transport(
                "simulated device is unreachable".to_string(),
            ));
        }
        if let Some(n) = self.settings.fail_every.filter(|n| *n > 0) {
            if (self.polls + 1).is_multiple_of(u64::from(n)) {
                self.polls += 1;
                return Err(SourceError::Transport(format!(
                    "simulated flaky device (fails every {n} polls)"
                )));
            }
        }
        let clock = model::SimClock {
            elapsed: self.started.elapsed(),
            started_wall: self.started_wall,
            poll: self.polls,
        };
        self.polls += 1;
        Ok(interfaces
            .iter()
            .map(|name| {
                let result = match self.settings.interfaces.get(name) {
                    Some(iface) => Ok(model::read(self.settings.seed, name, iface, clock)),
                    None => Err(format!("no interface named {name:?} on this device")),
                };
                (name.clone(), result)
            })
            .collect())
    }
}
