//! The answers every route shares: errors as JSON, 200 or 503 by readiness, and the
//! words for a circuit nobody knows.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::api::ErrorJson;

pub(crate) fn status_for(ready: bool) -> StatusCode {
    if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    }
}

pub(crate) fn error(status: StatusCode, message: String) -> Response {
    (status, Json(ErrorJson { error: message })).into_response()
}

pub(crate) fn unknown_circuit(name: &str) -> String {
    format!("no circuit named {name:?} on a port observed from Azure (or it could not be read: see lightgate workflow)")
}
