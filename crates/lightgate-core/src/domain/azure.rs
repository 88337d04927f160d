//! The Azure side of a Direct port, as observed from Azure Resource Manager and Azure
//! Monitor, and the span loss of each fibre that comes from comparing both ends.

use super::power::{dbm_to_milliwatts, milliwatts_to_dbm, OpticalPower};
use super::reading::{Direction, OpticReading};
use super::status::AzureAdminState;

/// One light-level value from Azure Monitor, per lane when Azure splits by lane.
#[derive(Debug, Clone, PartialEq)]
pub struct AzureLevel {
    /// The Lane dimension's value as Azure gives it (its numbering is not documented).
    pub lane: Option<String>,
    pub dbm: f64,
}

/// Facts Azure publishes about a link (for labels and tickets).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AzureLinkInfo {
    pub router_name: Option<String>,
    pub interface_name: Option<String>,
    pub patch_panel_id: Option<String>,
    pub rack_id: Option<String>,
    pub connector_type: Option<String>,
}

/// One link as Azure sees it (the Microsoft end of the fibres).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AzureLink {
    pub admin: AzureAdminState,
    /// Azure Monitor LineProtocol (1 up, 0 down); None without a recent value.
    pub line_protocol_up: Option<bool>,
    /// What Azure's port receives (light from our router).
    pub rx: Vec<AzureLevel>,
    /// What Azure's port transmits (light towards our router).
    pub tx: Vec<AzureLevel>,
    pub info: AzureLinkInfo,
    /// Why Azure Monitor's values for the link are not current (its latest datapoint
    /// older than [`AZURE_METRIC_MAX_AGE`], with its age); stale light levels are left
    /// out of `rx` and `tx`.
    pub stale: Option<String>,
    /// ARM's provisioningState of the port resource and of this link (Succeeded,
    /// Updating, Deleting, Failed), as Azure words them; `None` when Azure gave none.
    pub provisioning: AzureProvisioning,
    /// Azure's own word for an adminState lightgate does not know (`admin` is then
    /// Unknown); `None` for Enabled and Disabled.
    pub admin_said: Option<String>,
}

/// ARM's provisioningState of a Direct port and of one of its links. Anything but
/// Succeeded on either means Azure has not finished (or failed) setting the port up:
/// no circuit goes on it. Source: expressRoutePort.json (ports and links carry their
/// own provisioningState; values Succeeded, Updating, Deleting, Failed).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AzureProvisioning {
    pub port: Option<String>,
    pub link: Option<String>,
}

impl AzureProvisioning {
    /// Why the port or link is not provisioned, in Azure's words; `None` when both
    /// say Succeeded.
    pub fn problem(&self) -> Option<String> {
        let mut why = Vec::new();
        for (what, state) in [("port", &self.port), ("link", &self.link)] {
            match state.as_deref() {
                Some("Succeeded") => {}
                Some(s) => why.push(format!("the {what}'s provisioningState is {s}")),
                None => why.push(format!("Azure gives no provisioningState for the {what}")),
            }
        }
        (!why.is_empty()).then(|| why.join(", "))
    }
}

/// How old Azure Monitor's latest datapoint may be (Azure's metrics arrive a few
/// minutes late; one that stopped coming is not a current view of the link).
pub const AZURE_METRIC_MAX_AGE: std::time::Duration = std::time::Duration::from_secs(600);

/// One advertised public prefix of a Microsoft peering and its validation state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AzurePrefix {
    pub prefix: String,
    pub validation_state: String,
}

/// The advertised public prefixes of a Microsoft peering in one address family
/// (`microsoftPeeringConfig`, and the same inside `ipv6PeeringConfig`): Azure's
/// advertisedPublicPrefixesState and each prefix with its validation state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdvertisedPrefixes {
    /// "IPv4" or "IPv6".
    pub family: &'static str,
    /// NotConfigured, Configuring, Configured, ValidationNeeded (Azure's words; an
    /// unknown value is kept as given).
    pub state: String,
    pub prefixes: Vec<AzurePrefix>,
}

/// One peering of a circuit.
#[derive(Debug, Clone, PartialEq)]
pub struct AzurePeering {
    pub name: String,
    /// AzurePrivatePeering, MicrosoftPeering, AzurePublicPeering.
    pub kind: String,
    /// Enabled or Disabled.
    pub state: String,
    pub provisioning_state: String,
    /// Microsoft peering: the advertised public prefixes of each address family the
    /// peering has (IPv4 first), each judged on its own.
    pub advertised: Vec<AdvertisedPrefixes>,
    /// The peer subnets (primaryPeerAddressPrefix, secondaryPeerAddressPrefix, and the
    /// same in ipv6PeeringConfig), as Azure gives them.
    pub primary_prefix: Option<String>,
    pub secondary_prefix: Option<String>,
    pub ipv6_primary_prefix: Option<String>,
    pub ipv6_secondary_prefix: Option<String>,
}

/// One ExpressRoute circuit on the port.
#[derive(Debug, Clone, PartialEq)]
pub struct AzureCircuit {
    pub name: String,
    pub id: String,
    /// NotProvisioned, Provisioning, Provisioned, Deprovisioning.
    pub provider_state: String,
    /// Enabled, Disabled, Enabling, Disabling.
    pub circuit_state: String,
    /// Succeeded, Updating, Deleting, Failed.
    pub provisioning_state: String,
    /// The partner (provider) model, rather than a circuit on a Direct port.
    pub provider: Option<String>,
    /// The ExpressRoute Direct port the circuit is on (`expressRoutePort.id`), as
    /// Azure gives it.
    pub port_id: Option<String>,
    /// Authorizations in use (`authorizationUseStatus` InUse): a virtual network,
    /// often in another subscription, is linked to the circuit through each.
    pub authorizations_in_use: Vec<String>,
    pub peerings: Vec<AzurePeering>,
    /// The Premium add-on (sku tier Premium): higher private peering prefix limit.
    pub premium: bool,
}

impl AzureCircuit {
    /// A circuit on an ExpressRoute Direct port (no connectivity provider): Azure
    /// names its port and no `serviceProviderProperties`.
    pub fn is_direct(&self) -> bool {
        self.port_id.is_some() && self.provider.is_none()
    }
}

/// Whether two ARM resource ids name the same resource: ARM ids are case-insensitive
/// (a trailing slash is not part of the id).
pub fn same_resource(a: &str, b: &str) -> bool {
    a.trim_end_matches('/')
        .eq_ignore_ascii_case(b.trim_end_matches('/'))
}

/// Both links of a port as Azure sees them, and the circuits on it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AzurePort {
    /// The port's `bandwidthInGbps` and `encapsulation` (Dot1Q, QinQ), when given.
    pub bandwidth_gbps: Option<u64>,
    pub encapsulation: Option<String>,
    /// The port's `peeringLocation` (the colocation facility), when given.
    pub peering_location: Option<String>,
    pub link1: AzureLink,
    pub link2: AzureLink,
    pub circuits: Vec<AzureCircuit>,
    /// Circuits the port lists that could not be read (e.g. no Reader role on their
    /// resource group), one line each: they do not hide the port's own state.
    pub circuit_errors: Vec<String>,
    /// What Azure returned that could not be placed (a Link dimension value that names
    /// neither link), one line each.
    pub notes: Vec<String>,
}

/// Total power of Azure's values in dBm (lanes summed in mW).
fn azure_total(levels: &[AzureLevel]) -> Option<f64> {
    if levels.is_empty() {
        return None;
    }
    let mw: f64 = levels.iter().map(|l| dbm_to_milliwatts(l.dbm)).sum();
    (mw > 0.0).then(|| milliwatts_to_dbm(mw))
}

/// Total power of our optic in one direction in dBm: the module value, or the lanes
/// summed in mW.
fn our_total(optic: &OpticReading, d: Direction) -> Option<f64> {
    if let OpticalPower::Measured(p) = optic.power(d) {
        return Some(p.dbm());
    }
    let lanes: Vec<OpticalPower> = optic.lanes.iter().map(|l| l.power(d)).collect();
    OpticalPower::total(&lanes).dbm()
}

/// Span loss in dB of the fibre in each direction: (to_azure, from_azure) = (our Tx -
/// Azure's Rx, Azure's Tx - our Rx). A dirty patch panel shows as high loss while both
/// optics look healthy. Totals are compared, so lane numbering on either side does not
/// matter; a side without a measured value gives no loss for that direction.
pub fn span_loss_db(ours: &OpticReading, azure: &AzureLink) -> (Option<f64>, Option<f64>) {
    let to_azure = our_total(ours, Direction::Tx)
        .zip(azure_total(&azure.rx))
        .map(|(t, r)| t - r);
    let from_azure = azure_total(&azure.tx)
        .zip(our_total(ours, Direction::Rx))
        .map(|(t, r)| t - r);
    (to_azure, from_azure)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::LaneReading;

    fn optic(rx: f64, tx: f64) -> OpticReading {
        OpticReading::with_powers(
            OpticalPower::from_dbm(rx).unwrap(),
            OpticalPower::from_dbm(tx).unwrap(),
            Vec::new(),
        )
    }

    #[test]
    fn span_loss_is_sender_minus_receiver_in_each_direction() {
        let azure = AzureLink {
            stale: None,
            rx: vec![AzureLevel {
                lane: None,
                dbm: -4.5,
            }],
            tx: vec![AzureLevel {
                lane: None,
                dbm: -1.0,
            }],
            ..Default::default()
        };
        let (to, from) = span_loss_db(&optic(-3.25, -2.0), &azure);
        assert!((to.unwrap() - 2.5).abs() < 1e-12);
        assert!((from.unwrap() - 2.25).abs() < 1e-12);
    }

    #[test]
    fn lanes_are_compared_as_totals() {
        let mut ours = optic(-3.0, -1.0);
        ours.rx = OpticalPower::NotSupported;
        ours.tx = OpticalPower::NotSupported;
        ours.lanes = (0..4)
            .map(|l| LaneReading {
                lane: l,
                rx: OpticalPower::from_dbm(-3.0).unwrap(),
                tx: OpticalPower::from_dbm(-1.0).unwrap(),
                bias_amperes: None,
            })
            .collect();
        let azure = AzureLink {
            stale: None,
            rx: (1..=4)
                .map(|l| AzureLevel {
                    lane: Some(l.to_string()),
                    dbm: -2.0,
                })
                .collect(),
            tx: vec![],
            ..Default::default()
        };
        let (to, from) = span_loss_db(&ours, &azure);
        // Four equal lanes on both sides: the loss is the per-lane difference.
        assert!((to.unwrap() - 1.0).abs() < 1e-9);
        assert_eq!(from, None, "no Azure Tx value, no loss");
    }
}
