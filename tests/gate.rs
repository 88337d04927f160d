//! `lightgate gate` end to end: an agent in-process, the gate binary as a user or a
//! pipeline runs it, a command that leaves a file behind, and the audit trail.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use common::{pair, TestAgent};

fn with_audit(config: &str, audit: &Path) -> String {
    format!("audit_log = {:?}\n{config}", audit.display().to_string())
}

async fn gate(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_lightgate"))
            .arg("gate")
            .args(&args)
            .env("USER", "alice")
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

fn args(t: &TestAgent, extra: &[&str]) -> Vec<String> {
    let mut v = vec!["erd-ams-1".to_string(), "--url".to_string(), t.url("")];
    v.extend(extra.iter().map(|s| s.to_string()));
    v
}

fn audit_lines(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

struct Dir {
    _tmp: tempfile::TempDir,
    audit: PathBuf,
    marker: PathBuf,
}

fn dir() -> Dir {
    let tmp = tempfile::tempdir().unwrap();
    Dir {
        audit: tmp.path().join("state/audit.jsonl"),
        marker: tmp.path().join("ran"),
        _tmp: tmp,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ready_port_runs_the_command_after_recording_the_decision() {
    let d = dir();
    let t = TestAgent::start(&with_audit(
        &pair("\"healthy\"", "100ms", "500ms"),
        &d.audit,
    ))
    .await;
    t.wait_for(
        "/api/v1/ports/erd-ams-1",
        Duration::from_secs(10),
        |s, _| s == 200,
    )
    .await;
    // The command checks that its own decision is already on disk, then exits 7.
    let script = format!(
        "tail -n 1 {} | grep -q '\"ready\":true' && echo ran > {}; exit 7",
        d.audit.display(),
        d.marker.display()
    );
    let out = gate(args(&t, &["--", "sh", "-c", &script])).await;
    assert_eq!(
        out.status.code(),
        Some(7),
        "the gate exits with the command's code: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(&d.marker).unwrap(),
        "ran\n",
        "the decision was recorded before the command started"
    );
    let lines = audit_lines(&d.audit);
    assert_eq!(lines.len(), 1);
    let rec = &lines[0];
    assert_eq!(rec["port"], "erd-ams-1");
    assert_eq!(rec["action"], "create-circuit");
    assert_eq!(rec["verdict"], "ready");
    assert_eq!(rec["user"], "alice");
    assert!(!rec["host"].as_str().unwrap().is_empty());
    assert_eq!(rec["command"][0], "sh");
    assert_eq!(rec["checks"]["link2"].as_array().unwrap().len(), 7);
    assert!(rec["readings"]["link1"]["lanes"].as_array().unwrap().len() == 4);
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_port_that_is_not_ready_does_not_run_the_command_and_exits_75() {
    let d = dir();
    let t = TestAgent::start(&with_audit(
        &pair("\"dirty-connector\"", "100ms", "300ms"),
        &d.audit,
    ))
    .await;
    t.wait_for("/api/v1/ports/erd-ams-1", Duration::from_secs(5), |_, v| {
        v["links"]["link1"]["ready"] == true
    })
    .await;
    let out = gate(args(&t, &["--", "touch", d.marker.to_str().unwrap()])).await;
    assert_eq!(out.status.code(), Some(75));
    assert!(!d.marker.exists(), "the command must not run");
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("erd-ams-1 is NOT ready for create-circuit"),
        "{err}"
    );
    assert!(
        err.contains("link2: rx_power_in_range (receive light is out of range): link2 rx -1"),
        "{err}"
    );
    assert!(err.contains("Not running: touch"), "{err}");
    let lines = audit_lines(&d.audit);
    assert_eq!(lines[0]["verdict"], "not_ready");
    assert!(lines[0]["failing"][0].as_str().unwrap().contains("link2"));
    // Without a command: a check for pipelines, with machine output.
    let out = gate(args(&t, &["--json"])).await;
    assert_eq!(out.status.code(), Some(75));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ready"], false);
    assert_eq!(audit_lines(&d.audit).len(), 2, "every decision is recorded");
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_that_flapped_during_the_hold_down_is_not_ready() {
    let d = dir();
    let t = TestAgent::start(&with_audit(
        &pair(
            "{ scenario = \"flapping\", flap_period = \"300ms\" }",
            "50ms",
            "2s",
        ),
        &d.audit,
    ))
    .await;
    // Wait for a moment when link2 is up and all its other checks pass.
    let (_, body) = t
        .wait_for("/api/v1/ports/erd-ams-1", Duration::from_secs(5), |_, v| {
            v["links"]["link2"]["reading"]["oper_status"] == "up"
                && v["links"]["link2"]["checks"][2]["pass"] == true
        })
        .await;
    assert_eq!(body["links"]["link2"]["reading"]["oper_status"], "up");
    let out = gate(args(&t, &["--", "touch", d.marker.to_str().unwrap()])).await;
    assert_eq!(out.status.code(), Some(75));
    assert!(!d.marker.exists());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains(
            "stable (the link has not been stable for the hold-down): link2 stable for only"
        ),
        "{err}"
    );
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wait_keeps_asking_until_ready_then_runs() {
    let d = dir();
    let t = TestAgent::start(&with_audit(
        &pair("\"healthy\"", "100ms", "1500ms"),
        &d.audit,
    ))
    .await;
    let out = gate(args(
        &t,
        &[
            "--wait",
            "20s",
            "--interval",
            "200ms",
            "--",
            "touch",
            d.marker.to_str().unwrap(),
        ],
    ))
    .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(d.marker.exists());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("waiting for erd-ams-1"),
        "progress is shown: {err}"
    );
    let lines = audit_lines(&d.audit);
    assert_eq!(lines.last().unwrap()["verdict"], "ready");
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_ports_unreachable_agents_and_bad_actions_have_their_exit_codes() {
    let d = dir();
    let t = TestAgent::start(&with_audit(&pair("\"healthy\"", "1s", "1s"), &d.audit)).await;
    let mut a = args(&t, &["--", "touch", d.marker.to_str().unwrap()]);
    a[0] = "nope".into();
    let out = gate(a).await;
    assert_eq!(out.status.code(), Some(64));
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("no port named \"nope\""));
    let out = gate(args(&t, &["--action", "launch-rockets"])).await;
    assert_eq!(out.status.code(), Some(64));
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("unknown action \"launch-rockets\""));
    let free = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let out = gate(vec![
        "erd-ams-1".into(),
        "--url".into(),
        format!("http://{free}"),
        "--".into(),
        "touch".into(),
        d.marker.to_str().unwrap().into(),
    ])
    .await;
    assert_eq!(out.status.code(), Some(69));
    assert!(!d.marker.exists());
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_trail_survives_a_killed_gate_and_a_torn_last_line() {
    let d = dir();
    let t = TestAgent::start(&with_audit(
        &pair("\"healthy\"", "100ms", "300ms"),
        &d.audit,
    ))
    .await;
    t.wait_for(
        "/api/v1/ports/erd-ams-1",
        Duration::from_secs(10),
        |s, _| s == 200,
    )
    .await;
    // A gate whose command runs long, killed with SIGKILL right after it started.
    let mut child = Command::new(env!("CARGO_BIN_EXE_lightgate"))
        .args([
            "gate",
            "erd-ams-1",
            "--url",
            &t.url(""),
            "--",
            "sleep",
            "30",
        ])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while audit_lines(&d.audit).is_empty() {
        assert!(std::time::Instant::now() < deadline, "no decision recorded");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(audit_lines(&d.audit)[0]["command"][0], "sleep");

    // Power loss in the middle of the next write.
    use std::io::Write;
    std::fs::OpenOptions::new()
        .append(true)
        .open(&d.audit)
        .unwrap()
        .write_all(b"{\"decision_id\":\"17")
        .unwrap();
    // The agent keeps appending, on a fresh line.
    let out = gate(args(&t, &[])).await;
    assert_eq!(out.status.code(), Some(0));
    let audit = |extra: &[&str]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_lightgate"));
        c.arg("audit").args(extra);
        c.output().unwrap()
    };
    let out = audit(&["--file", d.audit.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        text.lines()
            .filter(|l| l.contains("erd-ams-1  create-circuit  ready  "))
            .count(),
        2,
        "{text}"
    );
    assert_eq!(
        text.lines()
            .filter(|l| l.contains("  ready  alice@"))
            .count(),
        1,
        "{text}"
    );
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("audit.jsonl:2: unreadable audit record (truncated or corrupt), skipped"),
        "{err}"
    );
    // The same through the agent, filtered by port.
    let url = t.url("");
    let out = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_lightgate"))
            .args(["audit", "--url", &url, "--port", "erd-ams-1", "--json"])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8(out.stdout).unwrap().lines().count(), 2);
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_decision_that_cannot_be_recorded_is_refused() {
    let d = dir();
    // The audit "file" is a directory: every append fails.
    std::fs::create_dir_all(&d.audit).unwrap();
    let t = TestAgent::start(&with_audit(
        &pair("\"healthy\"", "100ms", "500ms"),
        &d.audit,
    ))
    .await;
    t.wait_for(
        "/api/v1/ports/erd-ams-1",
        Duration::from_secs(10),
        |s, _| s == 200,
    )
    .await;
    let (status, body) = common::post_json(
        t.url("/api/v1/ports/erd-ams-1/gate"),
        serde_json::json!({"action": "create-circuit", "user": "alice"}),
    )
    .await;
    assert_eq!(status, 500, "{body:#}");
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("could not be recorded in the audit trail"),
        "{body:#}"
    );
    // The CLI does not run the command, although the port is ready.
    let out = gate(args(&t, &["--", "touch", d.marker.to_str().unwrap()])).await;
    assert_eq!(out.status.code(), Some(69), "{out:?}");
    assert!(
        !d.marker.exists(),
        "the command ran without a recorded decision"
    );
    t.stop().await;
}
