//! Signing in to Azure by every way a network management host can: Azure Arc's managed
//! identity (challenge file), the VM metadata service with the SDKs' retries, workload
//! identity federation, a certificate, the Azure CLI, and the default chain; each
//! against fake endpoints on 127.0.0.1 that check what a real one checks.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::fake_azure::{fake_azure, Fake, PORT_ID};
use common::{pair, require, TestAgent};

/// A config observing the port through `[azure]` with `azure` lines.
fn config(fake: &str, azure: &str) -> String {
    format!(
        "[azure]\n{azure}\narm_endpoint = \"{fake}\"\nlogin_endpoint = \"{fake}\"\nmetadata_endpoint = \"{fake}\"\npoll_interval = \"300ms\"\nrequest_timeout = \"5s\"\n\n{}",
        pair("\"healthy\"", "100ms", "500ms").replace(
            "name = \"erd-ams-1\"\n",
            &format!("name = \"erd-ams-1\"\nazure_port_id = \"{PORT_ID}\"\n"),
        )
    )
}

fn fake() -> common::fake_azure::Shared {
    Arc::new(Mutex::new(Fake {
        link2_admin: "Enabled",
        rx_dbm: [-4.0, -4.0],
        ..Default::default()
    }))
}

/// Waits until the port is observed from Azure; the port's JSON.
async fn observed(t: &TestAgent) -> serde_json::Value {
    let (_, body) = t
        .wait_for(
            "/api/v1/ports/erd-ams-1",
            Duration::from_secs(20),
            |_, v| v["links"]["link1"]["azure_admin_state_origin"] == "observed",
        )
        .await;
    assert_eq!(
        body["links"]["link1"]["azure_admin_state_origin"], "observed",
        "{body:#}"
    );
    body
}

/// The detail of link1's azure_admin_enabled check (why Azure is not observed).
async fn azure_problem(t: &TestAgent, contains: &str) -> String {
    let (_, body) = t
        .wait_for(
            "/api/v1/ports/erd-ams-1",
            Duration::from_secs(20),
            |_, v| {
                v["links"]["link1"]["checks"][0]["detail"]
                    .as_str()
                    .is_some_and(|d| d.contains(contains))
            },
        )
        .await;
    body["links"]["link1"]["checks"][0]["detail"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// The `[azure]` lines of an Arc-enabled server whose token directory is `tokens`.
fn arc_credential(url: &str, tokens: &std::path::Path) -> String {
    format!(
        "credential = \"managed-identity\"\narc_identity_endpoint = \"{url}/arc/metadata/identity/oauth2/token\"\narc_token_directory = \"{}\"",
        tokens.display()
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_arc_enabled_server_signs_in_with_no_secret_in_any_file() {
    let f = fake();
    let tokens = tempfile::tempdir().unwrap();
    let key = tokens.path().join("3f1c5b2e.key");
    std::fs::write(&key, "arc-challenge-content-0123\n").unwrap();
    f.lock().unwrap().arc_key = Some((key.clone(), "arc-challenge-content-0123".into()));
    let url = fake_azure(f.clone()).await;
    let azure = arc_credential(&url, tokens.path());
    let toml = config(&url, &azure);
    assert!(!toml.contains("secret"), "no secret in the config: {toml}");
    let t = TestAgent::start(&toml).await;
    let body = observed(&t).await;
    assert!(
        f.lock().unwrap().arc_requests >= 2,
        "challenge, then answer"
    );
    assert!(!body.to_string().contains("arc-challenge-content"));
    t.stop().await;

    // A challenge naming a file outside Arc's directory is refused, not read.
    let f = fake();
    let elsewhere = tempfile::tempdir().unwrap();
    let stray = elsewhere.path().join("x.key");
    std::fs::write(&stray, "not-arc").unwrap();
    f.lock().unwrap().arc_key = Some((stray, "not-arc".into()));
    let url = fake_azure(f.clone()).await;
    let azure = arc_credential(&url, tokens.path());
    let t = TestAgent::start(&config(&url, &azure)).await;
    let why = azure_problem(&t, "refused").await;
    assert!(why.contains("refused") && why.contains("not in"), "{why}");
    t.stop().await;

    // Issue 30, 3: a symbolic link inside Arc's directory pointing outside it is
    // refused too: the outside file's content is never sent.
    let f = fake();
    let outside = elsewhere.path().join("outside.key");
    std::fs::write(&outside, "outside-secret-content").unwrap();
    let link = tokens.path().join("link.key");
    std::os::unix::fs::symlink(&outside, &link).unwrap();
    f.lock().unwrap().arc_key = Some((link, "outside-secret-content".into()));
    let url = fake_azure(f.clone()).await;
    let azure = arc_credential(&url, tokens.path());
    let t = TestAgent::start(&config(&url, &azure)).await;
    let why = azure_problem(&t, "refused").await;
    assert!(why.contains("symbolic link"), "{why}");
    assert_eq!(
        f.lock().unwrap().tokens_issued,
        0,
        "a token for the outside file"
    );
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_vm_metadata_service_is_retried_on_410_and_429_as_the_sdks_do() {
    let f = fake();
    f.lock().unwrap().imds_faults = [410, 429].into_iter().collect();
    let url = fake_azure(f.clone()).await;
    // One Azure poll an hour: only retries within the one token request can succeed.
    let toml = config(&url, "credential = \"managed-identity\"")
        .replace("poll_interval = \"300ms\"", "poll_interval = \"1h\"");
    let t = TestAgent::start(&toml).await;
    observed(&t).await;
    assert_eq!(
        f.lock().unwrap().imds_requests,
        3,
        "two retries, then the token"
    );
    let m = t.metrics().await;
    for status in ["410", "429"] {
        assert_eq!(
            common::value(
                &m,
                "lightgate_azure_api_errors_total",
                &[("endpoint", "token"), ("status", status)]
            ),
            1.0,
            "{status}"
        );
    }
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_workload_identity_presents_its_federated_token_file() {
    let f = fake();
    f.lock().unwrap().federated_token = Some("federated-jwt-from-the-issuer".into());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token");
    std::fs::write(&file, "federated-jwt-from-the-issuer\n").unwrap();
    let url = fake_azure(f.clone()).await;
    let azure = format!(
        "credential = \"workload-identity\"\ntenant_id = \"tenant-1\"\nclient_id = \"client-1\"\nfederated_token_file = \"{}\"",
        file.display()
    );
    let t = TestAgent::start(&config(&url, &azure)).await;
    observed(&t).await;
    t.stop().await;
}

/// An RSA key and a self-signed certificate in one PEM file, made by openssl.
fn certificate(dir: &std::path::Path, name: &str) -> (std::path::PathBuf, Vec<u8>) {
    require("openssl", "openssl");
    let key = dir.join(format!("{name}.key"));
    let crt = dir.join(format!("{name}.crt"));
    let out = std::process::Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
        ])
        .arg(format!("/CN={name}"))
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&crt)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pem = dir.join(format!("{name}.pem"));
    let both = format!(
        "{}{}",
        std::fs::read_to_string(&crt).unwrap(),
        std::fs::read_to_string(&key).unwrap()
    );
    std::fs::write(&pem, both).unwrap();
    use rustls_pki_types::pem::PemObject;
    let der = rustls_pki_types::CertificateDer::from_pem_file(&crt)
        .unwrap()
        .to_vec();
    (pem, der)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_credential_signs_its_assertion_and_a_wrong_one_is_told() {
    let dir = tempfile::tempdir().unwrap();
    let (registered, der) = certificate(dir.path(), "lightgate");
    let (other, _) = certificate(dir.path(), "someone-else");
    let f = fake();
    f.lock().unwrap().certificate_der = Some(der);
    let url = fake_azure(f.clone()).await;
    let azure = |pem: &std::path::Path| {
        format!(
            "credential = \"certificate\"\ntenant_id = \"tenant-1\"\nclient_id = \"client-1\"\nclient_certificate_path = \"{}\"",
            pem.display()
        )
    };
    let t = TestAgent::start(&config(&url, &azure(&registered))).await;
    observed(&t).await;
    t.stop().await;
    let t = TestAgent::start(&config(&url, &azure(&other))).await;
    let why = azure_problem(&t, "AADSTS700027").await;
    assert!(why.contains("not registered"), "{why}");
    t.stop().await;
}

/// A stand-in for `az` that prints a token for fake ARM and records its arguments.
fn fake_az(dir: &std::path::Path, token: &str, fail: bool) -> std::path::PathBuf {
    let script = dir.join("az");
    let args = dir.join("args");
    let expires = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 3600;
    let body = if fail {
        "echo \"ERROR: Please run 'az login' to setup account.\" >&2\nexit 1".to_string()
    } else {
        format!(
            "printf '{{\"accessToken\": \"{token}\", \"expiresOn\": \"2026-11-26 05:00:00.000000\", \"expires_on\": {expires}, \"tokenType\": \"Bearer\"}}'"
        )
    };
    std::fs::write(
        &script,
        format!("#!/bin/sh\necho \"$@\" > {}\n{body}\n", args.display()),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    script
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_azure_cli_login_gives_the_token_and_a_missing_login_is_told() {
    let dir = tempfile::tempdir().unwrap();
    let az = fake_az(dir.path(), "cli-token-1", false);
    let f = fake();
    f.lock().unwrap().valid_tokens.push("cli-token-1".into());
    let url = fake_azure(f.clone()).await;
    let azure = format!(
        "credential = \"azure-cli\"\nazure_cli_command = \"{}\"",
        az.display()
    );
    let t = TestAgent::start(&config(&url, &azure)).await;
    observed(&t).await;
    let args = std::fs::read_to_string(dir.path().join("args")).unwrap();
    assert_eq!(
        args.trim(),
        "account get-access-token --output json --resource https://management.azure.com/"
    );
    t.stop().await;

    let dir = tempfile::tempdir().unwrap();
    let az = fake_az(dir.path(), "", true);
    let azure = format!(
        "credential = \"azure-cli\"\nazure_cli_command = \"{}\"",
        az.display()
    );
    let t = TestAgent::start(&config(&url, &azure)).await;
    let why = azure_problem(&t, "az login").await;
    assert!(why.contains("Please run 'az login'"), "{why}");
    t.stop().await;
}

/// `credential = "default"`: Arc's endpoint answers nothing useful here (no challenge
/// file), so the chain goes on to the Azure CLI, and says which credential it uses.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_chain_goes_on_to_the_credential_the_host_has() {
    let dir = tempfile::tempdir().unwrap();
    let az = fake_az(dir.path(), "cli-token-2", false);
    let f = fake();
    f.lock().unwrap().valid_tokens.push("cli-token-2".into());
    let url = fake_azure(f.clone()).await;
    let azure = format!(
        "credential = \"default\"\narc_identity_endpoint = \"{url}/arc/metadata/identity/oauth2/token\"\nazure_cli_command = \"{}\"",
        az.display()
    );
    let t = TestAgent::start(&config(&url, &azure)).await;
    observed(&t).await;
    assert!(
        f.lock().unwrap().arc_requests >= 1,
        "managed identity tried first"
    );
    assert!(dir.path().join("args").exists(), "then the Azure CLI");
    t.stop().await;
}

/// Issue 30, 4: the Azure CLI's stderr may carry a token of its own cache; it is
/// quoted only after redaction (and truncation), never verbatim.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_azure_clis_stderr_is_quoted_only_after_redaction() {
    const OPAQUE: &str = "0.AXoAq1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvWxYz-_abcDEF123";
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("az");
    std::fs::write(
        &script,
        format!("#!/bin/sh\necho \"ERROR: AADSTS700082: The refresh token {OPAQUE} has expired due to inactivity.\" >&2\nexit 1\n"),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let url = fake_azure(fake()).await;
    let azure = format!(
        "credential = \"azure-cli\"\nazure_cli_command = \"{}\"",
        script.display()
    );
    let t = TestAgent::start(&config(&url, &azure)).await;
    let why = azure_problem(&t, "AADSTS700082").await;
    assert!(
        why.contains("AADSTS700082") && why.contains("<redacted>"),
        "{why}"
    );
    let (_, workflow) = t.json("/api/v1/ports/erd-ams-1/workflow").await;
    let (_, port) = t.json("/api/v1/ports/erd-ams-1").await;
    for text in [
        why,
        workflow.to_string(),
        port.to_string(),
        t.metrics().await,
    ] {
        assert!(!text.contains("AXoAq1b2C3d4"), "{text}");
    }
    t.stop().await;
}
