//! The rules, each with its source in ../shared/reference/expressroute-direct.md (§4).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::ops::Range;

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use toml::Spanned;

use super::report::{Finding, LinkAddresses, RawPeering, RawPlan, Report, Severity};
use crate::location::Problem;

struct Ctx<'a> {
    text: &'a str,
    report: Report,
}

impl Ctx<'_> {
    fn add(
        &mut self,
        severity: Severity,
        peering: Option<usize>,
        span: Option<Range<usize>>,
        message: impl Into<String>,
    ) {
        let at = Problem::new(self.text, span, "").at;
        self.report.findings.push(Finding {
            severity,
            peering,
            message: message.into(),
            line: at.map(|a| a.0),
            column: at.map(|a| a.1),
        });
    }
}

/// Microsoft's ASN, Azure's reserved ASNs, and the special ranges.
const MICROSOFT_ASN: i64 = 12076;

fn asn_problem(asn: i64) -> Option<&'static str> {
    match asn {
        i64::MIN..=0 | 4_294_967_295..=i64::MAX => Some("is outside 1..4294967294"),
        23456 => Some("is AS_TRANS (RFC 6793), reserved"),
        65535 => Some("is reserved (RFC 7300)"),
        MICROSOFT_ASN => Some("is Microsoft's own AS (12076), never the customer's"),
        65515..=65520 => Some("is reserved by Azure (65515-65520)"),
        64496..=64511 | 65536..=65551 => {
            Some("is reserved for documentation (RFC 5398) and not allowed")
        }
        _ => None,
    }
}

fn is_private_asn(asn: i64) -> bool {
    (64512..=65534).contains(&asn) || (4_200_000_000..=4_294_967_294).contains(&asn)
}

/// Why an IPv4 network is not public, if it is not.
fn non_public_v4(n: &Ipv4Net) -> Option<&'static str> {
    let blocks: [(&str, &str); 12] = [
        ("10.0.0.0/8", "private (RFC 1918)"),
        ("172.16.0.0/12", "private (RFC 1918)"),
        ("192.168.0.0/16", "private (RFC 1918)"),
        ("100.64.0.0/10", "shared address space (CGNAT, RFC 6598)"),
        ("127.0.0.0/8", "loopback"),
        ("169.254.0.0/16", "link-local"),
        ("192.0.2.0/24", "documentation (RFC 5737)"),
        ("198.51.100.0/24", "documentation (RFC 5737)"),
        ("203.0.113.0/24", "documentation (RFC 5737)"),
        ("198.18.0.0/15", "benchmarking (RFC 2544)"),
        ("224.0.0.0/4", "multicast"),
        ("240.0.0.0/4", "reserved"),
    ];
    if n.addr().octets()[0] == 0 {
        return Some("this-network (0.0.0.0/8)");
    }
    blocks.iter().find_map(|(b, why)| {
        let b: Ipv4Net = b.parse().expect("valid block");
        (b.contains(n) || n.contains(&b)).then_some(*why)
    })
}

fn non_public_v6(n: &Ipv6Net) -> Option<&'static str> {
    let blocks: [(&str, &str); 6] = [
        ("fc00::/7", "unique local (RFC 4193)"),
        ("fe80::/10", "link-local"),
        ("::1/128", "loopback"),
        ("::/128", "unspecified"),
        ("2001:db8::/32", "documentation (RFC 3849)"),
        ("ff00::/8", "multicast"),
    ];
    blocks.iter().find_map(|(b, why)| {
        let b: Ipv6Net = b.parse().expect("valid block");
        (b.contains(n) || n.contains(&b)).then_some(*why)
    })
}

fn non_public(n: &IpNet) -> Option<&'static str> {
    match n {
        IpNet::V4(v4) => non_public_v4(v4),
        IpNet::V6(v6) => non_public_v6(v6),
    }
}

fn nth(net: &IpNet, k: u128) -> IpAddr {
    match net {
        IpNet::V4(n) => IpAddr::V4(Ipv4Addr::from(
            u32::from(n.network()).wrapping_add(k as u32),
        )),
        IpNet::V6(n) => IpAddr::V6(Ipv6Addr::from(u128::from(n.network()).wrapping_add(k))),
    }
}

/// Parses a prefix, reporting a located error when it does not parse or is not a
/// network address.
fn prefix(ctx: &mut Ctx<'_>, p: usize, field: &str, s: &Spanned<String>) -> Option<IpNet> {
    match s.get_ref().trim().parse::<IpNet>() {
        Ok(n) if n.trunc() != n => {
            ctx.add(
                Severity::Error,
                Some(p),
                Some(s.span()),
                format!(
                    "{field} {} is not a network address (did you mean {}?)",
                    s.get_ref(),
                    n.trunc()
                ),
            );
            Some(n.trunc())
        }
        Ok(n) => Some(n),
        Err(_) => {
            ctx.add(
                Severity::Error,
                Some(p),
                Some(s.span()),
                format!("{field} {:?} is not an IP prefix", s.get_ref()),
            );
            None
        }
    }
}

/// The two link subnets of one address family: two /Ls given separately, or one
/// /(L-1) split into its halves.
fn link_subnets(
    ctx: &mut Ctx<'_>,
    p: usize,
    family: &str,
    link_len: u8,
    pair: (&Option<Spanned<String>>, &Option<Spanned<String>>),
    joint: &Option<Spanned<String>>,
) -> Option<(IpNet, IpNet)> {
    let (v6, names) = if family == "IPv6" {
        (
            true,
            (
                "ipv6_primary_subnet",
                "ipv6_secondary_subnet",
                "ipv6_subnet",
            ),
        )
    } else {
        (false, ("primary_subnet", "secondary_subnet", "subnet"))
    };
    let right_family = |n: &IpNet| matches!(n, IpNet::V6(_)) == v6;
    match (pair, joint) {
        ((Some(a), Some(b)), None) => {
            let na = prefix(ctx, p, names.0, a)?;
            let nb = prefix(ctx, p, names.1, b)?;
            for (n, s, name) in [(na, a, names.0), (nb, b, names.1)] {
                if !right_family(&n) {
                    ctx.add(
                        Severity::Error,
                        Some(p),
                        Some(s.span()),
                        format!("{name} {n} is not an {family} prefix"),
                    );
                    return None;
                }
                if n.prefix_len() != link_len {
                    ctx.add(
                        Severity::Error,
                        Some(p),
                        Some(s.span()),
                        format!("{name} {n} must be a /{link_len} (one per link)"),
                    );
                }
            }
            if na.contains(&nb) || nb.contains(&na) {
                ctx.add(
                    Severity::Error,
                    Some(p),
                    Some(b.span()),
                    format!("{family} primary {na} and secondary {nb} overlap"),
                );
            }
            Some((na, nb))
        }
        ((None, None), Some(j)) => {
            let n = prefix(ctx, p, names.2, j)?;
            if !right_family(&n) || n.prefix_len() != link_len - 1 {
                ctx.add(
                    Severity::Error,
                    Some(p),
                    Some(j.span()),
                    format!(
                        "{} {n} must be an {family} /{} (split into two /{link_len})",
                        names.2,
                        link_len - 1
                    ),
                );
                return None;
            }
            let halves: Vec<IpNet> = n.subnets(link_len).ok()?.collect();
            Some((halves[0], halves[1]))
        }
        ((None, None), None) if v6 => None,
        ((None, None), None) => {
            ctx.add(Severity::Error, Some(p), None, "no IPv4 subnets: give primary_subnet and secondary_subnet (two /30) or subnet (one /29)");
            None
        }
        _ => {
            ctx.add(
                Severity::Error,
                Some(p),
                None,
                format!(
                    "{family}: give either {} and {} or {}, not a mix",
                    names.0, names.1, names.2
                ),
            );
            None
        }
    }
}

fn asn(ctx: &mut Ctx<'_>, p: usize, field: &str, v: &Spanned<i64>, microsoft: bool) {
    let n = *v.get_ref();
    if let Some(why) = asn_problem(n) {
        ctx.add(
            Severity::Error,
            Some(p),
            Some(v.span()),
            format!("{field} {n} {why}"),
        );
    } else if is_private_asn(n) && microsoft {
        ctx.add(
            Severity::Warning,
            Some(p),
            Some(v.span()),
            format!("{field} {n} is a private AS: Microsoft peering accepts it only after manual validation, and strips it from the AS path"),
        );
    }
}

fn limit(
    ctx: &mut Ctx<'_>,
    p: usize,
    span: Option<Range<usize>>,
    what: &str,
    count: usize,
    max: usize,
    consequence: &str,
) {
    if count > max {
        ctx.add(
            Severity::Warning,
            Some(p),
            span,
            format!("{count} {what} planned, over the limit of {max}: {consequence}"),
        );
    } else if count * 10 >= max * 9 && count > 0 {
        ctx.add(
            Severity::Warning,
            Some(p),
            span,
            format!("{count} {what} planned, near the limit of {max}"),
        );
    }
}

fn peering(
    ctx: &mut Ctx<'_>,
    p: usize,
    raw: &Spanned<RawPeering>,
    premium: bool,
    subnets: &mut Vec<(usize, IpNet, Range<usize>)>,
) {
    let r = raw.get_ref();
    let kind = r.kind.get_ref().to_ascii_lowercase();
    let microsoft = match kind.as_str() {
        "private" => false,
        "microsoft" => true,
        other => {
            ctx.add(
                Severity::Error,
                Some(p),
                Some(r.kind.span()),
                format!("type {other:?} must be \"private\" or \"microsoft\""),
            );
            return;
        }
    };
    let vlan = *r.vlan.get_ref();
    if !(1..=4094).contains(&vlan) {
        ctx.add(
            Severity::Error,
            Some(p),
            Some(r.vlan.span()),
            format!("vlan {vlan} is outside 1..4094"),
        );
    }
    asn(ctx, p, "peer_asn", &r.peer_asn, microsoft);
    if let Some(c) = &r.customer_asn {
        if !microsoft {
            ctx.add(
                Severity::Warning,
                Some(p),
                Some(c.span()),
                "customer_asn only applies to Microsoft peering; ignored",
            );
        } else {
            asn(ctx, p, "customer_asn", c, true);
        }
    }
    if let Some(key) = &r.shared_key {
        let k = key.get_ref();
        if k.is_empty() || k.len() > 25 || !k.chars().all(|c| c.is_ascii_alphanumeric()) {
            ctx.add(
                Severity::Error,
                Some(p),
                Some(key.span()),
                format!("shared_key must be 1 to 25 letters and digits, no special characters (it has {} characters)", k.chars().count()),
            );
        }
    }
    let families = [
        (
            "IPv4",
            30u8,
            (&r.primary_subnet, &r.secondary_subnet),
            &r.subnet,
        ),
        (
            "IPv6",
            126u8,
            (&r.ipv6_primary_subnet, &r.ipv6_secondary_subnet),
            &r.ipv6_subnet,
        ),
    ];
    for (family, len, pair, joint) in families {
        let Some((a, b)) = link_subnets(ctx, p, family, len, pair, joint) else {
            continue;
        };
        // Each link's finding points at its own key (or at the joint subnet it came from).
        let span_of =
            |own: &Option<Spanned<String>>| own.as_ref().or(joint.as_ref()).map(|s| s.span());
        for (net, link, span) in [
            (a, "primary", span_of(pair.0)),
            (b, "secondary", span_of(pair.1)),
        ] {
            if microsoft {
                if let Some(why) = non_public(&net) {
                    ctx.add(Severity::Error, Some(p), span.clone(), format!("{link} subnet {net} is {why}: Microsoft peering needs public addresses you own"));
                }
            }
            for (other, on, ospan) in subnets.iter() {
                if on.contains(&net) || net.contains(on) {
                    let _ = ospan;
                    ctx.add(
                        Severity::Error,
                        Some(p),
                        span.clone(),
                        format!("{link} subnet {net} overlaps {on} of peering {other}"),
                    );
                }
            }
            ctx.report.addresses.push(LinkAddresses {
                peering: p,
                link,
                subnet: net.to_string(),
                customer: nth(&net, 1).to_string(),
                microsoft: nth(&net, 2).to_string(),
            });
        }
        for (net, own) in [(a, pair.0), (b, pair.1)] {
            subnets.push((p, net, span_of(own).unwrap_or(0..0)));
        }
    }
    let mut v4_count = 0;
    let mut v6_count = 0;
    for pre in &r.advertised_prefixes {
        if let Some(n) = prefix(ctx, p, "advertised prefix", pre) {
            match n {
                IpNet::V4(_) => v4_count += 1,
                IpNet::V6(_) => v6_count += 1,
            }
            if microsoft {
                if let Some(why) = non_public(&n) {
                    ctx.add(Severity::Error, Some(p), Some(pre.span()), format!("advertised prefix {n} is {why}: Microsoft peering only accepts public prefixes you own"));
                }
            }
        }
    }
    if microsoft {
        if r.advertised_prefixes.is_empty() {
            ctx.add(Severity::Error, Some(p), Some(raw.span()), "a Microsoft peering needs advertised_prefixes (the public prefixes you will announce)");
        }
        limit(
            ctx,
            p,
            Some(raw.span()),
            "prefixes per BGP session",
            v4_count.max(v6_count),
            200,
            "the BGP session is dropped",
        );
    } else {
        let v4 = r
            .advertised_prefix_count
            .as_ref()
            .map(|c| *c.get_ref() as usize)
            .unwrap_or(v4_count);
        let v6 = r
            .ipv6_advertised_prefix_count
            .as_ref()
            .map(|c| *c.get_ref() as usize)
            .unwrap_or(v6_count);
        let max_v4 = if premium { 10_000 } else { 4_000 };
        let consequence = if premium {
            "the BGP session is dropped"
        } else {
            "the BGP session is dropped (premium raises the limit to 10000)"
        };
        limit(
            ctx,
            p,
            Some(raw.span()),
            "IPv4 prefixes",
            v4,
            max_v4,
            consequence,
        );
        limit(
            ctx,
            p,
            Some(raw.span()),
            "IPv6 prefixes",
            v6,
            100,
            "the BGP session is dropped",
        );
    }
}

/// What the ExpressRoute port itself says, read from Azure by an agent: a plan is
/// checked against it rather than against what someone typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PortFacts {
    /// Where the facts come from, for the findings ("the agent's port erd-ams-1").
    pub source: String,
    /// `Dot1Q` or `QinQ`, when known.
    pub encapsulation: Option<String>,
    /// VLANs other circuits already use on the port.
    pub vlans_in_use: Vec<u32>,
}

/// Checks a plan's TOML text.
pub fn check(text: &str) -> Report {
    check_with(text, None)
}

/// Checks a plan's TOML text against the port's own facts, when given: the port's
/// encapsulation is taken from them when the plan leaves it out, and a plan that says
/// otherwise is an error.
pub fn check_with(text: &str, port: Option<&PortFacts>) -> Report {
    let mut ctx = Ctx {
        text,
        report: Report::default(),
    };
    let plan: RawPlan = match toml::from_str(text) {
        Ok(p) => p,
        Err(e) => {
            ctx.add(
                Severity::Error,
                None,
                e.span(),
                e.message().trim().to_string(),
            );
            return ctx.report;
        }
    };
    let circuit = plan.circuit.get_ref();
    let known = port.and_then(|f| f.encapsulation.as_deref().map(|e| (f, e)));
    let planned = circuit.port_encapsulation.as_ref();
    let encapsulation = match (planned, known) {
        (Some(p), Some((f, e))) => {
            if !p.get_ref().eq_ignore_ascii_case(e) {
                ctx.add(
                    Severity::Error,
                    None,
                    Some(p.span()),
                    format!(
                        "port_encapsulation {:?}, but {} says the port is {e:?}",
                        p.get_ref(),
                        f.source
                    ),
                );
            }
            e.to_string()
        }
        (Some(p), None) => p.get_ref().clone(),
        (None, Some((_, e))) => e.to_string(),
        (None, None) => {
            ctx.add(
                Severity::Error,
                None,
                Some(plan.circuit.span()),
                match port {
                    Some(f) => format!("port_encapsulation is missing and {} does not know it (is Azure read for that port?): give it in [circuit]", f.source),
                    None => "port_encapsulation is missing: give it in [circuit] (\"Dot1Q\" or \"QinQ\"), or read it from the agent with --url and --port".to_string(),
                },
            );
            String::new()
        }
    };
    let span = planned.map(|p| p.span());
    let dot1q = match encapsulation.to_ascii_lowercase().as_str() {
        "dot1q" => true,
        "qinq" | "" => false,
        other => {
            ctx.add(
                Severity::Error,
                None,
                span,
                format!("port_encapsulation {other:?} must be \"Dot1Q\" or \"QinQ\""),
            );
            false
        }
    };
    let vlans_in_use: Vec<u32> = circuit
        .port_vlans_in_use
        .iter()
        .chain(port.map(|f| f.vlans_in_use.as_slice()).unwrap_or_default())
        .copied()
        .collect();
    if plan.peering.is_empty() {
        ctx.add(
            Severity::Warning,
            None,
            Some(plan.circuit.span()),
            format!("circuit {:?} has no peering planned", circuit.name),
        );
    }
    let mut subnets = Vec::new();
    let mut vlans: Vec<(i64, usize)> = Vec::new();
    for (i, raw) in plan.peering.iter().enumerate() {
        let p = i + 1;
        peering(&mut ctx, p, raw, circuit.premium, &mut subnets);
        let vlan = *raw.get_ref().vlan.get_ref();
        if let Some((_, other)) = vlans.iter().find(|(v, _)| *v == vlan) {
            ctx.add(
                Severity::Error,
                Some(p),
                Some(raw.get_ref().vlan.span()),
                format!("vlan {vlan} is already used by peering {other} of this circuit"),
            );
        }
        if dot1q && vlans_in_use.iter().any(|v| i64::from(*v) == vlan) {
            ctx.add(
                Severity::Error,
                Some(p),
                Some(raw.get_ref().vlan.span()),
                format!("vlan {vlan} is already used on this Dot1Q port; on Dot1Q a VLAN must be unique across the whole port"),
            );
        }
        vlans.push((vlan, p));
        let kinds: Vec<String> = plan.peering[..i]
            .iter()
            .map(|q| q.get_ref().kind.get_ref().to_ascii_lowercase())
            .collect();
        if kinds.contains(&raw.get_ref().kind.get_ref().to_ascii_lowercase()) {
            ctx.add(
                Severity::Error,
                Some(p),
                Some(raw.get_ref().kind.span()),
                "a circuit has at most one peering of each type",
            );
        }
    }
    ctx.report
}

#[cfg(test)]
mod tests;
