//! The gates: POST a port or circuit action, decided, recorded in the audit trail
//! (fsync), then answered.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::respond::{error, status_for, unknown_circuit};
use crate::audit::GateRequest;
use crate::exporter::live;
use crate::exporter::state::AppState;
use crate::store;
use lightgate_core::gate::Action;

/// POST /api/v1/ports/{port}/gate: decide, record (fsync), then answer.
pub(crate) async fn gate(
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

/// POST /api/v1/circuits/{circuit}/gate: decide a circuit action, record, answer.
pub(crate) async fn circuit_gate(
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
