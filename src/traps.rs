//! The linkDown/linkUp trap listener. A trap from a configured SNMP device makes that
//! device's poller read it at once, so a link loss shows in /metrics and readiness
//! within a second instead of a poll interval later. Traps from unknown sources or
//! with the wrong community are counted and dropped; nothing in a trap is trusted
//! beyond "look now".
//!
//! Mind the semantics (RFC 2863, librenms#15815): the ifOperStatus carried by linkDown
//! is the state the interface is *leaving*, and some devices send no status varbinds
//! at all (librenms PR #14384). lightgate therefore takes the state from the re-poll,
//! never from the trap.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use tokio::net::UdpSocket;
use tokio_util::sync::CancellationToken;

use crate::config::{Config, SourceConfig, TrapConfig};
use crate::store::Store;
pub use lightgate_snmp::trap::{parse, Trap, TrapKind};

/// Configured SNMP device names by IP address.
type Sources = HashMap<IpAddr, Vec<String>>;

/// The SNMP devices of a config by source address.
async fn devices_by_ip(config: &Config) -> Sources {
    let mut map = Sources::new();
    for d in &config.devices {
        let SourceConfig::Snmp(s) = &d.source else {
            continue;
        };
        let ips: Vec<IpAddr> = match s.address.parse::<SocketAddr>() {
            Ok(a) => vec![a.ip()],
            Err(_) => tokio::net::lookup_host(s.address.as_str())
                .await
                .map(|it| it.map(|a| a.ip()).collect())
                .unwrap_or_default(),
        };
        for ip in ips {
            map.entry(ip).or_default().push(d.name.clone());
        }
    }
    map
}

/// How long resolved device addresses are trusted before they are resolved again.
const SOURCES_TTL: std::time::Duration = std::time::Duration::from_secs(300);

/// What a trap may ask of the pollers: poll a device now, or rediscover it first.
pub trait Waker: Send + Sync {
    /// None for an unknown device; Some(false) when a poll was already waiting.
    fn poll_now(&self, device: &str) -> Option<bool>;
    /// False for an unknown device.
    fn rediscover(&self, device: &str) -> bool;
}

/// Listens on `socket` until `cancel` fires.
pub async fn run(
    socket: Arc<UdpSocket>,
    traps: TrapConfig,
    store: Arc<Store>,
    pollers: Arc<dyn Waker>,
    cancel: CancellationToken,
) {
    let mut buf = vec![0u8; 65_535];
    let metrics = &store.poll_metrics;
    // Sources by address, made again when the config changes or is older than
    // SOURCES_TTL (host names may move): a trap storm must not mean a DNS storm.
    let mut sources: Option<(Arc<Config>, std::time::Instant, Sources)> = None;
    loop {
        let (len, from) = tokio::select! {
            _ = cancel.cancelled() => return,
            r = socket.recv_from(&mut buf) => match r {
                Ok(x) => x,
                Err(e) => {
                    tracing::warn!(error = %e, "Trap socket error.");
                    continue;
                }
            },
        };
        let trap = match parse(&buf[..len]) {
            Ok(t) => t,
            Err(e) => {
                tracing::debug!(%from, error = %e, "Dropped an unreadable trap.");
                metrics.trap_dropped("malformed");
                continue;
            }
        };
        if trap.community != traps.community.expose().as_bytes() {
            tracing::debug!(%from, "Dropped a trap with the wrong community.");
            metrics.trap_dropped("bad_community");
            continue;
        }
        let config = store.config();
        let current = sources
            .as_ref()
            .is_some_and(|(c, at, _)| Arc::ptr_eq(c, &config) && at.elapsed() < SOURCES_TTL);
        if !current {
            let map = devices_by_ip(&config).await;
            sources = Some((config, std::time::Instant::now(), map));
        }
        let Some(names) = sources.as_ref().and_then(|(_, _, m)| m.get(&from.ip())) else {
            tracing::debug!(%from, "Dropped a trap from an unknown source.");
            metrics.trap_dropped("unknown_source");
            continue;
        };
        for name in names {
            metrics.trap_received(name, trap.kind.as_str());
            match trap.kind {
                TrapKind::LinkDown
                | TrapKind::LinkUp
                | TrapKind::BgpEstablished
                | TrapKind::BgpBackward => match pollers.poll_now(name) {
                    Some(true) => {
                        tracing::info!(device = %name, trap = trap.kind.as_str(), if_index = ?trap.if_index, "Link trap: polling now.")
                    }
                    Some(false) => {
                        metrics.trap_poll_coalesced(name);
                        tracing::debug!(device = %name, trap = trap.kind.as_str(), "Link trap: a poll is already on its way.");
                    }
                    None => {}
                },
                TrapKind::EntityChange => {
                    tracing::info!(device = %name, "Hardware changed: rediscovering.");
                    pollers.rediscover(name);
                }
                TrapKind::Other => {}
            }
        }
    }
}
