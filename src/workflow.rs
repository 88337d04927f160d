//! The ExpressRoute Direct provisioning workflow of a port, step by step, with the
//! evidence for each: what is done, what blocks, what comes next. Facts from
//! ../shared/reference/expressroute-direct.md (§2.5 workflow, §3 circuit states).

use serde::{Deserialize, Serialize};

use lightgate_core::gate::{Action, Outcome, Subject};

use crate::domain::{Check, CheckName, LinkReadiness};
use crate::store::PortView;

/// Where a step stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Done,
    /// The step to work on now.
    Next,
    /// The step to work on now, and something is wrong with it.
    Blocked,
    /// Comes after the next one.
    Pending,
    /// lightgate cannot see it (no Azure access, or nothing in the API tells).
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    pub step: String,
    pub status: Status,
    pub evidence: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Workflow {
    pub port: String,
    pub steps: Vec<Step>,
    /// Circuits with a provider (the partner model) and their provider states.
    pub partner_circuits: Vec<String>,
}

/// The checks of both links that `which` selects, link1's first.
fn checks<'a>(
    links: [&'a LinkReadiness; 2],
    which: impl Fn(CheckName) -> bool + 'a,
) -> impl Iterator<Item = &'a Check> + 'a {
    links
        .into_iter()
        .flat_map(|l| l.checks.iter())
        .filter(move |c| which(c.name))
}

/// The details of the failing checks `which` selects.
fn failing(links: [&LinkReadiness; 2], which: impl Fn(CheckName) -> bool) -> Vec<String> {
    checks(links, which)
        .filter(|c| !c.pass)
        .map(|c| c.detail.clone())
        .collect()
}

/// The details of the checks `which` selects, failing or not.
fn details(links: [&LinkReadiness; 2], which: impl Fn(CheckName) -> bool) -> Vec<String> {
    checks(links, which).map(|c| c.detail.clone()).collect()
}

/// What the evidence says about each step, before next/pending are assigned.
enum Fact {
    Done(Vec<String>),
    NotDone(Vec<String>),
    Wrong(Vec<String>),
    Unknown(Vec<String>),
}

/// Each established session of a ready peering, as evidence.
fn session_evidence(p: &crate::bgp::PeeringReadiness) -> Vec<String> {
    p.sessions
        .iter()
        .filter_map(|s| {
            let f = s.found.as_ref()?;
            Some(format!(
                "{} {}: {} {} to {} established, AS {}, up {}, {} prefixes received",
                p.circuit,
                p.peering,
                s.expected.link.as_str(),
                s.device,
                s.expected.microsoft,
                f.remote_as
                    .map(|a| a.to_string())
                    .unwrap_or_else(|| "?".into()),
                f.established_seconds
                    .map(|t| crate::domain::format_duration(std::time::Duration::from_secs(t)))
                    .unwrap_or_else(|| "?".into()),
                f.received_in(&s.expected.family)
                    .map(|n| n.to_string())
                    .unwrap_or_else(|| "?".into()),
            ))
        })
        .collect()
}

/// The circuits the port's declared peerings name, as evidence.
fn declared_circuits(view: &PortView) -> Vec<String> {
    let mut names: Vec<String> = view
        .peerings
        .iter()
        .map(|p| {
            format!(
                "{} (declared by [[port.peering]]; circuits are not read from Azure)",
                p.circuit
            )
        })
        .collect();
    names.dedup();
    names
}

/// The physical checks of the links (step 5): every check but Azure's admin and
/// provisioning states, which have steps of their own.
fn physical(c: CheckName) -> bool {
    !matches!(
        c,
        CheckName::AzureAdminEnabled | CheckName::AzureProvisioned
    )
}

/// The circuits the workflow speaks of: those seen in Azure, else those the declared
/// peerings name.
fn circuit_names(view: &PortView) -> Vec<String> {
    let mut names: Vec<String> = match &view.azure {
        Some(a) => a.circuits.iter().map(|c| c.name.clone()).collect(),
        None => view.peerings.iter().map(|p| p.circuit.clone()).collect(),
    };
    names.sort();
    names.dedup();
    names
}

/// An outcome's failures as evidence, "circuit: failure"; the links' own failures are
/// summed up in one line (their steps above name them).
fn outcome_evidence(circuit: &str, o: &Outcome) -> Vec<String> {
    let links = o
        .failures
        .iter()
        .filter(|f| matches!(f.subject, Subject::Link(_)))
        .count();
    let mut out: Vec<String> = o
        .failures
        .iter()
        .filter(|f| !matches!(f.subject, Subject::Link(_)))
        .map(|f| format!("{circuit}: {f}"))
        .collect();
    if links > 0 {
        out.push(format!(
            "{circuit}: {links} check(s) of the port's links fail (see the steps above)"
        ));
    }
    out
}

/// The workflow of a port at the time of `view`. `traffic`: the port's recent gate
/// decisions from the audit trail (a recorded ready enable-traffic is the last step's
/// evidence, while the gate would still decide the same now). Every verdict in it is
/// the gate's own ([`PortView::decide`]), rendered.
pub fn workflow(view: &PortView, traffic: &[crate::audit::Decision]) -> Workflow {
    let cfg = &view.config;
    let links = view.readiness.links();
    let create = view.decide(Action::CreateCircuit, None);
    let mut facts: Vec<(&str, Fact)> = Vec::new();

    let provisioning = failing(links, |c| c == CheckName::AzureProvisioned);
    facts.push((
        "ExpressRoute Direct port resource",
        match (&view.azure, &view.azure_error) {
            (Some(_), _) if !provisioning.is_empty() => Fact::Wrong(provisioning),
            (Some(a), _) => Fact::Done(vec![format!(
                "{} found in Azure{}{}{}",
                cfg.azure_port_id.clone().unwrap_or_default(),
                a.bandwidth_gbps
                    .map(|b| format!(", {b} Gbps"))
                    .unwrap_or_default(),
                a.encapsulation
                    .as_deref()
                    .map(|e| format!(", {e} encapsulation"))
                    .unwrap_or_default(),
                a.peering_location
                    .as_deref()
                    .map(|l| format!(", at {l}"))
                    .unwrap_or_default(),
            )]),
            (None, Some(e)) => Fact::Wrong(vec![format!("not observed: {e}")]),
            (None, None) => Fact::Unknown(vec![
                "no azure_port_id: lightgate does not read Azure for this port".to_string(),
            ]),
        },
    ));
    facts.push((
        "Letter of Authorization",
        match &cfg.loa_issued {
            Some(d) => Fact::Done(vec![format!("issued {d} (declared)")]),
            None => Fact::NotDone(vec!["az network express-route port generate-loa --customer-name ... (then declare loa_issued)".to_string()]),
        },
    ));
    facts.push((
        "cross-connects ordered and completed",
        match &cfg.cross_connects_completed {
            Some(d) => Fact::Done(vec![format!("completed {d} (declared)")]),
            None => Fact::NotDone(vec!["order both cross-connects with the LOA from the colocation provider (then declare cross_connects_completed)".to_string()]),
        },
    ));
    let admin = failing(links, |c| c == CheckName::AzureAdminEnabled);
    facts.push((
        "admin state enabled on both links",
        if admin.is_empty() {
            Fact::Done(details(links, |c| c == CheckName::AzureAdminEnabled))
        } else {
            Fact::NotDone(admin)
        },
    ));
    let unhealthy = failing(links, physical);
    facts.push((
        "light levels and physical link healthy and stable on both links",
        if unhealthy.is_empty() {
            Fact::Done(details(links, physical))
        } else {
            Fact::Wrong(unhealthy)
        },
    ));
    let circuits = view.azure.as_ref().map(|a| a.circuits.clone());
    let unreadable = view
        .azure
        .as_ref()
        .map(|a| a.circuit_errors.clone())
        .unwrap_or_default();
    let ready_to_create = || {
        if create.ready() {
            format!(
                "ready for circuit creation: lightgate gate {} -- az network express-route create ...",
                cfg.name
            )
        } else {
            "not ready for circuit creation yet (see the steps above)".to_string()
        }
    };
    facts.push((
        "circuit created on the port",
        match &circuits {
            Some(_) if !unreadable.is_empty() => Fact::Wrong(unreadable.clone()),
            Some(c) if c.iter().any(|c| c.provisioning_state != "Succeeded") => Fact::Wrong(
                c.iter()
                    .filter(|c| c.provisioning_state != "Succeeded")
                    .map(|c| {
                        format!(
                            "{}: provisioningState {} in Azure",
                            c.name, c.provisioning_state
                        )
                    })
                    .collect(),
            ),
            Some(c) if !c.is_empty() => Fact::Done(
                c.iter()
                    .map(|c| {
                        format!(
                            "{}: provider {}, circuit {}, provisioning {}",
                            c.name, c.provider_state, c.circuit_state, c.provisioning_state
                        )
                    })
                    .collect(),
            ),
            Some(_) => Fact::NotDone(vec![if create.ready() {
                ready_to_create()
            } else {
                "no circuit yet".to_string()
            }]),
            // Declared peerings name their circuit: it exists, as far as the operator
            // says.
            None if !view.peerings.is_empty() => Fact::Done(declared_circuits(view)),
            // Without Azure access the circuits are unseen, but whether the port may
            // have one is still known: that is the point of the gate.
            None => Fact::NotDone(vec![
                ready_to_create(),
                "circuits on the port are not read from Azure (no azure_port_id)".to_string(),
            ]),
        },
    ));
    // Partner circuits wait for their provider; Direct circuits have no provider step
    // (Azure shows them Provisioned from the start).
    let partner: Vec<&crate::domain::AzureCircuit> = circuits
        .iter()
        .flatten()
        .filter(|c| c.provider.is_some())
        .collect();
    if !partner.is_empty() {
        let waiting: Vec<String> = partner
            .iter()
            .filter(|c| c.provider_state != "Provisioned")
            .map(|c| {
                format!(
                    "{} via {}: provider state {}; the provider provisions it with the service key",
                    c.name,
                    c.provider.as_deref().unwrap_or("?"),
                    c.provider_state
                )
            })
            .collect();
        facts.push((
            "circuit provisioned by the provider",
            if waiting.is_empty() {
                Fact::Done(
                    partner
                        .iter()
                        .map(|c| format!("{}: provider state Provisioned", c.name))
                        .collect(),
                )
            } else {
                Fact::NotDone(waiting)
            },
        ));
    }
    facts.push((
        "peerings configured",
        match &circuits {
            Some(c) if c.iter().any(|c| !c.peerings.is_empty()) => Fact::Done(
                c.iter()
                    .flat_map(|c| c.peerings.iter().map(move |p| format!("{} {}: {} ({})", c.name, p.kind, p.state, p.provisioning_state)))
                    .collect(),
            ),
            Some(c) => Fact::NotDone(
                c.iter()
                    .flat_map(|c| {
                        let o = view.decide(Action::ConfigurePeering, Some(&c.name));
                        if o.ready() {
                            vec![format!("{}: Provisioned and Enabled, peering can be configured (lightgate peering check PLAN.toml first)", c.name)]
                        } else {
                            outcome_evidence(&c.name, &o)
                        }
                    })
                    .collect(),
            ),
            None if !view.peerings.is_empty() => Fact::Done(
                view.peerings
                    .iter()
                    .map(|p| format!("{} {} (declared in [[port.peering]], not read from Azure)", p.circuit, p.peering))
                    .collect(),
            ),
            None => Fact::Unknown(vec!["peerings are read from Azure".to_string()]),
        },
    ));
    // The BGP sessions on both routers and the Microsoft peering prefixes: what
    // enable-traffic decides for each circuit with peerings.
    let with_peerings: Vec<String> = circuit_names(view)
        .into_iter()
        .filter(|c| view.peerings.iter().any(|p| &p.circuit == c))
        .collect();
    let traffic_outcomes: Vec<(String, Outcome)> = with_peerings
        .iter()
        .map(|c| (c.clone(), view.decide(Action::EnableTraffic, Some(c))))
        .collect();
    let mut wrong = Vec::new();
    let mut done = Vec::new();
    for (c, o) in &traffic_outcomes {
        if o.ready() {
            for p in view.peerings.iter().filter(|p| &p.circuit == c) {
                done.extend(session_evidence(p));
                done.extend(
                    p.checks
                        .iter()
                        .filter(|x| {
                            x.name == crate::bgp::PeeringCheckName::AdvertisedPrefixesConfigured
                                && p.kind != crate::bgp::PeeringKind::Private
                        })
                        .map(|x| format!("{} {}: {}", p.circuit, p.peering, x.detail)),
                );
            }
        } else {
            wrong.extend(outcome_evidence(c, o));
        }
    }
    facts.push((
        "BGP up and Microsoft peering prefixes validated",
        if traffic_outcomes.is_empty() {
            Fact::Unknown(vec!["no peering known for this port: lightgate reads peerings from Azure (azure_port_id) or from [[port.peering]] in the config, and then checks the BGP sessions on both routers".to_string()])
        } else if wrong.is_empty() {
            Fact::Done(done)
        } else {
            Fact::Wrong(wrong)
        },
    ));
    let recorded: Vec<&crate::audit::Decision> = traffic
        .iter()
        .filter(|d| d.action == Action::EnableTraffic.as_str() && d.ready)
        .collect();
    let record_line = |d: &crate::audit::Decision| {
        format!(
            "{} {}: enable-traffic recorded ready ({}, by {}{})",
            d.time,
            d.circuit.clone().unwrap_or_default(),
            d.decision_id,
            d.user,
            if d.command.is_empty() {
                String::new()
            } else {
                format!(", ran {}", d.command.join(" "))
            }
        )
    };
    // Recorded, and the gate would still say ready now: done. Recorded, but the gate
    // now refuses: the record is history, not the state of the circuit.
    let still_ready = |c: &str| {
        traffic_outcomes
            .iter()
            .any(|(name, o)| name == c && o.ready())
    };
    let enabled: Vec<String> = recorded
        .iter()
        .filter(|d| still_ready(d.circuit.as_deref().unwrap_or_default()))
        .map(|d| record_line(d))
        .collect();
    let lapsed: Vec<String> = recorded
        .iter()
        .filter(|d| !still_ready(d.circuit.as_deref().unwrap_or_default()))
        .map(|d| {
            format!(
                "{}; the gate refuses enable-traffic now (see the step above)",
                record_line(d)
            )
        })
        .collect();
    let ready_circuits: Vec<&str> = traffic_outcomes
        .iter()
        .filter(|(_, o)| o.ready())
        .map(|(c, _)| c.as_str())
        .collect();
    facts.push((
        "traffic enabled",
        if !enabled.is_empty() && lapsed.is_empty() {
            Fact::Done(enabled)
        } else if !lapsed.is_empty() {
            Fact::Wrong(lapsed.into_iter().chain(enabled).collect())
        } else if traffic_outcomes.is_empty() {
            Fact::Unknown(vec!["no peering known for this port".to_string()])
        } else if !ready_circuits.is_empty() {
            Fact::NotDone(ready_circuits.iter().map(|c| format!("ready for traffic: lightgate gate {c} --action enable-traffic -- COMMAND")).collect())
        } else {
            Fact::NotDone(vec!["waits for the peering's BGP sessions (see the step above)".to_string()])
        },
    ));

    let mut next_assigned = false;
    let steps = facts
        .into_iter()
        .map(|(name, fact)| {
            let (status, evidence) = match fact {
                Fact::Done(e) => (Status::Done, e),
                Fact::Unknown(e) => (Status::Unknown, e),
                Fact::NotDone(e) if !next_assigned => {
                    next_assigned = true;
                    (Status::Next, e)
                }
                Fact::Wrong(e) if !next_assigned => {
                    next_assigned = true;
                    (Status::Blocked, e)
                }
                Fact::NotDone(e) | Fact::Wrong(e) => (Status::Pending, e),
            };
            Step {
                step: name.to_string(),
                status,
                evidence,
            }
        })
        .collect();
    let partner_circuits = circuits
        .iter()
        .flatten()
        .filter_map(|c| {
            c.provider
                .as_ref()
                .map(|p| format!("{} via {p}: provider state {}", c.name, c.provider_state))
        })
        .collect();
    Workflow {
        port: cfg.name.clone(),
        steps,
        partner_circuits,
    }
}
