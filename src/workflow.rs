//! The ExpressRoute Direct provisioning workflow of a port, step by step, with the
//! evidence for each: what is done, what blocks, what comes next. Facts from
//! ../shared/reference/expressroute-direct.md (§2.5 workflow, §3 circuit states).

use serde::{Deserialize, Serialize};

use crate::domain::{CheckName, LinkReadiness};
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

fn failing(links: [&LinkReadiness; 2], names: &[CheckName]) -> Vec<String> {
    links
        .iter()
        .flat_map(|l| l.checks.iter())
        .filter(|c| names.contains(&c.name) && !c.pass)
        .map(|c| c.detail.clone())
        .collect()
}

/// What the evidence says about each step, before next/pending are assigned.
enum Fact {
    Done(Vec<String>),
    NotDone(Vec<String>),
    Wrong(Vec<String>),
    Unknown(Vec<String>),
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

/// The workflow of a port at the time of `view`. `traffic`: the port's recent gate
/// decisions from the audit trail (a recorded ready enable-traffic is the last step's
/// evidence).
pub fn workflow(view: &PortView, traffic: &[crate::audit::Decision]) -> Workflow {
    let cfg = &view.config;
    let links = view.readiness.links();
    let mut facts: Vec<(&str, Fact)> = Vec::new();

    facts.push((
        "ExpressRoute Direct port resource",
        match (&view.azure, &view.azure_error) {
            (Some(_), _) => Fact::Done(vec![format!(
                "{} found in Azure",
                cfg.azure_port_id.clone().unwrap_or_default()
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
    let admin = failing(links, &[CheckName::AzureAdminEnabled]);
    facts.push((
        "admin state enabled on both links",
        if admin.is_empty() {
            Fact::Done(
                links
                    .iter()
                    .flat_map(|l| l.checks.iter())
                    .filter(|c| c.name == CheckName::AzureAdminEnabled)
                    .map(|c| c.detail.clone())
                    .collect(),
            )
        } else {
            Fact::NotDone(admin)
        },
    ));
    let physical = failing(
        links,
        &[
            CheckName::LocalAdminUp,
            CheckName::OperUp,
            CheckName::RxPowerInRange,
            CheckName::TxPowerInRange,
            CheckName::Stable,
            CheckName::Fresh,
            CheckName::AzureLineProtocolUp,
        ],
    );
    facts.push((
        "light levels and physical link healthy and stable on both links",
        if physical.is_empty() {
            Fact::Done(vec!["every readiness check passes".to_string()])
        } else {
            Fact::Wrong(physical)
        },
    ));
    let circuits = view.azure.as_ref().map(|a| a.circuits.clone());
    let unreadable = view
        .azure
        .as_ref()
        .map(|a| a.circuit_errors.clone())
        .unwrap_or_default();
    facts.push((
        "circuit created on the port",
        match &circuits {
            Some(_) if !unreadable.is_empty() => Fact::Wrong(unreadable.clone()),
            Some(c) if !c.is_empty() => Fact::Done(
                c.iter()
                    .map(|c| format!("{}: provider {}, circuit {}, provisioning {}", c.name, c.provider_state, c.circuit_state, c.provisioning_state))
                    .collect(),
            ),
            Some(_) => Fact::NotDone(vec![if view.readiness.ready() {
                format!("ready for circuit creation: lightgate gate {} -- az network express-route create ...", cfg.name)
            } else {
                "no circuit yet".to_string()
            }]),
            // Declared peerings name their circuit: it exists, as far as the operator
            // says.
            None if !view.peerings.is_empty() => Fact::Done(declared_circuits(view)),
            // Without Azure access the circuits are unseen, but whether the port may
            // have one is still known: that is the point of the gate.
            None => Fact::NotDone(vec![
                if view.readiness.ready() {
                    format!("ready for circuit creation: lightgate gate {} -- az network express-route create ...", cfg.name)
                } else {
                    "not ready for circuit creation yet (see the steps above)".to_string()
                },
                "circuits on the port are not read from Azure (no azure_port_id)".to_string(),
            ]),
        },
    ));
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
                    .map(|c| {
                        if c.provider_state == "Provisioned" && c.circuit_state == "Enabled" {
                            format!("{}: Provisioned and Enabled, peering can be configured (lightgate peering check PLAN.toml first)", c.name)
                        } else {
                            format!("{}: provider {} / circuit {}; peering needs Provisioned and Enabled", c.name, c.provider_state, c.circuit_state)
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
    let ms: Vec<(String, &crate::domain::AzurePeering)> = circuits
        .iter()
        .flatten()
        .flat_map(|c| c.peerings.iter().map(move |p| (c.name.clone(), p)))
        .filter(|(_, p)| p.kind == "MicrosoftPeering")
        .collect();
    let mut wrong = Vec::new();
    let mut done = Vec::new();
    for (c, p) in &ms {
        match p.advertised_prefixes_state.as_deref() {
            Some("Configured") => done.push(format!("{c} Microsoft peering prefixes Configured")),
            Some("ValidationNeeded") => {
                let pending: Vec<String> = p
                    .prefixes
                    .iter()
                    .filter(|x| x.validation_state != "Configured")
                    .map(|x| format!("{} ({})", x.prefix, x.validation_state))
                    .collect();
                wrong.push(format!(
                    "{c}: Microsoft needs proof that you own {}: open a support ticket with the RIR/IRR records (or a letter of authorization for the prefixes)",
                    pending.join(", ")
                ));
            }
            other => wrong.push(format!(
                "{c}: advertised public prefixes {}",
                other.unwrap_or("unknown")
            )),
        }
    }
    // The BGP sessions on both routers, from each peering's readiness.
    for p in &view.peerings {
        if p.ready() {
            done.extend(p.sessions.iter().filter_map(|s| {
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
            }));
        } else {
            wrong.extend(
                p.failing()
                    .filter(|c| {
                        c.name != crate::bgp::PeeringCheckName::AdvertisedPrefixesConfigured
                            || ms.is_empty()
                    })
                    .map(|c| {
                        format!(
                            "{} {}: {}: {}",
                            p.circuit,
                            p.peering,
                            c.name.as_str(),
                            c.detail
                        )
                    }),
            );
        }
    }
    facts.push((
        "BGP up and Microsoft peering prefixes validated",
        if view.peerings.is_empty() && ms.is_empty() {
            Fact::Unknown(vec!["no peering known for this port: lightgate reads peerings from Azure (azure_port_id) or from [[port.peering]] in the config, and then checks the BGP sessions on both routers".to_string()])
        } else if wrong.is_empty() {
            Fact::Done(done)
        } else {
            Fact::Wrong(wrong)
        },
    ));
    let ready_circuits: Vec<&str> = {
        let mut v: Vec<&str> = view.peerings.iter().map(|p| p.circuit.as_str()).collect();
        v.sort();
        v.dedup();
        v.retain(|c| {
            view.peerings
                .iter()
                .filter(|p| p.circuit == *c)
                .all(|p| p.ready())
        });
        v
    };
    let enabled: Vec<String> = traffic
        .iter()
        .filter(|d| d.action == "enable-traffic" && d.ready)
        .map(|d| {
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
        })
        .collect();
    facts.push((
        "traffic enabled",
        if !enabled.is_empty() {
            Fact::Done(enabled)
        } else if view.peerings.is_empty() {
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
