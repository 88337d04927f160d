//! Live updates of a port for the bring-up page: `GET /api/v1/ports/{port}/events`, a
//! stream of Server-Sent Events with one event per new reading or state change.
//!
//! Each watched port has a feed: a short ring of its latest events, numbered. Every
//! subscriber reads the ring after the last event it has seen, so a browser that
//! reconnects with `Last-Event-ID` resumes where it stopped, and nobody holds anybody
//! back: the ring is bounded, a slow client only falls behind (and then gets the events
//! still in the ring; each port event is the port's whole state), and no subscriber
//! buffers more than the ring. Feeds exist only while someone watches (and for
//! [`FEED_LINGER`] after), so an agent with thousands of ports keeps nothing for the
//! ports nobody looks at.
//!
//! The feed is refreshed when the store changes (a poll, an Azure observation, a
//! reload) and once a second, because the hold-down and staleness move with time alone.
//! An event is only added when something other than the clock changed: a new reading
//! (its time moves with every poll), a check passing or failing, an error.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use futures_util::stream::Stream;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use crate::api::PortJson;
use crate::audit::Decision;
use crate::store::{self, Store};

/// Events kept per watched port: several minutes of readings at a few seconds' poll.
pub const RING: usize = 256;

/// How long a feed is kept after its last subscriber left (a reload of the page, a
/// phone that slept) so that the sparkline's history survives it.
pub const FEED_LINGER: Duration = Duration::from_secs(600);

/// How often a feed is re-evaluated when nothing in the store changed.
const TICK: Duration = Duration::from_secs(1);

/// What an event is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The port's whole state (the same JSON as GET /api/v1/ports/{port}).
    Port,
    /// A gate decision just recorded for the port.
    Decision,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Port => "port",
            Kind::Decision => "decision",
        }
    }
}

/// One event of a port's feed.
#[derive(Debug, Clone)]
pub struct Event {
    pub seq: u64,
    pub kind: Kind,
    pub data: Arc<str>,
}

/// A gate decision as the page lists it (the audit trail holds the whole record).
#[derive(Debug, Clone, serde::Serialize)]
pub struct DecisionSummary {
    pub decision_id: String,
    pub time: String,
    pub action: String,
    pub circuit: Option<String>,
    pub verdict: String,
    pub user: String,
    pub host: String,
    /// The first failing check, when refused.
    pub reason: Option<String>,
}

impl From<&Decision> for DecisionSummary {
    fn from(d: &Decision) -> Self {
        DecisionSummary {
            decision_id: d.decision_id.clone(),
            time: d.time.clone(),
            action: d.action.clone(),
            circuit: d.circuit.clone(),
            verdict: d.verdict.clone(),
            user: d.user.clone(),
            host: d.host.clone(),
            reason: d.failing.first().cloned(),
        }
    }
}

#[derive(Debug, Default)]
struct Feed {
    seq: u64,
    fingerprint: String,
    /// The store generation and the instant of the last refresh.
    refreshed: Option<(u64, Instant)>,
    ring: VecDeque<Event>,
    subscribers: usize,
    /// When the last subscriber left.
    idle_since: Option<Instant>,
}

impl Feed {
    fn push(&mut self, kind: Kind, data: String) {
        self.seq += 1;
        if self.ring.len() == RING {
            self.ring.pop_front();
        }
        self.ring.push_back(Event {
            seq: self.seq,
            kind,
            data: data.into(),
        });
    }
}

/// The feeds of every watched port.
pub struct LiveHub {
    store: Arc<Store>,
    changes: watch::Receiver<u64>,
    /// Bumped when a decision is added, so subscribers wake for it.
    decisions: watch::Sender<u64>,
    /// Tells event ids of this agent from those of an earlier run.
    epoch: u64,
    feeds: Mutex<HashMap<String, Feed>>,
    stop: CancellationToken,
}

impl std::fmt::Debug for LiveHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveHub")
            .field("epoch", &self.epoch)
            .finish_non_exhaustive()
    }
}

impl LiveHub {
    pub fn new(store: Arc<Store>) -> Self {
        let epoch = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or_default();
        LiveHub {
            changes: store.subscribe_changes(),
            store,
            decisions: watch::Sender::new(0),
            epoch,
            feeds: Mutex::new(HashMap::new()),
            stop: CancellationToken::new(),
        }
    }

    /// Ends every stream (the server is shutting down: open streams must not hold it).
    pub fn stop(&self) {
        self.stop.cancel();
    }

    fn feeds(&self) -> MutexGuard<'_, HashMap<String, Feed>> {
        self.feeds.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The id a browser gets back in `Last-Event-ID`.
    pub fn event_id(&self, seq: u64) -> String {
        format!("{}-{seq}", self.epoch)
    }

    /// The sequence number of an id of this agent's; `None` for anything else (an id of
    /// an earlier run, garbage), which then reads as a fresh subscription.
    pub fn parse_id(&self, id: &str) -> Option<u64> {
        let (epoch, seq) = id.trim().split_once('-')?;
        if epoch.parse::<u64>().ok()? != self.epoch {
            return None;
        }
        seq.parse().ok()
    }

    /// Adds a gate decision to the port's feed, if anyone watches the port.
    pub fn decided(&self, decision: &Decision) {
        let mut feeds = self.feeds();
        let Some(feed) = feeds.get_mut(&decision.port) else {
            return;
        };
        let summary = DecisionSummary::from(decision);
        if let Ok(json) = serde_json::to_string(&summary) {
            feed.push(Kind::Decision, json);
            drop(feeds);
            self.decisions.send_modify(|n| *n = n.wrapping_add(1));
        }
    }

    /// Starts watching `port`: `None` when no such port is configured.
    fn subscribe(&self, port: &str) -> Option<()> {
        self.store.port(port, store::now())?;
        let mut feeds = self.feeds();
        let now = Instant::now();
        feeds
            .retain(|_, f| f.subscribers > 0 || f.idle_since.is_none_or(|t| now - t < FEED_LINGER));
        let feed = feeds.entry(port.to_string()).or_default();
        feed.subscribers += 1;
        feed.idle_since = None;
        self.store.poll_metrics.event_streams(1);
        Some(())
    }

    fn unsubscribe(&self, port: &str) {
        self.store.poll_metrics.event_streams(-1);
        let mut feeds = self.feeds();
        if let Some(feed) = feeds.get_mut(port) {
            feed.subscribers = feed.subscribers.saturating_sub(1);
            if feed.subscribers == 0 {
                feed.idle_since = Some(Instant::now());
            }
        }
    }

    /// Brings the port's feed up to date and returns its events after `after` (all of
    /// them for `None`); `None` when the port is no longer configured.
    fn events_after(&self, port: &str, after: Option<u64>) -> Option<Vec<Event>> {
        let generation = *self.changes.borrow();
        let mut feeds = self.feeds();
        let now = Instant::now();
        let due = feeds.get(port).is_none_or(|f| match f.refreshed {
            Some((g, at)) => g != generation || now - at >= TICK,
            None => true,
        });
        if due {
            let Some(view) = self.store.port(port, store::now()) else {
                feeds.remove(port);
                return None;
            };
            let json = PortJson::new(&view);
            let fingerprint = fingerprint(&json);
            let feed = feeds.entry(port.to_string()).or_default();
            feed.refreshed = Some((generation, now));
            if fingerprint != feed.fingerprint {
                feed.fingerprint = fingerprint;
                if let Ok(data) = serde_json::to_string(&json) {
                    feed.push(Kind::Port, data);
                }
            }
        }
        let feed = feeds.get(port)?;
        // An id beyond the feed (another feed's, after the port was forgotten) is fresh.
        let after = after.filter(|&a| a <= feed.seq);
        Some(
            feed.ring
                .iter()
                .filter(|e| after.is_none_or(|a| e.seq > a))
                .cloned()
                .collect(),
        )
    }

    /// Subscribers watching and feeds kept (for the benchmark and tests).
    pub fn stats(&self) -> (usize, usize) {
        let feeds = self.feeds();
        (feeds.values().map(|f| f.subscribers).sum(), feeds.len())
    }

    /// The SSE answer for `port`, resuming after `last_event_id` when it is one of ours;
    /// `None` when the port is not configured.
    pub fn stream(
        self: &Arc<Self>,
        port: &str,
        last_event_id: Option<&str>,
    ) -> Option<Sse<impl Stream<Item = Result<SseEvent, std::convert::Infallible>>>> {
        self.subscribe(port)?;
        let after = last_event_id.and_then(|id| self.parse_id(id));
        let state = Subscriber {
            hub: self.clone(),
            port: port.to_string(),
            after,
            pending: VecDeque::new(),
            changes: self.store.subscribe_changes(),
            decisions: self.decisions.subscribe(),
            first: true,
        };
        let stream = futures_util::stream::unfold(state, |mut s| async move {
            let event = s.next().await?;
            Some((Ok(event), s))
        });
        Some(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
    }
}

/// One open stream.
struct Subscriber {
    hub: Arc<LiveHub>,
    port: String,
    after: Option<u64>,
    pending: VecDeque<Event>,
    changes: watch::Receiver<u64>,
    decisions: watch::Receiver<u64>,
    first: bool,
}

impl Drop for Subscriber {
    fn drop(&mut self) {
        self.hub.unsubscribe(&self.port);
    }
}

impl Subscriber {
    /// The next event to send; `None` ends the stream (shutdown, or the port is gone).
    async fn next(&mut self) -> Option<SseEvent> {
        loop {
            if let Some(e) = self.pending.pop_front() {
                self.after = Some(e.seq);
                return Some(
                    SseEvent::default()
                        .id(self.hub.event_id(e.seq))
                        .event(e.kind.as_str())
                        .data(&*e.data),
                );
            }
            if self.first {
                // The first answer tells the page the agent's clock, so that countdowns
                // do not depend on the browser's clock being right.
                self.first = false;
                self.pending = self.hub.events_after(&self.port, self.after)?.into();
                let now = crate::api::timestamp(SystemTime::now());
                return Some(
                    SseEvent::default()
                        .event("clock")
                        .data(format!("{{\"now\":\"{now}\"}}"))
                        .retry(Duration::from_secs(2)),
                );
            }
            tokio::select! {
                _ = self.hub.stop.cancelled() => return None,
                _ = self.changes.changed() => {}
                _ = self.decisions.changed() => {}
                _ = tokio::time::sleep(TICK) => {}
            }
            self.pending = self.hub.events_after(&self.port, self.after)?.into();
        }
    }
}

/// The port's state without what moves with the clock alone (evaluation time, how long
/// ago the last reading was, how long the link has been stable), so that an event is
/// added only when something else changed.
fn fingerprint(json: &PortJson) -> String {
    let mut j = json.clone();
    j.evaluated_at.clear();
    j.failing.clear();
    for link in [&mut j.links.link1, &mut j.links.link2] {
        link.stable_seconds = None;
        for c in &mut link.checks {
            if c.check == "stable" || c.check == "fresh" {
                c.detail.clear();
            }
        }
    }
    serde_json::to_string(&j).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hub() -> Arc<LiveHub> {
        let config = crate::config::Config::parse(crate::config::DEMO_TOML, "demo").unwrap();
        Arc::new(LiveHub::new(Arc::new(Store::new(config))))
    }

    #[test]
    fn ids_of_another_run_or_garbage_are_not_ours() {
        let h = hub();
        assert_eq!(h.parse_id(&h.event_id(42)), Some(42));
        assert_eq!(h.parse_id(&format!("{}-42", h.epoch + 1)), None);
        assert_eq!(h.parse_id("42"), None);
        assert_eq!(h.parse_id("x-y"), None);
    }

    #[test]
    fn the_ring_keeps_only_the_newest_events() {
        let mut f = Feed::default();
        for i in 0..RING + 10 {
            f.push(Kind::Port, i.to_string());
        }
        assert_eq!(f.ring.len(), RING);
        assert_eq!(f.ring.front().unwrap().seq, 11);
        assert_eq!(f.ring.back().unwrap().seq, (RING + 10) as u64);
    }

    #[test]
    fn nothing_but_the_clock_changed_makes_no_event() {
        let h = hub();
        h.subscribe("demo").unwrap();
        let first = h.events_after("demo", None).unwrap();
        assert_eq!(first.len(), 1);
        // Force a refresh: the generation is the same, so age the last refresh.
        h.feeds().get_mut("demo").unwrap().refreshed = None;
        let again = h.events_after("demo", Some(first[0].seq)).unwrap();
        assert!(again.is_empty(), "{again:?}");
        assert!(h.events_after("nope", None).is_none());
    }
}
