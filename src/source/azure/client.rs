//! A small, blocking Azure Resource Manager client: tokens for a service principal or
//! a managed identity, cached and renewed before they expire; GETs retried politely on
//! 429 (honouring Retry-After) and 5xx; one token refresh on 401. Errors say what is
//! missing (an expired secret, a missing role). Secrets and tokens never reach a log or
//! an error message.

use std::time::{Duration, Instant};

use serde_json::Value;

use super::credential::{strip_query, unreachable as transport};
use super::decode::azure_error;
use super::settings::{AzureAuth, AzureConfig};
use super::wait::{azure_backoff, next_wait};
use crate::source::types::SourceError;
use lightgate_core::secret::Secret;

/// Attempts of one GET (throttling and server errors included).
const ATTEMPTS: u32 = 4;
/// The User-Agent of every request: Azure's logs and throttling show who asked.
pub const USER_AGENT: &str = concat!("lightgate/", env!("CARGO_PKG_VERSION"));

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
        let mut backoff = azure_backoff(Duration::from_millis(500));
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
                    pause(next_wait(&mut backoff, None, "arm"));
                    continue;
                }
            };
            let status = response.status().as_u16();
            let retry_after = response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
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
                    let wait = next_wait(&mut backoff, retry_after.as_deref(), "arm");
                    tracing::info!(wait_ms = wait.as_millis() as u64, "Azure throttles lightgate (429); waiting as asked.");
                    last = SourceError::Transport(format!("Azure answered HTTP 429 (throttled) {attempt} times: {}", azure_error(&body)));
                    pause(wait);
                }
                500..=599 => {
                    last = SourceError::Transport(format!("Azure answered HTTP {status} (after {attempt} attempts): {}", azure_error(&body)));
                    pause(next_wait(&mut backoff, retry_after.as_deref(), "arm"));
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

    use super::super::wait::MAX_RETRY_AFTER;
    use lightgate_core::retry::Backoff;

    #[test]
    fn azure_waits_honour_retry_after_in_both_forms_up_to_the_cap() {
        let mut b = Backoff::new(Duration::from_millis(500), MAX_RETRY_AFTER);
        assert_eq!(next_wait(&mut b, Some("7"), "arm"), Duration::from_secs(7));
        assert_eq!(next_wait(&mut b, Some("3600"), "arm"), MAX_RETRY_AFTER);
        // Neither given nor readable: the backoff, which advanced meanwhile.
        assert_eq!(
            next_wait(&mut b, Some("soon"), "arm"),
            Duration::from_secs(2)
        );
        assert_eq!(next_wait(&mut b, None, "arm"), Duration::from_secs(4));
    }
}
