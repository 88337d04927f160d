//! The agent side of SNMP v1/v2c for one simulated router: a request in, a response
//! out. Pure apart from the device's clock, so it is tested without sockets.

use snmp2::{MessageType, Pdu};

use super::ber::{self, status};
use super::device::{SimDevice, Snapshot};
use lightgate_snmp::types::{oid_from_snmp2, Oid, Value};

/// The kinds of request the simulator answers, as the meter counts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestKind {
    Get,
    GetNext,
    GetBulk,
}

/// What answering one request did.
#[derive(Debug)]
pub struct Answer {
    pub bytes: Vec<u8>,
    /// None for an SNMPv3 Report (engine discovery or a USM error): no data answered.
    pub kind: Option<RequestKind>,
    /// Varbinds in the request.
    pub varbinds_in: usize,
    /// Varbinds in the response.
    pub varbinds_out: usize,
    pub too_big: bool,
}

/// Why a datagram got no answer (agents drop silently; the simulator counts why).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Dropped {
    #[error("not an SNMP message: {0}")]
    Garbled(String),
    #[error("SNMPv3 is not served by the simulator")]
    Version3,
    #[error("wrong community")]
    BadCommunity,
    #[error("not a request the simulator answers ({0})")]
    Unsupported(&'static str),
    #[error("SNMPv3 authentication failed ({0})")]
    Auth(&'static str),
}

impl Answer {
    /// An SNMPv3 report (discovery or a USM error): a request, but no data answered.
    pub(super) fn report(bytes: Vec<u8>) -> Answer {
        Answer {
            bytes,
            kind: None,
            varbinds_in: 0,
            varbinds_out: 0,
            too_big: false,
        }
    }
}

const NO_SUCH_NAME: i64 = 2;

/// Answers one request datagram. `max_size` is the largest response the agent sends,
/// like a router's `snmp-server packetsize`: a GET or GETNEXT that does not fit gets
/// tooBig; a GETBULK is cut short to fit.
pub fn respond(
    dev: &SimDevice,
    snap: &mut Snapshot,
    community: &[u8],
    max_size: usize,
    bytes: &[u8],
) -> Result<Answer, Dropped> {
    if is_v3(bytes) {
        return Err(Dropped::Version3);
    }
    let pdu = Pdu::from_bytes(bytes).map_err(|e| Dropped::Garbled(e.to_string()))?;
    let version = match pdu.version() {
        Ok(snmp2::Version::V1) => 0,
        Ok(snmp2::Version::V2C) => 1,
        _ => return Err(Dropped::Version3),
    };
    if pdu.community != community {
        return Err(Dropped::BadCommunity);
    }
    let budget = max_size.saturating_sub(ber::MESSAGE_OVERHEAD + community.len());
    let a = answer_pdu(dev, snap, version, &pdu, budget)?;
    let bytes = ber::message(
        version,
        community,
        ber::RESPONSE,
        i64::from(pdu.req_id),
        a.error.0,
        a.error.1,
        &a.varbinds,
    );
    Ok(Answer {
        bytes,
        kind: Some(a.kind),
        varbinds_in: a.varbinds_in,
        varbinds_out: a.varbinds_out,
        too_big: a.too_big,
    })
}

/// The answer to one request PDU, before it is wrapped in a message.
pub(super) struct PduAnswer {
    pub kind: RequestKind,
    /// The encoded varbinds of the response.
    pub varbinds: Vec<u8>,
    pub varbinds_in: usize,
    pub varbinds_out: usize,
    /// (error-status, error-index)
    pub error: (i64, i64),
    pub too_big: bool,
}

/// Answers a request PDU of `version` (0: v1, 1: v2c and v3) with at most `budget`
/// bytes of varbinds.
pub(super) fn answer_pdu(
    dev: &SimDevice,
    snap: &mut Snapshot,
    version: i64,
    pdu: &Pdu<'_>,
    budget: usize,
) -> Result<PduAnswer, Dropped> {
    let kind = match pdu.message_type {
        MessageType::GetRequest => RequestKind::Get,
        MessageType::GetNextRequest => RequestKind::GetNext,
        MessageType::GetBulkRequest if version == 1 => RequestKind::GetBulk,
        MessageType::SetRequest => return Err(Dropped::Unsupported("set")),
        _ => return Err(Dropped::Unsupported("not a get")),
    };
    let asked: Vec<Oid> = pdu
        .varbinds
        .clone()
        .map(|(o, _)| oid_from_snmp2(&o))
        .collect();
    let layout = &dev.layout;
    let mut out = Vec::with_capacity(512);
    let mut count = 0usize;
    let mut error = (status::NO_ERROR, 0i64);
    let mut too_big = false;
    let end_of_mib = |o: &Oid, i: usize, out: &mut Vec<u8>, error: &mut (i64, i64)| {
        if version == 0 {
            if error.0 == status::NO_ERROR {
                *error = (NO_SUCH_NAME, i as i64 + 1);
            }
            ber::varbind(out, o, &Value::Null);
        } else {
            ber::varbind(out, o, &Value::EndOfMibView);
        }
    };
    match kind {
        RequestKind::Get => {
            for (i, o) in asked.iter().enumerate() {
                match layout.find(o) {
                    Some(at) => ber::varbind(&mut out, o, &dev.value(at, snap)),
                    None if version == 0 => {
                        if error.0 == status::NO_ERROR {
                            error = (NO_SUCH_NAME, i as i64 + 1);
                        }
                        ber::varbind(&mut out, o, &Value::Null);
                    }
                    None => {
                        // An unknown object, or an unknown instance of a known column.
                        let column_known =
                            layout
                                .cells
                                .get(layout.next_after(o))
                                .is_some_and(|(n, _)| {
                                    n.0.len() == o.0.len()
                                        && n.0[..n.0.len() - 1] == o.0[..o.0.len() - 1]
                                });
                        let v = if column_known {
                            Value::NoSuchInstance
                        } else {
                            Value::NoSuchObject
                        };
                        ber::varbind(&mut out, o, &v);
                    }
                }
                count += 1;
            }
        }
        RequestKind::GetNext => {
            for (i, o) in asked.iter().enumerate() {
                let at = layout.next_after(o);
                match layout.cells.get(at) {
                    Some((n, _)) => ber::varbind(&mut out, n, &dev.value(at, snap)),
                    None => end_of_mib(o, i, &mut out, &mut error),
                }
                count += 1;
            }
        }
        RequestKind::GetBulk => {
            let non_repeaters = (pdu.error_status as usize).min(asked.len());
            let max_reps = pdu.error_index as usize;
            for (i, o) in asked[..non_repeaters].iter().enumerate() {
                let at = layout.next_after(o);
                match layout.cells.get(at) {
                    Some((n, _)) => ber::varbind(&mut out, n, &dev.value(at, snap)),
                    None => end_of_mib(o, i, &mut out, &mut error),
                }
                count += 1;
            }
            let mut cursors: Vec<Option<usize>> = asked[non_repeaters..]
                .iter()
                .map(|o| Some(layout.next_after(o)))
                .collect();
            'rounds: for _ in 0..max_reps {
                let mut any = false;
                for (j, cursor) in cursors.iter_mut().enumerate() {
                    let before = out.len();
                    match cursor {
                        Some(at) if *at < layout.cells.len() => {
                            ber::varbind(&mut out, &layout.cells[*at].0, &dev.value(*at, snap));
                            *at += 1;
                            any = true;
                        }
                        _ => {
                            let o = &asked[non_repeaters + j];
                            ber::varbind(&mut out, o, &Value::EndOfMibView);
                            *cursor = None;
                        }
                    }
                    if out.len() > budget {
                        // Cut short at the last whole varbind that fits (RFC 3416 4.2.3).
                        out.truncate(before);
                        break 'rounds;
                    }
                    count += 1;
                }
                if !any {
                    break;
                }
            }
        }
    }
    if out.len() > budget && kind != RequestKind::GetBulk {
        too_big = true;
        out.clear();
        count = 0;
        error = (status::TOO_BIG, 0);
    }
    Ok(PduAnswer {
        kind,
        varbinds: out,
        varbinds_in: asked.len(),
        varbinds_out: count,
        error,
        too_big,
    })
}

/// True when the datagram is an SNMPv3 message (version field 3).
pub(super) fn is_v3(bytes: &[u8]) -> bool {
    // SEQUENCE, length (short or long form), INTEGER 1 byte = 3
    let skip = match bytes.get(1) {
        Some(l) if *l & 0x80 == 0 => 2,
        Some(l) => 2 + usize::from(*l & 0x7f),
        None => return false,
    };
    bytes.get(skip..skip + 3) == Some(&[0x02, 0x01, 0x03])
}
