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
pub mod routes;
pub mod server;
pub mod state;
pub mod tls;
pub mod web;
pub mod web_live;

pub use state::{AppState, PollHook, ReloadHook};

use std::future::Future;
use std::sync::Arc;

use axum::routing::{get, post};
use axum::Router;
use tokio::net::TcpListener;

use routes::{api, gate, metrics as metrics_route, ops, pages};

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
        .route("/", get(pages::index))
        .route("/ports/{port}", get(pages::port_page))
        .route("/assets/live.js", get(pages::script))
        .route("/assets/live.css", get(pages::style))
        .route("/api/v1/ports/{port}/events", get(pages::port_events))
        .route("/metrics", get(metrics_route::metrics_handler))
        .route("/-/healthy", get(ops::healthy))
        .route("/-/ready", get(ops::ready))
        .route("/-/reload", post(ops::reload))
        .route("/api/v1/ports", get(api::ports))
        .route("/api/v1/verdicts", get(api::verdicts))
        .route("/api/v1/ports/{port}", get(api::port))
        .route("/api/v1/ports/{port}/gate", post(gate::gate))
        .route("/api/v1/ports/{port}/workflow", get(api::workflow))
        .route("/api/v1/circuits/{circuit}", get(api::circuit))
        .route("/api/v1/circuits/{circuit}/gate", post(gate::circuit_gate))
        .route(
            "/api/v1/circuits/{circuit}/peerings/{peering}",
            get(api::peering_readiness),
        )
        .route("/api/v1/circuits/{circuit}/traffic", get(api::traffic))
        .route("/api/v1/audit", get(api::audit))
        .route("/api/v1/devices", get(ops::devices))
        .route("/api/v1/devices/poll", post(ops::poll_devices))
        .fallback(pages::not_found)
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
