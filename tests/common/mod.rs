//! Test harness: an agent running in-process on 127.0.0.1:0, and a blocking HTTP
//! client run off the async workers.

#![allow(dead_code)]

pub mod console;
pub mod fake_azure;
pub mod prometheus;
pub mod snmpsim;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use lightgate::agent::Agent;
use lightgate::config::Config;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub struct TestAgent {
    pub addr: SocketAddr,
    pub agent: Arc<Agent>,
    stop: Option<oneshot::Sender<()>>,
    handle: Option<JoinHandle<std::io::Result<()>>>,
}

impl TestAgent {
    /// Starts an agent for `toml` on a free loopback port.
    pub async fn start(toml: &str) -> TestAgent {
        let config =
            Config::parse(toml, "test config").unwrap_or_else(|e| panic!("{}", e.report()));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let agent = Agent::start(config);
        let (tx, rx) = oneshot::channel::<()>();
        let handle = tokio::spawn(agent.clone().serve(listener, async move {
            let _ = rx.await;
        }));
        TestAgent {
            addr,
            agent,
            stop: Some(tx),
            handle: Some(handle),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// GET `path`: (status, body).
    pub async fn get(&self, path: &str) -> (u16, String) {
        get(&self.url(path)).await
    }

    pub async fn json(&self, path: &str) -> (u16, serde_json::Value) {
        let (status, body) = self.get(path).await;
        let value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: {e}: {body}"));
        (status, value)
    }

    pub async fn metrics(&self) -> String {
        let (status, body) = self.get("/metrics").await;
        assert_eq!(status, 200);
        body
    }

    /// Polls `path` until `pred` holds or `within` passes; returns the last answer.
    pub async fn wait_for(
        &self,
        path: &str,
        within: Duration,
        pred: impl Fn(u16, &serde_json::Value) -> bool,
    ) -> (u16, serde_json::Value) {
        let deadline = Instant::now() + within;
        loop {
            let (s, v) = self.json(path).await;
            if pred(s, &v) || Instant::now() > deadline {
                return (s, v);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Stops the server and the pollers and waits for both.
    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(h) = self.handle.take() {
            h.await.unwrap().unwrap();
        }
    }
}

/// A ureq agent that returns every status as an answer, with a 10 s limit.
fn http_agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into()
}

/// A blocking GET on a blocking thread.
pub async fn get(url: &str) -> (u16, String) {
    let url = url.to_string();
    tokio::task::spawn_blocking(move || {
        let mut r = http_agent()
            .get(&url)
            .call()
            .unwrap_or_else(|e| panic!("GET {url}: {e}"));
        let status = r.status().as_u16();
        (status, r.body_mut().read_to_string().unwrap())
    })
    .await
    .unwrap()
}

/// A blocking POST of a JSON body on a blocking thread: (status, body as JSON).
pub async fn post_json(url: String, body: serde_json::Value) -> (u16, serde_json::Value) {
    tokio::task::spawn_blocking(move || {
        let mut r = http_agent()
            .post(&url)
            .send_json(&body)
            .unwrap_or_else(|e| panic!("POST {url}: {e}"));
        let status = r.status().as_u16();
        let text = r.body_mut().read_to_string().unwrap();
        let v = serde_json::from_str(&text).unwrap_or_else(|e| panic!("POST {url}: {e}: {text}"));
        (status, v)
    })
    .await
    .unwrap()
}

/// The sample lines of `metrics` whose name is `name` and which carry every label pair.
pub fn samples<'a>(metrics: &'a str, name: &str, labels: &[(&str, &str)]) -> Vec<&'a str> {
    metrics
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter(|l| l.starts_with(&format!("{name}{{")) || l.starts_with(&format!("{name} ")))
        .filter(|l| {
            labels
                .iter()
                .all(|(k, v)| l.contains(&format!("{k}=\"{v}\"")))
        })
        .collect()
}

/// The value of the single sample matching, panicking if there is not exactly one.
pub fn value(metrics: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    let found: Vec<&str> = samples(metrics, name, labels)
        .into_iter()
        .filter(|l| labels.iter().any(|(k, _)| *k == "lane") || !l.contains("lane=\""))
        .collect();
    assert_eq!(found.len(), 1, "{name} {labels:?}: {found:#?}");
    found[0].rsplit(' ').next().unwrap().parse().unwrap()
}

/// A two-device config with one port; `link2` is the scenario of link2's interface.
pub fn pair(link2: &str, poll: &str, hold_down: &str) -> String {
    format!(
        r#"
[[device]]
name = "edge-a"
source = "sim"
poll_interval = "{poll}"
[device.sim]
seed = 7
interfaces = {{ "HundredGigE0/0/0" = "healthy" }}

[[device]]
name = "edge-b"
source = "sim"
poll_interval = "{poll}"
[device.sim]
seed = 8
interfaces = {{ "HundredGigE0/0/0" = {link2} }}

[[port]]
name = "erd-ams-1"
hold_down = "{hold_down}"
link1 = {{ device = "edge-a", interface = "HundredGigE0/0/0", azure_admin_state = "enabled" }}
link2 = {{ device = "edge-b", interface = "HundredGigE0/0/0", azure_admin_state = "enabled" }}
"#
    )
}

/// The step called `name` of a workflow answer (GET /api/v1/ports/{port}/workflow).
pub fn step<'a>(w: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    w["steps"]
        .as_array()
        .unwrap_or_else(|| panic!("not a workflow: {w:#}"))
        .iter()
        .find(|s| s["step"] == name)
        .unwrap_or_else(|| panic!("no step {name}: {w:#}"))
}

/// Fails the test with how to install `cmd` (from Debian `package`) when it is missing.
pub fn require(cmd: &str, package: &str) {
    let found = std::process::Command::new("sh")
        .args(["-c", &format!("command -v {cmd}")])
        .stdout(std::process::Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    assert!(
        found,
        "{cmd} is needed: install it with `apt-get install {package}` (./scripts/test.sh does)"
    );
}

/// Runs the lightgate binary with `args` (as user alice) and returns its output.
pub async fn cli(args: &[&str]) -> std::process::Output {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_lightgate"))
            .args(&args)
            .env("USER", "alice")
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}
