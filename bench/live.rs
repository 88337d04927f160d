//! The bring-up page's event streams under load: what a thousand open, idle pages cost
//! the agent (memory, CPU) while readings keep arriving.
//!
//! `cargo bench --bench live -- [--subscribers 1000] [--ports 1,100] [--seconds 40]`.
//! Prints a Markdown report and writes it to target/bench/live.md. Not part of the test
//! suite: it measures, it does not judge.
//!
//! The agent runs in this process (on 127.0.0.1, with the HTTP connection cap raised
//! above the subscriber count); the subscribers run in a child process (this binary
//! again, with `--clients`), so the agent's figures hold no client memory. Each
//! subscriber is a raw `GET /api/v1/ports/{port}/events` that reads and discards what
//! arrives, as an open browser tab does. The simulated routers are polled every 250 ms,
//! so each port's ring of events (256) fills within the run: the figures include full
//! rings.

use std::fmt::Write as _;
use std::io::{BufRead, Write as _};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use lightgate::agent::Agent;
use lightgate::config::Config;
use lightgate::exporter::server::Limits;
use lightgate::exporter::web::WebConfig;
use lightgate::exporter::AppState;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

/// (VmRSS, VmHWM) of this process in MiB.
fn memory() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
            .map(|kib| kib / 1024.0)
            .unwrap_or(f64::NAN)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// CPU seconds (user + system) this process has used.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

fn config(ports: usize) -> String {
    let mut t = String::from("audit_log = \"target/bench/live-audit.jsonl\"\n");
    for p in 0..ports {
        for side in ["a", "b"] {
            let _ = write!(
                t,
                "\n[[device]]\nname = \"edge-{side}-{p}\"\nsource = \"sim\"\npoll_interval = \"250ms\"\n\
                 [device.sim]\nseed = {}\ninterfaces = {{ \"HundredGigE0/0/0\" = \"healthy\" }}\n",
                p * 2 + usize::from(side == "b")
            );
        }
        let _ = write!(
            t,
            "\n[[port]]\nname = \"erd-{p}\"\nhold_down = \"5s\"\n\
             link1 = {{ device = \"edge-a-{p}\", interface = \"HundredGigE0/0/0\", azure_admin_state = \"enabled\" }}\n\
             link2 = {{ device = \"edge-b-{p}\", interface = \"HundredGigE0/0/0\", azure_admin_state = \"enabled\" }}\n"
        );
    }
    t
}

/// The child: `n` subscribers spread over `ports` ports, reading until stdin closes.
/// Prints "connected N" once every stream has answered, then "events N" on each line of
/// stdin it is sent, with the events received so far.
async fn clients(addr: SocketAddr, n: usize, ports: usize) {
    let events = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let connected = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    for i in 0..n {
        let (events, connected) = (events.clone(), connected.clone());
        tokio::spawn(async move {
            let Ok(mut s) = tokio::net::TcpStream::connect(addr).await else {
                return;
            };
            let req = format!(
                "GET /api/v1/ports/erd-{}/events HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\n\r\n",
                i % ports
            );
            if s.write_all(req.as_bytes()).await.is_err() {
                return;
            }
            let mut buf = vec![0u8; 16 * 1024];
            let mut first = true;
            loop {
                match s.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(k) => {
                        if first {
                            first = false;
                            connected.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        }
                        let ids = buf[..k].windows(4).filter(|w| w == b"\nid:").count();
                        events.fetch_add(ids as u64, std::sync::atomic::Ordering::Relaxed);
                    }
                }
            }
        });
    }
    while connected.load(std::sync::atomic::Ordering::SeqCst) < n {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    println!("connected {n}");
    let _ = std::io::stdout().flush();
    let stdin = tokio::task::spawn_blocking(move || {
        for line in std::io::stdin().lock().lines() {
            if line.is_err() {
                break;
            }
            println!(
                "events {}",
                events.load(std::sync::atomic::Ordering::Relaxed)
            );
            let _ = std::io::stdout().flush();
        }
    });
    let _ = stdin.await;
}

struct Row {
    ports: usize,
    subscribers: usize,
    rss_before: f64,
    rss_with: f64,
    hwm: f64,
    rss_after: f64,
    cpu_idle: f64,
    cpu_with: f64,
    events: u64,
    seconds: f64,
}

async fn scenario(ports: usize, subscribers: usize, seconds: u64) -> Row {
    let config = Config::parse(&config(ports), "bench").expect("bench config");
    let agent = Agent::start(config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    // Every subscriber comes from 127.0.0.1: the per-client shares are lifted.
    let limits = Limits {
        connections_per_client: subscribers + 64,
        max_event_streams: subscribers,
        event_streams_per_client: subscribers,
        ..Limits::for_connections(subscribers + 64)
    };
    let app = AppState::new(agent.store().clone());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        lightgate::exporter::serve_with_limits(
            listener,
            app,
            &WebConfig::default(),
            limits,
            async move {
                let _ = stopped.await;
            },
        )
        .await
    });
    // Warm up: every device polled a few times, no subscriber.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let (rss_before, _) = memory();
    let cpu0 = cpu_seconds();
    tokio::time::sleep(Duration::from_secs(seconds / 2)).await;
    let cpu_idle = (cpu_seconds() - cpu0) / (seconds / 2) as f64;

    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--clients",
            &addr.to_string(),
            "--subscribers",
            &subscribers.to_string(),
            "--ports",
            &ports.to_string(),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the client process starts");
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    let connected = tokio::task::block_in_place(|| {
        out.read_line(&mut line).ok();
        line.trim().to_string()
    });
    assert_eq!(connected, format!("connected {subscribers}"));
    let started = Instant::now();
    let cpu1 = cpu_seconds();
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    let cpu_with = (cpu_seconds() - cpu1) / started.elapsed().as_secs_f64();
    let (rss_with, hwm) = memory();
    let mut stdin = child.stdin.take().unwrap();
    let events = tokio::task::block_in_place(|| {
        writeln!(stdin, "count").unwrap();
        stdin.flush().unwrap();
        line.clear();
        out.read_line(&mut line).ok();
        line.trim()
            .strip_prefix("events ")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    });
    let elapsed = started.elapsed().as_secs_f64();
    drop(stdin);
    let _ = child.kill();
    let _ = child.wait();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (rss_after, _) = memory();
    let _ = stop.send(());
    let _ = server.await;
    agent.shutdown().await;
    Row {
        ports,
        subscribers,
        rss_before,
        rss_with,
        hwm,
        rss_after,
        cpu_idle,
        cpu_with,
        events,
        seconds: elapsed,
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let subscribers: usize = arg("--subscribers")
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    if let Some(addr) = arg("--clients") {
        let ports = arg("--ports").and_then(|v| v.parse().ok()).unwrap_or(1);
        runtime.block_on(clients(addr.parse().unwrap(), subscribers, ports));
        return;
    }
    let ports: Vec<usize> = arg("--ports")
        .unwrap_or_else(|| "1,100".into())
        .split(',')
        .filter_map(|v| v.parse().ok())
        .collect();
    let seconds: u64 = arg("--seconds").and_then(|v| v.parse().ok()).unwrap_or(40);
    let mut report = String::new();
    let _ = writeln!(
        report,
        "| ports | subscribers | RSS before | RSS with subscribers | peak RSS | per subscriber | RSS after they left | agent CPU idle | agent CPU with subscribers | events delivered |\n|---|---|---|---|---|---|---|---|---|---|"
    );
    for p in ports {
        let r = runtime.block_on(scenario(p, subscribers, seconds));
        let _ = writeln!(
            report,
            "| {} | {} | {:.1} MiB | {:.1} MiB | {:.1} MiB | {:.1} KiB | {:.1} MiB | {:.1} % | {:.1} % | {} ({:.0}/s) |",
            r.ports,
            r.subscribers,
            r.rss_before,
            r.rss_with,
            r.hwm,
            (r.rss_with - r.rss_before) * 1024.0 / r.subscribers as f64,
            r.rss_after,
            r.cpu_idle * 100.0,
            r.cpu_with * 100.0,
            r.events,
            r.events as f64 / r.seconds,
        );
        eprintln!("{report}");
    }
    println!("{report}");
    let _ = std::fs::create_dir_all("target/bench");
    let _ = std::fs::write("target/bench/live.md", &report);
}
