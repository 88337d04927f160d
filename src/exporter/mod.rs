//! The HTTP server: /metrics for Prometheus, /api/v1/ports for people and pipelines,
//! /-/healthy for liveness, and a small page at / linking them.
//!
//! [`serve`] takes a bound listener and a shutdown future, so tests run it in-process
//! on 127.0.0.1:0 and stop it cleanly.

pub mod connections;
pub mod limits;
pub mod live;
pub mod metrics;
pub mod page;
pub mod server;
pub mod tls;
pub mod web;
pub mod web_live;

use std::future::Future;
use std::sync::Arc;

use axum::extract::FromRef;

use axum::extract::Query;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use tokio::net::TcpListener;

use crate::api::{ErrorJson, PortJson, PortsJson};
use crate::audit::GateRequest;
use crate::store::{self, Store};
use lightgate_core::gate::Action;

/// Re-reads the config: Ok with a summary, or Err with every problem.
pub type ReloadHook = Arc<dyn Fn() -> Result<String, String> + Send + Sync>;

/// Wakes the pollers: of one device (Some(name)) or all; returns how many woke.
pub type PollHook = Arc<dyn Fn(Option<&str>) -> usize + Send + Sync>;

/// What the handlers share.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<Store>,
    pub gate: Arc<crate::gate::Gate>,
    pub reload: Option<ReloadHook>,
    pub poll: Option<PollHook>,
    /// The ports' live event feeds (the bring-up page).
    pub live: Arc<live::LiveHub>,
}

impl AppState {
    /// The state for `store`, with its gate and no reload or poll hooks.
    pub fn new(store: Arc<Store>) -> Self {
        AppState {
            gate: Arc::new(crate::gate::Gate::new(store.clone())),
            live: Arc::new(live::LiveHub::new(store.clone())),
            store,
            reload: None,
            poll: None,
        }
    }
}

impl FromRef<AppState> for Arc<Store> {
    fn from_ref(app: &AppState) -> Arc<Store> {
        app.store.clone()
    }
}

/// Largest request body accepted (a gate request's fields are bounded well below).
pub const MAX_BODY: usize = 128 * 1024;

/// The routes, with basic auth in front of every one when users are configured, and
/// every request body read within its time limit.
pub fn router(app: AppState, web: &web::WebConfig) -> Result<Router, String> {
    let live = Arc::new(web_live::WebLive::new(web)?);
    Ok(router_with(app, live, server::Limits::default()))
}

fn router_with(app: AppState, web: Arc<web_live::WebLive>, limits: server::Limits) -> Router {
    let router = Router::new()
        .route("/", get(index))
        .route("/ports/{port}", get(port_page))
        .route("/assets/live.js", get(script))
        .route("/assets/live.css", get(style))
        .route("/api/v1/ports/{port}/events", get(port_events))
        .route("/metrics", get(metrics_handler))
        .route("/-/healthy", get(healthy))
        .route("/-/ready", get(ready))
        .route("/-/reload", post(reload))
        .route("/api/v1/ports", get(ports))
        .route("/api/v1/verdicts", get(verdicts))
        .route("/api/v1/ports/{port}", get(port))
        .route("/api/v1/ports/{port}/gate", post(gate))
        .route("/api/v1/ports/{port}/workflow", get(workflow))
        .route("/api/v1/circuits/{circuit}", get(circuit))
        .route("/api/v1/circuits/{circuit}/gate", post(circuit_gate))
        .route(
            "/api/v1/circuits/{circuit}/peerings/{peering}",
            get(peering_readiness),
        )
        .route("/api/v1/circuits/{circuit}/traffic", get(traffic))
        .route("/api/v1/audit", get(audit))
        .route("/api/v1/devices", get(devices))
        .route("/api/v1/devices/poll", post(poll_devices))
        .fallback(not_found)
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
        .with_state(app);
    let router = router.layer(axum::middleware::from_fn_with_state(
        (limits.body_timeout, MAX_BODY),
        server::bounded_body,
    ));
    // Auth and headers follow the web config in force (it may be re-read).
    router
        .layer(axum::middleware::from_fn_with_state(
            web.clone(),
            web_live::require_auth,
        ))
        .layer(axum::middleware::from_fn_with_state(
            web,
            web_live::add_headers,
        ))
}

/// Serves until `shutdown` completes, then finishes in-flight requests (for at most
/// the shutdown grace) and returns. With TLS in `web`, serves HTTPS only.
pub async fn serve(
    listener: TcpListener,
    app: AppState,
    web: &web::WebConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with_limits(listener, app, web, server::Limits::default(), shutdown).await
}

/// [`serve`] with explicit limits.
pub async fn serve_with_limits(
    listener: TcpListener,
    app: AppState,
    web: &web::WebConfig,
    limits: server::Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let store = app.store.clone();
    let live = app.live.clone();
    let web_live = Arc::new(
        web_live::WebLive::new(web)
            .map_err(std::io::Error::other)?
            .with_stream_lifetime(limits.stream_lifetime),
    );
    let routes = router_with(app, web_live.clone(), limits);
    let connections = connections::Connections::new(limits, store.clone());
    let tls = web_live.tls();
    let stop_watching = tokio_util::sync::CancellationToken::new();
    if let Some(path) = web.source.clone() {
        let metrics_store = store.clone();
        let reloaded = move |ok: bool| {
            if ok {
                metrics_store
                    .poll_metrics
                    .reload_succeeded(std::time::SystemTime::now());
            } else {
                metrics_store.poll_metrics.reload_failed();
            }
        };
        tokio::spawn(web_live::watch(
            web_live,
            path,
            stop_watching.clone(),
            reloaded,
        ));
    }
    // Event streams never end by themselves: end them when the shutdown begins, or
    // every open page would hold the shutdown for its whole grace period.
    let shutdown = async move {
        shutdown.await;
        live.stop();
        stop_watching.cancel();
    };
    server::serve(listener, routes, tls, limits, connections, shutdown).await
}

/// POST /-/reload: re-read the config (like SIGHUP).
async fn reload(State(app): State<AppState>) -> Response {
    let Some(hook) = app.reload.clone() else {
        return error(
            StatusCode::NOT_IMPLEMENTED,
            "this agent has no config file to reload".to_string(),
        );
    };
    match tokio::task::spawn_blocking(move || hook()).await {
        Ok(Ok(summary)) => (StatusCode::OK, format!("{summary}\n")).into_response(),
        Ok(Err(problems)) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the new config was rejected; the running one is kept:\n{problems}"),
        ),
        Err(e) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("internal error: {e}"),
        ),
    }
}

/// GET /api/v1/devices: every device this agent polls, whether it answers, how many
/// polls it has had and how long the latest took.
async fn devices(State(app): State<AppState>) -> Response {
    Json(crate::api::DevicesJson::new(&app.store.devices())).into_response()
}

#[derive(Debug, serde::Deserialize)]
struct PollQuery {
    device: Option<String>,
}

/// POST /api/v1/devices/poll[?device=NAME]: poll now, without waiting for the interval
/// (fresh readings before a gate decision; the benchmark's cycle trigger). Returns at
/// once; `polls` in GET /api/v1/devices counts the polls as they finish.
async fn poll_devices(
    State(app): State<AppState>,
    axum::extract::Query(q): axum::extract::Query<PollQuery>,
) -> Response {
    let Some(hook) = app.poll.clone() else {
        return error(
            StatusCode::NOT_IMPLEMENTED,
            "this agent cannot be asked to poll".to_string(),
        );
    };
    let woken = hook(q.device.as_deref());
    if woken == 0 {
        if let Some(d) = q.device {
            return error(
                StatusCode::NOT_FOUND,
                format!("no device named {d:?} is polled by this agent"),
            );
        }
    }
    (
        StatusCode::ACCEPTED,
        Json(serde_json::json!({ "polling": woken })),
    )
        .into_response()
}

fn status_for(ready: bool) -> StatusCode {
    if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    }
}

async fn metrics_handler(State(store): State<Arc<Store>>) -> Response {
    let body = metrics::render(&store, store::now());
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        body,
    )
        .into_response()
}

async fn healthy() -> &'static str {
    "Healthy.\n"
}

/// GET /-/ready: 200 once the config is loaded and the first poll of every device this
/// agent polls has finished (either way), so that a freshly started agent is not asked
/// before it knows anything; 503 naming the devices still waited for.
async fn ready(State(store): State<Arc<Store>>) -> Response {
    let waiting: Vec<String> = store
        .devices()
        .into_iter()
        .filter(|d| d.counters.polls == 0)
        .map(|d| d.name)
        .collect();
    if waiting.is_empty() {
        return (StatusCode::OK, "Ready.\n").into_response();
    }
    let shown: Vec<&str> = waiting.iter().take(10).map(String::as_str).collect();
    let more = waiting.len().saturating_sub(shown.len());
    let more = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    (
        StatusCode::SERVICE_UNAVAILABLE,
        format!(
            "Not ready: waiting for the first poll of {} device(s): {}{more}.\n",
            waiting.len(),
            shown.join(", ")
        ),
    )
        .into_response()
}

async fn ports(State(store): State<Arc<Store>>) -> Response {
    let ports: Vec<PortJson> = store
        .ports(store::now())
        .iter()
        .map(PortJson::new)
        .collect();
    let ready = ports.iter().all(|p| p.ready);
    (status_for(ready), Json(PortsJson { ready, ports })).into_response()
}

/// GET /api/v1/verdicts: each port's verdict and first failing reason, always 200 (the
/// port list polls it; /api/v1/ports answers 503 while any port is not ready).
async fn verdicts(State(store): State<Arc<Store>>) -> Response {
    let verdicts: Vec<crate::api::VerdictJson> = store
        .ports(store::now())
        .iter()
        .map(crate::api::VerdictJson::new)
        .collect();
    Json(serde_json::json!({ "ports": verdicts })).into_response()
}

async fn port(State(store): State<Arc<Store>>, Path(name): Path<String>) -> Response {
    match store.port(&name, store::now()) {
        Some(view) => {
            let body = PortJson::new(&view);
            (status_for(body.ready), Json(body)).into_response()
        }
        None => (
            StatusCode::NOT_FOUND,
            Json(ErrorJson {
                error: format!("no port named {name:?} is configured"),
            }),
        )
            .into_response(),
    }
}

/// GET /api/v1/ports/{port}/workflow.
async fn workflow(State(store): State<Arc<Store>>, Path(name): Path<String>) -> Response {
    match store.port(&name, store::now()) {
        Some(view) => {
            // The port's recent decisions (a ready enable-traffic ends the workflow),
            // read on a blocking thread: the audit trail is a file.
            let path = store.config().audit_log.clone();
            let port = name.clone();
            let recent = tokio::task::spawn_blocking(move || {
                crate::audit::recent(&path, &port, 50).unwrap_or_default()
            })
            .await
            .unwrap_or_default();
            Json(crate::workflow::workflow(&view, &recent)).into_response()
        }
        None => error(
            StatusCode::NOT_FOUND,
            format!("no port named {name:?} is configured"),
        ),
    }
}

fn error(status: StatusCode, message: String) -> Response {
    (status, Json(ErrorJson { error: message })).into_response()
}

/// POST /api/v1/ports/{port}/gate: decide, record (fsync), then answer.
async fn gate(
    State(app): State<AppState>,
    Path(name): Path<String>,
    body: Result<Json<GateRequest>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let unknown = format!("no port named {name:?} is configured");
    let subject = format!("port {name}");
    let gate = app.gate.clone();
    decide(
        &app.live,
        body,
        &Action::PORT,
        "action",
        subject,
        unknown,
        move |action, request, now| gate.port(&name, action, request, now),
    )
    .await
}

fn unknown_circuit(name: &str) -> String {
    format!("no circuit named {name:?} on a port observed from Azure (or it could not be read: see lightgate workflow)")
}

/// GET /api/v1/circuits/{circuit}: the circuit's states and what each action would
/// decide now (nothing recorded: this is what `gate --wait` polls).
async fn circuit(State(store): State<Arc<Store>>, Path(name): Path<String>) -> Response {
    match store.circuit(&name, store::now()) {
        Some((view, c)) => Json(crate::api::CircuitJson::new(&view, &c)).into_response(),
        None => error(StatusCode::NOT_FOUND, unknown_circuit(&name)),
    }
}

/// GET /api/v1/circuits/{circuit}/peerings/{peering}: the peering's readiness for
/// traffic, 200 when ready and 503 when not (like a port's). The peering is named as
/// Azure names it (AzurePrivatePeering, MicrosoftPeering) or by its type (private,
/// microsoft).
async fn peering_readiness(
    State(store): State<Arc<Store>>,
    Path((circuit, peering)): Path<(String, String)>,
) -> Response {
    let kind = crate::bgp::PeeringKind::parse(&peering);
    let found = store.ports(store::now()).into_iter().find_map(|v| {
        v.peerings
            .iter()
            .find(|p| p.circuit == circuit && (p.peering == peering || Some(p.kind) == kind))
            .map(|p| crate::api::PeeringReadyJson::for_traffic(&v, p))
    });
    match found {
        Some(j) if j.ready => Json(j).into_response(),
        Some(j) => (StatusCode::SERVICE_UNAVAILABLE, Json(j)).into_response(),
        None => error(
            StatusCode::NOT_FOUND,
            format!(
                "no peering {peering:?} on circuit {circuit:?}: neither Azure nor a [[port.peering]] entry names it"
            ),
        ),
    }
}

/// GET /api/v1/circuits/{circuit}/traffic: what enable-traffic would decide now
/// (nothing recorded): `{ready, failing}`, 200 or 503; for circuits seen in Azure and
/// those declared in `[[port.peering]]` alike (what `gate --wait` polls).
async fn traffic(State(store): State<Arc<Store>>, Path(name): Path<String>) -> Response {
    let now = store::now();
    let Some((view, _)) = store.circuit_or_declared(&name, now) else {
        return error(StatusCode::NOT_FOUND, unknown_circuit(&name));
    };
    let o = view.decide(Action::EnableTraffic, Some(&name));
    (status_for(o.ready()), Json(crate::api::ActionJson::new(&o))).into_response()
}

/// POST /api/v1/circuits/{circuit}/gate: decide a circuit action, record, answer.
async fn circuit_gate(
    State(app): State<AppState>,
    Path(name): Path<String>,
    body: Result<Json<GateRequest>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let unknown = unknown_circuit(&name);
    let subject = format!("circuit {name}");
    let gate = app.gate.clone();
    decide(
        &app.live,
        body,
        &Action::CIRCUIT,
        "circuit action",
        subject,
        unknown,
        move |action, request, now| gate.circuit(&name, action, request, now),
    )
    .await
}

/// The common part of both gates: check the request, decide and record on a blocking
/// thread (the fsync blocks), answer 200/503 with the decision, 404 with `unknown`, or
/// 500 when the decision could not be recorded (then nobody may act on it).
async fn decide(
    live: &live::LiveHub,
    body: Result<Json<GateRequest>, axum::extract::rejection::JsonRejection>,
    actions: &[Action],
    kind: &str,
    subject: String,
    unknown: String,
    decide: impl FnOnce(
            Action,
            &GateRequest,
            std::time::Instant,
        ) -> Option<std::io::Result<crate::audit::Decision>>
        + Send
        + 'static,
) -> Response {
    let Json(request) = match body {
        Ok(b) => b,
        // 413 for a body over the limit, 400 for anything else.
        Err(e) => return error(e.status(), format!("bad gate request: {}", e.body_text())),
    };
    if let Err(e) = request.check_sizes() {
        return error(StatusCode::BAD_REQUEST, format!("bad gate request: {e}"));
    }
    let Some(action) = request
        .action
        .parse::<Action>()
        .ok()
        .filter(|a| actions.contains(a))
    else {
        let known: Vec<&str> = actions.iter().map(Action::as_str).collect();
        return error(
            StatusCode::BAD_REQUEST,
            format!(
                "unknown {kind} {:?}; this agent knows: {}",
                request.action,
                known.join(", ")
            ),
        );
    };
    let now = store::now();
    match tokio::task::spawn_blocking(move || decide(action, &request, now)).await {
        Ok(None) => error(StatusCode::NOT_FOUND, unknown),
        Ok(Some(Ok(decision))) => {
            live.decided(&decision);
            tracing::info!(port = %decision.port, circuit = decision.circuit.as_deref().unwrap_or(""), action = %decision.action, ready = decision.ready, user = %decision.user, host = %decision.host, id = %decision.decision_id, "Gate decision recorded.");
            (status_for(decision.ready), Json(decision)).into_response()
        }
        Ok(Some(Err(e))) => {
            tracing::error!(gate = %subject, error = %e, "Cannot record a gate decision; refusing it.");
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("the decision could not be recorded in the audit trail ({e}); refusing to decide"),
            )
        }
        Err(e) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("internal error: {e}"),
        ),
    }
}

#[derive(serde::Deserialize)]
struct AuditQuery {
    port: Option<String>,
    since: Option<String>,
    /// Records per page (default 1000, at most 10000).
    limit: Option<usize>,
    /// The `next` of the previous page.
    cursor: Option<String>,
}

/// Records per page when the request does not say.
const AUDIT_PAGE: usize = 1000;

/// GET /api/v1/audit?port=P&since=T&limit=N&cursor=C: one page of the agent's audit
/// trail (rotated files included, oldest first), read line by line: however long the
/// trail, only the page is held in memory. `next` is the cursor of the following page.
async fn audit(State(store): State<Arc<Store>>, Query(q): Query<AuditQuery>) -> Response {
    let since = match crate::audit::parse_since(q.since.as_deref()) {
        Ok(s) => s,
        Err(e) => return error(StatusCode::BAD_REQUEST, format!("since: {e}")),
    };
    let limit = q.limit.unwrap_or(AUDIT_PAGE);
    if limit == 0 || limit > crate::audit::MAX_PAGE {
        return error(
            StatusCode::BAD_REQUEST,
            format!("limit must be 1 to {}", crate::audit::MAX_PAGE),
        );
    }
    let path = store.config().audit_log.clone();
    let filter = crate::audit::Filter {
        port: q.port,
        since,
    };
    let cursor = q.cursor;
    match tokio::task::spawn_blocking(move || {
        crate::audit::page(&path, &filter, cursor.as_deref(), limit)
    })
    .await
    {
        Ok(Ok(page)) => Json(page).into_response(),
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::InvalidInput => {
            error(StatusCode::BAD_REQUEST, format!("cursor: {e}"))
        }
        Ok(Err(e)) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("cannot read the audit trail: {e}"),
        ),
        Err(e) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("internal error: {e}"),
        ),
    }
}

async fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(ErrorJson {
            error: "not found; see / for the endpoints".to_string(),
        }),
    )
        .into_response()
}

async fn index(State(store): State<Arc<Store>>) -> Html<String> {
    let ports: Vec<PortJson> = store
        .ports(store::now())
        .iter()
        .map(PortJson::new)
        .collect();
    Html(page::index(&ports))
}

/// Decisions listed on a port's page.
const PAGE_DECISIONS: usize = 10;

/// GET /ports/{port}: the bring-up page of one port.
async fn port_page(State(store): State<Arc<Store>>, Path(name): Path<String>) -> Response {
    let Some(view) = store.port(&name, store::now()) else {
        return (
            StatusCode::NOT_FOUND,
            Html(format!(
                "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>lightgate</title></head>\
                 <body><p>No port named {} is configured. <a href=\"/\">All ports</a></p></body></html>\n",
                page::escape(&name)
            )),
        )
            .into_response();
    };
    let json = PortJson::new(&view);
    let path = store.config().audit_log.clone();
    let port = name.clone();
    let decisions =
        tokio::task::spawn_blocking(move || crate::audit::recent(&path, &port, PAGE_DECISIONS))
            .await;
    let decisions: Vec<live::DecisionSummary> = match decisions {
        Ok(Ok(d)) => d.iter().map(live::DecisionSummary::from).collect(),
        Ok(Err(e)) => {
            tracing::warn!(port = %name, error = %e, "Cannot read the audit trail for the port page.");
            Vec::new()
        }
        Err(_) => Vec::new(),
    };
    Html(page::port(&json, &decisions)).into_response()
}

/// GET /api/v1/ports/{port}/events: the port's Server-Sent Events.
async fn port_events(
    State(app): State<AppState>,
    Path(name): Path<String>,
    headers: axum::http::HeaderMap,
) -> Response {
    let last = headers.get("last-event-id").and_then(|v| v.to_str().ok());
    match app.live.stream(&name, last) {
        Some(sse) => sse.into_response(),
        None => error(
            StatusCode::NOT_FOUND,
            format!("no port named {name:?} is configured"),
        ),
    }
}

async fn script() -> Response {
    asset("text/javascript; charset=utf-8", page::SCRIPT)
}

async fn style() -> Response {
    asset("text/css; charset=utf-8", page::STYLE)
}

/// An embedded asset; revalidated on every load, so an upgraded agent never serves a
/// page with the previous version's script.
fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}
