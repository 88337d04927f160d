//! What a gate decides on and by which rules. A port action (creating a circuit) goes
//! ahead when both links of the port are ready; a circuit action (configuring a peering,
//! deleting the circuit) when the circuit's states in Azure allow it, per the documented
//! ExpressRoute rules. Pure: the caller records the decision.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::bgp::PeeringReadiness;
use crate::domain::{AzureCircuit, PortReadiness};

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

/// "check: detail" for every failing check of a port's links.
pub fn port_failing(port: &PortReadiness) -> Vec<String> {
    port.links()
        .iter()
        .flat_map(|l| l.failing())
        .map(|c| format!("{}: {}", c.name.as_str(), c.detail))
        .collect()
}

/// The gate's decision on `action`: a port action by the port's readiness, a circuit
/// action by `circuit`'s states alone, and enable-traffic by the circuit's peerings
/// (`peerings`: those of the circuit), the links under them and, when Azure is read,
/// the circuit's states. Returns the verdict and, when not ready, why.
pub fn decide(
    action: Action,
    port: &PortReadiness,
    circuit: Option<&AzureCircuit>,
    peerings: &[PeeringReadiness],
) -> (Verdict, Vec<String>) {
    let failing = match (action, circuit) {
        (Action::EnableTraffic, c) => traffic_failing(port, c, peerings),
        (a, _) if !a.on_circuit() => port_failing(port),
        (a, Some(c)) => circuit_action(a, c),
        (_, None) => vec![format!("action: {action} needs a circuit seen in Azure")],
    };
    let verdict = if failing.is_empty() {
        Verdict::Ready
    } else {
        Verdict::NotReady
    };
    (verdict, failing)
}

/// Why production traffic may not move onto a circuit now: every link check of the
/// port (a dark link carries no session), the circuit Provisioned and Enabled (when
/// read from Azure), and every check of every peering of the circuit. A circuit with
/// no known peering is never ready.
pub fn traffic_failing(
    port: &PortReadiness,
    circuit: Option<&AzureCircuit>,
    peerings: &[PeeringReadiness],
) -> Vec<String> {
    let mut failing = port_failing(port);
    if let Some(c) = circuit {
        failing.extend(circuit_action(Action::ConfigurePeering, c));
    }
    if peerings.is_empty() {
        failing.push(
            "peering: no peering is known for this circuit (configured in Azure, or declared as [[port.peering]])".to_string(),
        );
    }
    for p in peerings {
        for c in p.failing() {
            failing.push(format!("{} {}: {}", p.peering, c.name.as_str(), c.detail));
        }
    }
    failing
}

/// Why a circuit action may not go ahead now ("check: detail" lines; empty when it
/// may), per the documented rules: peering needs Provisioned and Enabled; a circuit
/// cannot be deleted while its provider state is Provisioning or Provisioned.
pub fn circuit_action(action: Action, c: &AzureCircuit) -> Vec<String> {
    let mut failing = Vec::new();
    match action {
        Action::ConfigurePeering => {
            if c.provider_state != "Provisioned" {
                failing.push(format!(
                    "provider_state: circuit {} provider state is {}; peering can be configured once it is Provisioned",
                    c.name, c.provider_state
                ));
            }
            if c.circuit_state != "Enabled" {
                failing.push(format!(
                    "circuit_state: circuit {} is {}; peering needs it Enabled (if it stays so, contact Microsoft support)",
                    c.name, c.circuit_state
                ));
            }
        }
        Action::DeleteCircuit => {
            if matches!(c.provider_state.as_str(), "Provisioning" | "Provisioned") {
                failing.push(format!(
                    "provider_state: circuit {} is {}: the provider must deprovision it before it can be deleted; Microsoft keeps billing the circuit until it is deleted",
                    c.name, c.provider_state
                ));
            }
        }
        Action::EnableTraffic => failing.extend(circuit_action(Action::ConfigurePeering, c)),
        Action::CreateCircuit => failing.push(format!(
            "action: {} is not a circuit action",
            action.as_str()
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
            provider: None,
            peerings: vec![],
            premium: false,
        }
    }

    #[test]
    fn peering_needs_provisioned_and_enabled() {
        assert!(
            circuit_action(Action::ConfigurePeering, &circuit("Provisioned", "Enabled")).is_empty()
        );
        let f = circuit_action(
            Action::ConfigurePeering,
            &circuit("Provisioning", "Enabled"),
        );
        assert_eq!(f.len(), 1);
        assert!(f[0].contains("once it is Provisioned"));
        assert_eq!(
            circuit_action(
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
            let f = circuit_action(Action::DeleteCircuit, &circuit(s, "Enabled"));
            assert!(f[0].contains("keeps billing"), "{f:?}");
        }
        assert!(
            circuit_action(Action::DeleteCircuit, &circuit("NotProvisioned", "Enabled")).is_empty()
        );
    }
}
