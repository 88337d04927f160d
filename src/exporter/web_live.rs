//! The web configuration in force, and its re-reading: the file given with
//! `--web.config.file` (and the certificate, key and CA files it names) is checked every
//! few seconds; when any of them changed, it is read again and, when valid, takes
//! effect for new connections and requests: a rotated certificate, new users, new
//! headers, without a restart. An invalid file is logged and the running configuration
//! kept. TLS cannot be switched on or off while running (the listener speaks one or the
//! other): that change waits for a restart, and says so.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use tokio_util::sync::CancellationToken;

use axum::http::{header, StatusCode};
use axum::response::IntoResponse;

use super::web::{BasicAuth, Credentials, WebConfig};

/// How often the files are checked.
pub const CHECK_EVERY: Duration = Duration::from_secs(2);

/// What the server uses from the web configuration, swappable while it runs.
pub struct WebLive {
    auth: RwLock<Option<Arc<BasicAuth>>>,
    headers: RwLock<Vec<(HeaderName, HeaderValue)>>,
    /// The TLS configuration handle of the listener, when it speaks TLS.
    tls: Option<axum_server::tls_rustls::RustlsConfig>,
    /// The configuration in force.
    current: RwLock<WebConfig>,
    /// Bumped whenever a re-read is put in force: open event streams check their
    /// credentials again.
    generation: tokio::sync::watch::Sender<u64>,
    /// Longest life of one event stream.
    stream_lifetime: Duration,
}

impl std::fmt::Debug for WebLive {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebLive").finish_non_exhaustive()
    }
}

fn auth_of(web: &WebConfig) -> Option<Arc<BasicAuth>> {
    (!web.basic_auth_users.is_empty())
        .then(|| Arc::new(BasicAuth::new(web.basic_auth_users.clone())))
}

impl WebLive {
    /// The state for `web` (already checked), with its TLS configuration built.
    pub fn new(web: &WebConfig) -> Result<WebLive, String> {
        let tls = web
            .rustls()?
            .map(|c| axum_server::tls_rustls::RustlsConfig::from_config(Arc::new(c)));
        Ok(WebLive {
            auth: RwLock::new(auth_of(web)),
            headers: RwLock::new(web.headers()?),
            tls,
            current: RwLock::new(web.clone()),
            generation: tokio::sync::watch::channel(0).0,
            stream_lifetime: Duration::from_secs(3600),
        })
    }

    /// The same, with event streams ending after `lifetime`.
    pub fn with_stream_lifetime(mut self, lifetime: Duration) -> WebLive {
        self.stream_lifetime = lifetime;
        self
    }

    /// The TLS configuration handle, for the listener.
    pub fn tls(&self) -> Option<axum_server::tls_rustls::RustlsConfig> {
        self.tls.clone()
    }

    /// The basic auth in force, if any.
    pub fn auth(&self) -> Option<Arc<BasicAuth>> {
        self.auth.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Puts `new` (already checked) in force for new connections and requests. A live
    /// reload may tighten protection, never drop it: a config without the basic auth
    /// (or the TLS) in force (an emptied or truncated file, a removed section) is
    /// refused whole, and the running one kept; dropping them takes a restart.
    pub fn apply(&self, new: WebConfig) -> Result<(), String> {
        let headers = new.headers()?;
        if self.auth().is_some() && new.basic_auth_users.is_empty() {
            return Err(
                "it has no basic_auth_users while authentication is in force: dropping authentication takes a restart"
                    .to_string(),
            );
        }
        let tls = new.rustls()?;
        if self.tls.is_some() && tls.is_none() {
            return Err(
                "it has no tls_server_config while TLS is in force: dropping TLS takes a restart"
                    .to_string(),
            );
        }
        match (&self.tls, tls) {
            (Some(handle), Some(config)) => handle.reload_from_config(Arc::new(config)),
            (None, Some(_)) => tracing::warn!(
                "The web config now has tls_server_config; it takes effect when lightgate restarts (plain HTTP until then)."
            ),
            _ => {}
        }
        *self.auth.write().unwrap_or_else(|e| e.into_inner()) = auth_of(&new);
        *self.headers.write().unwrap_or_else(|e| e.into_inner()) = headers;
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = new;
        self.generation.send_modify(|g| *g += 1);
        Ok(())
    }

    /// The files whose change means a re-read: the web config and what it names.
    fn watched(&self, path: &Path) -> Vec<PathBuf> {
        let mut files = vec![path.to_path_buf()];
        let current = self.current.read().unwrap_or_else(|e| e.into_inner());
        if let Some(t) = &current.tls_server_config {
            files.push(t.cert_file.clone());
            files.push(t.key_file.clone());
            files.extend(t.client_ca_file.clone());
        }
        files
    }
}

/// What a file looks like from outside: enough to see it changed (logrotate, an
/// editor's rename, certbot's symlink swap).
fn stamp(path: &Path) -> Option<(SystemTime, u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(path).ok()?;
    Some((m.modified().ok()?, m.len(), m.ino()))
}

/// Re-reads `path` when it or a file it names changes, until `stop`. `reloaded` is
/// told whether each re-read was put in force (the reload metric).
pub async fn watch(
    live: Arc<WebLive>,
    path: PathBuf,
    stop: CancellationToken,
    reloaded: impl Fn(bool) + Send + 'static,
) {
    let seen = |live: &WebLive| -> Vec<Option<(SystemTime, u64, u64)>> {
        live.watched(&path).iter().map(|f| stamp(f)).collect()
    };
    let mut last = seen(&live);
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(CHECK_EVERY) => {}
        }
        let now = seen(&live);
        if now == last {
            continue;
        }
        last = now;
        let p = path.clone();
        let loaded = tokio::task::spawn_blocking(move || WebConfig::load(&p)).await;
        let ok = match loaded {
            Ok(Ok(new)) => match live.apply(new) {
                Ok(()) => {
                    tracing::info!(file = %path.display(), "Web config re-read and in force.");
                    last = seen(&live);
                    true
                }
                Err(e) => {
                    tracing::error!(file = %path.display(), error = %e, "The changed web config was rejected; the running one is kept.");
                    false
                }
            },
            Ok(Err(e)) => {
                tracing::error!(error = %e, "The changed web config was rejected; the running one is kept.");
                false
            }
            Err(e) => {
                tracing::error!(error = %e, "internal error re-reading the web config");
                false
            }
        };
        reloaded(ok);
    }
}

/// Adds the configured headers to every answer.
pub async fn add_headers(
    State(live): State<Arc<WebLive>>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    let headers = live
        .headers
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    for (name, value) in headers {
        response.headers_mut().insert(name, value);
    }
    response
}

fn unauthorized() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, "Basic realm=\"lightgate\"")],
        "Unauthorized\n",
    )
        .into_response()
}

/// The middleware: 401 with a challenge unless the request carries valid credentials;
/// 429 when too many checks are already waiting for bcrypt. An event stream it lets
/// through is bounded (see [`bounded_stream`]).
pub async fn require_auth(
    State(live): State<Arc<WebLive>>,
    request: Request,
    next: Next,
) -> Response {
    let Some(auth) = live.auth() else {
        let response = next.run(request).await;
        return bounded_stream(live, response, None);
    };
    let header = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let client = request
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip());
    // No credentials is a browser's first request, answered with the challenge: not a
    // failure.
    let Some(creds) = Credentials::parse(header) else {
        return unauthorized();
    };
    if !auth.remembered(&creds) {
        let Some(permit) = auth.slot(client).await else {
            return (
                StatusCode::TOO_MANY_REQUESTS,
                [(header::RETRY_AFTER, "1")],
                "too many authentication attempts at once; retry\n",
            )
                .into_response();
        };
        let (auth2, c) = (auth.clone(), creds.clone());
        // bcrypt takes tens of milliseconds: off the async workers.
        let ok = tokio::task::spawn_blocking(move || auth2.verify(&c))
            .await
            .unwrap_or(false);
        drop(permit);
        if !ok {
            auth.failed(client);
            return unauthorized();
        }
    }
    let response = next.run(request).await;
    bounded_stream(live, response, Some(creds))
}

/// An event stream (`text/event-stream`) ends after the stream lifetime, and, when
/// the web config in force changes, as soon as its credentials no longer hold (a
/// removed user, a changed password): a revoked user's open page stops receiving. Its
/// browser reconnects with Last-Event-ID and is asked for credentials again. Other
/// answers pass untouched.
fn bounded_stream(live: Arc<WebLive>, response: Response, creds: Option<Credentials>) -> Response {
    let is_stream = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/event-stream"));
    if !is_stream {
        return response;
    }
    let mut generation = live.generation.subscribe();
    let lifetime = live.stream_lifetime;
    let ended = async move {
        let expiry = tokio::time::sleep(lifetime);
        tokio::pin!(expiry);
        loop {
            tokio::select! {
                _ = &mut expiry => return,
                changed = generation.changed() => {
                    if changed.is_err() {
                        return;
                    }
                    let Some(c) = creds.clone() else { continue };
                    let Some(auth) = live.auth() else { continue };
                    if auth.remembered(&c) {
                        continue;
                    }
                    let ok = tokio::task::spawn_blocking(move || auth.verify(&c))
                        .await
                        .unwrap_or(false);
                    if !ok {
                        tracing::info!("An event stream's credentials no longer hold after the web config changed; ending it.");
                        return;
                    }
                }
            }
        }
    };
    use futures_util::StreamExt;
    let (parts, body) = response.into_parts();
    let body = axum::body::Body::from_stream(body.into_data_stream().take_until(ended));
    Response::from_parts(parts, body)
}
