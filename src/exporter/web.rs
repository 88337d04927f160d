//! Securing the endpoints with the web configuration file Prometheus exporters use
//! (exporter-toolkit's `--web.config.file`): `tls_server_config` (cert_file, key_file,
//! client_auth_type, client_ca_file) and `basic_auth_users` (bcrypt hashes). Operators
//! reuse what they have for node_exporter.

use std::collections::HashMap;
use std::collections::HashSet;
use std::hash::BuildHasher;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use serde::Deserialize;

/// `tls_server_config`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct TlsServerConfig {
    pub cert_file: PathBuf,
    pub key_file: PathBuf,
    /// NoClientCert (default), RequireAndVerifyClientCert, VerifyClientCertIfGiven.
    #[serde(default)]
    pub client_auth_type: Option<String>,
    #[serde(default)]
    pub client_ca_file: Option<PathBuf>,
}

/// The web configuration file. Keys lightgate does not use (http_server_config,
/// cipher suites, ...) are accepted and ignored, so an exporter's file works as is.
#[derive(Debug, Clone, Deserialize, PartialEq, Default)]
pub struct WebConfig {
    #[serde(default)]
    pub tls_server_config: Option<TlsServerConfig>,
    /// user -> bcrypt hash.
    #[serde(default)]
    pub basic_auth_users: HashMap<String, String>,
}

impl WebConfig {
    /// Reads and checks a web configuration file; relative paths in it are relative to
    /// the file, as in exporter-toolkit.
    pub fn load(path: &Path) -> Result<WebConfig, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
        let mut c: WebConfig =
            serde_norway::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let base = path.parent().unwrap_or(Path::new("."));
        if let Some(tls) = &mut c.tls_server_config {
            for p in [&mut tls.cert_file, &mut tls.key_file] {
                if p.is_relative() {
                    *p = base.join(&*p);
                }
            }
            if let Some(ca) = &mut tls.client_ca_file {
                if ca.is_relative() {
                    *ca = base.join(&*ca);
                }
            }
        }
        for (user, hash) in &c.basic_auth_users {
            if !hash.starts_with("$2") {
                return Err(format!(
                    "{}: basic_auth_users.{user} is not a bcrypt hash",
                    path.display()
                ));
            }
        }
        // Fail at start, not at the first connection.
        if c.tls_server_config.is_some() {
            c.rustls().map_err(|e| format!("{}: {e}", path.display()))?;
        }
        Ok(c)
    }

    /// The rustls server configuration, when TLS is configured.
    pub fn rustls(&self) -> Result<Option<rustls::ServerConfig>, String> {
        let Some(t) = &self.tls_server_config else {
            return Ok(None);
        };
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&t.cert_file)
            .and_then(|it| it.collect())
            .map_err(|e| format!("cert_file {}: {e}", t.cert_file.display()))?;
        if certs.is_empty() {
            return Err(format!(
                "cert_file {}: no certificate",
                t.cert_file.display()
            ));
        }
        let key = PrivateKeyDer::from_pem_file(&t.key_file)
            .map_err(|e| format!("key_file {}: {e}", t.key_file.display()))?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?;
        let mode = t.client_auth_type.as_deref().unwrap_or("NoClientCert");
        let builder = match mode {
            "NoClientCert" => builder.with_no_client_auth(),
            "RequireAndVerifyClientCert" | "VerifyClientCertIfGiven" => {
                let ca = t.client_ca_file.as_ref().ok_or_else(|| format!("client_auth_type {mode} needs client_ca_file"))?;
                let mut roots = rustls::RootCertStore::empty();
                for cert in CertificateDer::pem_file_iter(ca).map_err(|e| format!("client_ca_file {}: {e}", ca.display()))? {
                    roots
                        .add(cert.map_err(|e| format!("client_ca_file {}: {e}", ca.display()))?)
                        .map_err(|e| format!("client_ca_file {}: {e}", ca.display()))?;
                }
                let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider);
                let verifier = if mode == "VerifyClientCertIfGiven" { verifier.allow_unauthenticated() } else { verifier };
                builder.with_client_cert_verifier(verifier.build().map_err(|e| e.to_string())?)
            }
            other => return Err(format!("client_auth_type {other:?} is not supported (NoClientCert, RequireAndVerifyClientCert, VerifyClientCertIfGiven)")),
        };
        let mut config = builder
            .with_single_cert(certs, key)
            .map_err(|e| format!("cert_file/key_file: {e}"))?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Some(config))
    }
}

/// Basic auth against bcrypt hashes. bcrypt is slow on purpose, so successful
/// verifications are remembered by a keyed hash of user and password (never the
/// password itself).
#[derive(Debug)]
pub struct BasicAuth {
    users: HashMap<String, String>,
    keys: std::collections::hash_map::RandomState,
    verified: Mutex<HashSet<u64>>,
}

impl BasicAuth {
    pub fn new(users: HashMap<String, String>) -> Self {
        BasicAuth {
            users,
            keys: Default::default(),
            verified: Mutex::new(HashSet::new()),
        }
    }

    fn key(&self, user: &str, password: &str) -> u64 {
        self.keys.hash_one((user, password))
    }

    /// Whether the Authorization header value names a user with the right password.
    pub fn check(&self, header: Option<&str>) -> bool {
        let Some(encoded) = header.and_then(|h| h.strip_prefix("Basic ")) else {
            return false;
        };
        let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded.trim()) else {
            return false;
        };
        let Ok(text) = String::from_utf8(decoded) else {
            return false;
        };
        let Some((user, password)) = text.split_once(':') else {
            return false;
        };
        let Some(hash) = self.users.get(user) else {
            return false;
        };
        let key = self.key(user, password);
        if self
            .verified
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(&key)
        {
            return true;
        }
        let ok = bcrypt::verify(password, hash).unwrap_or(false);
        if ok {
            self.verified
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(key);
        }
        ok
    }
}

/// The middleware: 401 with a challenge unless the request carries valid credentials.
pub async fn require_auth(
    State(auth): State<Arc<BasicAuth>>,
    request: Request,
    next: Next,
) -> Response {
    let header = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let auth2 = auth.clone();
    // bcrypt takes tens of milliseconds: off the async workers.
    let ok = tokio::task::spawn_blocking(move || auth2.check(header.as_deref()))
        .await
        .unwrap_or(false);
    if ok {
        next.run(request).await
    } else {
        (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Basic realm=\"lightgate\"")],
            "Unauthorized\n",
        )
            .into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_auth_checks_bcrypt_and_rejects_everything_else() {
        let hash = bcrypt::hash("s3cret", 4).unwrap();
        let auth = BasicAuth::new(HashMap::from([("alice".to_string(), hash)]));
        let header = |u: &str, p: &str| {
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!("{u}:{p}"))
            )
        };
        assert!(auth.check(Some(&header("alice", "s3cret"))));
        assert!(auth.check(Some(&header("alice", "s3cret"))), "cached");
        assert!(!auth.check(Some(&header("alice", "wrong"))));
        assert!(!auth.check(Some(&header("bob", "s3cret"))));
        assert!(!auth.check(Some("Basic !!!")));
        assert!(!auth.check(Some("Bearer x")));
        assert!(!auth.check(None));
    }

    #[test]
    fn an_exporter_web_config_parses() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("web.yml");
        std::fs::write(&p, "basic_auth_users:\n  prometheus: $2y$10$abcdefghijklmnopqrstuv\nhttp_server_config:\n  http2: false\n").unwrap();
        let c = WebConfig::load(&p).unwrap();
        assert_eq!(c.basic_auth_users.len(), 1);
        std::fs::write(&p, "basic_auth_users:\n  prometheus: plaintext\n").unwrap();
        assert!(WebConfig::load(&p)
            .unwrap_err()
            .contains("not a bcrypt hash"));
        std::fs::write(
            &p,
            "tls_server_config:\n  cert_file: missing.crt\n  key_file: missing.key\n",
        )
        .unwrap();
        assert!(WebConfig::load(&p).unwrap_err().contains("cert_file"));
    }
}
