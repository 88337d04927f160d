//! Pure decode of BGP peer tables into the core's sessions, from whatever cells a
//! walk or a GET returned. Each vendor table says what BGP4-MIB cannot: IPv6 and VRF
//! peers, 4-byte AS numbers (BGP4-MIB's `bgpPeerRemoteAs` is 16-bit: AS_TRANS or an
//! overflowed negative Integer32 there) and prefix counters. One session per (VRF,
//! neighbour); a vendor row wins over the BGP4-MIB row of the same neighbour, whose
//! values fill only what the vendor row lacks.
//!
//! Tables (column numbers from the MIBs, checked against the corpus walks):
//! - BGP4-MIB `bgpPeerTable` 1.3.6.1.2.1.15.3.1, index IPv4 address: 2 state,
//!   3 admin (1 stop, 2 start), 9 remote AS, 16 FSM established time.
//! - CISCO-BGP4-MIB `cbgpPeer2Table` .9.9.187.1.2.5.1, index type.len.address:
//!   3 state, 4 admin, 11 remote AS, 19 established time; prefixes in
//!   `cbgpPeer2AddrFamilyPrefixTable` .1.2.8.1 (1 accepted, 6 advertised), index
//!   peer.afi.safi; the legacy IPv4-only `cbgpPeerAddrFamilyPrefixTable` .1.2.4.1 only
//!   where cbgpPeer2 has no row.
//! - BGP4-V2-MIB-JUNIPER `jnxBgpM2PeerTable` .2636.5.1.1.2.1.1.1, index
//!   instance.localType.local.remoteType.remote (addresses without a length): 2 state,
//!   3 status (1 halted, 2 running), 13 remote AS, 14 peer index; established time
//!   .2.4.1.1.1 (same index); prefixes .2.6.2.1 by peer index.afi.safi (7 in,
//!   8 accepted, 10 out).
//! - ARISTA-BGP4V2-MIB `aristaBgp4V2PeerTable` .30065.4.1.1.2.1, index
//!   instance.type.len.address: 10 remote AS, 12 admin (1 halted, 2 running), 13 state,
//!   14 description; established time .4.1.1; prefixes .8.1 (3 in, 4 accepted, 5 out).
//! - HUAWEI-BGP-VPN-MIB `hwBgpPeerTable` .2011.5.25.177.1.1.2.1, index
//!   instance.afi.safi.type.len.address: 2 remote AS, 5 state, 7 established time,
//!   11 admin; VRF name .1.1.1.6 (Public is the global table); prefixes .1.1.3.1
//!   (1 received, 3 advertised).
//! - TIMETRA-BGP-MIB `tBgpPeerNgTable` .6527.3.1.2.14.4.7.1, index
//!   vRtrID.type.len.address: 59 connection state (the BGP4-MIB numbers), 66 the
//!   peer's 4-byte AS, 7 description; `tBgpPeerNgOperTable` .4.8.1 column 177 the
//!   seconds since the last state change; the VRF is TIMETRA-VRTR-MIB vRtrName
//!   (.6527.3.1.2.3.1.1.4, Base is the global table). No prefix counters are read.

use std::collections::{BTreeMap, HashMap};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use lightgate_core::bgp::{Asn, BgpSession, BgpState, Family, PrefixCounts};

use crate::types::{oid, Oid, Value};

/// Which table a session came from, for explanations and the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BgpMib {
    Bgp4,
    Cisco,
    Juniper,
    Arista,
    Huawei,
    Nokia,
}

impl BgpMib {
    pub fn as_str(&self) -> &'static str {
        match self {
            BgpMib::Bgp4 => "BGP4-MIB",
            BgpMib::Cisco => "CISCO-BGP4-MIB",
            BgpMib::Juniper => "BGP4-V2-MIB-JUNIPER",
            BgpMib::Arista => "ARISTA-BGP4V2-MIB",
            BgpMib::Huawei => "HUAWEI-BGP-VPN-MIB",
            BgpMib::Nokia => "TIMETRA-BGP-MIB",
        }
    }
}

/// The columns each MIB is read by: the first is the probe (a walk of it tells
/// whether the device has the table), the rest are walked only when it has rows.
pub fn columns(mib: BgpMib) -> Vec<Oid> {
    let c = |base: &str, cols: &[u32]| -> Vec<Oid> {
        cols.iter().map(|n| oid(base).child(&[*n])).collect()
    };
    match mib {
        BgpMib::Bgp4 => {
            let mut v = c(BGP4_PEER, &probe_first(BGP4_COLUMNS));
            v.extend(c(BGP4_PEER, &[BGP4_LAST_ERROR]));
            v
        }
        BgpMib::Cisco => {
            let mut v = c(CISCO_PEER2, &probe_first(CISCO_PEER2_COLUMNS));
            v.extend(c(CISCO_PEER2_PREFIX, &[1, 6, 8]));
            v
        }
        BgpMib::Juniper => {
            let mut v = c(JNX_PEER, &[13, 2, 3, 14]);
            v.push(oid(JNX_ESTABLISHED));
            v.extend(c(JNX_PREFIX, &[7, 8, 10]));
            v
        }
        BgpMib::Arista => {
            let mut v = c(ARISTA_PEER, &[10, 12, 13, 14]);
            v.push(oid(ARISTA_ESTABLISHED));
            v.extend(c(ARISTA_PREFIX, &[3, 4, 5]));
            v
        }
        BgpMib::Nokia => {
            let mut v = c(TIMOS_PEER, &[66, 59, 7]);
            v.extend(c(TIMOS_OPER, &[177]));
            v.push(oid(TIMOS_VRTR_NAME));
            v
        }
        BgpMib::Huawei => {
            let mut v = c(HW_PEER, &[2, 5, 7, 11]);
            v.push(oid(HW_VRF_NAME));
            v.extend(c(HW_PREFIX, &[1, 3]));
            v
        }
    }
}

/// The legacy Cisco prefix table, indexed by IPv4 peer: IOS 15.0 serves it with
/// BGP4-MIB and no cbgpPeer2Table, IOS-XE beside cbgpPeer2Table for IPv4 peers. Read
/// when either table is there.
pub fn legacy_prefix_columns() -> Vec<Oid> {
    [1, 6, 8]
        .iter()
        .map(|n| oid(CISCO_LEGACY_PREFIX).child(&[*n]))
        .collect()
}

/// Vendor tables first: the order sessions are merged in.
pub const ALL: [BgpMib; 6] = [
    BgpMib::Cisco,
    BgpMib::Juniper,
    BgpMib::Arista,
    BgpMib::Huawei,
    BgpMib::Nokia,
    BgpMib::Bgp4,
];

const BGP4_PEER: &str = "1.3.6.1.2.1.15.3.1";
const CISCO_PEER2: &str = "1.3.6.1.4.1.9.9.187.1.2.5.1";
const CISCO_PEER2_PREFIX: &str = "1.3.6.1.4.1.9.9.187.1.2.8.1";
const CISCO_LEGACY_PREFIX: &str = "1.3.6.1.4.1.9.9.187.1.2.4.1";
const JNX_PEER: &str = "1.3.6.1.4.1.2636.5.1.1.2.1.1.1";
const JNX_ESTABLISHED: &str = "1.3.6.1.4.1.2636.5.1.1.2.4.1.1.1";
const JNX_PREFIX: &str = "1.3.6.1.4.1.2636.5.1.1.2.6.2.1";
const ARISTA_PEER: &str = "1.3.6.1.4.1.30065.4.1.1.2.1";
const ARISTA_ESTABLISHED: &str = "1.3.6.1.4.1.30065.4.1.1.4.1.1";
const ARISTA_PREFIX: &str = "1.3.6.1.4.1.30065.4.1.1.8.1";
const HW_PEER: &str = "1.3.6.1.4.1.2011.5.25.177.1.1.2.1";
const HW_VRF_NAME: &str = "1.3.6.1.4.1.2011.5.25.177.1.1.1.1.6";
const HW_PREFIX: &str = "1.3.6.1.4.1.2011.5.25.177.1.1.3.1";
const TIMOS_PEER: &str = "1.3.6.1.4.1.6527.3.1.2.14.4.7.1";
const TIMOS_OPER: &str = "1.3.6.1.4.1.6527.3.1.2.14.4.8.1";
const TIMOS_VRTR_NAME: &str = "1.3.6.1.4.1.6527.3.1.2.3.1.1.4";

/// A session and the cells it was read from (a steady poll GETs just those).
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub mib: BgpMib,
    pub session: BgpSession,
    pub cells: Vec<Oid>,
}

type Key = (Option<String>, IpAddr);

/// A session being assembled from one table's rows.
struct Row {
    session: BgpSession,
    cells: Vec<Oid>,
}

impl Row {
    fn new(peer: IpAddr, vrf: Option<String>) -> Row {
        let mut session = BgpSession::new(peer, BgpState::Idle);
        session.vrf = vrf;
        Row {
            session,
            cells: Vec::new(),
        }
    }
}

/// Sessions from `cells` (any mix of the tables above), in (VRF, neighbour) order.
pub fn decode(cells: &BTreeMap<Oid, Value>) -> Vec<Decoded> {
    let mut out: BTreeMap<Key, Decoded> = BTreeMap::new();
    for mib in ALL {
        let rows = match mib {
            BgpMib::Bgp4 => bgp4(cells),
            BgpMib::Cisco => cisco(cells),
            BgpMib::Juniper => juniper(cells),
            BgpMib::Arista => arista(cells),
            BgpMib::Huawei => huawei(cells),
            BgpMib::Nokia => nokia(cells),
        };
        for (key, row) in rows {
            match out.get_mut(&key) {
                Some(existing) => fill(existing, row),
                None => {
                    out.insert(
                        key,
                        Decoded {
                            mib,
                            session: row.session,
                            cells: row.cells,
                        },
                    );
                }
            }
        }
    }
    for (key, row) in cisco_legacy(cells) {
        if let Some(existing) = out.get_mut(&key) {
            fill(existing, row);
        }
    }
    out.into_values().collect()
}

/// A lower-priority row of the same session fills only the gaps.
fn fill(into: &mut Decoded, row: Row) {
    let s = &mut into.session;
    let r = row.session;
    match (s.remote_as, r.remote_as) {
        (None, a) => s.remote_as = a,
        (Some(a), Some(b)) if a.is_trans() && !b.is_trans() => s.remote_as = Some(b),
        _ => {}
    }
    if s.admin.is_none() {
        s.admin = r.admin;
    }
    if s.established_seconds.is_none() && s.state == BgpState::Established {
        s.established_seconds = r.established_seconds;
    }
    if s.description.is_none() {
        s.description = r.description;
    }
    if s.last_error.is_none() {
        s.last_error = r.last_error;
    }
    for p in r.prefixes {
        if s.family(&p.family).is_none() {
            s.merge_prefixes(p);
        }
    }
    into.cells.extend(row.cells);
}

/// (column, index) of the cells under `base`.
fn under<'a>(
    cells: &'a BTreeMap<Oid, Value>,
    base: &str,
) -> impl Iterator<Item = (u32, &'a [u32], &'a Oid, &'a Value)> + 'a {
    let base = oid(base);
    let end = base.clone();
    cells
        .range(base.clone()..)
        .take_while(move |(o, _)| o.starts_with(&end))
        .filter_map(move |(o, v)| {
            let s = o.suffix(&base)?;
            let (col, idx) = s.split_first()?;
            (!v.is_absent()).then_some((*col, idx, o, v))
        })
}

fn v4(arcs: &[u32]) -> Option<IpAddr> {
    let b: Vec<u8> = arcs
        .iter()
        .map(|a| u8::try_from(*a).ok())
        .collect::<Option<_>>()?;
    let b: [u8; 4] = b.try_into().ok()?;
    Some(IpAddr::V4(Ipv4Addr::from(b)))
}

fn v6(arcs: &[u32]) -> Option<IpAddr> {
    let b: Vec<u8> = arcs
        .iter()
        .map(|a| u8::try_from(*a).ok())
        .collect::<Option<_>>()?;
    let b: [u8; 16] = b.try_into().ok()?;
    Some(IpAddr::V6(Ipv6Addr::from(b)))
}

/// An InetAddressType.length.address index part; returns the address and the rest.
fn inet(arcs: &[u32]) -> Option<(IpAddr, &[u32])> {
    let (&kind, rest) = arcs.split_first()?;
    let (&len, rest) = rest.split_first()?;
    let len = usize::try_from(len).ok()?;
    if rest.len() < len {
        return None;
    }
    let (addr, rest) = rest.split_at(len);
    let ip = match (kind, len) {
        (1, 4) => v4(addr)?,
        (2, 16) => v6(addr)?,
        // ipv4z / ipv6z carry a 4-byte zone index after the address.
        (3, 8) => v4(&addr[..4])?,
        (4, 20) => v6(&addr[..16])?,
        _ => return None,
    };
    Some((ip, rest))
}

/// An InetAddressType then the address with its implied length (BGP4-V2 indexes).
fn inet_implied(arcs: &[u32]) -> Option<(IpAddr, &[u32])> {
    let (&kind, rest) = arcs.split_first()?;
    let len = match kind {
        1 => 4,
        2 => 16,
        _ => return None,
    };
    if rest.len() < len {
        return None;
    }
    let (addr, rest) = rest.split_at(len);
    Some((if len == 4 { v4(addr)? } else { v6(addr)? }, rest))
}

fn int(v: &Value) -> Option<i64> {
    v.as_i64()
}

fn secs(v: &Value) -> Option<u64> {
    v.as_u64()
}

fn admin_word(v: &Value, words: [&str; 2]) -> Option<String> {
    match int(v)? {
        1 => Some(words[0].to_string()),
        2 => Some(words[1].to_string()),
        _ => None,
    }
}

fn set_state(row: &mut Row, v: &Value) {
    if let Some(s) = int(v).and_then(BgpState::from_mib) {
        row.session.state = s;
    }
}

/// Keeps the established time only for established sessions (for others the MIB
/// column is the time since the last change, or 0).
fn finish(rows: HashMap<Key, Row>, established: HashMap<Key, u64>) -> Vec<(Key, Row)> {
    rows.into_iter()
        .map(|(k, mut r)| {
            r.session.established_seconds = (r.session.state == BgpState::Established)
                .then(|| established.get(&k).copied())
                .flatten();
            (k, r)
        })
        .collect()
}

/// The columns BGP4-MIB's bgpPeerTable and Cisco's cbgpPeer2Table share, by their
/// number in each: state, admin status (1 stop, 2 start), remote AS, established time.
type PeerColumns = [u32; 4];
const BGP4_COLUMNS: PeerColumns = [2, 3, 9, 16];
/// bgpPeerLastError: the last NOTIFICATION's code and subcode.
const BGP4_LAST_ERROR: u32 = 14;
const CISCO_PEER2_COLUMNS: PeerColumns = [3, 4, 11, 19];

/// The remote AS column first: it is the probe that tells whether the table exists.
fn probe_first([state, admin, remote_as, established]: PeerColumns) -> [u32; 4] {
    [remote_as, state, admin, established]
}

/// Reads one cell of such a column into `row`; false for another column.
fn standard_column(
    row: &mut Row,
    [state, admin, remote_as, established]: PeerColumns,
    col: u32,
    v: &Value,
    est: &mut HashMap<Key, u64>,
    key: Key,
) -> bool {
    if col == state {
        set_state(row, v);
    } else if col == admin {
        row.session.admin = admin_word(v, ["stop", "start"]);
    } else if col == remote_as {
        row.session.remote_as = int(v).and_then(Asn::from_snmp);
    } else if col == established {
        if let Some(s) = secs(v) {
            est.insert(key, s);
        }
    } else {
        return false;
    }
    true
}

fn bgp4(cells: &BTreeMap<Oid, Value>) -> Vec<(Key, Row)> {
    let mut rows: HashMap<Key, Row> = HashMap::new();
    let mut est = HashMap::new();
    for (col, idx, o, v) in under(cells, BGP4_PEER) {
        let Some(peer) = v4(idx) else { continue };
        let key = (None, peer);
        let row = rows
            .entry(key.clone())
            .or_insert_with(|| Row::new(peer, None));
        if col == BGP4_LAST_ERROR {
            // Two octets, error code and subcode; "00 00" is no error.
            if let Value::OctetString(b) = v {
                if let [code, sub] = b.as_slice() {
                    row.session.last_error = lightgate_core::bgp::notification_text(*code, *sub);
                    row.cells.push(o.clone());
                }
            }
            continue;
        }
        if standard_column(row, BGP4_COLUMNS, col, v, &mut est, key) {
            row.cells.push(o.clone());
        }
    }
    // A row with only a remote AS (IOS-XR serves no more) is not a session.
    rows.retain(|_, r| r.cells.len() > 1 || r.session.state != BgpState::Idle);
    finish(rows, est)
}

fn prefix_counts(family: Family) -> PrefixCounts {
    PrefixCounts {
        family,
        received: None,
        accepted: None,
        advertised: None,
    }
}

fn family_of(rest: &[u32]) -> Option<Family> {
    match rest {
        [afi, safi] => Some(Family::from_numbers(*afi, *safi)),
        _ => None,
    }
}

/// Adds one prefix counter to `row`.
fn count(row: &mut Row, family: Family, o: &Oid, v: &Value, which: fn(&mut PrefixCounts, u64)) {
    let Some(n) = v.as_u64() else { return };
    let mut p = prefix_counts(family);
    if let Some(existing) = row.session.family(&p.family) {
        p = existing.clone();
    }
    which(&mut p, n);
    row.session.merge_prefixes(p);
    row.cells.push(o.clone());
}

/// Cisco's advertised counter counts every prefix ever advertised and the withdrawn
/// one every withdrawal (cbgpPeer2AdvertisedPrefixes / WithdrawnPrefixes): what the
/// peer holds now is the difference. Columns arrive in order, 6 before 8.
fn withdrawn(row: &mut Row, family: Family, o: &Oid, v: &Value) {
    let Some(w) = v.as_u64() else { return };
    let Some(p) = row.session.prefixes.iter_mut().find(|p| p.family == family) else {
        return;
    };
    if let Some(a) = p.advertised {
        p.advertised = Some(a.saturating_sub(w));
        row.cells.push(o.clone());
    }
}

/// A column of either Cisco prefix table (they number them alike): 1 accepted,
/// 6 advertised, 8 withdrawn.
fn cisco_counter(row: &mut Row, col: u32, family: Family, o: &Oid, v: &Value) {
    match col {
        1 => count(row, family, o, v, |p, n| p.accepted = Some(n)),
        6 => count(row, family, o, v, |p, n| p.advertised = Some(n)),
        8 => withdrawn(row, family, o, v),
        _ => {}
    }
}

fn cisco(cells: &BTreeMap<Oid, Value>) -> Vec<(Key, Row)> {
    let mut rows: HashMap<Key, Row> = HashMap::new();
    let mut est = HashMap::new();
    for (col, idx, o, v) in under(cells, CISCO_PEER2) {
        let Some((peer, [])) = inet(idx) else {
            continue;
        };
        let key = (None, peer);
        let row = rows
            .entry(key.clone())
            .or_insert_with(|| Row::new(peer, None));
        if standard_column(row, CISCO_PEER2_COLUMNS, col, v, &mut est, key) {
            row.cells.push(o.clone());
        }
    }
    for (col, idx, o, v) in under(cells, CISCO_PEER2_PREFIX) {
        let Some((peer, rest)) = inet(idx) else {
            continue;
        };
        let Some(family) = family_of(rest) else {
            continue;
        };
        let Some(row) = rows.get_mut(&(None, peer)) else {
            continue;
        };
        cisco_counter(row, col, family, o, v);
    }
    finish(rows, est)
}

/// Counters of the legacy IPv4-only prefix table for peers cbgpPeer2 has no counters
/// for (IOS 15.0 serves only this one): they only add to a session another table
/// gives, never make one.
fn cisco_legacy(cells: &BTreeMap<Oid, Value>) -> Vec<(Key, Row)> {
    let peer2: Vec<(IpAddr, Family)> = under(cells, CISCO_PEER2_PREFIX)
        .filter_map(|(_, idx, _, _)| {
            let (peer, rest) = inet(idx)?;
            Some((peer, family_of(rest)?))
        })
        .collect();
    let mut rows: HashMap<Key, Row> = HashMap::new();
    for (col, idx, o, v) in under(cells, CISCO_LEGACY_PREFIX) {
        if idx.len() != 6 {
            continue;
        }
        let (Some(peer), Some(family)) = (v4(&idx[..4]), family_of(&idx[4..])) else {
            continue;
        };
        if peer2.contains(&(peer, family.clone())) {
            continue;
        }
        let row = rows
            .entry((None, peer))
            .or_insert_with(|| Row::new(peer, None));
        cisco_counter(row, col, family, o, v);
    }
    rows.into_iter().collect()
}

fn juniper(cells: &BTreeMap<Oid, Value>) -> Vec<(Key, Row)> {
    let mut rows: HashMap<Key, Row> = HashMap::new();
    let mut est = HashMap::new();
    let mut by_index: HashMap<u32, Key> = HashMap::new();
    let key_of = |idx: &[u32]| -> Option<(IpAddr, Option<String>)> {
        let (&instance, rest) = idx.split_first()?;
        let (_local, rest) = inet_implied(rest)?;
        let (peer, []) = inet_implied(rest)? else {
            return None;
        };
        let vrf = (instance != 0).then(|| format!("instance {instance}"));
        Some((peer, vrf))
    };
    for (col, idx, o, v) in under(cells, JNX_PEER) {
        let Some((peer, vrf)) = key_of(idx) else {
            continue;
        };
        let key = (vrf.clone(), peer);
        let row = rows
            .entry(key.clone())
            .or_insert_with(|| Row::new(peer, vrf));
        match col {
            2 => set_state(row, v),
            3 => row.session.admin = admin_word(v, ["halted", "running"]),
            13 => row.session.remote_as = int(v).and_then(Asn::from_snmp),
            14 => {
                if let Some(i) = int(v).and_then(|i| u32::try_from(i).ok()) {
                    by_index.insert(i, key);
                }
            }
            _ => continue,
        }
        row.cells.push(o.clone());
    }
    let established = oid(JNX_ESTABLISHED);
    for (o, v) in cells
        .range(established.clone()..)
        .take_while(|(o, _)| o.starts_with(&established))
    {
        let Some((peer, vrf)) = o.suffix(&established).and_then(key_of) else {
            continue;
        };
        let key = (vrf, peer);
        if let (Some(row), Some(s)) = (rows.get_mut(&key), secs(v)) {
            est.insert(key, s);
            row.cells.push(o.clone());
        }
    }
    for (col, idx, o, v) in under(cells, JNX_PREFIX) {
        let Some((&peer_index, rest)) = idx.split_first() else {
            continue;
        };
        let Some(family) = family_of(rest) else {
            continue;
        };
        let Some(row) = by_index.get(&peer_index).and_then(|k| rows.get_mut(k)) else {
            continue;
        };
        match col {
            7 => count(row, family, o, v, |p, n| p.received = Some(n)),
            8 => count(row, family, o, v, |p, n| p.accepted = Some(n)),
            10 => count(row, family, o, v, |p, n| p.advertised = Some(n)),
            _ => {}
        }
    }
    finish(rows, est)
}

fn arista(cells: &BTreeMap<Oid, Value>) -> Vec<(Key, Row)> {
    let mut rows: HashMap<Key, Row> = HashMap::new();
    let mut est = HashMap::new();
    let key_of = |idx: &[u32]| -> Option<(IpAddr, Option<String>, Vec<u32>)> {
        let (&instance, rest) = idx.split_first()?;
        let (peer, rest) = inet(rest)?;
        let vrf = (instance != 1).then(|| format!("instance {instance}"));
        Some((peer, vrf, rest.to_vec()))
    };
    for (col, idx, o, v) in under(cells, ARISTA_PEER) {
        let Some((peer, vrf, rest)) = key_of(idx) else {
            continue;
        };
        if !rest.is_empty() {
            continue;
        }
        let key = (vrf.clone(), peer);
        let row = rows
            .entry(key.clone())
            .or_insert_with(|| Row::new(peer, vrf));
        match col {
            10 => row.session.remote_as = int(v).and_then(Asn::from_snmp),
            12 => row.session.admin = admin_word(v, ["halted", "running"]),
            13 => set_state(row, v),
            14 => row.session.description = v.as_text().filter(|d| !d.is_empty()),
            _ => continue,
        }
        row.cells.push(o.clone());
    }
    for (col, idx, o, v) in under(cells, "1.3.6.1.4.1.30065.4.1.1.4.1") {
        let Some((peer, vrf, rest)) = key_of(idx) else {
            continue;
        };
        let key = (vrf, peer);
        if col != 1 || !rest.is_empty() {
            continue;
        }
        if let (Some(row), Some(s)) = (rows.get_mut(&key), secs(v)) {
            est.insert(key, s);
            row.cells.push(o.clone());
        }
    }
    for (col, idx, o, v) in under(cells, ARISTA_PREFIX) {
        let Some((peer, vrf, rest)) = key_of(idx) else {
            continue;
        };
        let Some(family) = family_of(&rest) else {
            continue;
        };
        let Some(row) = rows.get_mut(&(vrf, peer)) else {
            continue;
        };
        match col {
            3 => count(row, family, o, v, |p, n| p.received = Some(n)),
            4 => count(row, family, o, v, |p, n| p.accepted = Some(n)),
            5 => count(row, family, o, v, |p, n| p.advertised = Some(n)),
            _ => {}
        }
    }
    finish(rows, est)
}

fn nokia(cells: &BTreeMap<Oid, Value>) -> Vec<(Key, Row)> {
    let names = oid(TIMOS_VRTR_NAME);
    let vrf_of = |vrtr: u32| -> (Option<String>, Option<Oid>) {
        let cell = names.child(&[vrtr]);
        match cells.get(&cell).and_then(Value::as_text) {
            Some(n) if n == "Base" || n.is_empty() => (None, Some(cell)),
            Some(n) => (Some(n), Some(cell)),
            None if vrtr == 1 => (None, None),
            None => (Some(format!("vRtr {vrtr}")), None),
        }
    };
    let mut rows: HashMap<Key, Row> = HashMap::new();
    let mut est = HashMap::new();
    for (col, idx, o, v) in under(cells, TIMOS_PEER) {
        let Some((&vrtr, rest)) = idx.split_first() else {
            continue;
        };
        let Some((peer, [])) = inet(rest) else {
            continue;
        };
        let (vrf, name_cell) = vrf_of(vrtr);
        let key = (vrf.clone(), peer);
        let row = rows.entry(key).or_insert_with(|| {
            let mut r = Row::new(peer, vrf);
            r.cells.extend(name_cell);
            r
        });
        match col {
            59 => set_state(row, v),
            66 => row.session.remote_as = int(v).and_then(Asn::from_snmp),
            7 => row.session.description = v.as_text().filter(|d| !d.is_empty()),
            _ => continue,
        }
        row.cells.push(o.clone());
    }
    for (col, idx, o, v) in under(cells, TIMOS_OPER) {
        let Some((&vrtr, rest)) = idx.split_first() else {
            continue;
        };
        let Some((peer, [])) = inet(rest) else {
            continue;
        };
        let key = (vrf_of(vrtr).0, peer);
        if col != 177 {
            continue;
        }
        if let (Some(row), Some(s)) = (rows.get_mut(&key), secs(v)) {
            est.insert(key, s);
            row.cells.push(o.clone());
        }
    }
    finish(rows, est)
}

fn huawei(cells: &BTreeMap<Oid, Value>) -> Vec<(Key, Row)> {
    // Index: instance.afi.safi.type.len.address; one row per address family.
    let split = |idx: &[u32]| -> Option<(u32, Family, IpAddr)> {
        let [instance, afi, safi, rest @ ..] = idx else {
            return None;
        };
        let (peer, []) = inet(rest)? else { return None };
        Some((*instance, Family::from_numbers(*afi, *safi), peer))
    };
    let mut vrf_names: HashMap<u32, String> = HashMap::new();
    let mut name_cells: HashMap<u32, Oid> = HashMap::new();
    let names = oid(HW_VRF_NAME);
    for (o, v) in cells
        .range(names.clone()..)
        .take_while(|(o, _)| o.starts_with(&names))
    {
        if let (Some((instance, _, _)), Some(name)) =
            (o.suffix(&names).and_then(split), v.as_text())
        {
            // Huawei names the global table per family: Public, PublicV6.
            let global = matches!(name.to_ascii_lowercase().as_str(), "public" | "publicv6");
            vrf_names.insert(instance, if global { String::new() } else { name });
            name_cells.entry(instance).or_insert_with(|| o.clone());
        }
    }
    let vrf_of = |instance: u32| -> Option<String> {
        match vrf_names.get(&instance) {
            Some(n) if n.is_empty() => None,
            Some(n) => Some(n.clone()),
            None if instance == 0 => None,
            None => Some(format!("instance {instance}")),
        }
    };
    let mut rows: HashMap<Key, Row> = HashMap::new();
    let mut est = HashMap::new();
    for (col, idx, o, v) in under(cells, HW_PEER) {
        let Some((instance, _family, peer)) = split(idx) else {
            continue;
        };
        let key = (vrf_of(instance), peer);
        let row = rows.entry(key.clone()).or_insert_with(|| {
            let mut r = Row::new(peer, key.0.clone());
            r.cells.extend(name_cells.get(&instance).cloned());
            r
        });
        match col {
            2 => row.session.remote_as = int(v).and_then(Asn::from_snmp),
            5 => set_state(row, v),
            7 => {
                if let Some(s) = secs(v) {
                    est.insert(key, s);
                }
            }
            11 => row.session.admin = admin_word(v, ["stop", "start"]),
            _ => continue,
        }
        row.cells.push(o.clone());
    }
    for (col, idx, o, v) in under(cells, HW_PREFIX) {
        let Some((instance, family, peer)) = split(idx) else {
            continue;
        };
        let Some(row) = rows.get_mut(&(vrf_of(instance), peer)) else {
            continue;
        };
        match col {
            1 => count(row, family, o, v, |p, n| p.received = Some(n)),
            3 => count(row, family, o, v, |p, n| p.advertised = Some(n)),
            _ => {}
        }
    }
    finish(rows, est)
}
