//! The Azure source against a fake ARM / Entra ID / metadata / Azure Monitor server on
//! 127.0.0.1 that answers like the real APIs (shapes from the documented examples),
//! including throttling, server errors, expired tokens, expired secrets, missing roles
//! and answers of the wrong shape.

mod common;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use common::{pair, samples, value, TestAgent};
use serde_json::{json, Value};

const PORT_ID: &str = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-er/providers/Microsoft.Network/expressRoutePorts/erd-ams-1";
const SECRET: &str = "sp-secret-value-123";

/// A fault the fake injects into the next port GET.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Fault {
    Throttle,
    ServerError,
    ExpireToken,
    Forbidden,
    WrongShape,
}

#[derive(Default)]
struct Fake {
    faults: VecDeque<Fault>,
    tokens_issued: u32,
    valid_tokens: Vec<String>,
    secret_expired: bool,
    port_gets: u32,
    throttled_at: Option<Instant>,
    retried_after: Option<Duration>,
    link2_admin: &'static str,
}

type Shared = Arc<Mutex<Fake>>;

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
    if fake.lock().unwrap().secret_expired {
        return (StatusCode::UNAUTHORIZED, Json(json!({"error": "invalid_client", "error_description": "AADSTS7000222: The provided client secret keys for app 'client-1' are expired. Visit the Azure portal to create new keys for your app.\r\nTrace ID: x"}))).into_response();
    }
    if get("client_secret") != SECRET {
        return (StatusCode::UNAUTHORIZED, Json(json!({"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided."}))).into_response();
    }
    Json(token_answer(&fake)).into_response()
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
    if let Some(r) = unauthorized(&fake, &headers) {
        return r;
    }
    let path = format!("/subscriptions/{path}");
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
        let mut m = metrics();
        let wanted: Vec<&str> = names.split(',').collect();
        m["value"]
            .as_array_mut()
            .unwrap()
            .retain(|v| wanted.contains(&v["name"]["value"].as_str().unwrap()));
        return Json(m).into_response();
    }
    assert_eq!(path, PORT_ID);
    let mut f = fake.lock().unwrap();
    f.port_gets += 1;
    if let Some(at) = f.throttled_at.take() {
        f.retried_after = Some(at.elapsed());
    }
    match f.faults.pop_front() {
        Some(Fault::Throttle) => {
            f.throttled_at = Some(Instant::now());
            return (StatusCode::TOO_MANY_REQUESTS, [("Retry-After", "1")], Json(json!({"error": {"code": "SubscriptionRequestsThrottled", "message": "Number of requests exceeded the limit."}}))).into_response();
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
            "provisioningState": "Succeeded", "peeringLocation": "Amsterdam", "bandwidthInGbps": 100, "encapsulation": "Dot1Q",
            "links": [
                {"name": "link1", "id": format!("{PORT_ID}/links/link1"), "properties": {"provisioningState": "Succeeded", "routerName": "exr01.ams", "interfaceName": "HundredGigE2/2/2", "patchPanelId": "PP:0123:1234567", "rackId": "AMS-R1", "connectorType": "LC", "adminState": "Enabled"}},
                {"name": "link2", "id": format!("{PORT_ID}/links/link2"), "properties": {"provisioningState": "Succeeded", "routerName": "exr02.ams", "interfaceName": "HundredGigE2/2/2", "patchPanelId": "PP:0123:1234568", "rackId": "AMS-R2", "connectorType": "LC", "adminState": f.link2_admin}}
            ],
            "circuits": []
        }
    }))
    .into_response()
}

fn metrics() -> Value {
    let series = |metric: &str, link: &str, lane: Option<&str>, v: f64| {
        let mut dims =
            vec![json!({"name": {"value": "Link", "localizedValue": "Link"}, "value": link})];
        if let Some(l) = lane {
            dims.push(json!({"name": {"value": "Lane", "localizedValue": "Lane"}, "value": l}));
        }
        json!({"name": {"value": metric}, "unit": "Count", "timeseries": [{"metadatavalues": dims, "data": [
            {"timeStamp": "2026-11-25T10:00:00Z", "average": v - 0.5}, {"timeStamp": "2026-11-25T10:01:00Z", "average": v}, {"timeStamp": "2026-11-25T10:02:00Z"}
        ]}]})
    };
    let mut value = Vec::new();
    for link in ["link1", "link2"] {
        for lane in ["0", "1", "2", "3"] {
            value.push(series("RxLightLevel", link, Some(lane), -4.0));
            value.push(series("TxLightLevel", link, Some(lane), -1.5));
        }
        value.push(series("LineProtocol", link, None, 1.0));
    }
    json!({"cost": 0, "timespan": "2026-11-25T09:50:00Z/2026-11-25T10:05:00Z", "interval": "PT1M", "value": value, "namespace": "Microsoft.Network/expressRoutePorts"})
}

async fn fake_azure(fake: Shared) -> String {
    let app = Router::new()
        .route("/{tenant}/oauth2/v2.0/token", post(sp_token))
        .route("/metadata/identity/oauth2/token", get(mi_token))
        .route("/subscriptions/{*path}", get(arm))
        .with_state(fake);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

fn config(fake: &str, auth: &str) -> String {
    format!(
        "[azure]\n{auth}\narm_endpoint = \"{fake}\"\nlogin_endpoint = \"{fake}\"\nmetadata_endpoint = \"{fake}\"\npoll_interval = \"300ms\"\nrequest_timeout = \"5s\"\n\n{}",
        pair("\"healthy\"", "100ms", "500ms").replace(
            "name = \"erd-ams-1\"\n",
            &format!("name = \"erd-ams-1\"\nazure_port_id = \"{PORT_ID}\"\n"),
        )
    )
}

const SP: &str = "tenant_id = \"tenant-1\"\nclient_id = \"client-1\"\nclient_secret_env = \"LG_TEST_AZURE_SECRET\"";

fn fake(faults: &[Fault], link2_admin: &'static str) -> Shared {
    std::env::set_var("LG_TEST_AZURE_SECRET", SECRET);
    Arc::new(Mutex::new(Fake {
        faults: faults.iter().copied().collect(),
        link2_admin,
        ..Default::default()
    }))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn observed_admin_state_light_levels_and_span_loss() {
    let f = fake(&[], "Disabled");
    let url = fake_azure(f.clone()).await;
    let t = TestAgent::start(&config(&url, SP)).await;
    let (status, body) = t
        .wait_for(
            "/api/v1/ports/erd-ams-1",
            Duration::from_secs(10),
            |_, v| {
                v["links"]["link1"]["azure"].is_object()
                    && v["links"]["link1"]["checks"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .all(|c| c["pass"] == true)
            },
        )
        .await;
    assert_eq!(status, 503, "link2 is Disabled in Azure: {body:#}");
    let l1 = &body["links"]["link1"];
    assert_eq!(l1["azure_admin_state"], "enabled");
    assert_eq!(l1["azure_admin_state_origin"], "observed");
    assert_eq!(l1["checks"][1]["check"], "azure_line_protocol_up");
    assert_eq!(l1["azure"]["patch_panel_id"], "PP:0123:1234567");
    assert_eq!(l1["azure"]["rx"].as_array().unwrap().len(), 4);
    assert_eq!(l1["azure"]["rx"][0]["dbm"], -4.0);
    let failing: Vec<String> = serde_json::from_value(body["failing"].clone()).unwrap();
    assert!(
        failing.contains(
            &"azure_admin_enabled: link2 Azure admin state disabled (observed from Azure)"
                .to_string()
        ),
        "{failing:#?}"
    );

    let m = t.metrics().await;
    assert_eq!(
        value(
            &m,
            "lightgate_azure_link_admin_enabled",
            &[("link", "link1"), ("origin", "observed")]
        ),
        1.0
    );
    assert_eq!(
        value(
            &m,
            "lightgate_azure_link_admin_enabled",
            &[("link", "link2"), ("origin", "observed")]
        ),
        0.0
    );
    assert_eq!(
        value(
            &m,
            "lightgate_azure_rx_light_level_dbm",
            &[("link", "link1"), ("lane", "2")]
        ),
        -4.0
    );
    assert_eq!(
        value(
            &m,
            "lightgate_azure_tx_light_level_dbm",
            &[("link", "link2"), ("lane", "0")]
        ),
        -1.5
    );
    assert_eq!(
        value(&m, "lightgate_azure_line_protocol_up", &[("link", "link1")]),
        1.0
    );
    assert_eq!(
        value(&m, "lightgate_azure_up", &[("port", "erd-ams-1")]),
        1.0
    );
    assert_eq!(
        samples(
            &m,
            "lightgate_azure_link_info",
            &[("link", "link2"), ("router_name", "exr02.ams")]
        )
        .len(),
        1
    );
    // Span loss: our Tx total minus Azure's Rx total (four lanes each side).
    let ours: f64 = l1["reading"]["lanes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| 10f64.powf(l["tx_dbm"].as_f64().unwrap() / 10.0))
        .sum();
    let expected_to = 10.0 * ours.log10() - (-4.0 + 10.0 * 4f64.log10());
    let to = value(
        &m,
        "lightgate_span_loss_db",
        &[("link", "link1"), ("direction", "to_azure")],
    );
    assert!(
        (to - expected_to).abs() < 0.2,
        "to_azure {to}, expected about {expected_to}"
    );
    assert!(value(
        &m,
        "lightgate_span_loss_db",
        &[("link", "link1"), ("direction", "from_azure")]
    )
    .is_finite());
    assert!(!m.contains(SECRET) && !body.to_string().contains(SECRET) && !m.contains("token-1"));
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_server_errors_and_expired_tokens_are_retried() {
    let f = fake(
        &[Fault::Throttle, Fault::ServerError, Fault::ExpireToken],
        "Enabled",
    );
    let url = fake_azure(f.clone()).await;
    let t = TestAgent::start(&config(&url, SP)).await;
    let (status, body) = t
        .wait_for(
            "/api/v1/ports/erd-ams-1",
            Duration::from_secs(15),
            |s, _| s == 200,
        )
        .await;
    assert_eq!(status, 200, "{body:#}");
    let (retried_after, tokens, gets) = {
        let f = f.lock().unwrap();
        (f.retried_after, f.tokens_issued, f.port_gets)
    };
    assert!(
        retried_after.unwrap() >= Duration::from_millis(950),
        "Retry-After was honoured: {retried_after:?}"
    );
    assert_eq!(tokens, 2, "one refresh after the expired token");
    assert!(gets >= 4);
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_secret_a_missing_role_and_a_wrong_shape_are_clear_errors() {
    // Expired secret: readiness says why and names no secret.
    let f = fake(&[], "Enabled");
    f.lock().unwrap().secret_expired = true;
    let url = fake_azure(f.clone()).await;
    let t = TestAgent::start(&config(&url, SP)).await;
    let (_, body) = t
        .wait_for(
            "/api/v1/ports/erd-ams-1",
            Duration::from_secs(10),
            |_, v| v["failing"].to_string().contains("AADSTS"),
        )
        .await;
    let detail = body["links"]["link1"]["checks"][0]["detail"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        detail.contains(
            "the service principal could not sign in (HTTP 401): invalid_client: AADSTS7000222"
        ),
        "{detail}"
    );
    assert!(detail.contains("the client secret has expired"), "{detail}");
    let m = t.metrics().await;
    assert_eq!(
        value(&m, "lightgate_azure_up", &[("port", "erd-ams-1")]),
        0.0
    );
    assert!(!body.to_string().contains(SECRET));
    t.stop().await;

    for (fault, expected) in [
        (Fault::Forbidden, "has no access to /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-er/providers/Microsoft.Network/expressRoutePorts/erd-ams-1 (HTTP 403: AuthorizationFailed"),
        (Fault::WrongShape, "unexpected shape: the port resource has no properties.links array"),
    ] {
        let f = fake(&[fault; 50], "Enabled");
        let url = fake_azure(f).await;
        let t = TestAgent::start(&config(&url, SP)).await;
        let (_, body) = t
            .wait_for("/api/v1/ports/erd-ams-1", Duration::from_secs(10), |_, v| v["failing"].to_string().contains(expected))
            .await;
        assert!(body["failing"].to_string().contains(expected), "{fault:?}: {:#}", body["failing"]);
        t.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_managed_identity_gets_its_token_from_the_metadata_service() {
    let f = fake(&[], "Enabled");
    let url = fake_azure(f.clone()).await;
    let t = TestAgent::start(&config(&url, "managed_identity = true")).await;
    let (status, body) = t
        .wait_for(
            "/api/v1/ports/erd-ams-1",
            Duration::from_secs(10),
            |s, _| s == 200,
        )
        .await;
    assert_eq!(status, 200, "{body:#}");
    assert_eq!(f.lock().unwrap().tokens_issued, 1);
    t.stop().await;
}
