//! Wiring: a store, one poller task per device, and the HTTP server, all stopped by one
//! shutdown signal. [`Agent::apply_config`] reconciles a new config with the running
//! one: pollers of unchanged devices keep running, removed ones stop, added ones start.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::config::{Config, DeviceConfig};
use crate::poller::Wake;
use crate::store::Store;

struct RunningPoller {
    config: DeviceConfig,
    cancel: CancellationToken,
    wake: Arc<Wake>,
    handle: JoinHandle<()>,
}

/// The running agent's pollers and store.
pub struct Agent {
    store: Arc<Store>,
    pollers: Mutex<HashMap<String, RunningPoller>>,
    /// The Azure poller (one task for all ports; it follows config changes itself).
    azure: Mutex<Option<(CancellationToken, JoinHandle<()>)>>,
}

impl Agent {
    /// Starts polling every device of `config`. Must be called within a tokio runtime.
    pub fn start(config: Config) -> Arc<Agent> {
        let agent = Arc::new(Agent {
            store: Arc::new(Store::new(config.clone())),
            pollers: Mutex::new(HashMap::new()),
            azure: Mutex::new(None),
        });
        agent.start_missing(&config);
        let cancel = CancellationToken::new();
        let task = tokio::spawn(crate::source::azure::run(
            agent.store.clone(),
            cancel.clone(),
        ));
        *agent.azure.lock().unwrap_or_else(|e| e.into_inner()) = Some((cancel, task));
        agent
    }

    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// Switches to a new config, keeping the state of what did not change. Pollers of
    /// removed or changed devices stop before the store forgets them (the store also
    /// ignores a late result); new pollers start once the store knows their device.
    pub fn apply_config(&self, config: Config) {
        self.stop_changed(&config);
        self.store.apply_config(config.clone());
        self.start_missing(&config);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, RunningPoller>> {
        self.pollers.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn stop_changed(&self, config: &Config) {
        self.lock().retain(|name, p| {
            let keep = config.device(name) == Some(&p.config);
            if !keep {
                tracing::info!(device = %name, "Stopping poller.");
                p.cancel.cancel();
            }
            keep
        });
    }

    fn start_missing(&self, config: &Config) {
        let mut pollers = self.lock();
        for device in &config.devices {
            if pollers.contains_key(&device.name) {
                continue;
            }
            tracing::info!(device = %device.name, source = device.source.kind(), interval = ?device.poll_interval, "Starting poller.");
            let cancel = CancellationToken::new();
            let wake = Arc::new(Wake::default());
            let handle = tokio::spawn(crate::poller::run(
                device.clone(),
                self.store.clone(),
                wake.clone(),
                cancel.clone(),
            ));
            pollers.insert(
                device.name.clone(),
                RunningPoller {
                    config: device.clone(),
                    cancel,
                    wake,
                    handle,
                },
            );
        }
    }

    /// Makes a device's poller poll now (several calls before it runs make one poll).
    /// Returns false for an unknown device.
    pub fn poll_now(&self, device: &str) -> bool {
        self.lock().get(device).map(|p| p.wake.poll_now()).is_some()
    }

    /// Makes a device's poller rediscover the device and poll now.
    pub fn rediscover(&self, device: &str) -> bool {
        self.lock()
            .get(device)
            .map(|p| p.wake.rediscover())
            .is_some()
    }

    /// Stops every poller and waits for them to finish.
    pub async fn shutdown(&self) {
        let azure = self.azure.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some((cancel, task)) = azure {
            cancel.cancel();
            let _ = task.await;
        }
        let running: Vec<RunningPoller> = self.lock().drain().map(|(_, p)| p).collect();
        for p in &running {
            p.cancel.cancel();
        }
        for p in running {
            let _ = p.handle.await;
        }
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

impl Agent {
    /// Serves HTTP for this agent (and listens for traps when the config says so)
    /// until `shutdown` completes, then stops everything.
    pub async fn serve(
        self: Arc<Self>,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let cancel = CancellationToken::new();
        let mut trap_task = None;
        if let Some(traps) = self.store.config().traps.clone() {
            let socket = tokio::net::UdpSocket::bind(traps.listen)
                .await
                .map_err(|e| {
                    std::io::Error::new(
                        e.kind(),
                        format!("cannot listen for traps on {}: {e}", traps.listen),
                    )
                })?;
            tracing::info!(address = %socket.local_addr()?, "Listening for traps.");
            trap_task = Some(tokio::spawn(crate::traps::run(
                socket,
                traps,
                self.clone(),
                cancel.clone(),
            )));
        }
        let served = crate::exporter::serve(listener, self.store.clone(), shutdown).await;
        cancel.cancel();
        if let Some(t) = trap_task {
            let _ = t.await;
        }
        self.shutdown().await;
        served
    }
}
