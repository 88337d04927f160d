//! BFD sessions over SNMP, decoded purely from whatever cells a walk or a GET
//! returned, and set on the BGP session to the same neighbour address.
//!
//! Tables (column numbers from the MIBs):
//! - BFD-STD-MIB (RFC 7331) `bfdSessTable` 1.3.6.1.2.1.222.1.2.1, index bfdSessIndex:
//!   11 state (IANAbfdSessStateTC), 13 diagnostic (IANAbfdDiagTC, 0 = none),
//!   21 destination address type, 22 destination address.
//! - CISCO-IETF-BFD-MIB `ciscoBfdSessTable` 1.3.6.1.4.1.9.10.137.1.2.1 (IOS-XE, IOS-XR,
//!   NX-OS; draft-ietf-bfd-mib-03): 6 state, 8 diagnostic (counted from 1 =
//!   noDiagnostic), 13 address type, 14 address.
//! - Juniper's pre-standard BFD-STD-MIB under jnxBfdExperiment
//!   1.3.6.1.4.1.2636.5.3.1.1.2.1: the same layout as Cisco's, its diagnostic only
//!   accessible for notifications (not read).
//!
//! The tables have no VRF: a neighbour address with several BFD rows that disagree
//! (the same /30 in two VRFs) gets no BFD state rather than a guess.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use lightgate_core::bgp::bfd::diagnostic_text;
use lightgate_core::bgp::{Bfd, BfdState, BgpSession};

use crate::types::{oid, Oid, Value};

/// One BFD table's layout.
struct Table {
    base: &'static str,
    state: u32,
    /// The diagnostic column and the number its "no diagnostic" has.
    diagnostic: Option<(u32, i64)>,
    address_type: u32,
    address: u32,
}

const TABLES: [Table; 3] = [
    Table {
        base: "1.3.6.1.2.1.222.1.2.1",
        state: 11,
        diagnostic: Some((13, 0)),
        address_type: 21,
        address: 22,
    },
    Table {
        base: "1.3.6.1.4.1.9.10.137.1.2.1",
        state: 6,
        diagnostic: Some((8, 1)),
        address_type: 13,
        address: 14,
    },
    Table {
        base: "1.3.6.1.4.1.2636.5.3.1.1.2.1",
        state: 6,
        diagnostic: None,
        address_type: 13,
        address: 14,
    },
];

/// Per table, its columns with the state first: a walk of it tells whether the
/// device has the table; the rest are walked only when it has rows.
pub fn columns() -> Vec<Vec<Oid>> {
    TABLES
        .iter()
        .map(|t| {
            let mut cols = vec![t.state, t.address_type, t.address];
            cols.extend(t.diagnostic.map(|(c, _)| c));
            cols.iter().map(|c| oid(t.base).child(&[*c])).collect()
        })
        .collect()
}

/// One BFD session and the cells it was read from.
#[derive(Debug, Clone, PartialEq)]
pub struct BfdRow {
    pub peer: IpAddr,
    pub bfd: Bfd,
    pub cells: Vec<Oid>,
}

/// Every BFD session in `cells` with a destination address and a known state.
pub fn decode(cells: &BTreeMap<Oid, Value>) -> Vec<BfdRow> {
    let mut out = Vec::new();
    for t in &TABLES {
        let base = oid(t.base);
        // index -> (state, diagnostic, address type, address, cells)
        type Parts = (
            Option<BfdState>,
            Option<String>,
            Option<i64>,
            Option<Vec<u8>>,
            Vec<Oid>,
        );
        let mut rows: BTreeMap<Vec<u32>, Parts> = BTreeMap::new();
        for (o, v) in cells.range(base.clone()..) {
            let Some(rest) = o.suffix(&base) else { break };
            let Some((&col, index)) = rest.split_first() else {
                continue;
            };
            if v.is_absent() {
                continue;
            }
            let row = rows.entry(index.to_vec()).or_default();
            if col == t.state {
                row.0 = v.as_i64().and_then(BfdState::from_mib);
            } else if col == t.address_type {
                row.2 = v.as_i64();
            } else if col == t.address {
                row.3 = match v {
                    Value::OctetString(b) => Some(b.clone()),
                    Value::IpAddress(b) => Some(b.to_vec()),
                    _ => None,
                };
            } else if let Some((_, none)) = t.diagnostic.filter(|(dc, _)| *dc == col) {
                row.1 = v
                    .as_i64()
                    .and_then(|n| diagnostic_text(n - none))
                    .map(str::to_string);
            } else {
                continue;
            }
            row.4.push(o.clone());
        }
        for (state, diagnostic, kind, address, cells) in rows.into_values() {
            let (Some(state), Some(peer)) = (state, address.and_then(|a| inet(kind, &a))) else {
                continue;
            };
            out.push(BfdRow {
                peer,
                bfd: Bfd { state, diagnostic },
                cells,
            });
        }
    }
    out
}

/// An InetAddress of an InetAddressType: ipv4(1), ipv6(2), and the zoned forms
/// ipv4z(3), ipv6z(4) whose last four octets are the zone. Where the type is
/// missing, the length tells.
fn inet(kind: Option<i64>, b: &[u8]) -> Option<IpAddr> {
    let v4 = |b: &[u8]| {
        <[u8; 4]>::try_from(b)
            .ok()
            .map(|a| IpAddr::V4(Ipv4Addr::from(a)))
    };
    let v6 = |b: &[u8]| {
        <[u8; 16]>::try_from(b)
            .ok()
            .map(|a| IpAddr::V6(Ipv6Addr::from(a)))
    };
    match (kind, b.len()) {
        (Some(1) | None, 4) => v4(b),
        (Some(2) | None, 16) => v6(b),
        (Some(3), 8) => v4(&b[..4]),
        (Some(4), 20) => v6(&b[..16]),
        _ => None,
    }
}

/// The BFD state of `peer` among `rows`: the rows to that address, when they agree.
pub fn state_of(peer: &IpAddr, rows: &[BfdRow]) -> Option<Bfd> {
    let mut mine = rows.iter().filter(|r| &r.peer == peer);
    let first = mine.next()?;
    mine.all(|r| r.bfd.state == first.bfd.state)
        .then(|| first.bfd.clone())
}

/// Sets each session's BFD from `rows`.
pub fn attach(sessions: &mut [BgpSession], rows: &[BfdRow]) {
    for s in sessions {
        s.bfd = state_of(&s.peer, rows);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::snmprec_line;

    fn cells(text: &str) -> BTreeMap<Oid, Value> {
        text.lines()
            .filter_map(|l| snmprec_line(l).unwrap())
            .collect()
    }

    #[test]
    fn rfc_7331_rows_are_read_by_their_destination_address() {
        // Two sessions: 192.168.100.130 up, 2001:db8:1::2 down after a detection
        // timeout (an RFC 7331 diagnostic 1).
        let c = cells(
            "\
1.3.6.1.2.1.222.1.2.1.11.1|2|4
1.3.6.1.2.1.222.1.2.1.13.1|2|0
1.3.6.1.2.1.222.1.2.1.21.1|2|1
1.3.6.1.2.1.222.1.2.1.22.1|4x|c0a86482
1.3.6.1.2.1.222.1.2.1.11.2|2|2
1.3.6.1.2.1.222.1.2.1.13.2|2|1
1.3.6.1.2.1.222.1.2.1.21.2|2|2
1.3.6.1.2.1.222.1.2.1.22.2|4x|20010db8000100000000000000000002
",
        );
        let rows = decode(&c);
        assert_eq!(rows.len(), 2, "{rows:?}");
        let up = state_of(&"192.168.100.130".parse().unwrap(), &rows).unwrap();
        assert_eq!((up.state, up.diagnostic), (BfdState::Up, None));
        let down = state_of(&"2001:db8:1::2".parse().unwrap(), &rows).unwrap();
        assert_eq!(down.state, BfdState::Down);
        assert_eq!(
            down.diagnostic.as_deref(),
            Some("control detection time expired")
        );
        assert_eq!(rows[0].cells.len(), 4, "state, diagnostic, type, address");
    }

    #[test]
    fn the_draft_tables_count_their_diagnostic_from_one() {
        let c = cells(
            "\
1.3.6.1.4.1.9.10.137.1.2.1.6.7|2|2
1.3.6.1.4.1.9.10.137.1.2.1.8.7|2|2
1.3.6.1.4.1.9.10.137.1.2.1.13.7|2|1
1.3.6.1.4.1.9.10.137.1.2.1.14.7|4x|0a000001
1.3.6.1.4.1.2636.5.3.1.1.2.1.6.3|2|1
1.3.6.1.4.1.2636.5.3.1.1.2.1.13.3|2|1
1.3.6.1.4.1.2636.5.3.1.1.2.1.14.3|4x|0a000005
",
        );
        let rows = decode(&c);
        let cisco = state_of(&"10.0.0.1".parse().unwrap(), &rows).unwrap();
        assert_eq!(cisco.state, BfdState::Down);
        assert_eq!(
            cisco.diagnostic.as_deref(),
            Some("control detection time expired"),
            "Cisco's 2 is RFC 5880's 1"
        );
        let juniper = state_of(&"10.0.0.5".parse().unwrap(), &rows).unwrap();
        assert_eq!(juniper.state, BfdState::AdminDown);
    }

    #[test]
    fn rows_that_disagree_about_one_address_give_no_state() {
        let c = cells(
            "\
1.3.6.1.2.1.222.1.2.1.11.1|2|4
1.3.6.1.2.1.222.1.2.1.22.1|4x|0a000001
1.3.6.1.2.1.222.1.2.1.11.2|2|2
1.3.6.1.2.1.222.1.2.1.22.2|4x|0a000001
",
        );
        let rows = decode(&c);
        assert_eq!(rows.len(), 2);
        assert_eq!(state_of(&"10.0.0.1".parse().unwrap(), &rows), None);
    }

    #[test]
    fn unknown_states_and_malformed_addresses_are_not_sessions() {
        let c = cells(
            "\
1.3.6.1.2.1.222.1.2.1.11.1|2|9
1.3.6.1.2.1.222.1.2.1.22.1|4x|0a000001
1.3.6.1.2.1.222.1.2.1.11.2|2|4
1.3.6.1.2.1.222.1.2.1.21.2|2|1
1.3.6.1.2.1.222.1.2.1.22.2|4x|0a0000
",
        );
        assert!(decode(&c).is_empty());
    }
}
