//! Every readiness check, pass and fail. Time is passed in as `Instant`s built from one
//! origin, so hold-down and staleness are exact and nothing sleeps.

use std::time::{Duration, Instant, SystemTime};

use super::*;
use crate::domain::power::OpticalPower;
use crate::domain::reading::{LaneReading, OpticReading};

const HOLD: Duration = Duration::from_secs(300);
const STALE: Duration = Duration::from_secs(30);

fn policy() -> LinkPolicy {
    LinkPolicy {
        windows: Windows::default(),
        hold_down: HOLD,
        staleness: STALE,
    }
}

fn p(dbm: f64) -> OpticalPower {
    OpticalPower::from_dbm(dbm).unwrap()
}

fn healthy() -> LinkReading {
    LinkReading {
        admin_status: AdminStatus::Up,
        oper_status: OperStatus::Up,
        last_change: Some(SystemTime::UNIX_EPOCH),
        optic: Some(OpticReading {
            rx: p(-3.0),
            tx: p(-1.5),
            lanes: vec![],
            bias_amperes: Some(0.04),
            temperature_celsius: Some(35.0),
            voltage_volts: Some(3.3),
            rx_thresholds: Default::default(),
            tx_thresholds: Default::default(),
            lane_count: None,
            standard: None,
        }),
        note: None,
        details: Default::default(),
    }
}

/// Observes `reading` every 10 s from `t0` for `span`, then evaluates at the last poll.
fn run(
    link: LinkId,
    reading: &LinkReading,
    azure: AzureAdminState,
    t0: Instant,
    span: Duration,
) -> LinkReadiness {
    let mut tracker = LinkTracker::default();
    let mut t = t0;
    loop {
        tracker.observe(link, reading, &Windows::default(), STALE, t);
        if t >= t0 + span {
            break;
        }
        t += Duration::from_secs(10);
    }
    let inputs = LinkInputs {
        link,
        azure: AzureInput::Declared(azure),
        reading: Some(reading),
        read_at: Some(t),
        error: None,
        tracker: &tracker,
    };
    evaluate_link(&inputs, &policy(), t)
}

fn check(r: &LinkReadiness, name: CheckName) -> &Check {
    r.checks.iter().find(|c| c.name == name).unwrap()
}

fn failing_names(r: &LinkReadiness) -> Vec<&'static str> {
    r.failing().map(|c| c.name.as_str()).collect()
}

#[test]
fn a_healthy_link_is_ready_after_the_hold_down() {
    let t0 = Instant::now();
    let r = run(
        LinkId::Link1,
        &healthy(),
        AzureAdminState::Enabled,
        t0,
        HOLD,
    );
    assert!(r.ready(), "{:?}", failing_names(&r));
    let without_line_protocol: Vec<CheckName> = CheckName::ALL
        .into_iter()
        .filter(|c| {
            !matches!(
                c,
                CheckName::AzureLineProtocolUp | CheckName::AzureProvisioned
            )
        })
        .collect();
    assert_eq!(
        r.checks.iter().map(|c| c.name).collect::<Vec<_>>(),
        without_line_protocol
    );
    assert_eq!(
        check(&r, CheckName::Stable).detail,
        "link1 stable for 5m (hold-down 5m)"
    );
}

#[test]
fn a_healthy_link_is_not_ready_before_the_hold_down() {
    let t0 = Instant::now();
    let r = run(
        LinkId::Link1,
        &healthy(),
        AzureAdminState::Enabled,
        t0,
        HOLD - Duration::from_secs(10),
    );
    assert_eq!(failing_names(&r), vec!["stable"]);
    assert_eq!(
        check(&r, CheckName::Stable).detail,
        "link1 stable for only 4m50s of the 5m hold-down (last: readings started)"
    );
}

#[test]
fn azure_admin_state_must_be_enabled() {
    let t0 = Instant::now();
    let r = run(
        LinkId::Link2,
        &healthy(),
        AzureAdminState::Disabled,
        t0,
        HOLD,
    );
    assert_eq!(failing_names(&r), vec!["azure_admin_enabled"]);
    assert_eq!(
        check(&r, CheckName::AzureAdminEnabled).detail,
        "link2 Azure admin state disabled (declared in the config)"
    );
    let r = run(
        LinkId::Link2,
        &healthy(),
        AzureAdminState::Unknown,
        t0,
        HOLD,
    );
    assert_eq!(failing_names(&r), vec!["azure_admin_enabled"]);
    assert!(check(&r, CheckName::AzureAdminEnabled)
        .detail
        .contains("unknown"));
}

#[test]
fn local_admin_down_fails_admin_oper_and_stability() {
    let mut reading = healthy();
    reading.admin_status = AdminStatus::Down;
    reading.oper_status = OperStatus::Down;
    let r = run(
        LinkId::Link1,
        &reading,
        AzureAdminState::Enabled,
        Instant::now(),
        HOLD,
    );
    assert_eq!(
        failing_names(&r),
        vec!["local_admin_up", "oper_up", "stable"]
    );
    assert_eq!(
        check(&r, CheckName::LocalAdminUp).detail,
        "link1 admin status down"
    );
}

#[test]
fn oper_lower_layer_down_is_named_as_if_mib_names_it() {
    let mut reading = healthy();
    reading.oper_status = OperStatus::LowerLayerDown;
    let r = run(
        LinkId::Link1,
        &reading,
        AzureAdminState::Enabled,
        Instant::now(),
        HOLD,
    );
    assert_eq!(
        check(&r, CheckName::OperUp).detail,
        "link1 oper status lowerLayerDown"
    );
    assert!(!r.ready());
}

#[test]
fn rx_out_of_window_fails_rx_only_and_names_the_lane() {
    let mut reading = healthy();
    let optic = reading.optic.as_mut().unwrap();
    optic.lanes = (0..4)
        .map(|lane| LaneReading {
            lane,
            rx: if lane == 2 { p(-14.2) } else { p(-2.0) },
            tx: p(-1.0),
            bias_amperes: None,
        })
        .collect();
    let r = run(
        LinkId::Link2,
        &reading,
        AzureAdminState::Enabled,
        Instant::now(),
        HOLD,
    );
    assert_eq!(failing_names(&r), vec!["rx_power_in_range", "stable"]);
    assert_eq!(
        check(&r, CheckName::RxPowerInRange).detail,
        "link2 rx -14.20 dBm below -10.00 dBm (lane 2)"
    );
}

#[test]
fn tx_dark_fails_tx() {
    let mut reading = healthy();
    reading.optic.as_mut().unwrap().tx = OpticalPower::NoLight;
    let r = run(
        LinkId::Link1,
        &reading,
        AzureAdminState::Enabled,
        Instant::now(),
        HOLD,
    );
    assert_eq!(failing_names(&r), vec!["tx_power_in_range", "stable"]);
    assert_eq!(
        check(&r, CheckName::TxPowerInRange).detail,
        "link1 tx no light"
    );
}

#[test]
fn a_stale_reading_fails_fresh() {
    let t0 = Instant::now();
    let reading = healthy();
    let mut tracker = LinkTracker::default();
    tracker.observe(LinkId::Link1, &reading, &Windows::default(), STALE, t0);
    let now = t0 + HOLD + Duration::from_secs(1);
    let inputs = LinkInputs {
        link: LinkId::Link1,
        azure: AzureInput::Declared(AzureAdminState::Enabled),
        reading: Some(&reading),
        read_at: Some(t0),
        error: Some("poll timed out after 5s"),
        tracker: &tracker,
    };
    let r = evaluate_link(&inputs, &policy(), now);
    assert_eq!(failing_names(&r), vec!["fresh"]);
    assert_eq!(
        check(&r, CheckName::Fresh).detail,
        "link1 last read 5m1s ago, older than 30s (last error: poll timed out after 5s)"
    );
    // Exactly at the staleness limit it is still fresh.
    let r = evaluate_link(&inputs, &policy(), t0 + STALE);
    assert!(check(&r, CheckName::Fresh).pass);
}

#[test]
fn no_reading_fails_everything_with_the_error() {
    let tracker = LinkTracker::default();
    let inputs = LinkInputs {
        link: LinkId::Link2,
        azure: AzureInput::Declared(AzureAdminState::Enabled),
        reading: None,
        read_at: None,
        error: Some("connection refused"),
        tracker: &tracker,
    };
    let r = evaluate_link(&inputs, &policy(), Instant::now());
    assert_eq!(
        failing_names(&r),
        vec![
            "local_admin_up",
            "oper_up",
            "rx_power_in_range",
            "tx_power_in_range",
            "stable",
            "fresh"
        ]
    );
    // The reason is named once, under fresh; the others say they could not be read.
    assert_eq!(
        check(&r, CheckName::OperUp).detail,
        "link2 oper status unknown: the link was not read (see fresh)"
    );
    assert_eq!(
        r.checks
            .iter()
            .filter(|c| c.detail.contains("connection refused"))
            .count(),
        1
    );
    assert_eq!(
        check(&r, CheckName::Fresh).detail,
        "link2 never read (last error: connection refused)"
    );
}

#[test]
fn a_flap_during_the_hold_down_keeps_the_link_unready() {
    let t0 = Instant::now();
    let w = Windows::default();
    let mut tracker = LinkTracker::default();
    let up = healthy();
    let mut down = healthy();
    down.oper_status = OperStatus::Down;
    tracker.observe(LinkId::Link1, &up, &w, STALE, t0);
    tracker.observe(
        LinkId::Link1,
        &down,
        &w,
        STALE,
        t0 + Duration::from_secs(200),
    );
    tracker.observe(LinkId::Link1, &up, &w, STALE, t0 + Duration::from_secs(210));
    let now = t0 + Duration::from_secs(400);
    let inputs = LinkInputs {
        link: LinkId::Link1,
        azure: AzureInput::Declared(AzureAdminState::Enabled),
        reading: Some(&up),
        read_at: Some(now),
        error: None,
        tracker: &tracker,
    };
    let r = evaluate_link(&inputs, &policy(), now);
    assert_eq!(failing_names(&r), vec!["stable"]);
    assert!(check(&r, CheckName::Stable)
        .detail
        .contains("oper status changed down -> up"));
    // Once the hold-down has passed since the flap, it is ready.
    let later = t0 + Duration::from_secs(510);
    let inputs = LinkInputs {
        read_at: Some(later),
        ..inputs
    };
    assert!(evaluate_link(&inputs, &policy(), later).ready());
}

#[test]
fn the_port_is_ready_only_when_both_links_are() {
    let t0 = Instant::now();
    let good = run(
        LinkId::Link1,
        &healthy(),
        AzureAdminState::Enabled,
        t0,
        HOLD,
    );
    let mut dirty = healthy();
    dirty.optic.as_mut().unwrap().rx = p(-14.0);
    let bad = run(LinkId::Link2, &dirty, AzureAdminState::Enabled, t0, HOLD);
    let port = PortReadiness {
        link1: good.clone(),
        link2: bad,
    };
    assert!(!port.ready());
    let port = PortReadiness {
        link1: good.clone(),
        link2: run(
            LinkId::Link2,
            &healthy(),
            AzureAdminState::Enabled,
            t0,
            HOLD,
        ),
    };
    assert!(port.ready());
}

fn with_azure(azure: AzureInput<'_>) -> LinkReadiness {
    let t0 = Instant::now();
    let reading = healthy();
    let mut tracker = LinkTracker::default();
    tracker.observe(LinkId::Link1, &reading, &Windows::default(), STALE, t0);
    let now = t0 + HOLD;
    let inputs = LinkInputs {
        link: LinkId::Link1,
        azure,
        reading: Some(&reading),
        read_at: Some(now),
        error: None,
        tracker: &tracker,
    };
    evaluate_link(&inputs, &policy(), now)
}

fn provisioned() -> AzureProvisioning {
    AzureProvisioning {
        port: Some("Succeeded".into()),
        link: Some("Succeeded".into()),
    }
}

#[test]
fn a_port_or_link_azure_has_not_provisioned_fails_in_azures_words() {
    for (port, link, words) in [
        (
            Some("Failed"),
            Some("Succeeded"),
            "the port's provisioningState is Failed",
        ),
        (
            Some("Succeeded"),
            Some("Updating"),
            "the link's provisioningState is Updating",
        ),
        (
            Some("Deleting"),
            Some("Succeeded"),
            "the port's provisioningState is Deleting",
        ),
        (
            None,
            Some("Succeeded"),
            "Azure gives no provisioningState for the port",
        ),
        (
            Some("Succeeded"),
            Some("SomethingNew"),
            "provisioningState is SomethingNew",
        ),
    ] {
        let p = AzureProvisioning {
            port: port.map(str::to_string),
            link: link.map(str::to_string),
        };
        let r = with_azure(AzureInput::Observed {
            stale: None,
            admin: AzureAdminState::Enabled,
            line_protocol_up: Some(true),
            received: &[],
            provisioning: &p,
            admin_said: None,
        });
        assert_eq!(failing_names(&r), vec!["azure_provisioned"], "{p:?}");
        let detail = &check(&r, CheckName::AzureProvisioned).detail;
        assert!(detail.contains(words), "{detail}");
    }
}

#[test]
fn observed_azure_state_adds_the_line_protocol_check() {
    let r = with_azure(AzureInput::Observed {
        stale: None,
        admin: AzureAdminState::Enabled,
        line_protocol_up: Some(true),
        received: &[],
        provisioning: &provisioned(),
        admin_said: None,
    });
    assert!(r.ready(), "{:?}", failing_names(&r));
    assert_eq!(
        check(&r, CheckName::AzureAdminEnabled).detail,
        "link1 Azure admin state enabled (observed from Azure)"
    );
    assert_eq!(
        check(&r, CheckName::AzureLineProtocolUp).detail,
        "link1 Azure line protocol up"
    );
    let r = with_azure(AzureInput::Observed {
        stale: None,
        admin: AzureAdminState::Enabled,
        line_protocol_up: Some(false),
        received: &[],
        provisioning: &provisioned(),
        admin_said: None,
    });
    assert_eq!(failing_names(&r), vec!["azure_line_protocol_up"]);
    let r = with_azure(AzureInput::Observed {
        stale: None,
        admin: AzureAdminState::Disabled,
        line_protocol_up: None,
        received: &[],
        provisioning: &provisioned(),
        admin_said: None,
    });
    assert_eq!(
        failing_names(&r),
        vec!["azure_admin_enabled", "azure_line_protocol_up"]
    );
}

#[test]
fn unavailable_azure_state_fails_with_the_reason() {
    let r = with_azure(AzureInput::Unavailable("HTTP 403 AuthorizationFailed"));
    assert_eq!(
        failing_names(&r),
        vec!["azure_admin_enabled", "azure_line_protocol_up"]
    );
    assert_eq!(
        check(&r, CheckName::AzureAdminEnabled).detail,
        "link1 Azure admin state unknown (not observed from Azure: HTTP 403 AuthorizationFailed)"
    );
}
