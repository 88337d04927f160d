//! The JSON shapes of the HTTP API. The server builds them from store snapshots and the
//! CLI reads them back, so both sides share one definition. [`ReadingJson`] is the
//! reading format every command that prints readings uses.

use std::time::SystemTime;

use lightgate_core::gate::Action;
use serde::{Deserialize, Serialize};

use crate::domain::{AzureLink, Direction, Level, LinkReading, OpticalPower, Thresholds};
use crate::store::{LinkView, PortView};

/// RFC 3339 in UTC, to the second.
pub fn timestamp(t: SystemTime) -> String {
    humantime::format_rfc3339_seconds(t).to_string()
}

/// The four levels of one direction, in dBm; null where the optic gives none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct LevelsJson {
    pub high_alarm: Option<f64>,
    pub high_warning: Option<f64>,
    pub low_warning: Option<f64>,
    pub low_alarm: Option<f64>,
}

impl From<&Thresholds> for LevelsJson {
    fn from(t: &Thresholds) -> Self {
        LevelsJson {
            high_alarm: t.get(Level::HighAlarm),
            high_warning: t.get(Level::HighWarning),
            low_warning: t.get(Level::LowWarning),
            low_alarm: t.get(Level::LowAlarm),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ThresholdsJson {
    pub rx: LevelsJson,
    pub tx: LevelsJson,
}

/// One lane of a multi-lane optic (lanes are 0-based).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LaneJson {
    pub lane: u16,
    pub rx_dbm: Option<f64>,
    pub tx_dbm: Option<f64>,
    pub rx_no_light: bool,
    pub tx_no_light: bool,
    /// The device gave the power twice and the two disagree (the reading's note says
    /// which): no number, not dark. Left out when false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub rx_inconsistent: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub tx_inconsistent: bool,
    pub bias_amperes: Option<f64>,
}

/// One direction's power as the JSON gives it: what every renderer (page, `probe`,
/// `status`) shows, from one place.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PowerShown {
    Dbm(f64),
    NoLight,
    Inconsistent,
    NotReported,
}

impl PowerShown {
    /// The short form of the terminal tables (`probe`, `status`): "-2.10", "dark",
    /// "inconsistent", "-".
    pub fn short(self) -> String {
        match self {
            PowerShown::Dbm(v) => format!("{v:.2}"),
            PowerShown::NoLight => "dark".into(),
            PowerShown::Inconsistent => "inconsistent".into(),
            PowerShown::NotReported => "-".into(),
        }
    }

    fn of(dbm: Option<f64>, no_light: bool, inconsistent: bool) -> PowerShown {
        match dbm {
            _ if no_light => PowerShown::NoLight,
            _ if inconsistent => PowerShown::Inconsistent,
            Some(v) => PowerShown::Dbm(v),
            None => PowerShown::NotReported,
        }
    }
}

impl LaneJson {
    pub fn rx(&self) -> PowerShown {
        PowerShown::of(self.rx_dbm, self.rx_no_light, self.rx_inconsistent)
    }

    pub fn tx(&self) -> PowerShown {
        PowerShown::of(self.tx_dbm, self.tx_no_light, self.tx_inconsistent)
    }
}

/// A reading of one interface. `rx_dbm`/`tx_dbm` are module level and null when dark
/// (then `rx_no_light`/`tx_no_light` is true), inconsistent (`rx_inconsistent`) or not
/// reported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReadingJson {
    pub device: String,
    pub interface: String,
    pub admin_status: String,
    pub oper_status: String,
    pub last_change: Option<String>,
    pub rx_dbm: Option<f64>,
    pub tx_dbm: Option<f64>,
    pub rx_milliwatts: Option<f64>,
    pub tx_milliwatts: Option<f64>,
    pub rx_no_light: bool,
    pub tx_no_light: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub rx_inconsistent: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub tx_inconsistent: bool,
    pub lanes: Vec<LaneJson>,
    pub bias_amperes: Option<f64>,
    pub temperature_celsius: Option<f64>,
    pub voltage_volts: Option<f64>,
    pub thresholds: ThresholdsJson,
    pub note: Option<String>,
    pub alias: Option<String>,
    pub speed_mbps: Option<u64>,
    pub in_errors: Option<u64>,
    pub out_errors: Option<u64>,
}

impl ReadingJson {
    /// The module-level powers.
    pub fn rx(&self) -> PowerShown {
        PowerShown::of(self.rx_dbm, self.rx_no_light, self.rx_inconsistent)
    }

    pub fn tx(&self) -> PowerShown {
        PowerShown::of(self.tx_dbm, self.tx_no_light, self.tx_inconsistent)
    }

    pub fn new(device: &str, interface: &str, r: &LinkReading) -> Self {
        let optic = r.optic.as_ref();
        let power = |d: Direction| {
            optic
                .map(|o| o.power(d))
                .unwrap_or(OpticalPower::NotSupported)
        };
        ReadingJson {
            device: device.to_string(),
            interface: interface.to_string(),
            admin_status: r.admin_status.as_str().to_string(),
            oper_status: r.oper_status.as_str().to_string(),
            last_change: r.last_change.map(timestamp),
            rx_dbm: power(Direction::Rx).dbm(),
            tx_dbm: power(Direction::Tx).dbm(),
            rx_milliwatts: power(Direction::Rx).milliwatts(),
            tx_milliwatts: power(Direction::Tx).milliwatts(),
            rx_no_light: power(Direction::Rx).is_no_light(),
            tx_no_light: power(Direction::Tx).is_no_light(),
            rx_inconsistent: power(Direction::Rx).is_inconsistent(),
            tx_inconsistent: power(Direction::Tx).is_inconsistent(),
            lanes: optic
                .map(|o| {
                    o.lanes
                        .iter()
                        .map(|l| LaneJson {
                            lane: l.lane,
                            rx_dbm: l.rx.dbm(),
                            tx_dbm: l.tx.dbm(),
                            rx_no_light: l.rx.is_no_light(),
                            tx_no_light: l.tx.is_no_light(),
                            rx_inconsistent: l.rx.is_inconsistent(),
                            tx_inconsistent: l.tx.is_inconsistent(),
                            bias_amperes: l.bias_amperes,
                        })
                        .collect()
                })
                .unwrap_or_default(),
            bias_amperes: optic.and_then(|o| o.bias_amperes),
            temperature_celsius: optic.and_then(|o| o.temperature_celsius),
            voltage_volts: optic.and_then(|o| o.voltage_volts),
            thresholds: optic
                .map(|o| ThresholdsJson {
                    rx: (&*o.rx_thresholds).into(),
                    tx: (&*o.tx_thresholds).into(),
                })
                .unwrap_or_default(),
            note: r.note.clone(),
            alias: r.details.alias.clone(),
            speed_mbps: r.details.speed_mbps,
            in_errors: r.details.in_errors,
            out_errors: r.details.out_errors,
        }
    }
}

/// One readiness check of one link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckJson {
    pub check: String,
    pub pass: bool,
    pub detail: String,
}

/// One Azure light level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AzureLevelJson {
    pub lane: Option<String>,
    pub dbm: f64,
}

/// The link as Azure sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AzureLinkJson {
    pub admin_state: String,
    pub line_protocol_up: Option<bool>,
    pub rx: Vec<AzureLevelJson>,
    pub tx: Vec<AzureLevelJson>,
    pub router_name: Option<String>,
    pub interface_name: Option<String>,
    pub patch_panel_id: Option<String>,
    pub rack_id: Option<String>,
    pub connector_type: Option<String>,
}

impl From<&AzureLink> for AzureLinkJson {
    fn from(a: &AzureLink) -> Self {
        let levels = |v: &[crate::domain::AzureLevel]| {
            v.iter()
                .map(|l| AzureLevelJson {
                    lane: l.lane.clone(),
                    dbm: l.dbm,
                })
                .collect()
        };
        AzureLinkJson {
            admin_state: a.admin.as_str().to_string(),
            line_protocol_up: a.line_protocol_up,
            rx: levels(&a.rx),
            tx: levels(&a.tx),
            router_name: a.info.router_name.clone(),
            interface_name: a.info.interface_name.clone(),
            patch_panel_id: a.info.patch_panel_id.clone(),
            rack_id: a.info.rack_id.clone(),
            connector_type: a.info.connector_type.clone(),
        }
    }
}

/// Loss of each fibre of a link, in dB.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct SpanLossJson {
    /// Our Tx minus Azure's Rx.
    pub to_azure: Option<f64>,
    /// Azure's Tx minus our Rx.
    pub from_azure: Option<f64>,
}

/// One link of a port, with its checks and latest reading.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkJson {
    pub link: String,
    pub device: String,
    pub interface: String,
    pub ready: bool,
    pub azure_admin_state: String,
    pub azure_admin_state_origin: String,
    pub checks: Vec<CheckJson>,
    /// The latest reading, however old (see `fresh` and `read_at`); null if never read.
    pub reading: Option<ReadingJson>,
    /// When `reading` was taken, RFC 3339 to the millisecond (every poll moves it).
    pub read_at: Option<String>,
    pub fresh: bool,
    pub last_error: Option<String>,
    pub flaps: u64,
    /// Seconds the link has been undisturbed (readings in the window, no state change);
    /// the `stable` check passes once this reaches the port's hold-down. Null before the
    /// first reading.
    #[serde(default)]
    pub stable_seconds: Option<f64>,
    /// Azure's view of the link, when the port is observed from Azure.
    pub azure: Option<AzureLinkJson>,
    pub span_loss_db: SpanLossJson,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinksJson {
    pub link1: LinkJson,
    pub link2: LinkJson,
}

/// A port's verdict: `ready`, the sentences of the failing checks, and both links.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PortJson {
    pub port: String,
    pub ready: bool,
    pub evaluated_at: String,
    pub hold_down_seconds: f64,
    pub staleness_seconds: f64,
    pub healthy_min_dbm: f64,
    pub healthy_max_dbm: f64,
    /// "check: detail" for every failing check of both links.
    pub failing: Vec<String>,
    pub links: LinksJson,
    /// What Azure returned that lightgate could not place (e.g. a Link dimension value
    /// naming neither link): reported, never dropped in silence.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub azure_notes: Vec<String>,
    /// What Azure says of the ExpressRoute port itself, when it is read.
    #[serde(default)]
    pub azure_port: Option<AzurePortJson>,
    /// The port's peerings and whether their BGP sessions are ready for traffic.
    #[serde(default)]
    pub peerings: Vec<PeeringReadyJson>,
}

/// A peering's readiness: GET /api/v1/circuits/{c}/peerings/{p}, and in each port.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeeringReadyJson {
    pub port: String,
    pub circuit: String,
    pub peering: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub ready: bool,
    /// "check: detail" of every failing check.
    pub failing: Vec<String>,
    #[serde(default)]
    pub failures: Vec<FailureJson>,
    pub checks: Vec<CheckJson>,
    pub sessions: Vec<SessionJson>,
}

/// One reason an action may not go ahead: the check, what it is about (a link, a
/// circuit, a peering) and a sentence for a person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FailureJson {
    pub check: String,
    pub subject: String,
    pub detail: String,
}

impl FailureJson {
    pub fn new(f: &lightgate_core::gate::Failure) -> Self {
        FailureJson {
            check: f.check.as_str().to_string(),
            subject: f.subject.to_string(),
            detail: f.detail.clone(),
        }
    }

    pub fn all(o: &lightgate_core::gate::Outcome) -> Vec<FailureJson> {
        o.failures.iter().map(FailureJson::new).collect()
    }
}

/// One BGP session a peering needs, and what its router reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionJson {
    pub link: String,
    pub device: String,
    pub vrf: Option<String>,
    pub family: String,
    pub subnet: String,
    /// Microsoft's address: the neighbour.
    pub neighbor: String,
    pub customer_address: String,
    /// Whether the router has a session with the neighbour.
    pub found: bool,
    pub state: Option<String>,
    pub remote_as: Option<u32>,
    pub established_seconds: Option<u64>,
    /// Times this agent saw the session go down or restart since it started.
    pub flaps_seen: Option<u64>,
    /// The last NOTIFICATION of the session ("Cease: administrative shutdown"), where
    /// the router gives it.
    pub last_error: Option<String>,
    /// The BFD session to the neighbour (up, down, init, admin_down, failing), where
    /// the router reports one, and why it last left up.
    pub bfd: Option<String>,
    pub bfd_diagnostic: Option<String>,
    pub prefixes_received: Option<u64>,
    /// Accepted after the router's import policy, where it tells (apart from received).
    pub prefixes_accepted: Option<u64>,
    pub prefixes_advertised: Option<u64>,
    /// True when `prefixes_advertised` is the count declared in the config.
    pub advertised_declared: bool,
    /// Microsoft's limit for the session.
    pub prefix_limit: u64,
}

impl PeeringReadyJson {
    /// The peering as enable-traffic would decide on it alone now: `ready` and
    /// `failing` are the gate's (the links under it, the circuit's Azure states, the
    /// peering's checks), never the peering's checks on their own; `checks` and
    /// `sessions` are the peering's evidence.
    pub fn for_traffic(view: &PortView, p: &crate::bgp::PeeringReadiness) -> Self {
        let o = view.decide_peering(p);
        PeeringReadyJson {
            port: view.config.name.clone(),
            circuit: p.circuit.clone(),
            peering: p.peering.clone(),
            kind: p.kind.as_str().to_string(),
            ready: o.ready(),
            failing: o.failing(),
            failures: FailureJson::all(&o),
            checks: p
                .checks
                .iter()
                .map(|c| CheckJson {
                    check: c.name.as_str().to_string(),
                    pass: c.pass,
                    detail: c.detail.clone(),
                })
                .collect(),
            sessions: p
                .sessions
                .iter()
                .map(|v| {
                    let e = &v.expected;
                    let f = v.found.as_ref();
                    SessionJson {
                        link: e.link.as_str().to_string(),
                        device: v.device.clone(),
                        vrf: e.vrf.clone(),
                        family: e.family.to_string(),
                        subnet: e.subnet.clone(),
                        neighbor: e.microsoft.to_string(),
                        customer_address: e.customer.to_string(),
                        found: f.is_some(),
                        state: f.map(|s| s.state.as_str().to_string()),
                        remote_as: f.and_then(|s| s.remote_as).map(|a| a.0),
                        established_seconds: f.and_then(|s| s.established_seconds),
                        flaps_seen: f.and_then(|s| s.flaps_seen),
                        last_error: f.and_then(|s| s.last_error.clone()),
                        bfd: f
                            .and_then(|s| s.bfd.as_ref())
                            .map(|b| b.state.as_str().to_string()),
                        bfd_diagnostic: f
                            .and_then(|s| s.bfd.as_ref())
                            .and_then(|b| b.diagnostic.clone()),
                        prefixes_received: f.and_then(|s| s.received_in(&e.family)),
                        prefixes_accepted: f
                            .and_then(|s| s.family(&e.family))
                            .and_then(|p| p.accepted),
                        prefixes_advertised: v.advertised,
                        advertised_declared: v.advertised_declared,
                        prefix_limit: v.limit,
                    }
                })
                .collect(),
        }
    }
}

/// The ExpressRoute port's own facts as Azure gives them (`bandwidthInGbps`,
/// `encapsulation`): what `lightgate peering check --url --port` checks a plan against.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AzurePortJson {
    pub bandwidth_gbps: Option<u64>,
    pub encapsulation: Option<String>,
    pub peering_location: Option<String>,
}

impl PortJson {
    /// The port's answer is create-circuit's: its verdict and failures rendered.
    pub fn new(view: &PortView) -> Self {
        let create = view.decide(Action::CreateCircuit, None);
        let failing = create.failing();
        let [l1, l2] = &view.links;
        PortJson {
            port: view.config.name.clone(),
            ready: create.ready(),
            evaluated_at: timestamp(view.evaluated_at),
            hold_down_seconds: view.config.hold_down.as_secs_f64(),
            staleness_seconds: view.config.staleness.as_secs_f64(),
            healthy_min_dbm: view.config.window.min_dbm,
            healthy_max_dbm: view.config.window.max_dbm,
            failing,
            links: LinksJson {
                link1: link_json(view, l1, 0),
                link2: link_json(view, l2, 1),
            },
            azure_notes: view
                .azure
                .as_ref()
                .map(|a| a.notes.clone())
                .unwrap_or_default(),
            azure_port: view.azure.as_ref().map(|a| AzurePortJson {
                bandwidth_gbps: a.bandwidth_gbps,
                encapsulation: a.encapsulation.clone(),
                peering_location: a.peering_location.clone(),
            }),
            peerings: view
                .peerings
                .iter()
                .map(|p| PeeringReadyJson::for_traffic(view, p))
                .collect(),
        }
    }
}

/// One link of `port` as JSON (`index` 0 for link1).
pub(crate) fn link_json(port: &PortView, v: &LinkView, index: usize) -> LinkJson {
    let readiness = port.readiness.links()[index];
    LinkJson {
        link: v.link.as_str().to_string(),
        device: v.config.device.clone(),
        interface: v.config.interface.clone(),
        ready: readiness.ready(),
        azure_admin_state: v.azure_admin.as_str().to_string(),
        azure_admin_state_origin: v.azure_origin.to_string(),
        checks: readiness
            .checks
            .iter()
            .map(|c| CheckJson {
                check: c.name.as_str().to_string(),
                pass: c.pass,
                detail: c.detail.clone(),
            })
            .collect(),
        reading: v
            .reading
            .as_ref()
            .map(|r| ReadingJson::new(&v.config.device, &v.config.interface, r)),
        read_at: v
            .read_at_wall
            .map(|t| humantime::format_rfc3339_millis(t).to_string()),
        fresh: v.fresh,
        last_error: v.error.clone(),
        flaps: v.flaps,
        stable_seconds: v.stable_for.map(|d| d.as_secs_f64()),
        azure: v.azure.as_ref().map(AzureLinkJson::from),
        span_loss_db: SpanLossJson {
            to_azure: v.span_loss_db.0,
            from_azure: v.span_loss_db.1,
        },
    }
}

/// A port's verdict in a line: GET /api/v1/verdicts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VerdictJson {
    pub port: String,
    pub ready: bool,
    /// "check: detail" of the first failing check, when not ready.
    pub reason: Option<String>,
}

impl VerdictJson {
    pub fn new(view: &PortView) -> Self {
        let create = view.decide(Action::CreateCircuit, None);
        VerdictJson {
            port: view.config.name.clone(),
            ready: create.ready(),
            reason: create.failures.first().map(ToString::to_string),
        }
    }
}

/// GET /api/v1/ports: every port; `ready` is true when all of them are.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PortsJson {
    pub ready: bool,
    pub ports: Vec<PortJson>,
}

/// The body of an error answer (404 and friends).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorJson {
    pub error: String,
}

/// A circuit seen in Azure, with what each circuit action would decide now.
#[derive(Debug, Serialize, Deserialize)]
pub struct CircuitJson {
    pub port: String,
    pub circuit: String,
    pub id: String,
    pub provider_state: String,
    pub circuit_state: String,
    pub provisioning_state: String,
    pub provider: Option<String>,
    pub peerings: Vec<PeeringJson>,
    /// Per circuit action: whether it may go ahead now, and why not.
    pub actions: std::collections::BTreeMap<String, ActionJson>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct PeeringJson {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub state: String,
    pub provisioning_state: String,
    /// The IPv4 family's advertisedPublicPrefixesState (kept for readers of 0.x; see
    /// `advertised` for every family).
    pub advertised_prefixes_state: Option<String>,
    /// Each address family's state and prefixes with their validation state.
    #[serde(default)]
    pub advertised: Vec<AdvertisedJson>,
}

/// A Microsoft peering's advertised public prefixes in one family.
#[derive(Debug, Serialize, Deserialize)]
pub struct AdvertisedJson {
    pub family: String,
    pub state: String,
    pub prefixes: Vec<(String, String)>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ActionJson {
    pub ready: bool,
    pub failing: Vec<String>,
    #[serde(default)]
    pub failures: Vec<FailureJson>,
}

impl ActionJson {
    pub fn new(o: &lightgate_core::gate::Outcome) -> Self {
        ActionJson {
            ready: o.ready(),
            failing: o.failing(),
            failures: FailureJson::all(o),
        }
    }
}

impl CircuitJson {
    pub fn new(view: &PortView, c: &crate::domain::AzureCircuit) -> CircuitJson {
        let port = view.config.name.as_str();
        CircuitJson {
            port: port.to_string(),
            circuit: c.name.clone(),
            id: c.id.clone(),
            provider_state: c.provider_state.clone(),
            circuit_state: c.circuit_state.clone(),
            provisioning_state: c.provisioning_state.clone(),
            provider: c.provider.clone(),
            peerings: c
                .peerings
                .iter()
                .map(|p| PeeringJson {
                    name: p.name.clone(),
                    kind: p.kind.clone(),
                    state: p.state.clone(),
                    provisioning_state: p.provisioning_state.clone(),
                    advertised_prefixes_state: p
                        .advertised
                        .iter()
                        .find(|a| a.family == "IPv4")
                        .map(|a| a.state.clone()),
                    advertised: p
                        .advertised
                        .iter()
                        .map(|a| AdvertisedJson {
                            family: a.family.to_string(),
                            state: a.state.clone(),
                            prefixes: a
                                .prefixes
                                .iter()
                                .map(|x| (x.prefix.clone(), x.validation_state.clone()))
                                .collect(),
                        })
                        .collect(),
                })
                .collect(),
            actions: Action::CIRCUIT
                .iter()
                .map(|a| {
                    // As the gate would decide now (enable-traffic: the peerings too).
                    let o = view.decide(*a, Some(&c.name));
                    (a.as_str().to_string(), ActionJson::new(&o))
                })
                .collect(),
        }
    }
}

/// One device in GET /api/v1/devices.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DeviceJson {
    pub device: String,
    pub source: String,
    pub up: bool,
    /// Polls finished since the agent started, failed ones included.
    pub polls: u64,
    pub last_poll_seconds: Option<f64>,
    pub last_success: Option<String>,
    pub last_error: Option<String>,
}

/// GET /api/v1/devices.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DevicesJson {
    pub devices: Vec<DeviceJson>,
}

impl DevicesJson {
    pub fn new(views: &[crate::store::DeviceView]) -> Self {
        DevicesJson {
            devices: views
                .iter()
                .map(|d| DeviceJson {
                    device: d.name.clone(),
                    source: d.source.to_string(),
                    up: d.up,
                    polls: d.counters.polls,
                    last_poll_seconds: d.last_poll.map(|t| t.as_secs_f64()),
                    last_success: d.last_success_wall.map(timestamp),
                    last_error: d.last_error.clone(),
                })
                .collect(),
        }
    }
}
