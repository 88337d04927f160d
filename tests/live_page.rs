//! The bring-up page: its event stream (order, one event per change, resume with
//! Last-Event-ID, slow and vanished clients) against an agent on loopback, and the
//! page itself in a real headless Chromium driven through WebDriver (chromedriver).

mod common;

use std::net::{Ipv4Addr, SocketAddr};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::snmpsim::free_udp_port;
use common::{require, TestAgent};
use fantoccini::{Client, ClientBuilder, Locator};
use lightgate::simulate::config_out::{lightgate_config, ConfigOptions, Monitor};
use lightgate::simulate::{parse_mix, Fleet, FleetSettings};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio_util::sync::CancellationToken;

/// One Server-Sent Event.
#[derive(Debug, Clone)]
struct Sse {
    id: Option<String>,
    event: String,
    data: String,
}

impl Sse {
    fn json(&self) -> Value {
        serde_json::from_str(&self.data).unwrap_or_else(|e| panic!("{e}: {}", self.data))
    }
}

/// A raw SSE client: the request is written by hand so that the test controls the
/// headers and can stop reading (a slow client) or vanish.
struct SseClient {
    lines: tokio::io::Lines<BufReader<TcpStream>>,
}

impl SseClient {
    async fn connect(addr: SocketAddr, path: &str, last_event_id: Option<&str>) -> SseClient {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let last = last_event_id
            .map(|id| format!("Last-Event-ID: {id}\r\n"))
            .unwrap_or_default();
        stream
            .write_all(
                format!(
                    "GET {path} HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n{last}\r\n"
                )
                .as_bytes(),
            )
            .await
            .unwrap();
        let mut lines = BufReader::new(stream).lines();
        let status = lines.next_line().await.unwrap().unwrap();
        assert!(status.contains(" 200 "), "{path}: {status}");
        // Headers, then the body: chunked, so chunk-size lines come between events.
        while let Some(l) = lines.next_line().await.unwrap() {
            if l.is_empty() {
                break;
            }
        }
        SseClient { lines }
    }

    /// The next event (keep-alive comments and chunk framing skipped).
    async fn next(&mut self, within: Duration) -> Option<Sse> {
        let deadline = tokio::time::Instant::now() + within;
        let mut ev = Sse {
            id: None,
            event: "message".into(),
            data: String::new(),
        };
        let mut started = false;
        loop {
            let line = tokio::time::timeout_at(deadline, self.lines.next_line())
                .await
                .ok()?
                .unwrap()?;
            if let Some(v) = line.strip_prefix("id: ") {
                ev.id = Some(v.to_string());
                started = true;
            } else if let Some(v) = line.strip_prefix("event: ") {
                ev.event = v.to_string();
                started = true;
            } else if let Some(v) = line.strip_prefix("data: ") {
                ev.data.push_str(v);
                started = true;
            } else if line.is_empty() && started {
                return Some(ev);
            }
        }
    }

    /// The next event of kind `port`.
    async fn next_port(&mut self, within: Duration) -> Option<Sse> {
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let e = self.next(left).await?;
            if e.event == "port" {
                return Some(e);
            }
        }
    }
}

fn seq(e: &Sse) -> u64 {
    e.id.as_deref()
        .and_then(|id| id.rsplit('-').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no id: {e:?}"))
}

/// What a port event says beyond the clock: both links' reading times and checks.
fn substance(v: &Value) -> String {
    let mut parts = vec![v["ready"].to_string()];
    for l in ["link1", "link2"] {
        let link = &v["links"][l];
        parts.push(link["read_at"].to_string());
        parts.push(link["last_error"].to_string());
        for c in link["checks"].as_array().unwrap() {
            parts.push(format!("{}={}", c["check"], c["pass"]));
        }
    }
    parts.join(" ")
}

fn settings(devices: usize, ports: usize) -> FleetSettings {
    FleetSettings {
        devices,
        ports,
        mix: parse_mix("healthy").unwrap(),
        first_address: Ipv4Addr::LOCALHOST,
        port: 0,
        one_address: true,
        control: Some("127.0.0.1:0".parse().unwrap()),
        ..FleetSettings::default()
    }
}

/// A simulated pair of routers sending traps to the returned address.
async fn fleet() -> (Arc<Fleet>, CancellationToken, SocketAddr) {
    let trap_port = free_udp_port();
    let trap_addr: SocketAddr = format!("127.0.0.1:{trap_port}").parse().unwrap();
    let mut s = settings(2, 2);
    s.trap_to = vec![trap_addr];
    let fleet = Arc::new(Fleet::bind(s).await.expect("the fleet binds"));
    let cancel = CancellationToken::new();
    tokio::spawn(fleet.clone().serve(cancel.clone()));
    (fleet, cancel, trap_addr)
}

/// A config for one port on the fleet's first two routers, polled every `poll`.
fn config(fleet: &Fleet, traps: SocketAddr, poll: &str, hold_down: &str) -> String {
    let options = ConfigOptions {
        listen: "127.0.0.1:0".into(),
        poll_interval: poll.into(),
        hold_down: hold_down.into(),
        monitor: Monitor::First(1),
        community: "public".into(),
        audit_log: std::env::temp_dir()
            .join(format!(
                "lightgate-live-test-{}-{}.jsonl",
                std::process::id(),
                traps.port()
            ))
            .display()
            .to_string(),
        traps: Some((traps, "public".to_string())),
        v3: None,
    };
    lightgate_config(&fleet.devices, &fleet.addresses(), &options)
}

/// A simulated pair of routers and an agent polling them every `poll`, with traps.
async fn fleet_and_agent(
    poll: &str,
    hold_down: &str,
) -> (Arc<Fleet>, CancellationToken, TestAgent) {
    let (fleet, cancel, traps) = fleet().await;
    let agent = TestAgent::start(&config(&fleet, traps, poll, hold_down)).await;
    (fleet, cancel, agent)
}

const PORT: &str = "erd-0001-0";
const EVENTS: &str = "/api/v1/ports/erd-0001-0/events";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_arrive_in_order_one_per_new_reading_and_none_for_the_clock_alone() {
    // Polls every second: every poll of either router is a new reading.
    let (fleet, cancel, agent) = fleet_and_agent("1s", "1h").await;
    let mut c = SseClient::connect(agent.addr, EVENTS, None).await;
    let clock = c.next(Duration::from_secs(5)).await.expect("a first event");
    assert_eq!(clock.event, "clock", "{clock:?}");
    let mut events = Vec::new();
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(4) {
        if let Some(e) = c.next_port(Duration::from_secs(2)).await {
            events.push(e);
        }
    }
    assert!(
        events.len() >= 4,
        "{} events in 4 s of 1 s polls",
        events.len()
    );
    for w in events.windows(2) {
        assert_eq!(seq(&w[1]), seq(&w[0]) + 1, "ids in order, none skipped");
        assert_ne!(
            substance(&w[0].json()),
            substance(&w[1].json()),
            "an event without a change"
        );
    }
    // Polls stopped being new: an agent that polls once an hour sends nothing more
    // after its first readings, although the hold-down and ages move every second.
    agent.stop().await;
    cancel.cancel();
    let (fleet, cancel, agent) = {
        drop(fleet);
        fleet_and_agent("1h", "1h").await
    };
    let (_, _) = agent
        .wait_for(
            &format!("/api/v1/ports/{PORT}"),
            Duration::from_secs(10),
            |_, v| {
                v["links"]["link1"]["read_at"].is_string()
                    && v["links"]["link2"]["read_at"].is_string()
            },
        )
        .await;
    let mut c = SseClient::connect(agent.addr, EVENTS, None).await;
    let mut first = Vec::new();
    while let Some(e) = c.next_port(Duration::from_millis(500)).await {
        first.push(e);
    }
    assert!(!first.is_empty());
    let quiet = c.next_port(Duration::from_secs(3)).await;
    assert!(quiet.is_none(), "an event with no new reading: {quiet:?}");
    agent.stop().await;
    cancel.cancel();
    drop(fleet);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reconnect_with_last_event_id_resumes_after_it() {
    let (fleet, cancel, agent) = fleet_and_agent("1s", "1h").await;
    let mut c = SseClient::connect(agent.addr, EVENTS, None).await;
    let mut seen = Vec::new();
    while seen.len() < 4 {
        seen.push(c.next_port(Duration::from_secs(5)).await.expect("events"));
    }
    drop(c);
    let resume_after = seen[1].id.clone().unwrap();
    let mut again = SseClient::connect(agent.addr, EVENTS, Some(&resume_after)).await;
    let clock = again.next(Duration::from_secs(5)).await.unwrap();
    assert_eq!(clock.event, "clock");
    assert!(
        clock.json().get("history").is_none(),
        "a resumed stream has its history already"
    );
    let replayed = again.next_port(Duration::from_secs(5)).await.unwrap();
    assert_eq!(
        replayed.id, seen[2].id,
        "resumes right after the last id seen"
    );
    assert_eq!(replayed.data, seen[2].data, "the same event");
    let next = again.next_port(Duration::from_secs(5)).await.unwrap();
    assert_eq!(next.id, seen[3].id);
    // An id of an earlier run of the agent is not ours: everything kept is sent, with
    // the sparklines' history: every lane of both links, in time order per lane. The
    // history holds one sample per poll of each link: wait (on the condition, not a
    // time) until each link has at least two, however busy the machine is.
    let lane0_samples = |history: &[serde_json::Value], link: &str| {
        history.iter().filter(|r| r[1] == link && r[2] == 0).count()
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let (mut fresh, history) = loop {
        let mut fresh = SseClient::connect(agent.addr, EVENTS, Some("1-2")).await;
        let clock = fresh.next(Duration::from_secs(5)).await.unwrap();
        let history = clock.json()["history"]
            .as_array()
            .cloned()
            .expect("history");
        if ["link1", "link2"]
            .iter()
            .all(|l| lane0_samples(&history, l) >= 2)
            || std::time::Instant::now() > deadline
        {
            break (fresh, history);
        }
        // Another poll's event, then ask again.
        let _ = fresh.next_port(Duration::from_secs(5)).await;
    };
    for link in ["link1", "link2"] {
        let lanes: std::collections::BTreeSet<u64> = history
            .iter()
            .filter(|r| r[1] == link)
            .map(|r| r[2].as_u64().unwrap())
            .collect();
        let expected = seen[3].json()["links"][link]["reading"]["lanes"]
            .as_array()
            .unwrap()
            .len() as u64;
        assert_eq!(lanes, (0..expected).collect(), "{link}: {history:?}");
        let times: Vec<u64> = history
            .iter()
            .filter(|r| r[1] == link && r[2] == 0)
            .map(|r| r[0].as_u64().unwrap())
            .collect();
        assert!(
            times.len() >= 2 && times.windows(2).all(|w| w[0] < w[1]),
            "{times:?}"
        );
    }
    let first = fresh.next_port(Duration::from_secs(5)).await.unwrap();
    assert_eq!(first.id, seen[0].id, "a foreign id replays the whole ring");
    agent.stop().await;
    cancel.cancel();
    drop(fleet);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_client_holds_nobody_back_and_a_vanished_one_is_forgotten() {
    let (fleet, cancel, agent) = fleet_and_agent("1s", "1h").await;
    // A client that subscribes and then never reads.
    let stalled = {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.set_recv_buffer_size(1024).unwrap();
        let mut s = socket.connect(agent.addr).await.unwrap();
        s.write_all(format!("GET {EVENTS} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes())
            .await
            .unwrap();
        s
    };
    let mut live = SseClient::connect(agent.addr, EVENTS, None).await;
    for _ in 0..4 {
        live.next_port(Duration::from_secs(3))
            .await
            .expect("the reading client keeps getting events");
    }
    let (status, _) = agent.get("/api/v1/ports").await;
    assert!(status == 200 || status == 503);
    let streams = |m: &str| common::value(m, "lightgate_http_event_streams", &[]);
    assert_eq!(streams(&agent.metrics().await), 2.0);
    drop(stalled);
    drop(live);
    let deadline = Instant::now() + Duration::from_secs(5);
    while streams(&agent.metrics().await) != 0.0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        streams(&agent.metrics().await),
        0.0,
        "the closed streams are forgotten"
    );
    agent.stop().await;
    cancel.cancel();
    drop(fleet);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_open_stream_does_not_hold_the_shutdown() {
    let (fleet, cancel, agent) = fleet_and_agent("1s", "1h").await;
    let mut c = SseClient::connect(agent.addr, EVENTS, None).await;
    c.next_port(Duration::from_secs(5)).await.unwrap();
    let started = Instant::now();
    agent.stop().await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the shutdown waited {:?} for an event stream",
        started.elapsed()
    );
    cancel.cancel();
    drop(fleet);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_port_has_no_stream() {
    let (fleet, cancel, agent) = fleet_and_agent("1h", "1h").await;
    let (status, body) = agent.get("/api/v1/ports/nope/events").await;
    assert_eq!(status, 404, "{body}");
    let (status, body) = agent.get("/ports/%3Cb%3Enope").await;
    assert_eq!(status, 404);
    assert!(body.contains("&lt;b&gt;nope"), "{body}");
    agent.stop().await;
    cancel.cancel();
    drop(fleet);
}

/// Both pages pass HTML Tidy with neither errors nor warnings.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pages_are_valid_html() {
    require("tidy", "tidy");
    // A declared peering (with markup in its circuit name), so the port page has its
    // peerings section with a sessions table.
    let (fleet, cancel, traps) = fleet().await;
    let agent = TestAgent::start(&format!(
        "{}\n[[port.peering]]\ncircuit = \"ckt<b>1</b>\"\ntype = \"private\"\nprimary_subnet = \"192.168.100.128/30\"\nsecondary_subnet = \"192.168.100.132/30\"\n",
        config(&fleet, traps, "1s", "1h")
    ))
    .await;
    agent
        .wait_for(
            &format!("/api/v1/ports/{PORT}"),
            Duration::from_secs(10),
            |_, v| v["links"]["link2"]["reading"].is_object(),
        )
        .await;
    // A decision in the trail, with markup in its user field.
    let (status, _) = common::post_json(
        agent.url(&format!("/api/v1/ports/{PORT}/gate")),
        json!({"action": "create-circuit", "user": "<i>eve</i>", "host": "colo&1"}),
    )
    .await;
    assert!(status == 200 || status == 503);
    for path in ["/".to_string(), format!("/ports/{PORT}")] {
        let (status, html) = agent.get(&path).await;
        assert_eq!(status, 200);
        let out = tokio::task::spawn_blocking(move || {
            let mut child = Command::new("tidy")
                .args(["-q", "-e", "--show-warnings", "yes"])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            use std::io::Write;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(html.as_bytes())
                .unwrap();
            child.wait_with_output().unwrap()
        })
        .await
        .unwrap();
        assert!(
            out.status.success(),
            "tidy on {path}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let (_, page) = agent.get(&format!("/ports/{PORT}")).await;
    assert!(page.contains("&lt;i&gt;eve&lt;/i&gt;@colo&amp;1"), "{page}");
    assert!(!page.contains("<i>eve"));
    assert!(
        page.contains("data-peering=\"ckt&lt;b&gt;1&lt;/b&gt;/AzurePrivatePeering\""),
        "{page}"
    );
    assert!(
        page.contains("<td>192.168.100.134 <small>ipv4/unicast</small></td>"),
        "{page}"
    );
    assert!(!page.contains("ckt<b>1"));
    agent.stop().await;
    cancel.cancel();
    drop(fleet);
}

/// One browser at a time: three Chromiums at once on a two-core CI machine would make
/// the 2-second assertions about the machine, not about lightgate.
static ONE_BROWSER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// chromedriver on a free port, stopped when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn chromedriver() -> Driver {
    require("chromium", "chromium");
    require("chromedriver", "chromium-driver");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let status = format!("{url}/status");
        let body = tokio::task::spawn_blocking(move || common::prometheus::ureq_get(&status))
            .await
            .unwrap();
        if body.is_some_and(|b| b.contains("\"ready\":true")) {
            break;
        }
        assert!(Instant::now() < deadline, "chromedriver did not get ready");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Driver { child, url }
}

async fn browser(driver: &Driver) -> Client {
    let caps = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                     "--disable-dev-shm-usage", "--window-size=1280,1100"]
        },
        "goog:loggingPrefs": {"browser": "ALL"}
    });
    let serde_json::Value::Object(caps) = caps else {
        unreachable!()
    };
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("a Chromium session")
}

/// The page's text of `selector`, or "" while it is not there.
async fn text(c: &Client, selector: &str) -> String {
    match c.find(Locator::Css(selector)).await {
        Ok(e) => e.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// Waits until `selector`'s text satisfies `pred`; the time it took, or a failure.
async fn wait_text(
    c: &Client,
    selector: &str,
    within: Duration,
    pred: impl Fn(&str) -> bool,
) -> Result<Duration, String> {
    let started = Instant::now();
    loop {
        let t = text(c, selector).await;
        if pred(&t) {
            return Ok(started.elapsed());
        }
        if started.elapsed() > within {
            return Err(t);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Console messages Chromium logged at SEVERE (errors), through chromedriver's log API.
async fn console_errors(c: &Client, driver: &Driver) -> Vec<Value> {
    let id = c.session_id().await.unwrap().unwrap();
    let (_, log) = common::post_json(
        format!("{}/session/{id}/se/log", driver.url),
        json!({"type": "browser"}),
    )
    .await;
    log["value"]
        .as_array()
        .unwrap_or_else(|| panic!("no browser log: {log}"))
        .iter()
        .filter(|e| e["level"] == "SEVERE")
        .cloned()
        .collect()
}

async fn polls(agent: &TestAgent) -> u64 {
    let (_, d) = agent.json("/api/v1/devices").await;
    d["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["polls"].as_u64().unwrap())
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_port_page_goes_live_in_chromium() {
    let _one = ONE_BROWSER.lock().await;
    let driver = chromedriver().await;
    // Polled once an hour: the page can only move by the clock (hold-down), a trap or
    // the poll-now button.
    let (fleet, cancel, agent) = fleet_and_agent("1h", "6s").await;
    let c = browser(&driver).await;
    c.goto(&agent.url(&format!("/ports/{PORT}"))).await.unwrap();
    c.execute("window.loadedOnce = 42; return null;", vec![])
        .await
        .unwrap();
    // Not ready at first (the hold-down runs), then ready without a reload.
    let first = text(&c, "#verdict").await;
    assert!(first.contains("NOT READY"), "{first}");
    let took = wait_text(&c, "#verdict", Duration::from_secs(15), |t| {
        t.contains("READY") && !t.contains("NOT")
    })
    .await
    .unwrap_or_else(|t| panic!("the port never turned READY on the page: {t}"));
    let marker = c
        .execute("return window.loadedOnce;", vec![])
        .await
        .unwrap();
    assert_eq!(marker, json!(42), "the page was reloaded");
    assert!(took < Duration::from_secs(12), "READY after {took:?}");
    // Every lane of both links is drawn with its value in dBm and mW.
    let (_, api) = agent.json(&format!("/api/v1/ports/{PORT}")).await;
    for link in ["link1", "link2"] {
        let lanes = api["links"][link]["reading"]["lanes"]
            .as_array()
            .unwrap()
            .len()
            .max(1);
        let rows = c
            .find_all(Locator::Css(&format!("#{link} .lane-row")))
            .await
            .unwrap();
        assert_eq!(rows.len(), lanes, "{link}");
        let t = text(&c, &format!("#{link} .lanes-live")).await;
        assert!(t.contains("dBm") && t.contains("mW"), "{t}");
        let bars = c
            .find_all(Locator::Css(&format!("#{link} svg.bar")))
            .await
            .unwrap();
        assert_eq!(bars.len(), 2 * lanes, "{link}: an Rx and a Tx bar per lane");
    }
    let countdown = text(&c, "#link2 .countdown").await;
    assert!(countdown.contains("complete"), "{countdown}");

    // link2 goes dark: the trap makes the agent poll, the page follows within 2 s.
    let iface = fleet.devices[1].ports[0].name.clone();
    let forced = fleet.force("sim-0002", &iface, true).await.unwrap();
    assert!(forced.trap_sent);
    let took = wait_text(&c, "#verdict", Duration::from_secs(5), |t| {
        t.contains("NOT READY")
    })
    .await
    .unwrap_or_else(|t| panic!("the badge stayed {t}"));
    assert!(
        took < Duration::from_secs(2),
        "NOT READY shown after {took:?}"
    );
    let rx = text(&c, "#link2 li[data-check=rx_power_in_range]").await;
    assert!(rx.contains("FAIL"), "the rx check's reason: {rx}");
    let reason = text(&c, "#reason").await;
    assert!(!reason.is_empty());
    let lanes = text(&c, "#link2 .reading").await;
    assert!(
        lanes.contains("NO LIGHT"),
        "dark is a state, not a bar: {lanes}"
    );
    let dark_lanes = api["links"]["link2"]["reading"]["lanes"]
        .as_array()
        .unwrap()
        .len();
    let bars = c.find_all(Locator::Css("#link2 svg.bar")).await.unwrap();
    assert_eq!(
        lanes.matches("NO LIGHT").count() + bars.len(),
        2 * dark_lanes,
        "each direction is a bar or a state, and a dark one has no bar"
    );
    let shot = c.screenshot().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("port-page.png");
    std::fs::write(&png, &shot).unwrap();
    assert!(
        shot.starts_with(b"\x89PNG") && shot.len() > 10_000,
        "{}",
        png.display()
    );
    if let Ok(to) = std::env::var("LIGHTGATE_SCREENSHOT") {
        std::fs::write(to, &shot).unwrap();
    }

    // Poll now: the button polls both routers at once (polling is hourly otherwise).
    let before = polls(&agent).await;
    c.find(Locator::Id("poll"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let took = wait_text(&c, "#poll-result", Duration::from_secs(5), |t| {
        t.contains("new readings")
    })
    .await
    .unwrap_or_else(|t| panic!("poll now: {t}"));
    assert!(took < Duration::from_secs(2), "poll now took {took:?}");
    assert!(polls(&agent).await >= before + 2);

    // A phone held upright: nothing wider than the screen.
    c.set_window_size(390, 844).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let overflow = c
        .execute(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(overflow, json!(0), "the page scrolls sideways on a phone");

    let errors = console_errors(&c, &driver).await;
    assert!(errors.is_empty(), "console errors: {errors:#?}");
    c.close().await.unwrap();
    agent.stop().await;
    cancel.cancel();
    drop(fleet);
}

/// The embedded demo (`lightgate run`), as a user first sees it: the list turns the
/// demo port READY within its 20 s hold-down, without a reload.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_port_turns_ready_on_the_port_list_in_chromium() {
    let _one = ONE_BROWSER.lock().await;
    let driver = chromedriver().await;
    let dir = tempfile::tempdir().unwrap();
    let demo = lightgate::config::DEMO_TOML.replace(
        "lightgate-demo-audit.jsonl",
        &dir.path().join("audit.jsonl").display().to_string(),
    );
    let agent = TestAgent::start(&demo).await;
    let started = Instant::now();
    let c = browser(&driver).await;
    c.goto(&agent.url("/")).await.unwrap();
    c.execute("window.loadedOnce = 7; return null;", vec![])
        .await
        .unwrap();
    let row = "tr[data-port=\"demo\"] .verdict";
    let first = text(&c, row).await;
    assert!(first.contains("NOT READY"), "{first}");
    wait_text(&c, row, Duration::from_secs(35), |t| {
        t.contains("READY") && !t.contains("NOT")
    })
    .await
    .unwrap_or_else(|t| panic!("the list never showed READY: {t}"));
    let took = started.elapsed();
    assert!(
        took >= Duration::from_secs(20) && took < Duration::from_secs(30),
        "READY after {took:?}, with a 20 s hold-down and 2 s polls"
    );
    let marker = c
        .execute("return window.loadedOnce;", vec![])
        .await
        .unwrap();
    assert_eq!(marker, json!(7), "the page was reloaded");
    c.find(Locator::Css("tr[data-port=\"demo\"] a"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(&c, "h1", Duration::from_secs(5), |t| t == "demo")
        .await
        .unwrap();
    wait_text(&c, "#verdict", Duration::from_secs(5), |t| {
        t.contains("READY") && !t.contains("NOT")
    })
    .await
    .unwrap();
    let errors = console_errors(&c, &driver).await;
    assert!(errors.is_empty(), "console errors: {errors:#?}");
    c.close().await.unwrap();
    agent.stop().await;
}

/// The page behind TLS and basic auth: the script, the stylesheet, the event stream and
/// Poll now all go through with the credentials the browser was given once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_port_page_works_behind_tls_and_basic_auth() {
    use rcgen::{CertificateParams, KeyPair};
    let _one = ONE_BROWSER.lock().await;
    let driver = chromedriver().await;
    let (fleet, cancel, traps) = fleet().await;
    let toml = config(&fleet, traps, "1h", "3s");
    let dir = tempfile::tempdir().unwrap();
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["127.0.0.1".to_string()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    std::fs::write(dir.path().join("server.pem"), cert.pem()).unwrap();
    std::fs::write(dir.path().join("server.key"), key.serialize_pem()).unwrap();
    let hash = bcrypt::hash("colo-floor", 4).unwrap();
    let web_path = dir.path().join("web.yml");
    let web = lightgate::exporter::web::WebConfig::parse(
        &format!(
            "tls_server_config:\n  cert_file: {}\n  key_file: {}\nbasic_auth_users:\n  alice: {hash}\n",
            dir.path().join("server.pem").display(),
            dir.path().join("server.key").display()
        ),
        &web_path,
    )
    .unwrap();
    let config = lightgate::config::Config::parse(&toml, "test config").unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let agent = lightgate::agent::Agent::start(config);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = tokio::spawn(agent.clone().serve_with(listener, web, async move {
        let _ = stopped.await;
    }));

    let caps = json!({
        "browserName": "chrome",
        "acceptInsecureCerts": true,
        "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
        },
        "goog:loggingPrefs": {"browser": "ALL"}
    });
    let Value::Object(caps) = caps else {
        unreachable!()
    };
    let c = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("a Chromium session");
    c.goto(&format!("https://alice:colo-floor@{addr}/ports/{PORT}"))
        .await
        .unwrap();
    wait_text(&c, "#conn", Duration::from_secs(10), |t| t.contains("live"))
        .await
        .unwrap_or_else(|t| panic!("the event stream did not connect: {t}"));
    wait_text(&c, "#verdict", Duration::from_secs(15), |t| {
        t.contains("READY") && !t.contains("NOT")
    })
    .await
    .unwrap_or_else(|t| panic!("never READY behind TLS and auth: {t}"));
    let bars = c.find_all(Locator::Css("svg.bar")).await.unwrap();
    assert!(!bars.is_empty(), "the script ran and drew the bars");
    c.find(Locator::Id("poll"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(&c, "#poll-result", Duration::from_secs(5), |t| {
        t.contains("new readings")
    })
    .await
    .unwrap_or_else(|t| panic!("poll now behind auth: {t}"));
    let errors = console_errors(&c, &driver).await;
    assert!(errors.is_empty(), "console errors: {errors:#?}");
    c.close().await.unwrap();
    let _ = stop.send(());
    served.await.unwrap().unwrap();
    cancel.cancel();
    drop(fleet);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gate_decision_reaches_the_open_page_as_an_event() {
    let (fleet, cancel, agent) = fleet_and_agent("1h", "1h").await;
    let mut c = SseClient::connect(agent.addr, EVENTS, None).await;
    c.next_port(Duration::from_secs(5)).await.unwrap();
    let (status, decision) = common::post_json(
        agent.url(&format!("/api/v1/ports/{PORT}/gate")),
        json!({"action": "create-circuit", "user": "alice", "host": "colo-laptop"}),
    )
    .await;
    assert_eq!(status, 503, "{decision}");
    let deadline = Instant::now() + Duration::from_secs(3);
    let event = loop {
        let e = c
            .next(deadline.saturating_duration_since(Instant::now()))
            .await
            .expect("a decision event");
        if e.event == "decision" {
            break e;
        }
    };
    let d = event.json();
    assert_eq!(d["decision_id"], decision["decision_id"]);
    assert_eq!(d["verdict"], "not_ready");
    assert_eq!(d["user"], "alice");
    assert!(
        d["reason"]
            .as_str()
            .is_some_and(|r| decision["failing"][0] == r),
        "the first failing check: {d}"
    );
    agent.stop().await;
    cancel.cancel();
    drop(fleet);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_port_page_shows_the_peerings_sessions_live_in_chromium() {
    let _one = ONE_BROWSER.lock().await;
    let driver = chromedriver().await;
    // Routers with BGP sessions to Microsoft; a declared peering; hourly polls.
    let trap_addr: SocketAddr = format!("127.0.0.1:{}", free_udp_port()).parse().unwrap();
    let mut s = settings(2, 2);
    s.trap_to = vec![trap_addr];
    s.bgp_peers = vec![
        lightgate::simulate::bgp::SimPeer::parse("192.168.100.130").unwrap(),
        lightgate::simulate::bgp::SimPeer::parse("192.168.100.134").unwrap(),
    ];
    let fleet = Arc::new(Fleet::bind(s).await.expect("the fleet binds"));
    let cancel = CancellationToken::new();
    tokio::spawn(fleet.clone().serve(cancel.clone()));
    let agent = TestAgent::start(&format!(
        "{}\n[[port.peering]]\ncircuit = \"ckt-web\"\ntype = \"private\"\nprimary_subnet = \"192.168.100.128/30\"\nsecondary_subnet = \"192.168.100.132/30\"\nadvertised_prefix_count = 5\n",
        config(&fleet, trap_addr, "1h", "1s")
    ))
    .await;
    let c = browser(&driver).await;
    c.goto(&agent.url(&format!("/ports/{PORT}"))).await.unwrap();
    let peering = "#peerings .peering h3";
    wait_text(&c, peering, Duration::from_secs(10), |t| {
        t.contains("ckt-web") && t.contains("READY") && !t.contains("NOT")
    })
    .await
    .unwrap_or_else(|t| panic!("the peering never showed READY: {t}"));
    let rows = c
        .find_all(Locator::Css("#peerings .peering tbody tr"))
        .await
        .unwrap();
    assert_eq!(rows.len(), 2, "one row per session");
    // link2's session drops: its trap reaches the page within 2 s, row and badge.
    let changed = fleet
        .set_bgp(&lightgate::simulate::BgpRequest {
            device: "sim-0002".into(),
            neighbor: "192.168.100.134".into(),
            state: Some("active".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(changed.trap_sent);
    let took = wait_text(&c, peering, Duration::from_secs(5), |t| {
        t.contains("NOT READY")
    })
    .await
    .unwrap_or_else(|t| panic!("the peering stayed {t}"));
    assert!(took < Duration::from_secs(2), "NOT READY after {took:?}");
    let table = text(&c, "#peerings .peering tbody").await;
    assert!(table.contains("active"), "{table}");
    let check = text(&c, "#peerings li[data-check=bgp_established]").await;
    assert!(
        check.contains("FAIL") && check.contains("192.168.100.134: active (not established)"),
        "{check}"
    );
    let errors = console_errors(&c, &driver).await;
    assert!(errors.is_empty(), "console errors: {errors:#?}");
    c.close().await.unwrap();
    agent.stop().await;
    cancel.cancel();
}

/// A page whose event stream is refused (503: the streams hold their share) says the
/// connection is lost and opens a new stream once a slot is free; it does not stay dead
/// as a browser's EventSource does after a refusal.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_refused_a_stream_retries_until_a_slot_frees() {
    let _one = ONE_BROWSER.lock().await;
    let driver = chromedriver().await;
    let config =
        lightgate::config::Config::parse(&common::pair("\"healthy\"", "1s", "1s"), "test").unwrap();
    let agent = lightgate::agent::Agent::start(config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let limits = lightgate::exporter::server::Limits {
        max_event_streams: 1,
        event_streams_per_client: 1,
        ..Default::default()
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(agent.clone().serve_with_limits(
        listener,
        lightgate::exporter::web::WebConfig::default(),
        limits,
        async move {
            let _ = stopped.await;
        },
    ));
    let events = "/api/v1/ports/erd-ams-1/events";
    let held = SseClient::connect(addr, events, None).await;
    let c = browser(&driver).await;
    c.goto(&format!("http://{addr}/ports/erd-ams-1"))
        .await
        .unwrap();
    wait_text(&c, "#conn", Duration::from_secs(30), |t| {
        t.contains("connection lost")
    })
    .await
    .expect("the refused page says its connection is lost");
    drop(held);
    wait_text(&c, "#conn", Duration::from_secs(60), |t| t.contains("live"))
        .await
        .expect("the page went live once a slot was free");
    c.close().await.unwrap();
    let _ = stop.send(());
    server.await.unwrap().unwrap();
}
