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

use snmp2::{MessageType, Pdu};
use tokio::net::UdpSocket;
use tokio_util::sync::CancellationToken;

use crate::config::{Config, SourceConfig, TrapConfig};
use crate::source::snmp::oids;
use crate::source::snmp::types::{oid_from_snmp2, Value};
use crate::store::Store;

/// What kind of notification arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrapKind {
    LinkDown,
    LinkUp,
    /// ENTITY-MIB entConfigChange: hardware (an optic) inserted or removed.
    EntityChange,
    Other,
}

impl TrapKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            TrapKind::LinkDown => "linkDown",
            TrapKind::LinkUp => "linkUp",
            TrapKind::EntityChange => "entConfigChange",
            TrapKind::Other => "other",
        }
    }
}

/// A decoded v1 or v2c trap.
#[derive(Debug, Clone, PartialEq)]
pub struct Trap {
    pub community: Vec<u8>,
    pub kind: TrapKind,
    /// From the ifIndex varbind, or the index of the ifAdminStatus/ifOperStatus ones.
    pub if_index: Option<u32>,
}

/// Decodes a trap datagram. Pure; never panics on garbage.
pub fn parse(bytes: &[u8]) -> Result<Trap, String> {
    let pdu = Pdu::from_bytes(bytes).map_err(|e| format!("not an SNMP v1/v2c message: {e}"))?;
    let varbinds: Vec<(crate::source::snmp::types::Oid, Value)> = pdu
        .varbinds
        .clone()
        .map(|(o, v)| (oid_from_snmp2(&o), Value::from(&v)))
        .collect();
    let kind = match pdu.message_type {
        MessageType::TrapV1 => match pdu.v1_trap_info.as_ref().map(|t| t.generic_trap) {
            Some(2) => TrapKind::LinkDown,
            Some(3) => TrapKind::LinkUp,
            _ => TrapKind::Other,
        },
        MessageType::Trap | MessageType::InformRequest => {
            let trap_oid = varbinds
                .iter()
                .find(|(o, _)| *o == oids::snmp_trap_oid())
                .map(|(_, v)| v);
            match trap_oid {
                Some(Value::ObjectId(o)) if *o == oids::link_down() => TrapKind::LinkDown,
                Some(Value::ObjectId(o)) if *o == oids::link_up() => TrapKind::LinkUp,
                Some(Value::ObjectId(o)) if *o == oids::ent_config_change() => {
                    TrapKind::EntityChange
                }
                _ => TrapKind::Other,
            }
        }
        other => return Err(format!("not a notification ({other:?})")),
    };
    let if_index = varbinds.iter().find_map(|(o, v)| {
        if o.starts_with(&oids::if_index()) {
            return v.as_i64().and_then(|i| u32::try_from(i).ok());
        }
        for col in [oids::if_admin_status(), oids::if_oper_status()] {
            if let Some([i]) = o.suffix(&col) {
                return Some(*i);
            }
        }
        None
    });
    Ok(Trap {
        community: pdu.community.to_vec(),
        kind,
        if_index,
    })
}

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
                TrapKind::LinkDown | TrapKind::LinkUp => match pollers.poll_now(name) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for bytes in [
            &b""[..],
            b"\x30",
            b"\x30\x03\x02\x01\x01",
            b"hello world",
            &[0xff; 64],
        ] {
            assert!(parse(bytes).is_err());
        }
    }
}
