//! Readiness of a Direct port pair for circuit creation: a value with named checks,
//! never an error. A link is ready when every check passes; the port when both are.

use std::time::{Duration, Instant};

use super::azure::{AzureLevel, AzureProvisioning};
use super::reading::{Direction, LinkReading};
use super::status::{AdminStatus, AzureAdminState, LinkId, OperStatus};
use super::tracker::{format_duration, LinkTracker};
use super::window::{PowerInputs, Windows};

/// The checks, in the order they are reported. Names are the `check` label values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CheckName {
    AzureAdminEnabled,
    /// Only when the port's Azure side is observed: ARM's provisioningState of the port
    /// and of the link is Succeeded (not Updating, Deleting or Failed).
    AzureProvisioned,
    /// Only when the port's Azure side is observed: Azure sees the link's line protocol up.
    AzureLineProtocolUp,
    LocalAdminUp,
    OperUp,
    RxPowerInRange,
    TxPowerInRange,
    Stable,
    Fresh,
}

impl CheckName {
    pub const ALL: [CheckName; 9] = [
        CheckName::AzureAdminEnabled,
        CheckName::AzureProvisioned,
        CheckName::AzureLineProtocolUp,
        CheckName::LocalAdminUp,
        CheckName::OperUp,
        CheckName::RxPowerInRange,
        CheckName::TxPowerInRange,
        CheckName::Stable,
        CheckName::Fresh,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            CheckName::AzureAdminEnabled => "azure_admin_enabled",
            CheckName::AzureProvisioned => "azure_provisioned",
            CheckName::AzureLineProtocolUp => "azure_line_protocol_up",
            CheckName::LocalAdminUp => "local_admin_up",
            CheckName::OperUp => "oper_up",
            CheckName::RxPowerInRange => "rx_power_in_range",
            CheckName::TxPowerInRange => "tx_power_in_range",
            CheckName::Stable => "stable",
            CheckName::Fresh => "fresh",
        }
    }
}

/// One check's outcome, with a sentence saying why.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    pub name: CheckName,
    pub pass: bool,
    pub detail: String,
}

/// The checks of one link.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkReadiness {
    pub link: LinkId,
    pub checks: Vec<Check>,
}

impl LinkReadiness {
    pub fn ready(&self) -> bool {
        self.checks.iter().all(|c| c.pass)
    }

    pub fn failing(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| !c.pass)
    }
}

/// Both links of a port pair.
#[derive(Debug, Clone, PartialEq)]
pub struct PortReadiness {
    pub link1: LinkReadiness,
    pub link2: LinkReadiness,
}

impl PortReadiness {
    pub fn ready(&self) -> bool {
        self.link1.ready() && self.link2.ready()
    }

    pub fn links(&self) -> [&LinkReadiness; 2] {
        [&self.link1, &self.link2]
    }
}

/// How a port judges its links.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinkPolicy {
    /// The Rx window (and what Azure receives), and the Tx window when configured.
    pub windows: Windows,
    /// How long a link must have been healthy and unchanged.
    pub hold_down: Duration,
    /// How old the last successful reading may be.
    pub staleness: Duration,
}

/// What is known about the Azure side of a link.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AzureInput<'a> {
    /// Declared by the operator (no Azure access): admin state only.
    Declared(AzureAdminState),
    /// Observed from Azure: the port resource's admin state and Azure Monitor's
    /// LineProtocol (None when Azure gave no value).
    Observed {
        admin: AzureAdminState,
        line_protocol_up: Option<bool>,
        /// What Azure's port receives from this link (Azure Monitor's RxLightLevel).
        received: &'a [AzureLevel],
        /// Why Azure Monitor's values are not current, when they are not.
        stale: Option<&'a str>,
        /// ARM's provisioningState of the port and the link.
        provisioning: &'a AzureProvisioning,
        /// Azure's word for an admin state lightgate does not know.
        admin_said: Option<&'a str>,
    },
    /// Azure is configured for the port but gives no current observation: why.
    Unavailable(&'a str),
}

/// Everything known about one link at evaluation time.
#[derive(Debug, Clone, Copy)]
pub struct LinkInputs<'a> {
    pub link: LinkId,
    pub azure: AzureInput<'a>,
    /// The latest successful reading of the interface, however old.
    pub reading: Option<&'a LinkReading>,
    /// When that reading was taken.
    pub read_at: Option<Instant>,
    /// The latest error reading this interface or its device, if the last poll failed.
    pub error: Option<&'a str>,
    pub tracker: &'a LinkTracker,
}

/// Evaluates every check of one link at `now`.
pub fn evaluate_link(inputs: &LinkInputs<'_>, policy: &LinkPolicy, now: Instant) -> LinkReadiness {
    let link = inputs.link;
    let mut checks = azure_checks(link, inputs.azure);
    match inputs.reading {
        Some(r) => {
            checks.push(Check {
                name: CheckName::LocalAdminUp,
                pass: r.admin_status == AdminStatus::Up,
                detail: format!("{link} admin status {}", r.admin_status),
            });
            checks.push(Check {
                name: CheckName::OperUp,
                pass: r.oper_status == OperStatus::Up,
                detail: format!("{link} oper status {}", r.oper_status),
            });
            let expected = inputs.tracker.expected_lanes(r);
            let power = PowerInputs {
                link,
                reading: r,
                windows: &policy.windows,
                expected_lanes: &expected,
                azure_rx: match inputs.azure {
                    AzureInput::Observed { received, .. } => received,
                    _ => &[],
                },
            };
            for (name, direction) in [
                (CheckName::RxPowerInRange, Direction::Rx),
                (CheckName::TxPowerInRange, Direction::Tx),
            ] {
                let (pass, detail) = power.check(direction);
                checks.push(Check { name, pass, detail });
            }
        }
        None => {
            // Nothing read: these checks cannot pass, but the reason (a console in use,
            // a timeout, a refused login) is named once, under `fresh`, not four times
            // as if the port were shut.
            for (name, what) in [
                (CheckName::LocalAdminUp, "admin status"),
                (CheckName::OperUp, "oper status"),
                (CheckName::RxPowerInRange, "rx power"),
                (CheckName::TxPowerInRange, "tx power"),
            ] {
                checks.push(Check {
                    name,
                    pass: false,
                    detail: format!("{link} {what} unknown: the link was not read (see fresh)"),
                });
            }
        }
    }
    checks.push(stable_check(link, inputs.tracker, policy.hold_down, now));
    checks.push(fresh_check(inputs, policy.staleness, now));
    LinkReadiness { link, checks }
}

fn azure_checks(link: LinkId, azure: AzureInput<'_>) -> Vec<Check> {
    let admin = |state: AzureAdminState, origin: &str| Check {
        name: CheckName::AzureAdminEnabled,
        pass: state == AzureAdminState::Enabled,
        detail: format!("{link} Azure admin state {} ({origin})", state.as_str()),
    };
    let line = |pass: bool, detail: String| Check {
        name: CheckName::AzureLineProtocolUp,
        pass,
        detail,
    };
    match azure {
        AzureInput::Declared(AzureAdminState::Unknown) => vec![admin(
            AzureAdminState::Unknown,
            "not declared in the config and not observed from Azure",
        )],
        AzureInput::Declared(state) => vec![admin(state, "declared in the config")],
        AzureInput::Observed {
            admin: state,
            line_protocol_up,
            stale,
            provisioning,
            admin_said,
            ..
        } => vec![
            match (state, admin_said) {
                (AzureAdminState::Unknown, said) => admin(
                    state,
                    &format!(
                        "observed from Azure, which says {:?}: not a state lightgate knows, so not Enabled",
                        said.unwrap_or("nothing")
                    ),
                ),
                _ => admin(state, "observed from Azure"),
            },
            match provisioning.problem() {
                None => Check {
                    name: CheckName::AzureProvisioned,
                    pass: true,
                    detail: format!("{link} Azure provisioningState Succeeded (port and link)"),
                },
                Some(why) => Check {
                    name: CheckName::AzureProvisioned,
                    pass: false,
                    detail: format!("{link} not provisioned in Azure: {why}"),
                },
            },
            match (stale, line_protocol_up) {
                (Some(why), _) => line(false, format!("{link} Azure data not fresh: {why}")),
                (None, line_protocol_up) => match line_protocol_up {
                    Some(true) => line(true, format!("{link} Azure line protocol up")),
                    Some(false) => line(false, format!("{link} Azure line protocol down")),
                    None => line(
                        false,
                        format!("{link} Azure reports no line protocol value"),
                    ),
                },
            },
        ],
        AzureInput::Unavailable(why) => vec![
            admin(
                AzureAdminState::Unknown,
                &format!("not observed from Azure: {why}"),
            ),
            line(false, format!("{link} Azure line protocol unknown: {why}")),
        ],
    }
}

fn stable_check(link: LinkId, tracker: &LinkTracker, hold_down: Duration, now: Instant) -> Check {
    let (pass, detail) = match tracker.disturbed() {
        None => (false, format!("{link} not observed yet")),
        Some((at, why)) => {
            let quiet = now.saturating_duration_since(at);
            let hold = format_duration(hold_down);
            if quiet >= hold_down {
                (
                    true,
                    format!(
                        "{link} stable for {} (hold-down {hold})",
                        format_duration(quiet)
                    ),
                )
            } else {
                (
                    false,
                    format!(
                        "{link} stable for only {} of the {hold} hold-down (last: {why})",
                        format_duration(quiet)
                    ),
                )
            }
        }
    };
    Check {
        name: CheckName::Stable,
        pass,
        detail,
    }
}

fn fresh_check(inputs: &LinkInputs<'_>, staleness: Duration, now: Instant) -> Check {
    let link = inputs.link;
    let error = inputs
        .error
        .map(|e| format!(" (last error: {e})"))
        .unwrap_or_default();
    let (pass, detail) = match inputs.read_at {
        None => (false, format!("{link} never read{error}")),
        Some(at) => {
            let age = now.saturating_duration_since(at);
            if age <= staleness {
                (true, format!("{link} read {} ago", format_duration(age)))
            } else {
                (
                    false,
                    format!(
                        "{link} last read {} ago, older than {}{error}",
                        format_duration(age),
                        format_duration(staleness)
                    ),
                )
            }
        }
    };
    Check {
        name: CheckName::Fresh,
        pass,
        detail,
    }
}

#[cfg(test)]
mod tests;
