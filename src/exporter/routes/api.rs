//! The JSON API people and pipelines read: ports, verdicts, workflows, circuits,
//! peerings, the traffic decision and the audit trail.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::respond::{error, status_for, unknown_circuit};
use crate::api::{ErrorJson, PortJson, PortsJson};
use crate::store::{self, Store};
use lightgate_core::gate::Action;

pub(crate) async fn ports(State(store): State<Arc<Store>>) -> Response {
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
pub(crate) async fn verdicts(State(store): State<Arc<Store>>) -> Response {
    let verdicts: Vec<crate::api::VerdictJson> = store
        .ports(store::now())
        .iter()
        .map(crate::api::VerdictJson::new)
        .collect();
    Json(serde_json::json!({ "ports": verdicts })).into_response()
}

pub(crate) async fn port(State(store): State<Arc<Store>>, Path(name): Path<String>) -> Response {
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
pub(crate) async fn workflow(
    State(store): State<Arc<Store>>,
    Path(name): Path<String>,
) -> Response {
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

/// GET /api/v1/circuits/{circuit}: the circuit's states and what each action would
/// decide now (nothing recorded: this is what `gate --wait` polls).
pub(crate) async fn circuit(State(store): State<Arc<Store>>, Path(name): Path<String>) -> Response {
    match store.circuit(&name, store::now()) {
        Some((view, c)) => Json(crate::api::CircuitJson::new(&view, &c)).into_response(),
        None => error(StatusCode::NOT_FOUND, unknown_circuit(&name)),
    }
}

/// GET /api/v1/circuits/{circuit}/peerings/{peering}: the peering's readiness for
/// traffic, 200 when ready and 503 when not (like a port's). The peering is named as
/// Azure names it (AzurePrivatePeering, MicrosoftPeering) or by its type (private,
/// microsoft).
pub(crate) async fn peering_readiness(
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
pub(crate) async fn traffic(State(store): State<Arc<Store>>, Path(name): Path<String>) -> Response {
    let now = store::now();
    let Some((view, _)) = store.circuit_or_declared(&name, now) else {
        return error(StatusCode::NOT_FOUND, unknown_circuit(&name));
    };
    let o = view.decide(Action::EnableTraffic, Some(&name));
    (status_for(o.ready()), Json(crate::api::ActionJson::new(&o))).into_response()
}

#[derive(serde::Deserialize)]
pub(crate) struct AuditQuery {
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
pub(crate) async fn audit(
    State(store): State<Arc<Store>>,
    Query(q): Query<AuditQuery>,
) -> Response {
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
