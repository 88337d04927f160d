//! linkDown/linkUp (and entConfigChange) notifications, v1 and v2c, decoded. Pure:
//! bytes in, a [`Trap`] or why not out.

use snmp2::{MessageType, Pdu};

use crate::oids;
use crate::types::{oid_from_snmp2, Oid, Value};

/// What kind of notification arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrapKind {
    LinkDown,
    LinkUp,
    /// ENTITY-MIB entConfigChange: hardware (an optic) inserted or removed.
    EntityChange,
    /// A BGP session came up: BGP4-MIB bgpEstablished(Notification), Cisco's
    /// cbgpFsmStateChange/cbgpPeer2Established, Juniper's jnxBgpM2Established.
    BgpEstablished,
    /// A BGP session went down: bgpBackwardTransition(Notification) and equivalents.
    BgpBackward,
    Other,
}

/// The BGP notification OIDs and what they mean.
const BGP_TRAPS: [(&str, TrapKind); 10] = [
    // BGP4-MIB (RFC 1657 and RFC 4273)
    ("1.3.6.1.2.1.15.7.1", TrapKind::BgpEstablished),
    ("1.3.6.1.2.1.15.7.2", TrapKind::BgpBackward),
    ("1.3.6.1.2.1.15.0.1", TrapKind::BgpEstablished),
    ("1.3.6.1.2.1.15.0.2", TrapKind::BgpBackward),
    // CISCO-BGP4-MIB: cbgpFsmStateChange, cbgpBackwardTransition, cbgpPeer2Established,
    // cbgpPeer2BackwardTransition
    ("1.3.6.1.4.1.9.9.187.0.1", TrapKind::BgpEstablished),
    ("1.3.6.1.4.1.9.9.187.0.2", TrapKind::BgpBackward),
    ("1.3.6.1.4.1.9.9.187.0.7", TrapKind::BgpEstablished),
    ("1.3.6.1.4.1.9.9.187.0.8", TrapKind::BgpBackward),
    // BGP4-V2-MIB-JUNIPER: jnxBgpM2Established, jnxBgpM2BackwardTransition
    ("1.3.6.1.4.1.2636.5.1.1.1.0.1", TrapKind::BgpEstablished),
    ("1.3.6.1.4.1.2636.5.1.1.1.0.2", TrapKind::BgpBackward),
];

impl TrapKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            TrapKind::LinkDown => "linkDown",
            TrapKind::LinkUp => "linkUp",
            TrapKind::EntityChange => "entConfigChange",
            TrapKind::BgpEstablished => "bgpEstablished",
            TrapKind::BgpBackward => "bgpBackwardTransition",
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

fn bgp_kind(o: &Oid) -> Option<TrapKind> {
    BGP_TRAPS
        .iter()
        .find(|(t, _)| crate::types::oid(t) == *o)
        .map(|(_, k)| *k)
}

/// Decodes a trap datagram. Pure; never panics on garbage.
pub fn parse(bytes: &[u8]) -> Result<Trap, String> {
    let pdu = Pdu::from_bytes(bytes).map_err(|e| format!("not an SNMP v1/v2c message: {e}"))?;
    let varbinds: Vec<(Oid, Value)> = pdu
        .varbinds
        .clone()
        .map(|(o, v)| (oid_from_snmp2(&o), Value::from(&v)))
        .collect();
    let kind = match pdu.message_type {
        MessageType::TrapV1 => match pdu.v1_trap_info.as_ref() {
            Some(t) if t.generic_trap == 2 => TrapKind::LinkDown,
            Some(t) if t.generic_trap == 3 => TrapKind::LinkUp,
            // Enterprise-specific: the enterprise OID and the specific trap number.
            Some(t) if t.generic_trap == 6 => {
                let full = oid_from_snmp2(&t.enterprise).child(&[0, t.specific_trap as u32]);
                let plain = oid_from_snmp2(&t.enterprise).child(&[t.specific_trap as u32]);
                bgp_kind(&full)
                    .or_else(|| bgp_kind(&plain))
                    .unwrap_or(TrapKind::Other)
            }
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
                Some(Value::ObjectId(o)) => bgp_kind(o).unwrap_or(TrapKind::Other),
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
