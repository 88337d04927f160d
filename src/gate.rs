//! The gate service: decides a request with the core's rules
//! ([`PortView::decide`]) on the store's view of the port, or of the
//! circuit, at that moment, and appends the decision to the audit trail, fsynced, before
//! anyone may act on it. A decision that cannot be recorded is an error: nobody acts on
//! an unrecorded verdict.

use std::io;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use lightgate_core::gate::Action;

use crate::api::link_json;
use crate::audit::{AuditLog, Decision, GateRequest, LinkChecks, LinkReadings};
use crate::store::{PortView, Store};

/// Decides and records gate requests; one per agent (its audit writer is shared).
#[derive(Debug)]
pub struct Gate {
    store: Arc<Store>,
    audit: AuditLog,
}

impl Gate {
    pub fn new(store: Arc<Store>) -> Self {
        Gate {
            store,
            audit: AuditLog::default(),
        }
    }

    /// Decides `action` on `port` at `now` and records it. `None` for an unknown port.
    pub fn port(
        &self,
        port: &str,
        action: Action,
        request: &GateRequest,
        now: Instant,
    ) -> Option<io::Result<Decision>> {
        let view = self.store.port(port, now)?;
        Some(self.record(&view, action, None, request))
    }

    /// Decides a circuit action on the circuit's states in Azure, and records it with
    /// its port's evidence. `None` when no observed port has a circuit of that name.
    pub fn circuit(
        &self,
        circuit: &str,
        action: Action,
        request: &GateRequest,
        now: Instant,
    ) -> Option<io::Result<Decision>> {
        let (view, c) = self.store.circuit_or_declared(circuit, now)?;
        // Without Azure a circuit is known by the peerings declared for it, and only
        // traffic is decided on them.
        if c.is_none() && action != Action::EnableTraffic {
            return None;
        }
        Some(self.record(&view, action, Some(circuit), request))
    }

    /// The decision on `view` with the port's checks and readings as evidence, appended
    /// to the audit trail before it is returned.
    fn record(
        &self,
        view: &PortView,
        action: Action,
        circuit_name: Option<&str>,
        request: &GateRequest,
    ) -> io::Result<Decision> {
        let decision = decision(view, action, circuit_name, request);
        let path = self.store.config().audit_log.clone();
        self.audit.append(&path, &decision).map(|()| decision)
    }
}

/// The decision record of `action` on `view` (and `circuit_name`, for a circuit
/// action): [`PortView::decide`] rendered, with the port's checks, readings and, for
/// enable-traffic, the circuit's peerings as evidence. Nothing recorded.
pub fn decision(
    view: &PortView,
    action: Action,
    circuit_name: Option<&str>,
    request: &GateRequest,
) -> Decision {
    let outcome = view.decide(action, circuit_name);
    let verdict = outcome.verdict;
    // The links as the port's JSON shows them (not the whole port: its peerings would
    // be evaluated for nothing).
    let [l1, l2] = &view.links;
    let (link1, link2) = (link_json(view, l1, 0), link_json(view, l2, 1));
    Decision {
        decision_id: decision_id(),
        time: humantime::format_rfc3339_millis(view.evaluated_at).to_string(),
        port: view.config.name.clone(),
        action: action.as_str().to_string(),
        circuit: circuit_name.map(str::to_string),
        ready: verdict.ready(),
        verdict: verdict.as_str().to_string(),
        user: request.user.clone(),
        host: request.host.clone(),
        command: request.command.clone(),
        failing: outcome.failing(),
        failures: crate::api::FailureJson::all(&outcome),
        checks: LinkChecks {
            link1: link1.checks,
            link2: link2.checks,
        },
        readings: LinkReadings {
            link1: link1.reading,
            link2: link2.reading,
        },
        peerings: match (action, circuit_name) {
            (Action::EnableTraffic, Some(c)) => view
                .peerings
                .iter()
                .filter(|x| x.circuit == c)
                .map(|x| crate::api::PeeringReadyJson::for_traffic(view, x))
                .collect(),
            _ => Vec::new(),
        },
    }
}

/// A decision id unique within this host: Unix milliseconds and a counter.
fn decision_id() -> String {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let ms = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    format!("{ms}-{n}")
}
