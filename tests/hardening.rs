//! Promises kept under faults and hostile input: a web config typo cannot switch auth
//! off, a password flood cannot starve real clients, the audit trail follows logrotate
//! and is read in pages, gate fields are bounded, nothing a client sends can forge a
//! log line, the gate CLI acts only on the decision it asked for, slow or half-open
//! clients cannot hold the server, and an absurd reload is refused and counted.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{pair, post_json, value, TestAgent};
use lightgate::agent::Agent;
use lightgate::config::Config;
use lightgate::exporter::server::Limits;
use lightgate::exporter::web::WebConfig;
use lightgate::exporter::AppState;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_lightgate"));
    c.current_dir(std::env::temp_dir());
    c
}

#[test]
fn a_typo_in_the_web_config_stops_the_agent_instead_of_opening_it() {
    let dir = tempfile::tempdir().unwrap();
    let web = dir.path().join("web.yml");
    let hash = bcrypt::hash("pw", 4).unwrap();
    for (text, named) in [
        (
            format!("basic_auth_user:\n  alice: {hash}\n"),
            "basic_auth_user",
        ),
        (
            "basic_auth_users:\n  alice: $2y$10$tooshort\n".to_string(),
            "basic_auth_users.alice",
        ),
    ] {
        std::fs::write(&web, &text).unwrap();
        let out = bin()
            .args(["run", "--listen", "127.0.0.1:0", "--web.config.file"])
            .arg(&web)
            .stdout(Stdio::null())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(78), "{err}");
        assert!(err.contains(named), "{err}");
    }
}

fn basic(user: &str, password: &str) -> String {
    use base64::Engine;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    )
}

/// An agent on 127.0.0.1:0 with `web` and `limits`; returns its address and a stopper.
async fn agent_with(
    toml: &str,
    web: WebConfig,
    limits: Limits,
) -> (
    String,
    Arc<Agent>,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<std::io::Result<()>>,
) {
    let config = Config::parse(toml, "test").unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let agent = Agent::start(config);
    let app = AppState::new(agent.store().clone());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let handle = tokio::spawn(async move {
        lightgate::exporter::serve_with_limits(listener, app, &web, limits, async move {
            let _ = rx.await;
        })
        .await
    });
    (addr, agent, tx, handle)
}

fn status_of(url: &str, auth: Option<&str>) -> u16 {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(20)))
        .build()
        .into();
    let mut req = agent.get(url);
    if let Some(a) = auth {
        req = req.header("Authorization", a);
    }
    req.call().map(|r| r.status().as_u16()).unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_flood_is_turned_away_while_known_clients_go_through() {
    let hash = bcrypt::hash("right-password", 10).unwrap();
    let web = WebConfig::parse(
        &format!("basic_auth_users:\n  alice: {hash}\n"),
        Path::new("web.yml"),
    )
    .unwrap();
    let (addr, _agent, stop, handle) =
        agent_with(&pair("\"healthy\"", "1s", "1s"), web, Limits::default()).await;
    let url = format!("http://{addr}/-/healthy");
    let good = basic("alice", "right-password");
    let (u, g) = (url.clone(), good.clone());
    let first = tokio::task::spawn_blocking(move || status_of(&u, Some(&g)))
        .await
        .unwrap();
    assert_eq!(first, 200);
    let stop_flood = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let turned_away = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut flooders = Vec::new();
    for i in 0..40 {
        let (u, stop, away) = (url.clone(), stop_flood.clone(), turned_away.clone());
        flooders.push(std::thread::spawn(move || {
            let mut seen = Vec::new();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let user = if i % 2 == 0 { "alice" } else { "mallory" };
                let status = status_of(&u, Some(&basic(user, "wrong")));
                if status == 429 {
                    away.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
                seen.push(status);
            }
            seen
        }));
    }
    // The known client goes on being served while the flood runs, until the flood has
    // filled the queue (a 429) and the client was served ten times.
    let mut legit = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while legit.len() < 10 || turned_away.load(std::sync::atomic::Ordering::Relaxed) == 0 {
        let (u, g) = (url.clone(), good.clone());
        legit.push(
            tokio::task::spawn_blocking(move || status_of(&u, Some(&g)))
                .await
                .unwrap(),
        );
        if Instant::now() > deadline {
            break;
        }
    }
    stop_flood.store(true, std::sync::atomic::Ordering::Relaxed);
    let flood: Vec<u16> = flooders
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    assert!(
        legit.iter().all(|s| *s == 200),
        "known client refused: {legit:?}"
    );
    assert!(flood.iter().all(|s| *s == 401 || *s == 429), "{flood:?}");
    assert!(
        flood.contains(&429),
        "the flood was never turned away: {} answers",
        flood.len()
    );
    let _ = stop.send(());
    handle.await.unwrap().unwrap();
}

fn gate_body(user: &str) -> serde_json::Value {
    serde_json::json!({"action": "create-circuit", "user": user, "host": "ci", "command": ["true"]})
}

fn ports(records: &serde_json::Value) -> Vec<String> {
    records["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["user"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_trail_follows_logrotate_and_reads_its_rotations() {
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    let cfg = format!(
        "audit_log = \"{}\"\n{}",
        audit.display(),
        pair("\"healthy\"", "100ms", "1s")
    );
    let t = TestAgent::start(&cfg).await;
    let gate = t.url("/api/v1/ports/erd-ams-1/gate");
    let (s, _) = post_json(gate.clone(), gate_body("first")).await;
    assert!(s == 200 || s == 503);
    // logrotate (default create mode): rename, the agent keeps running.
    std::fs::rename(&audit, dir.path().join("audit.jsonl.1")).unwrap();
    let (s, d) = post_json(gate.clone(), gate_body("second")).await;
    assert!(s == 200 || s == 503, "{d}");
    let current = std::fs::read_to_string(&audit).expect("the path names a new file");
    assert!(current.contains("\"second\""), "{current}");
    // Removed outright.
    std::fs::remove_file(&audit).unwrap();
    post_json(gate.clone(), gate_body("third")).await;
    assert!(std::fs::read_to_string(&audit)
        .unwrap()
        .contains("\"third\""));
    // The API reads the rotation too, oldest first, in pages.
    let (_, all) = t.json("/api/v1/audit").await;
    assert_eq!(
        ports(&all),
        vec!["first", "third"],
        "second went with the removed file"
    );
    let (_, one) = t.json("/api/v1/audit?limit=1").await;
    assert_eq!(ports(&one), vec!["first"]);
    let next = one["next"].as_str().unwrap().to_string();
    let (_, rest) = t
        .json(&format!("/api/v1/audit?limit=1&cursor={next}"))
        .await;
    assert_eq!(ports(&rest), vec!["third"]);
    assert!(rest["next"].is_null());
    let (status, _) = t.get("/api/v1/audit?limit=0").await;
    assert_eq!(status, 400);
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_trail_is_paged_by_the_cli_and_never_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    let mut text = String::new();
    for i in 0..2500 {
        text.push_str(&format!("{{\"decision_id\":\"{i}\",\"time\":\"2026-11-25T10:00:00Z\",\"port\":\"erd-ams-1\",\"action\":\"create-circuit\",\"ready\":false,\"verdict\":\"not_ready\",\"user\":\"u{i}\",\"host\":\"h\",\"command\":[],\"failing\":[],\"checks\":{{\"link1\":[],\"link2\":[]}},\"readings\":{{\"link1\":null,\"link2\":null}}}}\n"));
    }
    std::fs::write(&audit, text).unwrap();
    let cfg = format!(
        "audit_log = \"{}\"\n{}",
        audit.display(),
        pair("\"healthy\"", "1s", "1s")
    );
    let t = TestAgent::start(&cfg).await;
    let url = t.url("");
    let out = tokio::task::spawn_blocking(move || {
        bin()
            .args(["audit", "--url", &url, "--json"])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let lines = String::from_utf8(out.stdout).unwrap();
    assert_eq!(lines.lines().count(), 2500);
    assert!(lines.lines().last().unwrap().contains("\"u2499\""));
    let (_, page) = t.json("/api/v1/audit").await;
    assert_eq!(
        page["records"].as_array().unwrap().len(),
        1000,
        "the default page"
    );
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_gate_requests_are_refused_before_anything_is_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    let cfg = format!(
        "audit_log = \"{}\"\n{}",
        audit.display(),
        pair("\"healthy\"", "1s", "1s")
    );
    let t = TestAgent::start(&cfg).await;
    let gate = t.url("/api/v1/ports/erd-ams-1/gate");
    let (s, body) = post_json(gate.clone(), gate_body(&"u".repeat(2048))).await;
    assert_eq!(s, 400, "{body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("user is 2048 bytes"),
        "{body}"
    );
    // 1.9 MB announced: refused from the headers, before the body is read.
    let addr = t.addr;
    let answer = tokio::task::spawn_blocking(move || {
        let mut s = TcpStream::connect(addr).unwrap();
        s.write_all(b"POST /api/v1/ports/erd-ams-1/gate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1900000\r\n\r\n{\"user\":\"uuuu").unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut buf = [0u8; 64];
        let n = s.read(&mut buf).unwrap_or(0);
        String::from_utf8_lossy(&buf[..n]).to_string()
    })
    .await
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    // Issue 30, 13: a malformed chunked body is the client's mistake: 400, not 413.
    let send = |raw: Vec<u8>| {
        tokio::task::spawn_blocking(move || {
            let mut s = TcpStream::connect(addr).unwrap();
            let _ = s.write_all(&raw);
            s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let mut buf = [0u8; 64];
            let n = s.read(&mut buf).unwrap_or(0);
            String::from_utf8_lossy(&buf[..n]).to_string()
        })
    };
    let head = "POST /api/v1/ports/erd-ams-1/gate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
    let answer = send(format!("{head}zz\r\n{{}}\r\n0\r\n\r\n").into_bytes())
        .await
        .unwrap();
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(!audit.exists(), "nothing was recorded");
    t.stop().await;
}

#[test]
fn a_user_name_cannot_forge_log_lines_or_move_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    std::fs::write(
        &cfg,
        format!(
            "audit_log = \"{}\"\n{}",
            dir.path().join("a.jsonl").display(),
            pair("\"healthy\"", "1s", "1s")
        ),
    )
    .unwrap();
    let mut child = bin()
        .args([
            "run",
            "--listen",
            "127.0.0.1:0",
            "--log-format",
            "plain",
            "--config",
        ])
        .arg(&cfg)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let mut log = Vec::new();
    let mut buf = [0u8; 4096];
    let addr = loop {
        let n = stderr.read(&mut buf).unwrap();
        assert!(n > 0, "lightgate exited: {}", String::from_utf8_lossy(&log));
        log.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&log);
        if let Some(rest) = text.split("address=").nth(1) {
            if let Some(a) = rest.split_whitespace().next() {
                break a.to_string();
            }
        }
    };
    let forged = "eve\n2026-11-25T00:00:00Z  INFO lightgate: FORGED gate decision recorded\x1b[2J";
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    agent
        .post(&format!("http://{addr}/api/v1/ports/erd-ams-1/gate"))
        .send_json(gate_body(forged))
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let _ = child.kill();
    let _ = child.wait();
    let mut rest = Vec::new();
    let _ = stderr.read_to_end(&mut rest);
    log.extend_from_slice(&rest);
    let text = String::from_utf8_lossy(&log);
    assert!(text.contains("Gate decision recorded"), "{text}");
    assert!(
        !text.lines().any(|l| l.starts_with("2026-11-25T00:00:00Z")),
        "a forged line: {text}"
    );
    assert!(!text.contains('\x1b'), "an escape sequence reached the log");
    assert!(text.contains("eve\\n2026"), "{text}");
    // `lightgate audit` prints it escaped too.
    let out = bin()
        .args(["audit", "--file"])
        .arg(dir.path().join("a.jsonl"))
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(printed.contains("eve\\n2026"), "{printed}");
    assert!(
        !printed
            .lines()
            .any(|l| l.starts_with("2026-11-25T00:00:00Z")),
        "{printed}"
    );
}

/// A gate decision as an agent sends it: `failing` and `failures` are JSON array
/// contents (possibly empty).
fn decision_json(port: &str, ready: bool, verdict: &str, failing: &str, failures: &str) -> String {
    format!("{{\"decision_id\":\"9\",\"time\":\"2026-11-25T10:00:00Z\",\"port\":\"{port}\",\"action\":\"create-circuit\",\"ready\":{ready},\"verdict\":\"{verdict}\",\"user\":\"u\",\"host\":\"h\",\"command\":[],\"failing\":[{failing}],\"failures\":[{failures}],\"checks\":{{\"link1\":[],\"link2\":[]}},\"readings\":{{\"link1\":null,\"link2\":null}}}}")
}

/// A fake agent that answers every gate request with a ready decision for `port`.
fn fake_agent(port: &'static str) -> String {
    let body = decision_json(port, true, "ready", "", "");
    fake_agent_answering("200 OK", body)
}

/// A fake agent that answers every gate request with `status` and `body`.
fn fake_agent_answering(status: &'static str, body: String) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { return };
            // The whole request (headers, then Content-Length bytes) before answering.
            let mut got = Vec::new();
            let mut buf = [0u8; 4096];
            while let Ok(n) = s.read(&mut buf) {
                if n == 0 {
                    break;
                }
                got.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&got).to_ascii_lowercase();
                if let Some(end) = text.find("\r\n\r\n") {
                    let length: usize = text
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse().ok())
                        .unwrap_or(0);
                    if got.len() >= end + 4 + length {
                        break;
                    }
                }
            }
            let _ = write!(s, "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len());
        }
    });
    addr
}

/// `lightgate gate erd-ams-1 --url http://ADDR -- touch MARKER`: whether the gate ran
/// the command shows as the marker file.
fn gate_touching(addr: &str, marker: &Path) -> std::process::Output {
    bin()
        .args([
            "gate",
            "erd-ams-1",
            "--url",
            &format!("http://{addr}"),
            "--",
            "touch",
        ])
        .arg(marker)
        .output()
        .unwrap()
}

#[test]
fn the_gate_runs_nothing_on_a_decision_about_another_port_or_a_bad_name() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("ran");
    let addr = fake_agent("erd-other");
    let out = gate_touching(&addr, &marker);
    assert_eq!(
        out.status.code(),
        Some(69),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("about erd-other"));
    assert!(
        !marker.exists(),
        "the command ran on another port's decision"
    );
    let same = fake_agent("erd-ams-1");
    let out = gate_touching(&same, &marker);
    assert_eq!(out.status.code(), Some(0));
    assert!(marker.exists());
    for bad in ["../../../-/reload?", "a b", ""] {
        let out = bin()
            .args(["gate", bad, "--url", &format!("http://{addr}")])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(64),
            "{bad:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// Issue 30, 15: the gate runs the command only when the answer agrees with itself:
/// HTTP 200, `ready`, verdict "ready" and nothing failing.
#[test]
fn the_gate_runs_nothing_on_an_answer_that_contradicts_itself() {
    let decision = |ready: bool, verdict: &str, failing: &str| {
        decision_json("erd-ams-1", ready, verdict, failing, "")
    };
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("ran");
    for (status, body) in [
        ("503 Service Unavailable", decision(true, "ready", "")),
        ("200 OK", decision(true, "not_ready", "")),
        (
            "200 OK",
            decision(true, "ready", "\"oper_up: link1 oper status down\""),
        ),
        ("200 OK", decision(false, "ready", "")),
    ] {
        let addr = fake_agent_answering(status, body.clone());
        let out = gate_touching(&addr, &marker);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(69), "{status} {body}: {err}");
        assert!(err.contains("contradicts itself"), "{err}");
        assert!(!marker.exists(), "the command ran on {status} {body}");
    }
}

fn small_limits() -> Limits {
    Limits {
        // Long enough that the idle connections of the cap check outlive a loaded
        // machine's scheduling, short enough to keep the test quick.
        header_timeout: Duration::from_secs(3),
        body_timeout: Duration::from_secs(1),
        shutdown_grace: Duration::from_secs(1),
        stream_lifetime: Duration::from_secs(3600),
        ..Limits::for_connections(8)
    }
}

/// Whether the server closed `s` within `within` (a read returns 0 or fails).
fn closed_within(s: &mut TcpStream, within: Duration) -> bool {
    s.set_read_timeout(Some(within)).unwrap();
    let mut buf = [0u8; 512];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return false
            }
            Err(_) => return true,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_open_and_slow_clients_cannot_hold_the_server() {
    let (addr, _agent, stop, handle) = agent_with(
        &pair("\"healthy\"", "1s", "1s"),
        WebConfig::default(),
        small_limits(),
    )
    .await;
    let a = addr.clone();
    tokio::task::spawn_blocking(move || {
        // Headers that never finish are cut after the header timeout.
        let mut half = TcpStream::connect(&a).unwrap();
        half.write_all(b"GET /-/healthy HTTP/1.1\r\nHost: x\r\n").unwrap();
        assert!(closed_within(&mut half, Duration::from_secs(8)), "a half-open request held its connection");
        // A body that never arrives: 408.
        let mut slow = TcpStream::connect(&a).unwrap();
        slow.write_all(b"POST /api/v1/ports/erd-ams-1/gate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"user\":").unwrap();
        slow.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut answer = String::new();
        let _ = slow.read_to_string(&mut answer);
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    })
    .await
    .unwrap();
    // The cap, on a server whose idle connections outlive any scheduling delay: a new
    // connection at the cap closes the oldest one without a request in progress and is
    // served; when every connection is busy (event streams), the new one is closed.
    let (cap_addr, cap_agent, cap_stop, cap_handle) = agent_with(
        &pair("\"healthy\"", "1s", "1s"),
        WebConfig::default(),
        Limits {
            header_timeout: Duration::from_secs(60),
            connections_per_client: 8,
            max_event_streams: 8,
            event_streams_per_client: 8,
            ..small_limits()
        },
    )
    .await;
    let (a, ag) = (cap_addr.clone(), cap_agent.clone());
    tokio::task::spawn_blocking(move || {
        let metric = |name: &str| {
            let m = lightgate::exporter::metrics::render(ag.store(), lightgate::store::now());
            value(&m, name, &[])
        };
        let open = || metric("lightgate_http_connections");
        let wait_open = |n: f64| {
            let deadline = Instant::now() + Duration::from_secs(20);
            while open() != n {
                assert!(
                    Instant::now() < deadline,
                    "{} connections counted, awaiting {n}",
                    open()
                );
                std::thread::sleep(Duration::from_millis(20));
            }
        };
        let mut idle: Vec<TcpStream> = Vec::new();
        for _ in 0..8 {
            idle.push(TcpStream::connect(&a).unwrap());
            wait_open(idle.len() as f64);
        }
        assert_eq!(status_of(&format!("http://{a}/-/healthy"), None), 200);
        assert!(
            closed_within(&mut idle[0], Duration::from_secs(5)),
            "the oldest idle connection was not the one closed"
        );
        assert!(metric("lightgate_http_connections_evicted_total") >= 1.0);
        drop(idle);
        wait_open(0.0);
        let streams: Vec<TcpStream> = (0..8).map(|_| open_stream(&a, None)).collect();
        let mut extra = TcpStream::connect(&a).unwrap();
        let _ = extra.write_all(b"GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n");
        assert!(
            closed_within(&mut extra, Duration::from_secs(5)),
            "a connection over the cap of busy ones was served"
        );
        assert!(metric("lightgate_http_connections_rejected_total") >= 1.0);
        drop(streams);
        wait_open(0.0);
        assert_eq!(status_of(&format!("http://{a}/-/healthy"), None), 200);
    })
    .await
    .unwrap();
    let _ = cap_stop.send(());
    cap_handle.await.unwrap().unwrap();
    // A shutdown with a half-open request pending ends within the grace.
    let mut pending = TcpStream::connect(&addr).unwrap();
    pending.write_all(b"GET /metrics HTTP/1.1\r\n").unwrap();
    let asked = Instant::now();
    let _ = stop.send(());
    tokio::time::timeout(Duration::from_secs(5), handle)
        .await
        .expect("the server stopped within its grace")
        .unwrap()
        .unwrap();
    assert!(asked.elapsed() < Duration::from_secs(4));
    drop(pending);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_absurd_duration_in_a_reload_is_refused_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("lightgate.toml");
    let good = pair("\"healthy\"", "1s", "1s");
    std::fs::write(&file, &good).unwrap();
    let t = TestAgent::start(&good).await;
    t.agent.set_config_path(file.clone());
    std::fs::write(
        &file,
        good.replacen(
            "poll_interval = \"1s\"",
            "poll_interval = \"18446744073709551615s\"",
            1,
        ),
    )
    .unwrap();
    let url = t.url("/-/reload");
    let (status, body) = tokio::task::spawn_blocking(move || {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let mut r = agent.post(&url).send_empty().unwrap();
        (r.status().as_u16(), r.body_mut().read_to_string().unwrap())
    })
    .await
    .unwrap();
    assert_eq!(status, 500, "{body}");
    assert!(
        body.contains("poll_interval 18446744073709551615s is out of range"),
        "{body}"
    );
    let m = t.metrics().await;
    assert_eq!(
        value(&m, "lightgate_config_last_reload_successful", &[]),
        0.0
    );
    let (s, _) = t.get("/-/healthy").await;
    assert_eq!(s, 200, "the agent keeps running");
    t.stop().await;
}

/// A fake Prometheus query API: each query is answered with the result of the first
/// `(prefix, result)` whose prefix starts the (decoded) PromQL, else an empty vector.
fn fake_prometheus(answers: Vec<(&'static str, serde_json::Value)>) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { return };
            let mut got = Vec::new();
            let mut buf = [0u8; 4096];
            while let Ok(n) = s.read(&mut buf) {
                if n == 0 {
                    break;
                }
                got.extend_from_slice(&buf[..n]);
                if got.windows(4).any(|w| w == b"\r\n\r\n") {
                    break;
                }
            }
            let head = String::from_utf8_lossy(&got).to_string();
            let target = head.split_whitespace().nth(1).unwrap_or_default();
            let raw = target.split("query=").nth(1).unwrap_or_default();
            let promql = percent_decode(raw);
            let result = answers
                .iter()
                .find(|(p, _)| promql.starts_with(p))
                .map(|(_, r)| r.clone())
                .unwrap_or_else(|| serde_json::json!([]));
            let body = serde_json::json!({"status": "success", "data": {"resultType": "vector", "result": result}}).to_string();
            let _ = write!(s, "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len());
        }
    });
    addr
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(if b[i] == b'+' { b' ' } else { b[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).to_string()
}

/// One Prometheus sample of `metric` with `labels`, valued `v`.
fn series(labels: &[(&str, &str)], v: f64) -> serde_json::Value {
    let metric: serde_json::Map<String, serde_json::Value> = labels
        .iter()
        .map(|(k, v)| (k.to_string(), serde_json::json!(v)))
        .collect();
    serde_json::json!({"metric": metric, "value": [1.7e9, v.to_string()]})
}

/// Issue 30, 14: `gate --prometheus` needs each link (and each session) to have its own
/// fresh, non-negative age with matching labels: a missing, partial, negative or
/// mislabelled age refuses; all present and fresh runs the command.
#[test]
fn gate_through_prometheus_refuses_missing_or_odd_freshness() {
    let link = |l: &'static str| [("port", "erd-ams-1"), ("link", l), ("instance", "a:9750")];
    let ready = serde_json::json!([series(&link("link1"), 1.0), series(&link("link2"), 1.0)]);
    let ages = |a1: Option<f64>, a2: Option<f64>, port: &'static str| {
        let mut v = Vec::new();
        for (l, a) in [("link1", a1), ("link2", a2)] {
            if let Some(a) = a {
                v.push(series(
                    &[("port", port), ("link", l), ("instance", "a:9750")],
                    a,
                ));
            }
        }
        serde_json::Value::Array(v)
    };
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("ran");
    let run = |answers: Vec<(&'static str, serde_json::Value)>| {
        let _ = std::fs::remove_file(&marker);
        let addr = fake_prometheus(answers);
        let out = bin()
            .args([
                "gate",
                "erd-ams-1",
                "--prometheus",
                &format!("http://{addr}"),
                "--",
                "touch",
            ])
            .arg(&marker)
            .output()
            .unwrap();
        (
            out.status.code(),
            marker.exists(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    for (case, age) in [
        ("no age series", ages(None, None, "erd-ams-1")),
        ("an age for link1 only", ages(Some(3.0), None, "erd-ams-1")),
        ("negative ages", ages(Some(-30.0), Some(-30.0), "erd-ams-1")),
        (
            "ages for another port",
            ages(Some(3.0), Some(3.0), "erd-other"),
        ),
    ] {
        let (code, ran, err) = run(vec![
            ("time() - timestamp(lightgate_link_ready", age),
            ("lightgate_link_ready", ready.clone()),
        ]);
        assert_eq!((code, ran), (Some(75), false), "{case}: {err}");
        assert!(err.contains("fresh"), "{case}: {err}");
    }
    let (code, ran, err) = run(vec![
        (
            "time() - timestamp(lightgate_link_ready",
            ages(Some(3.0), Some(4.0), "erd-ams-1"),
        ),
        ("lightgate_link_ready", ready.clone()),
    ]);
    assert_eq!((code, ran), (Some(0), true), "{err}");

    // enable-traffic: sessions without any age series refuse.
    let session = |l: &'static str, n: &'static str| {
        [
            ("port", "erd-ams-1"),
            ("circuit", "ckt-1"),
            ("peering", "AzurePrivatePeering"),
            ("link", l),
            ("device", "r"),
            ("neighbor", n),
            ("family", "ipv4/unicast"),
            ("instance", "a:9750"),
        ]
    };
    let sessions = serde_json::json!([
        series(&session("link1", "192.168.100.130"), 1.0),
        series(&session("link2", "192.168.100.134"), 1.0)
    ]);
    let addr = fake_prometheus(vec![
        (
            "time() - timestamp(lightgate_bgp_session_ready",
            serde_json::json!([]),
        ),
        ("lightgate_bgp_session_ready", sessions),
        (
            "lightgate_peering_check",
            serde_json::json!([series(
                &[("port", "erd-ams-1"), ("peering", "AzurePrivatePeering")],
                1.0
            )]),
        ),
        (
            "time() - timestamp(lightgate_link_ready",
            ages(Some(3.0), Some(4.0), "erd-ams-1"),
        ),
        ("lightgate_link_ready", ready),
    ]);
    let _ = std::fs::remove_file(&marker);
    let out = bin()
        .args([
            "gate",
            "ckt-1",
            "--action",
            "enable-traffic",
            "--prometheus",
            &format!("http://{addr}"),
            "--",
            "touch",
        ])
        .arg(&marker)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(75), "{err}");
    assert!(!marker.exists());
    assert!(
        err.contains("session to 192.168.100.130") && err.contains("no age"),
        "{err}"
    );
}

/// Issue 30, 1: a live re-read may tighten authentication, never drop it: emptying
/// the web config, or removing its users, is refused (error log, reload metric 0) and
/// unauthenticated requests stay 401 until a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emptying_the_web_config_never_turns_authentication_off() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("web.yml");
    let hash = bcrypt::hash("pw-1", 4).unwrap();
    let users = format!("basic_auth_users:\n  alice: {hash}\n");
    std::fs::write(&path, &users).unwrap();
    let web = WebConfig::load(&path).unwrap();
    let (addr, _agent, stop, handle) =
        agent_with(&pair("\"healthy\"", "1s", "1s"), web, Limits::default()).await;
    let alice = basic("alice", "pw-1");
    let metrics_url = format!("http://{addr}/metrics");
    let reload_metric = |want: f64| {
        let (u, a) = (metrics_url.clone(), alice.clone());
        async move {
            loop {
                let (u, a) = (u.clone(), a.clone());
                let text = tokio::task::spawn_blocking(move || {
                    let agent: ureq::Agent = ureq::Agent::config_builder()
                        .http_status_as_error(false)
                        .build()
                        .into();
                    agent
                        .get(&u)
                        .header("Authorization", &a)
                        .call()
                        .ok()
                        .and_then(|mut r| r.body_mut().read_to_string().ok())
                        .unwrap_or_default()
                });
                let text = text.await.unwrap();
                if value(&text, "lightgate_config_last_reload_successful", &[]) == want {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    };
    let unauthenticated = |path: &'static str| {
        let u = format!("http://{addr}{path}");
        tokio::task::spawn_blocking(move || status_of(&u, None))
    };
    assert_eq!(unauthenticated("/api/v1/ports").await.unwrap(), 401);
    for (case, text) in [
        ("truncated to 0 bytes", String::new()),
        (
            "basic_auth_users removed",
            "http_server_config:\n  headers:\n    X-Frame-Options: DENY\n".to_string(),
        ),
    ] {
        // A valid rewrite first (same users), so that the refusal is a change.
        std::fs::write(&path, format!("{users}# {case}\n")).unwrap();
        tokio::time::timeout(Duration::from_secs(30), reload_metric(1.0))
            .await
            .unwrap_or_else(|_| panic!("{case}: the valid rewrite was not put in force"));
        std::fs::write(&path, &text).unwrap();
        tokio::time::timeout(Duration::from_secs(30), reload_metric(0.0))
            .await
            .unwrap_or_else(|_| panic!("{case}: the re-read was not refused"));
        for p in ["/api/v1/ports", "/metrics", "/"] {
            assert_eq!(unauthenticated(p).await.unwrap(), 401, "{case}: {p}");
        }
    }
    let _ = stop.send(());
    let _ = handle.await;
}

/// Issue 30, 5: what an agent sends reaches the operator's terminal escaped: no ESC
/// sequence, no forged line ("FAKE: all good").
#[test]
fn remote_text_never_reaches_the_terminal_raw() {
    let forged = "\\u001b[2K\\rFAKE: all good\\n";
    let decision = decision_json(
        "erd-ams-1",
        false,
        "not_ready",
        &format!("\"oper_up: {forged}\""),
        &format!("{{\"check\":\"oper_up\",\"subject\":\"link1{forged}\",\"detail\":\"{forged}\"}}"),
    );
    let addr = fake_agent_answering("503 Service Unavailable", decision);
    let out = bin()
        .args(["gate", "erd-ams-1", "--url", &format!("http://{addr}")])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(75), "{err}");
    assert!(!err.contains('\u{1b}') && !err.contains('\r'), "{err:?}");
    assert!(err.lines().all(|l| !l.starts_with("FAKE")), "{err}");
    assert!(err.contains("\\u{1b}[2K\\rFAKE: all good\\n"), "{err}");

    let workflow = format!("{{\"port\":\"erd-ams-1\",\"steps\":[{{\"step\":\"x{forged}\",\"status\":\"done\",\"evidence\":[\"{forged}\"]}}],\"partner_circuits\":[]}}");
    let addr = fake_agent_answering("200 OK", workflow);
    let out = bin()
        .args(["workflow", "erd-ams-1", "--url", &format!("http://{addr}")])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(!text.contains('\u{1b}') && !text.contains('\r'), "{text:?}");
    assert!(text.lines().all(|l| !l.starts_with("FAKE")), "{text}");
}

/// Opens an event stream on `addr` (with `auth`, if any) and returns the socket once
/// the answer's headers arrived.
fn open_stream(addr: &str, auth: Option<&str>) -> TcpStream {
    let (s, head) =
        ask_for_stream(TcpStream::connect(addr).unwrap(), auth).expect("the stream's headers");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    s
}

/// Asks for port erd-ams-1's event stream on `s` (with `auth`, if any): the socket and
/// the answer's headers, once they arrived; None when the connection ended first.
fn ask_for_stream(mut s: TcpStream, auth: Option<&str>) -> Option<(TcpStream, String)> {
    let auth = auth
        .map(|a| format!("Authorization: {a}\r\n"))
        .unwrap_or_default();
    write!(
        s,
        "GET /api/v1/ports/erd-ams-1/events HTTP/1.1\r\nHost: x\r\n{auth}\r\n"
    )
    .ok()?;
    s.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
    let mut head = Vec::new();
    let mut b = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if s.read(&mut b).ok()? != 1 {
            return None;
        }
        head.push(b[0]);
    }
    Some((s, String::from_utf8_lossy(&head).into_owned()))
}

/// Whether the stream ends (the server closes it) before `within`; data keeps coming
/// meanwhile (an event a second on a 1 s poll).
fn stream_ends(s: &mut TcpStream, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    s.set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let mut buf = [0u8; 4096];
    while Instant::now() < deadline {
        match s.read(&mut buf) {
            Ok(0) => return true,
            // The last chunk of a chunked body: the stream ended.
            Ok(n) if buf[..n].ends_with(b"0\r\n\r\n") => return true,
            Ok(_) => {}
            Err(e)
                if e.kind() == std::io::ErrorKind::WouldBlock
                    || e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(_) => return true,
        }
    }
    false
}

/// Issue 30, 2: when the web config drops a user, that user's open event streams end;
/// another user's go on. Every stream also ends after its lifetime.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_users_event_stream_ends_and_every_stream_has_a_lifetime() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("web.yml");
    let alice_hash = bcrypt::hash("pw-a", 4).unwrap();
    let bob_hash = bcrypt::hash("pw-b", 4).unwrap();
    std::fs::write(
        &path,
        format!("basic_auth_users:\n  alice: {alice_hash}\n  bob: {bob_hash}\n"),
    )
    .unwrap();
    let web = WebConfig::load(&path).unwrap();
    let (addr, _agent, stop, handle) =
        agent_with(&pair("\"healthy\"", "1s", "1s"), web, Limits::default()).await;
    let (alice, bob) = (basic("alice", "pw-a"), basic("bob", "pw-b"));
    let (a2, p2) = (addr.clone(), path.clone());
    tokio::task::spawn_blocking(move || {
        let mut bobs = open_stream(&a2, Some(&bob));
        let mut alices = open_stream(&a2, Some(&alice));
        assert!(
            !stream_ends(&mut bobs, Duration::from_secs(2)),
            "bob's stream ended by itself"
        );
        // Bob is removed.
        std::fs::write(&p2, format!("basic_auth_users:\n  alice: {alice_hash}\n")).unwrap();
        assert!(
            stream_ends(&mut bobs, Duration::from_secs(60)),
            "bob's stream outlived his removal"
        );
        assert!(
            !stream_ends(&mut alices, Duration::from_secs(3)),
            "alice's stream ended too"
        );
    })
    .await
    .unwrap();
    let _ = stop.send(());
    let _ = handle.await;

    let (addr, _agent, stop, handle) = agent_with(
        &pair("\"healthy\"", "1s", "1s"),
        WebConfig::default(),
        Limits {
            stream_lifetime: Duration::from_secs(2),
            ..Limits::default()
        },
    )
    .await;
    tokio::task::spawn_blocking(move || {
        let mut s = open_stream(&addr, None);
        assert!(
            stream_ends(&mut s, Duration::from_secs(60)),
            "the stream outlived its lifetime"
        );
    })
    .await
    .unwrap();
    let _ = stop.send(());
    let _ = handle.await;
}

/// A connection to `addr` from the loopback address `from` (127.0.0.2, ...): another
/// client, as the server sees it.
fn connect_from(from: [u8; 4], addr: &str) -> std::io::Result<TcpStream> {
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)?;
    socket.bind(&std::net::SocketAddr::from((from, 0)).into())?;
    let to: std::net::SocketAddr = addr.parse().expect("a socket address");
    socket.connect_timeout(&to.into(), Duration::from_secs(10))?;
    Ok(socket.into())
}

/// The status of `GET path` sent from `from` with `auth`, on its own connection
/// (0 when the connection was closed without an answer).
fn get_from(from: [u8; 4], addr: &str, path: &str, auth: Option<&str>) -> u16 {
    let Ok(mut s) = connect_from(from, addr) else {
        return 0;
    };
    let auth = auth
        .map(|a| format!("Authorization: {a}\r\n"))
        .unwrap_or_default();
    if write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: x\r\n{auth}Connection: close\r\n\r\n"
    )
    .is_err()
    {
        return 0;
    }
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    answer
        .get(9..12)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0)
}

/// Issue 30, 12: a valid user never seen before gets through at once during a flood of
/// wrong passwords from another address; it does not queue behind them (429).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_valid_user_does_not_queue_behind_a_password_flood() {
    let users: String = (0..5)
        .map(|k| {
            format!(
                "  user{k}: {}\n",
                bcrypt::hash(format!("pw{k}"), 10).unwrap()
            )
        })
        .collect();
    let web =
        WebConfig::parse(&format!("basic_auth_users:\n{users}"), Path::new("web.yml")).unwrap();
    let (addr, agent, stop, handle) =
        agent_with(&pair("\"healthy\"", "1s", "1s"), web, Limits::default()).await;
    let flooding = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let refused = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let flooders: Vec<_> = (0..40)
        .map(|i| {
            let (a, on, refused) = (addr.clone(), flooding.clone(), refused.clone());
            std::thread::spawn(move || {
                while on.load(std::sync::atomic::Ordering::Relaxed) {
                    let user = if i % 2 == 0 { "user0" } else { "mallory" };
                    let status = get_from(
                        [127, 0, 0, 1],
                        &a,
                        "/-/healthy",
                        Some(&basic(user, "wrong")),
                    );
                    if status == 429 {
                        refused.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    let a = addr.clone();
    let (answers, flood_refused) = tokio::task::spawn_blocking(move || {
        // The flood fills the queue: some of its checks are turned away.
        let deadline = Instant::now() + Duration::from_secs(60);
        while refused.load(std::sync::atomic::Ordering::Relaxed) == 0 {
            assert!(
                Instant::now() < deadline,
                "the flood never filled the queue"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        let answers: Vec<u16> = (0..5)
            .map(|k| {
                get_from(
                    [127, 0, 0, 2],
                    &a,
                    "/-/healthy",
                    Some(&basic(&format!("user{k}"), &format!("pw{k}"))),
                )
            })
            .collect();
        (answers, refused.load(std::sync::atomic::Ordering::Relaxed))
    })
    .await
    .unwrap();
    flooding.store(false, std::sync::atomic::Ordering::Relaxed);
    for f in flooders {
        f.join().unwrap();
    }
    assert_eq!(
        answers,
        vec![200; 5],
        "new valid users during the flood ({flood_refused} flood checks turned away)"
    );
    drop(agent);
    let _ = stop.send(());
    handle.await.unwrap().unwrap();
}

/// The health of each scrape a real Prometheus made of `job` after `since`, once it
/// made `scrapes` of them (reading its targets API as scrapes happen).
fn scrapes_after(
    p: &common::prometheus::Prometheus,
    since: std::time::SystemTime,
    scrapes: usize,
) -> Vec<(String, String)> {
    let mut seen: Vec<(String, String, String)> = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    while seen.len() < scrapes {
        assert!(
            Instant::now() < deadline,
            "Prometheus made {} scrapes: {seen:?}",
            seen.len()
        );
        let body =
            common::prometheus::ureq_get(&format!("{}/api/v1/targets", p.url)).unwrap_or_default();
        let v: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
        for t in v["data"]["activeTargets"].as_array().into_iter().flatten() {
            let at = t["lastScrape"].as_str().unwrap_or_default().to_string();
            let Ok(when) = humantime::parse_rfc3339_weak(&at[..at.len().min(19)]) else {
                continue;
            };
            // lastScrape is UTC with a fraction; whole seconds after `since` suffice.
            if when <= since || seen.iter().any(|(s, _, _)| *s == at) {
                continue;
            }
            seen.push((
                at,
                t["health"].as_str().unwrap_or_default().to_string(),
                t["lastError"].as_str().unwrap_or_default().to_string(),
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    seen.into_iter().map(|(_, h, e)| (h, e)).collect()
}

/// Issue 30, 7: one client re-opening half-open connections as fast as it can (the
/// server cuts each after the header timeout) holds only its share of the slots: a real
/// Prometheus scraping from another address gets every scrape through.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_client_reopening_half_open_connections_cannot_keep_prometheus_out() {
    let limits = Limits {
        header_timeout: Duration::from_secs(3),
        ..Limits::for_connections(8)
    };
    let (addr, agent, stop, handle) = agent_with(
        &pair("\"healthy\"", "1s", "1s"),
        WebConfig::default(),
        limits,
    )
    .await;
    let attacking = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let opened = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let attacker = {
        let (a, on, opened) = (addr.clone(), attacking.clone(), opened.clone());
        std::thread::spawn(move || {
            let mut held = std::collections::VecDeque::new();
            while on.load(std::sync::atomic::Ordering::Relaxed) {
                if let Ok(s) = connect_from([127, 0, 0, 2], &a) {
                    held.push_back(s);
                    opened.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if held.len() > 64 {
                        held.pop_front();
                    }
                }
                std::thread::sleep(Duration::from_millis(5));
            }
        })
    };
    let a = addr.clone();
    let scrapes = tokio::task::spawn_blocking(move || {
        let deadline = Instant::now() + Duration::from_secs(60);
        while opened.load(std::sync::atomic::Ordering::Relaxed) < 32 {
            assert!(Instant::now() < deadline, "the attacker could not connect");
            std::thread::sleep(Duration::from_millis(20));
        }
        let prometheus = common::prometheus::Prometheus::start(&[("lightgate", a)]);
        scrapes_after(&prometheus, std::time::SystemTime::now(), 5)
    })
    .await
    .unwrap();
    attacking.store(false, std::sync::atomic::Ordering::Relaxed);
    attacker.join().unwrap();
    assert!(
        scrapes.iter().all(|(health, _)| health == "up"),
        "scrapes during the attack: {scrapes:?}"
    );
    let m = lightgate::exporter::metrics::render(agent.store(), lightgate::store::now());
    assert!(
        value(&m, "lightgate_http_connections_evicted_total", &[]) >= 1.0,
        "the attacker's connections never reached its share"
    );
    let _ = stop.send(());
    handle.await.unwrap().unwrap();
}

/// An event stream request from `from`: its socket and the answer's status line.
fn stream_from(from: [u8; 4], addr: &str) -> Option<(TcpStream, String)> {
    let (s, head) = ask_for_stream(connect_from(from, addr).ok()?, None)?;
    let status = head.lines().next()?.to_string();
    Some((s, status))
}

/// Issue 30, 7: event streams from many addresses (bring-up pages, or an attacker
/// posing as them) hold at most their share of the slots; scrapes by a real
/// Prometheus, health checks and gate calls still get through.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_event_streams_cannot_lock_out_scrapes_health_or_the_gate() {
    let limits = Limits {
        header_timeout: Duration::from_secs(60),
        ..Limits::for_connections(16)
    };
    let (addr, agent, stop, handle) = agent_with(
        &pair("\"healthy\"", "1s", "1s"),
        WebConfig::default(),
        limits,
    )
    .await;
    let a = addr.clone();
    let (streams, held) = tokio::task::spawn_blocking(move || {
        let mut held = Vec::new();
        let mut streams = 0;
        for k in 0..32u8 {
            for _ in 0..2 {
                if let Some((s, status)) = stream_from([127, 0, 0, 2 + k], &a) {
                    streams += usize::from(status.starts_with("HTTP/1.1 200"));
                    held.push(s);
                }
            }
        }
        (streams, held)
    })
    .await
    .unwrap();
    assert_eq!(streams, limits.max_event_streams, "streams opened");
    let a = addr.clone();
    let scrapes = tokio::task::spawn_blocking(move || {
        let prometheus = common::prometheus::Prometheus::start(&[("lightgate", a)]);
        scrapes_after(&prometheus, std::time::SystemTime::now(), 3)
    })
    .await
    .unwrap();
    assert!(
        scrapes.iter().all(|(health, _)| health == "up"),
        "scrapes with the streams open: {scrapes:?}"
    );
    let a = addr.clone();
    let health =
        tokio::task::spawn_blocking(move || status_of(&format!("http://{a}/-/healthy"), None))
            .await
            .unwrap();
    assert_eq!(health, 200);
    let (status, decision) = post_json(
        format!("http://{addr}/api/v1/ports/erd-ams-1/gate"),
        gate_body("alice"),
    )
    .await;
    assert_eq!(status, 200, "{decision}");
    let m = lightgate::exporter::metrics::render(agent.store(), lightgate::store::now());
    assert!(value(&m, "lightgate_http_event_streams", &[]) <= limits.max_event_streams as f64);
    drop(held);
    let _ = stop.send(());
    handle.await.unwrap().unwrap();
}
