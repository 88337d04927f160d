//! GET /metrics: the Prometheus text exposition.

use std::sync::Arc;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::exporter::metrics;
use crate::store::{self, Store};

pub(crate) async fn metrics_handler(State(store): State<Arc<Store>>) -> Response {
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
