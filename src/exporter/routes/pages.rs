//! The pages for people: the port list, each port's bring-up page with its event
//! stream, the embedded assets, and the answer to an unknown path.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;

use super::respond::error;
use crate::api::{ErrorJson, PortJson};
use crate::exporter::state::AppState;
use crate::exporter::{live, page};
use crate::store::{self, Store};

pub(crate) async fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(ErrorJson {
            error: "not found; see / for the endpoints".to_string(),
        }),
    )
        .into_response()
}

pub(crate) async fn index(State(store): State<Arc<Store>>) -> Html<String> {
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
pub(crate) async fn port_page(
    State(store): State<Arc<Store>>,
    Path(name): Path<String>,
) -> Response {
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
pub(crate) async fn port_events(
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

pub(crate) async fn script() -> Response {
    asset("text/javascript; charset=utf-8", page::SCRIPT)
}

pub(crate) async fn style() -> Response {
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
