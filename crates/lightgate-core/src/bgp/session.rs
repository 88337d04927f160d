//! A BGP session as one of the customer's routers reports it, whatever the source
//! (a vendor MIB or a `show bgp summary`).

use std::fmt;
use std::net::IpAddr;

use serde::Serialize;

use super::asn::Asn;
use super::bfd::Bfd;

/// The BGP finite state machine's states (RFC 4271 §8.2.2; BGP4-MIB numbers 1..6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BgpState {
    Idle,
    Connect,
    Active,
    OpenSent,
    OpenConfirm,
    Established,
}

impl BgpState {
    pub const ALL: [BgpState; 6] = [
        BgpState::Idle,
        BgpState::Connect,
        BgpState::Active,
        BgpState::OpenSent,
        BgpState::OpenConfirm,
        BgpState::Established,
    ];

    /// The BGP4-MIB `bgpPeerState` value (also CISCO-BGP4-MIB, BGP4-V2 tables and
    /// HUAWEI-BGP-VPN-MIB, which reuse it).
    pub fn from_mib(v: i64) -> Option<BgpState> {
        BgpState::ALL
            .get(usize::try_from(v).ok()?.checked_sub(1)?)
            .copied()
    }

    /// The BGP4-MIB number (1 idle .. 6 established).
    pub fn mib_number(&self) -> i64 {
        match self {
            BgpState::Idle => 1,
            BgpState::Connect => 2,
            BgpState::Active => 3,
            BgpState::OpenSent => 4,
            BgpState::OpenConfirm => 5,
            BgpState::Established => 6,
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            BgpState::Idle => "idle",
            BgpState::Connect => "connect",
            BgpState::Active => "active",
            BgpState::OpenSent => "opensent",
            BgpState::OpenConfirm => "openconfirm",
            BgpState::Established => "established",
        }
    }

    /// A state word as CLIs print it: `Established`/`Estab`/`Establ`, `Idle`,
    /// `Idle (Admin)`, `Idle(NoIf)`, `Idle!` (XR: no policy), `Shut (Admin)` (NX-OS:
    /// shut down, so idle), `OpenSent`, `OpenConfirm`/`OpenConfirm`, `Connect`,
    /// `Active`. Single letters (NX-OS `show bgp sessions`) are not words: see
    /// the parser that reads them.
    pub fn from_word(word: &str) -> Option<BgpState> {
        let w = word.trim().to_ascii_lowercase();
        let head: String = w.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
        Some(match head.as_str() {
            "established" | "estab" | "establ" => BgpState::Established,
            "idle" | "shut" => BgpState::Idle,
            "connect" | "conn" => BgpState::Connect,
            "active" | "activ" => BgpState::Active,
            "opensent" | "opens" => BgpState::OpenSent,
            "openconfirm" | "openc" | "openconf" => BgpState::OpenConfirm,
            _ => return None,
        })
    }
}

impl fmt::Display for BgpState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An address family (AFI/SAFI) as routers name it in their tables.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Family {
    /// ipv4, ipv6, l2vpn, ...
    pub afi: String,
    /// unicast, multicast, vpn, ...
    pub safi: String,
}

impl Family {
    pub fn new(afi: &str, safi: &str) -> Family {
        Family {
            afi: afi.to_string(),
            safi: safi.to_string(),
        }
    }

    pub fn ipv4_unicast() -> Family {
        Family::new("ipv4", "unicast")
    }

    pub fn ipv6_unicast() -> Family {
        Family::new("ipv6", "unicast")
    }

    /// From the IANA AFI and SAFI numbers the MIBs index by.
    pub fn from_numbers(afi: u32, safi: u32) -> Family {
        let afi = match afi {
            1 => "ipv4".to_string(),
            2 => "ipv6".to_string(),
            25 => "l2vpn".to_string(),
            n => format!("afi{n}"),
        };
        let safi = match safi {
            1 => "unicast".to_string(),
            2 => "multicast".to_string(),
            4 => "labeled-unicast".to_string(),
            5 => "mvpn".to_string(),
            65 => "vpls".to_string(),
            70 => "evpn".to_string(),
            128 => "vpn".to_string(),
            129 => "vpn-multicast".to_string(),
            n => format!("safi{n}"),
        };
        Family { afi, safi }
    }

    /// The unicast family of an address.
    pub fn unicast_of(addr: &IpAddr) -> Family {
        match addr {
            IpAddr::V4(_) => Family::ipv4_unicast(),
            IpAddr::V6(_) => Family::ipv6_unicast(),
        }
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.afi, self.safi)
    }
}

/// Prefix counters of one address family of a session. None: the source does not
/// report that counter (not zero).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrefixCounts {
    pub family: Family,
    /// Received from the peer (before policy), where the source tells.
    pub received: Option<u64>,
    /// Accepted by the router's import policy.
    pub accepted: Option<u64>,
    /// Advertised by the router to the peer.
    pub advertised: Option<u64>,
}

/// One BGP session on one router.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BgpSession {
    /// The routing instance / VRF; None for the default (global) table.
    pub vrf: Option<String>,
    pub peer: IpAddr,
    /// The peer's AS; AS_TRANS only when the device has nothing better.
    pub remote_as: Option<Asn>,
    pub state: BgpState,
    /// The administrative status as the device words it (start/stop, running/halted,
    /// "Idle (Admin)" on a CLI, ...), when it says.
    pub admin: Option<String>,
    /// Seconds since the session came up, when established.
    pub established_seconds: Option<u64>,
    pub description: Option<String>,
    /// Per address family, where the source reports counters.
    pub prefixes: Vec<PrefixCounts>,
    /// Times this agent saw the session leave established or come up again since it
    /// started (a restart between two reads counts once): set by the agent's store,
    /// never by a source.
    pub flaps_seen: Option<u64>,
    /// The last NOTIFICATION the session sent or received, as a person reads it, where
    /// the source gives it (BGP4-MIB bgpPeerLastError).
    pub last_error: Option<String>,
    /// The BFD session to the same neighbour, where the source reports one.
    pub bfd: Option<Bfd>,
}

impl BgpSession {
    pub fn new(peer: IpAddr, state: BgpState) -> BgpSession {
        BgpSession {
            vrf: None,
            peer,
            remote_as: None,
            state,
            admin: None,
            established_seconds: None,
            description: None,
            prefixes: Vec::new(),
            flaps_seen: None,
            last_error: None,
            bfd: None,
        }
    }

    /// The counters of `family`, if reported.
    pub fn family(&self, family: &Family) -> Option<&PrefixCounts> {
        self.prefixes.iter().find(|p| &p.family == family)
    }

    /// The prefixes received from the peer in `family`: the received counter, else
    /// the accepted one (what most tables give), when reported.
    pub fn received_in(&self, family: &Family) -> Option<u64> {
        self.family(family).and_then(|p| p.received.or(p.accepted))
    }

    /// Adds or merges the counters of one family.
    pub fn merge_prefixes(&mut self, counts: PrefixCounts) {
        match self.prefixes.iter_mut().find(|p| p.family == counts.family) {
            Some(p) => {
                p.received = counts.received.or(p.received);
                p.accepted = counts.accepted.or(p.accepted);
                p.advertised = counts.advertised.or(p.advertised);
            }
            None => {
                self.prefixes.push(counts);
                self.prefixes.sort_by(|a, b| a.family.cmp(&b.family));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mib_states_are_one_based_and_bounded() {
        assert_eq!(BgpState::from_mib(1), Some(BgpState::Idle));
        assert_eq!(BgpState::from_mib(6), Some(BgpState::Established));
        assert_eq!(BgpState::from_mib(0), None);
        assert_eq!(BgpState::from_mib(7), None);
        assert_eq!(BgpState::from_mib(-1), None);
        for s in BgpState::ALL {
            assert_eq!(BgpState::from_mib(s.mib_number()), Some(s));
        }
    }

    #[test]
    fn cli_words_are_read_with_their_qualifiers() {
        for (w, s) in [
            ("Established", BgpState::Established),
            ("Estab", BgpState::Established),
            ("Establ", BgpState::Established),
            ("Idle (Admin) ", BgpState::Idle),
            ("Idle(NoIf)", BgpState::Idle),
            ("Idle!", BgpState::Idle),
            ("Shut (Admin)", BgpState::Idle),
            ("shut (admin)", BgpState::Idle),
            ("Active", BgpState::Active),
            ("Connect", BgpState::Connect),
            ("OpenSent", BgpState::OpenSent),
            ("OpenConfirm", BgpState::OpenConfirm),
        ] {
            assert_eq!(BgpState::from_word(w), Some(s), "{w}");
        }
        assert_eq!(BgpState::from_word("558720"), None);
        assert_eq!(BgpState::from_word("never"), None);
    }
}
