//! The peerings of a port, as lightgate judges their BGP sessions: from Azure (every
//! peering of every circuit on an observed port, with its subnets), completed by the
//! port's `[[port.peering]]` entries of the same circuit and type (VRF, bounds,
//! declared counts), or, without Azure, from those entries alone.

use std::net::IpAddr;

use crate::bgp::{expected_sessions, PeeringKind, PeeringSpec};
use crate::config::{PeeringConfig, PortConfig};
use crate::domain::{AdvertisedPrefixes, AzurePort};

fn from_config(c: &PeeringConfig) -> PeeringSpec {
    let mut s = PeeringSpec::new(&c.circuit, c.kind.as_str(), c.kind);
    s.primary = c.primary;
    s.secondary = c.secondary;
    s.ipv6_primary = c.ipv6_primary;
    s.ipv6_secondary = c.ipv6_secondary;
    apply(&mut s, c);
    // A declared state stands for every family the peering declares subnets for.
    if let Some(state) = &c.advertised_prefixes_state {
        let families = [
            ("IPv4", c.primary.is_some() || c.secondary.is_some()),
            (
                "IPv6",
                c.ipv6_primary.is_some() || c.ipv6_secondary.is_some(),
            ),
        ];
        s.advertised_prefixes = families
            .into_iter()
            .filter(|(_, has)| *has)
            .map(|(family, _)| AdvertisedPrefixes {
                family,
                state: state.clone(),
                prefixes: Vec::new(),
            })
            .collect();
    }
    s
}

/// The router-side settings only Azure cannot know.
fn apply(s: &mut PeeringSpec, c: &PeeringConfig) {
    s.vrf = c.vrf.clone();
    if let Some(p) = c.premium {
        s.premium = p;
    }
    s.hold_down = c.hold_down;
    s.prefixes_min = c.prefixes_min;
    s.prefixes_max = c.prefixes_max;
    s.advertised_declared = c.advertised;
    s.bfd_required = c.bfd_required;
}

/// The port's peerings. `azure`: the port's fresh Azure observation, when observed.
pub fn specs(port: &PortConfig, azure: Option<&AzurePort>) -> Vec<PeeringSpec> {
    let Some(a) = azure.filter(|_| port.azure_port_id.is_some()) else {
        return port.peerings.iter().map(from_config).collect();
    };
    let mut out = Vec::new();
    for circuit in &a.circuits {
        for p in &circuit.peerings {
            let Some(kind) = PeeringKind::parse(&p.kind) else {
                continue;
            };
            let mut s = PeeringSpec::new(&circuit.name, &p.name, kind);
            let net = |x: &Option<String>| x.as_deref().and_then(|v| v.parse().ok());
            s.primary = net(&p.primary_prefix);
            s.secondary = net(&p.secondary_prefix);
            s.ipv6_primary = net(&p.ipv6_primary_prefix);
            s.ipv6_secondary = net(&p.ipv6_secondary_prefix);
            s.premium = circuit.premium;
            s.advertised_prefixes = p.advertised.clone();
            s.from_azure = true;
            if let Some(c) = port
                .peerings
                .iter()
                .find(|c| c.circuit == circuit.name && c.kind == kind)
            {
                apply(&mut s, c);
            }
            out.push(s);
        }
    }
    out
}

/// The (VRF, Microsoft's address) sessions `device` must have, over `ports`.
pub fn wanted(
    device: &str,
    ports: &[(&PortConfig, Vec<PeeringSpec>)],
) -> Vec<(Option<String>, IpAddr)> {
    let mut out: Vec<(Option<String>, IpAddr)> = ports
        .iter()
        .flat_map(|(port, specs)| {
            specs.iter().flat_map(move |s| {
                expected_sessions(s)
                    .into_iter()
                    .filter(move |e| port.link(e.link).device == device)
                    .map(|e| (e.vrf, e.microsoft))
            })
        })
        .collect();
    out.sort();
    out.dedup();
    out
}
