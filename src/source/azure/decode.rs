//! Pure decoding of Azure's answers: the ExpressRoutePorts resource and Azure Monitor
//! metrics, as documented (expressRoutePort.json, Metrics - List). Unexpected shapes
//! are errors that say what was missing, never panics.

use serde_json::Value;

use crate::domain::{
    AzureAdminState, AzureCircuit, AzureLevel, AzureLink, AzureLinkInfo, AzurePeering, AzurePort,
    AzurePrefix,
};

/// The link entries of a port resource: (admin state, info) for link1 and link2.
pub fn port_links(port: &Value) -> Result<[(AzureAdminState, AzureLinkInfo); 2], String> {
    let links = port
        .pointer("/properties/links")
        .and_then(Value::as_array)
        .ok_or("unexpected shape: the port resource has no properties.links array")?;
    let find = |name: &str, index: usize| {
        links
            .iter()
            .find(|l| {
                l.get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| n.eq_ignore_ascii_case(name))
            })
            .or_else(|| links.get(index))
    };
    let one = |name: &str, index: usize| -> Result<(AzureAdminState, AzureLinkInfo), String> {
        let l = find(name, index)
            .ok_or_else(|| format!("unexpected shape: the port resource has no {name}"))?;
        let p = l
            .get("properties")
            .ok_or_else(|| format!("unexpected shape: {name} has no properties"))?;
        let text = |k: &str| p.get(k).and_then(Value::as_str).map(str::to_string);
        let admin = match text("adminState")
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("enabled") => AzureAdminState::Enabled,
            Some("disabled") => AzureAdminState::Disabled,
            _ => AzureAdminState::Unknown,
        };
        Ok((
            admin,
            AzureLinkInfo {
                router_name: text("routerName"),
                interface_name: text("interfaceName"),
                patch_panel_id: text("patchPanelId"),
                rack_id: text("rackId"),
                connector_type: text("connectorType"),
            },
        ))
    };
    Ok([one("link1", 0)?, one("link2", 1)?])
}

/// One metric value: the latest non-null average of a time series.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub metric: String,
    pub link: Option<String>,
    pub lane: Option<String>,
    pub value: f64,
}

/// The latest value of every time series in a Metrics - List answer.
pub fn metric_points(answer: &Value) -> Result<Vec<Point>, String> {
    let metrics = answer
        .get("value")
        .and_then(Value::as_array)
        .ok_or("unexpected shape: the metrics answer has no value array")?;
    let mut points = Vec::new();
    for m in metrics {
        let name = m
            .pointer("/name/value")
            .and_then(Value::as_str)
            .ok_or("unexpected shape: a metric has no name.value")?;
        for ts in m
            .get("timeseries")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let dim = |want: &str| {
                ts.get("metadatavalues")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .find(|d| {
                        d.pointer("/name/value")
                            .and_then(Value::as_str)
                            .is_some_and(|n| n.eq_ignore_ascii_case(want))
                    })
                    .and_then(|d| d.get("value").and_then(Value::as_str))
                    .map(str::to_string)
            };
            let latest = ts
                .get("data")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|d| d.get("average").and_then(Value::as_f64))
                .rfind(|v| v.is_finite());
            if let Some(value) = latest {
                points.push(Point {
                    metric: name.to_string(),
                    link: dim("link"),
                    lane: dim("lane"),
                    value,
                });
            }
        }
    }
    Ok(points)
}

/// Puts the port resource and the metric points together.
pub fn observation(port: &Value, points: &[Point]) -> Result<AzurePort, String> {
    let [(a1, i1), (a2, i2)] = port_links(port)?;
    fn of<'a>(
        points: &'a [Point],
        metric: &'a str,
        link: &'a str,
    ) -> impl Iterator<Item = &'a Point> + 'a {
        points.iter().filter(move |p| {
            p.metric == metric
                && p.link
                    .as_deref()
                    .is_some_and(|l| l.eq_ignore_ascii_case(link))
        })
    }
    let link = |name: &str, admin, info| {
        let levels = |metric: &str| {
            let mut v: Vec<AzureLevel> = of(points, metric, name)
                .map(|p| AzureLevel {
                    lane: p.lane.clone(),
                    dbm: p.value,
                })
                .collect();
            v.sort_by(|a, b| a.lane.cmp(&b.lane));
            v
        };
        AzureLink {
            admin,
            // LineProtocol is 1 up, 0 down, averaged per minute: up when mostly up.
            line_protocol_up: of(points, "LineProtocol", name)
                .last()
                .map(|p| p.value >= 0.5),
            rx: levels("RxLightLevel"),
            tx: levels("TxLightLevel"),
            info,
        }
    };
    Ok(AzurePort {
        link1: link("link1", a1, i1),
        link2: link("link2", a2, i2),
        circuits: Vec::new(),
        circuit_errors: Vec::new(),
    })
}

/// The circuit ids a port resource lists.
pub fn circuit_ids(port: &Value) -> Vec<String> {
    port.pointer("/properties/circuits")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| c.get("id").and_then(Value::as_str).map(str::to_string))
        .collect()
}

/// An ExpressRouteCircuit resource.
pub fn circuit(v: &Value) -> Result<AzureCircuit, String> {
    let p = v
        .get("properties")
        .ok_or("unexpected shape: the circuit has no properties")?;
    let text = |o: &Value, k: &str| {
        o.get(k)
            .and_then(Value::as_str)
            .unwrap_or("Unknown")
            .to_string()
    };
    let peerings = p
        .get("peerings")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|pe| {
            let pp = pe.get("properties").cloned().unwrap_or(Value::Null);
            let ms = pp.get("microsoftPeeringConfig");
            AzurePeering {
                name: pe
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                kind: text(&pp, "peeringType"),
                state: text(&pp, "state"),
                provisioning_state: text(&pp, "provisioningState"),
                advertised_prefixes_state: ms
                    .and_then(|m| m.get("advertisedPublicPrefixesState"))
                    .and_then(Value::as_str)
                    .map(str::to_string),
                prefixes: ms
                    .and_then(|m| m.get("advertisedPublicPrefixInfo"))
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .map(|i| AzurePrefix {
                        prefix: text(i, "prefix"),
                        validation_state: text(i, "validationState"),
                    })
                    .collect(),
            }
        })
        .collect();
    Ok(AzureCircuit {
        name: v
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        id: v
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        provider_state: text(p, "serviceProviderProvisioningState"),
        circuit_state: text(p, "circuitProvisioningState"),
        provisioning_state: text(p, "provisioningState"),
        provider: p
            .get("serviceProviderProperties")
            .and_then(|s| s.get("serviceProviderName"))
            .and_then(Value::as_str)
            .map(str::to_string),
        peerings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Shaped like the ExpressRoutePortGet example of the REST API specs.
    fn port() -> Value {
        json!({
            "name": "portName",
            "properties": {
                "bandwidthInGbps": 100, "encapsulation": "QinQ",
                "links": [
                    {"name": "link1", "properties": {"routerName": "router1", "interfaceName": "HundredGigE2/2/2", "patchPanelId": "patchPanelId1", "rackId": "rackId1", "connectorType": "LC", "adminState": "Enabled"}},
                    {"name": "link2", "properties": {"routerName": "router2", "interfaceName": "HundredGigE2/2/2", "patchPanelId": "patchPanelId2", "rackId": "rackId2", "connectorType": "LC", "adminState": "Disabled"}}
                ],
                "circuits": []
            }
        })
    }

    fn series(metric: &str, link: &str, lane: Option<&str>, values: &[Option<f64>]) -> Value {
        let mut dims = vec![json!({"name": {"value": "Link"}, "value": link})];
        if let Some(l) = lane {
            dims.push(json!({"name": {"value": "Lane"}, "value": l}));
        }
        json!({"name": {"value": metric}, "timeseries": [{"metadatavalues": dims, "data": values.iter().map(|v| json!({"timeStamp": "2026-11-25T10:00:00Z", "average": v})).collect::<Vec<_>>()}]})
    }

    #[test]
    fn a_documented_port_and_metrics_decode() {
        let metrics = json!({"value": [
            series("RxLightLevel", "link1", Some("0"), &[Some(-3.1), Some(-3.2), None]),
            series("LineProtocol", "link1", None, &[Some(1.0)]),
            series("LineProtocol", "link2", None, &[Some(0.0)]),
        ]});
        let points = metric_points(&metrics).unwrap();
        let obs = observation(&port(), &points).unwrap();
        assert_eq!(obs.link1.admin, AzureAdminState::Enabled);
        assert_eq!(obs.link2.admin, AzureAdminState::Disabled);
        assert_eq!(
            obs.link1.rx,
            vec![AzureLevel {
                lane: Some("0".into()),
                dbm: -3.2
            }],
            "the latest non-null average"
        );
        assert_eq!(obs.link1.line_protocol_up, Some(true));
        assert_eq!(obs.link2.line_protocol_up, Some(false));
        assert_eq!(
            obs.link2.info.patch_panel_id.as_deref(),
            Some("patchPanelId2")
        );
    }

    #[test]
    fn wrong_shapes_are_errors_that_say_what_is_missing() {
        assert!(port_links(&json!({"properties": {}}))
            .unwrap_err()
            .contains("properties.links"));
        assert!(port_links(
            &json!({"properties": {"links": [{"name": "link1", "properties": {}}]}})
        )
        .unwrap_err()
        .contains("link2"));
        assert!(metric_points(&json!({"values": []}))
            .unwrap_err()
            .contains("value array"));
        assert!(metric_points(&json!({"value": [{"timeseries": []}]}))
            .unwrap_err()
            .contains("name.value"));
    }
}
