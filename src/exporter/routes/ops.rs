//! Routes for the agent's operators: liveness, readiness, config reload and polling
//! on demand.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::respond::error;
use crate::exporter::state::AppState;
use crate::store::Store;

/// POST /-/reload: re-read the config (like SIGHUP).
pub(crate) async fn reload(State(app): State<AppState>) -> Response {
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
pub(crate) async fn devices(State(app): State<AppState>) -> Response {
    Json(crate::api::DevicesJson::new(&app.store.devices())).into_response()
}

#[derive(Debug, serde::Deserialize)]
pub(crate) struct PollQuery {
    device: Option<String>,
}

/// POST /api/v1/devices/poll[?device=NAME]: poll now, without waiting for the interval
/// (fresh readings before a gate decision; the benchmark's cycle trigger). Returns at
/// once; `polls` in GET /api/v1/devices counts the polls as they finish.
pub(crate) async fn poll_devices(
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

pub(crate) async fn healthy() -> &'static str {
    "Healthy.\n"
}

/// GET /-/ready: 200 once the config is loaded and the first poll of every device this
/// agent polls has finished (either way), so that a freshly started agent is not asked
/// before it knows anything; 503 naming the devices still waited for.
pub(crate) async fn ready(State(store): State<Arc<Store>>) -> Response {
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
