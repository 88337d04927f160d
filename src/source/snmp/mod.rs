//! The `snmp` source: link state from IF-MIB and optical DOM from the vendor's MIB,
//! over SNMP v1, v2c or v3 (snmp2 does the protocol).
//!
//! Discovery (names, entity tree, sensor scales, thresholds) is cached in a [`Plan`];
//! a steady-state poll is one GET of only the cells the configured interfaces need,
//! packed into as few PDUs as the agent accepts.

pub use lightgate_snmp::{
    client, discovery, explain, oids, plan, probe, probe_explained, profiles, settings, types,
};

use std::sync::OnceLock;

use tokio::sync::Semaphore;
use tokio::time::Instant;

pub use client::Counters;
pub use settings::{SnmpSettings, SnmpVersion, Vendor};

use super::types::{PollResult, ReadingSource, SourceError, Traffic};
use client::Client;
use discovery::Wanted;
use plan::Plan;

/// At most this many SNMP devices are polled at the same moment, so a large site does
/// not open thousands of sockets and bursts at once.
pub const MAX_DEVICES_IN_FLIGHT: usize = 64;

fn in_flight() -> &'static Semaphore {
    static SEM: OnceLock<Semaphore> = OnceLock::new();
    SEM.get_or_init(|| Semaphore::new(MAX_DEVICES_IN_FLIGHT))
}

/// Discoveries in flight together hold at most about this many varbinds. A discovery
/// holds its whole walk of the entity and sensor tables until its plan is made (about
/// 10,000 varbinds, over a megabyte, for a 48-optic Cisco; 300 for a Juniper of the
/// same size), so the number run at once follows their measured cost rather than a
/// constant: at agent start every device needs one, and 64 large ones at once made the
/// agent's peak memory several times its steady size (see BENCHMARKS.md), while eight
/// at a time left the first cycle of a fleet of small ones waiting in line.
pub const DISCOVERY_BUDGET_VARBINDS: u32 = 80_000;

/// What a device's first discovery is assumed to cost before any has been measured:
/// a 48-optic Cisco, so eight run at once until the fleet's own cost is known.
const DISCOVERY_COST_GUESS: u32 = DISCOVERY_BUDGET_VARBINDS / 8;

fn discovery_budget() -> &'static Semaphore {
    static SEM: OnceLock<Semaphore> = OnceLock::new();
    SEM.get_or_init(|| Semaphore::new(DISCOVERY_BUDGET_VARBINDS as usize))
}

/// The mean measured cost of discoveries so far (varbinds), for devices not yet
/// discovered: a running mean updated by each discovery.
static DISCOVERY_COST_MEAN: std::sync::atomic::AtomicU32 =
    std::sync::atomic::AtomicU32::new(DISCOVERY_COST_GUESS);

/// The budget share a discovery takes: what this device's last one cost, or the
/// fleet's mean so far; never more than the whole budget, never nothing.
fn discovery_permits(own: Option<u32>) -> u32 {
    permits_for(
        own,
        DISCOVERY_COST_MEAN.load(std::sync::atomic::Ordering::Relaxed),
    )
}

fn permits_for(own: Option<u32>, mean: u32) -> u32 {
    own.unwrap_or(mean).clamp(1, DISCOVERY_BUDGET_VARBINDS)
}

fn mean_after(mean: u32, varbinds: u32) -> u32 {
    ((u64::from(mean) * 7 + u64::from(varbinds)) / 8) as u32
}

/// Folds one measured discovery into the fleet's mean (an exponential mean, weight
/// 1/8: a few large routers do not hide a fleet of small ones for long).
fn record_discovery_cost(varbinds: u32) {
    use std::sync::atomic::Ordering;
    let _ = DISCOVERY_COST_MEAN.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |mean| {
        Some(mean_after(mean, varbinds))
    });
}

/// One SNMP device.
pub struct SnmpSource {
    settings: SnmpSettings,
    plan: Option<(Plan, Vec<String>, Instant)>,
    /// Why the plan must be rebuilt at the next poll.
    rediscover: Option<String>,
    /// A v3 session is kept (engine discovery costs a round trip); v1/v2c sessions are
    /// opened per poll, which keeps memory flat across thousands of devices. (Boxed:
    /// inline, every v2c device carried 416 bytes for it.)
    v3_client: Option<Box<Client>>,
    /// The GET size the agent accepts, learned from its tooBig answers.
    max_get: Option<usize>,
    counters: Counters,
    /// The BGP tables found and when (None: not walked yet).
    bgp: Option<(lightgate_snmp::bgp::Discovery, Instant)>,
    /// Varbinds this device's last discovery returned: its share of the discovery
    /// budget next time.
    discovery_cost: Option<u32>,
}

/// A wanted BGP neighbour discovery did not find is looked for again no sooner than
/// this (configuring a neighbour takes minutes; a walk every poll would not help).
const BGP_MISSING_RETRY: std::time::Duration = std::time::Duration::from_secs(60);

impl SnmpSource {
    pub fn new(settings: SnmpSettings) -> Self {
        SnmpSource {
            settings,
            plan: None,
            rediscover: None,
            v3_client: None,
            max_get: None,
            counters: Counters::default(),
            bgp: None,
            discovery_cost: None,
        }
    }

    /// Reads the BGP sessions with `wanted`: the tables are walked once (again after
    /// the rediscovery interval, after a trap, or a minute after a wanted neighbour
    /// was missing), then each read GETs only the wanted sessions' cells.
    pub async fn poll_bgp(
        &mut self,
        wanted: &[super::types::BgpWanted],
    ) -> Result<Vec<lightgate_core::bgp::BgpSession>, SourceError> {
        let _permit = in_flight()
            .acquire()
            .await
            .map_err(|_| SourceError::Transport("the agent is shutting down".to_string()))?;
        // Boxed once it may run, as a poll is.
        Box::pin(self.bgp_now(wanted)).await
    }

    async fn bgp_now(
        &mut self,
        wanted: &[super::types::BgpWanted],
    ) -> Result<Vec<lightgate_core::bgp::BgpSession>, SourceError> {
        let mut client = self.checkout().await?;
        let result = self.bgp_with(&mut client, wanted).await;
        self.checkin(client, matches!(result, Err(SourceError::Auth(_))));
        result
    }

    /// A client for one poll, with the GET size learned so far.
    async fn checkout(&mut self) -> Result<Client, SourceError> {
        let mut client = self.client().await?;
        if let Some(n) = self.max_get {
            client.set_max_get(n);
        }
        Ok(client)
    }

    /// Keeps what the poll learned: the GET size, and the v3 session unless it failed
    /// to authenticate.
    fn checkin(&mut self, client: Client, auth_failed: bool) {
        self.max_get = Some(client.max_get());
        if self.settings.version == SnmpVersion::V3 && !auth_failed {
            self.v3_client = Some(Box::new(client));
        }
    }

    async fn bgp_with(
        &mut self,
        client: &mut Client,
        wanted: &[super::types::BgpWanted],
    ) -> Result<Vec<lightgate_core::bgp::BgpSession>, SourceError> {
        use lightgate_snmp::bgp;
        let addrs: Vec<std::net::IpAddr> = wanted.iter().map(|(_, a)| *a).collect();
        let mut discovered_now = false;
        loop {
            let stale = match &self.bgp {
                None => true,
                // A device without any BGP table is asked again only at the
                // rediscovery interval: no probe storm, one error.
                Some((d, at)) => {
                    at.elapsed() >= self.settings.rediscover_interval
                        || (d.has_table()
                            && at.elapsed() >= BGP_MISSING_RETRY
                            && !bgp::plan(d, &addrs).missing.is_empty())
                }
            };
            if stale && !discovered_now {
                let d = bgp::discover(client, &mut self.counters).await?;
                tracing::debug!(address = %self.settings.address, tables = ?d.mibs, sessions = d.sessions.len(), "BGP tables discovered.");
                self.bgp = Some((d, Instant::now()));
                discovered_now = true;
            }
            let Some((d, _)) = &self.bgp else {
                return Err(SourceError::Decode("no BGP discovery".to_string()));
            };
            if !d.has_table() {
                return Err(SourceError::Decode(bgp::Discovery::NO_TABLE.to_string()));
            }
            let plan = bgp::plan(d, &addrs);
            let polled = bgp::poll(client, &plan, &mut self.counters).await?;
            if polled.restarted {
                // Every index-keyed row may name another neighbour now: walk again
                // before anything is attributed.
                tracing::info!(address = %self.settings.address, "The device restarted (sysUpTime went back): rediscovering its BGP tables.");
                self.bgp = None;
                if discovered_now {
                    return Err(SourceError::Decode(
                        "the device restarted twice during one BGP read".to_string(),
                    ));
                }
                continue;
            }
            let sessions = polled.sessions;
            let gone = plan
                .found
                .iter()
                .any(|a| !sessions.iter().any(|s| s.peer == *a));
            if gone && !discovered_now {
                // A planned row went away (the neighbour was removed or re-indexed).
                self.bgp = None;
                continue;
            }
            return Ok(sessions);
        }
    }

    /// Request and varbind counts so far.
    pub fn counters(&self) -> Counters {
        self.counters
    }

    async fn client(&mut self) -> Result<Client, SourceError> {
        match self.v3_client.take() {
            Some(c) => Ok(*c),
            None => Client::connect(&self.settings, &mut self.counters).await,
        }
    }

    fn needs_discovery(&self, interfaces: &[String]) -> Option<String> {
        match &self.plan {
            None => Some("first poll".to_string()),
            Some((_, names, _)) if names.as_slice() != interfaces => {
                Some("the configured interfaces changed".to_string())
            }
            Some((_, _, at)) if at.elapsed() >= self.settings.rediscover_interval => {
                Some("periodic rediscovery".to_string())
            }
            Some(_) => self.rediscover.clone(),
        }
    }

    /// Walks the device for `interfaces` and keeps the plan, with what it was made for.
    async fn discover(
        &mut self,
        client: &mut Client,
        interfaces: &[String],
    ) -> Result<(), SourceError> {
        let before = self.counters.varbinds;
        // What a discovery GET of names and descriptions learns about the agent's
        // response size is no lesson for a poll's GET of numbers: its tooBig would
        // halve the cells per poll PDU for good (the poll learns its own size).
        let poll_get_size = client.max_get();
        let plan = discovery::discover(
            client,
            self.settings.vendor,
            &Wanted::Names(interfaces.to_vec()),
            &mut self.counters,
        )
        .await;
        client.set_max_get(poll_get_size);
        let plan = plan?;
        let cost = u32::try_from(self.counters.varbinds - before).unwrap_or(u32::MAX);
        record_discovery_cost(cost);
        self.discovery_cost = Some(cost);
        self.plan = Some((plan, interfaces.to_vec(), Instant::now()));
        Ok(())
    }

    /// One poll, its turn come: a session, the reading, the session kept or dropped.
    async fn poll_now(&mut self, interfaces: &[String]) -> Result<PollResult, SourceError> {
        let mut client = self.checkout().await?;
        let result = self.poll_with(&mut client, interfaces).await;
        self.checkin(client, matches!(result, Err(SourceError::Auth(_))));
        result
    }

    async fn poll_with(
        &mut self,
        client: &mut Client,
        interfaces: &[String],
    ) -> Result<PollResult, SourceError> {
        let mut discovered_now = false;
        if let Some(why) = self.needs_discovery(interfaces) {
            tracing::debug!(address = %self.settings.address, reason = %why, "Discovering.");
            self.discover(client, interfaces).await?;
            self.rediscover = None;
            discovered_now = true;
        }
        loop {
            let Some((plan, _, _)) = &self.plan else {
                return Err(SourceError::Decode("no discovery plan".to_string()));
            };
            let decoded = lightgate_snmp::read(client, plan, &mut self.counters).await?;
            match decoded.rediscover {
                Some(why) if !discovered_now => {
                    // The answers may be misattributed (new ifIndexes, new optics):
                    // rediscover and read again before reporting; the BGP tables'
                    // indexes may have moved too.
                    tracing::info!(address = %self.settings.address, reason = %why, "Rediscovering.");
                    self.bgp = None;
                    self.discover(client, interfaces).await?;
                    discovered_now = true;
                }
                Some(why) => {
                    self.rediscover = Some(why);
                    return Ok(decoded.results);
                }
                None => return Ok(decoded.results),
            }
        }
    }
}

impl ReadingSource for SnmpSource {
    fn traffic(&self) -> Option<Traffic> {
        Some(Traffic {
            requests: self.counters.requests,
            varbinds: self.counters.varbinds,
        })
    }

    /// Makes the next poll rediscover the device (after a trap, for instance).
    fn invalidate(&mut self, why: &str) {
        self.bgp = None;
        self.rediscover.get_or_insert_with(|| why.to_string());
    }

    async fn poll(&mut self, interfaces: &[String]) -> Result<PollResult, SourceError> {
        // Its share of the discovery budget first, so devices waiting for one do not
        // hold poll slots.
        let _discovering = match self.needs_discovery(interfaces) {
            Some(_) => Some(
                discovery_budget()
                    .acquire_many(discovery_permits(self.discovery_cost))
                    .await
                    .map_err(|_| {
                        SourceError::Transport("the agent is shutting down".to_string())
                    })?,
            ),
            None => None,
        };
        let _permit = in_flight()
            .acquire()
            .await
            .map_err(|_| SourceError::Transport("the agent is shutting down".to_string()))?;
        // Boxed only once it may run: a device waiting for its turn holds a future of a
        // few hundred bytes, not the poll's (2.9 KB, a discovery inline), which was
        // 29 MB at 10,000 devices woken at once (agent start, a forced cycle).
        let result = Box::pin(self.poll_now(interfaces)).await;
        // A discovery's walk, the poll's answers and the session's buffers are freed:
        // let the allocator give their pages back.
        crate::heap::HEAP.after_transient_work();
        result
    }
}

#[cfg(test)]
mod discovery_budget_tests {
    use super::*;

    #[test]
    fn a_discovery_takes_the_budget_share_it_was_measured_to_cost() {
        // Before anything is measured: eight 48-optic Ciscos at once, as before.
        assert_eq!(
            DISCOVERY_BUDGET_VARBINDS / permits_for(None, DISCOVERY_COST_GUESS),
            8
        );
        // A device measured at 300 varbinds (a 48-optic Juniper) leaves room for
        // hundreds; one measured huge takes the whole budget but still runs.
        assert_eq!(permits_for(Some(300), 12_000), 300);
        assert_eq!(permits_for(Some(u32::MAX), 300), DISCOVERY_BUDGET_VARBINDS);
        assert_eq!(permits_for(Some(0), 300), 1, "never zero permits");
        // A device not measured yet takes the fleet's mean, which follows the fleet:
        // after 40 discoveries of 300 varbinds the guess is near 300.
        let mean = (0..40).fold(DISCOVERY_COST_GUESS, |m, _| mean_after(m, 300));
        assert!(mean < 400, "{mean}");
        assert_eq!(permits_for(None, mean), mean);
    }
}

#[cfg(test)]
mod waiting_tests {
    /// What a poller holds while its device waits for a discovery share or a poll slot:
    /// 10,000 of them wait at once when the agent starts or a cycle is forced, and the
    /// poll's own work (a discovery inline) was 2.9 KB of it.
    #[test]
    fn a_device_waiting_for_its_turn_holds_a_small_future() {
        let config = crate::config::Config::parse(
            "[[device]]\nname = \"r1\"\nsource = \"snmp\"\nmonitor = [\"et-0/0/1\"]\n\
             [device.snmp]\naddress = \"127.0.0.1:161\"\nversion = \"2c\"\ncommunity = \"public\"\n",
            "test",
        )
        .expect("a valid config");
        let mut source = crate::poller::source_for(config.device("r1").expect("r1"));
        let interfaces = ["et-0/0/1".to_string()];
        let poll = source.poll(&interfaces);
        let size = std::mem::size_of_val(&poll);
        assert!(size <= 512, "a waiting poll holds {size} bytes");
        drop(poll);
        let bgp = source.poll_bgp(&[]);
        let size = std::mem::size_of_val(&bgp);
        assert!(size <= 512, "a waiting BGP read holds {size} bytes");
    }
}
