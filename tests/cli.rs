//! The built `lightgate` binary, run as a user would run it.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_lightgate"));
    c.env_remove("RUST_LOG");
    // The demo writes its audit trail in the working directory: not the checkout.
    c.current_dir(std::env::temp_dir());
    c
}

fn write_config(text: &str) -> tempfile::NamedTempFile {
    let f = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    std::fs::write(f.path(), text).unwrap();
    f
}

/// A running `lightgate run`, its address read from its "Listening." log line.
struct Running {
    child: Child,
    addr: String,
    lines: mpsc::Receiver<String>,
}

impl Running {
    fn start(args: &[&str]) -> Running {
        let mut all = vec!["--listen", "127.0.0.1:0"];
        all.extend_from_slice(args);
        Running::spawn(&all)
    }

    /// `lightgate run` with exactly these arguments.
    fn spawn(args: &[&str]) -> Running {
        let mut child = bin()
            .arg("run")
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, rx) = mpsc::channel();
        let stderr = child.stderr.take();
        // From here on, Drop kills the child whatever happens.
        let mut running = Running {
            child,
            addr: String::new(),
            lines: rx,
        };
        let stderr = stderr.expect("stderr is piped");
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let line = running
                .lines
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
                .expect("the agent should log its listen address");
            if let Some(rest) = line
                .split("address=")
                .nth(1)
                .or_else(|| line.split("\"address\":\"").nth(1))
            {
                running.addr = rest
                    .chars()
                    .take_while(|c| !c.is_whitespace() && *c != '"')
                    .collect();
                return running;
            }
        }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn status(&self, extra: &[&str]) -> std::process::Output {
        bin()
            .args(["status", "--url", &self.url()])
            .args(extra)
            .output()
            .unwrap()
    }

    /// SIGTERM, then the exit code and the rest of the log.
    fn terminate(mut self) -> (i32, Vec<String>) {
        let pid = self.child.id().to_string();
        // The shell's builtin kill: no procps needed.
        let sent = Command::new("sh")
            .args(["-c", &format!("kill -TERM {pid}")])
            .status()
            .unwrap();
        assert!(sent.success());
        let deadline = Instant::now() + Duration::from_secs(10);
        let code = loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                break s.code().unwrap_or(-1);
            }
            assert!(
                Instant::now() < deadline,
                "the agent did not stop on SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        let rest = self.lines.try_iter().collect();
        (code, rest)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn the_embedded_demo_is_ready_within_a_minute_and_stops_cleanly_on_sigterm() {
    let agent = Running::start(&[]);
    let deadline = Instant::now() + Duration::from_secs(60);
    let table = loop {
        let out = agent.status(&[]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let table = String::from_utf8(out.stdout).unwrap();
        if table.contains("PORT demo  READY") || Instant::now() > deadline {
            break table;
        }
        std::thread::sleep(Duration::from_millis(500));
    };
    assert!(
        table.contains("PORT demo  READY"),
        "not ready within a minute:\n{table}"
    );
    for expected in [
        "link1",
        "link2",
        "edge-a",
        "edge-b",
        "HundredGigE0/0/0",
        "lane 0",
        "lane 3",
        "enabled",
    ] {
        assert!(
            table.contains(expected),
            "{expected} missing from:\n{table}"
        );
    }
    let json = agent.status(&["--json"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["ready"], true);
    assert_eq!(v["ports"][0]["port"], "demo");
    let (code, log) = agent.terminate();
    assert_eq!(code, 0);
    assert!(
        log.iter().any(|l| l.contains("SIGTERM received")),
        "{log:#?}"
    );
}

#[test]
fn status_shows_failing_checks_and_json_logs_are_json() {
    let cfg = write_config(
        r#"
[[device]]
name = "edge-a"
source = "sim"
poll_interval = "200ms"
[device.sim]
interfaces = { "Hu0/0/0" = "healthy", "Hu0/0/1" = "dirty-connector" }

[[port]]
name = "erd-ams-1"
hold_down = "1s"
link1 = { device = "edge-a", interface = "Hu0/0/0", azure_admin_state = "enabled" }
link2 = { device = "edge-a", interface = "Hu0/0/1" }
"#,
    );
    let agent = Running::start(&[
        "--config",
        cfg.path().to_str().unwrap(),
        "--log-format",
        "json",
    ]);
    // Until both links were read (the unknown admin state and the low light named).
    let deadline = Instant::now() + Duration::from_secs(60);
    let table = loop {
        let out = agent.status(&[]);
        assert_eq!(out.status.code(), Some(0));
        let table = String::from_utf8(out.stdout).unwrap();
        if table.contains("rx_power_in_range: link2 rx -1") || Instant::now() > deadline {
            break table;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(table.contains("PORT erd-ams-1  NOT READY"), "{table}");
    assert!(table.contains("failing checks:"), "{table}");
    assert!(
        table.contains("azure_admin_enabled: link2 Azure admin state unknown"),
        "{table}"
    );
    assert!(table.contains("rx_power_in_range: link2 rx -1"), "{table}");
    let (code, log) = agent.terminate();
    assert_eq!(code, 0);
    for line in &log {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        assert!(v["fields"]["message"].is_string(), "{line}");
    }
}

#[test]
fn check_config_accepts_a_valid_file() {
    let cfg = write_config(lightgate::config::DEMO_TOML);
    let out = bin().arg("check-config").arg(cfg.path()).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8(out.stdout)
        .unwrap()
        .ends_with("valid (2 devices, 1 ports)\n"));
}

#[test]
fn check_config_prints_every_problem_with_its_line_and_column() {
    let cfg = write_config(
        r#"[[device]]
name = "edge-a"
source = "sim"
poll_interval = "10s"
[device.sim]
interfaces = { "Hu0" = "healthy" }

[[port]]
name = "p"
healthy_min_dbm = 0.0
healthy_max_dbm = -10.0
link1 = { device = "edge-a", interface = "Hu0" }
link2 = { device = "edge-x", interface = "Hu0" }
"#,
    );
    let out = bin().arg("check-config").arg(cfg.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(78));
    let err = String::from_utf8(out.stderr).unwrap();
    let path = cfg.path().display().to_string();
    assert!(
        err.contains(&format!(
            "{path}:10:19: port \"p\": inverted healthy window"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{path}:13:20: port \"p\" link2: unknown device \"edge-x\""
        )),
        "{err}"
    );
    assert!(err.contains("2 problems found"), "{err}");
}

#[test]
fn run_refuses_a_broken_config() {
    let cfg = write_config("listen = \"127.0.0.1:0\"\nbogus = 1\n");
    let out = bin()
        .arg("run")
        .arg("--config")
        .arg(cfg.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(78));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains(":2:1: unknown field `bogus`"), "{err}");
}

#[test]
fn status_says_when_the_agent_cannot_be_reached() {
    let free = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let out = bin()
        .args(["status", "--url", &format!("http://{free}")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(69));
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("cannot reach the lightgate agent"));
}

#[test]
fn bad_arguments_exit_64_and_help_exits_0() {
    let out = bin().arg("frobnicate").output().unwrap();
    assert_eq!(out.status.code(), Some(64));
    let out = bin()
        .args(["run", "--listen", "not-an-address", "--config", "/dev/null"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(64),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = bin().arg("--help").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8(out.stdout).unwrap();
    for cmd in ["run", "check-config", "status"] {
        assert!(help.contains(cmd), "{help}");
    }
}

const PLAN: &str = r#"[circuit]
name = "ckt-ams-1"
port_encapsulation = "Dot1Q"
premium = false

[[peering]]
type = "private"
vlan = 100
peer_asn = 65010
subnet = "192.168.100.128/29"
shared_key = "s3cr3tKey"
"#;

#[test]
fn peering_check_prints_addresses_and_exits_by_findings() {
    let run = |text: &str, extra: &[&str]| {
        let plan = write_config(text);
        let out = bin()
            .args(["peering", "check"])
            .arg(plan.path())
            .args(extra)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        (out.status.code(), stdout, stderr)
    };
    // Clean: 0, and the /29 split into two /30 with both ends of each.
    let (code, stdout, _) = run(PLAN, &[]);
    assert_eq!(code, Some(0), "{stdout}");
    assert!(
        stdout.contains("192.168.100.128/30")
            && stdout.contains("192.168.100.129")
            && stdout.contains("192.168.100.130"),
        "{stdout}"
    );
    assert!(
        stdout.contains("192.168.100.132/30")
            && stdout.contains("192.168.100.133")
            && stdout.contains("192.168.100.134"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("s3cr3tKey"),
        "the MD5 key is never printed"
    );
    // An error: 65 (EX_DATAERR), with the line of the offending key.
    let (code, stdout, stderr) = run(&PLAN.replace("vlan = 100", "vlan = 4095"), &[]);
    assert_eq!(code, Some(65), "{stdout}{stderr}");
    assert!(
        (stdout.clone() + &stderr).contains("(line 8, column 8)"),
        "{stdout}{stderr}"
    );
    // A warning only (a private ASN on Microsoft peering): 0, or 65 with --strict.
    let ms = "\n[[peering]]\ntype = \"microsoft\"\nvlan = 200\npeer_asn = 64512\nprimary_subnet = \"145.1.2.0/30\"\nsecondary_subnet = \"145.1.2.4/30\"\nadvertised_prefixes = [\"145.1.3.0/24\"]\n";
    let warned = format!("{PLAN}{ms}");
    let (code, stdout, stderr) = run(&warned, &[]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!((stdout + &stderr).contains("warning: peering 2: peer_asn 64512 is a private AS"));
    let (code, _, _) = run(&warned, &["--strict"]);
    assert_eq!(code, Some(65));
    // --json: the findings and addresses as data.
    let (code, stdout, _) = run(&warned, &["--json"]);
    assert_eq!(code, Some(0));
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["addresses"].as_array().unwrap().len(), 4, "{v:#}");
    assert!(!stdout.contains("s3cr3tKey"));
    // A broken plan: a located error, exit 65, no panic.
    let (code, stdout, stderr) = run("[circuit\nname = 1\n", &[]);
    assert_eq!(code, Some(65), "{stdout}{stderr}");
    assert!((stdout + &stderr).contains("line 1"), "located");
}

/// node_exporter's and snmp_exporter's flag names; the former names keep working (the
/// other tests use them).
#[test]
fn the_exporter_flag_names_work_and_the_agent_says_what_it_is() {
    let cfg = write_config(lightgate::config::DEMO_TOML);
    let agent = Running::spawn(&[
        "--web.listen-address",
        "127.0.0.1:0",
        "--config.file",
        cfg.path().to_str().unwrap(),
        "--log.format",
        "json",
        "--log.level",
        "info",
    ]);
    let get = |path: &str| -> (u16, String) {
        let url = format!("{}{path}", agent.url());
        match ureq::get(&url).call() {
            Ok(mut r) => (r.status().as_u16(), r.body_mut().read_to_string().unwrap()),
            Err(ureq::Error::StatusCode(code)) => (code, String::new()),
            Err(e) => panic!("{url}: {e}"),
        }
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    let ready = loop {
        let (code, body) = get("/-/ready");
        if code == 200 || Instant::now() > deadline {
            break (code, body);
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(ready, (200, "Ready.\n".to_string()));
    let (_, metrics) = get("/metrics");
    let info = metrics
        .lines()
        .find(|l| l.starts_with("lightgate_build_info{"))
        .unwrap_or_else(|| panic!("no lightgate_build_info:\n{metrics}"));
    assert!(
        info.contains(&format!("version=\"{}\"", env!("CARGO_PKG_VERSION")))
            && info.contains("revision=\"")
            && info.contains("rustc=\"1.")
            && info.ends_with(" 1"),
        "{info}"
    );
    for family in [
        "process_resident_memory_bytes",
        "process_cpu_seconds_total",
        "process_open_fds",
    ] {
        assert!(
            metrics.lines().any(|l| l.starts_with(family)),
            "no {family}"
        );
    }
    let (code, log) = agent.terminate();
    assert_eq!(code, 0);
    for line in &log {
        serde_json::from_str::<serde_json::Value>(line)
            .unwrap_or_else(|e| panic!("--log.format json: not JSON ({e}): {line}"));
    }
    let out = bin()
        .args(["check-config", "-c"])
        .arg(cfg.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "check-config -c");
}

#[test]
fn completions_and_the_man_page_are_printed() {
    for shell in ["bash", "zsh", "fish"] {
        let out = bin().args(["completions", shell]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("web.listen-address"), "{shell}: {text}");
    }
    let out = bin().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(64),
        "an unknown shell is a usage error"
    );
    let out = bin().arg("man").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8(out.stdout).unwrap().starts_with(".ie "));
}

/// One scheme for secrets on the command line: --NAME-env VAR or --NAME-file FILE, the
/// former names kept as aliases; errors name the flag, never the value.
#[test]
fn secret_flags_follow_one_scheme_and_the_old_names_still_work() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing");
    let run = |args: &[&str]| {
        let out = bin().args(args).output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let url = ["status", "--url", "http://127.0.0.1:9", "--username", "u"];
    for (flag, value, named) in [
        (
            "--basic-auth-password-file",
            missing.to_str().unwrap(),
            "--basic-auth-password-file:",
        ),
        (
            "--password-file",
            missing.to_str().unwrap(),
            "--basic-auth-password-file:",
        ),
        (
            "--basic-auth-password-env",
            "LIGHTGATE_TEST_UNSET",
            "--basic-auth-password-env:",
        ),
        (
            "--password-env",
            "LIGHTGATE_TEST_UNSET",
            "--basic-auth-password-env:",
        ),
    ] {
        let mut args = url.to_vec();
        args.extend([flag, value]);
        let (code, err) = run(&args);
        assert_eq!(code, Some(64), "{flag}: {err}");
        assert!(err.contains(named), "{flag}: {err}");
    }
    let secret = dir.path().join("auth");
    std::fs::write(&secret, "auth-pass-never-shown\n").unwrap();
    let probe = [
        "probe",
        "snmp",
        "--address",
        "127.0.0.1:9",
        "--snmp-version",
        "3",
        "--user",
        "u",
        "--security-level",
        "authPriv",
    ];
    for (flags, named) in [
        (
            vec!["--v3-auth-password-file", missing.to_str().unwrap()],
            "--v3-auth-password-file:",
        ),
        (
            vec!["--auth-password-env", "LIGHTGATE_TEST_UNSET"],
            "--v3-auth-password-env:",
        ),
        (
            vec![
                "--v3-auth-password-file",
                secret.to_str().unwrap(),
                "--v3-priv-password-env",
                "LIGHTGATE_TEST_UNSET",
            ],
            "--v3-priv-password-env:",
        ),
    ] {
        let mut args = probe.to_vec();
        args.extend(flags.iter().copied());
        let (code, err) = run(&args);
        assert_eq!(code, Some(64), "{flags:?}: {err}");
        assert!(err.contains(named), "{flags:?}: {err}");
        assert!(!err.contains("auth-pass-never-shown"), "{err}");
    }
}

/// `--web.max-connections`: the cap on open connections (each open bring-up page holds
/// one) is the operator's to set: at a cap of 2, two idle connections and a request
/// make room by closing an idle one (the default cap of 512 would close none).
#[test]
fn the_connection_cap_is_set_on_the_command_line() {
    let cfg = write_config(lightgate::config::DEMO_TOML);
    let agent = Running::spawn(&[
        "--web.listen-address",
        "127.0.0.1:0",
        "-c",
        cfg.path().to_str().unwrap(),
        "--web.max-connections",
        "2",
    ]);
    let held: Vec<std::net::TcpStream> = (0..2)
        .map(|_| std::net::TcpStream::connect(&agent.addr).unwrap())
        .collect();
    let deadline = Instant::now() + Duration::from_secs(20);
    let evicted = loop {
        let metrics = ureq::get(&format!("{}/metrics", agent.url()))
            .call()
            .ok()
            .and_then(|mut r| r.body_mut().read_to_string().ok())
            .unwrap_or_default();
        let evicted = metrics
            .lines()
            .find_map(|l| l.strip_prefix("lightgate_http_connections_evicted_total "))
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0);
        if evicted >= 1.0 || Instant::now() > deadline {
            break evicted;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(
        evicted >= 1.0,
        "no idle connection was closed at a cap of 2"
    );
    drop(held);
    let out = bin()
        .args(["run", "--web.max-connections", "0"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(64),
        "0 connections is a usage error"
    );
}

#[test]
fn a_report_piped_into_a_reader_that_went_away_ends_quietly() {
    use std::os::unix::process::ExitStatusExt;
    // `lightgate parse ... | head -1`: the reader is gone before the first write.
    let capture = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(
        capture.path(),
        "RP/0/RSP0/CPU0:r1#show controllers optics 0/0/0/1\n RX Power = -3.10 dBm\n",
    )
    .unwrap();
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = bin()
        .args(["parse", "--dialect", "cisco-iosxr"])
        .arg(capture.path())
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.is_empty(), "nothing printed: {stderr}");
    assert_eq!(
        out.status.signal(),
        Some(libc::SIGPIPE),
        "ended by the closed pipe, as cat would be: {:?}",
        out.status
    );
}

/// Issue 30, 10: `lightgate parse` refuses a huge file without reading it (a 1 GB line
/// aborted the process), a FIFO nobody writes to is empty input (it blocked forever),
/// and a pipe with a writer is read as usual.
#[test]
fn parse_refuses_a_huge_file_and_never_hangs_on_a_fifo() {
    let dir = tempfile::tempdir().unwrap();
    let huge = dir.path().join("huge.txt");
    // Sparse: its size is what counts, nothing is written.
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(1 << 30)
        .unwrap();
    let out = bin()
        .args(["parse", "--dialect", "cisco-ios"])
        .arg(&huge)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(64), "{err}");
    assert!(
        err.contains("1073741824 bytes, more than the 67108864"),
        "{err}"
    );

    let fifo = dir.path().join("fifo");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let out = bin()
        .args(["parse", "--dialect", "cisco-ios"])
        .arg(&fifo)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(69),
        "nothing found in empty input: {out:?}"
    );

    // Saved output through a pipe: `... | lightgate parse --dialect junos /dev/stdin`.
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/serial/junos_optics.txt"
    ))
    .unwrap();
    let mut child = bin()
        .args(["parse", "--dialect", "junos", "/dev/stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
}
