//! The CLI's HTTP client for talking to an agent (or Prometheus): TLS with a private
//! CA and client certificates, and basic auth, matching the agent's web config.

use std::time::Duration;

use base64::Engine;

use super::exit;

/// Client options shared by every command that talks to an agent.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ClientArgs {
    /// CA certificate (PEM) that signed the agent's TLS certificate.
    #[arg(long, value_name = "FILE")]
    pub tls_ca: Option<std::path::PathBuf>,
    /// Client certificate (PEM), for agents that require one.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<std::path::PathBuf>,
    /// Client certificate key (PEM).
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<std::path::PathBuf>,
    /// Basic auth user.
    #[arg(long, value_name = "USER")]
    pub username: Option<String>,
    /// Name of an environment variable holding the basic auth password.
    #[arg(
        long = "basic-auth-password-env",
        alias = "password-env",
        value_name = "VAR",
        requires = "username"
    )]
    pub password_env: Option<String>,
    /// File holding the basic auth password.
    #[arg(
        long = "basic-auth-password-file",
        alias = "password-file",
        value_name = "FILE",
        requires = "username",
        conflicts_with = "password_env"
    )]
    pub password_file: Option<std::path::PathBuf>,
}

/// A configured client.
pub struct Client {
    agent: ureq::Agent,
    authorization: Option<String>,
    /// What is being talked to, for messages ("the lightgate agent", "Prometheus").
    peer: &'static str,
}

/// An answer: status and body text.
pub struct Answer {
    pub status: u16,
    pub body: String,
}

fn read_pem(path: &std::path::Path) -> Result<Vec<u8>, (u8, String)> {
    std::fs::read(path).map_err(|e| (exit::USAGE, format!("{}: {e}", path.display())))
}

impl Client {
    pub fn new(args: &ClientArgs) -> Result<Client, (u8, String)> {
        Self::for_peer(args, "the lightgate agent")
    }

    pub fn for_peer(args: &ClientArgs, peer: &'static str) -> Result<Client, (u8, String)> {
        use ureq::tls::{
            parse_pem, Certificate, ClientCert, PemItem, PrivateKey, RootCerts, TlsConfig,
        };
        let mut tls = TlsConfig::builder();
        if let Some(ca) = &args.tls_ca {
            let pem = read_pem(ca)?;
            let certs: Vec<Certificate<'static>> = parse_pem(&pem)
                .filter_map(|i| match i {
                    Ok(PemItem::Certificate(c)) => Some(c.to_owned()),
                    _ => None,
                })
                .collect();
            if certs.is_empty() {
                return Err((exit::USAGE, format!("{}: no certificate", ca.display())));
            }
            tls = tls.root_certs(RootCerts::new_with_certs(&certs));
        }
        if let (Some(cert), Some(key)) = (&args.tls_cert, &args.tls_key) {
            let cert_pem = read_pem(cert)?;
            let chain: Vec<Certificate<'static>> = parse_pem(&cert_pem)
                .filter_map(|i| match i {
                    Ok(PemItem::Certificate(c)) => Some(c.to_owned()),
                    _ => None,
                })
                .collect();
            let key_pem = read_pem(key)?;
            let key = PrivateKey::from_pem(&key_pem)
                .map_err(|e| (exit::USAGE, format!("{}: {e}", key.display())))?;
            tls = tls.client_cert(Some(ClientCert::new_with_certs(&chain, key.to_owned())));
        }
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(15)))
            .tls_config(tls.build())
            .build()
            .into();
        let password = super::secret_flags::read_opt(
            "basic-auth-password",
            &args.password_env,
            &args.password_file,
        )
        .map_err(|e| (exit::USAGE, e))?;
        let authorization = args.username.as_ref().map(|u| {
            let raw = format!("{u}:{}", password.unwrap_or_default());
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(raw)
            )
        });
        Ok(Client {
            agent,
            authorization,
            peer,
        })
    }

    fn unreachable(&self, url: &str, e: impl std::fmt::Display) -> (u8, String) {
        (
            exit::UNAVAILABLE,
            format!("cannot reach {} at {url}: {e}", self.peer),
        )
    }

    fn finish(
        &self,
        url: &str,
        r: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<Answer, (u8, String)> {
        let mut r = r.map_err(|e| self.unreachable(url, e))?;
        let status = r.status().as_u16();
        let body = r
            .body_mut()
            .read_to_string()
            .map_err(|e| self.unreachable(url, e))?;
        if status == 401 {
            return Err((exit::UNAVAILABLE, format!("{url}: the agent wants credentials (HTTP 401): use --username and --basic-auth-password-env (or -file)")));
        }
        Ok(Answer { status, body })
    }

    pub fn get(&self, url: &str) -> Result<Answer, (u8, String)> {
        let mut req = self.agent.get(url);
        if let Some(a) = &self.authorization {
            req = req.header("Authorization", a);
        }
        self.finish(url, req.call())
    }

    pub fn post_json(
        &self,
        url: &str,
        value: &impl serde::Serialize,
    ) -> Result<Answer, (u8, String)> {
        let mut req = self.agent.post(url);
        if let Some(a) = &self.authorization {
            req = req.header("Authorization", a);
        }
        self.finish(url, req.send_json(value))
    }
}

/// The base URL without a trailing slash.
pub fn base(url: &str) -> &str {
    url.trim_end_matches('/')
}

/// The `error` field of an agent's error answer, or the body.
pub fn error_text(body: &str) -> String {
    let text = serde_json::from_str::<crate::api::ErrorJson>(body)
        .map(|e| e.error)
        .unwrap_or_else(|_| body.trim().to_string());
    crate::text::escape(&text).into_owned()
}

/// `value` with every string in it (keys too) escaped for a terminal
/// ([`crate::text::escape`]): what a remote agent, Prometheus or Azure says reaches the
/// operator's terminal as text, never as a forged line or a cursor movement.
pub fn terminal_safe(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::String(s) => Value::String(crate::text::escape(&s).into_owned()),
        Value::Array(a) => Value::Array(a.into_iter().map(terminal_safe).collect()),
        Value::Object(o) => Value::Object(
            o.into_iter()
                .map(|(k, v)| (crate::text::escape(&k).into_owned(), terminal_safe(v)))
                .collect(),
        ),
        other => other,
    }
}

/// Parses a JSON answer into `T` for printing as text, every string escaped for the
/// terminal ([`terminal_safe`]).
pub fn parse_for_terminal<T: serde::de::DeserializeOwned>(body: &str) -> serde_json::Result<T> {
    serde_json::from_str::<serde_json::Value>(body)
        .map(terminal_safe)
        .and_then(serde_json::from_value)
}
