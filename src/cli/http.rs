//! The CLI's HTTP client for talking to an agent.

use std::time::Duration;

use super::exit;

/// An agent's answer: status and body text.
pub struct Answer {
    pub status: u16,
    pub body: String,
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(15)))
        .build()
        .into()
}

/// The base URL without a trailing slash.
pub fn base(url: &str) -> &str {
    url.trim_end_matches('/')
}

fn unreachable(url: &str, e: impl std::fmt::Display) -> (u8, String) {
    (
        exit::UNAVAILABLE,
        format!("cannot reach the lightgate agent at {url}: {e}"),
    )
}

pub fn get(url: &str) -> Result<Answer, (u8, String)> {
    let mut r = agent().get(url).call().map_err(|e| unreachable(url, e))?;
    let status = r.status().as_u16();
    let body = r
        .body_mut()
        .read_to_string()
        .map_err(|e| unreachable(url, e))?;
    Ok(Answer { status, body })
}

pub fn post_json(url: &str, value: &impl serde::Serialize) -> Result<Answer, (u8, String)> {
    let mut r = agent()
        .post(url)
        .send_json(value)
        .map_err(|e| unreachable(url, e))?;
    let status = r.status().as_u16();
    let body = r
        .body_mut()
        .read_to_string()
        .map_err(|e| unreachable(url, e))?;
    Ok(Answer { status, body })
}

/// The `error` field of an agent's error answer, or the body.
pub fn error_text(body: &str) -> String {
    serde_json::from_str::<crate::api::ErrorJson>(body)
        .map(|e| e.error)
        .unwrap_or_else(|_| body.trim().to_string())
}
