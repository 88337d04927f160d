//! BGP sessions over SNMP. Discovery walks, per MIB, one column that tells whether
//! the device has the table, and the rest of that MIB's columns only when it does;
//! its result is cached by the caller. A steady poll then GETs only the cells of the
//! sessions someone expects (see [`Plan`]), decoded by the same pure [`decode`].

pub mod bfd;
pub mod decode;

use std::collections::BTreeMap;
use std::net::IpAddr;

use lightgate_core::bgp::BgpSession;
use lightgate_core::source::SourceError;

pub use decode::{BgpMib, Decoded};

use crate::client::Counters;
use crate::transport::Transport;
use crate::types::{Oid, Value};

/// What discovery found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Discovery {
    /// The tables the device has, vendor tables first.
    pub mibs: Vec<BgpMib>,
    pub sessions: Vec<Decoded>,
    /// The BFD sessions the device reports (any neighbour).
    pub bfd: Vec<bfd::BfdRow>,
    /// sysUpTime when the tables were walked: a later poll that reads less has met a
    /// restarted device, whose peer indexes (Juniper's jnxBgpM2PeerIndex, a
    /// VRF's index) may now name other neighbours.
    pub uptime_ticks: Option<i64>,
}

impl Discovery {
    /// The text for a device without any BGP table.
    pub const NO_TABLE: &'static str =
        "no BGP table: the device serves none of BGP4-MIB, CISCO-BGP4-MIB, BGP4-V2-MIB-JUNIPER, ARISTA-BGP4V2-MIB, HUAWEI-BGP-VPN-MIB or TIMETRA-BGP-MIB to this SNMP user (use the serial source for BGP, or allow the BGP MIBs in the agent's view)";

    pub fn has_table(&self) -> bool {
        !self.mibs.is_empty()
    }
}

/// Walks the BGP tables of the device.
pub async fn discover<T: Transport>(
    transport: &mut T,
    counters: &mut Counters,
) -> Result<Discovery, SourceError> {
    let uptime_ticks = transport
        .get(&[crate::oids::sys_uptime()], counters)
        .await?
        .into_iter()
        .find_map(|(_, v)| v.as_i64());
    let mut cells: BTreeMap<Oid, Value> = BTreeMap::new();
    let mut mibs = Vec::new();
    for mib in decode::ALL {
        if walk_if_present(transport, &decode::columns(mib), &mut cells, counters).await? {
            mibs.push(mib);
        }
    }
    if mibs
        .iter()
        .any(|m| matches!(m, BgpMib::Cisco | BgpMib::Bgp4))
    {
        let columns = decode::legacy_prefix_columns();
        cells.extend(transport.walk_columns(&columns, counters).await?);
    }
    // BFD only beside BGP: a device without BGP tables has no session to set it on.
    let mut bfd_cells: BTreeMap<Oid, Value> = BTreeMap::new();
    if !mibs.is_empty() {
        for columns in bfd::columns() {
            walk_if_present(transport, &columns, &mut bfd_cells, counters).await?;
        }
    }
    let bfd = bfd::decode(&bfd_cells);
    let mut sessions = decode::decode(&cells);
    for d in &mut sessions {
        d.session.bfd = bfd::state_of(&d.session.peer, &bfd);
    }
    Ok(Discovery {
        mibs,
        sessions,
        bfd,
        uptime_ticks,
    })
}

/// Walks a table's first column (the probe) and, when the device has rows there, its
/// other columns, into `cells`; whether it had rows.
async fn walk_if_present<T: Transport>(
    transport: &mut T,
    columns: &[Oid],
    cells: &mut BTreeMap<Oid, Value>,
    counters: &mut Counters,
) -> Result<bool, SourceError> {
    let Some((probe, rest)) = columns.split_first() else {
        return Ok(false);
    };
    let found = transport.walk(probe, counters).await?;
    if found.iter().all(|(_, v)| v.is_absent()) {
        return Ok(false);
    }
    cells.extend(found);
    cells.extend(transport.walk_columns(rest, counters).await?);
    Ok(true)
}

/// The cells to GET for the wanted neighbours, from a discovery.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    pub oids: Vec<Oid>,
    /// The wanted neighbours discovery found (in any VRF).
    pub found: Vec<IpAddr>,
    /// The wanted neighbours it did not.
    pub missing: Vec<IpAddr>,
    /// sysUpTime at discovery (see [`Discovery::uptime_ticks`]).
    pub uptime_ticks: Option<i64>,
}

/// What one steady poll read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Polled {
    pub sessions: Vec<BgpSession>,
    /// The device restarted since discovery (sysUpTime went back): every index-keyed
    /// cell may be another neighbour's now, so nothing of this poll is used.
    pub restarted: bool,
}

/// Plans a poll of `wanted` (Microsoft's addresses) from `discovery`.
pub fn plan(discovery: &Discovery, wanted: &[IpAddr]) -> Plan {
    let mut p = Plan {
        uptime_ticks: discovery.uptime_ticks,
        ..Plan::default()
    };
    for w in wanted {
        let rows: Vec<&Decoded> = discovery
            .sessions
            .iter()
            .filter(|d| &d.session.peer == w)
            .collect();
        if rows.is_empty() {
            p.missing.push(*w);
            continue;
        }
        p.found.push(*w);
        for d in rows {
            p.oids.extend(d.cells.iter().cloned());
        }
        // The BFD rows' address cells too: an index may name another neighbour later.
        for b in discovery.bfd.iter().filter(|b| &b.peer == w) {
            p.oids.extend(b.cells.iter().cloned());
        }
    }
    p.oids.sort();
    p.oids.dedup();
    p
}

/// One steady poll: GETs the plan's cells (and sysUpTime) and decodes them. A planned
/// neighbour that is absent from the answer (its row went away) is absent from the
/// result, and a restarted device is reported: either way the caller re-discovers.
pub async fn poll<T: Transport>(
    transport: &mut T,
    plan: &Plan,
    counters: &mut Counters,
) -> Result<Polled, SourceError> {
    if plan.oids.is_empty() {
        return Ok(Polled::default());
    }
    let uptime = crate::oids::sys_uptime();
    let mut oids = plan.oids.clone();
    if plan.uptime_ticks.is_some() {
        oids.push(uptime.clone());
    }
    let answers = transport.get(&oids, counters).await?;
    let cells: BTreeMap<Oid, Value> = answers.into_iter().collect();
    let restarted = match (
        plan.uptime_ticks,
        cells.get(&uptime).and_then(Value::as_i64),
    ) {
        (Some(known), Some(now)) => now < known,
        _ => false,
    };
    if restarted {
        return Ok(Polled {
            sessions: Vec::new(),
            restarted,
        });
    }
    let mut sessions: Vec<BgpSession> = decode::decode(&cells)
        .into_iter()
        .map(|d| d.session)
        .filter(|s| plan.found.contains(&s.peer))
        .collect();
    bfd::attach(&mut sessions, &bfd::decode(&cells));
    Ok(Polled {
        sessions,
        restarted,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::Replay;

    /// A Cisco router: BGP4-MIB gives AS_TRANS for a 4-byte peer, cbgpPeer2 the real
    /// AS; an IPv6 peer only in cbgpPeer2; a Microsoft peer in the legacy prefix table.
    const CISCO: &str = "\
1.3.6.1.2.1.15.3.1.2.192.168.100.130|2|6
1.3.6.1.2.1.15.3.1.9.192.168.100.130|2|12076
1.3.6.1.2.1.15.3.1.16.192.168.100.130|66|700
1.3.6.1.2.1.15.3.1.2.10.0.0.1|2|6
1.3.6.1.2.1.15.3.1.9.10.0.0.1|2|23456
1.3.6.1.2.1.15.3.1.16.10.0.0.1|66|5
1.3.6.1.4.1.9.9.187.1.2.4.1.1.192.168.100.130.1.1|65|12
1.3.6.1.4.1.9.9.187.1.2.4.1.6.192.168.100.130.1.1|66|40
1.3.6.1.4.1.9.9.187.1.2.4.1.8.192.168.100.130.1.1|66|2
1.3.6.1.4.1.9.9.187.1.2.5.1.3.1.4.10.0.0.1|2|6
1.3.6.1.4.1.9.9.187.1.2.5.1.11.1.4.10.0.0.1|66|4200000000
1.3.6.1.4.1.9.9.187.1.2.5.1.19.1.4.10.0.0.1|66|5
1.3.6.1.4.1.9.9.187.1.2.5.1.3.2.16.32.1.13.184.0.1.0.0.0.0.0.0.0.0.0.2|2|3
1.3.6.1.4.1.9.9.187.1.2.5.1.11.2.16.32.1.13.184.0.1.0.0.0.0.0.0.0.0.0.2|66|12076
1.3.6.1.4.1.9.9.187.1.2.5.1.19.2.16.32.1.13.184.0.1.0.0.0.0.0.0.0.0.0.2|66|99
";

    fn run<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn vendor_rows_win_and_bgp4_fills_the_rest() {
        let mut r = Replay::from_snmprec(CISCO).unwrap();
        let d = run(discover(&mut r, &mut Counters::default())).unwrap();
        assert_eq!(d.mibs, vec![BgpMib::Cisco, BgpMib::Bgp4]);
        let by = |a: &str| {
            d.sessions
                .iter()
                .find(|s| s.session.peer == a.parse::<IpAddr>().unwrap())
                .unwrap()
                .session
                .clone()
        };
        let four = by("10.0.0.1");
        assert_eq!(four.remote_as.unwrap().0, 4_200_000_000, "not AS_TRANS");
        let ms = by("192.168.100.130");
        assert_eq!(ms.established_seconds, Some(700));
        let p = &ms.prefixes[0];
        assert_eq!((p.accepted, p.advertised), (Some(12), Some(38)));
        let v6 = by("2001:db8:1::2");
        assert_eq!(v6.state.as_str(), "active");
        assert_eq!(
            v6.established_seconds, None,
            "only established sessions have a time"
        );
    }

    #[test]
    fn a_steady_poll_gets_only_the_expected_sessions_cells_in_one_request() {
        let mut r = Replay::from_snmprec(CISCO).unwrap();
        let d = run(discover(&mut r, &mut Counters::default())).unwrap();
        let ms: IpAddr = "192.168.100.130".parse().unwrap();
        let absent: IpAddr = "192.168.100.134".parse().unwrap();
        let p = plan(&d, &[ms, absent]);
        assert_eq!(p.missing, vec![absent]);
        assert_eq!(p.oids.len(), 6, "{:?}", p.oids);
        let mut c = Counters::default();
        r.set(
            "1.3.6.1.2.1.15.3.1.2.192.168.100.130".parse().unwrap(),
            Value::Integer(1),
        );
        let s = run(poll(&mut r, &p, &mut c)).unwrap().sessions;
        assert_eq!(c.requests, 1);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].state.as_str(), "idle");
        assert_eq!(s[0].established_seconds, None);
    }

    #[test]
    fn a_restarted_router_is_reported_and_nothing_of_its_poll_is_used() {
        let text = format!("1.3.6.1.2.1.1.3.0|67|900000\n{CISCO}");
        let mut r = Replay::from_snmprec(&text).unwrap();
        let d = run(discover(&mut r, &mut Counters::default())).unwrap();
        assert_eq!(d.uptime_ticks, Some(900_000));
        let ms: IpAddr = "192.168.100.130".parse().unwrap();
        let p = plan(&d, &[ms]);
        let polled = run(poll(&mut r, &p, &mut Counters::default())).unwrap();
        assert!(!polled.restarted);
        assert_eq!(polled.sessions.len(), 1);
        // The router restarts: its uptime starts again, its rows may be others'.
        r.set(
            "1.3.6.1.2.1.1.3.0".parse().unwrap(),
            Value::TimeTicks(4_200),
        );
        let polled = run(poll(&mut r, &p, &mut Counters::default())).unwrap();
        assert!(polled.restarted);
        assert!(polled.sessions.is_empty());
    }

    #[test]
    fn a_router_without_bgp_tables_says_so_after_one_probe_per_mib() {
        let mut r = Replay::from_snmprec("1.3.6.1.2.1.1.1.0|4|router\n").unwrap();
        let mut c = Counters::default();
        let d = run(discover(&mut r, &mut c)).unwrap();
        assert!(!d.has_table());
        // sysUpTime, then one probe per MIB.
        assert_eq!(c.requests, 1 + decode::ALL.len() as u64);
        assert!(Discovery::NO_TABLE.contains("use the serial source"));
    }
}
