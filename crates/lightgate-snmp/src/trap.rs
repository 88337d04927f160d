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
    let varbinds: Vec<(Oid, Value)> = pdu
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
