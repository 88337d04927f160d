//! The `azure` source: for each port with an `azure_port_id`, the ExpressRoutePorts
//! resource (admin state of both links, router and patch panel facts) and Azure
//! Monitor's metrics of the port (Rx/Tx light levels by link and lane, LineProtocol):
//! Microsoft's own view of the far end of the same fibres.

pub mod client;
pub mod credential;
pub mod decode;
mod settings;
pub mod wait;

use crate::domain::AzurePort;
use crate::source::types::SourceError;
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

/// An Azure error as a person reads it: Azure's own answer (HTTP status, ARM's
/// `error.code` and `error.message`) with what to do, without the device-shaped prefix
/// of a [`SourceError`] ("could not decode the device's answer") that an HTTP answer
/// from Azure is not. A transport failure or a timeout keeps its kind.
pub fn describe(e: &SourceError) -> String {
    match e {
        SourceError::Decode(m) | SourceError::Auth(m) => m.clone(),
        SourceError::Transport(m) if m.starts_with("Azure answered") => m.clone(),
        other => other.to_string(),
    }
}

/// Reads one port (`port`: its name in the config, for the log): the resource and two
/// metric queries (light levels split by link and lane; line protocol by link). A
/// metrics query that fails keeps what the port GET gave (admin and provisioning
/// states, circuits): both links are then marked stale with the reason, so the light
/// and line-protocol half is missing by name rather than the whole port.
pub fn observe(
    client: &mut AzureClient,
    port: &str,
    port_id: &str,
) -> Result<AzurePort, SourceError> {
    let resource = client.get(port_id, &format!("api-version={PORT_API_VERSION}"))?;
    let metrics_path = format!("{port_id}/providers/Microsoft.Insights/metrics");
    let query = |names: &str, filter: &str| {
        format!(
            "api-version={METRICS_API_VERSION}&metricnames={names}&aggregation=Average&interval=PT1M&timespan=PT15M&top={METRICS_TOP}&%24filter={}",
            lightgate_core::text::encode(filter)
        )
    };
    let mut monitor_notes = Vec::new();
    let mut read_metrics = || -> Result<Vec<decode::Point>, SourceError> {
        let light = client.get(
            &metrics_path,
            &query("RxLightLevel,TxLightLevel", "Link eq '*' and Lane eq '*'"),
        )?;
        let line = client.get(&metrics_path, &query("LineProtocol", "Link eq '*'"))?;
        monitor_notes.extend(decode::metric_errors(&light));
        monitor_notes.extend(decode::metric_errors(&line));
        let mut points = decode::metric_points(&light).map_err(SourceError::Decode)?;
        points.extend(decode::metric_points(&line).map_err(SourceError::Decode)?);
        Ok(points)
    };
    let metrics = read_metrics();
    let now = std::time::SystemTime::now();
    let mut observed = match metrics {
        Ok(points) => decode::observation(&resource, &points, now),
        Err(e) => {
            let why = format!("Azure Monitor could not be read: {}", describe(&e));
            tracing::warn!(port = %port, azure_port_id = %port_id, error = %why, "Azure Monitor query failed; keeping the port's own states.");
            decode::observation(&resource, &[], now).map(|mut o| {
                o.link1.stale = Some(why.clone());
                o.link2.stale = Some(why.clone());
                o.notes.push(why);
                o
            })
        }
    }
    .map_err(SourceError::Decode)?;
    observed.notes.extend(monitor_notes);
    for note in &observed.notes {
        tracing::warn!(port = %port, azure_port_id = %port_id, note = %note, "Azure returned something lightgate cannot place.");
    }
    // A circuit that cannot be read (no Reader role on its resource group, a decoding
    // problem) is reported with the circuits; it must not hide the port's own state.
    for id in decode::circuit_ids(&resource) {
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
                tracing::warn!(port = %port, circuit = %c.name, other_port = %other, "A circuit the port lists is on another ExpressRoute port; not counted as this port's.");
                observed.circuit_errors.push(format!(
                    "circuit {} is on another ExpressRoute port ({other}), not on this one: not counted as this port's circuit",
                    c.name
                ));
            }
            Ok(c) => observed.circuits.push(c),
            Err(e) => {
                let name = id.rsplit('/').next().unwrap_or(&id).to_string();
                let e = describe(&e);
                tracing::warn!(port = %port, circuit = %name, error = %e, "Cannot read a circuit of the port.");
                observed
                    .circuit_errors
                    .push(format!("circuit {name} could not be read: {e}"));
            }
        }
    }
    Ok(observed)
}
