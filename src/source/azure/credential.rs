//! Tokens for Azure Resource Manager, by every way a network management host signs in:
//! a client secret, a certificate, workload identity federation, a managed identity
//! (the Azure VM's metadata service, or Azure Arc's identity endpoint on an on-premises
//! server), the Azure CLI's login, or the first of these that works.
//!
//! Microsoft's Rust SDK (azure_identity 1.0) was the first choice; it is not used
//! because its managed identity refuses Azure Arc ("Azure Arc managed identity isn't
//! supported"), the case most on-premises hosts need, and because it is async-only on
//! reqwest with aws-lc (a C build) where lightgate's Azure client is a blocking ureq
//! one on ring. The flows follow the SDKs' (MSAL's) documented behaviour.
//!
//! Every secret this module handles (client secret, signed assertion, federated token,
//! Arc's challenge file, the token itself) is handed to the caller to be redacted from
//! any error text.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use base64::Engine;
use serde_json::Value;

use super::settings::{AzureAuth, AzureConfig};
use crate::source::types::SourceError;
use lightgate_core::secret::Secret;

/// A token and how long it lives.
pub type Token = (Secret, Duration);

/// What a token request needs from the client.
pub struct Ctx<'a> {
    pub agent: &'a ureq::Agent,
    pub config: &'a AzureConfig,
    /// Failed requests: (endpoint, status or "transport").
    pub errors: &'a mut Vec<(&'static str, String)>,
    /// Secrets used on the way, to be redacted from errors.
    pub secrets: &'a mut Vec<String>,
}

const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// Attempts of a managed identity token request (the SDKs retry 404, 410, 429 and 5xx:
/// IMDS answers them while it starts or updates).
const IMDS_ATTEMPTS: u32 = 5;
const IMDS_FIRST_WAIT: Duration = Duration::from_millis(800);
/// Azure Arc's challenge files are small; a bigger one is not Arc's.
const ARC_KEY_MAX: u64 = 4096;

/// An Azure endpoint that gave no answer (the query, which may hold a client id, left out).
pub(super) fn unreachable(url: &str, e: impl std::fmt::Display) -> SourceError {
    SourceError::Transport(format!("cannot reach {}: {e}", strip_query(url)))
}

/// `url` without its query.
pub(super) fn strip_query(url: &str) -> &str {
    url.split('?').next().unwrap_or(url)
}

/// A token endpoint that gave no answer, counted.
fn transport(ctx: &mut Ctx<'_>, url: &str, e: impl std::fmt::Display) -> SourceError {
    ctx.errors.push(("token", "transport".to_string()));
    unreachable(url, e)
}

/// A token from `auth`; for a chain, `pinned` is the member that worked last time,
/// tried first.
pub fn fetch(
    ctx: &mut Ctx<'_>,
    auth: &AzureAuth,
    pinned: &mut Option<usize>,
) -> Result<Token, SourceError> {
    match auth {
        AzureAuth::Chain(chain) => {
            let mut order: Vec<usize> = (0..chain.len()).collect();
            if let Some(p) = pinned.filter(|p| *p < chain.len()) {
                order.retain(|i| *i != p);
                order.insert(0, p);
            }
            let mut reasons = Vec::new();
            for i in order {
                match fetch(ctx, &chain[i], &mut None) {
                    Ok(t) => {
                        if *pinned != Some(i) {
                            tracing::info!(credential = chain[i].kind(), "Signed in to Azure.");
                        }
                        *pinned = Some(i);
                        return Ok(t);
                    }
                    Err(e) => reasons.push(format!("{}: {e}", chain[i].kind())),
                }
            }
            Err(SourceError::Auth(format!(
                "no credential of the default chain gave a token ({})",
                reasons.join("; ")
            )))
        }
        AzureAuth::ServicePrincipal {
            tenant_id,
            client_id,
            client_secret,
        } => {
            ctx.secrets.push(client_secret.expose().to_string());
            entra(
                ctx,
                tenant_id,
                client_id,
                &[("client_secret", client_secret.expose())],
                "the service principal could not sign in",
            )
        }
        AzureAuth::Certificate {
            tenant_id,
            client_id,
            certificate_path,
        } => {
            let aud = format!(
                "{}/{tenant_id}/oauth2/v2.0/token",
                ctx.config.login_endpoint
            );
            let assertion = certificate_assertion(certificate_path, client_id, &aud)?;
            ctx.secrets.push(assertion.clone());
            entra(
                ctx,
                tenant_id,
                client_id,
                &[
                    ("client_assertion_type", JWT_BEARER),
                    ("client_assertion", &assertion),
                ],
                "the certificate credential could not sign in",
            )
        }
        AzureAuth::WorkloadIdentity {
            tenant_id,
            client_id,
            token_file,
        } => {
            // Read afresh every time: the issuer rotates the file.
            // A JWT is a few kilobytes: a file far larger is not one (and is not read
            // whole into memory at every token).
            let bytes =
                crate::files::read_limited(token_file, FEDERATED_TOKEN_MAX).map_err(|e| {
                    SourceError::Auth(format!("cannot read the federated token file: {e}"))
                })?;
            let assertion = String::from_utf8_lossy(&bytes).trim().to_string();
            ctx.secrets.push(assertion.clone());
            entra(
                ctx,
                tenant_id,
                client_id,
                &[
                    ("client_assertion_type", JWT_BEARER),
                    ("client_assertion", &assertion),
                ],
                "the workload identity could not sign in",
            )
        }
        AzureAuth::ManagedIdentity { client_id } => match ctx.config.arc_endpoint.clone() {
            Some(endpoint) => arc(ctx, &endpoint, client_id.as_deref()),
            None => imds(ctx, client_id.as_deref()),
        },
        AzureAuth::AzureCli { command } => azure_cli(ctx, command),
    }
}

/// Microsoft Entra ID's client credentials flow with `credential`'s form fields.
fn entra(
    ctx: &mut Ctx<'_>,
    tenant_id: &str,
    client_id: &str,
    credential: &[(&str, &str)],
    who: &str,
) -> Result<Token, SourceError> {
    let url = format!(
        "{}/{}/oauth2/v2.0/token",
        ctx.config.login_endpoint,
        lightgate_core::text::encode(tenant_id)
    );
    let scope = format!("{}.default", ctx.config.cloud.audience());
    let mut form: Vec<(&str, &str)> = vec![
        ("grant_type", "client_credentials"),
        ("client_id", client_id),
        ("scope", &scope),
    ];
    form.extend_from_slice(credential);
    let response = ctx.agent.post(&url).send_form(form);
    let mut response = match response {
        Ok(r) => r,
        Err(e) => return Err(transport(ctx, &url, e)),
    };
    let status = response.status().as_u16();
    let body = response.body_mut().read_to_string().unwrap_or_default();
    token_answer(ctx, status, &body, &url, who)
}

/// A token endpoint's answer: the token and its lifetime, or why not.
fn token_answer(
    ctx: &mut Ctx<'_>,
    status: u16,
    body: &str,
    url: &str,
    who: &str,
) -> Result<Token, SourceError> {
    if status != 200 {
        ctx.errors.push(("token", status.to_string()));
        let hint = if body.contains("AADSTS7000222") {
            " (the client secret has expired: create a new one and update client_secret)"
        } else if body.contains("AADSTS7000215") {
            " (wrong client secret)"
        } else if body.contains("AADSTS700027") {
            " (the certificate is not registered on the app, or the assertion is wrong)"
        } else {
            ""
        };
        return Err(SourceError::Auth(format!(
            "{who} (HTTP {status}): {}{hint}",
            super::decode::azure_error(body)
        )));
    }
    let v: Value = serde_json::from_str(body).map_err(|_| {
        SourceError::Decode(format!(
            "the token answer from {} is not JSON",
            strip_query(url)
        ))
    })?;
    let token = v
        .get("access_token")
        .and_then(Value::as_str)
        .ok_or_else(|| SourceError::Decode("the token answer has no access_token".to_string()))?;
    // expires_in is a number from Entra ID and a string from the metadata services.
    let lifetime = v
        .get("expires_in")
        .and_then(|e| {
            e.as_u64()
                .or_else(|| e.as_str().and_then(|s| s.parse().ok()))
        })
        .unwrap_or(300);
    Ok((Secret::new(token), Duration::from_secs(lifetime)))
}

/// The Azure VM's instance metadata service, retried as the SDKs do.
fn imds(ctx: &mut Ctx<'_>, client_id: Option<&str>) -> Result<Token, SourceError> {
    let mut url = format!(
        "{}/metadata/identity/oauth2/token?api-version=2018-02-01&resource={}",
        ctx.config.metadata_endpoint,
        lightgate_core::text::encode(&ctx.config.cloud.audience())
    );
    if let Some(id) = client_id {
        url.push_str(&format!("&client_id={}", lightgate_core::text::encode(id)));
    }
    let mut backoff = super::wait::azure_backoff(IMDS_FIRST_WAIT);
    let mut last = SourceError::Transport("no attempt made".to_string());
    for attempt in 1..=IMDS_ATTEMPTS {
        let answer = ctx.agent.get(&url).header("Metadata", "true").call();
        let retry_after = match answer {
            // No answer at all: no metadata service here (an on-premises host), which
            // waiting will not change. The SDKs retry answers, not silence.
            Err(e) => return Err(transport(ctx, &url, e)),
            Ok(mut r) => {
                let status = r.status().as_u16();
                let retry_after = r
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string);
                let body = r.body_mut().read_to_string().unwrap_or_default();
                let retried = matches!(status, 404 | 410 | 429 | 500..=599);
                let result = token_answer(
                    ctx,
                    status,
                    &body,
                    &url,
                    "the managed identity gave no token",
                );
                match result {
                    Ok(t) => return Ok(t),
                    Err(e) if !retried => return Err(e),
                    Err(e) => last = e,
                }
                retry_after
            }
        };
        if attempt < IMDS_ATTEMPTS {
            std::thread::sleep(super::wait::next_wait(
                &mut backoff,
                retry_after.as_deref(),
                "imds",
            ));
        }
    }
    Err(last)
}

/// Azure Arc's identity endpoint: a first request is answered 401 with the path of a
/// file only a privileged local user can read; its content, sent back as the
/// credential, proves the caller runs on the machine.
fn arc(ctx: &mut Ctx<'_>, endpoint: &str, client_id: Option<&str>) -> Result<Token, SourceError> {
    if client_id.is_some() {
        return Err(SourceError::Auth(
            "Azure Arc has only the machine's system-assigned identity: remove client_id"
                .to_string(),
        ));
    }
    let url = format!(
        "{endpoint}?api-version=2020-06-01&resource={}",
        lightgate_core::text::encode(&ctx.config.cloud.audience())
    );
    let challenge = match ctx.agent.get(&url).header("Metadata", "true").call() {
        Err(e) => return Err(transport(ctx, &url, e)),
        Ok(r) if r.status().as_u16() == 401 => r
            .headers()
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .ok_or_else(|| {
                SourceError::Auth(
                    "Azure Arc answered 401 without a challenge (WWW-Authenticate)".to_string(),
                )
            })?,
        Ok(mut r) => {
            let status = r.status().as_u16();
            let body = r.body_mut().read_to_string().unwrap_or_default();
            ctx.errors.push(("token", status.to_string()));
            return Err(SourceError::Auth(format!(
                "Azure Arc answered HTTP {status} where it asks for its challenge: {}",
                super::decode::azure_error(&body)
            )));
        }
    };
    let path = challenge
        .split_once("realm=")
        .map(|(_, p)| p.trim().trim_matches('"'))
        .filter(|p| !p.is_empty())
        .ok_or_else(|| {
            SourceError::Auth(format!(
                "Azure Arc's challenge names no file: {challenge:?}"
            ))
        })?;
    let key = arc_key(Path::new(path), &ctx.config.arc_token_directory)?;
    ctx.secrets.push(key.clone());
    let answer = ctx
        .agent
        .get(&url)
        .header("Metadata", "true")
        .header("Authorization", &format!("Basic {key}"))
        .call();
    let mut r = match answer {
        Ok(r) => r,
        Err(e) => return Err(transport(ctx, &url, e)),
    };
    let status = r.status().as_u16();
    let body = r.body_mut().read_to_string().unwrap_or_default();
    token_answer(ctx, status, &body, &url, "Azure Arc gave no token")
}

/// Largest federated token file read (a Kubernetes service account token is 1 to 2 KB).
const FEDERATED_TOKEN_MAX: u64 = 64 * 1024;

/// Reads Arc's challenge file, refusing one outside Arc's token directory, of another
/// kind, or too big: the path comes from an HTTP answer, and must not make lightgate
/// send the content of an arbitrary file.
fn arc_key(path: &Path, directory: &Path) -> Result<String, SourceError> {
    let refuse = |why: &str| {
        SourceError::Auth(format!(
            "Azure Arc's challenge file {} is refused: {why}",
            path.display()
        ))
    };
    if path.parent() != Some(directory) {
        return Err(refuse(&format!("not in {}", directory.display())));
    }
    if path.extension().is_none_or(|e| e != "key") {
        return Err(refuse("not a .key file"));
    }
    // The name itself, never what a symbolic link in the directory points at
    // (`tokens/link.key -> ../outside.key`): refused before and while opening, and the
    // file opened must be the one looked at.
    let seen = std::fs::symlink_metadata(path).map_err(|e| refuse(&e.to_string()))?;
    if seen.file_type().is_symlink() {
        return Err(refuse("a symbolic link (only the file itself is read)"));
    }
    if !seen.is_file() || seen.len() > ARC_KEY_MAX {
        return Err(refuse(&format!(
            "not a file of at most {ARC_KEY_MAX} bytes"
        )));
    }
    use std::io::Read;
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| {
            refuse(&format!(
                "{e} (lightgate's user must be in the himds group to read it)"
            ))
        })?;
    let opened = file.metadata().map_err(|e| refuse(&e.to_string()))?;
    if (opened.dev(), opened.ino()) != (seen.dev(), seen.ino()) || !opened.is_file() {
        return Err(refuse("it changed while it was opened"));
    }
    let mut key = String::new();
    file.take(ARC_KEY_MAX + 1)
        .read_to_string(&mut key)
        .map_err(|e| refuse(&e.to_string()))?;
    if key.len() as u64 > ARC_KEY_MAX {
        return Err(refuse(&format!("more than {ARC_KEY_MAX} bytes")));
    }
    Ok(key.trim().to_string())
}

/// The Azure CLI's token for the signed-in account.
fn azure_cli(ctx: &mut Ctx<'_>, command: &str) -> Result<Token, SourceError> {
    let audience = ctx.config.cloud.audience();
    let mut child = Command::new(command)
        .args([
            "account",
            "get-access-token",
            "--output",
            "json",
            "--resource",
            &audience,
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| SourceError::Auth(format!("cannot run the Azure CLI ({command}): {e}")))?;
    // The CLI may refresh its own token over the network: give it the longer of the
    // request timeout and 10 s.
    let limit = ctx.config.request_timeout.max(Duration::from_secs(10));
    let deadline = Instant::now() + limit;
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(SourceError::Timeout(format!(
                    "the Azure CLI ({command}) gave no token within {}",
                    lightgate_core::domain::format_duration(limit)
                )));
            }
        }
    }
    let out = child
        .wait_with_output()
        .map_err(|e| SourceError::Auth(format!("the Azure CLI ({command}): {e}")))?;
    if !out.status.success() {
        // The CLI's stderr may hold tokens of its own cache that lightgate cannot
        // know: quoted only after redaction (known secrets, credential shapes, any
        // token-like run) and truncation.
        let err = String::from_utf8_lossy(&out.stderr);
        let known: Vec<&str> = ctx.secrets.iter().map(String::as_str).collect();
        let cleaned =
            lightgate_core::text::redact_token_like(&lightgate_core::text::redact(&err, &known));
        let first = cleaned
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or("no message")
            .chars()
            .take(300)
            .collect::<String>();
        let first = lightgate_core::text::escape(&first).into_owned();
        return Err(SourceError::Auth(format!(
            "the Azure CLI gave no token ({first}); sign in with `az login` as the user lightgate runs as"
        )));
    }
    let v: Value = serde_json::from_slice(&out.stdout)
        .map_err(|_| SourceError::Decode("the Azure CLI's answer is not JSON".to_string()))?;
    let token = v
        .get("accessToken")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            SourceError::Decode("the Azure CLI's answer has no accessToken".to_string())
        })?;
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    // expires_on (seconds since the epoch) in current CLIs; older ones give only a
    // local-time expiresOn, which is not read: five minutes then.
    let lifetime = v
        .get("expires_on")
        .and_then(|e| {
            e.as_u64()
                .or_else(|| e.as_str().and_then(|s| s.parse().ok()))
        })
        .map(|at| at.saturating_sub(now))
        .unwrap_or(300);
    Ok((Secret::new(token), Duration::from_secs(lifetime)))
}

fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A client assertion signed with the certificate's RSA key (RS256), as Entra ID takes
/// it: `x5t` the certificate's SHA-1 thumbprint, valid ten minutes, a unique id.
pub fn certificate_assertion(
    path: &Path,
    client_id: &str,
    audience: &str,
) -> Result<String, SourceError> {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer};
    let bad = |why: String| SourceError::Auth(format!("certificate {}: {why}", path.display()));
    let cert = CertificateDer::pem_file_iter(path)
        .map_err(|e| bad(format!("cannot read it: {e}")))?
        .next()
        .ok_or_else(|| bad("holds no CERTIFICATE".to_string()))?
        .map_err(|e| bad(format!("cannot read its certificate: {e}")))?;
    let key = PrivateKeyDer::from_pem_file(path)
        .map_err(|e| bad(format!("holds no readable private key: {e}")))?;
    let pair = match &key {
        PrivateKeyDer::Pkcs8(k) => ring::signature::RsaKeyPair::from_pkcs8(k.secret_pkcs8_der()),
        PrivateKeyDer::Pkcs1(k) => ring::signature::RsaKeyPair::from_der(k.secret_pkcs1_der()),
        _ => {
            return Err(bad(
                "its key is not RSA (Entra ID signs certificate credentials with RSA)".to_string(),
            ))
        }
    }
    .map_err(|e| bad(format!("its key is not a usable RSA key: {e}")))?;
    let thumbprint = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, cert.as_ref());
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    let mut jti = [0u8; 16];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut jti)
        .map_err(|_| bad("no randomness for the assertion id".to_string()))?;
    let header =
        serde_json::json!({"alg": "RS256", "typ": "JWT", "x5t": b64url(thumbprint.as_ref())});
    let claims = serde_json::json!({
        "aud": audience, "iss": client_id, "sub": client_id,
        "jti": jti.iter().map(|b| format!("{b:02x}")).collect::<String>(),
        "nbf": now, "iat": now, "exp": now + 600,
    });
    let signing_input = format!(
        "{}.{}",
        b64url(header.to_string().as_bytes()),
        b64url(claims.to_string().as_bytes())
    );
    let mut signature = vec![0u8; pair.public().modulus_len()];
    pair.sign(
        &ring::signature::RSA_PKCS1_SHA256,
        &ring::rand::SystemRandom::new(),
        signing_input.as_bytes(),
        &mut signature,
    )
    .map_err(|_| bad("signing the assertion failed".to_string()))?;
    Ok(format!("{signing_input}.{}", b64url(&signature)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_arc_challenge_outside_its_directory_or_of_another_kind_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("abc.key");
        std::fs::write(&good, "secret-key\n").unwrap();
        assert_eq!(arc_key(&good, dir.path()).unwrap(), "secret-key");
        let elsewhere = tempfile::tempdir().unwrap();
        let e = arc_key(&good, elsewhere.path()).unwrap_err().to_string();
        assert!(e.contains("not in"), "{e}");
        let other = dir.path().join("passwd");
        std::fs::write(&other, "x").unwrap();
        assert!(arc_key(&other, dir.path())
            .unwrap_err()
            .to_string()
            .contains(".key"));
        let big = dir.path().join("big.key");
        std::fs::write(&big, vec![b'a'; 5000]).unwrap();
        assert!(arc_key(&big, dir.path())
            .unwrap_err()
            .to_string()
            .contains("4096"));
        let up = dir.path().join("../etc.key");
        assert!(arc_key(&up, dir.path()).is_err());
    }
}
