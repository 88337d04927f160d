//! BGP sessions of the simulated routers: every router of a fleet has the same
//! configured neighbours (`--bgp-peer`), served in BGP4-MIB (IPv4 neighbours, the
//! 16-bit AS column with AS_TRANS for a 4-byte AS), and in the flavour's own table:
//! CISCO-BGP4-MIB cbgpPeer2Table with its prefix counters on Cisco routers,
//! BGP4-V2-MIB-JUNIPER jnxBgpM2PeerTable with its counters on Juniper. Each session's
//! state can be changed through the control endpoint, which sends
//! bgpEstablishedNotification or bgpBackwardTransNotification from the router.
//! Each neighbour has a BFD session too (unless `bfd=off`), up while BGP is
//! established (or as `bfd=` fixes it), in the flavour's BFD table: Cisco's
//! CISCO-IETF-BFD-MIB, Juniper's experimental BFD-STD-MIB, RFC 7331's BFD-STD-MIB on
//! the others; indexed by session number like the routers do, so a restart moves them.

use std::net::IpAddr;
use std::time::{Duration, SystemTime};

use lightgate_core::bgp::{Asn, BfdState, BgpState, MICROSOFT_ASN};
use lightgate_snmp::types::{oid, Oid, Value};

use super::ber;
use lightgate_snmp::Vendor;

/// A flapping session is up this long, then down [`FLAP_DOWN`], again and again.
pub const FLAP_UP: Duration = Duration::from_secs(20);
pub const FLAP_DOWN: Duration = Duration::from_secs(10);

/// How a session behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// In one state until told otherwise.
    Steady(BgpState),
    /// Established [`FLAP_UP`], idle [`FLAP_DOWN`] (or the peer's own periods), and so
    /// on.
    Flapping,
}

impl Behaviour {
    pub fn parse(s: &str) -> Result<Behaviour, String> {
        match s {
            "up" | "established" => Ok(Behaviour::Steady(BgpState::Established)),
            "down" | "idle" => Ok(Behaviour::Steady(BgpState::Idle)),
            "flapping" => Ok(Behaviour::Flapping),
            other => BgpState::from_word(other)
                .map(Behaviour::Steady)
                .ok_or_else(|| format!("BGP state {other:?}: up, down, flapping, idle, connect, active, opensent or openconfirm")),
        }
    }
}

/// How a neighbour's BFD session behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BfdMode {
    /// Up while BGP is established, down (detection time expired) otherwise.
    Follow,
    /// In one state whatever BGP does.
    Fixed(BfdState),
    /// No BFD session to this neighbour.
    Off,
}

impl BfdMode {
    pub fn parse(s: &str) -> Result<BfdMode, String> {
        match s {
            "follow" => Ok(BfdMode::Follow),
            "off" | "none" => Ok(BfdMode::Off),
            other => BfdState::from_word(other)
                .map(BfdMode::Fixed)
                .ok_or_else(|| format!("BFD {other:?}: follow, off, up, down, init or admindown")),
        }
    }
}

/// One configured neighbour and how it behaves.
#[derive(Debug, Clone, PartialEq)]
pub struct SimPeer {
    pub addr: IpAddr,
    pub remote_as: u32,
    pub behaviour: Behaviour,
    /// Prefixes received from the neighbour while established.
    pub received: u64,
    /// Prefixes advertised to it while established.
    pub advertised: u64,
    /// A flapping session's up and down periods.
    pub flap: (Duration, Duration),
    pub bfd: BfdMode,
}

impl SimPeer {
    /// `ADDR[,as=N][,state=up|down|flapping|...][,received=N][,advertised=N][,bfd=follow|off|up|down|...]`.
    pub fn parse(s: &str) -> Result<SimPeer, String> {
        let mut parts = s.split(',').map(str::trim);
        let addr: IpAddr = parts
            .next()
            .unwrap_or("")
            .parse()
            .map_err(|e| format!("--bgp-peer {s:?}: the neighbour's address: {e}"))?;
        let mut p = SimPeer {
            addr,
            remote_as: MICROSOFT_ASN,
            behaviour: Behaviour::Steady(BgpState::Established),
            received: 4,
            advertised: 3,
            flap: (FLAP_UP, FLAP_DOWN),
            bfd: BfdMode::Follow,
        };
        for part in parts.filter(|p| !p.is_empty()) {
            let (k, v) = part
                .split_once('=')
                .ok_or_else(|| format!("--bgp-peer {s:?}: {part:?} is not key=value"))?;
            let num = || {
                v.parse::<u64>()
                    .map_err(|_| format!("--bgp-peer {s:?}: {k} must be a number"))
            };
            match k {
                "as" => p.remote_as = v.parse::<Asn>().map(|a| a.0)?,
                "state" => p.behaviour = Behaviour::parse(v)?,
                "received" => p.received = num()?,
                "advertised" => p.advertised = num()?,
                "flap_up" => p.flap.0 = Duration::from_secs(num()?.max(1)),
                "flap_down" => p.flap.1 = Duration::from_secs(num()?.max(1)),
                "bfd" => p.bfd = BfdMode::parse(v)?,
                other => {
                    return Err(format!(
                        "--bgp-peer {s:?}: unknown key {other:?} (as, state, received, advertised, flap_up, flap_down, bfd)"
                    ))
                }
            }
        }
        Ok(p)
    }
}

/// A session at run time: its settings and since when it is in its current state.
#[derive(Debug, Clone, PartialEq)]
pub struct PeerState {
    pub peer: SimPeer,
    pub since: SystemTime,
}

impl PeerState {
    /// The state now, and since when.
    pub fn now(&self, at: SystemTime) -> (BgpState, SystemTime) {
        match self.peer.behaviour {
            Behaviour::Steady(s) => (s, self.since),
            Behaviour::Flapping => {
                let (up, down) = self.peer.flap;
                let period = up + down;
                let t = at.duration_since(self.since).unwrap_or_default();
                let cycles = t.as_millis() / period.as_millis();
                let start = self.since + period * cycles as u32;
                let into = t - period * cycles as u32;
                if into < up {
                    (BgpState::Established, start)
                } else {
                    (BgpState::Idle, start + up)
                }
            }
        }
    }
}

/// What one BGP cell holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    State,
    Admin,
    /// BGP4-MIB's 16-bit column: AS_TRANS for a 4-byte AS.
    RemoteAs16,
    RemoteAs,
    EstablishedTime,
    Received,
    Accepted,
    Advertised,
    Withdrawn,
    /// Juniper's jnxBgpM2PeerIndex.
    Index,
    /// BGP4-MIB bgpPeerLastError: Cease / administrative shutdown (6, 2) while the
    /// session is down, no error (0, 0) while it is up.
    LastError,
    /// The BFD session's state, diagnostic, destination address type and address, in
    /// a table indexed by session number (the neighbour's slot + 1).
    BfdState,
    BfdDiagnostic,
    BfdAddressType,
    BfdAddress,
}

impl Field {
    /// Whether the cell is keyed by an index the router numbers (which a restart
    /// hands to another neighbour), not by the neighbour's address.
    pub fn by_index(&self, flavour: Vendor) -> bool {
        matches!(
            self,
            Field::BfdState | Field::BfdDiagnostic | Field::BfdAddressType | Field::BfdAddress
        ) || (flavour == Vendor::Juniper
            && matches!(self, Field::Received | Field::Accepted | Field::Advertised))
    }
}

/// The BFD table of a flavour: its entry OID, the columns of state, address type and
/// address, the diagnostic's column where it can be read, and the number of "no
/// diagnostic".
fn bfd_table(flavour: Vendor) -> (&'static str, [u32; 3], Option<u32>, i64) {
    match flavour {
        // CISCO-IETF-BFD-MIB ciscoBfdSessEntry (draft numbering, diagnostic from 1).
        Vendor::Cisco => ("1.3.6.1.4.1.9.10.137.1.2.1", [6, 13, 14], Some(8), 1),
        // BFD-STD-MIB under jnxBfdExperiment: its bfdSessDiag is accessible only in
        // notifications.
        Vendor::Juniper => ("1.3.6.1.4.1.2636.5.3.1.1.2.1", [6, 13, 14], None, 1),
        // RFC 7331 bfdSessEntry.
        _ => ("1.3.6.1.2.1.222.1.2.1", [11, 21, 22], Some(13), 0),
    }
}

fn addr_arcs(a: &IpAddr) -> Vec<u32> {
    match a {
        IpAddr::V4(v) => v.octets().iter().map(|b| u32::from(*b)).collect(),
        IpAddr::V6(v) => v.octets().iter().map(|b| u32::from(*b)).collect(),
    }
}

fn kind(a: &IpAddr) -> u32 {
    if a.is_ipv4() {
        1
    } else {
        2
    }
}

/// The local AS the simulated routers answer in bgpLocalAs.
pub const LOCAL_AS: i64 = 65010;

/// The BGP cells of a router of `flavour` with `peers`: (OID, peer, field); the
/// layout makes them cells.
pub fn cells(flavour: Vendor, peers: &[IpAddr]) -> Vec<(Oid, usize, Field)> {
    let mut out: Vec<(Oid, (usize, Field))> = Vec::new();
    let cell = |peer: usize, field: Field| (peer, field);
    for (k, a) in peers.iter().enumerate() {
        if a.is_ipv4() {
            let idx = addr_arcs(a);
            let col = |n: u32| oid("1.3.6.1.2.1.15.3.1").child(&[n]).child(&idx);
            out.extend([
                (col(2), cell(k, Field::State)),
                (col(3), cell(k, Field::Admin)),
                (col(9), cell(k, Field::RemoteAs16)),
                (col(14), cell(k, Field::LastError)),
                (col(16), cell(k, Field::EstablishedTime)),
            ]);
        }
        let afi = kind(a);
        let mut inet = vec![kind(a), addr_arcs(a).len() as u32];
        inet.extend(addr_arcs(a));
        match flavour {
            Vendor::Cisco => {
                let col = |n: u32| oid("1.3.6.1.4.1.9.9.187.1.2.5.1").child(&[n]).child(&inet);
                out.extend([
                    (col(3), cell(k, Field::State)),
                    (col(4), cell(k, Field::Admin)),
                    (col(11), cell(k, Field::RemoteAs)),
                    (col(19), cell(k, Field::EstablishedTime)),
                ]);
                let pcol = |n: u32| {
                    oid("1.3.6.1.4.1.9.9.187.1.2.8.1")
                        .child(&[n])
                        .child(&inet)
                        .child(&[afi, 1])
                };
                out.extend([
                    (pcol(1), cell(k, Field::Accepted)),
                    (pcol(6), cell(k, Field::Advertised)),
                    (pcol(8), cell(k, Field::Withdrawn)),
                ]);
            }
            Vendor::Juniper => {
                // instance 0, local address (unspecified), remote address.
                let mut idx = vec![0, kind(a)];
                idx.extend(std::iter::repeat_n(0, addr_arcs(a).len()));
                idx.push(kind(a));
                idx.extend(addr_arcs(a));
                let col = |n: u32| {
                    oid("1.3.6.1.4.1.2636.5.1.1.2.1.1.1")
                        .child(&[n])
                        .child(&idx)
                };
                out.extend([
                    (col(2), cell(k, Field::State)),
                    (col(3), cell(k, Field::Admin)),
                    (col(13), cell(k, Field::RemoteAs)),
                    (col(14), cell(k, Field::Index)),
                    (
                        oid("1.3.6.1.4.1.2636.5.1.1.2.4.1.1.1").child(&idx),
                        cell(k, Field::EstablishedTime),
                    ),
                ]);
                let pcol = |n: u32| {
                    oid("1.3.6.1.4.1.2636.5.1.1.2.6.2.1").child(&[n, k as u32 + 1, afi, 1])
                };
                out.extend([
                    (pcol(7), cell(k, Field::Received)),
                    (pcol(8), cell(k, Field::Accepted)),
                    (pcol(10), cell(k, Field::Advertised)),
                ]);
            }
            _ => {}
        }
        let (entry, [state, kind_col, addr], diag, _) = bfd_table(flavour);
        let bcol = |n: u32| oid(entry).child(&[n, k as u32 + 1]);
        out.extend([
            (bcol(state), cell(k, Field::BfdState)),
            (bcol(kind_col), cell(k, Field::BfdAddressType)),
            (bcol(addr), cell(k, Field::BfdAddress)),
        ]);
        out.extend(diag.map(|d| (bcol(d), cell(k, Field::BfdDiagnostic))));
    }
    out.into_iter().map(|(o, (k, f))| (o, k, f)).collect()
}

/// The value of `field` of session `p` (in index slot `k`) at `at`, as `flavour`'s MIB
/// encodes it.
pub fn value(flavour: Vendor, p: &PeerState, k: usize, field: Field, at: SystemTime) -> Value {
    let (state, since) = p.now(at);
    let up = state == BgpState::Established;
    let count = |n: u64| {
        Value::Gauge32(if up {
            n.min(u64::from(u32::MAX)) as u32
        } else {
            0
        })
    };
    match field {
        Field::State => Value::Integer(state.mib_number()),
        Field::Admin => Value::Integer(2),
        Field::RemoteAs16 => Value::Integer(if p.peer.remote_as > 65535 {
            i64::from(lightgate_core::bgp::AS_TRANS)
        } else {
            i64::from(p.peer.remote_as)
        }),
        Field::RemoteAs => Value::Gauge32(p.peer.remote_as),
        Field::EstablishedTime => {
            Value::Gauge32(at.duration_since(since).unwrap_or_default().as_secs() as u32)
        }
        Field::Received | Field::Accepted => count(p.peer.received),
        Field::Advertised => count(p.peer.advertised),
        Field::Withdrawn => Value::Gauge32(0),
        Field::LastError => Value::OctetString(if up { vec![0, 0] } else { vec![6, 2] }),
        Field::Index => Value::Gauge32(k as u32 + 1),
        Field::BfdState | Field::BfdDiagnostic | Field::BfdAddressType | Field::BfdAddress => {
            let bfd = match p.peer.bfd {
                BfdMode::Off => return Value::NoSuchInstance,
                BfdMode::Fixed(s) => s,
                BfdMode::Follow if up => BfdState::Up,
                BfdMode::Follow => BfdState::Down,
            };
            // RFC 5880 diagnostics: 1 detection time expired, 7 administratively down.
            let diagnostic = match bfd {
                BfdState::Up | BfdState::Init => 0,
                BfdState::AdminDown => 7,
                BfdState::Down | BfdState::Failing => 1,
            };
            let (_, _, _, none) = bfd_table(flavour);
            match field {
                Field::BfdState => Value::Integer(bfd.mib_number()),
                Field::BfdDiagnostic => Value::Integer(diagnostic + none),
                Field::BfdAddressType => Value::Integer(i64::from(kind(&p.peer.addr))),
                _ => Value::OctetString(match p.peer.addr {
                    IpAddr::V4(v) => v.octets().to_vec(),
                    IpAddr::V6(v) => v.octets().to_vec(),
                }),
            }
        }
    }
}

/// A v2c bgpEstablishedNotification (`up`) or bgpBackwardTransNotification for
/// `peer` (RFC 4273), in `state`.
pub fn trap(
    community: &str,
    request_id: i64,
    uptime_ticks: u32,
    peer: &IpAddr,
    state: BgpState,
) -> Vec<u8> {
    let kind = if state == BgpState::Established {
        oid("1.3.6.1.2.1.15.0.1")
    } else {
        oid("1.3.6.1.2.1.15.0.2")
    };
    let idx = addr_arcs(peer);
    let mut vbs = Vec::with_capacity(64);
    if peer.is_ipv4() {
        ber::varbind(
            &mut vbs,
            &oid("1.3.6.1.2.1.15.3.1.14").child(&idx),
            &Value::OctetString(vec![0, 0]),
        );
        ber::varbind(
            &mut vbs,
            &oid("1.3.6.1.2.1.15.3.1.2").child(&idx),
            &Value::Integer(state.mib_number()),
        );
    }
    super::trap::notification(community, request_id, uptime_ticks, kind, &vbs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use lightgate_snmp::trap::{parse, TrapKind};

    #[test]
    fn peers_parse_with_their_options() {
        let p = SimPeer::parse("2001:db8::2,as=4200000000,state=active,received=7,advertised=9")
            .unwrap();
        assert_eq!(p.remote_as, 4_200_000_000);
        assert_eq!(p.behaviour, Behaviour::Steady(BgpState::Active));
        assert_eq!((p.received, p.advertised), (7, 9));
        assert_eq!(SimPeer::parse("10.0.0.2").unwrap().remote_as, 12076);
        assert!(SimPeer::parse("10.0.0.2,colour=red").is_err());
        assert!(SimPeer::parse("nope").is_err());
    }

    #[test]
    fn a_flapping_session_goes_up_and_down_and_restarts_its_clock() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let p = PeerState {
            peer: SimPeer::parse("10.0.0.2,state=flapping").unwrap(),
            since: t0,
        };
        assert_eq!(p.now(t0 + Duration::from_secs(5)).0, BgpState::Established);
        assert_eq!(p.now(t0 + Duration::from_secs(25)).0, BgpState::Idle);
        let (s, since) = p.now(t0 + Duration::from_secs(35));
        assert_eq!(s, BgpState::Established);
        assert_eq!(since, t0 + Duration::from_secs(30));
    }

    #[test]
    fn lightgate_reads_our_bgp_traps() {
        let a: IpAddr = "192.168.100.130".parse().unwrap();
        let down = parse(&trap("public", 1, 100, &a, BgpState::Idle)).unwrap();
        assert_eq!(down.kind, TrapKind::BgpBackward);
        let up = parse(&trap("public", 2, 100, &a, BgpState::Established)).unwrap();
        assert_eq!(up.kind, TrapKind::BgpEstablished);
    }
}
