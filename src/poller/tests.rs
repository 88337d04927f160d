//! Poller timing on tokio's paused clock: intervals, timeouts and independence of
//! devices, with no real sleeping.

use std::time::Duration;

use std::sync::atomic::Ordering;
use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use super::supervise;
use crate::agent::Agent;
use crate::config::Config;

const CONFIG: &str = r#"
[[device]]
name = "fast"
source = "sim"
poll_interval = "1s"
[device.sim]
interfaces = { "Hu0" = "healthy" }

[[device]]
name = "slow"
source = "sim"
poll_interval = "1s"
timeout = "500ms"
[device.sim]
response_delay = "1h"
interfaces = { "Hu0" = "healthy" }

[[device]]
name = "dead"
source = "sim"
poll_interval = "2s"
[device.sim]
unreachable = true
interfaces = { "Hu0" = "healthy" }

[[port]]
name = "p"
link1 = { device = "fast", interface = "Hu0" }
link2 = { device = "slow", interface = "Hu0" }
"#;

#[tokio::test(start_paused = true)]
async fn a_slow_or_dead_device_never_delays_the_others() {
    let agent = Agent::start(Config::parse(CONFIG, "t").unwrap());
    tokio::time::sleep(Duration::from_secs(60)).await;
    let m = agent.store();
    // 1 s +-5% over 60 s: about 60 polls, whatever the other devices do.
    let fast = m.counters("fast").polls;
    assert!((56..=64).contains(&fast), "fast device polled {fast} times");
    assert_eq!(
        m.counters("fast").errors("timeout") + m.counters("fast").errors("transport"),
        0
    );
    // The slow one times out at 500 ms every time, and keeps its own cadence.
    let slow = m.counters("slow").polls;
    assert!((38..=64).contains(&slow), "slow device polled {slow} times");
    assert_eq!(m.counters("slow").errors("timeout"), slow);
    let dead = m.counters("dead").errors("transport");
    assert!((27..=32).contains(&dead), "dead device failed {dead} times");

    let devices = agent.store().devices();
    let by_name = |n: &str| devices.iter().find(|d| d.name == n).unwrap().clone();
    assert!(by_name("fast").up);
    assert!(!by_name("slow").up);
    assert_eq!(
        by_name("slow").last_error.as_deref(),
        Some("timed out after 500ms")
    );
    assert_eq!(
        by_name("dead").last_error.as_deref(),
        Some("transport error: simulated device is unreachable")
    );
    agent.shutdown().await;
}

#[tokio::test]
async fn a_crashed_poller_is_restarted_and_the_crash_reported() {
    use std::sync::atomic::AtomicU32;
    let starts = Arc::new(AtomicU32::new(0));
    let mut crashes = Vec::new();
    let s = starts.clone();
    supervise(
        "edge-x poller",
        Duration::from_millis(5),
        CancellationToken::new(),
        move || {
            let n = s.fetch_add(1, Ordering::SeqCst);
            async move {
                if n < 2 {
                    panic!("index out of bounds: the len is 0 but the index is {n}");
                }
            }
        },
        |why| crashes.push(why),
    )
    .await;
    assert_eq!(
        starts.load(Ordering::SeqCst),
        3,
        "restarted after each crash"
    );
    assert_eq!(crashes.len(), 2);
    assert_eq!(
        crashes[1],
        "index out of bounds: the len is 0 but the index is 1"
    );
}

#[tokio::test]
async fn a_supervised_poller_stops_when_cancelled_after_a_crash() {
    let cancel = CancellationToken::new();
    let c2 = cancel.clone();
    let mut crashes = 0;
    supervise(
        "edge-x poller",
        Duration::from_secs(3600),
        cancel.clone(),
        move || {
            c2.cancel();
            async { panic!("boom") }
        },
        |_| crashes += 1,
    )
    .await;
    assert_eq!(crashes, 1, "reported, then no restart once cancelled");
}
