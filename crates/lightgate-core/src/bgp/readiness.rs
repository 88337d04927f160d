//! Peering readiness: whether a peering's BGP sessions on the customer's two routers
//! are ready to carry production traffic. Separate from link readiness (light and
//! physical link): a port can be light-ready with no BGP at all. A value with named
//! checks, never an error; a session nobody could read fails, never passes.

use std::net::IpAddr;
use std::time::Duration;

use serde::Serialize;

use super::asn::MICROSOFT_ASN;
use super::expect::{expected_sessions, ExpectedSession, PeeringKind, PeeringSpec};
use super::session::{BgpSession, BgpState};
use crate::domain::{format_duration, LinkId};

/// Warn when what the customer advertises reaches this share of Microsoft's limit.
pub const HEADROOM_WARN: f64 = 0.8;

/// The checks, in the order they are reported. Names are the `check` label values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PeeringCheckName {
    BgpEstablished,
    BgpStable,
    PrefixesReceived,
    PrefixLimitHeadroom,
    AdvertisedPrefixesConfigured,
    /// Informational unless the peering requires BFD.
    BfdUp,
}

impl PeeringCheckName {
    pub const ALL: [PeeringCheckName; 6] = [
        PeeringCheckName::BgpEstablished,
        PeeringCheckName::BgpStable,
        PeeringCheckName::PrefixesReceived,
        PeeringCheckName::PrefixLimitHeadroom,
        PeeringCheckName::AdvertisedPrefixesConfigured,
        PeeringCheckName::BfdUp,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            PeeringCheckName::BgpEstablished => "bgp_established",
            PeeringCheckName::BgpStable => "bgp_stable",
            PeeringCheckName::PrefixesReceived => "prefixes_received",
            PeeringCheckName::PrefixLimitHeadroom => "prefix_limit_headroom",
            PeeringCheckName::AdvertisedPrefixesConfigured => "advertised_prefixes_configured",
            PeeringCheckName::BfdUp => "bfd_up",
        }
    }
}

/// One check's outcome; `detail` has one sentence per session where that matters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeeringCheck {
    pub name: PeeringCheckName,
    pub pass: bool,
    pub detail: String,
}

/// What one router told about its sessions.
#[derive(Debug, Clone, Copy)]
pub struct RouterSessions<'a> {
    pub link: LinkId,
    /// The device name, for the details.
    pub device: &'a str,
    /// The sessions read last; None when they have never been read.
    pub sessions: Option<&'a [BgpSession]>,
    /// How long ago they were read.
    pub age: Option<Duration>,
    /// Why the last read failed, when it did.
    pub error: Option<&'a str>,
}

/// One expected session and what its router reports for it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionView {
    pub expected: ExpectedSession,
    pub device: String,
    /// The session found on the router, if any.
    pub found: Option<BgpSession>,
    /// Prefixes the customer advertises on it (from the router, else declared).
    pub advertised: Option<u64>,
    pub advertised_declared: bool,
    /// Microsoft's limit for the session.
    pub limit: u64,
    /// Whether this session passes every check that is about one session (established
    /// with Microsoft's AS and read fresh, stable, prefixes received, headroom): what a
    /// sharded agent can tell about its own router alone.
    pub pass: bool,
}

/// A peering's readiness.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeeringReadiness {
    pub circuit: String,
    pub peering: String,
    pub kind: PeeringKind,
    pub checks: Vec<PeeringCheck>,
    pub sessions: Vec<SessionView>,
}

impl PeeringReadiness {
    pub fn ready(&self) -> bool {
        self.checks.iter().all(|c| c.pass)
    }

    pub fn failing(&self) -> impl Iterator<Item = &PeeringCheck> {
        self.checks.iter().filter(|c| !c.pass)
    }
}

/// The names vendors give their global routing table, accepted for `vrf` and read as
/// the global table on either side: "default" (Cisco IOS, IOS-XE, IOS-XR, NX-OS,
/// Arista EOS), "master" (Junos' default routing instance), "Base" (Nokia SR OS's base
/// router), "_public_" (Huawei VRP), and "global". Case does not matter.
pub const GLOBAL_TABLE_NAMES: [&str; 5] = ["default", "global", "master", "Base", "_public_"];

/// Whether `vrf` names the global routing table.
pub fn is_global_table(vrf: &str) -> bool {
    GLOBAL_TABLE_NAMES
        .iter()
        .any(|g| g.eq_ignore_ascii_case(vrf.trim()))
}

/// A VRF with every name of the global table read as None.
fn table(vrf: &Option<String>) -> Option<&str> {
    vrf.as_deref().filter(|v| !is_global_table(v))
}

fn vrf_matches(want: &Option<String>, got: &Option<String>) -> bool {
    match want {
        None => true,
        Some(w) if is_global_table(w) => table(got).is_none(),
        Some(w) => table(got).is_some_and(|g| g.eq_ignore_ascii_case(w)),
    }
}

fn same_address(a: &IpAddr, b: &IpAddr) -> bool {
    match (a, b) {
        (IpAddr::V6(x), IpAddr::V4(y)) | (IpAddr::V4(y), IpAddr::V6(x)) => {
            x.to_ipv4_mapped() == Some(*y)
        }
        _ => a == b,
    }
}

/// The session for `e` among `sessions`: same neighbour, the right VRF; when several
/// rows match (one per address family on some tables), the most advanced state.
pub fn find_session<'a>(e: &ExpectedSession, sessions: &'a [BgpSession]) -> Option<&'a BgpSession> {
    sessions
        .iter()
        .filter(|s| same_address(&s.peer, &e.microsoft) && vrf_matches(&e.vrf, &s.vrf))
        .max_by_key(|s| BgpState::ALL.iter().position(|x| *x == s.state))
}

/// The VRFs (None: the global table) in which the router has a session with `e`'s
/// neighbour.
fn vrfs_with(e: &ExpectedSession, sessions: &[BgpSession]) -> Vec<Option<String>> {
    let mut v: Vec<Option<String>> = sessions
        .iter()
        .filter(|s| same_address(&s.peer, &e.microsoft))
        .map(|s| table(&s.vrf).map(str::to_string))
        .collect();
    v.sort();
    v.dedup();
    v
}

/// What resembles the missing session `e` on the routers, as hints for the engineer:
/// the same neighbour in another VRF, another address of the peering's subnet (the
/// router's own address, or a neighbour one off), the neighbour on the other router
/// (the primary and secondary subnets swapped between the routers).
fn wrong_neighbour_hints(
    e: &ExpectedSession,
    mine: &[BgpSession],
    other: Option<(&str, &[BgpSession])>,
) -> Vec<String> {
    let mut hints = Vec::new();
    let vrf_name = |v: &Option<String>| table(v).unwrap_or("global").to_string();
    let mut elsewhere: Vec<String> = mine
        .iter()
        .filter(|s| same_address(&s.peer, &e.microsoft) && !vrf_matches(&e.vrf, &s.vrf))
        .map(|s| vrf_name(&s.vrf))
        .collect();
    elsewhere.sort();
    elsewhere.dedup();
    if !elsewhere.is_empty() {
        hints.push(format!(
            "the router has a session to {} in vrf {} (the port's peering says {})",
            e.microsoft,
            elsewhere.join(", "),
            e.vrf.as_deref().unwrap_or("global")
        ));
    }
    if let Ok(net) = e.subnet.parse::<ipnet::IpNet>() {
        let mut near: Vec<IpAddr> = mine
            .iter()
            .map(|s| s.peer)
            .filter(|p| net.contains(p) && !same_address(p, &e.microsoft))
            .collect();
        near.sort();
        near.dedup();
        for p in near {
            if same_address(&p, &e.customer) {
                hints.push(format!(
                    "a neighbour is configured at {p}, the router's own address in {}; Microsoft's is {}",
                    e.subnet, e.microsoft
                ));
            } else {
                hints.push(format!(
                    "a session to {p} in the peering's subnet {}: Microsoft's address there is {}",
                    e.subnet, e.microsoft
                ));
            }
        }
    }
    if let Some((device, sessions)) = other {
        if sessions.iter().any(|s| same_address(&s.peer, &e.microsoft)) {
            hints.push(format!(
                "{device} (the other link's router) has the session to {}: are the primary and secondary subnets swapped between the routers?",
                e.microsoft
            ));
        }
    }
    hints
}

fn label(e: &ExpectedSession, device: &str) -> String {
    let vrf = e
        .vrf
        .as_deref()
        .map(|v| format!(" vrf {v}"))
        .unwrap_or_default();
    format!("{} {device} to {}{vrf}", e.link.as_str(), e.microsoft)
}

/// Evaluates `spec` against what each link's router reported. `staleness`: how old a
/// read may be.
pub fn evaluate_peering(
    spec: &PeeringSpec,
    routers: [RouterSessions<'_>; 2],
    staleness: Duration,
) -> PeeringReadiness {
    let expected = expected_sessions(spec);
    let mut views = Vec::new();
    let mut established = Vec::new();
    let mut established_each = Vec::new();
    let mut passing = Vec::new();
    let mut established_ok = !expected.is_empty();
    if expected.is_empty() {
        established.push(if spec.from_azure {
            "Azure gives no peer subnets for this peering yet".to_string()
        } else {
            "no primary_subnet/secondary_subnet declared: lightgate cannot tell which sessions to look for".to_string()
        });
    }
    for e in &expected {
        let r = routers
            .iter()
            .find(|r| r.link == e.link)
            .expect("both links are given");
        let l = label(e, r.device);
        // Without a configured VRF, the same neighbour in several VRFs (two circuits
        // reusing a private /30 on one router) is ambiguous: never guess.
        let vrfs = r.sessions.map(|s| vrfs_with(e, s)).unwrap_or_default();
        let ambiguous = e.vrf.is_none() && vrfs.len() > 1;
        let found = r
            .sessions
            .filter(|_| !ambiguous)
            .and_then(|s| find_session(e, s))
            .cloned();
        let (advertised, declared) = match found
            .as_ref()
            .and_then(|s| s.family(&e.family))
            .and_then(|p| p.advertised)
        {
            Some(n) => (Some(n), false),
            None => {
                let d = if e.family.afi == "ipv6" {
                    spec.advertised_declared.1
                } else {
                    spec.advertised_declared.0
                };
                (d, d.is_some())
            }
        };
        views.push(SessionView {
            expected: e.clone(),
            device: r.device.to_string(),
            found: found.clone(),
            advertised,
            advertised_declared: declared,
            limit: spec.kind.prefix_limit(&e.family, spec.premium),
            pass: false,
        });
        let problem = match (r.sessions, r.age, &found) {
            (Some(_), _, _) if ambiguous => Some(format!(
                "{l}: the router has sessions to {} in several VRFs ({}): set vrf in the port's [[port.peering]] so lightgate knows which one carries this peering",
                e.microsoft,
                vrfs.iter()
                    .map(|v| v.as_deref().unwrap_or("global"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            (None, _, _) => Some(match r.error {
                Some(err) => format!("{l}: BGP sessions not read: {err}"),
                None => format!("{l}: BGP sessions not read yet"),
            }),
            (Some(_), Some(age), _) if age > staleness => Some(format!(
                "{l}: last read {} ago, older than {}{}",
                format_duration(age),
                format_duration(staleness),
                r.error.map(|e| format!(" ({e})")).unwrap_or_default()
            )),
            (Some(mine), _, None) => {
                let other = routers
                    .iter()
                    .find(|o| o.link != e.link)
                    .and_then(|o| Some((o.device, o.sessions?)));
                let hints = wrong_neighbour_hints(e, mine, other);
                Some(format!(
                    "{l}: no such BGP neighbour on the router (configure neighbor {} remote-as {MICROSOFT_ASN}){}",
                    e.microsoft,
                    hints
                        .iter()
                        .map(|h| format!("; hint: {h}"))
                        .collect::<String>()
                ))
            }
            (Some(_), _, Some(s)) if s.state != BgpState::Established => {
                Some(format!("{l}: {} (not established)", s.state))
            }
            (Some(_), _, Some(s)) => match s.remote_as {
                Some(a) if a.is_trans() => Some(format!(
                    "{l}: established with AS_TRANS (23456), a 4-byte AS; Microsoft's AS is {MICROSOFT_ASN}"
                )),
                Some(a) if a.0 != MICROSOFT_ASN => Some(format!(
                    "{l}: established with AS {a}, not Microsoft's {MICROSOFT_ASN}"
                )),
                _ => None,
            },
        };
        established_each.push(problem.is_none());
        match problem {
            Some(p) => {
                established_ok = false;
                established.push(p);
            }
            None => passing.push(format!("{l}: established, AS {MICROSOFT_ASN}")),
        }
    }
    // Failing, only the sessions that fail are named (see `per_session`).
    if established_ok {
        established = passing;
    }
    let mut checks = vec![PeeringCheck {
        name: PeeringCheckName::BgpEstablished,
        pass: established_ok,
        detail: established.join("; "),
    }];
    checks.push(stable(spec, &views));
    checks.push(received(spec, &views));
    checks.push(headroom(spec, &views));
    checks.push(advertised_configured(spec));
    checks.push(bfd(spec, &views));
    // Each session on its own, by the same judges.
    let each: Vec<bool> = views
        .iter()
        .zip(&established_each)
        .map(|(v, est)| {
            let one = std::slice::from_ref(v);
            *est && stable(spec, one).pass
                && received(spec, one).pass
                && headroom(spec, one).pass
                && bfd(spec, one).pass
        })
        .collect();
    for (v, pass) in views.iter_mut().zip(each) {
        v.pass = pass;
    }
    PeeringReadiness {
        circuit: spec.circuit.clone(),
        peering: spec.name.clone(),
        kind: spec.kind,
        checks,
        sessions: views,
    }
}

fn up(v: &SessionView) -> Option<&BgpSession> {
    v.found
        .as_ref()
        .filter(|s| s.state == BgpState::Established)
}

fn per_session(
    name: PeeringCheckName,
    views: &[SessionView],
    judge: impl Fn(&SessionView, &BgpSession) -> Result<String, String>,
) -> PeeringCheck {
    // A failing check names its failing sessions (and passing ones with a warning)
    // only, so that one failure among several sessions is not buried; a passing one
    // names every session. In session order, each line with whether it may be left out.
    let mut lines: Vec<(String, bool)> = Vec::new();
    let mut pass = !views.is_empty();
    for v in views {
        let l = label(&v.expected, &v.device);
        match up(v) {
            None => {
                pass = false;
                lines.push((format!("{l}: not established"), false));
            }
            Some(s) => match judge(v, s) {
                Ok(m) => {
                    let plain = !m.starts_with("warning");
                    lines.push((format!("{l}: {m}"), plain));
                }
                Err(m) => {
                    pass = false;
                    lines.push((format!("{l}: {m}"), false));
                }
            },
        }
    }
    if views.is_empty() {
        lines.push(("no sessions expected".to_string(), false));
    }
    let lines: Vec<String> = lines
        .into_iter()
        .filter(|(_, plain)| pass || !plain)
        .map(|(l, _)| l)
        .collect();
    PeeringCheck {
        name,
        pass,
        detail: lines.join("; "),
    }
}

fn stable(spec: &PeeringSpec, views: &[SessionView]) -> PeeringCheck {
    let hold = spec.hold_down;
    per_session(PeeringCheckName::BgpStable, views, |_, s| {
        match s.established_seconds {
            Some(t) if Duration::from_secs(t) >= hold => Ok(format!(
                "up {}, hold-down {}",
                format_duration(Duration::from_secs(t)),
                format_duration(hold)
            )),
            Some(t) => Err(format!(
                "up {} of the {} hold-down",
                format_duration(Duration::from_secs(t)),
                format_duration(hold)
            )),
            None => Err("the router does not report how long the session has been up".to_string()),
        }
    })
}

fn received(spec: &PeeringSpec, views: &[SessionView]) -> PeeringCheck {
    per_session(PeeringCheckName::PrefixesReceived, views, |v, s| {
        let family = &v.expected.family;
        let Some(n) = s.received_in(family) else {
            return Err(format!(
                "the router does not report prefixes received in {family}"
            ));
        };
        if n < spec.prefixes_min {
            let hint = if n == 0 && spec.kind == PeeringKind::Microsoft {
                " (Microsoft peering advertises nothing until a route filter is attached to the circuit)"
            } else {
                ""
            };
            return Err(format!(
                "{n} prefixes received in {family}, fewer than the {} expected{hint}",
                spec.prefixes_min
            ));
        }
        if let Some(max) = spec.prefixes_max {
            if n > max {
                return Err(format!(
                    "{n} prefixes received in {family}, more than the {max} expected"
                ));
            }
        }
        Ok(format!("{n} prefixes received in {family}"))
    })
}

fn headroom(spec: &PeeringSpec, views: &[SessionView]) -> PeeringCheck {
    let _ = spec;
    per_session(PeeringCheckName::PrefixLimitHeadroom, views, |v, _| {
        let family = &v.expected.family;
        let limit = v.limit;
        let Some(n) = v.advertised else {
            return Err(format!(
                "the router does not report the prefixes it advertises in {family}; declare advertised_prefix_count for the peering (Microsoft's limit is {limit})"
            ));
        };
        let source = if v.advertised_declared {
            " (declared)"
        } else {
            ""
        };
        if n >= limit {
            return Err(format!(
                "{n} prefixes advertised{source} in {family}, at or over Microsoft's limit of {limit}: Microsoft drops the session"
            ));
        }
        if n as f64 >= HEADROOM_WARN * limit as f64 {
            return Ok(format!(
                "warning: {n} prefixes advertised{source} in {family}, {:.0} % of Microsoft's limit of {limit}",
                100.0 * n as f64 / limit as f64
            ));
        }
        Ok(format!(
            "{n} of {limit} prefixes advertised{source} in {family}"
        ))
    })
}

/// BFD to each neighbour, as its router reports it. Microsoft runs BFD on every
/// peering (300 ms, multiplier 3); without it on the customer's side a dead path is
/// noticed only when BGP's hold timer expires. Informational (a passing check whose
/// lines say "warning") unless the peering sets `bfd_required`, when every session
/// must report BFD up.
fn bfd(spec: &PeeringSpec, views: &[SessionView]) -> PeeringCheck {
    let mut pass = !views.is_empty();
    let mut lines = Vec::new();
    for v in views {
        let l = label(&v.expected, &v.device);
        let problem = match v.found.as_ref().map(|s| &s.bfd) {
            None => "no BGP session to read BFD beside".to_string(),
            Some(None) => format!(
                "the router reports no BFD session to {} (Microsoft runs BFD at 300 ms: add bfd to the neighbour)",
                v.expected.microsoft
            ),
            Some(Some(b)) if b.state == super::bfd::BfdState::Up => {
                lines.push(format!("{l}: BFD up"));
                continue;
            }
            Some(Some(b)) => format!(
                "BFD {}{}",
                b.state,
                b.diagnostic
                    .as_deref()
                    .map(|d| format!(" ({d})"))
                    .unwrap_or_default()
            ),
        };
        pass = false;
        lines.push(format!("{l}: {problem}"));
    }
    if views.is_empty() {
        lines.push("no sessions expected".to_string());
    }
    let detail = lines.join("; ");
    if spec.bfd_required {
        return PeeringCheck {
            name: PeeringCheckName::BfdUp,
            pass,
            detail,
        };
    }
    PeeringCheck {
        name: PeeringCheckName::BfdUp,
        pass: true,
        detail: if pass {
            format!("{detail} (informational: bfd_required is not set)")
        } else {
            format!("warning: {detail} (informational: set bfd_required = true on the [[port.peering]] to gate on it)")
        },
    }
}

/// A Microsoft peering carries traffic only when Microsoft has validated the public
/// prefixes it advertises, in every address family the peering has: IPv4
/// (`microsoftPeeringConfig`) and IPv6 (`ipv6PeeringConfig.microsoftPeeringConfig`)
/// are validated apart, and one family Configured says nothing of the other.
fn advertised_configured(spec: &PeeringSpec) -> PeeringCheck {
    let name = PeeringCheckName::AdvertisedPrefixesConfigured;
    if spec.kind == PeeringKind::Private {
        return PeeringCheck {
            name,
            pass: true,
            detail: "private peering: no advertised public prefixes to validate".to_string(),
        };
    }
    // The families the peering has: those with peer subnets, and those Azure gives a
    // prefix state for.
    let mut families: Vec<&'static str> = Vec::new();
    if spec.primary.is_some() || spec.secondary.is_some() {
        families.push("IPv4");
    }
    if spec.ipv6_primary.is_some() || spec.ipv6_secondary.is_some() {
        families.push("IPv6");
    }
    for a in &spec.advertised_prefixes {
        if !families.contains(&a.family) {
            families.push(a.family);
        }
    }
    if families.is_empty() {
        families.push("IPv4");
    }
    let mut pass = true;
    let mut parts = Vec::new();
    for family in families {
        let Some(a) = spec.advertised_prefixes.iter().find(|a| a.family == family) else {
            pass = false;
            parts.push(if spec.from_azure {
                format!("{family}: unknown: Azure gives no advertised public prefixes state for this family")
            } else {
                format!("{family}: unknown: the advertised public prefixes' state is read from Azure (set azure_port_id for the port)")
            });
            continue;
        };
        let pending: Vec<String> = a
            .prefixes
            .iter()
            .filter(|p| p.validation_state != "Configured")
            .map(|p| format!("{} {}", p.prefix, p.validation_state))
            .collect();
        let pending = if pending.is_empty() {
            String::new()
        } else {
            format!(" ({})", pending.join(", "))
        };
        match a.state.as_str() {
            "Configured" => parts.push(format!(
                "{family}: Azure: advertised public prefixes Configured"
            )),
            "ValidationNeeded" => {
                pass = false;
                parts.push(format!(
                    "{family}: Azure: ValidationNeeded{pending}: Microsoft needs proof that you own the prefixes (open a support ticket with the RIR/IRR records)"
                ));
            }
            other => {
                pass = false;
                parts.push(format!(
                    "{family}: Azure: advertised public prefixes {other}{pending}; the session carries no traffic until they are Configured"
                ));
            }
        }
    }
    PeeringCheck {
        name,
        pass,
        detail: parts.join("; "),
    }
}

#[cfg(test)]
mod tests;
