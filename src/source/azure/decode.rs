//! Pure decoding of Azure's answers: the ExpressRoutePorts resource and Azure Monitor
//! metrics, as documented (expressRoutePort.json, Metrics - List). Unexpected shapes
//! are errors that say what was missing, never panics.

use serde_json::Value;

use crate::domain::{
    AdvertisedPrefixes, AzureAdminState, AzureCircuit, AzureLevel, AzureLink, AzureLinkInfo,
    AzurePeering, AzurePort, AzurePrefix, AzureProvisioning, AZURE_METRIC_MAX_AGE,
};

/// Azure's error code and message from an error body, if it has them.
pub fn azure_error(body: &str) -> String {
    let v: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    // ARM: {"error": {"code", "message"}}; Azure Monitor: {"code", "message"}.
    let code = v
        .pointer("/error/code")
        .or_else(|| v.get("code"))
        .and_then(Value::as_str);
    let message = v
        .pointer("/error/message")
        .or_else(|| v.get("message"))
        .and_then(Value::as_str);
    let aad = v.get("error").and_then(Value::as_str);
    let aad_description = v.get("error_description").and_then(Value::as_str);
    match (code, message, aad, aad_description) {
        (Some(c), Some(m), _, _) => format!("{c}: {m}"),
        (Some(c), None, _, _) => c.to_string(),
        (_, _, Some(e), Some(d)) => format!("{e}: {}", d.lines().next().unwrap_or(d)),
        (_, _, Some(e), None) => e.to_string(),
        _ => body.chars().take(200).collect(),
    }
}

/// One link entry of a port resource: its admin state (and Azure's word for it),
/// facts and provisioningState.
pub type PortLink = (
    AzureAdminState,
    AzureLinkInfo,
    Option<String>,
    Option<String>,
);

/// Logs an adminState lightgate does not know, once per value: it fails closed (the
/// link is not Enabled), and the check quotes Azure's word.
fn warn_unknown_admin_state(said: Option<&str>) {
    use std::collections::HashSet;
    use std::sync::{Mutex, OnceLock};
    static SEEN: OnceLock<Mutex<HashSet<String>>> = OnceLock::new();
    let word = said.unwrap_or("(none)").to_string();
    let first = SEEN
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(word.clone());
    if first {
        tracing::warn!(admin_state = %crate::text::escape(&word), "Azure gives a link adminState lightgate does not know; the link counts as not Enabled.");
    }
}

/// The link entries of a port resource, link1 and link2.
pub fn port_links(port: &Value) -> Result<[PortLink; 2], String> {
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
    let one = |name: &str, index: usize| -> Result<PortLink, String> {
        let l = find(name, index)
            .ok_or_else(|| format!("unexpected shape: the port resource has no {name}"))?;
        let p = l
            .get("properties")
            .ok_or_else(|| format!("unexpected shape: {name} has no properties"))?;
        let text = |k: &str| p.get(k).and_then(Value::as_str).map(str::to_string);
        let said = text("adminState");
        let admin = match said.as_deref().map(str::to_ascii_lowercase).as_deref() {
            Some("enabled") => AzureAdminState::Enabled,
            Some("disabled") => AzureAdminState::Disabled,
            _ => {
                warn_unknown_admin_state(said.as_deref());
                AzureAdminState::Unknown
            }
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
            text("provisioningState"),
            said,
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
    /// The datapoint's timeStamp, when Azure gave a readable one.
    pub at: Option<std::time::SystemTime>,
}

/// Which link a value of Azure Monitor's Link dimension names. The values are not
/// documented; "link1"/"link2" are what Azure returns today, and the obvious variants
/// ("Link1", "link 1", "1", "primary") are read the same. Anything else names neither.
pub fn link_of(dimension: &str) -> Option<&'static str> {
    let key: String = dimension
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    match key.as_str() {
        "link1" | "1" | "primary" | "primarylink" => Some("link1"),
        "link2" | "2" | "secondary" | "secondarylink" => Some("link2"),
        _ => None,
    }
}

/// What Azure Monitor says went wrong with each metric of a Metrics - List answer
/// (a metric's `errorCode` other than Success, with its `errorMessage`), one line each.
pub fn metric_errors(answer: &Value) -> Vec<String> {
    answer
        .get("value")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|m| {
            let code = m.get("errorCode").and_then(Value::as_str)?;
            if code.eq_ignore_ascii_case("Success") {
                return None;
            }
            let name = m
                .pointer("/name/value")
                .and_then(Value::as_str)
                .unwrap_or("a metric");
            let message = m
                .get("errorMessage")
                .and_then(Value::as_str)
                .map(|t| format!(": {t}"))
                .unwrap_or_default();
            Some(format!("Azure Monitor's {name}: {code}{message}"))
        })
        .collect()
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
                .filter_map(|d| {
                    let v = d.get("average").and_then(Value::as_f64)?;
                    let at = d
                        .get("timeStamp")
                        .and_then(Value::as_str)
                        .and_then(|t| humantime::parse_rfc3339_weak(t).ok());
                    Some((v, at))
                })
                .rfind(|(v, _)| v.is_finite());
            if let Some((value, at)) = latest {
                points.push(Point {
                    metric: name.to_string(),
                    link: dim("link"),
                    lane: dim("lane"),
                    value,
                    at,
                });
            }
        }
    }
    Ok(points)
}

/// Puts the port resource and the metric points together, as seen at `now`: a link
/// whose newest datapoint is older than [`AZURE_METRIC_MAX_AGE`] is marked stale (with
/// the age) and its light levels are left out; values of the Link dimension that name
/// neither link are noted, not dropped in silence.
pub fn observation(
    port: &Value,
    points: &[Point],
    now: std::time::SystemTime,
) -> Result<AzurePort, String> {
    let [(a1, i1, p1, s1), (a2, i2, p2, s2)] = port_links(port)?;
    let port_text = |k: &str| {
        port.pointer(&format!("/properties/{k}"))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let port_provisioning = port_text("provisioningState");
    let mut notes: Vec<String> = Vec::new();
    for p in points {
        if let Some(l) = p.link.as_deref().filter(|l| link_of(l).is_none()) {
            let note = format!(
                "Azure Monitor's {} has a Link dimension value {l:?} that names neither link1 nor link2; its values are not used",
                p.metric
            );
            if !notes.contains(&note) {
                notes.push(note);
            }
        }
    }
    fn of<'a>(
        points: &'a [Point],
        metric: &'a str,
        link: &'a str,
    ) -> impl Iterator<Item = &'a Point> + 'a {
        points.iter().filter(move |p| {
            p.metric == metric && p.link.as_deref().and_then(link_of) == Some(link)
        })
    }
    let age_of = |p: &Point| p.at.map(|at| now.duration_since(at).unwrap_or_default());
    let link = |name: &str, admin, info, provisioning: Option<String>, said: Option<String>| {
        // The newest datapoint of the link, whatever the metric: all of them come from
        // the same port, so one that is old means Azure stopped reporting the link.
        let newest = points
            .iter()
            .filter(|p| p.link.as_deref().and_then(link_of) == Some(name))
            .filter_map(age_of)
            .min();
        let stale = newest.filter(|age| *age > AZURE_METRIC_MAX_AGE).map(|age| {
            format!(
                "Azure Monitor's latest datapoint for {name} is {} old (more than {})",
                crate::domain::format_duration(age),
                crate::domain::format_duration(AZURE_METRIC_MAX_AGE)
            )
        });
        let levels = |metric: &str| {
            if stale.is_some() {
                return Vec::new();
            }
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
            stale,
            provisioning: AzureProvisioning {
                port: port_provisioning.clone(),
                link: provisioning,
            },
            admin_said: said,
        }
    };
    Ok(AzurePort {
        bandwidth_gbps: port
            .pointer("/properties/bandwidthInGbps")
            .and_then(Value::as_u64),
        encapsulation: port_text("encapsulation"),
        peering_location: port_text("peeringLocation"),
        link1: link("link1", a1, i1, p1, s1),
        link2: link("link2", a2, i2, p2, s2),
        circuits: Vec::new(),
        circuit_errors: Vec::new(),
        notes,
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
    let opt = |o: &Value, k: &str| {
        o.get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let peerings = p
        .get("peerings")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|pe| {
            let pp = pe.get("properties").cloned().unwrap_or(Value::Null);
            let advertised = [
                ("IPv4", pp.get("microsoftPeeringConfig")),
                (
                    "IPv6",
                    pp.get("ipv6PeeringConfig")
                        .and_then(|v| v.get("microsoftPeeringConfig")),
                ),
            ]
            .into_iter()
            .filter_map(|(family, ms)| advertised_prefixes(family, ms?))
            .collect();
            AzurePeering {
                name: pe
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                kind: text(&pp, "peeringType"),
                state: text(&pp, "state"),
                provisioning_state: text(&pp, "provisioningState"),
                advertised,
                primary_prefix: opt(&pp, "primaryPeerAddressPrefix"),
                secondary_prefix: opt(&pp, "secondaryPeerAddressPrefix"),
                ipv6_primary_prefix: pp
                    .get("ipv6PeeringConfig")
                    .and_then(|v| opt(v, "primaryPeerAddressPrefix")),
                ipv6_secondary_prefix: pp
                    .get("ipv6PeeringConfig")
                    .and_then(|v| opt(v, "secondaryPeerAddressPrefix")),
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
        port_id: p
            .pointer("/expressRoutePort/id")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string),
        authorizations_in_use: p
            .get("authorizations")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|a| {
                a.pointer("/properties/authorizationUseStatus")
                    .and_then(Value::as_str)
                    .is_some_and(|s| s.eq_ignore_ascii_case("InUse"))
            })
            .map(|a| {
                a.get("name")
                    .and_then(Value::as_str)
                    .unwrap_or("(unnamed)")
                    .to_string()
            })
            .collect(),
        peerings,
        premium: v
            .get("sku")
            .and_then(|s| s.get("tier"))
            .and_then(Value::as_str)
            .is_some_and(|t| t.eq_ignore_ascii_case("premium")),
    })
}

/// The advertised public prefixes of one family from a `microsoftPeeringConfig`:
/// Azure's state, and each prefix with its validation state from
/// `advertisedPublicPrefixInfo` (api-version 2024-10-01 on) or, where that is absent
/// (as in Microsoft's own example), the `advertisedPublicPrefixes` list with the
/// family's state. `None` when the config has neither a state nor a prefix.
fn advertised_prefixes(family: &'static str, ms: &Value) -> Option<AdvertisedPrefixes> {
    let state = ms
        .get("advertisedPublicPrefixesState")
        .and_then(Value::as_str)
        .map(str::to_string);
    let info: Vec<AzurePrefix> = ms
        .get("advertisedPublicPrefixInfo")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|i| AzurePrefix {
            prefix: i
                .get("prefix")
                .and_then(Value::as_str)
                .unwrap_or("Unknown")
                .to_string(),
            validation_state: i
                .get("validationState")
                .and_then(Value::as_str)
                .unwrap_or("Unknown")
                .to_string(),
        })
        .collect();
    let listed: Vec<String> = ms
        .get("advertisedPublicPrefixes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect();
    if state.is_none() && info.is_empty() && listed.is_empty() {
        return None;
    }
    let state = state.unwrap_or_else(|| "Unknown".to_string());
    let prefixes = if info.is_empty() {
        listed
            .into_iter()
            .map(|prefix| AzurePrefix {
                prefix,
                validation_state: state.clone(),
            })
            .collect()
    } else {
        info
    };
    Some(AdvertisedPrefixes {
        family,
        state,
        prefixes,
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
        let obs = observation(&port(), &points, at("2026-11-25T10:03:00Z")).unwrap();
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

    fn at(t: &str) -> std::time::SystemTime {
        humantime::parse_rfc3339(t).unwrap()
    }

    #[test]
    fn a_datapoint_older_than_ten_minutes_makes_the_link_stale_with_its_age() {
        let metrics = json!({"value": [
            series("RxLightLevel", "link1", Some("0"), &[Some(-3.1)]),
            series("LineProtocol", "link1", None, &[Some(1.0)]),
        ]});
        let points = metric_points(&metrics).unwrap();
        let fresh = observation(&port(), &points, at("2026-11-25T10:09:00Z")).unwrap();
        assert_eq!(fresh.link1.stale, None);
        assert_eq!(fresh.link1.rx.len(), 1);
        let old = observation(&port(), &points, at("2026-11-25T10:14:00Z")).unwrap();
        let why = old.link1.stale.expect("stale");
        assert!(why.contains("14m old"), "{why}");
        assert!(old.link1.rx.is_empty(), "stale light is not used");
    }

    #[test]
    fn link_values_are_read_by_what_they_name_and_unknown_ones_are_noted() {
        let metrics = json!({"value": [
            series("RxLightLevel", "Link1", Some("0"), &[Some(-3.1)]),
            series("RxLightLevel", "Secondary", Some("0"), &[Some(-4.1)]),
            series("RxLightLevel", "link3", Some("0"), &[Some(-5.1)]),
        ]});
        let points = metric_points(&metrics).unwrap();
        let obs = observation(&port(), &points, at("2026-11-25T10:01:00Z")).unwrap();
        assert_eq!(obs.link1.rx[0].dbm, -3.1);
        assert_eq!(obs.link2.rx[0].dbm, -4.1);
        assert_eq!(obs.notes.len(), 1, "{:?}", obs.notes);
        assert!(obs.notes[0].contains("\"link3\""), "{:?}", obs.notes);
    }

    #[test]
    fn a_microsoft_peering_is_read_per_family_and_a_circuit_names_its_port() {
        // As Microsoft's ExpressRouteCircuitGet example: no advertisedPublicPrefixInfo
        // (older api-versions), the prefixes named from advertisedPublicPrefixes.
        let c = circuit(&json!({
            "name": "ckt", "id": "/subscriptions/x/ckt",
            "properties": {
                "provisioningState": "Succeeded", "circuitProvisioningState": "Enabled",
                "serviceProviderProvisioningState": "Provisioned",
                "expressRoutePort": {"id": "/subscriptions/x/expressRoutePorts/p1"},
                "authorizations": [
                    {"name": "a1", "properties": {"authorizationUseStatus": "InUse"}},
                    {"name": "a2", "properties": {"authorizationUseStatus": "Available"}}
                ],
                "peerings": [{"name": "MicrosoftPeering", "properties": {
                    "peeringType": "MicrosoftPeering", "state": "Enabled", "provisioningState": "Succeeded",
                    "microsoftPeeringConfig": {"advertisedPublicPrefixes": ["198.51.100.0/24"], "advertisedPublicPrefixesState": "Configured"},
                    "ipv6PeeringConfig": {"primaryPeerAddressPrefix": "2001:db8::/126", "microsoftPeeringConfig": {
                        "advertisedPublicPrefixes": ["2001:db8:1::/48"], "advertisedPublicPrefixesState": "ValidationNeeded"}}
                }}]
            }
        }))
        .unwrap();
        assert!(c.is_direct());
        assert_eq!(
            c.port_id.as_deref(),
            Some("/subscriptions/x/expressRoutePorts/p1")
        );
        assert_eq!(c.authorizations_in_use, ["a1"]);
        let a = &c.peerings[0].advertised;
        assert_eq!(a.len(), 2);
        assert_eq!((a[0].family, a[0].state.as_str()), ("IPv4", "Configured"));
        assert_eq!(
            (a[1].family, a[1].state.as_str()),
            ("IPv6", "ValidationNeeded")
        );
        assert_eq!(
            a[1].prefixes,
            [AzurePrefix {
                prefix: "2001:db8:1::/48".into(),
                validation_state: "ValidationNeeded".into()
            }]
        );
    }

    #[test]
    fn azure_monitors_per_metric_errors_are_named() {
        let answer = json!({"value": [
            {"name": {"value": "RxLightLevel"}, "errorCode": "Success", "timeseries": []},
            {"name": {"value": "TxLightLevel"}, "errorCode": "ResourceUnavailable", "errorMessage": "The metric is not available for this resource right now.", "timeseries": []}
        ]});
        assert_eq!(
            metric_errors(&answer),
            vec!["Azure Monitor's TxLightLevel: ResourceUnavailable: The metric is not available for this resource right now.".to_string()]
        );
        // Azure Monitor's own error body reads like ARM's.
        assert_eq!(
            azure_error(r#"{"code": "BadRequest", "message": "Invalid metric name"}"#),
            "BadRequest: Invalid metric name"
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
