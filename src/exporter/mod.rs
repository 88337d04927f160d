//! The HTTP server: /metrics for Prometheus, /api/v1/ports for people and pipelines,
//! /-/healthy for liveness, and a small page at / linking them.
//!
//! [`serve`] takes a bound listener and a shutdown future, so tests run it in-process
//! on 127.0.0.1:0 and stop it cleanly.

pub mod metrics;

use std::future::Future;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use tokio::net::TcpListener;

use crate::api::{ErrorJson, PortJson, PortsJson};
use crate::store::{self, Store};

/// The routes, over a store.
pub fn router(store: Arc<Store>) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/metrics", get(metrics_handler))
        .route("/-/healthy", get(healthy))
        .route("/api/v1/ports", get(ports))
        .route("/api/v1/ports/{port}", get(port))
        .fallback(not_found)
        .with_state(store)
}

/// Serves until `shutdown` completes, then finishes in-flight requests and returns.
pub async fn serve(
    listener: TcpListener,
    store: Arc<Store>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(store))
        .with_graceful_shutdown(shutdown)
        .await
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

async fn ports(State(store): State<Arc<Store>>) -> Response {
    let ports: Vec<PortJson> = store
        .ports(store::now())
        .iter()
        .map(PortJson::new)
        .collect();
    let ready = ports.iter().all(|p| p.ready);
    (status_for(ready), Json(PortsJson { ready, ports })).into_response()
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
    let mut rows = String::new();
    for p in store.ports(store::now()) {
        let name = html_escape(&p.config.name);
        let verdict = if p.readiness.ready() {
            "ready"
        } else {
            "not ready"
        };
        rows.push_str(&format!(
            "<li><a href=\"/api/v1/ports/{name}\">{name}</a>: {verdict}</li>\n"
        ));
    }
    Html(format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>lightgate</title></head><body>\n\
         <h1>lightgate</h1>\n<p>ExpressRoute Direct link readiness.</p>\n<ul>\n\
         <li><a href=\"/metrics\">/metrics</a>: Prometheus metrics</li>\n\
         <li><a href=\"/api/v1/ports\">/api/v1/ports</a>: readiness of every port (JSON)</li>\n\
         <li><a href=\"/-/healthy\">/-/healthy</a>: liveness</li>\n</ul>\n\
         <h2>Ports</h2>\n<ul>\n{rows}</ul>\n</body></html>\n"
    ))
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
