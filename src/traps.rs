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

/// The SNMP devices of a config by source address: this agent's own (`owns`) by name;
/// another shard's by a literal address only, with no names, so that their traps are
/// told apart from strangers' without resolving host names this agent never polls.
async fn devices_by_ip(config: &Config, owns: impl Fn(&str) -> bool) -> Sources {
    let mut map = Sources::new();
    for d in &config.devices {
        let SourceConfig::Snmp(s) = &d.source else {
            continue;
        };
        let mine = owns(&d.name);
        let ips: Vec<IpAddr> = match s.address.parse::<SocketAddr>() {
            Ok(a) => vec![a.ip()],
            Err(_) if mine => tokio::net::lookup_host(s.address.as_str())
                .await
                .map(|it| it.map(|a| a.ip()).collect())
                .unwrap_or_default(),
            Err(_) => continue,
        };
        for ip in ips {
            let names = map.entry(ip).or_default();
            if mine {
                names.push(d.name.clone());
            }
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
            let map = devices_by_ip(&config, |name| store.owns(name)).await;
            sources = Some((config, std::time::Instant::now(), map));
        }
        let Some(names) = sources.as_ref().and_then(|(_, _, m)| m.get(&from.ip())) else {
            tracing::debug!(%from, "Dropped a trap from an unknown source.");
            metrics.trap_dropped("unknown_source");
            continue;
        };
        if names.is_empty() {
            tracing::debug!(%from, "Dropped a trap from a device another shard polls.");
            metrics.trap_dropped("other_shard");
            continue;
        }
        for name in names {
            let mut coalesced = false;
            match trap.kind {
                TrapKind::LinkDown
                | TrapKind::LinkUp
                | TrapKind::BgpEstablished
                | TrapKind::BgpBackward => match pollers.poll_now(name) {
                    Some(true) => {
                        tracing::info!(device = %name, trap = trap.kind.as_str(), if_index = ?trap.if_index, "Link trap: polling now.")
                    }
                    Some(false) => {
                        coalesced = true;
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
            store.record_trap(name, trap.kind, coalesced);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shard::Shard;
    use std::sync::Mutex;

    /// Records which devices a trap asked to poll.
    #[derive(Default)]
    struct Asked(Mutex<Vec<String>>);

    impl Waker for Asked {
        fn poll_now(&self, device: &str) -> Option<bool> {
            self.0.lock().unwrap().push(device.to_string());
            Some(true)
        }
        fn rediscover(&self, _: &str) -> bool {
            true
        }
    }

    /// Every agent of a sharded fleet gets every router's traps; each acts on its own
    /// routers' and counts the rest apart from strangers'.
    #[tokio::test]
    async fn a_sharded_agent_acts_on_its_own_routers_traps_only() {
        let shard: Shard = "1/2".parse().unwrap();
        let names: Vec<String> = (0..).map(|i| format!("edge-{i}")).take(20).collect();
        let mine = names.iter().find(|n| shard.owns(n)).unwrap();
        let theirs = names.iter().find(|n| !shard.owns(n)).unwrap();
        let device = |name: &str, ip: &str| {
            format!("[[device]]\nname = \"{name}\"\nsource = \"snmp\"\n[device.snmp]\naddress = \"{ip}:161\"\ncommunity = \"public\"\n\n")
        };
        let text = [device(mine, "127.0.0.2"), device(theirs, "127.0.0.3")].concat();
        let config = Config::parse(&text, "t").unwrap();
        let store = Arc::new(Store::new_sharded(config, Some(shard)));
        let socket = Arc::new(UdpSocket::bind("127.0.0.1:0").await.unwrap());
        let to = socket.local_addr().unwrap();
        let asked = Arc::new(Asked::default());
        let cancel = CancellationToken::new();
        let traps = TrapConfig {
            listen: to,
            community: crate::config::Secret::new("trap-secret"),
        };
        let task = tokio::spawn(run(
            socket,
            traps,
            store.clone(),
            asked.clone(),
            cancel.clone(),
        ));
        for from in ["127.0.0.3", "127.0.0.2"] {
            let sender = UdpSocket::bind(format!("{from}:0")).await.unwrap();
            let pdu = lightgate_simulate::trap::link_trap("trap-secret", 1, 1, 5, true, false);
            sender.send_to(&pdu, to).await.unwrap();
        }
        let rendered = || crate::exporter::metrics::render(&store, crate::store::now());
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while asked.0.lock().unwrap().is_empty() && std::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        cancel.cancel();
        task.await.unwrap();
        assert_eq!(*asked.0.lock().unwrap(), vec![mine.clone()]);
        let m = rendered();
        assert!(
            m.contains("lightgate_snmp_traps_dropped_total{reason=\"other_shard\"} 1"),
            "{m}"
        );
        assert!(
            m.contains(&format!(
                "lightgate_snmp_traps_total{{device=\"{mine}\",trap=\"linkDown\"}} 1"
            )),
            "{m}"
        );
        assert!(!m.contains(&format!("device=\"{theirs}\"")), "{m}");
    }
}
