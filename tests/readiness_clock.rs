//! Readiness transitions over minutes of simulated time, on tokio's paused clock: the
//! real agent (pollers, simulator, store), no HTTP, and no real sleeping.

mod common;

use std::time::Duration;

use common::pair;
use lightgate::agent::Agent;
use lightgate::config::Config;
use lightgate::domain::CheckName;
use lightgate::store::now;

fn failing(agent: &Agent) -> Vec<(String, &'static str)> {
    let port = agent.store().port("erd-ams-1", now()).unwrap();
    port.readiness
        .links()
        .iter()
        .flat_map(|l| {
            l.failing()
                .map(|c| (l.link.as_str().to_string(), c.name.as_str()))
        })
        .collect()
}

#[tokio::test(start_paused = true)]
async fn the_default_five_minute_hold_down_is_honoured() {
    let agent = Agent::start(Config::parse(&pair("\"healthy\"", "10s", "5m"), "t").unwrap());
    tokio::time::sleep(Duration::from_secs(290)).await;
    let f = failing(&agent);
    assert_eq!(
        f,
        vec![("link1".into(), "stable"), ("link2".into(), "stable")]
    );
    tokio::time::sleep(Duration::from_secs(20)).await;
    assert_eq!(failing(&agent), vec![]);
    agent.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn readings_go_stale_after_three_poll_intervals_when_a_device_stops_answering() {
    let text = pair("\"healthy\"", "10s", "1m");
    let agent = Agent::start(Config::parse(&text, "t").unwrap());
    tokio::time::sleep(Duration::from_secs(90)).await;
    assert_eq!(failing(&agent), vec![]);

    // The same device, now unreachable: its last reading is kept but ages.
    let broken = text.replacen("seed = 8\n", "seed = 8\nunreachable = true\n", 1);
    agent.apply_config(Config::parse(&broken, "t").unwrap());
    // The last good reading is at most one interval (+5%) old at the switch.
    tokio::time::sleep(Duration::from_secs(15)).await;
    assert_eq!(failing(&agent), vec![], "still within 3 x 10 s");
    tokio::time::sleep(Duration::from_secs(30)).await;
    assert_eq!(
        failing(&agent),
        vec![("link2".into(), CheckName::Fresh.as_str())]
    );
    let port = agent.store().port("erd-ams-1", now()).unwrap();
    let fresh = port
        .readiness
        .link2
        .checks
        .iter()
        .find(|c| c.name == CheckName::Fresh)
        .unwrap();
    assert!(
        fresh.detail.contains(
            "older than 30s (last error: transport error: simulated device is unreachable)"
        ),
        "{}",
        fresh.detail
    );
    agent.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_degrading_link_is_ready_until_its_light_leaves_the_window() {
    let text = pair(
        "{ scenario = \"degrading\", degrade_db_per_minute = 1.0 }",
        "10s",
        "1m",
    );
    let agent = Agent::start(Config::parse(&text, "t").unwrap());
    tokio::time::sleep(Duration::from_secs(120)).await;
    assert_eq!(failing(&agent), vec![]);
    // From about -2.6 dBm at 1 dB/min it leaves the -10 dBm window within ~9 minutes.
    tokio::time::sleep(Duration::from_secs(600)).await;
    let f = failing(&agent);
    assert!(f.contains(&("link2".into(), "rx_power_in_range")), "{f:?}");
    assert!(f.contains(&("link2".into(), "stable")), "{f:?}");
    assert!(!f.iter().any(|(l, _)| l == "link1"));
    agent.shutdown().await;
}
