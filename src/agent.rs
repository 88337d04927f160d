//! Wiring: a store, one poller task per device (of this agent's shard), the Azure
//! poller, the trap listener and the HTTP server, all stopped by one shutdown signal.
//!
//! [`Agent::apply_config`] reconciles a new config with the running one: pollers of
//! unchanged devices keep running (and their links keep their hold-down timers and flap
//! counts), removed ones stop and their series go away, added ones start.
//! [`Agent::reload`] does that from the config file, rejecting an invalid one.

use std::collections::HashMap;
use std::future::Future;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::config::{Config, DeviceConfig, TrapConfig};
use crate::exporter::web::WebConfig;

/// How long a crashed Azure poller or trap listener waits before it starts again.
const RESTART_AFTER: std::time::Duration = std::time::Duration::from_secs(10);
use crate::exporter::{AppState, PollHook, ReloadHook};
use crate::poller::Wake;
use crate::shard::Shard;
use crate::store::Store;

struct RunningPoller {
    config: Arc<DeviceConfig>,
    cancel: CancellationToken,
    wake: Arc<Wake>,
    handle: JoinHandle<()>,
}

struct Background {
    cancel: CancellationToken,
    handle: JoinHandle<()>,
}

/// The running agent.
pub struct Agent {
    store: Arc<Store>,
    pollers: Mutex<HashMap<String, RunningPoller>>,
    /// The Azure poller (one task for all ports; it follows config changes itself).
    azure: Mutex<Option<Background>>,
    /// The trap listener and the settings it runs with.
    traps: Mutex<Option<(TrapConfig, Background)>>,
    /// The file a reload re-reads; `None` for the embedded demo.
    config_path: Mutex<Option<PathBuf>>,
    /// `--traps.listen-address`: replaces the file's `[traps] listen` at every reload
    /// too, so that agents sharing one config on one host keep their own trap ports.
    traps_listen: Mutex<Option<std::net::SocketAddr>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Agent {
    /// Starts polling every device of `config`. Must be called within a tokio runtime.
    pub fn start(config: Config) -> Arc<Agent> {
        Self::start_sharded(config, None)
    }

    /// Starts polling the devices of `config` that belong to `shard` (all without one).
    pub fn start_sharded(config: Config, shard: Option<Shard>) -> Arc<Agent> {
        let agent = Arc::new(Agent {
            store: Arc::new(Store::new_sharded(config, shard)),
            pollers: Mutex::new(HashMap::new()),
            azure: Mutex::new(None),
            traps: Mutex::new(None),
            config_path: Mutex::new(None),
            traps_listen: Mutex::new(None),
        });
        agent.start_missing(&agent.store.config());
        let cancel = CancellationToken::new();
        let (store, c2) = (agent.store.clone(), cancel.clone());
        let weak = Arc::downgrade(&agent);
        let wake: Arc<dyn Fn(&str) + Send + Sync> = Arc::new(move |device: &str| {
            if let Some(a) = weak.upgrade() {
                a.poll_now(device);
            }
        });
        let handle = tokio::spawn(async move {
            crate::poller::supervise(
                "azure",
                RESTART_AFTER,
                c2.clone(),
                move || crate::poller::run_azure(store.clone(), c2.clone(), wake.clone()),
                |_| {},
            )
            .await
        });
        *lock(&agent.azure) = Some(Background { cancel, handle });
        agent
    }

    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// Remembers the config file for [`Agent::reload`].
    pub fn set_config_path(&self, path: PathBuf) {
        *lock(&self.config_path) = Some(path);
    }

    /// Makes every reloaded config listen for traps on `addr` (the running config
    /// already does: the command line applied it before the start).
    pub fn set_traps_listen(&self, addr: std::net::SocketAddr) {
        *lock(&self.traps_listen) = Some(addr);
    }

    /// Switches to a new config, keeping the state of what did not change. Pollers of
    /// removed or changed devices stop before the store forgets them (the store also
    /// ignores a late result); new pollers start once the store knows their device.
    pub fn apply_config(&self, config: Config) {
        self.stop_changed(&config);
        // Moved, not copied: the store's config is the one the pollers share.
        self.store.apply_config(config);
        self.start_missing(&self.store.config());
    }

    /// Re-reads the config file and applies it; an invalid file is rejected with every
    /// problem, and the running config is kept. Sets the reload metrics either way: a
    /// reload that panics (a bug) counts as failed too, and says so.
    pub fn reload(self: &Arc<Self>) -> Result<String, String> {
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.reload_file())) {
            Ok(outcome) => outcome,
            Err(panic) => {
                let why = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "a panic without a message".to_string());
                tracing::error!(error = %why, "Reload crashed; keeping the running config.");
                self.store.poll_metrics.reload_failed();
                Err(format!(
                    "internal error while reloading (please report it): {why}"
                ))
            }
        }
    }

    fn reload_file(self: &Arc<Self>) -> Result<String, String> {
        let Some(path) = lock(&self.config_path).clone() else {
            return Err("no config file to reload: this agent runs the embedded demo".to_string());
        };
        let new = match Config::load(&path) {
            Ok(c) => c,
            Err(e) => {
                let report = e.report();
                tracing::error!(file = %path.display(), problems = %report, "Reload rejected; keeping the running config.");
                self.store.poll_metrics.reload_failed();
                return Err(report);
            }
        };
        let old = self.store.config();
        let mut new = new;
        if let (Some(addr), Some(traps)) = (*lock(&self.traps_listen), new.traps.as_mut()) {
            traps.listen = addr;
        }
        if new.listen != old.listen {
            tracing::warn!(old = %old.listen, new = %new.listen, "The listen address changes only on restart.");
            new.listen = old.listen;
        }
        let summary = format!(
            "Reloaded {}: {} devices, {} ports.",
            path.display(),
            new.devices.len(),
            new.ports.len()
        );
        let traps = new.traps.clone();
        self.apply_config(new);
        if let Err(e) = self.reconcile_traps(traps) {
            tracing::error!(error = %e, "Cannot start the trap listener with the new settings.");
        }
        self.store.poll_metrics.reload_succeeded(SystemTime::now());
        tracing::info!("{summary}");
        Ok(summary)
    }

    fn stop_changed(&self, config: &Config) {
        lock(&self.pollers).retain(|name, p| {
            let keep = config.device(name) == Some(&*p.config);
            if !keep {
                tracing::info!(device = %name, "Stopping poller.");
                p.cancel.cancel();
            }
            keep
        });
    }

    fn start_missing(&self, config: &Config) {
        let mut pollers = lock(&self.pollers);
        for device in &config.devices {
            if pollers.contains_key(&device.name) || !self.store.owns(&device.name) {
                continue;
            }
            tracing::info!(device = %device.name, source = device.source.kind(), interval = ?device.poll_interval, "Starting poller.");
            let cancel = CancellationToken::new();
            let wake = Arc::new(Wake::default());
            let device = device.clone();
            let handle = tokio::spawn(crate::poller::run_supervised(
                device.clone(),
                self.store.clone(),
                wake.clone(),
                cancel.clone(),
            ));
            pollers.insert(
                device.name.clone(),
                RunningPoller {
                    config: device,
                    cancel,
                    wake,
                    handle,
                },
            );
        }
    }

    /// The devices this agent polls.
    pub fn polled_devices(&self) -> Vec<String> {
        let mut v: Vec<String> = lock(&self.pollers).keys().cloned().collect();
        v.sort();
        v
    }

    /// Makes a device's poller poll now (several calls before it runs make one poll).
    /// Returns None for an unknown device, Some(false) when the request was folded
    /// into a poll already waiting.
    pub fn poll_now(&self, device: &str) -> Option<bool> {
        lock(&self.pollers).get(device).map(|p| p.wake.poll_now())
    }

    /// Wakes the poller of `device`, or of every device; returns how many woke.
    pub fn poll_now_many(&self, device: Option<&str>) -> usize {
        let pollers = lock(&self.pollers);
        match device {
            Some(d) => pollers
                .get(d)
                .map(|p| p.wake.poll_now())
                .into_iter()
                .count(),
            None => {
                for p in pollers.values() {
                    p.wake.poll_now();
                }
                pollers.len()
            }
        }
    }

    /// Makes a device's poller rediscover the device and poll now.
    pub fn rediscover(&self, device: &str) -> bool {
        lock(&self.pollers)
            .get(device)
            .map(|p| p.wake.rediscover())
            .is_some()
    }

    /// Runs the trap listener the config asks for (none, or restarted with new settings).
    fn reconcile_traps(self: &Arc<Self>, wanted: Option<TrapConfig>) -> std::io::Result<()> {
        let mut current = lock(&self.traps);
        if current.as_ref().map(|(c, _)| c) == wanted.as_ref() {
            return Ok(());
        }
        if let Some((_, bg)) = current.take() {
            bg.cancel.cancel();
        }
        let Some(traps) = wanted else { return Ok(()) };
        let std_socket = std::net::UdpSocket::bind(traps.listen).map_err(|e| {
            std::io::Error::new(
                e.kind(),
                format!("cannot listen for traps on {}: {e}", traps.listen),
            )
        })?;
        std_socket.set_nonblocking(true)?;
        let socket = Arc::new(tokio::net::UdpSocket::from_std(std_socket)?);
        tracing::info!(address = %socket.local_addr()?, "Listening for traps.");
        let cancel = CancellationToken::new();
        let (config, agent, c2) = (traps.clone(), self.clone(), cancel.clone());
        let handle = tokio::spawn(async move {
            crate::poller::supervise(
                "trap listener",
                RESTART_AFTER,
                c2.clone(),
                move || {
                    crate::traps::run(
                        socket.clone(),
                        config.clone(),
                        agent.store.clone(),
                        agent.clone(),
                        c2.clone(),
                    )
                },
                |_| {},
            )
            .await
        });
        *current = Some((traps, Background { cancel, handle }));
        Ok(())
    }

    /// Stops every task and waits for them to finish.
    pub async fn shutdown(&self) {
        let mut background: Vec<Background> = lock(&self.azure).take().into_iter().collect();
        background.extend(lock(&self.traps).take().map(|(_, bg)| bg));
        let pollers: Vec<RunningPoller> = lock(&self.pollers).drain().map(|(_, p)| p).collect();
        for bg in &background {
            bg.cancel.cancel();
        }
        for p in &pollers {
            p.cancel.cancel();
        }
        for bg in background {
            let _ = bg.handle.await;
        }
        for p in pollers {
            let _ = p.handle.await;
        }
    }

    /// Serves HTTP (with the web config's TLS and basic auth) and listens for traps
    /// when the config says so, until `shutdown` completes; then stops everything.
    pub async fn serve_with(
        self: Arc<Self>,
        listener: TcpListener,
        web: WebConfig,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        self.serve_with_limits(
            listener,
            web,
            crate::exporter::server::Limits::default(),
            shutdown,
        )
        .await
    }

    /// [`Agent::serve_with`] under explicit HTTP limits (`--web.max-connections`).
    pub async fn serve_with_limits(
        self: Arc<Self>,
        listener: TcpListener,
        web: WebConfig,
        limits: crate::exporter::server::Limits,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        self.reconcile_traps(self.store.config().traps.clone())?;
        let weak = Arc::downgrade(&self);
        let hook: ReloadHook = Arc::new(move || match weak.upgrade() {
            Some(agent) => agent.reload(),
            None => Err("the agent is stopping".to_string()),
        });
        let weak = Arc::downgrade(&self);
        let poll: PollHook = Arc::new(move |device| match weak.upgrade() {
            Some(agent) => agent.poll_now_many(device),
            None => 0,
        });
        let app = AppState {
            reload: Some(hook),
            poll: Some(poll),
            ..AppState::new(self.store.clone())
        };
        let served =
            crate::exporter::serve_with_limits(listener, app, &web, limits, shutdown).await;
        self.shutdown().await;
        served
    }

    /// [`Agent::serve_with`] without TLS or auth.
    pub async fn serve(
        self: Arc<Self>,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        self.serve_with(listener, WebConfig::default(), shutdown)
            .await
    }
}

/// Runs the agent on `listener` until `shutdown` completes.
pub async fn run(
    config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    Agent::start(config).serve(listener, shutdown).await
}

/// Traps reach the pollers through the agent.
impl crate::traps::Waker for Agent {
    fn poll_now(&self, device: &str) -> Option<bool> {
        lock(&self.pollers).get(device).map(|p| p.wake.trap())
    }

    fn rediscover(&self, device: &str) -> bool {
        Agent::rediscover(self, device)
    }
}
