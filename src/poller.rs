//! One task per device: poll on the device's own interval with a little jitter, give
//! up on a poll after the device's timeout, record the outcome in the store. A slow or
//! failing device only ever delays itself.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::Notify;
use tokio::time::{sleep_until, timeout, Instant};
use tokio_util::sync::CancellationToken;

use crate::config::DeviceConfig;
use crate::domain::format_duration;
use crate::source::azure::{self, client::AzureClient};
use crate::source::{AnySource, SourceError};
use crate::store::Store;

/// Spread of each interval around its nominal length (+-5%), so that devices configured
/// with the same interval do not all fire in the same instant forever.
const JITTER: f64 = 0.05;
/// The first poll waits a random part of this (or of a tenth of the interval, if
/// shorter), so a restart does not hit every device at once.
const MAX_START_DELAY: Duration = Duration::from_secs(1);

/// A small xorshift generator for jitter; quality does not matter, independence of
/// devices does.
struct Jitter(u64);

impl Jitter {
    fn new(device: &str) -> Self {
        let nanos = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.subsec_nanos() as u64)
            .unwrap_or(0);
        let seed = device.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        Jitter((seed ^ nanos) | 1)
    }

    /// A value in [0, 1).
    fn next(&mut self) -> f64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        (x >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A way to make a poller poll at once (a trap said a link changed, or someone asked
/// through the API), optionally refreshing what its source cached about the device
/// first (an optic was swapped). Requests coalesce: while one is waiting, more add
/// nothing. Woken polls, by traps or by the API, are also rate-limited per device (at
/// most [`TRAP_BURST`] in any [`TRAP_WINDOW`]), so neither a trap flood nor clients
/// hammering `POST /api/v1/devices/poll` can turn into a poll flood against the router,
/// while an occasional request is answered at once.
#[derive(Debug, Default)]
pub struct Wake {
    notify: Notify,
    rediscover: AtomicBool,
    /// A woken poll is waiting to start.
    pending: AtomicBool,
}

/// Most woken polls of one device in any [`TRAP_WINDOW`]: 50 a second
/// sustained, far above any real link's changes (a link flapping at 10 Hz is still
/// followed trap by trap) and far below a flood's.
pub const TRAP_BURST: usize = 5;
pub const TRAP_WINDOW: Duration = Duration::from_millis(100);

impl Wake {
    /// Polls now (the API). Returns false when a woken poll was already waiting: this
    /// request is folded into it.
    pub fn poll_now(&self) -> bool {
        self.wake()
    }

    /// Polls soon because a trap said so: folded into a waiting poll, and rate-limited.
    pub fn trap(&self) -> bool {
        self.wake()
    }

    fn wake(&self) -> bool {
        let first = !self.pending.swap(true, Ordering::SeqCst);
        self.notify.notify_one();
        first
    }

    /// Rediscovers the device, then polls now.
    pub fn rediscover(&self) {
        self.rediscover.store(true, Ordering::SeqCst);
        self.notify.notify_one();
    }
}

/// The source a device's config asks for.
pub fn source_for(device: &DeviceConfig) -> AnySource {
    use crate::config::SourceConfig;
    use crate::source::{serial, sim, snmp};
    match &device.source {
        SourceConfig::Sim(settings) => {
            AnySource::Sim(Box::new(sim::SimSource::new(settings.clone())))
        }
        SourceConfig::Snmp(settings) => {
            AnySource::Snmp(Box::new(snmp::SnmpSource::new(settings.clone())))
        }
        SourceConfig::Serial(settings) => AnySource::Serial(Box::new(serial::SerialSource::new(
            &device.name,
            settings.clone(),
            device.timeout,
        ))),
    }
}

/// Polls one device until `cancel` fires, at once whenever `wake` says so.
pub async fn run(
    device: Arc<DeviceConfig>,
    store: Arc<Store>,
    wake: Arc<Wake>,
    cancel: CancellationToken,
) {
    let mut source = source_for(&device);
    let mut jitter = Jitter::new(&device.name);
    let start_delay = MAX_START_DELAY.min(device.poll_interval / 10);
    let mut next = Instant::now() + start_delay.mul_f64(jitter.next());
    let mut healthy = true;
    let mut bgp_healthy = true;
    let mut counted = source.traffic().unwrap_or_default();
    // When the latest woken polls started, oldest first.
    let mut trap_polls: std::collections::VecDeque<Instant> =
        std::collections::VecDeque::with_capacity(TRAP_BURST);
    loop {
        let woken = tokio::select! {
            _ = cancel.cancelled() => return,
            _ = sleep_until(next) => false,
            _ = wake.notify.notified() => true,
        };
        if woken {
            if trap_polls.len() == TRAP_BURST {
                let oldest = trap_polls[0];
                if oldest.elapsed() < TRAP_WINDOW {
                    tokio::select! {
                        _ = cancel.cancelled() => return,
                        _ = sleep_until(oldest + TRAP_WINDOW) => {}
                    }
                }
                trap_polls.pop_front();
            }
            trap_polls.push_back(Instant::now());
        }
        if woken {
            tracing::debug!(device = %device.name, "Polling now (woken).");
        }
        // Whatever woke us, this poll answers every request made so far.
        wake.pending.store(false, Ordering::SeqCst);
        if wake.rediscover.swap(false, Ordering::SeqCst) {
            source.invalidate("a trap said the hardware changed");
        }
        let interfaces = store.interfaces_of(&device.name);
        let bgp_wanted = store.bgp_wanted(&device.name, crate::store::now());
        source.want_bgp(&bgp_wanted);
        let started = Instant::now();
        // The poll's future is boxed: held inline, it made every idle poller task
        // several kilobytes, 38 MiB at 10,000 devices. (The SNMP source boxes its own
        // work, a discovery or a session, only once its turn comes, so a device waiting
        // in line holds little.)
        let outcome = tokio::select! {
            _ = cancel.cancelled() => return,
            r = timeout(device.timeout, Box::pin(source.poll(&interfaces))) => r.unwrap_or_else(|_| {
                Err(SourceError::Timeout(format_duration(device.timeout)))
            }),
        };
        let took = started.elapsed();
        let outcome = redact_outcome(outcome, &device.source.secrets());
        let traffic = match source.traffic() {
            Some(c) => {
                let delta = (c.requests - counted.requests, c.varbinds - counted.varbinds);
                counted = c;
                delta
            }
            None => (0, 0),
        };
        match &outcome {
            Ok(_) if !healthy => {
                tracing::info!(device = %device.name, "Device answers again.");
                healthy = true;
            }
            Ok(_) => {
                tracing::debug!(device = %device.name, took_ms = took.as_millis() as u64, "Polled.")
            }
            Err(e) if healthy => {
                tracing::warn!(device = %device.name, kind = e.kind(), error = %e, "Poll failed.");
                healthy = false;
            }
            Err(e) => {
                tracing::debug!(device = %device.name, kind = e.kind(), error = %e, "Poll failed again.")
            }
        }
        store.record_poll(
            &device.name,
            outcome,
            traffic,
            took,
            started.into_std(),
            SystemTime::now(),
        );
        if !bgp_wanted.is_empty() {
            let read = tokio::select! {
                _ = cancel.cancelled() => return,
                r = timeout(device.timeout, Box::pin(source.poll_bgp(&bgp_wanted))) => r.unwrap_or_else(|_| {
                    Err(SourceError::Timeout(format_duration(device.timeout)))
                }),
            };
            let read = read.map_err(|e| e.redacted(&device.source.secrets()).to_string());
            match (&read, bgp_healthy) {
                (Ok(_), false) => {
                    tracing::info!(device = %device.name, "BGP sessions read again.");
                    bgp_healthy = true;
                }
                (Err(e), true) => {
                    tracing::warn!(device = %device.name, error = %e, "Cannot read BGP sessions.");
                    bgp_healthy = false;
                }
                _ => {}
            }
            store.record_bgp(&device.name, &read, crate::store::now(), SystemTime::now());
        }
        let factor = 1.0 + JITTER * (2.0 * jitter.next() - 1.0);
        next = (started + device.poll_interval.mul_f64(factor)).max(Instant::now());
    }
}

/// The poll's outcome with the device's secrets removed from every error text, before
/// anything logs, records or exports it.
fn redact_outcome(
    outcome: Result<crate::source::PollResult, SourceError>,
    secrets: &[&str],
) -> Result<crate::source::PollResult, SourceError> {
    match outcome {
        Err(e) => Err(e.redacted(secrets)),
        Ok(results) if results.values().all(Result::is_ok) => Ok(results),
        Ok(results) => Ok(results
            .into_iter()
            .map(|(name, r)| (name, r.map_err(|e| crate::text::redact(&e, secrets))))
            .collect()),
    }
}

/// Runs the task `start` makes and starts a new one whenever it panics (a bug, in
/// lightgate or in a protocol crate, meeting some device's answer), after `interval`:
/// one device's bad answer must never silently end its polling. `on_crash` gets the
/// panic message. Returns when a task ends normally (cancelled) or `cancel` fires.
pub async fn supervise<F, Fut>(
    name: &str,
    interval: Duration,
    cancel: CancellationToken,
    mut start: F,
    mut on_crash: impl FnMut(String),
) where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    use futures_util::FutureExt;
    loop {
        // Caught in this task rather than by spawning the work as a task of its own:
        // a second task per device cost 1.3 KB each at 10,000 routers (heaptrack).
        let outcome = std::panic::AssertUnwindSafe(start()).catch_unwind().await;
        let Err(payload) = outcome else { return };
        let why = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".to_string());
        tracing::error!(task = %name, error = %why, "Crashed; restarting it after a pause.");
        on_crash(why);
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tokio::time::sleep(interval) => {}
        }
    }
}

/// [`run`] under [`supervise`]: a crash is recorded as a failed poll of the device.
///
/// `device` is shared with the agent's table of pollers: at 10,000 routers each copy of
/// the device's config cost about half a kilobyte.
pub async fn run_supervised(
    device: Arc<DeviceConfig>,
    store: Arc<Store>,
    wake: Arc<Wake>,
    cancel: CancellationToken,
) {
    let name = device.name.clone();
    let interval = device.poll_interval;
    let recorder = store.clone();
    supervise(
        &name,
        interval,
        cancel.clone(),
        || run(device.clone(), store.clone(), wake.clone(), cancel.clone()),
        |why| {
            let err = Err(SourceError::Decode(format!(
                "internal error while polling (please report it): {why}"
            )));
            recorder.record_poll(
                &name,
                err,
                (0, 0),
                Duration::ZERO,
                Instant::now().into_std(),
                SystemTime::now(),
            );
        },
    )
    .await;
}

/// Polls Azure for every Azure-observed port of the config in force (one task for all
/// ports; it follows config changes itself) until `cancel` fires.
/// `wake` is called with a device whose BGP neighbours changed with an observation (a
/// peering appeared): it polls that device now rather than at its next interval.
pub async fn run_azure(
    store: Arc<Store>,
    cancel: CancellationToken,
    wake: Arc<dyn Fn(&str) + Send + Sync>,
) {
    let mut client: Option<Arc<Mutex<AzureClient>>> = None;
    loop {
        let config = store.config();
        let Some(azure) = config.azure.clone() else {
            // Not configured (any more): check again after a while.
            tokio::select! {
                _ = cancel.cancelled() => return,
                _ = tokio::time::sleep(std::time::Duration::from_secs(5)) => continue,
            }
        };
        let current = match &client {
            Some(c) if c.lock().unwrap_or_else(|e| e.into_inner()).config() == &azure => c.clone(),
            _ => {
                let c = Arc::new(Mutex::new(AzureClient::new(azure.clone())));
                client = Some(c.clone());
                c
            }
        };
        for port in config.ports.iter().filter(|p| p.azure_port_id.is_some()) {
            let id = port.azure_port_id.clone().unwrap_or_default();
            let name = port.name.clone();
            let c = current.clone();
            let outcome = tokio::select! {
                _ = cancel.cancelled() => return,
                r = tokio::task::spawn_blocking(move || {
                    let mut client = c.lock().unwrap_or_else(|e| e.into_inner());
                    let outcome = azure::observe(&mut client, &name, &id);
                    (outcome, client.take_errors())
                }) => r,
            };
            let outcome = outcome.map(|(outcome, errors)| {
                for (endpoint, status) in errors {
                    store.poll_metrics.azure_api_error(endpoint, &status);
                }
                outcome
            });
            let outcome = match outcome {
                Ok(r) => r.map_err(|e| azure::describe(&e)),
                Err(e) => Err(format!("internal error: {e}")),
            };
            if let Err(e) = &outcome {
                tracing::warn!(port = %port.name, azure_port_id = port.azure_port_id.as_deref().unwrap_or_default(), error = %e, "Azure poll failed.");
            }
            let devices = [port.link1.device.clone(), port.link2.device.clone()];
            let before: Vec<_> = devices
                .iter()
                .map(|d| store.bgp_wanted(d, crate::store::now()))
                .collect();
            store.record_azure(&port.name, outcome, crate::store::now(), SystemTime::now());
            for (d, was) in devices.iter().zip(before) {
                if store.bgp_wanted(d, crate::store::now()) != was {
                    tracing::info!(device = %d, port = %port.name, "The port's peerings changed: polling the device's BGP sessions now.");
                    wake(d);
                }
            }
        }
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tokio::time::sleep(azure.poll_interval) => {}
        }
    }
}

#[cfg(test)]
mod tests;
