//! What each device's routers said about their BGP sessions, and the peerings of a
//! port judged on it.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::bgp::{evaluate_peering, BgpSession, BgpState, PeeringReadiness, RouterSessions};
use crate::config::PortConfig;
use crate::domain::{AzurePort, LinkId};
use crate::shard::Shard;

/// A session's established time is the read time minus the up time the router
/// reports; two reads of an unbroken session agree within this (rounding, the read's
/// own duration), so the timestamp moves only when the session really restarted.
const ESTABLISHED_JITTER: f64 = 5.0;

/// When each established session of a device came up (Unix seconds), by (VRF,
/// neighbour).
pub type EstablishedAt = HashMap<(Option<String>, IpAddr), f64>;

/// The BGP sessions of one device, most recently read.
#[derive(Debug, Clone, Default)]
pub struct BgpObservation {
    pub sessions: Option<Vec<BgpSession>>,
    pub read_at: Option<Instant>,
    pub read_at_wall: Option<SystemTime>,
    /// Why the latest read failed, while it does.
    pub error: Option<String>,
    /// Reads so far, either way (for change signatures).
    pub reads: u64,
    /// When each established session came up (Unix seconds), kept steady across reads.
    pub established_at: EstablishedAt,
    /// Sessions seen leaving established, or coming up again (restarted between two
    /// reads), since the agent started, by (VRF, neighbour).
    pub flaps: HashMap<(Option<String>, IpAddr), u64>,
}

impl BgpObservation {
    /// Records one read.
    pub fn record(
        &mut self,
        outcome: &Result<Vec<BgpSession>, String>,
        now: Instant,
        wall: SystemTime,
    ) {
        self.reads += 1;
        match outcome {
            Ok(sessions) => {
                let read = wall
                    .duration_since(UNIX_EPOCH)
                    .map(|d| d.as_secs_f64())
                    .unwrap_or(0.0);
                let mut next = HashMap::new();
                let mut flapped: Vec<(Option<String>, IpAddr)> = Vec::new();
                for s in sessions {
                    let key = (s.vrf.clone(), s.peer);
                    let was_up = self.established_at.get(&key).copied();
                    let (Some(up), BgpState::Established) = (s.established_seconds, s.state) else {
                        if was_up.is_some() {
                            flapped.push(key); // left established
                        }
                        continue;
                    };
                    let at = read - up as f64;
                    let kept = match was_up {
                        Some(prev) if (prev - at).abs() <= ESTABLISHED_JITTER => prev,
                        Some(_) => {
                            flapped.push(key.clone()); // came up again between reads
                            at
                        }
                        None => at,
                    };
                    next.insert(key, kept);
                }
                for key in flapped {
                    *self.flaps.entry(key).or_default() += 1;
                }
                self.established_at = next;
                let mut sessions = sessions.clone();
                for s in &mut sessions {
                    let key = (s.vrf.clone(), s.peer);
                    s.flaps_seen = Some(self.flaps.get(&key).copied().unwrap_or(0));
                }
                self.sessions = Some(sessions);
                self.read_at = Some(now);
                self.read_at_wall = Some(wall);
                self.error = None;
            }
            Err(e) => self.error = Some(e.clone()),
        }
    }
}

/// The readiness of every peering in `specs` of `port`.
pub fn peerings(
    bgp: &HashMap<String, BgpObservation>,
    shard: Option<Shard>,
    port: &PortConfig,
    azure: Option<&AzurePort>,
    now: Instant,
) -> Vec<PeeringReadiness> {
    let specs = crate::peerings::specs(port, azure);
    let router = |link: LinkId| {
        let device = port.link(link).device.as_str();
        // Polled by another shard: nothing local to judge it on.
        if let Some(s) = shard.filter(|s| !s.owns(device)) {
            return (
                device,
                None,
                None,
                Some(format!(
                    "polled by another lightgate agent (this one is shard {s})"
                )),
            );
        }
        let o = bgp.get(device);
        (
            device,
            o.and_then(|o| o.sessions.as_deref()),
            o.and_then(|o| o.read_at)
                .map(|t| now.saturating_duration_since(t)),
            o.and_then(|o| o.error.clone()),
        )
    };
    let both = [router(LinkId::Link1), router(LinkId::Link2)];
    specs
        .iter()
        .map(|spec| {
            let routers = [LinkId::Link1, LinkId::Link2].map(|link| {
                let (device, sessions, age, error) = &both[link as usize];
                RouterSessions {
                    link,
                    device,
                    sessions: *sessions,
                    age: *age,
                    error: error.as_deref(),
                }
            });
            evaluate_peering(spec, routers, port.staleness.max(Duration::from_secs(1)))
        })
        .collect()
}
