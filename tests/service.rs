//! Running lightgate as a service: live reload (SIGHUP and POST /-/reload) that keeps
//! state and rejects bad configs; TLS and basic auth from a Prometheus-style web config
//! file with a certificate made in the test; sharding over two agents gated through a
//! real Prometheus.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::prometheus::Prometheus;
use common::{pair, samples, value, TestAgent};
use lightgate::agent::Agent;
use lightgate::config::Config;
use lightgate::shard::Shard;

async fn post(url: &str) -> (u16, String) {
    let url = url.to_string();
    tokio::task::spawn_blocking(move || {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let mut r = agent.post(&url).send_empty().unwrap();
        (r.status().as_u16(), r.body_mut().read_to_string().unwrap())
    })
    .await
    .unwrap()
}

const EXTRA_PORT: &str = r#"
[[device]]
name = "edge-c"
source = "sim"
poll_interval = "100ms"
[device.sim]
interfaces = { "Hu0" = "healthy", "Hu1" = "healthy" }

[[port]]
name = "erd-ams-2"
hold_down = "200ms"
link1 = { device = "edge-c", interface = "Hu0", azure_admin_state = "enabled" }
link2 = { device = "edge-c", interface = "Hu1", azure_admin_state = "enabled" }
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reload_keeps_the_state_of_what_did_not_change_and_rejects_a_bad_config() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("lightgate.toml");
    let flappy = pair(
        "{ scenario = \"flapping\", flap_period = \"300ms\" }",
        "100ms",
        "1500ms",
    );
    let first = format!("{flappy}{EXTRA_PORT}");
    std::fs::write(&file, &first).unwrap();
    let t = TestAgent::start(&first).await;
    t.agent.set_config_path(file.clone());
    t.wait_for("/api/v1/ports/erd-ams-2", Duration::from_secs(5), |s, _| {
        s == 200
    })
    .await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let flaps_before = value(
        &t.metrics().await,
        "lightgate_link_flaps_total",
        &[("port", "erd-ams-1"), ("link", "link2")],
    );
    assert!(flaps_before >= 2.0);

    // A bad config (one router port used by two links) is rejected, and nothing changes.
    let bad = format!("{first}\n[[port]]\nname = \"erd-ams-3\"\nlink1 = {{ device = \"edge-a\", interface = \"HundredGigE0/0/0\" }}\nlink2 = {{ device = \"edge-c\", interface = \"Hu1\" }}\n");
    std::fs::write(&file, &bad).unwrap();
    let (status, body) = post(&t.url("/-/reload")).await;
    assert_eq!(status, 500, "{body}");
    assert!(
        body.contains("already link1 of port \\\"erd-ams-1\\\""),
        "{body}"
    );
    let m = t.metrics().await;
    assert_eq!(
        value(&m, "lightgate_config_last_reload_successful", &[]),
        0.0
    );
    assert!(
        samples(&m, "lightgate_port_ready", &[("port", "erd-ams-3")]).is_empty(),
        "the running config is kept"
    );

    // A good one adds a port on a new device; what did not change keeps its state.
    let good = format!("{first}\n[[device]]\nname = \"edge-d\"\nsource = \"sim\"\npoll_interval = \"100ms\"\n[device.sim]\ninterfaces = {{ \"Hu0\" = \"healthy\", \"Hu1\" = \"healthy\" }}\n\n[[port]]\nname = \"erd-ams-3\"\nlink1 = {{ device = \"edge-d\", interface = \"Hu0\" }}\nlink2 = {{ device = \"edge-d\", interface = \"Hu1\" }}\n");
    std::fs::write(&file, &good).unwrap();
    let (status, body) = post(&t.url("/-/reload")).await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = t.json("/api/v1/ports/erd-ams-2").await;
    assert_eq!(
        status, 200,
        "an unchanged port keeps its hold-down: still ready right after the reload"
    );
    let m = t.metrics().await;
    let flaps_after = value(
        &m,
        "lightgate_link_flaps_total",
        &[("port", "erd-ams-1"), ("link", "link2")],
    );
    assert!(
        flaps_after >= flaps_before,
        "flap count kept: {flaps_before} before, {flaps_after} after"
    );
    assert_eq!(
        value(&m, "lightgate_config_last_reload_successful", &[]),
        1.0
    );
    assert!(
        value(
            &m,
            "lightgate_config_last_reload_success_timestamp_seconds",
            &[]
        ) > 1.7e9
    );
    assert_eq!(
        samples(&m, "lightgate_port_ready", &[("port", "erd-ams-3")]).len(),
        1,
        "the added port is there"
    );
    t.stop().await;
}

/// A `lightgate run` process, its address read from its log.
struct Proc {
    child: Child,
    addr: String,
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(args: &[&str]) -> Proc {
    let mut child = Command::new(env!("CARGO_BIN_EXE_lightgate"))
        .arg("run")
        .args(["--listen", "127.0.0.1:0"])
        .args(args)
        // The demo writes its audit trail in the working directory: not the checkout.
        .current_dir(std::env::temp_dir())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut p = Proc {
        child,
        addr: String::new(),
    };
    let mut lines = BufReader::new(stderr).lines();
    while let Some(Ok(line)) = lines.next() {
        if let Some(rest) = line.split("address=").nth(1) {
            p.addr = rest.split_whitespace().next().unwrap().to_string();
            break;
        }
    }
    assert!(!p.addr.is_empty(), "lightgate did not start");
    std::thread::spawn(move || for _ in lines {});
    p
}

#[test]
fn sighup_reloads_the_config_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("lightgate.toml");
    std::fs::write(&file, pair("\"healthy\"", "100ms", "1s")).unwrap();
    let p = start(&["--config", file.to_str().unwrap()]);
    std::fs::write(
        &file,
        format!("{}{EXTRA_PORT}", pair("\"healthy\"", "100ms", "1s")),
    )
    .unwrap();
    let sent = Command::new("sh")
        .args(["-c", &format!("kill -HUP {}", p.child.id())])
        .status()
        .unwrap();
    assert!(sent.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if ureq_any(&format!("http://{}/api/v1/ports", p.addr)).contains("erd-ams-2") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the new port did not appear after SIGHUP"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Whether a UDP port on loopback is taken.
fn udp_taken(port: u16) -> bool {
    std::net::UdpSocket::bind(("127.0.0.1", port)).is_err()
}

/// Agents of a sharded fleet share one config on one host: each is given its own trap
/// port, and keeps it when the config is reloaded.
#[test]
fn traps_listen_address_overrides_the_config_and_survives_a_reload() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("lightgate.toml");
    let (in_file, given) = (
        common::snmpsim::free_udp_port(),
        common::snmpsim::free_udp_port(),
    );
    let traps = format!("[traps]\nlisten = \"127.0.0.1:{in_file}\"\ncommunity = \"t\"\n\n");
    let body = pair("\"healthy\"", "100ms", "1s");
    std::fs::write(&file, format!("{traps}{body}")).unwrap();
    let given_addr = format!("127.0.0.1:{given}");
    let p = start(&[
        "--config",
        file.to_str().unwrap(),
        "--traps.listen-address",
        &given_addr,
    ]);
    let bound = |what: &str| {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !udp_taken(given) {
            assert!(
                Instant::now() < deadline,
                "{what}: nothing listens on {given}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        assert!(
            !udp_taken(in_file),
            "{what}: the config's trap port is bound"
        );
    };
    bound("at start");
    std::fs::write(&file, format!("{traps}{body}{EXTRA_PORT}")).unwrap();
    let sent = Command::new("kill")
        .args(["-HUP", &p.child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    while !ureq_any(&format!("http://{}/api/v1/ports", p.addr)).contains("erd-ams-2") {
        assert!(Instant::now() < deadline, "the reload did not happen");
        std::thread::sleep(Duration::from_millis(100));
    }
    bound("after a reload");

    // Without a [traps] section there is no community to check: refused, with why.
    std::fs::write(&file, &body).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_lightgate"))
        .args(["run", "--config", file.to_str().unwrap()])
        .args(["--traps.listen-address", &given_addr])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(64));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("needs a [traps] section"), "{err}");
}

fn ureq_any(url: &str) -> String {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    agent
        .get(url)
        .call()
        .ok()
        .and_then(|mut r| r.body_mut().read_to_string().ok())
        .unwrap_or_default()
}

struct Pki {
    dir: tempfile::TempDir,
}

impl Pki {
    /// A CA, a server certificate for 127.0.0.1 and a client certificate, as PEM files.
    fn new() -> Pki {
        use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
        let dir = tempfile::tempdir().unwrap();
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
        let server_key = KeyPair::generate().unwrap();
        let server = CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
            .unwrap()
            .signed_by(&server_key, &ca)
            .unwrap();
        let client_key = KeyPair::generate().unwrap();
        let client = CertificateParams::new(vec!["pipeline".to_string()])
            .unwrap()
            .signed_by(&client_key, &ca)
            .unwrap();
        let w = |n: &str, t: String| std::fs::write(dir.path().join(n), t).unwrap();
        w("ca.pem", ca.pem());
        w("server.pem", server.pem());
        w("server.key", server_key.serialize_pem());
        w("client.pem", client.pem());
        w("client.key", client_key.serialize_pem());
        Pki { dir }
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).to_str().unwrap().to_string()
    }

    fn web_config(&self, extra: &str) -> String {
        let hash = bcrypt::hash("pipeline-pass", 4).unwrap();
        let p = self.dir.path().join("web.yml");
        std::fs::write(&p, format!("tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n{extra}basic_auth_users:\n  alice: {hash}\n")).unwrap();
        p.to_str().unwrap().to_string()
    }
}

fn status(url: &str, extra: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_lightgate"))
        .args(["status", "--url", url])
        .args(extra)
        .env("LG_PW", "pipeline-pass")
        .output()
        .unwrap()
}

#[test]
fn tls_and_basic_auth_protect_every_endpoint() {
    let pki = Pki::new();
    let web = pki.web_config("");
    let p = start(&["--web.config.file", &web]);
    let https = format!("https://{}", p.addr);
    let ca = pki.path("ca.pem");
    // Plain HTTP is not served.
    assert!(!ureq_any(&format!("http://{}/metrics", p.addr)).contains("lightgate_"));
    // HTTPS without credentials: 401, with a clear message from the CLI.
    let out = status(&https, &["--tls-ca", &ca]);
    assert_eq!(out.status.code(), Some(69));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("HTTP 401"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Wrong password: still 401.
    let out = Command::new(env!("CARGO_BIN_EXE_lightgate"))
        .args([
            "status",
            "--url",
            &https,
            "--tls-ca",
            &ca,
            "--username",
            "alice",
            "--password-env",
            "LG_PW",
        ])
        .env("LG_PW", "nope")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(69));
    // Right credentials and the CA: the table.
    let out = status(
        &https,
        &[
            "--tls-ca",
            &ca,
            "--username",
            "alice",
            "--password-env",
            "LG_PW",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8(out.stdout).unwrap().contains("PORT demo"));
    // Without the CA the certificate is not trusted.
    let out = status(&https, &["--username", "alice", "--password-env", "LG_PW"]);
    assert_eq!(out.status.code(), Some(69));
    // The gate speaks the same options.
    let out = Command::new(env!("CARGO_BIN_EXE_lightgate"))
        .args([
            "gate",
            "demo",
            "--url",
            &https,
            "--tls-ca",
            &ca,
            "--username",
            "alice",
            "--password-env",
            "LG_PW",
            "--json",
        ])
        .env("LG_PW", "pipeline-pass")
        .current_dir(pki.dir.path())
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0) | Some(75)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["port"], "demo");
}

#[test]
fn client_certificates_can_be_required() {
    let pki = Pki::new();
    let web = pki
        .web_config("  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.pem\n");
    let p = start(&["--web.config.file", &web]);
    let https = format!("https://{}", p.addr);
    let ca = pki.path("ca.pem");
    let creds = [
        "--tls-ca",
        &ca,
        "--username",
        "alice",
        "--password-env",
        "LG_PW",
    ];
    let out = status(&https, &creds);
    assert_eq!(
        out.status.code(),
        Some(69),
        "no client certificate, no connection"
    );
    let (cert, key) = (pki.path("client.pem"), pki.path("client.key"));
    let mut with_cert = creds.to_vec();
    with_cert.extend(["--tls-cert", &cert, "--tls-key", &key]);
    let out = status(&https, &with_cert);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A second CA and a server certificate for 127.0.0.1 it signed, written over
/// `server.pem`/`server.key` in `pki`'s directory (a certificate rotation).
fn rotate(pki: &Pki) -> String {
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let key = KeyPair::generate().unwrap();
    let server = CertificateParams::new(vec!["127.0.0.1".to_string()])
        .unwrap()
        .signed_by(&key, &ca)
        .unwrap();
    std::fs::write(pki.dir.path().join("ca2.pem"), ca.pem()).unwrap();
    // The key first: a reader between the two writes sees a mismatch and keeps the old.
    std::fs::write(pki.dir.path().join("server.key"), key.serialize_pem()).unwrap();
    std::fs::write(pki.dir.path().join("server.pem"), server.pem()).unwrap();
    pki.path("ca2.pem")
}

/// Waits until `lightgate status` with `args` exits with `code`.
fn status_becomes(https: &str, args: &[&str], code: i32, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let out = status(https, args);
        if out.status.code() == Some(code) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: still {:?}: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        std::thread::sleep(Duration::from_millis(300));
    }
}

/// The web config is re-read when it or its certificate changes: a rotated
/// certificate, a new user and new headers take effect without a restart, and a broken
/// rewrite is refused while the running config stays.
#[test]
fn a_rotated_certificate_and_new_users_take_effect_without_a_restart() {
    let pki = Pki::new();
    let web = pki.web_config("");
    let p = start(&["--web.config.file", &web]);
    let https = format!("https://{}", p.addr);
    let ca1 = pki.path("ca.pem");
    let run = |ca: &str, code: i32, what: &str| {
        let args = [
            "--tls-ca",
            ca,
            "--username",
            "alice",
            "--password-env",
            "LG_PW",
        ];
        status_becomes(&https, &args, code, what);
    };
    run(&ca1, 0, "before the rotation");
    let ca2 = rotate(&pki);
    run(&ca2, 0, "the rotated certificate is served");
    run(&ca1, 69, "the old one is not");

    // A new user, and a header, by rewriting the file.
    let bob = bcrypt::hash("bob-pass-1", 4).unwrap();
    let text = std::fs::read_to_string(&web).unwrap();
    let rewritten = format!(
        "{text}  bob: {bob}\nhttp_server_config:\n  headers:\n    Strict-Transport-Security: max-age=31536000\n"
    );
    std::fs::write(&web, &rewritten).unwrap();
    let bob_args = [
        "--tls-ca",
        ca2.as_str(),
        "--username",
        "bob",
        "--basic-auth-password-env",
        "LG_PW_BOB",
    ];
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let out = Command::new(env!("CARGO_BIN_EXE_lightgate"))
            .args(["status", "--url", &https])
            .args(bob_args)
            .env("LG_PW_BOB", "bob-pass-1")
            .output()
            .unwrap();
        if out.status.code() == Some(0) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "bob was not let in: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::thread::sleep(Duration::from_millis(300));
    }
    let out = Command::new("openssl")
        .args(["s_client", "-connect", &p.addr, "-CAfile", &ca2, "-quiet"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin
                .take()
                .unwrap()
                .write_all(b"GET /-/healthy HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")?;
            c.wait_with_output()
        })
        .expect("openssl s_client runs (apt-get install openssl)");
    let answer = String::from_utf8_lossy(&out.stdout).to_ascii_lowercase();
    assert!(
        answer.contains("strict-transport-security: max-age=31536000"),
        "{answer}"
    );

    // A typo: refused, the running config (bob included) stays.
    std::fs::write(
        &web,
        rewritten.replace("basic_auth_users", "basic_auth_user"),
    )
    .unwrap();
    std::thread::sleep(Duration::from_secs(5));
    let out = Command::new(env!("CARGO_BIN_EXE_lightgate"))
        .args(["status", "--url", &https])
        .args(bob_args)
        .env("LG_PW_BOB", "bob-pass-1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "the running config stays");
    let out = status(&https, &["--tls-ca", &ca2]);
    assert_eq!(out.status.code(), Some(69), "auth still required");
}

/// exporter-toolkit's min_version and client_allowed_sans.
#[test]
fn tls_versions_and_client_sans_are_enforced() {
    let pki = Pki::new();
    let web = pki.web_config("  min_version: TLS13\n");
    let p = start(&["--web.config.file", &web]);
    let handshake = |flag: &str| {
        Command::new("openssl")
            .args(["s_client", "-connect", &p.addr, flag, "-CAfile"])
            .arg(pki.path("ca.pem"))
            .stdin(Stdio::null())
            .output()
            .expect("openssl s_client runs (apt-get install openssl)")
    };
    let out = handshake("-tls1_2");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Cipher is (NONE)"),
        "TLS 1.2 was accepted with min_version TLS13: {text}"
    );
    let out = handshake("-tls1_3");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("New, TLSv1.3, Cipher is TLS_"), "{text}");
    drop(p);

    let https_args = |pki: &Pki| {
        vec![
            "--tls-ca".to_string(),
            pki.path("ca.pem"),
            "--username".into(),
            "alice".into(),
            "--password-env".into(),
            "LG_PW".into(),
            "--tls-cert".into(),
            pki.path("client.pem"),
            "--tls-key".into(),
            pki.path("client.key"),
        ]
    };
    for (sans, code) in [("[pipeline]", 0), ("[grafana.example.net]", 69)] {
        let web = pki.web_config(&format!(
            "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.pem\n  client_allowed_sans: {sans}\n"
        ));
        let p = start(&["--web.config.file", &web]);
        let args = https_args(&pki);
        let list: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = status(&format!("https://{}", p.addr), &list);
        assert_eq!(
            out.status.code(),
            Some(code),
            "{sans}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// An agent serving on 127.0.0.1, and how to stop it.
type Running = (
    std::sync::Arc<Agent>,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<std::io::Result<()>>,
);

/// One agent per shard (None: an agent polling every device), each serving on a free
/// loopback port; returns them and their addresses.
async fn start_agents<const N: usize>(
    config: &Config,
    shards: [Option<Shard>; N],
) -> (Vec<Running>, Vec<String>) {
    let mut agents = Vec::new();
    let mut addrs = Vec::new();
    for shard in shards {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        addrs.push(listener.local_addr().unwrap().to_string());
        let agent = Agent::start_sharded(config.clone(), shard);
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let handle = tokio::spawn(agent.clone().serve(listener, async move {
            let _ = rx.await;
        }));
        agents.push((agent, tx, handle));
    }
    (agents, addrs)
}

/// `lightgate gate SUBJECT --action ACTION` through Prometheus (recent series only)
/// when given, else through the agent at `url`.
fn gate_via(
    subject: &str,
    action: &str,
    prometheus: Option<&String>,
    url: &str,
) -> std::process::Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_lightgate"));
    c.args(["gate", subject, "--action", action]);
    match prometheus {
        Some(p) => c.args(["--prometheus", p, "--max-age", "10s"]),
        None => c.args(["--url", url]),
    };
    c.output().unwrap()
}

/// Prometheus scraping the two shard agents (`addrs[0]`, `addrs[1]`), and a gate for
/// `action` that asks it (`true`) or the agent polling every device at `addrs[2]`.
async fn shard_gate(
    addrs: &[String],
    action: &'static str,
) -> (
    Prometheus,
    impl Fn(&str, bool) -> std::process::Output + Clone + Send + 'static,
) {
    let targets = vec![
        ("lightgate-shard-1", addrs[0].clone()),
        ("lightgate-shard-2", addrs[1].clone()),
    ];
    let prom = tokio::task::spawn_blocking(move || Prometheus::start(&targets))
        .await
        .unwrap();
    let single = format!("http://{}", addrs[2]);
    let prom_url = prom.url.clone();
    let gate = move |subject: &str, prometheus: bool| {
        gate_via(subject, action, prometheus.then_some(&prom_url), &single)
    };
    (prom, gate)
}

/// Waits until the gate says ready (exit 0) for `subject` both through Prometheus and
/// through the single agent.
async fn until_both_ready(
    gate: impl Fn(&str, bool) -> std::process::Output + Clone + Send + 'static,
    subject: &'static str,
    within: Duration,
    what: &str,
) {
    let deadline = Instant::now() + within;
    loop {
        let g = gate.clone();
        let (via_prom, via_agent) =
            tokio::task::spawn_blocking(move || (g(subject, true), g(subject, false)))
                .await
                .unwrap();
        if (via_prom.status.code(), via_agent.status.code()) == (Some(0), Some(0)) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{subject} never became {what}: prometheus {:?} {}, agent {:?} {}",
            via_prom.status.code(),
            String::from_utf8_lossy(&via_prom.stderr),
            via_agent.status.code(),
            String::from_utf8_lossy(&via_agent.stderr),
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Device names that land in shard 1/2 and 2/2.
fn names_in(shard: Shard, count: usize) -> Vec<String> {
    (0..)
        .map(|i| format!("edge-{i}"))
        .filter(|n| shard.owns(n))
        .take(count)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_shards_poll_disjoint_devices_and_the_gate_through_prometheus_agrees_with_one_agent() {
    let s1: Shard = "1/2".parse().unwrap();
    let s2: Shard = "2/2".parse().unwrap();
    let (a, b) = (names_in(s1, 2), names_in(s2, 4));
    let device = |name: &str, scenario: &str| {
        format!("[[device]]\nname = \"{name}\"\nsource = \"sim\"\npoll_interval = \"200ms\"\n[device.sim]\ninterfaces = {{ \"Hu0\" = \"{scenario}\" }}\n\n")
    };
    let port = |name: &str, d1: &str, d2: &str| {
        format!("[[port]]\nname = \"{name}\"\nhold_down = \"500ms\"\nlink1 = {{ device = \"{d1}\", interface = \"Hu0\", azure_admin_state = \"enabled\" }}\nlink2 = {{ device = \"{d2}\", interface = \"Hu0\", azure_admin_state = \"enabled\" }}\n\n")
    };
    let text = [
        device(&a[0], "healthy"),
        device(&b[0], "healthy"),
        device(&a[1], "healthy"),
        device(&b[1], "dirty-connector"),
        device(&b[2], "healthy"),
        device(&b[3], "healthy"),
        port("split-ready", &a[0], &b[0]),
        port("split-dirty", &a[1], &b[1]),
        port("all-in-2", &b[2], &b[3]),
    ]
    .concat();
    let config = Config::parse(&text, "t").unwrap();
    let (agents, addrs) = start_agents(&config, [Some(s1), Some(s2), None]).await;
    let p1: Vec<String> = agents[0].0.polled_devices();
    let p2: Vec<String> = agents[1].0.polled_devices();
    assert!(
        p1.iter().all(|d| !p2.contains(d)),
        "shards overlap: {p1:?} {p2:?}"
    );
    // Each shard reports its own devices only: another shard's device is not "down".
    for (i, polled) in [(0, &p1), (1, &p2)] {
        let (status, body) = common::get(&format!("http://{}/api/v1/devices", addrs[i])).await;
        assert_eq!(status, 200);
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        let mut listed: Vec<String> = v["devices"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["device"].as_str().unwrap().to_string())
            .collect();
        listed.sort();
        let mut want = polled.clone();
        want.sort();
        assert_eq!(listed, want, "shard {}", i + 1);
        // Nor any series of it at all (not even zero-valued counters), and nothing of a
        // port both of whose links another shard polls.
        let (_, metrics) = common::get(&format!("http://{}/metrics", addrs[i])).await;
        let lines: Vec<&str> = metrics.lines().filter(|l| !l.starts_with('#')).collect();
        assert!(
            lines.iter().any(|l| l.starts_with("lightgate_device_up{")),
            "{metrics}"
        );
        for line in lines.iter().filter(|l| l.contains("device=\"")) {
            assert!(
                polled
                    .iter()
                    .any(|d| line.contains(&format!("device=\"{d}\""))),
                "shard {}: {line}",
                i + 1
            );
        }
        if i == 0 {
            assert!(
                !metrics.contains("port=\"all-in-2\""),
                "shard 1 polls neither link of all-in-2: {metrics}"
            );
        }
    }
    let mut union: Vec<String> = p1.iter().chain(&p2).cloned().collect();
    union.sort();
    assert_eq!(
        union,
        agents[2].0.polled_devices(),
        "together the shards poll every device"
    );

    let (_prometheus, gate) = shard_gate(&addrs, "create-circuit").await;
    until_both_ready(
        gate.clone(),
        "split-ready",
        Duration::from_secs(30),
        "ready",
    )
    .await;
    let g = gate.clone();
    let (via_prom, via_agent) =
        tokio::task::spawn_blocking(move || (g("split-dirty", true), g("split-dirty", false)))
            .await
            .unwrap();
    assert_eq!(
        via_prom.status.code(),
        Some(75),
        "{}",
        String::from_utf8_lossy(&via_prom.stderr)
    );
    assert_eq!(via_agent.status.code(), Some(75));
    let err = String::from_utf8(via_prom.stderr).unwrap();
    assert!(
        err.contains("rx_power_in_range (receive light is out of range): link2"),
        "{err}"
    );
    // Neither shard claims a verdict for a port it only half polls.
    let m = common::get(&format!("http://{}/metrics", addrs[0])).await.1;
    assert!(samples(&m, "lightgate_port_ready", &[]).is_empty(), "{m}");
    for (agent, tx, handle) in agents {
        let _ = tx.send(());
        handle.await.unwrap().unwrap();
        drop(agent);
    }
}

/// A port split across two shards: each shard exports its own router's BGP sessions
/// (`lightgate_bgp_session_ready`), and `lightgate gate CIRCUIT --action enable-traffic
/// --prometheus` combines them as the one agent that polls both decides.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_traffic_gate_through_prometheus_combines_the_sessions_of_two_shards() {
    let s1: Shard = "1/2".parse().unwrap();
    let s2: Shard = "2/2".parse().unwrap();
    let (a, b) = (names_in(s1, 2), names_in(s2, 2));
    let device = |name: &str| {
        format!("[[device]]\nname = \"{name}\"\nsource = \"sim\"\npoll_interval = \"200ms\"\n[device.sim]\ninterfaces = {{ \"Hu0\" = \"healthy\" }}\n\n")
    };
    // ckt-ok's sessions receive the simulator's 4 prefixes; ckt-few wants 100.
    let port = |name: &str, d1: &str, d2: &str, circuit: &str, min: u32| {
        format!("[[port]]\nname = \"{name}\"\nhold_down = \"500ms\"\nlink1 = {{ device = \"{d1}\", interface = \"Hu0\", azure_admin_state = \"enabled\" }}\nlink2 = {{ device = \"{d2}\", interface = \"Hu0\", azure_admin_state = \"enabled\" }}\n[[port.peering]]\ncircuit = \"{circuit}\"\ntype = \"private\"\nprimary_subnet = \"192.168.100.128/30\"\nsecondary_subnet = \"192.168.100.132/30\"\nhold_down = \"1s\"\nprefixes_min = {min}\nadvertised_prefix_count = 3\n\n")
    };
    let text = [
        device(&a[0]),
        device(&b[0]),
        device(&a[1]),
        device(&b[1]),
        port("split-ok", &a[0], &b[0], "ckt-ok", 1),
        port("split-few", &a[1], &b[1], "ckt-few", 100),
    ]
    .concat();
    let config = Config::parse(&text, "t").unwrap();
    let (agents, addrs) = start_agents(&config, [Some(s1), Some(s2), None]).await;
    let (prom, gate) = shard_gate(&addrs, "enable-traffic").await;
    until_both_ready(
        gate.clone(),
        "ckt-ok",
        Duration::from_secs(40),
        "ready for traffic",
    )
    .await;
    // Neither shard has a peering verdict of its own: each exports its link's sessions.
    for addr in &addrs[..2] {
        let m = common::get(&format!("http://{addr}/metrics")).await.1;
        assert!(
            samples(&m, "lightgate_peering_ready", &[]).is_empty(),
            "{m}"
        );
        let mine = samples(&m, "lightgate_bgp_session_ready", &[("circuit", "ckt-ok")]);
        assert_eq!(mine.len(), 1, "one session of ckt-ok per shard: {mine:?}");
    }
    let g = gate.clone();
    let (via_prom, via_agent, port_name) = tokio::task::spawn_blocking(move || {
        (g("ckt-few", true), g("ckt-few", false), g("split-ok", true))
    })
    .await
    .unwrap();
    assert_eq!(via_agent.status.code(), Some(75));
    assert_eq!(
        via_prom.status.code(),
        Some(75),
        "{}",
        String::from_utf8_lossy(&via_prom.stderr)
    );
    let err = String::from_utf8(via_prom.stderr).unwrap();
    assert!(
        err.contains("link1")
            && err.contains("link2")
            && err.contains("is not ready, as reported by"),
        "{err}"
    );
    // A port's name is not a circuit: no series, so never a verdict on links alone.
    assert_eq!(
        port_name.status.code(),
        Some(64),
        "{}",
        String::from_utf8_lossy(&port_name.stderr)
    );
    // Actions decided on Azure's states are not decided on links through Prometheus.
    let prom_url = prom.url.clone();
    let peering = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_lightgate"))
            .args([
                "gate",
                "split-ok",
                "--action",
                "configure-peering",
                "--prometheus",
                &prom_url,
            ])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert_eq!(peering.status.code(), Some(64));
    assert!(
        String::from_utf8_lossy(&peering.stderr)
            .contains("decided by the agent that reads the circuit from Azure"),
        "{peering:?}"
    );
    for (agent, tx, handle) in agents {
        let _ = tx.send(());
        handle.await.unwrap().unwrap();
        drop(agent);
    }
}
