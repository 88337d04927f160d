//! A minimal BER encoder for the SNMP messages the simulator sends (responses and
//! v2c traps). snmp2 parses requests for us but keeps its encoder private, and an
//! agent only ever needs these few types.

use lightgate_snmp::types::{Oid, Value};

const INTEGER: u8 = 0x02;
const OCTET_STRING: u8 = 0x04;
const NULL: u8 = 0x05;
const OBJECT_ID: u8 = 0x06;
const SEQUENCE: u8 = 0x30;
const IP_ADDRESS: u8 = 0x40;
const COUNTER32: u8 = 0x41;
const GAUGE32: u8 = 0x42;
const TIMETICKS: u8 = 0x43;
const COUNTER64: u8 = 0x46;
const NO_SUCH_OBJECT: u8 = 0x80;
const NO_SUCH_INSTANCE: u8 = 0x81;
const END_OF_MIB_VIEW: u8 = 0x82;
/// GetResponse-PDU.
pub const RESPONSE: u8 = 0xa2;
/// SNMPv2-Trap-PDU.
pub const TRAP_V2: u8 = 0xa7;
/// Report-PDU (SNMPv3 discovery and USM errors).
pub const REPORT: u8 = 0xa8;

/// SNMP error-status values the simulator answers with.
pub mod status {
    pub const NO_ERROR: i64 = 0;
    pub const TOO_BIG: i64 = 1;
    pub const GEN_ERR: i64 = 5;
}

fn push_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
}

/// Appends one TLV.
pub fn tlv(out: &mut Vec<u8>, tag: u8, content: &[u8]) {
    out.push(tag);
    push_len(out, content.len());
    out.extend_from_slice(content);
}

fn int_bytes(n: i64) -> Vec<u8> {
    let bytes = n.to_be_bytes();
    let mut start = 0;
    // Drop leading bytes that only repeat the sign.
    while start < 7 {
        let (b, next) = (bytes[start], bytes[start + 1]);
        if (b == 0 && next & 0x80 == 0) || (b == 0xff && next & 0x80 != 0) {
            start += 1;
        } else {
            break;
        }
    }
    bytes[start..].to_vec()
}

fn uint_bytes(n: u64) -> Vec<u8> {
    let bytes = n.to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count().min(7);
    let mut v = Vec::with_capacity(9);
    if bytes[skip] & 0x80 != 0 {
        v.push(0);
    }
    v.extend_from_slice(&bytes[skip..]);
    v
}

fn oid_bytes(oid: &Oid) -> Vec<u8> {
    let arcs = &oid.0;
    let mut out = Vec::with_capacity(arcs.len() + 4);
    let mut push_arc = |mut a: u64| {
        let mut tmp = [0u8; 10];
        let mut i = tmp.len();
        loop {
            i -= 1;
            tmp[i] = (a & 0x7f) as u8 | if i == tmp.len() - 1 { 0 } else { 0x80 };
            a >>= 7;
            if a == 0 {
                break;
            }
        }
        out.extend_from_slice(&tmp[i..]);
    };
    match &arcs[..] {
        [] => push_arc(0),
        [a] => push_arc(u64::from(*a) * 40),
        [a, b, rest @ ..] => {
            push_arc(u64::from(*a) * 40 + u64::from(*b));
            for r in rest {
                push_arc(u64::from(*r));
            }
        }
    }
    out
}

/// Appends one encoded value.
pub fn value(out: &mut Vec<u8>, v: &Value) {
    match v {
        Value::Integer(n) => tlv(out, INTEGER, &int_bytes(*n)),
        Value::OctetString(s) => tlv(out, OCTET_STRING, s),
        Value::ObjectId(o) => tlv(out, OBJECT_ID, &oid_bytes(o)),
        Value::IpAddress(a) => tlv(out, IP_ADDRESS, a),
        Value::Counter32(n) => tlv(out, COUNTER32, &uint_bytes(u64::from(*n))),
        Value::Gauge32(n) => tlv(out, GAUGE32, &uint_bytes(u64::from(*n))),
        Value::TimeTicks(n) => tlv(out, TIMETICKS, &uint_bytes(u64::from(*n))),
        Value::Counter64(n) => tlv(out, COUNTER64, &uint_bytes(*n)),
        Value::NoSuchObject => tlv(out, NO_SUCH_OBJECT, &[]),
        Value::NoSuchInstance => tlv(out, NO_SUCH_INSTANCE, &[]),
        Value::EndOfMibView => tlv(out, END_OF_MIB_VIEW, &[]),
        Value::Null | Value::Other => tlv(out, NULL, &[]),
    }
}

/// Appends one encoded varbind (a SEQUENCE of the OID and its value).
pub fn varbind(out: &mut Vec<u8>, oid: &Oid, v: &Value) {
    let mut inner = Vec::with_capacity(32);
    tlv(&mut inner, OBJECT_ID, &oid_bytes(oid));
    value(&mut inner, v);
    tlv(out, SEQUENCE, &inner);
}

/// A PDU (TLV included) around already encoded varbinds.
pub fn pdu(
    tag: u8,
    request_id: i64,
    error_status: i64,
    error_index: i64,
    varbinds: &[u8],
) -> Vec<u8> {
    let mut body = Vec::with_capacity(varbinds.len() + 16);
    tlv(&mut body, INTEGER, &int_bytes(request_id));
    tlv(&mut body, INTEGER, &int_bytes(error_status));
    tlv(&mut body, INTEGER, &int_bytes(error_index));
    tlv(&mut body, SEQUENCE, varbinds);
    let mut out = Vec::with_capacity(body.len() + 4);
    tlv(&mut out, tag, &body);
    out
}

/// Appends an INTEGER.
pub fn integer(out: &mut Vec<u8>, n: i64) {
    tlv(out, INTEGER, &int_bytes(n));
}

/// Appends an OCTET STRING.
pub fn octets(out: &mut Vec<u8>, s: &[u8]) {
    tlv(out, OCTET_STRING, s);
}

/// Appends a SEQUENCE of already encoded content.
pub fn sequence(out: &mut Vec<u8>, content: &[u8]) {
    tlv(out, SEQUENCE, content);
}

/// A whole v1/v2c message around already encoded varbinds.
pub fn message(
    version: i64,
    community: &[u8],
    pdu_tag: u8,
    request_id: i64,
    error_status: i64,
    error_index: i64,
    varbinds: &[u8],
) -> Vec<u8> {
    let pdu = pdu(pdu_tag, request_id, error_status, error_index, varbinds);
    let mut msg = Vec::with_capacity(pdu.len() + community.len() + 16);
    tlv(&mut msg, INTEGER, &int_bytes(version));
    tlv(&mut msg, OCTET_STRING, community);
    msg.extend_from_slice(&pdu);
    let mut out = Vec::with_capacity(msg.len() + 4);
    tlv(&mut out, SEQUENCE, &msg);
    out
}

/// The bytes a message grows by around `varbinds` bytes of varbinds, at most: used to
/// keep a response within the size the manager accepts.
pub const MESSAGE_OVERHEAD: usize = 48;

#[cfg(test)]
mod tests {
    use super::*;
    use lightgate_snmp::types::{oid, Varbind};
    use snmp2::Pdu;

    fn roundtrip(vbs: &[Varbind]) -> Vec<Varbind> {
        let mut enc = Vec::new();
        for (o, v) in vbs {
            varbind(&mut enc, o, v);
        }
        let msg = message(1, b"public", RESPONSE, 77, 0, 0, &enc);
        let pdu = Pdu::from_bytes(&msg).expect("snmp2 parses what we encode");
        assert_eq!(pdu.req_id, 77);
        assert_eq!(pdu.community, b"public");
        pdu.varbinds
            .map(|(o, v)| (lightgate_snmp::types::oid_from_snmp2(&o), Value::from(&v)))
            .collect()
    }

    #[test]
    fn snmp2_reads_back_every_value_type_we_encode() {
        let vbs = vec![
            (oid("1.3.6.1.2.1.1.3.0"), Value::TimeTicks(4_294_967_295)),
            (
                oid("1.3.6.1.4.1.9.9.91.1.1.1.1.4.300000111"),
                Value::Integer(-4000),
            ),
            (oid("1.3.6.1.4.1.9.9.91.1.1.1.1.4.1"), Value::Integer(0)),
            (
                oid("1.3.6.1.4.1.9.9.91.1.1.1.1.4.2"),
                Value::Integer(-1_000_000_000),
            ),
            (oid("1.3.6.1.4.1.9.9.91.1.1.1.1.4.3"), Value::Integer(128)),
            (oid("1.3.6.1.4.1.9.9.91.1.1.1.1.4.4"), Value::Integer(-129)),
            (
                oid("1.3.6.1.2.1.2.2.1.2.1"),
                Value::OctetString(b"Ethernet1/1".to_vec()),
            ),
            (
                oid("1.3.6.1.2.1.2.2.1.2.2"),
                Value::OctetString(vec![b'x'; 300]),
            ),
            (
                oid("1.3.6.1.2.1.1.2.0"),
                Value::ObjectId(oid("1.3.6.1.4.1.2636.1.1.1.2.90")),
            ),
            (
                oid("1.3.6.1.2.1.2.2.1.14.1"),
                Value::Counter32(2_147_483_648),
            ),
            (oid("1.3.6.1.2.1.31.1.1.1.15.1"), Value::Gauge32(100_000)),
            (oid("1.3.6.1.2.1.31.1.1.1.6.1"), Value::Counter64(u64::MAX)),
            (
                oid("1.3.6.1.2.1.4.20.1.1.1"),
                Value::IpAddress([192, 0, 2, 1]),
            ),
            (oid("1.3.6.1.2.1.2.2.1.8.9"), Value::NoSuchInstance),
            (oid("1.3.6.1.2.1.2.2.1.8.10"), Value::NoSuchObject),
            (oid("1.3.6.1.2.1.2.2.1.8.11"), Value::EndOfMibView),
        ];
        assert_eq!(roundtrip(&vbs), vbs);
    }
}
