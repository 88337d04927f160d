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

    /// True when snmp2's `other` names the same object (no allocation).
    pub fn same_as(&self, other: &snmp2::Oid<'_>) -> bool {
        match other.iter() {
            Some(mut arcs) => {
                self.0.iter().all(|a| arcs.next() == Some(u64::from(*a))) && arcs.next().is_none()
            }
            None => false,
        }
    }

    pub fn starts_with(&self, prefix: &Oid) -> bool {
        self.0.starts_with(&prefix.0)
    }

    /// The part after `prefix`, if `self` is under it.
    pub fn suffix(&self, prefix: &Oid) -> Option<&[u32]> {
        self.0.strip_prefix(&prefix.0[..])
    }

    /// The arcs as u64, as asn1-rs wants them.
    pub fn arcs_u64(&self) -> Vec<u64> {
        self.0.iter().map(|a| u64::from(*a)).collect()
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

/// Converts snmp2's OID; arcs beyond u32 (never seen in practice) make it empty.
pub fn oid_from_snmp2(o: &snmp2::Oid<'_>) -> Oid {
    o.iter()
        .map(|it| {
            it.map(|a| u32::try_from(a).unwrap_or(u32::MAX))
                .collect::<Vec<u32>>()
        })
        .map(Oid::from)
        .unwrap_or_else(|| Oid::from(Vec::new()))
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
    fn same_as_compares_with_snmp2_oids_arc_by_arc() {
        let ours = oid("1.3.6.1.2.1.2.2.1.8.436207616");
        let theirs = snmp2::Oid::from(&[1u64, 3, 6, 1, 2, 1, 2, 2, 1, 8, 436_207_616]).unwrap();
        assert!(ours.same_as(&theirs));
        let longer = snmp2::Oid::from(&[1u64, 3, 6, 1, 2, 1, 2, 2, 1, 8, 436_207_616, 0]).unwrap();
        assert!(!ours.same_as(&longer));
        assert!(!ours.child(&[0, 1]).same_as(&longer));
        assert!(ours.child(&[0]).same_as(&longer));
        let other = snmp2::Oid::from(&[1u64, 3, 6, 1, 2, 1, 2, 2, 1, 7, 436_207_616]).unwrap();
        assert!(!ours.same_as(&other));
    }

    #[test]
    fn oids_parse_print_and_compare() {
        let o: Oid = ".1.3.6.1.2.1.2.2.1.8.10152".parse().unwrap();
        assert_eq!(o.to_string(), "1.3.6.1.2.1.2.2.1.8.10152");
        let col = oid("1.3.6.1.2.1.2.2.1.8");
        assert!(o.starts_with(&col));
        assert_eq!(o.suffix(&col), Some(&[10152u32][..]));
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
