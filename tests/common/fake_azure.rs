//! A fake Azure (ARM, Entra ID, instance metadata, Azure Monitor) on 127.0.0.1 that
//! answers like the real APIs, with faults to inject.

#![allow(dead_code)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde_json::{json, Value};

pub const PORT_ID: &str = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-er/providers/Microsoft.Network/expressRoutePorts/erd-ams-1";
pub const SECRET: &str = "sp-secret-value-123";

/// A fault the fake injects into the next port GET.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Fault {
    Throttle,
    ServerError,
    ExpireToken,
    Forbidden,
    WrongShape,
}

#[derive(Default)]
pub struct Fake {
    pub faults: VecDeque<Fault>,
    pub tokens_issued: u32,
    pub valid_tokens: Vec<String>,
    pub secret_expired: bool,
    pub port_gets: u32,
    pub throttled_at: Option<Instant>,
    pub retried_after: Option<Duration>,
    pub link2_admin: &'static str,
    /// Azure's Rx per lane on link1 and link2 (dBm).
    pub rx_dbm: [f64; 2],
    /// ExpressRouteCircuit resources on the port (see [`circuit`]).
    pub circuits: Vec<Value>,
    /// Names of circuits the port lists that the identity may not read (HTTP 403).
    pub forbidden_circuits: Vec<&'static str>,
    /// Token requests fail with an error that echoes the whole request form.
    pub echo_token_request: bool,
    /// Port GETs fail with a 403 that echoes the Authorization header.
    pub echo_bearer: bool,
    /// How old the newest metric datapoint is (Azure Monitor lags; default 2 minutes).
    pub metrics_age: Option<Duration>,
    /// The Link dimension values Azure returns (default "link1", "link2").
    pub link_values: Option<[&'static str; 2]>,
    /// Statuses the metadata service answers before it gives a token (404, 410, 429...).
    pub imds_faults: VecDeque<u16>,
    /// Token requests of the metadata service, failed ones included.
    pub imds_requests: u32,
    /// The federated token a workload identity must present.
    pub federated_token: Option<String>,
    /// The certificate (DER) a certificate credential's assertion must be signed with.
    pub certificate_der: Option<Vec<u8>>,
    /// Azure Arc: the challenge file the endpoint names, and its content.
    pub arc_key: Option<(std::path::PathBuf, String)>,
    /// Azure Arc token requests (challenge and answer).
    pub arc_requests: u32,
    /// The port's and link1's provisioningState (default Succeeded).
    pub port_provisioning: Option<&'static str>,
    pub link1_provisioning: Option<&'static str>,
    /// Azure Monitor answers every metrics query with this status and its own error
    /// body (`{"code", "message"}`).
    pub metrics_fail: Option<u16>,
    /// A throttled answer's Retry-After is an HTTP-date this far ahead (else seconds).
    pub retry_after_date: Option<Duration>,
    /// The User-Agent of every request the fake received.
    pub user_agents: Vec<String>,
    /// Token requests fail with an error that quotes the client secret inside a JSON
    /// string (escaped as JSON escapes it).
    pub echo_secret_in_json: bool,
}

pub const CIRCUIT_PREFIX: &str = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-er/providers/Microsoft.Network/expressRouteCircuits/";

/// An ExpressRouteCircuit resource shaped like the ExpressRouteCircuitGet example of
/// the REST API specs, on the fake's port.
pub fn circuit(
    name: &str,
    provider_state: &str,
    circuit_state: &str,
    peerings: Vec<Value>,
) -> Value {
    json!({
        "name": name, "id": format!("{CIRCUIT_PREFIX}{name}"), "type": "Microsoft.Network/expressRouteCircuits", "location": "westeurope",
        "sku": {"name": "Premium_MeteredData", "tier": "Premium", "family": "MeteredData"},
        "properties": {
            "provisioningState": "Succeeded", "circuitProvisioningState": circuit_state,
            "serviceProviderProvisioningState": provider_state, "allowClassicOperations": false,
            "expressRoutePort": {"id": PORT_ID}, "bandwidthInGbps": 10, "serviceKey": "00000000-0000-0000-0000-00000000abcd",
            "authorizations": [], "peerings": peerings
        }
    })
}

/// A Microsoft peering with IPv4 and IPv6, each family's prefixes in `v4` and `v6`
/// state (shaped like ExpressRouteCircuitPeeringCreate's ipv6PeeringConfig).
pub fn microsoft_peering_dual_stack(v4: &str, v6: &str) -> Value {
    json!({
        "name": "MicrosoftPeering", "properties": {
            "provisioningState": "Succeeded", "peeringType": "MicrosoftPeering", "state": "Enabled",
            "azureASN": 12076, "peerASN": 64512, "primaryPeerAddressPrefix": "203.0.113.0/30", "secondaryPeerAddressPrefix": "203.0.113.4/30", "vlanId": 300,
            "microsoftPeeringConfig": {
                "advertisedPublicPrefixes": ["198.51.100.0/24"], "advertisedPublicPrefixesState": v4, "customerASN": 0, "routingRegistryName": "ARIN",
                "advertisedPublicPrefixInfo": [{"prefix": "198.51.100.0/24", "validationId": "1234", "signature": "", "validationState": v4}]
            },
            "ipv6PeeringConfig": {
                "primaryPeerAddressPrefix": "3FFE:FFFF:0:CD30::/126", "secondaryPeerAddressPrefix": "3FFE:FFFF:0:CD30::4/126", "state": "Enabled",
                "microsoftPeeringConfig": {
                    "advertisedPublicPrefixes": ["3FFE:FFFF:0:CD31::/120"], "advertisedPublicPrefixesState": v6, "customerASN": 23, "routingRegistryName": "ARIN",
                    "advertisedPublicPrefixInfo": [{"prefix": "3FFE:FFFF:0:CD31::/120", "validationId": "5678", "signature": "", "validationState": v6}]
                }
            }
        }
    })
}

/// A Microsoft peering whose advertised public prefixes Microsoft wants validated.
pub fn microsoft_peering_validation_needed() -> Value {
    json!({
        "name": "MicrosoftPeering", "properties": {
            "provisioningState": "Succeeded", "peeringType": "MicrosoftPeering", "state": "Enabled",
            "azureASN": 12076, "peerASN": 64512, "primaryPeerAddressPrefix": "203.0.113.0/30", "secondaryPeerAddressPrefix": "203.0.113.4/30", "vlanId": 300,
            "microsoftPeeringConfig": {
                "advertisedPublicPrefixes": ["198.51.100.0/24"], "advertisedPublicPrefixesState": "ValidationNeeded", "customerASN": 0, "routingRegistryName": "ARIN",
                "advertisedPublicPrefixInfo": [{"prefix": "198.51.100.0/24", "validationId": "1234", "signature": "", "validationState": "ValidationNeeded"}]
            }
        }
    })
}

pub type Shared = Arc<Mutex<Fake>>;

fn token_answer(fake: &Shared) -> Value {
    let mut f = fake.lock().unwrap();
    f.tokens_issued += 1;
    let token = format!("token-{}", f.tokens_issued);
    f.valid_tokens.push(token.clone());
    json!({"token_type": "Bearer", "expires_in": 3599, "access_token": token})
}

async fn sp_token(
    State(fake): State<Shared>,
    Path(tenant): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let get = |k: &str| {
        form.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    assert_eq!(tenant, "tenant-1");
    assert_eq!(get("grant_type"), "client_credentials");
    assert_eq!(get("scope"), "https://management.azure.com/.default");
    if fake.lock().unwrap().echo_secret_in_json {
        let secret = get("client_secret");
        // A body in no shape lightgate reads (a proxy's): quoted as it is, JSON and all.
        return (StatusCode::UNAUTHORIZED, Json(json!({"fault": {"detail": format!("AADSTS7000215: Invalid client secret provided: {secret}")}}))).into_response();
    }
    if fake.lock().unwrap().echo_token_request {
        let echoed: Vec<String> = form.iter().map(|(k, v)| format!("{k}={v}")).collect();
        return (StatusCode::BAD_REQUEST, Json(json!({"error": "invalid_request", "error_description": format!("AADSTS900144: malformed request: {}", echoed.join("&"))}))).into_response();
    }
    if fake.lock().unwrap().secret_expired {
        return (StatusCode::UNAUTHORIZED, Json(json!({"error": "invalid_client", "error_description": "AADSTS7000222: The provided client secret keys for app 'client-1' are expired. Visit the Azure portal to create new keys for your app.\r\nTrace ID: x"}))).into_response();
    }
    if get("client_assertion_type") == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" {
        let assertion = get("client_assertion");
        let (federated, cert) = {
            let f = fake.lock().unwrap();
            (f.federated_token.clone(), f.certificate_der.clone())
        };
        let accepted = federated.as_deref() == Some(assertion.as_str())
            || cert.is_some_and(|der| {
                signed_by(
                    &assertion,
                    &der,
                    &format!("{}/tenant-1/oauth2/v2.0/token", ""),
                )
            });
        if !accepted {
            return (StatusCode::UNAUTHORIZED, Json(json!({"error": "invalid_client", "error_description": "AADSTS700027: Client assertion failed signature validation."}))).into_response();
        }
        return Json(token_answer(&fake)).into_response();
    }
    if get("client_secret") != SECRET {
        return (StatusCode::UNAUTHORIZED, Json(json!({"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided."}))).into_response();
    }
    Json(token_answer(&fake)).into_response()
}

/// Whether `jwt` is an RS256 assertion signed with the key of certificate `der`, naming
/// it by its SHA-1 thumbprint (x5t), for client-1, valid now, for the token endpoint.
fn signed_by(jwt: &str, der: &[u8], _aud_suffix: &str) -> bool {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let parts: Vec<&str> = jwt.split('.').collect();
    if parts.len() != 3 {
        return false;
    }
    let (Ok(h), Ok(c), Ok(sig)) = (
        b64.decode(parts[0]),
        b64.decode(parts[1]),
        b64.decode(parts[2]),
    ) else {
        return false;
    };
    let (Ok(header), Ok(claims)) = (
        serde_json::from_slice::<Value>(&h),
        serde_json::from_slice::<Value>(&c),
    ) else {
        return false;
    };
    let thumb = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, der);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let cert_der = rustls_pki_types::CertificateDer::from(der.to_vec());
    let Ok(cert) = webpki::EndEntityCert::try_from(&cert_der) else {
        return false;
    };
    header["alg"] == "RS256"
        && header["x5t"] == b64.encode(thumb.as_ref())
        && claims["iss"] == "client-1"
        && claims["sub"] == "client-1"
        && claims["aud"]
            .as_str()
            .is_some_and(|a| a.ends_with("/tenant-1/oauth2/v2.0/token"))
        && claims["exp"].as_u64().is_some_and(|e| e > now)
        && claims["nbf"].as_u64().is_some_and(|n| n <= now + 5)
        && claims["jti"].as_str().is_some_and(|j| j.len() >= 16)
        && cert
            .verify_signature(
                webpki::ring::RSA_PKCS1_2048_8192_SHA256,
                format!("{}.{}", parts[0], parts[1]).as_bytes(),
                &sig,
            )
            .is_ok()
}

/// Azure Arc's identity endpoint: 401 with a challenge file, then a token for the
/// file's content.
async fn arc_token(
    State(fake): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<Vec<(String, String)>>,
) -> Response {
    let mut f = fake.lock().unwrap();
    f.arc_requests += 1;
    assert!(q
        .iter()
        .any(|(k, v)| k == "api-version" && v == "2020-06-01"));
    assert!(q
        .iter()
        .any(|(k, v)| k == "resource" && v == "https://management.azure.com/"));
    let Some((path, key)) = f.arc_key.clone() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    drop(f);
    match headers.get("Authorization").and_then(|v| v.to_str().ok()) {
        Some(a) if a == format!("Basic {key}") => {
            let mut t = token_answer(&fake);
            t["expires_in"] = json!("3599");
            Json(t).into_response()
        }
        Some(_) => (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": "invalid_request", "error_description": "wrong secret"})),
        )
            .into_response(),
        None => (
            StatusCode::UNAUTHORIZED,
            [(
                "WWW-Authenticate",
                format!("Basic realm={}", path.display()),
            )],
        )
            .into_response(),
    }
}

async fn mi_token(
    State(fake): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<Vec<(String, String)>>,
) -> Response {
    if headers.get("Metadata").and_then(|v| v.to_str().ok()) != Some("true") {
        return (StatusCode::BAD_REQUEST, Json(json!({"error": "invalid_request", "error_description": "Required metadata header not specified"}))).into_response();
    }
    assert!(q
        .iter()
        .any(|(k, v)| k == "resource" && v == "https://management.azure.com/"));
    let fault = {
        let mut f = fake.lock().unwrap();
        f.imds_requests += 1;
        f.imds_faults.pop_front()
    };
    if let Some(status) = fault {
        let status = StatusCode::from_u16(status).unwrap();
        return (
            status,
            Json(json!({"error": "unavailable", "error_description": "IMDS is updating"})),
        )
            .into_response();
    }
    let mut t = token_answer(&fake);
    t["expires_in"] = json!("3599"); // the metadata service sends a string
    Json(t).into_response()
}

/// The 401 answer for a request without a valid token, or None when it has one.
fn unauthorized(fake: &Shared, headers: &HeaderMap) -> Option<Response> {
    let auth = headers
        .get("Authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let token = auth.strip_prefix("Bearer ").unwrap_or_default();
    if fake.lock().unwrap().valid_tokens.iter().any(|t| t == token) {
        None
    } else {
        Some((StatusCode::UNAUTHORIZED, Json(json!({"error": {"code": "ExpiredAuthenticationToken", "message": "The access token expiry UTC time is earlier than current UTC time."}}))).into_response())
    }
}

async fn arm(
    State(fake): State<Shared>,
    headers: HeaderMap,
    Path(path): Path<String>,
    Query(q): Query<Vec<(String, String)>>,
) -> Response {
    if let Some(ua) = headers.get("user-agent").and_then(|v| v.to_str().ok()) {
        fake.lock().unwrap().user_agents.push(ua.to_string());
    }
    if let Some(r) = unauthorized(&fake, &headers) {
        return r;
    }
    let path = format!("/subscriptions/{path}");
    if fake.lock().unwrap().echo_bearer {
        let auth = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        return (StatusCode::FORBIDDEN, Json(json!({"error": {"code": "AuthorizationFailed", "message": format!("The request with 'Authorization: {auth}' was refused; raw token {}", auth.trim_start_matches("Bearer "))}}))).into_response();
    }
    if path.ends_with("/providers/Microsoft.Insights/metrics") {
        let names = q
            .iter()
            .find(|(k, _)| k == "metricnames")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let filter = q
            .iter()
            .find(|(k, _)| k == "$filter")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        assert!(filter.starts_with("Link eq '*'"), "{filter}");
        if let Some(status) = fake.lock().unwrap().metrics_fail {
            return (StatusCode::from_u16(status).unwrap(), Json(json!({"code": "ServiceUnavailable", "message": "The metrics service is temporarily unavailable."}))).into_response();
        }
        // As Azure Monitor: at most `top` time series (default 10) per request.
        let top: usize = q
            .iter()
            .find(|(k, _)| k == "top")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(10);
        let (age, links) = {
            let f = fake.lock().unwrap();
            (
                f.metrics_age.unwrap_or(Duration::from_secs(120)),
                f.link_values.unwrap_or(["link1", "link2"]),
            )
        };
        let mut m = metrics(f_rx(&fake), age, links);
        let wanted: Vec<&str> = names.split(',').collect();
        let list = m["value"].as_array_mut().unwrap();
        list.retain(|v| wanted.contains(&v["name"]["value"].as_str().unwrap()));
        let mut left = top;
        for metric in list.iter_mut() {
            let ts = metric["timeseries"].as_array_mut().unwrap();
            ts.truncate(left);
            left -= ts.len();
        }
        return Json(m).into_response();
    }
    if path.starts_with(CIRCUIT_PREFIX) {
        let f = fake.lock().unwrap();
        if f.forbidden_circuits
            .iter()
            .any(|n| path.ends_with(&format!("/{n}")))
        {
            return (StatusCode::FORBIDDEN, Json(json!({"error": {"code": "AuthorizationFailed", "message": "The client 'client-1' does not have authorization to perform action 'Microsoft.Network/expressRouteCircuits/read'."}}))).into_response();
        }
        // As ARM: advertisedPublicPrefixInfo exists from api-version 2024-10-01 on.
        let version = q
            .iter()
            .find(|(k, _)| k == "api-version")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        return match f.circuits.iter().find(|c| c["id"] == path.as_str()) {
            Some(c) if version.as_str() < "2024-10-01" => {
                let mut c = c.clone();
                for p in c["properties"]["peerings"].as_array_mut().into_iter().flatten() {
                    if let Some(cfg) = p["properties"]["microsoftPeeringConfig"].as_object_mut() {
                        cfg.remove("advertisedPublicPrefixInfo");
                    }
                }
                Json(c).into_response()
            }
            Some(c) => Json(c.clone()).into_response(),
            None => (StatusCode::NOT_FOUND, Json(json!({"error": {"code": "ResourceNotFound", "message": "The Resource was not found."}}))).into_response(),
        };
    }
    if path != PORT_ID {
        return (StatusCode::NOT_FOUND, Json(json!({"error": {"code": "ResourceNotFound", "message": format!("The Resource 'Microsoft.Network/expressRoutePorts/{}' under resource group 'rg-er' was not found.", path.rsplit('/').next().unwrap_or_default())}}))).into_response();
    }
    let mut f = fake.lock().unwrap();
    f.port_gets += 1;
    if let Some(at) = f.throttled_at.take() {
        f.retried_after = Some(at.elapsed());
    }
    match f.faults.pop_front() {
        Some(Fault::Throttle) => {
            f.throttled_at = Some(Instant::now());
            let retry_after = match f.retry_after_date {
                Some(ahead) => httpdate::fmt_http_date(std::time::SystemTime::now() + ahead),
                None => "1".to_string(),
            };
            return (StatusCode::TOO_MANY_REQUESTS, [("Retry-After", retry_after)], Json(json!({"error": {"code": "SubscriptionRequestsThrottled", "message": "Number of requests exceeded the limit."}}))).into_response();
        }
        Some(Fault::ServerError) => return (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({"error": {"code": "InternalServerError", "message": "An error occurred."}}))).into_response(),
        Some(Fault::ExpireToken) => {
            f.valid_tokens.clear();
            return (StatusCode::UNAUTHORIZED, Json(json!({"error": {"code": "ExpiredAuthenticationToken", "message": "The access token expiry UTC time is earlier than current UTC time."}}))).into_response();
        }
        Some(Fault::Forbidden) => return (StatusCode::FORBIDDEN, Json(json!({"error": {"code": "AuthorizationFailed", "message": "The client 'client-1' does not have authorization to perform action 'Microsoft.Network/expressRoutePorts/read'."}}))).into_response(),
        Some(Fault::WrongShape) => return Json(json!({"id": PORT_ID, "properties": {"links": "not a list"}})).into_response(),
        None => {}
    }
    Json(json!({
        "name": "erd-ams-1", "id": PORT_ID, "type": "Microsoft.Network/expressRoutePorts", "location": "westeurope",
        "properties": {
            "provisioningState": f.port_provisioning.unwrap_or("Succeeded"), "peeringLocation": "Amsterdam", "bandwidthInGbps": 100, "encapsulation": "Dot1Q",
            "links": [
                {"name": "link1", "id": format!("{PORT_ID}/links/link1"), "properties": {"provisioningState": f.link1_provisioning.unwrap_or("Succeeded"), "routerName": "exr01.ams", "interfaceName": "HundredGigE2/2/2", "patchPanelId": "PP:0123:1234567", "rackId": "AMS-R1", "connectorType": "LC", "adminState": "Enabled"}},
                {"name": "link2", "id": format!("{PORT_ID}/links/link2"), "properties": {"provisioningState": "Succeeded", "routerName": "exr02.ams", "interfaceName": "HundredGigE2/2/2", "patchPanelId": "PP:0123:1234568", "rackId": "AMS-R2", "connectorType": "LC", "adminState": f.link2_admin}}
            ],
            "circuits": f.circuits.iter().map(|c| json!({"id": c["id"]}))
                .chain(f.forbidden_circuits.iter().map(|n| json!({"id": format!("{CIRCUIT_PREFIX}{n}")})))
                .collect::<Vec<_>>()
        }
    }))
    .into_response()
}

fn f_rx(fake: &Shared) -> [f64; 2] {
    fake.lock().unwrap().rx_dbm
}

/// Metrics - List answer: one metric entry per name, its time series per link and lane,
/// the newest value `age` old (and an empty minute after it, as Azure Monitor has).
fn metrics(rx: [f64; 2], age: Duration, links: [&str; 2]) -> Value {
    let stamp = |ago: Duration| {
        humantime::format_rfc3339_seconds(std::time::SystemTime::now() - ago).to_string()
    };
    let points = [
        json!({"timeStamp": stamp(age + Duration::from_secs(60)), "average": 0.0}),
        json!({"timeStamp": stamp(age), "average": 0.0}),
        json!({"timeStamp": stamp(age.saturating_sub(Duration::from_secs(60)))}),
    ];
    let series = |link: &str, lane: Option<&str>, v: f64| {
        let mut dims =
            vec![json!({"name": {"value": "Link", "localizedValue": "Link"}, "value": link})];
        if let Some(l) = lane {
            dims.push(json!({"name": {"value": "Lane", "localizedValue": "Lane"}, "value": l}));
        }
        let mut data = points.to_vec();
        data[0]["average"] = json!(v - 0.5);
        data[1]["average"] = json!(v);
        json!({"metadatavalues": dims, "data": data})
    };
    let mut by_metric: Vec<(&str, Vec<Value>)> = vec![
        ("RxLightLevel", Vec::new()),
        ("TxLightLevel", Vec::new()),
        ("LineProtocol", Vec::new()),
    ];
    for (i, link) in links.into_iter().enumerate() {
        for lane in ["0", "1", "2", "3"] {
            by_metric[0].1.push(series(link, Some(lane), rx[i]));
            by_metric[1].1.push(series(link, Some(lane), -1.5));
        }
        by_metric[2].1.push(series(link, None, 1.0));
    }
    let value: Vec<Value> = by_metric
        .into_iter()
        .map(|(name, ts)| json!({"name": {"value": name}, "unit": "Count", "timeseries": ts}))
        .collect();
    json!({"cost": 0, "interval": "PT1M", "value": value, "namespace": "Microsoft.Network/expressRoutePorts"})
}

/// Serves the fake on 127.0.0.1; returns its base URL.
pub async fn fake_azure(fake: Shared) -> String {
    let app = Router::new()
        .route("/{tenant}/oauth2/v2.0/token", post(sp_token))
        .route("/metadata/identity/oauth2/token", get(mi_token))
        .route("/arc/metadata/identity/oauth2/token", get(arc_token))
        .route("/subscriptions/{*path}", get(arm))
        .with_state(fake);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}
