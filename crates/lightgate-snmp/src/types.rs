//! Owned OIDs and values. snmp2 hands out values that borrow its receive buffer; the
//! client converts every varbind to these at once, so decoders are plain functions of
//! owned data and can be fed from tests, fixtures and fuzzers alike.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

/// An object identifier, e.g. 1.3.6.1.2.1.2.2.1.8.10152.
///
/// Shared, immutable arcs: a plan holds thousands of these per device and every poll
/// hands them to the client and back with the answers, so a clone is a reference
/// count, not an allocation.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Oid(pub Arc<[u32]>);

impl From<Vec<u32>> for Oid {
    fn from(v: Vec<u32>) -> Oid {
        Oid(v.into())
    }
}

impl Oid {
    /// `self` followed by `suffix`.
    pub fn child(&self, suffix: &[u32]) -> Oid {
        let mut v = Vec::with_capacity(self.0.len() + suffix.len());
        v.extend_from_slice(&self.0);
        v.extend_from_slice(suffix);
        Oid::from(v)
    }

    /// True when `self` is `prefix` or under it.
    pub fn starts_with(&self, prefix: &Oid) -> bool {
        self.suffix(prefix).is_some()
    }

    /// The part after `prefix`, if `self` is `prefix` or under it.
    ///
    /// Decoders pick a column's cells out of a walk of many columns, whose OIDs share
    /// all arcs but the column's: the last arc of the prefix is compared first, so a
    /// cell of another column is told apart with one comparison, not a `memcmp` of
    /// the common part (a tenth of a discovery's CPU).
    pub fn suffix(&self, prefix: &Oid) -> Option<&[u32]> {
        let (arcs, p) = (&self.0[..], &prefix.0[..]);
        match p.split_last() {
            None => Some(arcs),
            Some((last, head)) => {
                if arcs.len() < p.len() || arcs[head.len()] != *last || arcs[..head.len()] != *head
                {
                    None
                } else {
                    Some(&arcs[p.len()..])
                }
            }
        }
    }
}

impl fmt::Display for Oid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(|a| a.to_string()).collect();
        f.write_str(&parts.join("."))
    }
}

impl FromStr for Oid {
    type Err = String;
    /// Parses "1.3.6.1..." (a leading dot is allowed).
    fn from_str(s: &str) -> Result<Self, String> {
        let t = s.trim().trim_start_matches('.');
        if t.is_empty() {
            return Err("empty OID".to_string());
        }
        t.split('.')
            .map(|p| p.parse::<u32>().map_err(|_| format!("bad OID {s:?}")))
            .collect::<Result<Vec<_>, _>>()
            .map(Oid::from)
    }
}

/// Builds an [`Oid`] from a dotted literal known to be valid (the OID table).
pub fn oid(s: &str) -> Oid {
    s.parse().unwrap_or_else(|e| panic!("OID table entry: {e}"))
}

/// An SNMP value, owned.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Integer(i64),
    OctetString(Vec<u8>),
    ObjectId(Oid),
    IpAddress([u8; 4]),
    Counter32(u32),
    Gauge32(u32),
    TimeTicks(u32),
    Counter64(u64),
    Null,
    NoSuchObject,
    NoSuchInstance,
    EndOfMibView,
    /// Anything else (opaque, booleans, constructed types): not used by lightgate.
    Other,
}

impl Value {
    /// A signed integer view of any integer-like value.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Integer(v) => Some(*v),
            Value::Counter32(v) | Value::Gauge32(v) | Value::TimeTicks(v) => Some(i64::from(*v)),
            Value::Counter64(v) => i64::try_from(*v).ok(),
            _ => None,
        }
    }

    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Value::Counter64(v) => Some(*v),
            other => other.as_i64().and_then(|v| u64::try_from(v).ok()),
        }
    }

    /// A string view of an OCTET STRING (lossy UTF-8, trailing NULs dropped).
    pub fn as_text(&self) -> Option<String> {
        match self {
            Value::OctetString(b) => Some(
                String::from_utf8_lossy(b)
                    .trim_end_matches('\0')
                    .to_string(),
            ),
            _ => None,
        }
    }

    /// True for the "there is nothing here" markers.
    pub fn is_absent(&self) -> bool {
        matches!(
            self,
            Value::NoSuchObject | Value::NoSuchInstance | Value::EndOfMibView | Value::Null
        )
    }
}

impl From<&snmp2::Value<'_>> for Value {
    fn from(v: &snmp2::Value<'_>) -> Self {
        use snmp2::Value as S;
        match v {
            S::Integer(i) => Value::Integer(*i),
            S::OctetString(b) => Value::OctetString(b.to_vec()),
            S::ObjectIdentifier(o) => Value::ObjectId(oid_from_snmp2(o)),
            S::IpAddress(a) => Value::IpAddress(*a),
            S::Counter32(c) => Value::Counter32(*c),
            S::Unsigned32(g) => Value::Gauge32(*g),
            S::Timeticks(t) => Value::TimeTicks(*t),
            S::Counter64(c) => Value::Counter64(*c),
            S::Null => Value::Null,
            S::NoSuchObject => Value::NoSuchObject,
            S::NoSuchInstance => Value::NoSuchInstance,
            S::EndOfMibView => Value::EndOfMibView,
            _ => Value::Other,
        }
    }
}

/// Converts snmp2's OID; arcs beyond u32 (never seen in practice) become u32::MAX, and
/// an encoding that does not decode (an arc beyond 64 bits, a cut-off arc) makes it
/// empty, which matches nothing asked for.
///
/// Decoded straight from the BER bytes into one allocation: this runs for every
/// varbind a walk returns, and going through asn1-rs's iterator and a `Vec` first
/// cost a sixth of a discovery's CPU.
pub fn oid_from_snmp2(o: &snmp2::Oid<'_>) -> Oid {
    let bytes = o.as_bytes();
    let mut stack = [0u32; 48];
    let mut heap: Vec<u32> = Vec::new();
    let mut n = 0;
    let mut push = |a: u32| {
        if n < stack.len() {
            stack[n] = a;
        } else {
            if heap.is_empty() {
                heap.extend_from_slice(&stack);
            }
            heap.push(a);
        }
        n += 1;
    };
    let mut acc: u64 = 0;
    let mut first = true;
    for b in bytes {
        if acc > u64::MAX >> 7 {
            return Oid::from(Vec::new());
        }
        acc = (acc << 7) | u64::from(b & 0x7f);
        if b & 0x80 != 0 {
            continue;
        }
        let arc = |v: u64| u32::try_from(v).unwrap_or(u32::MAX);
        if first {
            let (x, y) = match acc {
                0..=39 => (0, acc),
                40..=79 => (1, acc - 40),
                _ => (2, acc - 80),
            };
            push(x);
            push(arc(y));
            first = false;
        } else {
            push(arc(acc));
        }
        acc = 0;
    }
    if bytes.last().is_some_and(|b| b & 0x80 != 0) {
        return Oid::from(Vec::new());
    }
    if heap.is_empty() {
        Oid(Arc::from(&stack[..n]))
    } else {
        Oid(heap.into())
    }
}

/// Encodes an OID for snmp2 (BER, one allocation), or None when it cannot be encoded
/// (fewer than two arcs, or a first pair X.Y with X > 2, or X < 2 and Y > 39).
pub fn oid_to_snmp2(o: &Oid) -> Option<snmp2::Oid<'static>> {
    let arcs = &o.0;
    let (&x, &y) = (arcs.first()?, arcs.get(1)?);
    if x > 2 || (x < 2 && y > 39) {
        return None;
    }
    let mut bytes = Vec::with_capacity(arcs.len() + 8);
    let mut put = |v: u64| {
        let mut shift = (63 - (v | 1).leading_zeros()) / 7 * 7;
        while shift > 0 {
            bytes.push(((v >> shift) & 0x7f) as u8 | 0x80);
            shift -= 7;
        }
        bytes.push((v & 0x7f) as u8);
    };
    put(u64::from(x) * 40 + u64::from(y));
    for a in &arcs[2..] {
        put(u64::from(*a));
    }
    Some(snmp2::Oid::new(std::borrow::Cow::Owned(bytes)))
}

/// A fast, non-cryptographic hasher for OIDs in maps that live for one poll (FNV-1a
/// over the arcs). The answers come from the device, but a map of one poll's answers
/// cannot be grown by an attacker beyond what the poll asked for, so SipHash's
/// flooding resistance buys nothing here and cost a tenth of a 48-optic poll.
#[derive(Debug, Default, Clone, Copy)]
pub struct OidHasher(u64);

impl std::hash::Hasher for OidHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
    fn write_u32(&mut self, n: u32) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        h = (h ^ u64::from(n)).wrapping_mul(0x0100_0000_01b3);
        self.0 = h;
    }
}

/// A HashMap keyed by OIDs with [`OidHasher`].
pub type OidMap<K, V> = std::collections::HashMap<K, V, std::hash::BuildHasherDefault<OidHasher>>;

/// A varbind: an OID and its value.
pub type Varbind = (Oid, Value);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oids_convert_to_and_from_snmp2_exactly_as_asn1_rs_does() {
        let cases: [&[u64]; 6] = [
            &[1, 3, 6, 1, 2, 1, 2, 2, 1, 8, 436_207_616],
            &[
                1,
                3,
                6,
                1,
                4,
                1,
                9,
                9,
                91,
                1,
                2,
                1,
                1,
                4,
                1000,
                4_294_967_295,
            ],
            &[0, 0],
            &[1, 39],
            &[1, 3, 0, 0, 0],
            &[
                1, 3, 6, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
                21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41,
                42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55,
            ],
        ];
        for arcs in cases {
            let theirs = snmp2::Oid::from(arcs).unwrap();
            let ours = Oid::from(arcs.iter().map(|a| *a as u32).collect::<Vec<_>>());
            assert_eq!(oid_from_snmp2(&theirs), ours, "decoding {arcs:?}");
            let encoded = oid_to_snmp2(&ours).unwrap();
            assert_eq!(encoded.as_bytes(), theirs.as_bytes(), "encoding {arcs:?}");
        }
        // 2.999 is valid BER (asn1-rs refuses to build it, but decodes it).
        let joint = snmp2::Oid::new(std::borrow::Cow::Borrowed(&[0x88, 0x37, 0x7f, 0x81, 0x00]));
        assert_eq!(oid_from_snmp2(&joint), oid("2.999.127.128"));
        assert_eq!(
            oid_to_snmp2(&oid("2.999.127.128")).unwrap().as_bytes(),
            joint.as_bytes()
        );
        // An arc beyond 32 bits is kept as u32::MAX, as before.
        let big = snmp2::Oid::from(&[1, 3, 6, 1 << 40]).unwrap();
        assert_eq!(oid_from_snmp2(&big), oid("1.3.6.4294967295"));
        // A cut-off arc, or one beyond 64 bits, decodes to nothing.
        let cut = snmp2::Oid::new(std::borrow::Cow::Borrowed(&[0x2b, 0x06, 0x81]));
        assert_eq!(oid_from_snmp2(&cut), Oid::from(Vec::new()));
        let huge = snmp2::Oid::new(std::borrow::Cow::Borrowed(&[
            0x2b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f,
        ]));
        assert_eq!(oid_from_snmp2(&huge), Oid::from(Vec::new()));
        // What BER cannot carry is refused, not mangled.
        assert!(oid_to_snmp2(&oid("3.1")).is_none());
        assert!(oid_to_snmp2(&oid("1.40")).is_none());
        assert!(oid_to_snmp2(&Oid::from(vec![1])).is_none());
    }

    #[test]
    fn oids_parse_print_and_compare() {
        let o: Oid = ".1.3.6.1.2.1.2.2.1.8.10152".parse().unwrap();
        assert_eq!(o.to_string(), "1.3.6.1.2.1.2.2.1.8.10152");
        let col = oid("1.3.6.1.2.1.2.2.1.8");
        assert!(o.starts_with(&col));
        assert_eq!(o.suffix(&col), Some(&[10152u32][..]));
        assert_eq!(o.suffix(&o), Some(&[][..]));
        assert_eq!(col.suffix(&o), None);
        assert_eq!(o.suffix(&oid("1.3.6.1.2.1.2.2.1.7")), None);
        assert_eq!(o.suffix(&oid("1.3.6.2.2.1.2.2.1.8")), None);
        assert_eq!(o.suffix(&Oid::from(Vec::new())), Some(&o.0[..]));
        assert_eq!(col.child(&[5]).to_string(), "1.3.6.1.2.1.2.2.1.8.5");
        assert!("1.3.x".parse::<Oid>().is_err());
        assert!("".parse::<Oid>().is_err());
    }

    #[test]
    fn values_convert() {
        assert_eq!(Value::Counter32(7).as_i64(), Some(7));
        assert_eq!(Value::Integer(-3).as_u64(), None);
        assert_eq!(
            Value::OctetString(b"Gi1/0/52\0".to_vec())
                .as_text()
                .unwrap(),
            "Gi1/0/52"
        );
        assert!(Value::NoSuchInstance.is_absent());
    }
}
