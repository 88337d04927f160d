//! Console sessions against a scripted router on a TCP port (as a console server
//! serves it) and on a socat pseudo-terminal pair: login, paging, slow output, and the
//! faults that must end in a clear device-down reason, never a hang or a panic.

mod common;

use std::time::Duration;

use common::console::{fixture, pty, tcp, Fault, Router};
use common::TestAgent;
use lightgate::config::Secret;
use lightgate::domain::{OperStatus, OpticalPower};
use lightgate::source::serial::session::SessionSettings;
use lightgate::source::serial::transport::LineSettings;
use lightgate::source::serial::Dialect;
use lightgate::source::serial::{ConsoleTarget, SerialSettings};
use lightgate::source::SourceError;

const IF: &str = "HundredGigE0/0/1";

fn ios() -> Router {
    Router::new("edge-c.ams1#")
        .output(
            &format!("show interfaces {IF} transceiver detail"),
            &fixture("ios_transceiver_detail.txt"),
        )
        .output(
            &format!("show interfaces {IF}"),
            &fixture("ios_interface.txt"),
        )
}

fn settings(target: ConsoleTarget, dialect: Dialect, login: bool) -> SerialSettings {
    SerialSettings {
        target,
        session: SessionSettings {
            dialect,
            username: login.then(|| "monitor".to_string()),
            password: login.then(|| Secret::new("c0ns0le-pass")),
            enable_password: None,
            step_timeout: Duration::from_millis(1500),
            command_timeout: Duration::from_secs(3),
        },
    }
}

/// A poll with the whole of a generous budget.
fn poll_blocking(
    s: &SerialSettings,
    interfaces: &[String],
) -> Result<lightgate::source::PollResult, SourceError> {
    lightgate::source::serial::poll_blocking(
        s,
        interfaces,
        std::time::Instant::now() + Duration::from_secs(20),
    )
    .map(|(result, _)| result)
}

fn read(router: Router, login: bool) -> Result<lightgate::source::PollResult, SourceError> {
    let addr = tcp(router);
    poll_blocking(
        &settings(
            ConsoleTarget::Tcp(addr.addr.clone()),
            Dialect::CiscoIos,
            login,
        ),
        &[IF.to_string()],
    )
}

#[test]
fn an_ios_console_with_login_reads_lanes_thresholds_and_state() {
    let router = ios().login("Username: ", "monitor", "c0ns0le-pass");
    let heard = router.heard.clone();
    let r = read(router, true).unwrap();
    let reading = r[IF].as_ref().unwrap();
    assert_eq!(reading.oper_status, OperStatus::Up);
    let o = reading.optic.as_ref().unwrap();
    assert_eq!(o.lanes.len(), 4);
    assert_eq!(
        o.lanes[2].rx.dbm(),
        Some(-14.2),
        "lane 3 as printed is lane 2"
    );
    assert_eq!(o.rx_thresholds.low_alarm, Some(-16.0));
    assert_eq!(o.tx_thresholds.high_warning, Some(2.0));
    assert!((o.lanes[0].bias_amperes.unwrap() - 0.0451).abs() < 1e-12);
    // The router may still be reading our last line.
    let deadline = std::time::Instant::now() + Duration::from_secs(2);
    while heard.lock().unwrap().last().map(String::as_str) != Some("exit")
        && std::time::Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(20));
    }
    let heard = heard.lock().unwrap().clone();
    assert!(
        heard.iter().all(|l| l.is_empty()
            || l.starts_with("show ")
            || ["monitor", "c0ns0le-pass", "terminal length 0", "exit"].contains(&l.as_str())),
        "only read-only commands: {heard:?}"
    );
    assert_eq!(
        heard.last().map(String::as_str),
        Some("exit"),
        "logged out as it logged in"
    );
}

#[test]
fn paging_that_cannot_be_turned_off_is_paged_through() {
    let r = read(ios().fault(Fault::IgnoresPagingOff), false).unwrap();
    let o = r[IF].as_ref().unwrap().optic.clone().unwrap();
    let rx: Vec<Option<f64>> = o.lanes.iter().map(|l| l.rx.dbm()).collect();
    assert_eq!(rx, vec![Some(-2.4), Some(-2.6), Some(-14.2), Some(-2.5)]);
    assert_eq!(o.rx_thresholds.high_alarm, Some(5.5));
}

#[test]
fn slow_output_is_waited_for() {
    let r = read(ios().fault(Fault::Slow), false).unwrap();
    assert!(r[IF].as_ref().unwrap().optic.is_some());
}

#[test]
fn faults_end_in_a_clear_reason() {
    let wrong = read(ios().login("Username: ", "monitor", "another-pass"), true).unwrap_err();
    assert!(matches!(wrong, SourceError::Auth(_)), "{wrong:?}");
    assert!(
        wrong
            .to_string()
            .contains("rejected the username or password"),
        "{wrong}"
    );
    assert!(!wrong.to_string().contains("c0ns0le-pass"));

    let cut = read(ios().fault(Fault::DisconnectMidOutput), false).unwrap_err();
    assert!(
        matches!(cut, SourceError::Transport(_)) && cut.to_string().contains("disconnected"),
        "{cut:?}"
    );

    let silent = read(ios().fault(Fault::Silent), false).unwrap_err();
    assert!(
        matches!(silent, SourceError::Timeout(_))
            && silent.to_string().contains("printed nothing")
            && silent.to_string().contains("right port, speed and parity"),
        "{silent:?}"
    );

    // A wrong speed or parity: said as unreadable, printable, with the likely cause.
    let garbage = read(ios().fault(Fault::Garbage), false).unwrap_err();
    let text = garbage.to_string();
    assert!(matches!(garbage, SourceError::Console(_)), "{garbage:?}");
    assert!(
        text.contains("unreadable") && text.contains("speed, parity and data bits"),
        "{text}"
    );
    assert!(
        !text.contains("\\u{") && !text.chars().any(char::is_control),
        "{text}"
    );

    let router = ios().fault(Fault::ConfigMode);
    let heard = router.heard.clone();
    let config = read(router, false).unwrap_err();
    assert!(
        config.to_string().contains("configuration mode"),
        "{config:?}"
    );
    assert!(
        !heard
            .lock()
            .unwrap()
            .iter()
            .any(|l| l.starts_with("show ") || l.starts_with("terminal")),
        "a console in config mode is left alone"
    );

    let refused = poll_blocking(
        &settings(
            ConsoleTarget::Tcp("127.0.0.1:1".into()),
            Dialect::CiscoIos,
            false,
        ),
        &[IF.to_string()],
    )
    .unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("cannot connect to the console server 127.0.0.1:1"),
        "{refused}"
    );
}

#[test]
fn a_busy_console_is_reported_not_fought_over() {
    let addr = tcp(ios().fault(Fault::Slow));
    let s = settings(
        ConsoleTarget::Tcp(addr.addr.clone()),
        Dialect::CiscoIos,
        false,
    );
    let s2 = s.clone();
    let first = std::thread::spawn(move || poll_blocking(&s2, &[IF.to_string()]));
    std::thread::sleep(Duration::from_millis(200));
    let second = poll_blocking(&s, &[IF.to_string()]).unwrap_err();
    assert!(second.to_string().contains("is busy"), "{second}");
    assert!(first.join().unwrap().is_ok());
}

#[test]
fn a_junos_console_on_a_pseudo_terminal_with_login() {
    let router = Router::new("monitor@mx1.ams-re0>")
        .login("mx1.ams (ttyu0)\r\n\r\nlogin: ", "monitor", "c0ns0le-pass")
        .output(
            "show interfaces diagnostics optics et-0/0/2",
            &fixture("junos_optics.txt"),
        )
        .output("show interfaces et-0/0/2", &fixture("junos_terse.txt"));
    let p = pty(router);
    let line = LineSettings {
        baud: 9600,
        data_bits: 8,
        parity: 'n',
        stop_bits: 1,
        flow_control: "none",
    };
    let s = settings(
        ConsoleTarget::Device {
            path: p.device.to_str().unwrap().to_string(),
            line,
        },
        Dialect::Junos,
        true,
    );
    let r = poll_blocking(&s, &["et-0/0/2".to_string()]).unwrap();
    let reading = r["et-0/0/2"].as_ref().unwrap();
    assert_eq!(reading.oper_status, OperStatus::Down);
    let o = reading.optic.as_ref().unwrap();
    assert_eq!(o.lanes.len(), 4);
    assert_eq!(
        o.lanes[1].rx,
        OpticalPower::NoLight,
        "\"- Inf\" is no light"
    );
    assert_eq!(o.lanes[0].rx.dbm(), Some(-2.4));
    assert_eq!(o.rx_thresholds.low_alarm, Some(-16.0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_serial_device_shows_its_links_in_metrics_and_the_api() {
    let router = Router::new("edge-c#")
        .output(
            "show interfaces HundredGigE0/0/1 transceiver detail",
            &fixture("ios_transceiver_detail.txt"),
        )
        .output(
            "show interfaces HundredGigE0/0/1",
            &fixture("ios_interface.txt"),
        )
        .output(
            "show interfaces HundredGigE0/0/2 transceiver detail",
            &fixture("ios_transceiver_detail.txt")
                .replace("Hu0/0/1", "Hu0/0/2")
                .replace("-14.2   --", "-2.2     "),
        )
        .output(
            "show interfaces HundredGigE0/0/2",
            &fixture("ios_interface.txt").replace("0/0/1", "0/0/2"),
        );
    let addr = tcp(router);
    let config = format!(
        "[[device]]\nname = \"edge-c\"\nsource = \"serial\"\npoll_interval = \"1s\"\n[device.serial]\nurl = \"tcp://{addr}\"\ndialect = \"cisco-ios\"\nstep_timeout = \"2s\"\n\n[[port]]\nname = \"erd-ams-1\"\nhold_down = \"1s\"\nlink1 = {{ device = \"edge-c\", interface = \"HundredGigE0/0/2\", azure_admin_state = \"enabled\" }}\nlink2 = {{ device = \"edge-c\", interface = \"HundredGigE0/0/1\", azure_admin_state = \"enabled\" }}\n"
    );
    let t = TestAgent::start(&config).await;
    let (status, body) = t
        .wait_for(
            "/api/v1/ports/erd-ams-1",
            Duration::from_secs(15),
            |_, v| v["links"]["link1"]["ready"] == true,
        )
        .await;
    assert_eq!(status, 503, "{body:#}");
    let failing: Vec<String> = serde_json::from_value(body["failing"].clone()).unwrap();
    assert!(
        failing.contains(
            &"rx_power_in_range: link2 rx -14.20 dBm below -10.00 dBm (lane 2)".to_string()
        ),
        "{failing:#?}"
    );
    let m = t.metrics().await;
    assert_eq!(
        common::value(
            &m,
            "lightgate_optic_rx_power_dbm",
            &[("interface", "HundredGigE0/0/1"), ("lane", "0")]
        ),
        -2.4
    );
    assert_eq!(
        common::value(&m, "lightgate_device_up", &[("device", "edge-c")]),
        1.0
    );
    t.stop().await;
}

#[test]
fn lightgate_parse_reads_saved_output_as_a_table_or_json() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("capture.txt");
    std::fs::write(&file, format!("edge-c#show interfaces HundredGigE0/0/1\n{}\nedge-c#show interfaces Hu0/0/1 transceiver detail\n{}", fixture("ios_interface.txt"), fixture("ios_transceiver_detail.txt"))).unwrap();
    let bin = env!("CARGO_BIN_EXE_lightgate");
    let out = std::process::Command::new(bin)
        .args(["parse", "--dialect", "cisco-ios", "--json"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let hu = v
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["interface"] == "Hu0/0/1")
        .unwrap();
    assert_eq!(hu["lanes"][2]["rx_dbm"], -14.2);
    assert_eq!(hu["thresholds"]["rx"]["low_alarm"], -16.0);
    let out = std::process::Command::new(bin)
        .args(["parse", "--dialect", "cisco-ios"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(String::from_utf8(out.stdout).unwrap().contains("lane 2"));
    let out = std::process::Command::new(bin)
        .args(["parse", "--dialect", "vms"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(64));
    // Everything in it was read: --strict agrees.
    let strict = std::process::Command::new(bin)
        .args(["parse", "--dialect", "cisco-ios", "--strict"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(
        strict.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&strict.stdout)
    );
}

/// A line that looks like optical power but that no parser reads is listed under its
/// heading with its line number; `--strict` then exits 65, and a file with nothing
/// lightgate can read exits 69.
#[test]
fn lightgate_parse_lists_the_lines_it_could_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("capture.txt");
    std::fs::write(
        &file,
        format!(
            "{}\n  Rx power far end (remote) = -3.10 dBm\n",
            fixture("ios_transceiver_detail.txt")
        ),
    )
    .unwrap();
    let bin = env!("CARGO_BIN_EXE_lightgate");
    let run = |args: &[&str], f: &std::path::Path| {
        std::process::Command::new(bin)
            .args(["parse", "--dialect", "cisco-ios"])
            .args(args)
            .arg(f)
            .output()
            .unwrap()
    };
    let out = run(&[], &file);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines = fixture("ios_transceiver_detail.txt").lines().count() + 2;
    assert!(text.contains("Lines not read (1)"), "{text}");
    assert!(
        text.contains(&format!("{lines:>5}: ") as &str)
            && text.contains("Rx power far end (remote) = -3.10 dBm"),
        "{text}"
    );
    assert_eq!(run(&["--strict"], &file).status.code(), Some(65));
    // With --json the list goes to stderr and stdout stays JSON.
    let out = run(&["--json", "--strict"], &file);
    assert_eq!(out.status.code(), Some(65));
    serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("Lines not read (1)"));
    // Nothing understood at all.
    let junk = dir.path().join("junk.txt");
    std::fs::write(&junk, "% Invalid input detected at '^' marker.\nTx 3 dBm\n").unwrap();
    let out = run(&[], &junk);
    assert_eq!(out.status.code(), Some(69));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Lines not read (1)"));
}
