//! What a gate decides on and by which rules. A port action (creating a circuit) goes
//! ahead when both links of the port are ready; a circuit action (configuring a peering,
//! deleting the circuit) when the circuit's states in Azure allow it, per the documented
//! ExpressRoute rules. Pure: the caller records the decision.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::bgp::{PeeringCheckName, PeeringReadiness};
use crate::domain::{same_resource, AzureCircuit, CheckName, LinkId, PortReadiness};

/// An action a gate is asked about. The names are the `action` field of gate requests,
/// decisions and the `--action` option.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Create an ExpressRoute circuit on the Direct port (billing starts).
    CreateCircuit,
    /// Configure a peering on a circuit.
    ConfigurePeering,
    /// Delete a circuit.
    DeleteCircuit,
    /// Move production traffic onto the circuit: decided on its peerings' BGP sessions.
    EnableTraffic,
}

impl Action {
    /// Actions decided on a port's readiness.
    pub const PORT: [Action; 1] = [Action::CreateCircuit];
    /// Actions decided on a circuit's states.
    pub const CIRCUIT: [Action; 3] = [
        Action::ConfigurePeering,
        Action::DeleteCircuit,
        Action::EnableTraffic,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Action::CreateCircuit => "create-circuit",
            Action::ConfigurePeering => "configure-peering",
            Action::DeleteCircuit => "delete-circuit",
            Action::EnableTraffic => "enable-traffic",
        }
    }

    /// Whether the action is about a circuit (else about a port).
    pub fn on_circuit(&self) -> bool {
        Action::CIRCUIT.contains(self)
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Action {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Action::PORT
            .into_iter()
            .chain(Action::CIRCUIT)
            .find(|a| a.as_str() == s)
            .ok_or_else(|| {
                format!("unknown action {s:?}: create-circuit, configure-peering, delete-circuit or enable-traffic")
            })
    }
}

/// A decision's verdict; the names are the `verdict` field of decisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Ready,
    NotReady,
}

impl Verdict {
    pub fn as_str(&self) -> &'static str {
        match self {
            Verdict::Ready => "ready",
            Verdict::NotReady => "not_ready",
        }
    }

    pub fn ready(&self) -> bool {
        *self == Verdict::Ready
    }
}

/// A rule of the gate itself, beside the link and peering checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rule {
    /// A circuit action needs the circuit seen in Azure.
    CircuitKnown,
    /// The circuit is on this port (`expressRoutePort.id`).
    CircuitPort,
    /// ARM's provisioningState of the circuit is Succeeded.
    CircuitProvisioning,
    /// serviceProviderProvisioningState allows the action.
    ProviderState,
    /// circuitProvisioningState is Enabled.
    CircuitState,
    /// No peering is left on a circuit to be deleted.
    PeeringsRemoved,
    /// No authorization of a circuit to be deleted is in use.
    AuthorizationsUnused,
    /// Traffic needs at least one known peering.
    PeeringKnown,
}

impl Rule {
    pub fn as_str(&self) -> &'static str {
        match self {
            Rule::CircuitKnown => "circuit_known",
            Rule::CircuitPort => "circuit_port",
            Rule::CircuitProvisioning => "circuit_provisioning",
            Rule::ProviderState => "provider_state",
            Rule::CircuitState => "circuit_state",
            Rule::PeeringsRemoved => "peerings_removed",
            Rule::AuthorizationsUnused => "authorizations_unused",
            Rule::PeeringKnown => "peering",
        }
    }
}

/// Which check a failure comes from: a link's, a peering's, or a rule of the gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CheckId {
    Link(CheckName),
    Peering(PeeringCheckName),
    Rule(Rule),
}

impl CheckId {
    /// The check's name, as in the `check` field of the JSON and metrics.
    pub fn as_str(&self) -> &'static str {
        match self {
            CheckId::Link(c) => c.as_str(),
            CheckId::Peering(c) => c.as_str(),
            CheckId::Rule(r) => r.as_str(),
        }
    }
}

/// What a failure is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    Link(LinkId),
    Circuit(String),
    Peering { circuit: String, peering: String },
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::Link(l) => f.write_str(l.as_str()),
            Subject::Circuit(c) => write!(f, "circuit {c}"),
            Subject::Peering { circuit, peering } => write!(f, "{circuit} {peering}"),
        }
    }
}

/// Why an action may not go ahead: one failing check, what it is about, and a sentence
/// for a person. Rendered everywhere from this value, never parsed back from text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub check: CheckId,
    pub subject: Subject,
    pub detail: String,
}

impl fmt::Display for Failure {
    /// "check: detail"; a peering's failure starts with the peering's name ("AzurePrivatePeering
    /// bgp_established: ..."), since its detail does not name it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.subject {
            Subject::Peering { peering, .. } => {
                write!(f, "{peering} {}: {}", self.check.as_str(), self.detail)
            }
            _ => write!(f, "{}: {}", self.check.as_str(), self.detail),
        }
    }
}

/// The gate's answer to one action: the verdict and every failure behind it.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub action: Action,
    pub verdict: Verdict,
    pub failures: Vec<Failure>,
}

impl Outcome {
    fn of(action: Action, failures: Vec<Failure>) -> Outcome {
        let verdict = if failures.is_empty() {
            Verdict::Ready
        } else {
            Verdict::NotReady
        };
        Outcome {
            action,
            verdict,
            failures,
        }
    }

    pub fn ready(&self) -> bool {
        self.verdict.ready()
    }

    /// Each failure as "check: detail" (the `failing` field of the JSON answers).
    pub fn failing(&self) -> Vec<String> {
        self.failures.iter().map(Failure::to_string).collect()
    }
}

/// Every failing check of a port's links, link1's first.
fn port_failures(port: &PortReadiness) -> Vec<Failure> {
    port.links()
        .iter()
        .flat_map(|l| {
            l.failing().map(|c| Failure {
                check: CheckId::Link(c.name),
                subject: Subject::Link(l.link),
                detail: c.detail.clone(),
            })
        })
        .collect()
}

/// Every failing check of a peering.
fn peering_failures(p: &PeeringReadiness) -> Vec<Failure> {
    p.failing()
        .map(|c| Failure {
            check: CheckId::Peering(c.name),
            subject: Subject::Peering {
                circuit: p.circuit.clone(),
                peering: p.peering.clone(),
            },
            detail: c.detail.clone(),
        })
        .collect()
}

/// The gate's decision on `action`: a port action by the port's readiness, a circuit
/// action by `circuit`'s states, and enable-traffic by the circuit's peerings
/// (`peerings`: those of the circuit), the links under them and, when Azure is read,
/// the circuit's states. `port_id`: the port's ARM id, when Azure is read (a circuit on
/// another port is never this port's). The one evaluation every answer renders.
pub fn decide(
    action: Action,
    port: &PortReadiness,
    port_id: Option<&str>,
    circuit: Option<&AzureCircuit>,
    peerings: &[PeeringReadiness],
) -> Outcome {
    let failures = match (action, circuit) {
        (Action::EnableTraffic, c) => traffic_failures(port, port_id, c, peerings),
        (a, _) if !a.on_circuit() => port_failures(port),
        (a, Some(c)) => circuit_failures(a, port_id, c),
        (_, None) => vec![Failure {
            check: CheckId::Rule(Rule::CircuitKnown),
            subject: Subject::Circuit(String::new()),
            detail: format!("{action} needs a circuit seen in Azure"),
        }],
    };
    Outcome::of(action, failures)
}

/// Why production traffic may not move onto a circuit now: every link check of the
/// port (a dark link carries no session), the circuit on this port, Provisioned and
/// Enabled (when read from Azure), and every check of every peering of the circuit. A
/// circuit with no known peering is never ready.
fn traffic_failures(
    port: &PortReadiness,
    port_id: Option<&str>,
    circuit: Option<&AzureCircuit>,
    peerings: &[PeeringReadiness],
) -> Vec<Failure> {
    let mut failing = port_failures(port);
    if let Some(c) = circuit {
        failing.extend(circuit_failures(Action::ConfigurePeering, port_id, c));
    }
    if peerings.is_empty() {
        failing.push(Failure {
            check: CheckId::Rule(Rule::PeeringKnown),
            subject: Subject::Circuit(circuit.map(|c| c.name.clone()).unwrap_or_default()),
            detail: "no peering is known for this circuit (configured in Azure, or declared as [[port.peering]])".to_string(),
        });
    }
    for p in peerings {
        failing.extend(peering_failures(p));
    }
    failing
}

/// Why a circuit action may not go ahead now, per the documented rules (README,
/// "Gate rules"):
/// - every circuit action: the circuit is on this port, and its ARM provisioningState
///   is Succeeded (Updating, Deleting or Failed: Azure is not done with it);
/// - configure-peering (and enable-traffic): Provisioned and Enabled ("To configure
///   peering(s), the ExpressRoute circuit must be in a provisioned and enabled state",
///   Microsoft Learn, expressroute-howto-routing-portal-resource-manager);
/// - delete-circuit, partner circuit: not while the provider state is Provisioning or
///   Provisioned ("A circuit can't be deleted when the ServiceProviderProvisioningState
///   is Provisioning or Provisioned", Microsoft Learn, expressroute-workflows);
/// - delete-circuit, Direct circuit (no provider; Azure shows it Provisioned from the
///   start): not while its provider state is in transition, not while a peering is
///   still configured (it may carry traffic; remove peerings first, which also unlinks
///   what rides on them), and not while an authorization is in use (a virtual network
///   is linked through it; Microsoft Learn's circuit how-tos have every virtual network
///   unlinked before a circuit is deleted).
///   Partner circuits are held to the peering and authorization rules too.
fn circuit_failures(action: Action, port_id: Option<&str>, c: &AzureCircuit) -> Vec<Failure> {
    let fail = |rule: Rule, detail: String| Failure {
        check: CheckId::Rule(rule),
        subject: Subject::Circuit(c.name.clone()),
        detail,
    };
    let mut failing = Vec::new();
    if let (Some(ours), Some(theirs)) = (port_id, c.port_id.as_deref()) {
        if !same_resource(ours, theirs) {
            failing.push(fail(
                Rule::CircuitPort,
                format!("circuit {} is on another ExpressRoute port ({theirs}), not on this one ({ours})", c.name),
            ));
        }
    }
    if c.provisioning_state != "Succeeded" {
        failing.push(fail(
            Rule::CircuitProvisioning,
            format!(
                "circuit {} provisioningState is {}; Azure has not finished (or failed) an operation on it",
                c.name, c.provisioning_state
            ),
        ));
    }
    match action {
        Action::ConfigurePeering | Action::EnableTraffic => {
            if c.provider_state != "Provisioned" {
                failing.push(fail(
                    Rule::ProviderState,
                    format!(
                        "circuit {} provider state is {}; peering can be configured once it is Provisioned",
                        c.name, c.provider_state
                    ),
                ));
            }
            if c.circuit_state != "Enabled" {
                failing.push(fail(
                    Rule::CircuitState,
                    format!(
                        "circuit {} is {}; peering needs it Enabled (if it stays so, contact Microsoft support)",
                        c.name, c.circuit_state
                    ),
                ));
            }
        }
        Action::DeleteCircuit => {
            let billing = "Microsoft keeps billing the circuit until it is deleted";
            if c.is_direct() {
                if !matches!(c.provider_state.as_str(), "Provisioned" | "NotProvisioned") {
                    failing.push(fail(
                        Rule::ProviderState,
                        format!(
                            "circuit {} is {}, in transition: wait until it settles before deleting it; {billing}",
                            c.name, c.provider_state
                        ),
                    ));
                }
            } else if matches!(c.provider_state.as_str(), "Provisioning" | "Provisioned") {
                failing.push(fail(
                    Rule::ProviderState,
                    format!(
                        "circuit {} is {}: the provider must deprovision it before it can be deleted; {billing}",
                        c.name, c.provider_state
                    ),
                ));
            } else if c.provider_state != "NotProvisioned" {
                failing.push(fail(
                    Rule::ProviderState,
                    format!(
                        "circuit {} provider state is {}; deletion waits for NotProvisioned; {billing}",
                        c.name, c.provider_state
                    ),
                ));
            }
            if !c.peerings.is_empty() {
                let names: Vec<&str> = c.peerings.iter().map(|p| p.name.as_str()).collect();
                failing.push(fail(
                    Rule::PeeringsRemoved,
                    format!(
                        "circuit {} still has {} configured ({}): it may carry traffic; remove the peerings (and unlink the virtual networks on them) first",
                        c.name,
                        if names.len() == 1 { "a peering" } else { "peerings" },
                        names.join(", ")
                    ),
                ));
            }
            if !c.authorizations_in_use.is_empty() {
                failing.push(fail(
                    Rule::AuthorizationsUnused,
                    format!(
                        "circuit {} has authorizations in use ({}): a virtual network is linked through each; unlink them first",
                        c.name,
                        c.authorizations_in_use.join(", ")
                    ),
                ));
            }
        }
        Action::CreateCircuit => failing.push(fail(
            Rule::CircuitKnown,
            format!("{action} is not a circuit action"),
        )),
    }
    failing
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_names_are_the_wire_names() {
        for a in Action::PORT.into_iter().chain(Action::CIRCUIT) {
            assert_eq!(a.as_str().parse::<Action>(), Ok(a));
            assert_eq!(
                serde_json::to_string(&a).unwrap(),
                format!("\"{}\"", a.as_str())
            );
        }
        assert!("create_circuit".parse::<Action>().is_err());
        assert_eq!(
            serde_json::to_string(&Verdict::NotReady).unwrap(),
            "\"not_ready\""
        );
    }

    fn circuit(provider: &str, state: &str) -> AzureCircuit {
        AzureCircuit {
            name: "ckt-1".into(),
            id: "/subscriptions/x/ckt-1".into(),
            provider_state: provider.into(),
            circuit_state: state.into(),
            provisioning_state: "Succeeded".into(),
            provider: Some("Equinix".into()),
            port_id: None,
            authorizations_in_use: vec![],
            peerings: vec![],
            premium: false,
        }
    }

    fn failing(action: Action, c: &AzureCircuit) -> Vec<String> {
        circuit_failures(action, Some(PORT), c)
            .iter()
            .map(Failure::to_string)
            .collect()
    }

    const PORT: &str =
        "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/expressRoutePorts/erd-1";

    fn direct(provider: &str) -> AzureCircuit {
        AzureCircuit {
            provider: None,
            port_id: Some(PORT.to_ascii_uppercase()),
            ..circuit(provider, "Enabled")
        }
    }

    #[test]
    fn a_direct_circuit_is_deleted_on_what_applies_to_it() {
        // Microsoft's own Direct example: Provisioned, no provider, on the port.
        assert_eq!(
            failing(Action::DeleteCircuit, &direct("Provisioned")),
            Vec::<String>::new()
        );
        let mut c = direct("Provisioned");
        c.peerings.push(crate::domain::AzurePeering {
            name: "AzurePrivatePeering".into(),
            kind: "AzurePrivatePeering".into(),
            state: "Enabled".into(),
            provisioning_state: "Succeeded".into(),
            advertised: vec![],
            primary_prefix: None,
            secondary_prefix: None,
            ipv6_primary_prefix: None,
            ipv6_secondary_prefix: None,
        });
        c.authorizations_in_use = vec!["auth-vnet-1".into()];
        let f = failing(Action::DeleteCircuit, &c);
        assert_eq!(f.len(), 2, "{f:?}");
        assert!(
            f[0].starts_with("peerings_removed: ") && f[0].contains("AzurePrivatePeering"),
            "{f:?}"
        );
        assert!(
            f[1].starts_with("authorizations_unused: ") && f[1].contains("auth-vnet-1"),
            "{f:?}"
        );
        let f = failing(Action::DeleteCircuit, &direct("Provisioning"));
        assert!(
            f[0].contains("in transition") && f[0].contains("keeps billing"),
            "{f:?}"
        );
    }

    #[test]
    fn a_circuit_on_another_port_or_not_succeeded_is_refused_for_every_action() {
        let mut c = direct("Provisioned");
        c.port_id = Some(PORT.replace("erd-1", "erd-2"));
        for a in Action::CIRCUIT {
            let f = failing(a, &c);
            assert!(
                f.iter()
                    .any(|f| f.starts_with("circuit_port: ") && f.contains("erd-2")),
                "{a}: {f:?}"
            );
        }
        let mut c = direct("Provisioned");
        c.provisioning_state = "Failed".into();
        for a in Action::CIRCUIT {
            let f = failing(a, &c);
            assert!(
                f.iter()
                    .any(|f| f.starts_with("circuit_provisioning: ") && f.contains("Failed")),
                "{a}: {f:?}"
            );
        }
    }

    #[test]
    fn peering_needs_provisioned_and_enabled() {
        assert!(failing(Action::ConfigurePeering, &circuit("Provisioned", "Enabled")).is_empty());
        let f = failing(
            Action::ConfigurePeering,
            &circuit("Provisioning", "Enabled"),
        );
        assert_eq!(f.len(), 1);
        assert!(f[0].contains("once it is Provisioned"));
        assert_eq!(
            failing(
                Action::ConfigurePeering,
                &circuit("Provisioned", "Disabled")
            )
            .len(),
            1
        );
    }

    #[test]
    fn deletion_waits_for_the_provider_and_says_billing_continues() {
        for s in ["Provisioning", "Provisioned"] {
            let f = failing(Action::DeleteCircuit, &circuit(s, "Enabled"));
            assert!(f[0].contains("keeps billing"), "{f:?}");
        }
        assert!(failing(Action::DeleteCircuit, &circuit("NotProvisioned", "Enabled")).is_empty());
    }
}
