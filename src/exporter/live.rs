//! Live updates of a port for the bring-up page: `GET /api/v1/ports/{port}/events`, a
//! stream of Server-Sent Events with one event per new reading or state change.
//!
//! Each watched port has a feed: a short ring of its latest events, numbered, and the
//! last ten minutes of light levels as compact samples for the sparklines (sent once, in
//! the first event, `clock`, to a client that connects afresh). Every
//! subscriber reads the ring after the last event it has seen, so a browser that
//! reconnects with `Last-Event-ID` resumes where it stopped, and nobody holds anybody
//! back: the ring is bounded, a slow client only falls behind (and then gets the events
//! still in the ring; each port event is the port's whole state), and no subscriber
//! buffers more than the ring. Feeds exist only while someone watches (and for
//! [`FEED_LINGER`] after), so an agent with thousands of ports keeps nothing for the
//! ports nobody looks at.
//!
//! One task (started with the first subscriber) keeps the feeds up to date: it wakes
//! when the store changes (a poll, an Azure observation, a reload), lets a burst settle
//! for [`SETTLE`], and re-evaluates only the ports whose inputs moved
//! ([`Store::port_signature`]), and every port once a second, because the hold-down and
//! staleness move with time alone. An event is only added when something other than the
//! clock changed: a new reading (its time moves with every poll), a check passing or
//! failing, an error. Subscribers wait on their own feed, so a poll of one port wakes
//! only the pages of that port.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use futures_util::stream::Stream;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use crate::api::PortJson;
use crate::audit::Decision;
use crate::domain::CheckName;
use crate::store::{self, Store};

/// Events kept per watched port for clients that reconnect. Each port event is the
/// port's whole state, so a client that missed more still gets the current state.
pub const RING: usize = 32;

/// How far back the sparklines' samples go.
pub const HISTORY: Duration = Duration::from_secs(600);

/// Samples kept per watched port at most (10 minutes of 8-lane readings on both links
/// at a 1 s poll fit; faster polls keep the newest).
const HISTORY_SAMPLES: usize = 1200;

/// How long a feed is kept after its last subscriber left (a reload of the page, a
/// phone that slept) so that the sparkline's history survives it.
pub const FEED_LINGER: Duration = Duration::from_secs(600);

/// How often a feed is re-evaluated when nothing in the store changed.
const TICK: Duration = Duration::from_secs(1);

/// How long the feed task lets a burst of store changes settle before re-evaluating:
/// at most this much latency, and at most one event per port per this interval.
pub const SETTLE: Duration = Duration::from_millis(50);

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

#[derive(Debug)]
struct Feed {
    seq: u64,
    fingerprint: String,
    /// The store's signature of the port's inputs at the last evaluation, and when.
    evaluated: Option<(u64, Instant)>,
    ring: VecDeque<Event>,
    /// Light levels of the last [`HISTORY`], oldest first.
    history: VecDeque<Sample>,
    subscribers: usize,
    /// When the last subscriber left.
    idle_since: Option<Instant>,
    /// The newest event's number, for the feed's subscribers to wait on. Dropped with
    /// the feed (the port left the config), which ends their streams.
    notify: watch::Sender<u64>,
}

impl Default for Feed {
    fn default() -> Self {
        Feed {
            seq: 0,
            fingerprint: String::new(),
            evaluated: None,
            ring: VecDeque::new(),
            history: VecDeque::new(),
            subscribers: 0,
            idle_since: None,
            notify: watch::Sender::new(0),
        }
    }
}

/// One lane's light at one reading: (time in ms since the epoch, link, lane, Rx dBm, Tx
/// dBm); no light and not reported are both null (the port events tell them apart).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
struct Sample(u64, &'static str, Option<u16>, Option<f32>, Option<f32>);

impl Feed {
    /// Adds the samples of a new reading of either link (a reading already sampled is
    /// not added twice) and forgets those older than [`HISTORY`].
    fn sample(&mut self, json: &PortJson) {
        for link in [&json.links.link1, &json.links.link2] {
            let (Some(r), Some(at)) = (&link.reading, &link.read_at) else {
                continue;
            };
            let Ok(t) = humantime::parse_rfc3339(at) else {
                continue;
            };
            let t = t
                .duration_since(SystemTime::UNIX_EPOCH)
                .map(|d| d.as_millis() as u64)
                .unwrap_or_default();
            let name: &'static str = if link.link == "link1" {
                "link1"
            } else {
                "link2"
            };
            if self.history.iter().rev().any(|s| s.1 == name && s.0 >= t) {
                continue;
            }
            let f = |v: Option<f64>| v.map(|v| v as f32);
            if r.lanes.is_empty() {
                self.history
                    .push_back(Sample(t, name, None, f(r.rx_dbm), f(r.tx_dbm)));
            }
            for l in &r.lanes {
                self.history
                    .push_back(Sample(t, name, Some(l.lane), f(l.rx_dbm), f(l.tx_dbm)));
            }
            let oldest = t.saturating_sub(HISTORY.as_millis() as u64);
            while self
                .history
                .front()
                .is_some_and(|s| s.0 < oldest || self.history.len() > HISTORY_SAMPLES)
            {
                self.history.pop_front();
            }
        }
    }

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
        self.notify.send_replace(self.seq);
    }
}

/// The feeds of every watched port.
pub struct LiveHub {
    store: Arc<Store>,
    /// Tells event ids of this agent from those of an earlier run.
    epoch: u64,
    feeds: Mutex<HashMap<String, Feed>>,
    /// Set once the feed task runs.
    driving: std::sync::atomic::AtomicBool,
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
            store,
            epoch,
            feeds: Mutex::new(HashMap::new()),
            driving: std::sync::atomic::AtomicBool::new(false),
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
        if let Ok(json) = serde_json::to_string(&DecisionSummary::from(decision)) {
            feed.push(Kind::Decision, json);
        }
    }

    /// Starts watching `port`: the feed's newest event number to wait on, or `None` when
    /// no such port is configured.
    fn subscribe(self: &Arc<Self>, port: &str) -> Option<watch::Receiver<u64>> {
        if !self.driving.swap(true, std::sync::atomic::Ordering::SeqCst) {
            tokio::spawn(self.clone().drive());
        }
        let mut feeds = self.feeds();
        let now = Instant::now();
        feeds
            .retain(|_, f| f.subscribers > 0 || f.idle_since.is_none_or(|t| now - t < FEED_LINGER));
        let feed = feeds.entry(port.to_string()).or_default();
        if !self.refresh(port, feed, now) {
            feeds.remove(port);
            return None;
        }
        feed.subscribers += 1;
        feed.idle_since = None;
        self.store.poll_metrics.event_streams(1);
        Some(feed.notify.subscribe())
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

    /// Re-evaluates `port` when its inputs moved or a tick passed, adding an event when
    /// it changed other than by the clock. False when the port is no longer configured.
    fn refresh(&self, port: &str, feed: &mut Feed, now: Instant) -> bool {
        let Some(signature) = self.store.port_signature(port) else {
            return false;
        };
        if let Some((s, at)) = feed.evaluated {
            if s == signature && now - at < TICK {
                return true;
            }
        }
        feed.evaluated = Some((signature, now));
        let Some(view) = self.store.port(port, store::now()) else {
            return false;
        };
        let json = PortJson::new(&view);
        feed.sample(&json);
        let fingerprint = fingerprint(&json);
        if fingerprint != feed.fingerprint {
            feed.fingerprint = fingerprint;
            if let Ok(data) = serde_json::to_string(&json) {
                feed.push(Kind::Port, data);
            }
        }
        true
    }

    /// Re-evaluates every feed; drops those of ports no longer configured (ending their
    /// streams) and those nobody has watched for [`FEED_LINGER`].
    fn refresh_all(&self) {
        let mut feeds = self.feeds();
        let now = Instant::now();
        feeds.retain(|port, feed| {
            (feed.subscribers > 0 || feed.idle_since.is_none_or(|t| now - t < FEED_LINGER))
                && self.refresh(port, feed, now)
        });
    }

    /// The feed task: see the module's documentation.
    async fn drive(self: Arc<Self>) {
        let mut changes = self.store.subscribe_changes();
        loop {
            tokio::select! {
                _ = self.stop.cancelled() => return,
                changed = changes.changed() => {
                    if changed.is_err() {
                        return;
                    }
                    tokio::time::sleep(SETTLE).await;
                    changes.mark_unchanged();
                }
                _ = tokio::time::sleep(TICK) => {}
            }
            self.refresh_all();
        }
    }

    /// The port's events after `after` (all of them for `None`), and for a fresh
    /// subscriber (`after` unknown) the sparklines' history as JSON; `None` when the
    /// port is no longer watched (it left the config).
    fn events_after(&self, port: &str, after: Option<u64>) -> Option<(Vec<Event>, Option<String>)> {
        let feeds = self.feeds();
        let feed = feeds.get(port)?;
        // An id beyond the feed (another feed's, after the port was forgotten) is fresh.
        let after = after.filter(|&a| a <= feed.seq);
        let history = match after {
            Some(_) => None,
            None => serde_json::to_string(&feed.history).ok(),
        };
        let events = feed
            .ring
            .iter()
            .filter(|e| after.is_none_or(|a| e.seq > a))
            .cloned()
            .collect();
        Some((events, history))
    }

    /// The SSE answer for `port`, resuming after `last_event_id` when it is one of ours;
    /// `None` when the port is not configured.
    pub fn stream(
        self: &Arc<Self>,
        port: &str,
        last_event_id: Option<&str>,
    ) -> Option<Sse<impl Stream<Item = Result<SseEvent, std::convert::Infallible>>>> {
        let notify = self.subscribe(port)?;
        let after = last_event_id.and_then(|id| self.parse_id(id));
        let state = Subscriber {
            hub: self.clone(),
            port: port.to_string(),
            after,
            pending: VecDeque::new(),
            notify,
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
    /// The feed's newest event number.
    notify: watch::Receiver<u64>,
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
                self.notify.mark_unchanged();
                let (events, history) = self.hub.events_after(&self.port, self.after)?;
                self.pending = events.into();
                let now = humantime::format_rfc3339_millis(SystemTime::now());
                let history = history
                    .map(|h| format!(",\"history\":{h}"))
                    .unwrap_or_default();
                return Some(
                    SseEvent::default()
                        .event("clock")
                        .data(format!("{{\"now\":\"{now}\"{history}}}"))
                        .retry(Duration::from_secs(2)),
                );
            }
            tokio::select! {
                _ = self.hub.stop.cancelled() => return None,
                changed = self.notify.changed() => changed.ok()?,
            }
            self.pending = self.hub.events_after(&self.port, self.after)?.0.into();
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
        // Their details say how long ago: time, not a change.
        let timed = [CheckName::Stable.as_str(), CheckName::Fresh.as_str()];
        for c in &mut link.checks {
            if timed.contains(&c.check.as_str()) {
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
        assert_eq!(*f.notify.borrow(), (RING + 10) as u64);
        assert_eq!(f.ring.back().unwrap().seq, (RING + 10) as u64);
    }

    #[test]
    fn nothing_but_the_clock_changed_makes_no_event() {
        let h = hub();
        let mut feed = Feed::default();
        let now = Instant::now();
        assert!(h.refresh("demo", &mut feed, now));
        assert_eq!(feed.seq, 1);
        // A tick later, nothing but the clock moved: evaluated again, no event.
        assert!(h.refresh("demo", &mut feed, now + TICK));
        assert_eq!(feed.evaluated.unwrap().1, now + TICK);
        assert_eq!(feed.seq, 1, "{:?}", feed.ring);
        assert!(!h.refresh("nope", &mut Feed::default(), now));
    }
}
