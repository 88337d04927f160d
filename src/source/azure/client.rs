//! A small, blocking Azure Resource Manager client: tokens for a service principal or
//! a managed identity, cached and renewed before they expire; GETs retried politely on
//! 429 (honouring Retry-After) and 5xx; one token refresh on 401. Errors say what is
//! missing (an expired secret, a missing role). Secrets and tokens never reach a log or
//! an error message.

use std::time::{Duration, Instant};

use serde_json::Value;

use super::credential::{strip_query, unreachable as transport};
use super::decode::azure_error;
use super::{AzureAuth, AzureConfig};
use crate::source::SourceError;
use lightgate_core::secret::Secret;

/// Attempts of one GET (throttling and server errors included).
const ATTEMPTS: u32 = 4;
/// Never wait longer than this for one Retry-After (the log says when Azure asked more).
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);
/// The User-Agent of every request: Azure's logs and throttling show who asked.
pub const USER_AGENT: &str = concat!("lightgate/", env!("CARGO_PKG_VERSION"));

/// A Retry-After value in either form HTTP allows: delay-seconds, or an HTTP-date
/// (RFC 9110 section 10.2.3), as a wait from `now` (a date in the past is no wait).
pub fn retry_after(value: &str, now: std::time::SystemTime) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(v).ok()?;
    Some(at.duration_since(now).unwrap_or_default())
}

/// How long to wait before the next try: what Azure asked (or `backoff`), capped at
/// [`MAX_RETRY_AFTER`], saying so when the cap cut Azure's wish short.
fn wait_for(asked: Option<Duration>, backoff: Duration) -> Duration {
    let wait = asked.unwrap_or(backoff);
    if wait > MAX_RETRY_AFTER {
        tracing::warn!(
            asked_s = wait.as_secs(),
            cap_s = MAX_RETRY_AFTER.as_secs(),
            "Azure asks lightgate to wait longer than its cap before retrying; waiting the cap."
        );
    }
    wait.min(MAX_RETRY_AFTER)
}

pub struct AzureClient {
    config: AzureConfig,
    agent: ureq::Agent,
    token: Option<(Secret, Instant)>,
    /// Tokens obtained so far (for tests and the debug log).
    pub tokens_fetched: u64,
    /// Failed requests since the last [`AzureClient::take_errors`]: (endpoint "arm" or
    /// "token", HTTP status or "transport"), for `lightgate_azure_api_errors_total`.
    errors: Vec<(&'static str, String)>,
    /// Secrets the credential used (assertions, challenge files), kept to redact them.
    used_secrets: Vec<String>,
    /// The member of a credential chain that worked last.
    pinned: Option<usize>,
}

impl AzureClient {
    pub fn new(config: AzureConfig) -> Self {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .user_agent(USER_AGENT)
            .timeout_global(Some(config.request_timeout))
            .build()
            .into();
        AzureClient {
            config,
            agent,
            token: None,
            tokens_fetched: 0,
            errors: Vec::new(),
            used_secrets: Vec::new(),
            pinned: None,
        }
    }

    /// The failed requests counted since the last call.
    pub fn take_errors(&mut self) -> Vec<(&'static str, String)> {
        std::mem::take(&mut self.errors)
    }

    pub fn config(&self) -> &AzureConfig {
        &self.config
    }

    fn fetch_token(&mut self) -> Result<(Secret, Duration), SourceError> {
        let mut ctx = super::credential::Ctx {
            agent: &self.agent,
            config: &self.config,
            errors: &mut self.errors,
            secrets: &mut self.used_secrets,
        };
        let auth = self.config.auth.clone();
        let token = super::credential::fetch(&mut ctx, &auth, &mut self.pinned);
        // Keep the newest few distinct ones: every fetch signs a new assertion, and an
        // old one is no longer worth anything.
        self.used_secrets.dedup();
        let excess = self.used_secrets.len().saturating_sub(8);
        self.used_secrets.drain(..excess);
        let token = token?;
        self.tokens_fetched += 1;
        Ok(token)
    }

    /// A valid token, renewed well before it expires (five minutes, or half of a short
    /// lifetime).
    fn bearer(&mut self) -> Result<String, SourceError> {
        if let Some((t, renew_at)) = &self.token {
            if Instant::now() < *renew_at {
                return Ok(t.expose().to_string());
            }
        }
        let (token, lifetime) = self.fetch_token()?;
        let margin = Duration::from_secs(300).min(lifetime / 2);
        let value = token.expose().to_string();
        self.token = Some((token, Instant::now() + lifetime - margin));
        Ok(value)
    }

    /// The client secret and the current token: never to appear in an error.
    fn secrets(&self) -> Vec<String> {
        let mut out = self.used_secrets.clone();
        if let AzureAuth::ServicePrincipal { client_secret, .. } = &self.config.auth {
            out.push(client_secret.expose().to_string());
        }
        if let Some((t, _)) = &self.token {
            out.push(t.expose().to_string());
        }
        out
    }

    /// GETs an ARM path (starting with /) with `query`, as JSON. Error texts (Azure's
    /// own, which may echo the request) come back with every secret removed.
    pub fn get(&mut self, path: &str, query: &str) -> Result<Value, SourceError> {
        self.get_raw(path, query).map_err(|e| {
            let secrets = self.secrets();
            let refs: Vec<&str> = secrets.iter().map(String::as_str).collect();
            e.redacted(&refs)
        })
    }

    fn get_raw(&mut self, path: &str, query: &str) -> Result<Value, SourceError> {
        let url = format!("{}{path}?{query}", self.config.arm_endpoint);
        let mut refreshed = false;
        let mut last = SourceError::Transport("no attempt made".to_string());
        let mut backoff = Duration::from_millis(500);
        for attempt in 1..=ATTEMPTS {
            // No wait after the last try: its error is the answer.
            let pause = |d: Duration| {
                if attempt < ATTEMPTS {
                    std::thread::sleep(d);
                }
            };
            let bearer = self.bearer()?;
            let mut response = match self
                .agent
                .get(&url)
                .header("Authorization", &format!("Bearer {bearer}"))
                .call()
            {
                Ok(r) => r,
                Err(e) => {
                    self.errors.push(("arm", "transport".to_string()));
                    last = transport(&url, e);
                    pause(backoff);
                    backoff *= 2;
                    continue;
                }
            };
            let status = response.status().as_u16();
            let retry_after = response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| retry_after(v, std::time::SystemTime::now()));
            let body = response
                .body_mut()
                .read_to_string()
                .map_err(|e| transport(&url, e))?;
            if status != 200 {
                self.errors.push(("arm", status.to_string()));
            }
            match status {
                200 => {
                    return serde_json::from_str(&body).map_err(|_| {
                        SourceError::Decode(format!("unexpected shape: {} answered something that is not JSON", strip_query(&url)))
                    })
                }
                401 if !refreshed => {
                    // Expired or revoked: get a new token once.
                    self.token = None;
                    refreshed = true;
                    last = SourceError::Auth(format!("authentication: HTTP 401: {}", azure_error(&body)));
                }
                401 => return Err(SourceError::Auth(format!("authentication: Azure rejects lightgate's token (HTTP 401: {})", azure_error(&body)))),
                403 => {
                    return Err(SourceError::Auth(format!(
                        "authorization: the identity may not read {path} (HTTP 403: {}); give it the Reader role on that resource (or its resource group)",
                        azure_error(&body)
                    )))
                }
                404 => {
                    return Err(SourceError::Decode(format!(
                        "no such resource: {path} (HTTP 404: {}); check azure_port_id and the subscription",
                        azure_error(&body)
                    )))
                }
                429 => {
                    let wait = wait_for(retry_after, backoff);
                    tracing::info!(wait_ms = wait.as_millis() as u64, "Azure throttles lightgate (429); waiting as asked.");
                    last = SourceError::Transport(format!("Azure answered HTTP 429 (throttled) {attempt} times: {}", azure_error(&body)));
                    pause(wait);
                }
                500..=599 => {
                    last = SourceError::Transport(format!("Azure answered HTTP {status} (after {attempt} attempts): {}", azure_error(&body)));
                    pause(wait_for(retry_after, backoff));
                    backoff *= 2;
                }
                other => {
                    return Err(SourceError::Decode(format!("Azure answered HTTP {other}: {}", azure_error(&body))));
                }
            }
        }
        Err(last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_read_in_seconds_and_as_an_http_date() {
        let now = httpdate::parse_http_date("Mon, 07 Dec 2026 10:00:00 GMT").unwrap();
        assert_eq!(retry_after(" 7 ", now), Some(Duration::from_secs(7)));
        assert_eq!(
            retry_after("Mon, 07 Dec 2026 10:00:12 GMT", now),
            Some(Duration::from_secs(12))
        );
        assert_eq!(
            retry_after("Mon, 07 Dec 2026 09:59:00 GMT", now),
            Some(Duration::ZERO),
            "a date past is no wait"
        );
        assert_eq!(retry_after("soon", now), None);
        assert_eq!(
            wait_for(Some(Duration::from_secs(3600)), Duration::ZERO),
            MAX_RETRY_AFTER
        );
        assert_eq!(
            wait_for(None, Duration::from_millis(500)),
            Duration::from_millis(500)
        );
    }
}
