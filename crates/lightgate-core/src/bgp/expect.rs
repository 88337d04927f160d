//! The BGP sessions a peering needs: on link1's router a session to Microsoft's
//! address in the primary subnet, on link2's router to the secondary subnet's, per
//! address family; Microsoft takes the second usable address of each /30 or /126
//! and the customer the first (../shared/reference/expressroute-direct.md §4.1).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use ipnet::IpNet;
use serde::Serialize;

use super::asn::{Asn, MICROSOFT_ASN};
use super::session::Family;
use crate::domain::{AdvertisedPrefixes, LinkId};

/// Which peering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum PeeringKind {
    /// AzurePrivatePeering.
    Private,
    /// MicrosoftPeering (and the retired AzurePublicPeering, same limits).
    Microsoft,
}

impl PeeringKind {
    /// From Azure's `peeringType` or the config's `type` (private / microsoft).
    pub fn parse(s: &str) -> Option<PeeringKind> {
        match s.to_ascii_lowercase().as_str() {
            "azureprivatepeering" | "private" => Some(PeeringKind::Private),
            "microsoftpeering" | "microsoft" | "azurepublicpeering" | "public" => {
                Some(PeeringKind::Microsoft)
            }
            _ => None,
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            PeeringKind::Private => "AzurePrivatePeering",
            PeeringKind::Microsoft => "MicrosoftPeering",
        }
    }

    /// The most prefixes Microsoft accepts from the customer on one session of this
    /// peering in `family` (§4.6: 4,000 IPv4 / 100 IPv6 on private peering, 10,000
    /// IPv4 with premium; 200 per session on Microsoft peering). Over it, Microsoft
    /// drops the session.
    pub fn prefix_limit(&self, family: &Family, premium: bool) -> u64 {
        match (self, family.afi.as_str()) {
            (PeeringKind::Microsoft, _) => 200,
            (PeeringKind::Private, "ipv6") => 100,
            (PeeringKind::Private, _) if premium => 10_000,
            (PeeringKind::Private, _) => 4_000,
        }
    }
}

impl fmt::Display for PeeringKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One peering as lightgate judges it: from Azure (`peerings` of a circuit on the
/// port) or declared in the config.
#[derive(Debug, Clone, PartialEq)]
pub struct PeeringSpec {
    pub circuit: String,
    /// The peering's name (Azure names them after their type).
    pub name: String,
    pub kind: PeeringKind,
    pub primary: Option<IpNet>,
    pub secondary: Option<IpNet>,
    pub ipv6_primary: Option<IpNet>,
    pub ipv6_secondary: Option<IpNet>,
    /// The VRF the sessions live in on the customer's routers; None: any table.
    pub vrf: Option<String>,
    pub premium: bool,
    /// How long both sessions must have been established.
    pub hold_down: Duration,
    /// Bounds on the prefixes received from Microsoft per session.
    pub prefixes_min: u64,
    pub prefixes_max: Option<u64>,
    /// Prefixes the customer plans to advertise per session (IPv4, IPv6), for routers
    /// that do not report what they advertise.
    pub advertised_declared: (Option<u64>, Option<u64>),
    /// Microsoft peering: the advertised public prefixes' state of each address
    /// family, read from Azure (or declared without it).
    pub advertised_prefixes: Vec<AdvertisedPrefixes>,
    /// Whether the spec was read from Azure (else declared in the config).
    pub from_azure: bool,
    /// Whether BFD must be up on both sessions for the peering to be ready; otherwise
    /// its state is reported and blocks nothing.
    pub bfd_required: bool,
}

impl PeeringSpec {
    /// A spec with only names and defaults set (hold-down 60 s, at least one prefix).
    pub fn new(circuit: &str, name: &str, kind: PeeringKind) -> PeeringSpec {
        PeeringSpec {
            circuit: circuit.to_string(),
            name: name.to_string(),
            kind,
            primary: None,
            secondary: None,
            ipv6_primary: None,
            ipv6_secondary: None,
            vrf: None,
            premium: false,
            hold_down: Duration::from_secs(60),
            prefixes_min: 1,
            prefixes_max: None,
            advertised_declared: (None, None),
            advertised_prefixes: Vec::new(),
            from_azure: false,
            bfd_required: false,
        }
    }
}

/// One session a peering needs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct ExpectedSession {
    pub link: LinkId,
    pub family: Family,
    pub subnet: String,
    /// Microsoft's address: the neighbour the customer's router must have.
    pub microsoft: IpAddr,
    /// The customer's own address in the subnet.
    pub customer: IpAddr,
    pub remote_as: Asn,
    pub vrf: Option<String>,
}

/// The `k`-th address of `net` (0 is the network address).
fn nth(net: &IpNet, k: u32) -> IpAddr {
    match net {
        IpNet::V4(n) => IpAddr::V4(Ipv4Addr::from(u32::from(n.network()).wrapping_add(k))),
        IpNet::V6(n) => IpAddr::V6(Ipv6Addr::from(
            u128::from(n.network()).wrapping_add(u128::from(k)),
        )),
    }
}

/// Every session `spec` needs, link1 first, IPv4 before IPv6.
pub fn expected_sessions(spec: &PeeringSpec) -> Vec<ExpectedSession> {
    let mut out = Vec::new();
    for (link, net) in [
        (LinkId::Link1, spec.primary),
        (LinkId::Link2, spec.secondary),
        (LinkId::Link1, spec.ipv6_primary),
        (LinkId::Link2, spec.ipv6_secondary),
    ] {
        let Some(net) = net else { continue };
        let net = net.trunc();
        out.push(ExpectedSession {
            link,
            family: Family::unicast_of(&net.addr()),
            subnet: net.to_string(),
            microsoft: nth(&net, 2),
            customer: nth(&net, 1),
            remote_as: Asn(MICROSOFT_ASN),
            vrf: spec.vrf.clone(),
        });
    }
    out.sort_by_key(|e| (e.link, e.family.afi.clone()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn microsoft_takes_the_second_address_of_each_subnet() {
        let mut spec = PeeringSpec::new("ckt", "AzurePrivatePeering", PeeringKind::Private);
        spec.primary = Some("192.168.100.128/30".parse().unwrap());
        spec.secondary = Some("192.168.100.132/30".parse().unwrap());
        spec.ipv6_primary = Some("2001:db8:1::/126".parse().unwrap());
        spec.vrf = Some("AZURE".into());
        let e = expected_sessions(&spec);
        assert_eq!(e.len(), 3);
        assert_eq!(e[0].link, LinkId::Link1);
        assert_eq!(e[0].microsoft.to_string(), "192.168.100.130");
        assert_eq!(e[0].customer.to_string(), "192.168.100.129");
        assert_eq!(e[1].link, LinkId::Link1);
        assert_eq!(e[1].microsoft.to_string(), "2001:db8:1::2");
        assert_eq!(e[2].microsoft.to_string(), "192.168.100.134");
        assert!(e.iter().all(|s| s.remote_as == Asn(12076)));
        assert!(e.iter().all(|s| s.vrf.as_deref() == Some("AZURE")));
    }

    #[test]
    fn limits_follow_the_documented_numbers() {
        let v4 = Family::ipv4_unicast();
        let v6 = Family::ipv6_unicast();
        assert_eq!(PeeringKind::Private.prefix_limit(&v4, false), 4000);
        assert_eq!(PeeringKind::Private.prefix_limit(&v4, true), 10_000);
        assert_eq!(PeeringKind::Private.prefix_limit(&v6, true), 100);
        assert_eq!(PeeringKind::Microsoft.prefix_limit(&v4, true), 200);
        assert_eq!(
            PeeringKind::parse("MicrosoftPeering"),
            Some(PeeringKind::Microsoft)
        );
        assert_eq!(PeeringKind::parse("private"), Some(PeeringKind::Private));
        assert_eq!(PeeringKind::parse("other"), None);
    }
}
