//! The `azure` source: for each port with an `azure_port_id`, the ExpressRoutePorts
//! resource (admin state of both links, router and patch panel facts) and Azure
//! Monitor's metrics of the port (Rx/Tx light levels by link and lane, LineProtocol):
//! Microsoft's own view of the far end of the same fibres.

pub mod client;
pub mod credential;
pub mod decode;
mod settings;

use crate::domain::AzurePort;
use crate::source::SourceError;
use client::AzureClient;
pub use settings::{AzureAuth, AzureConfig, Cloud};

/// The ExpressRoutePorts api-version: any stable one from 2023-09-01 on has what
/// lightgate reads of the port.
pub const PORT_API_VERSION: &str = "2023-09-01";
/// The expressRouteCircuits api-version: the first that returns a Microsoft peering's
/// `advertisedPublicPrefixInfo` (each prefix's validation state) is 2024-10-01; older
/// ones leave it out, and prefix validation could never show pending prefixes.
pub const CIRCUIT_API_VERSION: &str = "2024-10-01";
/// Series a metrics query may return: Azure Monitor's default `top` is 10, fewer than
/// the lanes of an 8-lane optic on both links; this covers 2 links x 16 lanes x 2.
pub const METRICS_TOP: usize = 64;
/// Azure Monitor Metrics - List api-version.
pub const METRICS_API_VERSION: &str = "2018-01-01";

/// Reads one port: the resource and two metric queries (light levels split by link and
/// lane; line protocol by link).
pub fn observe(client: &mut AzureClient, port_id: &str) -> Result<AzurePort, SourceError> {
    let port = client.get(port_id, &format!("api-version={PORT_API_VERSION}"))?;
    let metrics_path = format!("{port_id}/providers/Microsoft.Insights/metrics");
    let query = |names: &str, filter: &str| {
        format!(
            "api-version={METRICS_API_VERSION}&metricnames={names}&aggregation=Average&interval=PT1M&timespan=PT15M&top={METRICS_TOP}&%24filter={}",
            lightgate_core::text::encode(filter)
        )
    };
    let light = client.get(
        &metrics_path,
        &query("RxLightLevel,TxLightLevel", "Link eq '*' and Lane eq '*'"),
    )?;
    let line = client.get(&metrics_path, &query("LineProtocol", "Link eq '*'"))?;
    let mut points = decode::metric_points(&light).map_err(SourceError::Decode)?;
    points.extend(decode::metric_points(&line).map_err(SourceError::Decode)?);
    let mut observed = decode::observation(&port, &points, std::time::SystemTime::now())
        .map_err(SourceError::Decode)?;
    for note in &observed.notes {
        tracing::warn!(port = %port_id.rsplit('/').next().unwrap_or(port_id), note = %note, "Azure returned something lightgate cannot place.");
    }
    // A circuit that cannot be read (no Reader role on its resource group, a decoding
    // problem) is reported with the circuits; it must not hide the port's own state.
    for id in decode::circuit_ids(&port) {
        let read = client
            .get(&id, &format!("api-version={CIRCUIT_API_VERSION}"))
            .and_then(|c| decode::circuit(&c).map_err(SourceError::Decode));
        match read {
            // The port lists it, yet Azure says it is on another port: never counted
            // as this port's (ARM ids compare case-insensitively).
            Ok(c)
                if c.port_id
                    .as_deref()
                    .is_some_and(|p| !crate::domain::same_resource(p, port_id)) =>
            {
                let other = c.port_id.clone().unwrap_or_default();
                tracing::warn!(circuit = %c.name, other_port = %other, "A circuit the port lists is on another ExpressRoute port; not counted as this port's.");
                observed.circuit_errors.push(format!(
                    "circuit {} is on another ExpressRoute port ({other}), not on this one: not counted as this port's circuit",
                    c.name
                ));
            }
            Ok(c) => observed.circuits.push(c),
            Err(e) => {
                let name = id.rsplit('/').next().unwrap_or(&id).to_string();
                tracing::warn!(circuit = %name, error = %e, "Cannot read a circuit of the port.");
                observed
                    .circuit_errors
                    .push(format!("circuit {name} could not be read: {e}"));
            }
        }
    }
    Ok(observed)
}
