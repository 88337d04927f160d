//! The fleet benchmark: lightgate against Prometheus's snmp_exporter on the same
//! simulated SNMP fleet (`lightgate simulate`), in the same run.
//!
//! Run it with `./bench/run.sh` (which installs snmp_exporter when missing), or
//! `cargo bench --bench fleet -- [--scales 10,100,1000] [--repeat 3] [--ports 48]
//! [--series-devices 100] [--trap-events 120] [--big 10000] [--shards 4]
//! [--shard-routers 10000] [--shard-events 50] [--shard-scrape 2] [--shard-poll 30]`
//! (`--big`: the routers of a workload-(a) row run with lightgate alone, 0 for none;
//! `--shards`: agents a fleet of `--shard-routers` is sharded over to time the gate
//! through Prometheus, 0 for none; `--shard-scrape` and `--shard-poll`: Prometheus's
//! scrape interval and the agents' poll interval there, in seconds). It prints a
//! Markdown report and writes it
//! to target/bench/fleet.md. Not part of the test suite: it measures, it does not judge.
//!
//! What one "cycle" is, for each tool:
//! - lightgate: `POST /api/v1/devices/poll` wakes every poller; the cycle ends when
//!   `GET /api/v1/devices` shows one more finished poll for every device.
//! - snmp_exporter: one scrape of `/snmp?target=...&module=...` per device, 64 at a
//!   time (lightgate polls at most 64 devices at once, so both get the same
//!   concurrency); the cycle ends when the last scrape returns.
//!
//! PDUs and varbinds per cycle come from the simulator's meter; CPU seconds from
//! /proc/PID/stat of the poller process (utime + stime); peak RSS from VmHWM, and the
//! resident set (VmRSS) 3 s after the last cycle.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use lightgate::simulate::layout::{Cell, Flavour, Layout, Vendor};
use lightgate::source::sim::OpticModel;
use serde_json::Value;

const LIGHTGATE: &str = env!("CARGO_BIN_EXE_lightgate");
const SNMP_EXPORTER: &str = "prometheus-snmp-exporter";
const CONCURRENCY: usize = 64;
const SIM_PORT: u16 = 1161;

// ---------------------------------------------------------------- processes

struct Proc {
    name: String,
    child: Child,
}

impl Proc {
    fn start(name: &str, cmd: &mut Command, log: &Path) -> Proc {
        let out = std::fs::File::create(log).expect("log file");
        let child = cmd
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        Proc {
            name: name.to_string(),
            child,
        }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// CPU seconds (user + system) so far.
    fn cpu(&self) -> f64 {
        let s = std::fs::read_to_string(format!("/proc/{}/stat", self.pid())).unwrap_or_default();
        let rest = s.rfind(')').map(|i| &s[i + 2..]).unwrap_or("");
        let f: Vec<f64> = rest
            .split_whitespace()
            .map(|x| x.parse().unwrap_or(0.0))
            .collect();
        // USER_HZ is 100 on Linux.
        (f.get(11).copied().unwrap_or(0.0) + f.get(12).copied().unwrap_or(0.0)) / 100.0
    }

    /// Peak resident set (VmHWM), in MiB.
    fn peak_rss_mib(&self) -> f64 {
        self.status_mib("VmHWM:")
    }

    /// The resident set once the cycles are over: [`SETTLE`] after the last one, so
    /// that both tools have had the time to give back what the cycle freed (Go's
    /// scavenger, lightgate's trim after a burst of polls), in MiB.
    fn settled_rss_mib(&self) -> f64 {
        std::thread::sleep(SETTLE);
        self.status_mib("VmRSS:")
    }

    fn status_mib(&self, field: &str) -> f64 {
        let s = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap_or_default();
        s.lines()
            .find_map(|l| l.strip_prefix(field))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map(|kb| kb / 1024.0)
            .unwrap_or(0.0)
    }

    fn stop(mut self) {
        let _ = Command::new("kill").arg(self.pid().to_string()).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        eprintln!("{} did not stop on SIGTERM; killing it", self.name);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn free_udp_port() -> u16 {
    std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn http() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(120)))
        .max_idle_connections_per_host(CONCURRENCY)
        .build()
        .into()
}

fn get(agent: &ureq::Agent, url: &str) -> Result<(u16, String), String> {
    let mut r = agent
        .get(url)
        .call()
        .map_err(|e| format!("GET {url}: {e}"))?;
    let status = r.status().as_u16();
    let body = r
        .body_mut()
        .with_config()
        .limit(1 << 30)
        .read_to_string()
        .map_err(|e| e.to_string())?;
    Ok((status, body))
}

fn get_json(agent: &ureq::Agent, url: &str) -> Value {
    let (status, body) = get(agent, url).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(status, 200, "GET {url}: {body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("GET {url}: {e}"))
}

fn post(agent: &ureq::Agent, url: &str, body: &str) -> (u16, String) {
    let mut r = agent
        .post(url)
        .header("content-type", "application/json")
        .send(body)
        .unwrap_or_else(|e| panic!("POST {url}: {e}"));
    let status = r.status().as_u16();
    (status, r.body_mut().read_to_string().unwrap_or_default())
}

fn wait_until(what: &str, within: Duration, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + within;
    while !ok() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

// ---------------------------------------------------------------- the simulator

struct Sim {
    proc: Proc,
    control: String,
    config: PathBuf,
    devices: Vec<(String, String, Vendor)>,
}

#[derive(Debug, Clone, Copy, Default)]
struct Meter {
    requests: f64,
    varbinds: f64,
}

impl Sim {
    fn start(
        dir: &Path,
        n: usize,
        ports: usize,
        monitor: &str,
        lightgate_listen: &str,
        trap_to: &[u16],
    ) -> Sim {
        let control = format!("127.0.0.1:{}", free_port());
        let config = dir.join(format!("lightgate-{n}-{monitor}.toml"));
        let mut cmd = Command::new(LIGHTGATE);
        cmd.current_dir(dir).args([
            "simulate",
            "--devices",
            &n.to_string(),
            "--ports",
            &ports.to_string(),
            "--flavours",
            "cisco,juniper,arista",
            "--first-address",
            "127.1.0.1",
            "--port",
            &SIM_PORT.to_string(),
            "--control",
            &control,
            "--monitor",
            monitor,
            "--poll-interval",
            "1h",
            "--lightgate-listen",
            lightgate_listen,
            "--log-level",
            "warn",
        ]);
        for t in trap_to {
            cmd.args(["--trap-to", &format!("127.0.0.1:{t}")]);
        }
        cmd.arg("--write-config").arg(&config);
        let log = dir.join("simulate.log");
        let mut proc = Proc::start("lightgate simulate", &mut cmd, &log);
        let agent = http();
        wait_until("the simulator", Duration::from_secs(60), || {
            if let Ok(Some(status)) = proc.child.try_wait() {
                panic!(
                    "the simulator stopped ({status}): {}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                );
            }
            config.exists() && get(&agent, &format!("http://{control}/meter")).is_ok()
        });
        let devices = get_json(&agent, &format!("http://{control}/devices"))
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d["name"].as_str().unwrap().to_string(),
                    d["address"].as_str().unwrap().to_string(),
                    d["flavour"].as_str().unwrap().parse::<Vendor>().unwrap(),
                )
            })
            .collect();
        Sim {
            proc,
            control,
            config,
            devices,
        }
    }

    fn meter(&self, agent: &ureq::Agent) -> Meter {
        let m = get_json(agent, &format!("http://{}/meter", self.control));
        Meter {
            requests: m["total"]["requests"].as_f64().unwrap_or(0.0),
            // The data that came back: a GET's request repeats its OIDs, a GETBULK's
            // names one and gets many, so requests would not compare.
            varbinds: m["total"]["varbinds_returned"].as_f64().unwrap_or(0.0),
        }
    }
}

// ---------------------------------------------------------------- measurements

/// One measured cycle (averaged over the cycles of a sample).
#[derive(Debug, Clone, Copy)]
struct Sample {
    pdus: f64,
    varbinds: f64,
    cpu: f64,
    wall: f64,
    sim_cpu: f64,
}

fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let m = v.len() / 2;
    if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    }
}

fn percentile(mut v: Vec<f64>, p: f64) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i.min(v.len() - 1)]
}

/// How long after its last cycle a poller's resident set is read.
const SETTLE: Duration = Duration::from_secs(3);

struct Row {
    workload: &'static str,
    devices: usize,
    tool: String,
    samples: Vec<Sample>,
    rss_mib: f64,
    /// The resident set [`SETTLE`] after the last cycle.
    settled_mib: f64,
    note: String,
    /// lightgate: the PDUs of its first cycle (discovery and first read).
    discovery_pdus: Option<f64>,
}

impl Row {
    fn med(&self, f: impl Fn(&Sample) -> f64) -> f64 {
        median(self.samples.iter().map(f).collect())
    }
}

/// Cycles per sample: enough that a sample costs tens of CPU milliseconds (/proc
/// counts in 10 ms ticks).
fn cycles_for(n: usize) -> usize {
    (200 / n).clamp(1, 20)
}

fn measure(
    sim: &Sim,
    poller: &Proc,
    agent: &ureq::Agent,
    repeat: usize,
    cycles: usize,
    mut cycle: impl FnMut(),
) -> Vec<Sample> {
    (0..repeat)
        .map(|_| {
            let (m0, c0, s0) = (sim.meter(agent), poller.cpu(), sim.proc.cpu());
            let t0 = Instant::now();
            for _ in 0..cycles {
                cycle();
            }
            let wall = t0.elapsed().as_secs_f64();
            let (m1, c1, s1) = (sim.meter(agent), poller.cpu(), sim.proc.cpu());
            let k = cycles as f64;
            Sample {
                pdus: (m1.requests - m0.requests) / k,
                varbinds: (m1.varbinds - m0.varbinds) / k,
                cpu: (c1 - c0) / k,
                wall: wall / k,
                sim_cpu: (s1 - s0) / k,
            }
        })
        .collect()
}

fn device_polls(agent: &ureq::Agent, base: &str) -> (Vec<u64>, usize) {
    let v = get_json(agent, &format!("{base}/api/v1/devices"));
    let ds = v["devices"].as_array().unwrap();
    let polls = ds
        .iter()
        .map(|d| d["polls"].as_u64().unwrap_or(0))
        .collect();
    let down = ds.iter().filter(|d| d["up"] != true).count();
    (polls, down)
}

/// The simulator's open-file limit, stated at 10,000 routers (one socket each).
fn fd_note(sim: &Proc) -> String {
    let limits = std::fs::read_to_string(format!("/proc/{}/limits", sim.pid())).unwrap_or_default();
    let soft = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .and_then(|l| l.split_whitespace().nth(3))
        .unwrap_or("?")
        .to_string();
    let open = std::fs::read_dir(format!("/proc/{}/fd", sim.pid()))
        .map(|d| d.count())
        .unwrap_or(0);
    if open > 1000 {
        format!("; simulator: {open} open files, limit {soft}")
    } else {
        String::new()
    }
}

fn start_lightgate(dir: &Path, config: &Path, listen: &str) -> Proc {
    let mut cmd = Command::new(LIGHTGATE);
    cmd.current_dir(dir)
        .args(["run", "--log-level", "warn", "--config"])
        .arg(config);
    let p = Proc::start("lightgate run", &mut cmd, &dir.join("lightgate.log"));
    let agent = http();
    wait_until("lightgate", Duration::from_secs(30), || {
        get(&agent, &format!("http://{listen}/-/healthy")).is_ok()
    });
    p
}

fn lightgate_rows(
    dir: &Path,
    sim: &Sim,
    listen: &str,
    workload: &'static str,
    repeat: usize,
) -> Row {
    let n = sim.devices.len();
    let agent = http();
    let base = format!("http://{listen}");
    let before = sim.meter(&agent);
    let started = Instant::now();
    let lg = start_lightgate(dir, &sim.config, listen);
    // The first poll of each device discovers it (walks its tables).
    wait_until("lightgate's first cycle", Duration::from_secs(600), || {
        device_polls(&agent, &base).0.iter().all(|p| *p >= 1)
    });
    let discovery = started.elapsed().as_secs_f64();
    let discovery_pdus = sim.meter(&agent).requests - before.requests;
    let (_, down) = device_polls(&agent, &base);
    assert_eq!(
        down,
        0,
        "devices failed their first poll: see {}",
        dir.join("lightgate.log").display()
    );
    // Each check asks for every device's poll count, which costs the agent CPU at
    // 10,000 devices: check less often the larger the fleet.
    let check_every = Duration::from_millis(2 + (n / 100) as u64);
    let samples = measure(sim, &lg, &agent, repeat, cycles_for(n), || {
        let before = device_polls(&agent, &base).0;
        let (status, body) = post(&agent, &format!("{base}/api/v1/devices/poll"), "{}");
        assert_eq!(status, 202, "{body}");
        loop {
            std::thread::sleep(check_every);
            let now = device_polls(&agent, &base).0;
            if now.iter().zip(&before).all(|(a, b)| a > b) {
                break;
            }
        }
    });
    let (_, down) = device_polls(&agent, &base);
    assert_eq!(
        down,
        0,
        "devices failed polls: see {}",
        dir.join("lightgate.log").display()
    );
    let settled = lg.settled_rss_mib();
    let rss = lg.peak_rss_mib();
    lg.stop();
    Row {
        workload,
        devices: n,
        tool: "lightgate".into(),
        samples,
        rss_mib: rss,
        settled_mib: settled,
        note: format!(
            "first cycle (discovery) {discovery:.1} s, {discovery_pdus:.0} PDUs{}",
            fd_note(&sim.proc)
        ),
        discovery_pdus: Some(discovery_pdus),
    }
}

// ---------------------------------------------------------------- snmp_exporter

/// The snmp_exporter 0.21 module of one flavour: IF-MIB admin/oper status and last
/// change, plus the vendor's DOM table, walked (what its generator writes) or, with
/// `only`, fetched cell by cell for just those ports (a hand-tuned module).
fn exporter_module(name: &str, flavour: Vendor, ports: usize, only: Option<&[usize]>) -> String {
    let if_cols = [
        ("ifAdminStatus", "1.3.6.1.2.1.2.2.1.7"),
        ("ifOperStatus", "1.3.6.1.2.1.2.2.1.8"),
        ("ifLastChange", "1.3.6.1.2.1.2.2.1.9"),
    ];
    let (dom, indexes): (Vec<(&str, &str)>, &[&str]) = match flavour {
        Vendor::Cisco => (
            vec![
                ("entSensorValue", "1.3.6.1.4.1.9.9.91.1.1.1.1.4"),
                ("entSensorStatus", "1.3.6.1.4.1.9.9.91.1.1.1.1.5"),
            ],
            &["entPhysicalIndex"],
        ),
        Vendor::Arista | Vendor::EntitySensor => (
            vec![
                ("entPhySensorValue", "1.3.6.1.2.1.99.1.1.1.4"),
                ("entPhySensorOperStatus", "1.3.6.1.2.1.99.1.1.1.5"),
            ],
            &["entPhysicalIndex"],
        ),
        Vendor::Juniper => (
            vec![
                (
                    "jnxDomCurrentRxLaserPower",
                    "1.3.6.1.4.1.2636.3.60.1.1.1.1.5",
                ),
                (
                    "jnxDomCurrentTxLaserBiasCurrent",
                    "1.3.6.1.4.1.2636.3.60.1.1.1.1.6",
                ),
                (
                    "jnxDomCurrentTxLaserOutputPower",
                    "1.3.6.1.4.1.2636.3.60.1.1.1.1.7",
                ),
                (
                    "jnxDomCurrentModuleTemperature",
                    "1.3.6.1.4.1.2636.3.60.1.1.1.1.8",
                ),
                (
                    "jnxDomCurrentModuleVoltage",
                    "1.3.6.1.4.1.2636.3.60.1.1.1.1.25",
                ),
                (
                    "jnxDomCurrentLaneRxLaserPower",
                    "1.3.6.1.4.1.2636.3.60.1.2.1.1.6",
                ),
                (
                    "jnxDomCurrentLaneTxLaserBiasCurrent",
                    "1.3.6.1.4.1.2636.3.60.1.2.1.1.7",
                ),
                (
                    "jnxDomCurrentLaneTxLaserOutputPower",
                    "1.3.6.1.4.1.2636.3.60.1.2.1.1.8",
                ),
            ],
            &["ifIndex"],
        ),
        other => panic!("the benchmark fleet has no {other} routers"),
    };
    let mut y = String::new();
    let _ = writeln!(y, "{name}:\n  version: 2\n  max_repetitions: 25\n  retries: 2\n  timeout: 5s\n  auth:\n    community: public");
    match only {
        None => {
            y.push_str("  walk:\n");
            for (_, oid) in if_cols.iter().chain(dom.iter()) {
                let _ = writeln!(y, "  - {oid}");
            }
        }
        Some(ks) => {
            // Every cell lightgate's plan reads for these ports, from the same layout.
            let layout = Layout::new(flavour, OpticModel::HundredGigLr4, ports);
            let wanted_cols: Vec<&str> =
                if_cols.iter().chain(dom.iter()).map(|(_, o)| *o).collect();
            y.push_str("  get:\n");
            for (oid, cell) in &layout.cells {
                let port = match cell {
                    Cell::AdminStatus(k) | Cell::OperStatus(k) | Cell::LastChange(k) => *k,
                    Cell::Sensor { port, .. } | Cell::SensorStatus { port, .. } => *port,
                    _ => continue,
                };
                let text = oid.to_string();
                if ks.contains(&port)
                    && wanted_cols
                        .iter()
                        .any(|c| text.starts_with(&format!("{c}.")))
                {
                    let _ = writeln!(y, "  - {text}");
                }
            }
        }
    }
    y.push_str("  metrics:\n");
    for (metric, oid) in if_cols.iter() {
        let _ = writeln!(y, "  - name: {metric}\n    oid: {oid}\n    type: gauge\n    help: {metric}\n    indexes:\n    - labelname: ifIndex\n      type: gauge");
    }
    for (metric, oid) in &dom {
        let _ = writeln!(
            y,
            "  - name: {metric}\n    oid: {oid}\n    type: gauge\n    help: {metric}\n    indexes:"
        );
        for i in indexes {
            let _ = writeln!(y, "    - labelname: {i}\n      type: gauge");
        }
        if metric.contains("Lane") {
            let _ = writeln!(y, "    - labelname: jnxDomLaneIndex\n      type: gauge");
        }
    }
    y
}

fn exporter_rows(
    dir: &Path,
    sim: &Sim,
    workload: &'static str,
    variant: &'static str,
    ports: usize,
    repeat: usize,
) -> Row {
    let n = sim.devices.len();
    let only: Option<Vec<usize>> = (variant == "get").then(|| vec![0, 1]);
    let mut yml = String::new();
    for f in lightgate::simulate::SIMULATED_BY_DEFAULT {
        yml.push_str(&exporter_module(
            &format!("lg_{variant}_{f}"),
            f,
            ports,
            only.as_deref(),
        ));
    }
    let config = dir.join(format!("snmp-{variant}.yml"));
    std::fs::write(&config, yml).unwrap();
    let listen = format!("127.0.0.1:{}", free_port());
    let mut cmd = Command::new(SNMP_EXPORTER);
    cmd.arg(format!("--config.file={}", config.display()))
        .arg(format!("--web.listen-address={listen}"))
        .arg("--log.level=warn");
    let exp = Proc::start("snmp_exporter", &mut cmd, &dir.join("snmp_exporter.log"));
    let agent = http();
    wait_until("snmp_exporter", Duration::from_secs(30), || {
        get(&agent, &format!("http://{listen}/metrics")).is_ok()
    });
    let urls: Vec<String> = sim
        .devices
        .iter()
        .map(|(_, addr, f)| format!("http://{listen}/snmp?target={addr}&module=lg_{variant}_{f}"))
        .collect();
    let failures = Arc::new(Mutex::new(Vec::<String>::new()));
    let scrape_all = || {
        let next = Arc::new(AtomicUsize::new(0));
        std::thread::scope(|s| {
            for _ in 0..CONCURRENCY.min(urls.len()) {
                let (next, agent, urls, failures) =
                    (next.clone(), agent.clone(), &urls, failures.clone());
                s.spawn(move || loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(url) = urls.get(i) else { return };
                    match get(&agent, url) {
                        Ok((200, body))
                            if body.contains("ifOperStatus{")
                                && !body.contains("snmp_scrape_walk_duration_seconds -1") => {}
                        Ok((status, body)) => failures
                            .lock()
                            .unwrap()
                            .push(format!("{url}: {status} {}", &body[..body.len().min(300)])),
                        Err(e) => failures.lock().unwrap().push(e),
                    }
                });
            }
        });
    };
    scrape_all(); // warm-up: not counted
    let samples = measure(sim, &exp, &agent, repeat, cycles_for(n), scrape_all);
    let f = failures.lock().unwrap();
    assert!(
        f.is_empty(),
        "{} snmp_exporter scrapes failed, e.g. {}",
        f.len(),
        f[0]
    );
    let settled = exp.settled_rss_mib();
    let rss = exp.peak_rss_mib();
    exp.stop();
    Row {
        workload,
        devices: n,
        tool: format!("snmp_exporter ({variant})"),
        samples,
        rss_mib: rss,
        settled_mib: settled,
        note: match variant {
            "get" => "hand-written GETs of exactly the 2 interfaces' cells".into(),
            _ => "walks IF-MIB columns + DOM table, as the generator writes".into(),
        },
        discovery_pdus: None,
    }
}

// ---------------------------------------------------------------- lightgate alone

fn metrics_render(dir: &Path, n: usize, ports: usize, repeat: usize) -> String {
    let listen = format!("127.0.0.1:{}", free_port());
    let sim = Sim::start(dir, n, ports, "all", &listen, &[]);
    let agent = http();
    let lg = start_lightgate(dir, &sim.config, &listen);
    let base = format!("http://{listen}");
    wait_until("lightgate's first cycle", Duration::from_secs(600), || {
        device_polls(&agent, &base).0.iter().all(|p| *p >= 1)
    });
    let mut times = Vec::new();
    let mut series = 0;
    let mut bytes = 0;
    for _ in 0..repeat.max(20) {
        let t = Instant::now();
        let (status, body) = get(&agent, &format!("{base}/metrics")).unwrap();
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(status, 200);
        series = body
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .count();
        bytes = body.len();
    }
    lg.stop();
    sim.proc.stop();
    format!(
        "| {series} | {:.1} MB | {:.1} | {:.1} |\n",
        bytes as f64 / 1e6,
        median(times.clone()),
        percentile(times, 0.99)
    )
}

fn trap_latency(dir: &Path, n: usize, ports: usize, events: usize) -> String {
    let listen = format!("127.0.0.1:{}", free_port());
    let trap_port = free_udp_port();
    let sim = Sim::start(dir, n, ports, "2", &listen, &[trap_port]);
    let agent = http();
    let lg = start_lightgate(dir, &sim.config, &listen);
    let base = format!("http://{listen}");
    wait_until("lightgate's first cycle", Duration::from_secs(600), || {
        device_polls(&agent, &base).0.iter().all(|p| *p >= 1)
    });
    // Routers 1, 3, 5, ... carry link1 of port erd-<router>-0 on their first interface.
    let leaders: Vec<&(String, String, Vendor)> = sim.devices.iter().step_by(2).collect();
    let mut latencies = Vec::new();
    for e in 0..events {
        let (name, _, flavour) = leaders[e % leaders.len()];
        let down = (e / leaders.len()).is_multiple_of(2);
        let iface = flavour.interface_name(OpticModel::HundredGigLr4, 0);
        let body = serde_json::json!({"device": name, "interface": iface, "state": if down {"down"} else {"up"}});
        let (status, text) = post(
            &agent,
            &format!("http://{}/link", sim.control),
            &body.to_string(),
        );
        assert_eq!(status, 200, "{text}");
        let forced: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(forced["trap_sent"], true);
        let at = forced["at_unix_seconds"].as_f64().unwrap();
        let want_api = if down { "down" } else { "up" };
        let want_metric = if down { " 0" } else { " 1" };
        let port = format!("{base}/api/v1/ports/erd-{}-0", &name[4..]);
        let needle = format!("device=\"{name}\"");
        let deadline = Instant::now() + Duration::from_secs(10);
        let (mut api_ok, mut metrics_ok) = (false, false);
        while !(api_ok && metrics_ok) {
            assert!(
                Instant::now() < deadline,
                "{name} {iface} never showed {want_api}"
            );
            if !api_ok {
                // 503 while the port is not ready: the body is the same JSON.
                let (_, text) = get(&agent, &port).unwrap();
                let v: Value = serde_json::from_str(&text).unwrap();
                api_ok = v["links"]["link1"]["reading"]["oper_status"] == want_api;
            }
            if api_ok && !metrics_ok {
                let (_, m) = get(&agent, &format!("{base}/metrics")).unwrap();
                metrics_ok = m.lines().any(|l| {
                    l.starts_with("lightgate_link_oper_up{")
                        && l.contains(&needle)
                        && l.contains("link=\"link1\"")
                        && l.ends_with(want_metric)
                });
            }
            if !(api_ok && metrics_ok) {
                std::thread::sleep(Duration::from_millis(1));
            }
        }
        let seen = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_secs_f64();
        latencies.push((seen - at) * 1000.0);
    }
    lg.stop();
    sim.proc.stop();
    format!("| {} |\n", latency_cells(&latencies, 1))
}

/// "count | p50 | p99 | max" of latencies in ms, with `digits` decimals.
fn latency_cells(v: &[f64], digits: usize) -> String {
    format!(
        "{} | {:.digits$} | {:.digits$} | {:.digits$}",
        v.len(),
        median(v.to_vec()),
        percentile(v.to_vec(), 0.99),
        v.iter().cloned().fold(0.0, f64::max)
    )
}

// ---------------------------------------------------------------- shards

/// The big fleet over `shards` agents (`--shard i/N`, one config), one real Prometheus
/// scraping them every second, and `lightgate gate --prometheus` deciding for ports
/// whose two routers are polled by different agents: from a forced link change (the
/// simulator's `POST /link`) to the gate's right answer, `events` changes (half down,
/// half up). No traps (each agent would need its own trap address): an agent sees the
/// change at its next poll, every 2 s. The config's 20 s hold-down is cut to 1 s so an
/// "up" is not mostly waiting; it is part of the "up" figures.
fn shard_latency(
    dir: &Path,
    n: usize,
    ports: usize,
    shards: usize,
    events: usize,
    scrape: f64,
    poll: f64,
) -> String {
    let listen = format!("127.0.0.1:{}", free_port());
    // Every router sends its traps to every agent, as a router with several trap hosts
    // does; each agent acts on its own routers' (the others count as other_shard).
    let trap_ports: Vec<u16> = (0..shards).map(|_| free_udp_port()).collect();
    let sim = Sim::start(dir, n, ports, "2", &listen, &trap_ports);
    let config = std::fs::read_to_string(&sim.config)
        .unwrap()
        .replace(
            "poll_interval = \"1h\"",
            &format!("poll_interval = \"{}ms\"", (poll * 1000.0) as u64),
        )
        .replace("hold_down = \"20s\"", "hold_down = \"1s\"");
    let config_path = dir.join("sharded.toml");
    std::fs::write(&config_path, config).unwrap();
    let agent = http();
    let mut agents = Vec::new();
    let mut bases = Vec::new();
    for i in 1..=shards {
        let home = dir.join(format!("shard-{i}"));
        std::fs::create_dir_all(&home).unwrap();
        let listen = format!("127.0.0.1:{}", free_port());
        let mut cmd = Command::new(LIGHTGATE);
        cmd.current_dir(&home)
            .args(["run", "--log-level", "warn", "--config"])
            .arg(&config_path)
            .args([
                "--shard",
                &format!("{i}/{shards}"),
                "--web.listen-address",
                &listen,
                "--traps.listen-address",
                &format!("127.0.0.1:{}", trap_ports[i - 1]),
            ]);
        agents.push(Proc::start(
            "lightgate run --shard",
            &mut cmd,
            &home.join("lightgate.log"),
        ));
        bases.push(format!("http://{listen}"));
    }
    // Which agent polls which router, once each has polled all of its own.
    let mut shard_of: BTreeMap<String, usize> = BTreeMap::new();
    for (i, base) in bases.iter().enumerate() {
        wait_until("a shard's first cycle", Duration::from_secs(600), || {
            get(&agent, &format!("{base}/-/healthy")).is_ok()
                && device_polls(&agent, base).0.iter().all(|p| *p >= 1)
        });
        let v = get_json(&agent, &format!("{base}/api/v1/devices"));
        for d in v["devices"].as_array().unwrap() {
            shard_of.insert(d["device"].as_str().unwrap().to_string(), i);
        }
    }
    assert_eq!(shard_of.len(), n, "every router is polled by one agent");
    let targets: Vec<String> = bases.iter().map(|b| format!("'{}'", &b[7..])).collect();
    let prom_dir = dir.join("prometheus");
    std::fs::create_dir_all(&prom_dir).unwrap();
    std::fs::write(
        prom_dir.join("prometheus.yml"),
        format!(
            "global:\n  scrape_interval: {}ms\n  scrape_timeout: {}ms\nscrape_configs:\n  - job_name: lightgate\n    static_configs:\n      - targets: [{}]\n",
            (scrape * 1000.0) as u64,
            (scrape * 900.0) as u64,
            targets.join(", ")
        ),
    )
    .unwrap();
    let prom_port = free_port();
    let mut cmd = Command::new("prometheus");
    cmd.arg(format!(
        "--config.file={}",
        prom_dir.join("prometheus.yml").display()
    ))
    .arg(format!(
        "--storage.tsdb.path={}",
        prom_dir.join("data").display()
    ))
    .arg(format!("--web.listen-address=127.0.0.1:{prom_port}"));
    let prom = Proc::start("prometheus", &mut cmd, &prom_dir.join("prometheus.log"));
    let prom_url = format!("http://127.0.0.1:{prom_port}");
    wait_until("Prometheus", Duration::from_secs(60), || {
        get(&agent, &format!("{prom_url}/-/ready")).is_ok_and(|(s, _)| s == 200)
    });
    // Ports erd-<router>-0: link1 on an odd router's first interface, link2 on the
    // next router. Those whose two routers are on different agents.
    let split: Vec<(String, String, Vendor)> = sim
        .devices
        .chunks(2)
        .filter(|pair| pair.len() == 2 && shard_of[&pair[0].0] != shard_of[&pair[1].0])
        .map(|pair| {
            (
                format!("erd-{}-0", &pair[0].0[4..]),
                pair[0].0.clone(),
                pair[0].2,
            )
        })
        .take(events.div_ceil(2))
        .collect();
    assert!(!split.is_empty(), "no port spans two shards");
    let gate = |port: &str| -> i32 {
        Command::new(LIGHTGATE)
            .args(["gate", "--prometheus", &prom_url, port, "--", "true"])
            .output()
            .map(|o| o.status.code().unwrap_or(-1))
            .unwrap_or(-1)
    };
    let decided = |port: &str, ready: bool, within: Duration| -> Instant {
        let deadline = Instant::now() + within;
        loop {
            let code = gate(port);
            let now = Instant::now();
            if (ready && code == 0) || (!ready && code == 75) {
                return now;
            }
            if now >= deadline {
                let targets = get(&agent, &format!("{prom_url}/api/v1/targets"))
                    .map(|(_, b)| b)
                    .unwrap_or_default();
                panic!(
                    "the gate never said {} for {port} (last exit {code}); Prometheus targets: {targets}",
                    if ready { "ready" } else { "not ready" }
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    for (port, _, _) in &split {
        decided(port, true, Duration::from_secs(120));
    }
    let (mut downs, mut ups) = (Vec::new(), Vec::new());
    for (e, (port, router, flavour)) in split.iter().cycle().take(events.div_ceil(2)).enumerate() {
        let _ = e;
        let iface = flavour.interface_name(OpticModel::HundredGigLr4, 0);
        for down in [true, false] {
            let body = serde_json::json!({"device": router, "interface": iface, "state": if down {"down"} else {"up"}});
            let forced = Instant::now();
            let (status, text) = post(
                &agent,
                &format!("http://{}/link", sim.control),
                &body.to_string(),
            );
            assert_eq!(status, 200, "{text}");
            let at = decided(port, !down, Duration::from_secs(60));
            let ms = at.duration_since(forced).as_secs_f64() * 1000.0;
            if down {
                downs.push(ms)
            } else {
                ups.push(ms)
            }
        }
    }
    prom.stop();
    for a in agents {
        a.stop();
    }
    sim.proc.stop();
    let row = |what: &str, v: &Vec<f64>| format!("| {what} | {} |\n", latency_cells(v, 0));
    format!(
        "{}{}\n{} ports span two agents' routers; {} routers over {shards} agents polling every {poll} s, each router's traps sent to all of them, Prometheus scraping each every {scrape} s.\n",
        row("link down: NOT READY", &downs),
        row("link up: READY (1 s hold-down included)", &ups),
        split.len(),
        n
    )
}

// ---------------------------------------------------------------- report

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines().next().map(|l| {
                l.split_whitespace()
                    .nth(1)
                    .unwrap_or("0")
                    .parse::<f64>()
                    .unwrap_or(0.0)
                    / 1024.0
                    / 1024.0
            })
        })
        .unwrap_or(0.0);
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let exporter = Command::new(SNMP_EXPORTER)
        .arg("--version")
        .output()
        .map(|o| {
            let t = String::from_utf8_lossy(&o.stdout).to_string()
                + &String::from_utf8_lossy(&o.stderr);
            t.lines().next().unwrap_or("").to_string()
        })
        .unwrap_or_default();
    format!(
        "{cores} cores ({cpu}), {mem:.0} GiB RAM, Linux {}; {exporter}; lightgate {}",
        kernel.trim(),
        env!("CARGO_PKG_VERSION")
    )
}

struct Args {
    scales: Vec<usize>,
    repeat: usize,
    ports: usize,
    series_devices: usize,
    trap_events: usize,
    trap_devices: usize,
    /// Routers of the large workload-(a) row, lightgate alone (0: none).
    big: usize,
    /// Agents a fleet is sharded over, for the gate latency through Prometheus (0:
    /// none), and that fleet's routers.
    shards: usize,
    shard_routers: usize,
    /// Link changes for the sharded gate latency.
    shard_events: usize,
    shard_scrape: f64,
    shard_poll: f64,
}

fn args() -> Args {
    let mut a = Args {
        scales: vec![10, 100, 1000],
        repeat: 3,
        ports: 48,
        series_devices: 45,
        trap_events: 120,
        trap_devices: 20,
        big: 10_000,
        shards: 4,
        // At 10,000 routers each agent serves a quarter of 1.4 million series (41 MB a
        // scrape): Prometheus on this 2-core machine cannot take them every second
        // (BENCHMARKS.md). The routers' traps to every agent carry the link changes,
        // so the polls can be as slow as a real fleet's.
        shard_routers: 10_000,
        shard_events: 50,
        shard_scrape: 2.0,
        shard_poll: 30.0,
    };
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < argv.len() {
        let value = argv.get(i + 1).cloned().unwrap_or_default();
        let num = || {
            value
                .parse::<usize>()
                .unwrap_or_else(|_| panic!("{} needs a number, got {value:?}", argv[i]))
        };
        let secs = || {
            value
                .parse::<f64>()
                .ok()
                .filter(|s| *s >= 0.1)
                .unwrap_or_else(|| {
                    panic!("{} needs seconds (at least 0.1), got {value:?}", argv[i])
                })
        };
        match argv[i].as_str() {
            "--scales" => {
                a.scales = value
                    .split(',')
                    .map(|s| s.trim().parse().expect("--scales 10,100,1000"))
                    .collect()
            }
            "--repeat" => a.repeat = num().max(1),
            "--ports" => a.ports = num().max(2),
            "--series-devices" => a.series_devices = num(),
            "--trap-events" => a.trap_events = num(),
            "--trap-devices" => a.trap_devices = num().max(2),
            "--big" => a.big = num(),
            "--shards" => a.shards = num(),
            "--shard-routers" => a.shard_routers = num().max(2),
            "--shard-events" => a.shard_events = num().max(2),
            "--shard-poll" => a.shard_poll = secs(),
            "--shard-scrape" => a.shard_scrape = secs(),
            "--bench" => {
                i += 1;
                continue;
            }
            other => panic!("unknown argument {other:?}; see the top of bench/fleet.rs"),
        }
        i += 2;
    }
    a
}

fn main() {
    let a = args();
    let found = Command::new(SNMP_EXPORTER)
        .arg("--version")
        .output()
        .is_ok();
    assert!(found, "{SNMP_EXPORTER} is needed: install it with `apt-get install prometheus-snmp-exporter` (./bench/run.sh does)");
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let mut rows: Vec<Row> = Vec::new();
    for &n in &a.scales {
        for (workload, monitor) in [("a", "2"), ("b", "all")] {
            eprintln!(
                "[{:>5.0} s] {n} routers x {} optics, workload ({workload})",
                started.elapsed().as_secs_f64(),
                a.ports
            );
            let listen = format!("127.0.0.1:{}", free_port());
            let sim = Sim::start(dir.path(), n, a.ports, monitor, &listen, &[]);
            rows.push(lightgate_rows(
                dir.path(),
                &sim,
                &listen,
                workload,
                a.repeat,
            ));
            rows.push(exporter_rows(
                dir.path(),
                &sim,
                workload,
                "walk",
                a.ports,
                a.repeat,
            ));
            if workload == "a" {
                rows.push(exporter_rows(
                    dir.path(),
                    &sim,
                    workload,
                    "get",
                    a.ports,
                    a.repeat,
                ));
            }
            sim.proc.stop();
        }
    }
    if a.big > 0 {
        eprintln!(
            "[{:>5.0} s] {} routers x {} optics, workload (a), lightgate alone",
            started.elapsed().as_secs_f64(),
            a.big,
            a.ports
        );
        let listen = format!("127.0.0.1:{}", free_port());
        let sim = Sim::start(dir.path(), a.big, a.ports, "2", &listen, &[]);
        rows.push(lightgate_rows(dir.path(), &sim, &listen, "a", a.repeat));
        sim.proc.stop();
    }
    let sharded = if a.shards > 0 {
        eprintln!(
            "[{:>5.0} s] {} routers over {} agents, gate latency through Prometheus",
            started.elapsed().as_secs_f64(),
            a.shard_routers,
            a.shards
        );
        shard_latency(
            dir.path(),
            a.shard_routers,
            a.ports,
            a.shards,
            a.shard_events,
            a.shard_scrape,
            a.shard_poll,
        )
    } else {
        String::new()
    };
    eprintln!(
        "[{:>5.0} s] /metrics render",
        started.elapsed().as_secs_f64()
    );
    let render = metrics_render(dir.path(), a.series_devices, a.ports, a.repeat);
    eprintln!(
        "[{:>5.0} s] trap-to-metric latency",
        started.elapsed().as_secs_f64()
    );
    let traps = trap_latency(dir.path(), a.trap_devices, a.ports, a.trap_events);

    let mut out = String::new();
    let _ = writeln!(out, "Machine: {}\n", machine());
    let given: Vec<String> = std::env::args()
        .skip(1)
        .filter(|x| x != "--bench")
        .collect();
    let _ = writeln!(
        out,
        "Command: `{}`\n",
        std::iter::once("./bench/run.sh".to_string())
            .chain(given)
            .collect::<Vec<_>>()
            .join(" ")
    );
    let _ = writeln!(out, "Medians of {} samples per row; a sample averages {} cycle(s) at 10 routers, fewer at larger scales. Workload (a): 2 interfaces per router (the ExpressRoute case); (b): all {} optics of every router. Simulator: 100G-LR4 optics (4 lanes), routers in turn Cisco, Juniper, Arista, responses at most 1472 bytes.\n", a.repeat, cycles_for(10), a.ports);
    let _ = writeln!(out, "| workload | routers | poller | PDUs/cycle | varbinds returned/cycle | CPU s/cycle | wall s/cycle | peak RSS MiB | RSS after the cycles MiB | simulator CPU s/cycle | note |");
    let _ = writeln!(out, "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---|");
    for r in &rows {
        let _ = writeln!(
            out,
            "| ({}) | {} | {} | {:.0} | {:.0} | {:.4} | {:.3} | {:.1} | {:.1} | {:.4} | {} |",
            r.workload,
            r.devices,
            r.tool,
            r.med(|s| s.pdus),
            r.med(|s| s.varbinds),
            r.med(|s| s.cpu),
            r.med(|s| s.wall),
            r.rss_mib,
            r.settled_mib,
            r.med(|s| s.sim_cpu),
            r.note
        );
    }
    // Ratios lightgate / snmp_exporter (walk), per scale and workload.
    let _ = writeln!(out, "\nlightgate as a fraction of snmp_exporter (walk); the last column compares lightgate's whole first cycle (discovery) with one snmp_exporter scrape of the same fleet:\n\n| workload | routers | PDUs | CPU | discovery PDUs / one scrape |\n|---|---:|---:|---:|---:|");
    type Pair<'a> = (Option<&'a Row>, Option<&'a Row>);
    let mut by: BTreeMap<(&str, usize), Pair> = BTreeMap::new();
    for r in &rows {
        let e = by.entry((r.workload, r.devices)).or_default();
        if r.tool == "lightgate" {
            e.0 = Some(r);
        } else if r.tool == "snmp_exporter (walk)" {
            e.1 = Some(r);
        }
    }
    for ((w, n), (l, e)) in by {
        if let (Some(l), Some(e)) = (l, e) {
            let _ = writeln!(
                out,
                "| ({w}) | {n} | {:.3} | {:.3} | {:.2} |",
                l.med(|s| s.pdus) / e.med(|s| s.pdus),
                l.med(|s| s.cpu) / e.med(|s| s.cpu).max(1e-9),
                l.discovery_pdus.unwrap_or(f64::NAN) / e.med(|s| s.pdus)
            );
        }
    }
    let _ = writeln!(out, "\n/metrics rendering (lightgate, workload (b), {} routers):\n\n| series | size | median ms | p99 ms |\n|---:|---:|---:|---:|\n{render}", a.series_devices);
    let _ = writeln!(out, "Trap-to-metric latency (simulated linkDown/linkUp until both /api/v1/ports and /metrics show it; {} routers):\n\n| events | p50 ms | p99 ms | max ms |\n|---:|---:|---:|---:|\n{traps}", a.trap_devices);
    if !sharded.is_empty() {
        let _ = writeln!(out, "Gate latency through Prometheus, sharded (`lightgate run --shard i/{}` over a {}-router fleet, workload (a), one Prometheus scraping every {} s, each agent polling every {} s, the routers' traps sent to every agent; from the simulator's forced link change to `lightgate gate --prometheus` answering right):\n\n| change | events | p50 ms | p99 ms | max ms |\n|---|---:|---:|---:|---:|\n{sharded}", a.shards, a.shard_routers, a.shard_scrape, a.shard_poll);
    }
    let _ = writeln!(
        out,
        "Total benchmark time: {:.0} s",
        started.elapsed().as_secs_f64()
    );
    println!("{out}");
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench");
    let _ = std::fs::create_dir_all(&target);
    let _ = std::fs::write(target.join("fleet.md"), &out);
}
