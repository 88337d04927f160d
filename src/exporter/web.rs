//! Securing the endpoints with the web configuration file Prometheus exporters use
//! (exporter-toolkit's `--web.config.file`): `tls_server_config` (cert_file, key_file,
//! client_auth_type, client_ca_file) and `basic_auth_users` (bcrypt hashes). Operators
//! reuse what they have for node_exporter.

use std::collections::HashMap;
use std::collections::HashSet;
use std::hash::BuildHasher;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use axum::http::header;
use base64::Engine;
use serde::Deserialize;

pub use super::tls::TlsServerConfig;

/// `http_server_config`: lightgate serves HTTP/1.1 only, so `http2` changes nothing.
#[derive(Debug, Clone, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct HttpServerConfig {
    #[serde(default)]
    pub http2: Option<bool>,
    /// Headers added to every answer; exporter-toolkit's set only.
    #[serde(default)]
    pub headers: Option<HashMap<String, String>>,
}

/// The headers `http_server_config.headers` may set, as exporter-toolkit allows.
pub const ALLOWED_HEADERS: [&str; 5] = [
    "Content-Security-Policy",
    "Strict-Transport-Security",
    "X-Content-Type-Options",
    "X-Frame-Options",
    "X-XSS-Protection",
];

/// The web configuration file. Every key is checked: a misspelt key (say
/// `basic_auth_user`) would otherwise leave the endpoints open, so an unknown key, or
/// an exporter-toolkit key lightgate does not implement, is an error naming it.
#[derive(Debug, Clone, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct WebConfig {
    #[serde(default)]
    pub tls_server_config: Option<TlsServerConfig>,
    #[serde(default)]
    pub http_server_config: Option<HttpServerConfig>,
    /// user -> bcrypt hash.
    #[serde(default)]
    pub basic_auth_users: HashMap<String, String>,
    /// The file this was read from (re-read when it or the files it names change).
    #[serde(skip)]
    pub source: Option<PathBuf>,
}

/// exporter-toolkit keys lightgate does not implement: refused, since ignoring them
/// would weaken what the operator asked for. (Inline PEM instead of files.)
const NOT_SUPPORTED: [(&str, &str); 3] = [
    ("tls_server_config", "cert"),
    ("tls_server_config", "key"),
    ("tls_server_config", "client_ca"),
];

/// The keys of a web config file that are not lightgate's, each with why.
fn key_problems(doc: &serde_norway::Value) -> Vec<String> {
    use serde_norway::Value;
    let mut out = Vec::new();
    let Value::Mapping(top) = doc else {
        if !doc.is_null() {
            out.push("the file must be a mapping of keys (tls_server_config, http_server_config, basic_auth_users)".to_string());
        }
        return out;
    };
    let sections = [
        "tls_server_config",
        "http_server_config",
        "basic_auth_users",
    ];
    for (k, v) in top {
        let key = k.as_str().unwrap_or("?");
        if !sections.contains(&key) {
            let hint = sections
                .iter()
                .find(|s| {
                    s.starts_with(key.trim_end_matches('s')) || key.starts_with(&s[..s.len() - 1])
                })
                .map(|s| format!(" (did you mean {s}?)"))
                .unwrap_or_default();
            out.push(format!("unknown key {key:?}{hint}: refusing to start with a web config lightgate does not understand"));
            continue;
        }
        if let (Value::Mapping(inner), true) = (v, key != "basic_auth_users") {
            for ik in inner.keys().filter_map(|k| k.as_str()) {
                if NOT_SUPPORTED.contains(&(key, ik)) {
                    out.push(format!(
                        "{key}.{ik} (inline PEM) is not supported by lightgate; use {ik}_file"
                    ));
                }
            }
        }
    }
    out
}

/// Why `hash` is not a usable bcrypt hash (never quoting it).
fn hash_problem(hash: &str) -> Option<String> {
    match hash.parse::<bcrypt::HashParts>() {
        Ok(parts) if (4..=31).contains(&parts.get_cost()) => None,
        Ok(parts) => Some(format!(
            "bcrypt cost {} is out of range 4..31",
            parts.get_cost()
        )),
        Err(e) => Some(format!(
            "not a valid bcrypt hash ({e}); make one with `htpasswd -nBC 10 USER`"
        )),
    }
}

impl WebConfig {
    /// Reads and checks a web configuration file; relative paths in it are relative to
    /// the file, as in exporter-toolkit.
    pub fn load(path: &Path) -> Result<WebConfig, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
        let mut c = Self::parse(&text, path)?;
        c.source = Some(path.to_path_buf());
        Ok(c)
    }

    /// The headers to add to every answer.
    pub fn headers(&self) -> Result<Vec<(header::HeaderName, header::HeaderValue)>, String> {
        let mut out = Vec::new();
        let Some(h) = self
            .http_server_config
            .as_ref()
            .and_then(|h| h.headers.as_ref())
        else {
            return Ok(out);
        };
        let mut names: Vec<&String> = h.keys().collect();
        names.sort();
        for name in names {
            if !ALLOWED_HEADERS.iter().any(|a| a.eq_ignore_ascii_case(name)) {
                return Err(format!(
                    "http_server_config.headers.{name}: not one of {}",
                    ALLOWED_HEADERS.join(", ")
                ));
            }
            let n = header::HeaderName::from_bytes(name.as_bytes())
                .map_err(|e| format!("http_server_config.headers.{name}: {e}"))?;
            let v = header::HeaderValue::from_str(&h[name])
                .map_err(|e| format!("http_server_config.headers.{name}: {e}"))?;
            out.push((n, v));
        }
        Ok(out)
    }

    /// Checks the text of a web configuration file read from `path`.
    pub fn parse(text: &str, path: &Path) -> Result<WebConfig, String> {
        let doc: serde_norway::Value =
            serde_norway::from_str(text).map_err(|e| format!("{}: {e}", path.display()))?;
        let problems = key_problems(&doc);
        if !problems.is_empty() {
            return Err(format!("{}: {}", path.display(), problems.join("; ")));
        }
        let mut c: WebConfig = if doc.is_null() {
            WebConfig::default()
        } else {
            serde_norway::from_value(doc).map_err(|e| format!("{}: {e}", path.display()))?
        };
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
        let mut users: Vec<&String> = c.basic_auth_users.keys().collect();
        users.sort();
        for user in users {
            if let Some(why) = hash_problem(&c.basic_auth_users[user]) {
                return Err(format!(
                    "{}: basic_auth_users.{user}: {why}",
                    path.display()
                ));
            }
        }
        // Fail at start, not at the first connection.
        if let Some(tls) = &c.tls_server_config {
            c.rustls().map_err(|e| format!("{}: {e}", path.display()))?;
            if let Some(why) = key_exposure(&tls.key_file) {
                tracing::warn!(key_file = %tls.key_file.display(), "{why}");
            }
        }
        c.headers()
            .map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(c)
    }

    /// The rustls server configuration, when TLS is configured.
    pub fn rustls(&self) -> Result<Option<rustls::ServerConfig>, String> {
        self.tls_server_config
            .as_ref()
            .map(super::tls::server_config)
            .transpose()
    }
}

/// Why the TLS private key file is exposed, when its mode lets its group or others
/// read (or write) it: anyone who can read it can impersonate the agent.
pub fn key_exposure(key_file: &Path) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(key_file).ok()?.permissions().mode();
    (mode & 0o077 != 0).then(|| {
        format!(
            "The TLS private key {} is readable by its group or others (mode {:o}): chmod 600 it (or 640 with the group lightgate runs as)",
            key_file.display(),
            mode & 0o777
        )
    })
}

/// Most successful credential checks remembered; the memory starts over when full.
const REMEMBERED: usize = 4096;
/// Longest wait for a bcrypt slot before a request is turned away (429).
const AUTH_QUEUE_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

/// Credentials from an Authorization header.
#[derive(Clone)]
pub struct Credentials {
    user: String,
    password: String,
}

impl Credentials {
    /// The user and password of a `Basic` Authorization header value.
    pub fn parse(header: Option<&str>) -> Option<Credentials> {
        let encoded = header?.strip_prefix("Basic ")?;
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(encoded.trim())
            .ok()?;
        let text = String::from_utf8(decoded).ok()?;
        let (user, password) = text.split_once(':')?;
        Some(Credentials {
            user: user.to_string(),
            password: password.to_string(),
        })
    }
}

/// How long a client address whose check failed waits in the shared queue.
const SUSPECT_FOR: std::time::Duration = std::time::Duration::from_secs(300);
/// Most client addresses with failed checks remembered.
const SUSPECTS: usize = 4096;

/// Basic auth against bcrypt hashes, built to survive a password flood:
/// - an unknown user costs one bcrypt verification against a dummy hash, like a known
///   user with a wrong password, so the answer time does not tell which users exist;
/// - successful checks are remembered by a keyed hash of user and password (never the
///   password itself), so a legitimate client pays bcrypt once;
/// - at most `slots` verifications run at once; a request that waits too long for one
///   is answered 429, so wrong passwords cannot starve everything else of CPU;
/// - a client address with no failed check in the last five minutes also has a lane of
///   its own (one more verification at a time), so a valid user never seen before does
///   not queue behind a flood of wrong passwords from other addresses.
#[derive(Debug)]
pub struct BasicAuth {
    users: HashMap<String, String>,
    /// A hash of a random password at the users' cost, verified for unknown users.
    dummy: String,
    keys: std::collections::hash_map::RandomState,
    verified: Mutex<HashSet<u64>>,
    slots: tokio::sync::Semaphore,
    /// The lane of clients without recent failures.
    clean: tokio::sync::Semaphore,
    /// Client addresses whose last check failed, and when.
    suspects: Mutex<HashMap<std::net::IpAddr, std::time::Instant>>,
    /// bcrypt verifications done (for tests and curiosity).
    verifications: std::sync::atomic::AtomicU64,
}

impl BasicAuth {
    pub fn new(users: HashMap<String, String>) -> Self {
        let cost = users
            .values()
            .filter_map(|h| h.parse::<bcrypt::HashParts>().ok())
            .map(|p| p.get_cost())
            .max()
            .unwrap_or(bcrypt::DEFAULT_COST);
        let keys = std::collections::hash_map::RandomState::new();
        let random = format!("{:x}", keys.hash_one(std::time::SystemTime::now()));
        let dummy = bcrypt::hash(random, cost).unwrap_or_default();
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        BasicAuth {
            users,
            dummy,
            keys,
            verified: Mutex::new(HashSet::new()),
            slots: tokio::sync::Semaphore::new((cores / 2).max(1)),
            clean: tokio::sync::Semaphore::new(1),
            suspects: Mutex::new(HashMap::new()),
            verifications: Default::default(),
        }
    }

    fn key(&self, c: &Credentials) -> u64 {
        self.keys.hash_one((&c.user, &c.password))
    }

    /// Whether these credentials were verified before.
    pub fn remembered(&self, c: &Credentials) -> bool {
        self.verified
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(&self.key(c))
    }

    /// The slow check: one bcrypt verification whether or not the user exists.
    pub fn verify(&self, c: &Credentials) -> bool {
        self.verifications
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (hash, known) = match self.users.get(&c.user) {
            Some(h) => (h.as_str(), true),
            None => (self.dummy.as_str(), false),
        };
        let ok = bcrypt::verify(&c.password, hash).unwrap_or(false) && known;
        if ok {
            let mut v = self.verified.lock().unwrap_or_else(|e| e.into_inner());
            if v.len() >= REMEMBERED {
                v.clear();
            }
            v.insert(self.key(c));
        }
        ok
    }

    /// Whether the Authorization header value names a user with the right password.
    pub fn check(&self, header: Option<&str>) -> bool {
        let Some(c) = Credentials::parse(header) else {
            return false;
        };
        self.remembered(&c) || self.verify(&c)
    }

    /// A bcrypt slot for a request from `client`, or None when none came free within
    /// the wait (answer 429). A client without recent failures takes whichever lane
    /// frees first, the others only the shared one.
    pub async fn slot(
        &self,
        client: Option<std::net::IpAddr>,
    ) -> Option<tokio::sync::SemaphorePermit<'_>> {
        let clean = client.is_some_and(|ip| !self.suspect(ip));
        let wait = async {
            if clean {
                tokio::select! {
                    p = self.clean.acquire() => p.ok(),
                    p = self.slots.acquire() => p.ok(),
                }
            } else {
                self.slots.acquire().await.ok()
            }
        };
        tokio::time::timeout(AUTH_QUEUE_WAIT, wait).await.ok()?
    }

    /// Whether `client` failed a check in the last [`SUSPECT_FOR`].
    fn suspect(&self, client: std::net::IpAddr) -> bool {
        self.suspects
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&client)
            .is_some_and(|at| at.elapsed() < SUSPECT_FOR)
    }

    /// A check from `client` failed: it queues with the others for a while.
    pub fn failed(&self, client: Option<std::net::IpAddr>) {
        let Some(ip) = client else { return };
        let mut s = self.suspects.lock().unwrap_or_else(|e| e.into_inner());
        if s.len() >= SUSPECTS {
            s.retain(|_, at| at.elapsed() < SUSPECT_FOR);
            if s.len() >= SUSPECTS {
                s.clear();
            }
        }
        s.insert(ip, std::time::Instant::now());
    }

    pub fn verifications(&self) -> u64 {
        self.verifications
            .load(std::sync::atomic::Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_key_readable_by_others_is_named() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("server.key");
        std::fs::write(&key, "k").unwrap();
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
        let why = key_exposure(&key).expect("0644 is exposed");
        assert!(
            why.contains("mode 644") && why.contains("chmod 600"),
            "{why}"
        );
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(key_exposure(&key), None);
    }

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
    fn a_typo_or_an_unsupported_key_is_refused_by_name() {
        let p = Path::new("/etc/lightgate/web.yml");
        let hash = bcrypt::hash("s3cret", 4).unwrap();
        let e = WebConfig::parse(&format!("basic_auth_user:\n  alice: {hash}\n"), p).unwrap_err();
        assert!(
            e.contains("unknown key \"basic_auth_user\" (did you mean basic_auth_users?)"),
            "{e}"
        );
        let e = WebConfig::parse(
            "tls_server_config:\n  cert_file: a\n  key_file: b\n  cert: inline\n",
            p,
        )
        .unwrap_err();
        assert!(
            e.contains("tls_server_config.cert (inline PEM) is not supported"),
            "{e}"
        );
        let e = WebConfig::parse("http_server_config:\n  headers:\n    Set-Cookie: x\n", p)
            .unwrap_err();
        assert!(e.contains("headers.Set-Cookie: not one of"), "{e}");
        let e = WebConfig::parse(
            "tls_server_config:\n  cert_file: a\n  key_file: b\n  clientauth: x\n",
            p,
        )
        .unwrap_err();
        assert!(e.contains("clientauth"), "{e}");
        // Truncated, wrong cost and plain text hashes; the hash is never quoted.
        for bad in [
            "$2y$10$abcdefghijklmnopqrstuv",
            &hash[..40],
            "$2y$99$abcdefghijklmnopqrstuuvwxyzabcdefghijklmnopqrstuvwx",
        ] {
            let e = WebConfig::parse(&format!("basic_auth_users:\n  alice: \"{bad}\"\n"), p)
                .unwrap_err();
            assert!(e.contains("basic_auth_users.alice"), "{e}");
            assert!(!e.contains(bad), "{e}");
        }
        assert_eq!(WebConfig::parse("", p).unwrap(), WebConfig::default());
    }

    #[test]
    fn an_unknown_user_costs_a_bcrypt_verification_like_a_wrong_password() {
        let hash = bcrypt::hash("s3cret", 4).unwrap();
        let auth = BasicAuth::new(HashMap::from([("alice".to_string(), hash)]));
        let header = |u: &str, p: &str| {
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!("{u}:{p}"))
            )
        };
        assert!(!auth.check(Some(&header("alice", "wrong"))));
        assert_eq!(auth.verifications(), 1);
        assert!(!auth.check(Some(&header("mallory", "s3cret"))));
        assert_eq!(auth.verifications(), 2, "the unknown user was verified too");
        assert!(auth.check(Some(&header("alice", "s3cret"))));
        assert!(auth.check(Some(&header("alice", "s3cret"))));
        assert_eq!(auth.verifications(), 3, "the success was remembered");
    }

    #[test]
    fn an_exporter_web_config_parses() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("web.yml");
        std::fs::write(&p, "basic_auth_users:\n  prometheus: $2y$10$abcdefghijklmnopqrstuv\nhttp_server_config:\n  http2: false\n").unwrap();
        let hash = bcrypt::hash("s3cret", 4).unwrap();
        std::fs::write(
            &p,
            format!(
                "basic_auth_users:\n  prometheus: {hash}\nhttp_server_config:\n  http2: false\n"
            ),
        )
        .unwrap();
        let c = WebConfig::load(&p).unwrap();
        assert_eq!(c.basic_auth_users.len(), 1);
        std::fs::write(&p, "basic_auth_users:\n  prometheus: plaintext\n").unwrap();
        assert!(WebConfig::load(&p)
            .unwrap_err()
            .contains("basic_auth_users.prometheus: not a valid bcrypt hash"));
        std::fs::write(
            &p,
            "tls_server_config:\n  cert_file: missing.crt\n  key_file: missing.key\n",
        )
        .unwrap();
        assert!(WebConfig::load(&p).unwrap_err().contains("cert_file"));
    }
}
