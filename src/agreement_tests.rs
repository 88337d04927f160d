//! One question, one answer: for generated port, circuit, peering and BGP states
//! (every Azure enum value and unknown ones), every answer to "may I do this step?"
//! agrees with the one evaluation ([`PortView::decide`]): the gate's recorded
//! decision (and so its exit status and HTTP status), the circuit's actions, the
//! peering and traffic answers, the workflow's steps and the metrics; and every
//! failure names a check.

use std::time::Instant;

use lightgate_core::bgp::{PeeringCheck, PeeringCheckName, PeeringKind, PeeringReadiness};
use lightgate_core::gate::{Action, Subject};
use proptest::prelude::*;

use crate::audit::GateRequest;
use crate::domain::{
    AdvertisedPrefixes, AzureCircuit, AzurePeering, AzurePort, AzurePrefix, Check, CheckName,
    LinkReadiness,
};
use crate::store::{PortView, Store};

const PORT_ID: &str =
    "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/expressRoutePorts/erd-1";

/// A port view of a config with one port, whose evaluation is then replaced by the
/// generated one.
fn base_view() -> PortView {
    let config = crate::config::Config::parse(
        &format!(
            "{}\n",
            r#"
[[device]]
name = "a"
source = "sim"
[device.sim]
interfaces = { "Hu0/0/0" = "healthy" }

[[device]]
name = "b"
source = "sim"
[device.sim]
interfaces = { "Hu0/0/0" = "healthy" }

[[port]]
name = "erd-1"
link1 = { device = "a", interface = "Hu0/0/0", azure_admin_state = "enabled" }
link2 = { device = "b", interface = "Hu0/0/0", azure_admin_state = "enabled" }
"#
        ),
        "agreement",
    )
    .expect("a valid config");
    Store::new(config)
        .port("erd-1", Instant::now())
        .expect("the port")
}

fn one_of(values: &'static [&'static str]) -> impl Strategy<Value = String> {
    proptest::sample::select(values).prop_map(str::to_string)
}

fn link(link: crate::domain::LinkId) -> impl Strategy<Value = LinkReadiness> {
    proptest::collection::vec(any::<bool>(), CheckName::ALL.len()).prop_map(move |pass| {
        LinkReadiness {
            link,
            checks: CheckName::ALL
                .into_iter()
                .zip(pass)
                .map(|(name, pass)| Check {
                    name,
                    pass,
                    detail: format!("{link} {}", name.as_str()),
                })
                .collect(),
        }
    })
}

fn advertised() -> impl Strategy<Value = Vec<AdvertisedPrefixes>> {
    let state = one_of(&[
        "NotConfigured",
        "Configuring",
        "Configured",
        "ValidationNeeded",
        "SomethingNew",
    ]);
    proptest::collection::vec((any::<bool>(), state), 0..=2).prop_map(|v| {
        v.into_iter()
            .map(|(v6, state)| AdvertisedPrefixes {
                family: if v6 { "IPv6" } else { "IPv4" },
                prefixes: vec![AzurePrefix {
                    prefix: "198.51.100.0/24".into(),
                    validation_state: state.clone(),
                }],
                state,
            })
            .collect()
    })
}

fn azure_peering() -> impl Strategy<Value = AzurePeering> {
    (
        one_of(&["AzurePrivatePeering", "MicrosoftPeering"]),
        one_of(&["Enabled", "Disabled", "Unknown"]),
        advertised(),
    )
        .prop_map(|(kind, state, advertised)| AzurePeering {
            name: kind.clone(),
            kind,
            state,
            provisioning_state: "Succeeded".into(),
            advertised,
            primary_prefix: Some("192.168.100.128/30".into()),
            secondary_prefix: Some("192.168.100.132/30".into()),
            ipv6_primary_prefix: None,
            ipv6_secondary_prefix: None,
        })
}

fn circuit(name: &'static str) -> impl Strategy<Value = AzureCircuit> {
    (
        one_of(&[
            "NotProvisioned",
            "Provisioning",
            "Provisioned",
            "Deprovisioning",
            "Unknown",
        ]),
        one_of(&["Enabled", "Disabled", "Enabling", "Disabling", "Odd"]),
        one_of(&["Succeeded", "Updating", "Deleting", "Failed", "Unknown"]),
        proptest::option::of(one_of(&["Equinix"])),
        proptest::sample::select(&[0u8, 1, 2, 3][..]),
        proptest::collection::vec(azure_peering(), 0..=2),
        any::<bool>(),
    )
        .prop_map(
            move |(
                provider_state,
                circuit_state,
                provisioning_state,
                provider,
                port,
                peerings,
                auth,
            )| {
                AzureCircuit {
                    name: name.to_string(),
                    id: format!("/subscriptions/s/expressRouteCircuits/{name}"),
                    provider_state,
                    circuit_state,
                    provisioning_state,
                    provider,
                    port_id: match port {
                        0 => None,
                        1 => Some(PORT_ID.to_string()),
                        2 => Some(PORT_ID.to_ascii_uppercase()),
                        _ => Some(PORT_ID.replace("erd-1", "erd-2")),
                    },
                    authorizations_in_use: if auth { vec!["auth-1".into()] } else { vec![] },
                    peerings,
                    premium: false,
                }
            },
        )
}

fn peering(circuit: &'static str) -> impl Strategy<Value = PeeringReadiness> {
    (
        proptest::sample::select(&[PeeringKind::Private, PeeringKind::Microsoft][..]),
        proptest::collection::vec(any::<bool>(), PeeringCheckName::ALL.len()),
    )
        .prop_map(move |(kind, pass)| PeeringReadiness {
            circuit: circuit.to_string(),
            peering: kind.as_str().to_string(),
            kind,
            checks: PeeringCheckName::ALL
                .into_iter()
                .zip(pass)
                .map(|(name, pass)| PeeringCheck {
                    name,
                    pass,
                    detail: name.as_str().to_string(),
                })
                .collect(),
            sessions: vec![],
        })
}

/// A port view with generated states: its links' checks, Azure read or not, up to two
/// circuits, and the peerings lightgate judged for them.
fn view() -> impl Strategy<Value = PortView> {
    (
        link(crate::domain::LinkId::Link1),
        link(crate::domain::LinkId::Link2),
        any::<bool>(),
        proptest::collection::vec(circuit("ckt-a"), 0..=1),
        proptest::collection::vec(circuit("ckt-b"), 0..=1),
        proptest::collection::vec(peering("ckt-a"), 0..=2),
        proptest::collection::vec(peering("ckt-b"), 0..=1),
    )
        .prop_map(|(l1, l2, azure, a, b, pa, pb)| {
            let mut v = base_view();
            v.readiness.link1 = l1;
            v.readiness.link2 = l2;
            if azure {
                v.config.azure_port_id = Some(PORT_ID.to_string());
                v.azure = Some(AzurePort {
                    circuits: a.into_iter().chain(b).collect(),
                    ..Default::default()
                });
            }
            v.peerings = pa.into_iter().chain(pb).collect();
            v
        })
}

/// The value of the series `name` whose labels include every one of `labels`.
fn sample(metrics: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    metrics
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter(|l| l.starts_with(&format!("{name}{{")) || l.starts_with(&format!("{name} ")))
        .find(|l| {
            labels
                .iter()
                .all(|(k, v)| l.contains(&format!("{k}=\"{v}\"")))
        })
        .and_then(|l| l.rsplit(' ').next()?.parse().ok())
}

fn status(w: &crate::workflow::Workflow, step: &str) -> crate::workflow::Status {
    w.steps
        .iter()
        .find(|s| s.step == step)
        .map(|s| s.status)
        .unwrap_or_else(|| panic!("no step {step}"))
}

fn request() -> GateRequest {
    GateRequest {
        action: String::new(),
        user: "prop".into(),
        host: "test".into(),
        command: vec![],
    }
}

/// Checks every renderer of `v` against the evaluation; the message names the first
/// disagreement.
fn agree(v: &PortView) -> Result<(), String> {
    use crate::workflow::Status;
    let metrics = crate::exporter::metrics::render_port(v);
    let w = crate::workflow::workflow(v, &[]);

    // Every failure of every outcome names a check, and a refusal has a failure.
    let mut outcomes = vec![v.decide(Action::CreateCircuit, None)];
    let circuits: Vec<String> = {
        let mut c: Vec<String> = v
            .azure
            .iter()
            .flat_map(|a| a.circuits.iter().map(|c| c.name.clone()))
            .chain(v.peerings.iter().map(|p| p.circuit.clone()))
            .collect();
        c.sort();
        c.dedup();
        c
    };
    for c in &circuits {
        for a in Action::CIRCUIT {
            outcomes.push(v.decide(a, Some(c)));
        }
    }
    for o in &outcomes {
        if o.ready() != o.failures.is_empty() {
            return Err(format!(
                "{o:?}: a refusal without a failure, or the reverse"
            ));
        }
        for f in &o.failures {
            if f.check.as_str().is_empty() || !f.to_string().contains(f.check.as_str()) {
                return Err(format!("{f:?} does not name its check"));
            }
        }
    }

    // create-circuit: the gate, the port's metric and the workflow's port steps.
    let create = v.decide(Action::CreateCircuit, None);
    let d = crate::gate::decision(v, Action::CreateCircuit, None, &request());
    if d.ready != create.ready() || d.failing != create.failing() {
        return Err(format!("gate {:?} vs evaluation {create:?}", d.failing));
    }
    let port = crate::api::PortJson::new(v);
    let verdict = crate::api::VerdictJson::new(v);
    if port.ready != create.ready()
        || port.failing != create.failing()
        || verdict.ready != create.ready()
        || verdict.reason != create.failing().first().cloned()
    {
        return Err(format!("port/verdict JSON vs evaluation {create:?}"));
    }
    let m = sample(&metrics, "lightgate_port_ready", &[("port", "erd-1")]);
    if m != Some(if create.ready() { 1.0 } else { 0.0 }) {
        return Err(format!("lightgate_port_ready {m:?} vs {}", create.ready()));
    }
    let port_steps_done = [
        "admin state enabled on both links",
        "light levels and physical link healthy and stable on both links",
    ]
    .iter()
    .all(|s| status(&w, s) == Status::Done)
        && status(&w, "ExpressRoute Direct port resource") != Status::Blocked
        && status(&w, "ExpressRoute Direct port resource") != Status::Pending;
    if port_steps_done != create.ready() {
        return Err(format!(
            "workflow's port steps done: {port_steps_done}, create-circuit ready: {}: {w:#?}",
            create.ready()
        ));
    }

    // Circuit actions: the gate and the circuit's answer.
    for c in v.azure.iter().flat_map(|a| a.circuits.iter()) {
        let json = crate::api::CircuitJson::new(v, c);
        for a in Action::CIRCUIT {
            let o = v.decide(a, Some(&c.name));
            let d = crate::gate::decision(v, a, Some(&c.name), &request());
            if d.ready != o.ready() || d.failing != o.failing() {
                return Err(format!("{} {a}: gate vs evaluation", c.name));
            }
            if json.actions[a.as_str()].ready != o.ready() {
                return Err(format!("{} {a}: circuit answer vs evaluation", c.name));
            }
        }
    }

    // Traffic: each peering's answer and metric agree with enable-traffic on it, and
    // a circuit may take traffic exactly when every one of its peerings may.
    let mut traffic_ready = Vec::new();
    for c in &circuits {
        let o = v.decide(Action::EnableTraffic, Some(c));
        let mine: Vec<&PeeringReadiness> = v.peerings.iter().filter(|p| &p.circuit == c).collect();
        let each: Vec<bool> = mine
            .iter()
            .map(|p| crate::api::PeeringReadyJson::for_traffic(v, p).ready)
            .collect();
        if o.ready() != (!each.is_empty() && each.iter().all(|r| *r)) {
            return Err(format!(
                "{c}: enable-traffic {} vs its peerings {each:?}",
                o.ready()
            ));
        }
        for (p, ready) in mine.iter().zip(&each) {
            let m = sample(
                &metrics,
                "lightgate_peering_ready",
                &[("circuit", c), ("peering", &p.peering)],
            );
            if m != Some(if *ready { 1.0 } else { 0.0 }) {
                return Err(format!(
                    "{c} {}: lightgate_peering_ready {m:?} vs {ready}",
                    p.peering
                ));
            }
            if o.failures.iter().any(|f| match &f.subject {
                Subject::Peering { circuit, .. } => circuit != c,
                _ => false,
            }) {
                return Err(format!("{c}: a failure of another circuit's peering"));
            }
        }
        if !mine.is_empty() {
            traffic_ready.push(o.ready());
        }
    }
    let bgp = status(&w, "BGP up and Microsoft peering prefixes validated");
    let all_ready = !traffic_ready.is_empty() && traffic_ready.iter().all(|r| *r);
    if (bgp == Status::Done) != all_ready {
        return Err(format!(
            "workflow BGP step {bgp:?} vs enable-traffic {traffic_ready:?}"
        ));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn every_answer_renders_the_one_evaluation(v in view()) {
        if let Err(e) = agree(&v) {
            prop_assert!(false, "{}", e);
        }
    }
}
