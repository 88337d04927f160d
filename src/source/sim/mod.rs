//! Simulated routers: interfaces that follow named scenarios, deterministic given a
//! seed. The embedded demo and most tests run on these; they go through the same
//! poller, store and exporter as real devices.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use tokio::time::Instant;

pub use lightgate_core::sim::{model, scenario, OpticModel, Scenario, SimInterface};

use super::types::{PollResult, ReadingSource, SourceError};

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
    /// When each wanted BGP neighbour was first asked for: its session comes up
    /// [`SIM_BGP_CONVERGE`] later, as a real one would after configuration.
    bgp_since: BTreeMap<(Option<String>, std::net::IpAddr), Instant>,
}

/// How long a simulated BGP session takes to establish after it is first wanted.
pub const SIM_BGP_CONVERGE: Duration = Duration::from_secs(5);

impl SimSource {
    pub fn new(settings: SimSettings) -> Self {
        SimSource {
            settings,
            started: Instant::now(),
            started_wall: SystemTime::now(),
            polls: 0,
            bgp_since: BTreeMap::new(),
        }
    }

    /// The simulated router's BGP sessions to `wanted`: each one Idle, then Established
    /// with Microsoft's AS, 4 prefixes received and 3 advertised per family, from
    /// [`SIM_BGP_CONVERGE`] after it was first asked for; BFD down, then up with BGP.
    pub fn poll_bgp(
        &mut self,
        wanted: &[(Option<String>, std::net::IpAddr)],
    ) -> Result<Vec<crate::bgp::BgpSession>, SourceError> {
        use crate::bgp::{
            Asn, Bfd, BfdState, BgpSession, BgpState, Family, PrefixCounts, MICROSOFT_ASN,
        };
        if self.settings.unreachable {
            return Err(SourceError::Transport(
                "simulated device is unreachable".to_string(),
            ));
        }
        let now = Instant::now();
        Ok(wanted
            .iter()
            .map(|(vrf, peer)| {
                let since = *self.bgp_since.entry((vrf.clone(), *peer)).or_insert(now);
                let up = now.saturating_duration_since(since);
                let mut s = BgpSession::new(*peer, BgpState::Idle);
                s.vrf = vrf.clone();
                s.remote_as = Some(Asn(MICROSOFT_ASN));
                s.bfd = Some(Bfd {
                    state: BfdState::Down,
                    diagnostic: None,
                });
                if let Some(e) = up.checked_sub(SIM_BGP_CONVERGE) {
                    s.bfd = Some(Bfd {
                        state: BfdState::Up,
                        diagnostic: None,
                    });
                    s.state = BgpState::Established;
                    s.established_seconds = Some(e.as_secs());
                    s.prefixes.push(PrefixCounts {
                        family: Family::unicast_of(peer),
                        received: Some(4),
                        accepted: Some(4),
                        advertised: Some(3),
                    });
                }
                s
            })
            .collect())
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
