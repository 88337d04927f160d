//! Each scenario produces what its name promises.

use std::time::{Duration, SystemTime};

use super::*;
use crate::domain::{Direction, LinkId, LinkTracker, PowerInputs, Windows};

fn clock(secs: u64, poll: u64) -> SimClock {
    SimClock {
        elapsed: Duration::from_secs(secs),
        started_wall: SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000),
        poll,
    }
}

fn iface(name: &str, scenario: Scenario) -> SimInterface {
    SimInterface::new(name, scenario)
}

/// The readiness power check, with the lanes the simulated optic declares.
fn in_window(r: &LinkReading, d: Direction) -> bool {
    let expected = LinkTracker::default().expected_lanes(r);
    PowerInputs {
        link: LinkId::Link1,
        reading: r,
        windows: &Windows::default(),
        expected_lanes: &expected,
        azure_rx: &[],
    }
    .check(d)
    .0
}

#[test]
fn healthy_is_up_and_inside_the_window_on_every_lane() {
    for name in ["HundredGigE0/0/0", "TenGigE0/0/1", "et-0/0/2"] {
        for poll in 0..50 {
            let r = read(
                7,
                name,
                &iface(name, Scenario::Healthy),
                clock(poll * 10, poll),
            );
            assert_eq!(r.admin_status, AdminStatus::Up);
            assert_eq!(r.oper_status, OperStatus::Up);
            assert!(
                in_window(&r, Direction::Rx) && in_window(&r, Direction::Tx),
                "{name} {r:?}"
            );
        }
    }
}

#[test]
fn optics_have_the_right_lanes() {
    let hu = read(
        1,
        "HundredGigE0/0/0",
        &iface("HundredGigE0/0/0", Scenario::Healthy),
        clock(0, 0),
    );
    let lanes: Vec<u16> = hu
        .optic
        .as_ref()
        .unwrap()
        .lanes
        .iter()
        .map(|l| l.lane)
        .collect();
    assert_eq!(lanes, vec![0, 1, 2, 3]);
    let te = read(
        1,
        "TenGigE0/0/0",
        &iface("TenGigE0/0/0", Scenario::Healthy),
        clock(0, 0),
    );
    assert!(te.optic.as_ref().unwrap().lanes.is_empty());
    assert!(te.optic.as_ref().unwrap().bias_amperes.is_some());
}

#[test]
fn dirty_connector_reads_about_minus_fourteen() {
    let r = read(
        7,
        "Hu0/0/1",
        &iface("Hu0/0/1", Scenario::DirtyConnector),
        clock(0, 0),
    );
    for lane in &r.optic.as_ref().unwrap().lanes {
        let v = lane.rx.dbm().unwrap();
        assert!((-14.9..=-13.1).contains(&v), "lane {} at {v}", lane.lane);
    }
    assert_eq!(r.oper_status, OperStatus::Up);
    assert!(!in_window(&r, Direction::Rx));
    assert!(in_window(&r, Direction::Tx));
}

#[test]
fn unplugged_is_dark_and_down() {
    let r = read(
        7,
        "Hu0/0/1",
        &iface("Hu0/0/1", Scenario::Unplugged),
        clock(0, 0),
    );
    let optic = r.optic.as_ref().unwrap();
    assert_eq!(optic.lanes.len(), 4);
    assert!(optic.lanes.iter().all(|l| l.rx.is_no_light()));
    assert_eq!(
        optic.rx,
        OpticalPower::NotSupported,
        "no module total for multi-lane optics"
    );
    assert_eq!(r.oper_status, OperStatus::Down);
    let te = read(
        7,
        "TenGigE0/1",
        &iface("TenGigE0/1", Scenario::Unplugged),
        clock(0, 0),
    );
    assert!(te.optic.unwrap().rx.is_no_light());
}

#[test]
fn admin_down_turns_the_laser_off() {
    let r = read(
        7,
        "Hu0/0/1",
        &iface("Hu0/0/1", Scenario::AdminDown),
        clock(0, 0),
    );
    assert_eq!(r.admin_status, AdminStatus::Down);
    assert_eq!(r.oper_status, OperStatus::Down);
    assert!(r
        .optic
        .as_ref()
        .unwrap()
        .lanes
        .iter()
        .all(|l| l.tx.is_no_light()));
}

#[test]
fn flapping_toggles_every_period_and_moves_last_change() {
    let mut i = iface("Hu0/0/1", Scenario::Flapping);
    i.flap_period = Duration::from_secs(20);
    let states: Vec<OperStatus> = [0, 19, 20, 39, 40]
        .iter()
        .map(|s| read(7, "Hu0/0/1", &i, clock(*s, 0)).oper_status)
        .collect();
    use OperStatus::{Down, Up};
    assert_eq!(states, vec![Up, Up, Down, Down, Up]);
    let a = read(7, "Hu0/0/1", &i, clock(41, 0)).last_change;
    let b = read(7, "Hu0/0/1", &i, clock(81, 0)).last_change;
    assert_eq!(
        b.unwrap().duration_since(a.unwrap()).unwrap(),
        Duration::from_secs(40)
    );
}

#[test]
fn degrading_falls_until_it_crosses_the_low_alarm() {
    let mut i = iface("TenGigE0/0/1", Scenario::Degrading);
    i.degrade_db_per_minute = 6.0;
    let rx_at = |secs| {
        read(7, "TenGigE0/0/1", &i, clock(secs, 0))
            .optic
            .unwrap()
            .rx
            .dbm()
            .unwrap()
    };
    let (a, b, c) = (rx_at(0), rx_at(60), rx_at(120));
    assert!(a > b && b > c, "{a} {b} {c}");
    assert!((a - b - 6.0).abs() < 0.2);
    let late = read(7, "TenGigE0/0/1", &i, clock(3600, 0)).optic.unwrap();
    let v = late.rx.dbm().unwrap();
    assert!(
        late.rx_thresholds.alarm_crossed(v).is_some(),
        "{v} did not cross the low alarm"
    );
}

#[test]
fn lane_fault_darkens_exactly_one_lane_of_four() {
    let r = read(
        7,
        "TenGigE0/0/1",
        &iface("TenGigE0/0/1", Scenario::LaneFault),
        clock(0, 0),
    );
    let lanes = &r.optic.as_ref().unwrap().lanes;
    assert_eq!(lanes.len(), 4, "lane-fault always simulates a 4-lane optic");
    let dark: Vec<u16> = lanes
        .iter()
        .filter(|l| l.rx.is_no_light())
        .map(|l| l.lane)
        .collect();
    assert_eq!(dark, vec![FAULTY_LANE]);
}

#[test]
fn tx_fault_is_dark_on_tx_with_rx_intact() {
    let r = read(
        7,
        "TenGigE0/1",
        &iface("TenGigE0/1", Scenario::TxFault),
        clock(0, 0),
    );
    let optic = r.optic.as_ref().unwrap();
    assert!(optic.tx.is_no_light());
    assert!(optic.rx.dbm().is_some());
    assert_eq!(
        optic.bias_amperes,
        Some(0.0),
        "a failed laser draws no bias"
    );
    assert_eq!(r.oper_status, OperStatus::Down);
}

#[test]
fn same_seed_same_readings_other_seed_other_readings() {
    let i = iface("Hu0/0/0", Scenario::Healthy);
    let a = read(7, "Hu0/0/0", &i, clock(10, 3));
    assert_eq!(a, read(7, "Hu0/0/0", &i, clock(10, 3)));
    assert_ne!(a.optic, read(8, "Hu0/0/0", &i, clock(10, 3)).optic);
    assert_ne!(
        a.optic,
        read(7, "Hu0/0/0", &i, clock(20, 4)).optic,
        "noise moves with the poll"
    );
}
