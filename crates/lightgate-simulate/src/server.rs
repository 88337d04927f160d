//! The running fleet: one UDP socket per router, a trap sender, the meter and the HTTP
//! control endpoint. Everything stops on the cancellation token.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use tokio::net::{TcpListener, UdpSocket};
use tokio_util::sync::CancellationToken;

use super::device::{SimDevice, Snapshot};
use super::fleet::{build_devices, device_address, FleetSettings};
use super::meter::Meter;
use super::respond::{is_v3, respond, Dropped};
use super::trap;
use super::usm::{Engine, MasterKeys};
use lightgate_core::sim::Scenario;

/// A bound fleet, ready to serve.
pub struct Fleet {
    pub settings: FleetSettings,
    pub devices: Vec<Arc<SimDevice>>,
    sockets: Vec<Arc<UdpSocket>>,
    pub meter: Arc<Meter>,
    listener: std::sync::Mutex<Option<TcpListener>>,
    control_addr: Option<SocketAddr>,
    trap_id: AtomicI64,
}

impl Fleet {
    /// Builds the routers and binds their sockets and the control endpoint.
    pub async fn bind(settings: FleetSettings) -> Result<Fleet, String> {
        let devices = build_devices(&settings);
        let mut sockets = Vec::with_capacity(devices.len());
        for (i, d) in devices.iter().enumerate() {
            let addr = device_address(&settings, i)?;
            let sock = UdpSocket::bind(addr)
                .await
                .map_err(|e| format!("{}: cannot listen on udp {addr}: {e}", d.name))?;
            sockets.push(Arc::new(sock));
        }
        let (listener, control_addr) = match settings.control {
            Some(a) => {
                let l = TcpListener::bind(a)
                    .await
                    .map_err(|e| format!("cannot listen on {a} for the control endpoint: {e}"))?;
                let local = l.local_addr().map_err(|e| e.to_string())?;
                (Some(l), Some(local))
            }
            None => (None, None),
        };
        Ok(Fleet {
            settings,
            devices,
            sockets,
            meter: Arc::new(Meter::default()),
            listener: std::sync::Mutex::new(listener),
            control_addr,
            trap_id: AtomicI64::new(1),
        })
    }

    /// Where each router listens, in order.
    pub fn addresses(&self) -> Vec<SocketAddr> {
        self.sockets
            .iter()
            .filter_map(|s| s.local_addr().ok())
            .collect()
    }

    /// Where the control endpoint listens.
    pub fn control_addr(&self) -> Option<SocketAddr> {
        self.control_addr
    }

    /// Forces a port of a router down or up and sends the trap. Returns when the trap
    /// left (the time a latency measurement starts from).
    pub async fn force(&self, device: &str, interface: &str, down: bool) -> Result<Forced, String> {
        let (i, dev) = self
            .devices
            .iter()
            .enumerate()
            .find(|(_, d)| d.name == device)
            .ok_or_else(|| format!("no simulated router named {device:?}"))?;
        let k = dev
            .ports
            .iter()
            .position(|p| p.name.eq_ignore_ascii_case(interface))
            .ok_or_else(|| format!("{device} has no interface {interface:?}"))?;
        dev.force(k, down);
        let at = SystemTime::now();
        let trap_sent = self.send_trap(i, k, !down).await;
        Ok(Forced {
            device: device.to_string(),
            interface: dev.ports[k].name.clone(),
            state: if down { "down" } else { "up" },
            at_unix_seconds: unix(at),
            trap_sent,
        })
    }

    /// Changes a BGP session of a router (state and, optionally, its AS and prefix
    /// counts) and, when its state changed, sends the BGP trap from the router.
    pub async fn set_bgp(&self, req: &BgpRequest) -> Result<BgpChanged, String> {
        let (i, dev) = self
            .devices
            .iter()
            .enumerate()
            .find(|(_, d)| d.name == req.device)
            .ok_or_else(|| format!("no simulated router named {:?}", req.device))?;
        let neighbor: std::net::IpAddr = req
            .neighbor
            .parse()
            .map_err(|e| format!("neighbor {:?}: {e}", req.neighbor))?;
        let now = SystemTime::now();
        let (before, after) = {
            let mut sessions = dev.bgp.lock().unwrap_or_else(|e| e.into_inner());
            let p = sessions
                .iter_mut()
                .find(|p| p.peer.addr == neighbor)
                .ok_or_else(|| {
                    format!(
                        "{} has no BGP neighbour {neighbor} (see --bgp-peer)",
                        req.device
                    )
                })?;
            let before = p.now(now).0;
            if let Some(st) = &req.state {
                p.peer.behaviour = crate::bgp::Behaviour::parse(st)?;
                p.since = now;
            }
            if let Some(a) = &req.remote_as {
                p.peer.remote_as = a.parse::<lightgate_core::bgp::Asn>()?.0;
            }
            if let Some(n) = req.received {
                p.peer.received = n;
            }
            if let Some(n) = req.advertised {
                p.peer.advertised = n;
            }
            if let Some(b) = &req.bfd {
                p.peer.bfd = crate::bgp::BfdMode::parse(b)?;
            }
            (before, p.now(now).0)
        };
        let trap_sent = before != after && self.send_bgp_trap(i, &neighbor, after).await;
        Ok(BgpChanged {
            device: req.device.clone(),
            neighbor: neighbor.to_string(),
            state: after.as_str(),
            at_unix_seconds: unix(now),
            trap_sent,
        })
    }

    /// Sends one trap from router `device` to every trap target; true when at least
    /// one went out.
    async fn send_to_all(&self, device: usize, bytes: &[u8]) -> bool {
        let mut sent = false;
        for to in &self.settings.trap_to {
            match self.sockets[device].send_to(bytes, to).await {
                Ok(_) => {
                    self.meter.trap_sent();
                    sent = true;
                }
                Err(e) => {
                    tracing::warn!(device = %self.devices[device].name, %to, error = %e, "Could not send a trap.")
                }
            }
        }
        sent
    }

    /// Sends router `device`'s BGP trap for a session to `neighbor` now in `state`.
    async fn send_bgp_trap(
        &self,
        device: usize,
        neighbor: &std::net::IpAddr,
        state: lightgate_core::bgp::BgpState,
    ) -> bool {
        let bytes = crate::bgp::trap(
            &self.settings.trap_community,
            self.trap_id.fetch_add(1, Ordering::Relaxed),
            self.devices[device].uptime_ticks(),
            neighbor,
            state,
        );
        self.send_to_all(device, &bytes).await
    }

    async fn send_trap(&self, device: usize, port: usize, up: bool) -> bool {
        if self.settings.trap_to.is_empty() {
            return false;
        }
        let dev = &self.devices[device];
        let p = &dev.ports[port];
        let admin_up = p.iface.scenario != Scenario::AdminDown;
        let bytes = trap::link_trap(
            &self.settings.trap_community,
            self.trap_id.fetch_add(1, Ordering::Relaxed),
            dev.uptime_ticks(),
            p.if_index,
            admin_up,
            up,
        );
        self.send_to_all(device, &bytes).await
    }

    /// Serves until `cancel` fires.
    pub async fn serve(self: Arc<Self>, cancel: CancellationToken) {
        let mut tasks = tokio::task::JoinSet::new();
        // Password to key once for the fleet; each router localizes the keys.
        let master = self.settings.v3.as_ref().map(MasterKeys::new);
        for (i, dev) in self.devices.iter().enumerate() {
            let (dev, sock, meter) = (dev.clone(), self.sockets[i].clone(), self.meter.clone());
            let community = self.settings.community.clone();
            let max = self.settings.max_response_size;
            let cancel = cancel.clone();
            let engine = master.as_ref().map(|m| m.engine(&dev.name));
            tasks.spawn(serve_router(
                dev, sock, meter, community, engine, max, cancel,
            ));
        }
        tasks.spawn(self.clone().watch_flaps(cancel.clone()));
        tasks.spawn(self.clone().watch_bgp(cancel.clone()));
        if let Some(path) = self.settings.meter_file.clone() {
            tasks.spawn(self.clone().write_meter(path, cancel.clone()));
        }
        let listener = self
            .listener
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(l) = listener {
            let app = Router::new()
                .route("/meter", get(meter_handler))
                .route("/meter/reset", post(reset_handler))
                .route("/devices", get(devices_handler))
                .route("/link", post(link_handler))
                .route("/bgp", post(bgp_handler))
                .route("/restart", post(restart_handler))
                .with_state(self.clone());
            let cancel = cancel.clone();
            tasks.spawn(async move {
                let _ = axum::serve(l, app)
                    .with_graceful_shutdown(cancel.cancelled_owned())
                    .await;
            });
        }
        while tasks.join_next().await.is_some() {}
    }

    /// Sends a trap whenever a flapping port changes state.
    async fn watch_flaps(self: Arc<Self>, cancel: CancellationToken) {
        let flapping: Vec<(usize, usize)> = self
            .devices
            .iter()
            .enumerate()
            .flat_map(|(i, d)| {
                d.ports
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| p.iface.scenario == Scenario::Flapping)
                    .map(move |(k, _)| (i, k))
            })
            .collect();
        if flapping.is_empty() || self.settings.trap_to.is_empty() {
            return;
        }
        let mut last: Vec<bool> = flapping
            .iter()
            .map(|(i, k)| self.devices[*i].oper_up(*k))
            .collect();
        let mut tick = tokio::time::interval(Duration::from_millis(200));
        loop {
            tokio::select! {
                _ = cancel.cancelled() => return,
                _ = tick.tick() => {}
            }
            for (n, (i, k)) in flapping.iter().enumerate() {
                let up = self.devices[*i].oper_up(*k);
                if up != last[n] {
                    last[n] = up;
                    self.send_trap(*i, *k, up).await;
                }
            }
        }
    }

    /// Sends the BGP trap of every flapping session each time it goes up or down
    /// (sessions changed through `POST /bgp` send theirs there).
    async fn watch_bgp(self: Arc<Self>, cancel: CancellationToken) {
        if self.settings.trap_to.is_empty() || self.settings.bgp_peers.is_empty() {
            return;
        }
        let mut last: HashMap<(usize, usize), lightgate_core::bgp::BgpState> = HashMap::new();
        let mut tick = tokio::time::interval(Duration::from_millis(250));
        loop {
            tokio::select! {
                _ = cancel.cancelled() => return,
                _ = tick.tick() => {}
            }
            let now = SystemTime::now();
            for (i, dev) in self.devices.iter().enumerate() {
                let changed: Vec<(std::net::IpAddr, lightgate_core::bgp::BgpState)> = {
                    let sessions = dev.bgp.lock().unwrap_or_else(|e| e.into_inner());
                    sessions
                        .iter()
                        .enumerate()
                        .filter(|(_, p)| p.peer.behaviour == crate::bgp::Behaviour::Flapping)
                        .filter_map(|(k, p)| {
                            let state = p.now(now).0;
                            let before = last.insert((i, k), state);
                            (before.is_some_and(|b| b != state)).then_some((p.peer.addr, state))
                        })
                        .collect()
                };
                for (addr, state) in changed {
                    self.send_bgp_trap(i, &addr, state).await;
                }
            }
        }
    }

    async fn write_meter(self: Arc<Self>, path: std::path::PathBuf, cancel: CancellationToken) {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            let stop = tokio::select! {
                _ = cancel.cancelled() => true,
                _ = tick.tick() => false,
            };
            let report = self.meter.report(self.devices.len());
            if let Ok(json) = serde_json::to_vec_pretty(&report) {
                let tmp = path.with_extension("tmp");
                let written = std::fs::write(&tmp, json).and_then(|_| std::fs::rename(&tmp, &path));
                if let Err(e) = written {
                    tracing::warn!(path = %path.display(), error = %e, "Could not write the meter file.");
                }
            }
            if stop {
                return;
            }
        }
    }
}

/// Answers one router's requests.
async fn serve_router(
    dev: Arc<SimDevice>,
    sock: Arc<UdpSocket>,
    meter: Arc<Meter>,
    community: String,
    engine: Option<Engine>,
    max_size: usize,
    cancel: CancellationToken,
) {
    let mut buf = vec![0u8; 65_535];
    let mut snap = Snapshot::default();
    loop {
        let (n, from) = tokio::select! {
            _ = cancel.cancelled() => return,
            r = sock.recv_from(&mut buf) => match r {
                Ok(x) => x,
                // ICMP errors from earlier sends surface here on Linux; keep serving.
                Err(_) => continue,
            },
        };
        let bytes = &buf[..n];
        let answered = match (&engine, is_v3(bytes)) {
            (Some(e), true) => e.respond(&dev, &mut snap, max_size, bytes),
            (None, true) => Err(Dropped::Version3),
            (_, false) => respond(&dev, &mut snap, community.as_bytes(), max_size, bytes),
        };
        match answered {
            Ok(answer) => {
                if let Err(e) = sock.send_to(&answer.bytes, from).await {
                    tracing::debug!(device = %dev.name, %from, error = %e, "Could not answer.");
                }
                meter.answered(from.ip(), &answer);
            }
            Err(why) => {
                tracing::debug!(device = %dev.name, %from, reason = %why, "Dropped a datagram.");
                meter.dropped(from.ip());
            }
        }
    }
}

fn unix(t: SystemTime) -> f64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs_f64()
}

/// The answer of `POST /link`.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
pub struct Forced {
    pub device: String,
    pub interface: String,
    pub state: &'static str,
    /// When the link changed and the trap left, seconds since the Unix epoch.
    pub at_unix_seconds: f64,
    pub trap_sent: bool,
}

/// `POST /bgp`: a BGP session to change.
#[derive(Debug, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct BgpRequest {
    pub device: String,
    pub neighbor: String,
    /// up, down, flapping, or a BGP state (idle, connect, active, opensent, ...).
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub remote_as: Option<String>,
    #[serde(default)]
    pub received: Option<u64>,
    #[serde(default)]
    pub advertised: Option<u64>,
    /// The BFD session: follow (BGP's state), off, or a fixed state (up, down, ...).
    #[serde(default)]
    pub bfd: Option<String>,
}

/// The answer of `POST /bgp`.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
pub struct BgpChanged {
    pub device: String,
    pub neighbor: String,
    pub state: &'static str,
    pub at_unix_seconds: f64,
    pub trap_sent: bool,
}

async fn bgp_handler(State(f): State<Arc<Fleet>>, Json(req): Json<BgpRequest>) -> Response {
    match f.set_bgp(&req).await {
        Ok(c) => Json(c).into_response(),
        Err(e) if e.starts_with("no ") || e.contains("has no") => {
            (StatusCode::NOT_FOUND, format!("{e}\n")).into_response()
        }
        Err(e) => (StatusCode::BAD_REQUEST, format!("{e}\n")).into_response(),
    }
}

#[derive(Debug, Deserialize)]
struct LinkRequest {
    device: String,
    interface: String,
    state: String,
}

#[derive(Debug, Serialize)]
struct DeviceInfo {
    name: String,
    address: String,
    flavour: &'static str,
    interfaces: Vec<InterfaceInfo>,
}

#[derive(Debug, Serialize)]
struct InterfaceInfo {
    name: String,
    if_index: u32,
    scenario: &'static str,
}

async fn meter_handler(State(f): State<Arc<Fleet>>) -> Response {
    Json(f.meter.report(f.devices.len())).into_response()
}

async fn reset_handler(State(f): State<Arc<Fleet>>) -> StatusCode {
    f.meter.reset();
    StatusCode::NO_CONTENT
}

async fn devices_handler(State(f): State<Arc<Fleet>>) -> Response {
    let addrs = f.addresses();
    let list: Vec<DeviceInfo> = f
        .devices
        .iter()
        .zip(addrs)
        .map(|(d, a)| DeviceInfo {
            name: d.name.clone(),
            address: a.to_string(),
            flavour: d.flavour().as_str(),
            interfaces: d
                .ports
                .iter()
                .map(|p| InterfaceInfo {
                    name: p.name.clone(),
                    if_index: p.if_index,
                    scenario: p.iface.scenario.as_str(),
                })
                .collect(),
        })
        .collect();
    Json(list).into_response()
}

async fn link_handler(State(f): State<Arc<Fleet>>, Json(req): Json<LinkRequest>) -> Response {
    let down = match req.state.as_str() {
        "down" => true,
        "up" => false,
        other => {
            return (
                StatusCode::BAD_REQUEST,
                format!("state must be \"down\" or \"up\", not {other:?}\n"),
            )
                .into_response()
        }
    };
    match f.force(&req.device, &req.interface, down).await {
        Ok(forced) => Json(forced).into_response(),
        Err(e) => (StatusCode::NOT_FOUND, format!("{e}\n")).into_response(),
    }
}

#[derive(Debug, Deserialize)]
struct RestartRequest {
    device: String,
}

/// `POST /restart {"device": NAME}`: the router restarts (`SimDevice::restart`).
async fn restart_handler(State(f): State<Arc<Fleet>>, Json(req): Json<RestartRequest>) -> Response {
    match f.devices.iter().find(|d| d.name == req.device) {
        Some(d) => {
            d.restart();
            (StatusCode::OK, format!("{} restarted\n", d.name)).into_response()
        }
        None => (
            StatusCode::NOT_FOUND,
            format!("no simulated router named {:?}\n", req.device),
        )
            .into_response(),
    }
}

/// Binds and serves a fleet until `cancel` fires.
pub async fn run(settings: FleetSettings, cancel: CancellationToken) -> Result<(), String> {
    let fleet = Arc::new(Fleet::bind(settings).await?);
    fleet.serve(cancel).await;
    Ok(())
}
