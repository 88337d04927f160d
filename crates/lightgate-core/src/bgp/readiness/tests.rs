use std::time::Duration;

use super::*;
use crate::bgp::{Asn, Family, PrefixCounts};

fn spec(kind: PeeringKind) -> PeeringSpec {
    let mut s = PeeringSpec::new("ckt-1", kind.as_str(), kind);
    s.primary = Some("192.168.100.128/30".parse().unwrap());
    s.secondary = Some("192.168.100.132/30".parse().unwrap());
    s.hold_down = Duration::from_secs(60);
    s
}

fn up(peer: &str, seconds: u64, received: u64, advertised: Option<u64>) -> BgpSession {
    let mut s = BgpSession::new(peer.parse().unwrap(), BgpState::Established);
    s.remote_as = Some(Asn(12076));
    s.established_seconds = Some(seconds);
    s.prefixes.push(PrefixCounts {
        family: Family::ipv4_unicast(),
        received: None,
        accepted: Some(received),
        advertised,
    });
    s
}

fn eval(spec: &PeeringSpec, r1: &[BgpSession], r2: &[BgpSession]) -> PeeringReadiness {
    evaluate_peering(
        spec,
        [
            RouterSessions {
                link: LinkId::Link1,
                device: "edge1",
                sessions: Some(r1),
                age: Some(Duration::from_secs(5)),
                error: None,
            },
            RouterSessions {
                link: LinkId::Link2,
                device: "edge2",
                sessions: Some(r2),
                age: Some(Duration::from_secs(5)),
                error: None,
            },
        ],
        Duration::from_secs(120),
    )
}

fn check(r: &PeeringReadiness, n: PeeringCheckName) -> &PeeringCheck {
    r.checks.iter().find(|c| c.name == n).unwrap()
}

#[test]
fn both_sessions_up_stable_with_prefixes_is_ready() {
    let r = eval(
        &spec(PeeringKind::Private),
        &[up("192.168.100.130", 600, 12, Some(40))],
        &[up("192.168.100.134", 600, 12, Some(40))],
    );
    assert!(r.ready(), "{:#?}", r.checks);
    assert_eq!(r.sessions.len(), 2);
    assert_eq!(r.sessions[0].limit, 4000);
    assert!(r.sessions.iter().all(|s| s.pass));
}

#[test]
fn each_session_is_also_judged_alone() {
    // link1 fine; link2 up but too young: only link2's session fails on its own.
    let r = eval(
        &spec(PeeringKind::Private),
        &[up("192.168.100.130", 600, 12, Some(40))],
        &[up("192.168.100.134", 10, 12, Some(40))],
    );
    assert!(!r.ready());
    assert!(r.sessions[0].pass);
    assert!(!r.sessions[1].pass);
    // A missing neighbour fails alone too.
    let r = eval(
        &spec(PeeringKind::Private),
        &[up("192.168.100.130", 600, 12, Some(40))],
        &[],
    );
    assert!(r.sessions[0].pass && !r.sessions[1].pass);
}

#[test]
fn a_session_on_the_wrong_link_does_not_count() {
    // Both sessions configured on edge1: link2's router has none.
    let r = eval(
        &spec(PeeringKind::Private),
        &[
            up("192.168.100.130", 600, 12, Some(4)),
            up("192.168.100.134", 600, 12, Some(4)),
        ],
        &[],
    );
    assert!(!r.ready());
    let c = check(&r, PeeringCheckName::BgpEstablished);
    assert!(!c.pass);
    assert!(
        c.detail
            .contains("link2 edge2 to 192.168.100.134: no such BGP neighbour"),
        "{}",
        c.detail
    );
}

#[test]
fn down_wrong_as_and_as_trans_fail_with_the_reason() {
    let mut down = up("192.168.100.134", 0, 0, None);
    down.state = BgpState::Active;
    let r = eval(
        &spec(PeeringKind::Private),
        &[up("192.168.100.130", 600, 1, Some(1))],
        &[down],
    );
    assert!(check(&r, PeeringCheckName::BgpEstablished)
        .detail
        .contains("active (not established)"));
    assert!(!check(&r, PeeringCheckName::BgpStable).pass);

    let mut wrong = up("192.168.100.130", 600, 1, Some(1));
    wrong.remote_as = Some(Asn(65001));
    let r = eval(
        &spec(PeeringKind::Private),
        &[wrong.clone()],
        &[up("192.168.100.134", 600, 1, Some(1))],
    );
    assert!(check(&r, PeeringCheckName::BgpEstablished)
        .detail
        .contains("AS 65001, not Microsoft's 12076"));
    wrong.remote_as = Some(Asn(23456));
    let r = eval(
        &spec(PeeringKind::Private),
        &[wrong],
        &[up("192.168.100.134", 600, 1, Some(1))],
    );
    assert!(check(&r, PeeringCheckName::BgpEstablished)
        .detail
        .contains("AS_TRANS"));
}

#[test]
fn unread_or_stale_routers_never_pass() {
    let s = spec(PeeringKind::Private);
    let one = [up("192.168.100.130", 600, 1, Some(1))];
    let r = evaluate_peering(
        &s,
        [
            RouterSessions {
                link: LinkId::Link1,
                device: "edge1",
                sessions: Some(&one),
                age: Some(Duration::from_secs(500)),
                error: Some("timeout"),
            },
            RouterSessions {
                link: LinkId::Link2,
                device: "edge2",
                sessions: None,
                age: None,
                error: None,
            },
        ],
        Duration::from_secs(120),
    );
    let d = &check(&r, PeeringCheckName::BgpEstablished).detail;
    assert!(d.contains("last read 8m20s ago"), "{d}");
    assert!(
        d.contains("edge2 to 192.168.100.134: BGP sessions not read yet"),
        "{d}"
    );
    assert!(!r.ready());
}

#[test]
fn hold_down_prefixes_and_headroom() {
    let s = spec(PeeringKind::Private);
    let r = eval(
        &s,
        &[up("192.168.100.130", 30, 1, Some(1))],
        &[up("192.168.100.134", 600, 0, Some(1))],
    );
    assert!(check(&r, PeeringCheckName::BgpStable)
        .detail
        .contains("up 30s of the 1m hold-down"));
    assert!(check(&r, PeeringCheckName::PrefixesReceived)
        .detail
        .contains("0 prefixes received in ipv4/unicast, fewer than the 1"));

    // 3300 of 4000 passes with a warning; 4000 fails.
    let r = eval(
        &s,
        &[up("192.168.100.130", 600, 1, Some(3300))],
        &[up("192.168.100.134", 600, 1, Some(4000))],
    );
    let c = check(&r, PeeringCheckName::PrefixLimitHeadroom);
    assert!(!c.pass);
    assert!(
        c.detail
            .contains("warning: 3300 prefixes advertised in ipv4/unicast, 82 %"),
        "{}",
        c.detail
    );
    assert!(c.detail.contains("Microsoft drops the session"));

    // Not reported, not declared: fails; declared: judged, marked declared.
    let mut s2 = spec(PeeringKind::Microsoft);
    s2.advertised_prefixes = vec![prefixes("IPv4", "Configured")];
    let r = eval(
        &s2,
        &[up("192.168.100.130", 600, 5, None)],
        &[up("192.168.100.134", 600, 5, None)],
    );
    assert!(!check(&r, PeeringCheckName::PrefixLimitHeadroom).pass);
    s2.advertised_declared = (Some(20), None);
    let r = eval(
        &s2,
        &[up("192.168.100.130", 600, 5, None)],
        &[up("192.168.100.134", 600, 5, None)],
    );
    let c = check(&r, PeeringCheckName::PrefixLimitHeadroom);
    assert!(c.pass, "{}", c.detail);
    assert!(c
        .detail
        .contains("20 of 200 prefixes advertised (declared)"));
    assert!(r.ready(), "{:#?}", r.checks);
}

#[test]
fn microsoft_peering_needs_configured_prefixes_from_azure() {
    let mut s = spec(PeeringKind::Microsoft);
    let a = [up("192.168.100.130", 600, 5, Some(5))];
    let b = [up("192.168.100.134", 600, 5, Some(5))];
    assert!(
        !check(
            &eval(&s, &a, &b),
            PeeringCheckName::AdvertisedPrefixesConfigured
        )
        .pass
    );
    s.advertised_prefixes = vec![prefixes("IPv4", "ValidationNeeded")];
    assert!(check(
        &eval(&s, &a, &b),
        PeeringCheckName::AdvertisedPrefixesConfigured
    )
    .detail
    .contains("proof"));
    s.advertised_prefixes = vec![prefixes("IPv4", "Configured")];
    assert!(eval(&s, &a, &b).ready());
}

fn prefixes(family: &'static str, state: &str) -> crate::domain::AdvertisedPrefixes {
    crate::domain::AdvertisedPrefixes {
        family,
        state: state.to_string(),
        prefixes: vec![crate::domain::AzurePrefix {
            prefix: if family == "IPv4" {
                "198.51.100.0/24"
            } else {
                "2001:db8:100::/48"
            }
            .to_string(),
            validation_state: state.to_string(),
        }],
    }
}

#[test]
fn every_address_family_of_a_microsoft_peering_is_judged() {
    let mut s = spec(PeeringKind::Microsoft);
    s.ipv6_primary = Some("2001:db8:1::/126".parse().unwrap());
    s.ipv6_secondary = Some("2001:db8:1::4/126".parse().unwrap());
    let a = [up("192.168.100.130", 600, 5, Some(5))];
    let b = [up("192.168.100.134", 600, 5, Some(5))];
    // IPv4 Configured, IPv6 waiting for validation: not ready, IPv6 and its prefix named.
    s.advertised_prefixes = vec![
        prefixes("IPv4", "Configured"),
        prefixes("IPv6", "ValidationNeeded"),
    ];
    let c = eval(&s, &a, &b);
    let c = check(&c, PeeringCheckName::AdvertisedPrefixesConfigured);
    assert!(!c.pass, "{c:?}");
    assert!(
        c.detail
            .contains("IPv6: Azure: ValidationNeeded (2001:db8:100::/48 ValidationNeeded)"),
        "{}",
        c.detail
    );
    assert!(
        c.detail
            .contains("IPv4: Azure: advertised public prefixes Configured"),
        "{}",
        c.detail
    );
    // IPv6 subnets but no IPv6 state at all: unknown, never a pass.
    s.advertised_prefixes = vec![prefixes("IPv4", "Configured")];
    let c = eval(&s, &a, &b);
    let c = check(&c, PeeringCheckName::AdvertisedPrefixesConfigured);
    assert!(!c.pass && c.detail.contains("IPv6: unknown"), "{c:?}");
    s.advertised_prefixes = vec![
        prefixes("IPv4", "Configured"),
        prefixes("IPv6", "Configured"),
    ];
    let c = eval(&s, &a, &b);
    assert!(check(&c, PeeringCheckName::AdvertisedPrefixesConfigured).pass);
}

#[test]
fn every_vendor_name_of_the_global_table_finds_a_global_session() {
    let a = up("192.168.100.130", 600, 5, Some(5));
    let b = up("192.168.100.134", 600, 5, Some(5));
    let mut in_vrf = a.clone();
    in_vrf.vrf = Some("CUST-A".into());
    for name in ["default", "global", "master", "Base", "_public_", "DEFAULT"] {
        let mut s = spec(PeeringKind::Private);
        s.vrf = Some(name.into());
        // The same neighbour in the global table and in a VRF: the global one is meant.
        let r = eval(&s, &[a.clone(), in_vrf.clone()], std::slice::from_ref(&b));
        assert!(r.ready(), "vrf = {name:?}: {:#?}", r.checks);
        // A router that names its global table ("default") is read the same way.
        let mut named = b.clone();
        named.vrf = Some("default".into());
        assert!(
            eval(&s, std::slice::from_ref(&a), &[named]).ready(),
            "{name}"
        );
    }
    // A VRF is not the global table.
    let mut s = spec(PeeringKind::Private);
    s.vrf = Some("default".into());
    assert!(!eval(&s, std::slice::from_ref(&in_vrf), std::slice::from_ref(&b)).ready());
}

#[test]
fn a_peering_without_subnets_is_not_ready() {
    let mut s = spec(PeeringKind::Private);
    s.primary = None;
    s.secondary = None;
    let r = eval(&s, &[], &[]);
    assert!(!r.ready());
    assert!(check(&r, PeeringCheckName::BgpEstablished)
        .detail
        .contains("no primary_subnet"));
}

#[test]
fn vrf_is_matched_when_configured() {
    let mut s = spec(PeeringKind::Private);
    s.vrf = Some("AZURE".into());
    let mut a = up("192.168.100.130", 600, 5, Some(5));
    let mut b = up("192.168.100.134", 600, 5, Some(5));
    let r = eval(&s, std::slice::from_ref(&a), std::slice::from_ref(&b));
    assert!(!r.ready(), "a session in the global table is not the VRF's");
    a.vrf = Some("azure".into());
    b.vrf = Some("AZURE".into());
    assert!(eval(&s, &[a], &[b]).ready());
}

#[test]
fn the_same_neighbour_in_two_vrfs_is_never_guessed() {
    let s = spec(PeeringKind::Private);
    let mut a = up("192.168.100.130", 600, 5, Some(5));
    a.vrf = Some("CUST-A".into());
    let mut b = up("192.168.100.130", 600, 5, Some(5));
    b.vrf = Some("CUST-B".into());
    b.state = BgpState::Idle;
    let r = eval(
        &s,
        &[a.clone(), b],
        &[up("192.168.100.134", 600, 5, Some(5))],
    );
    assert!(!r.ready());
    let d = &check(&r, PeeringCheckName::BgpEstablished).detail;
    assert!(d.contains("several VRFs (CUST-A, CUST-B): set vrf"), "{d}");
    // One VRF: no ambiguity.
    assert!(eval(&s, &[a], &[up("192.168.100.134", 600, 5, Some(5))]).ready());
}

#[test]
fn a_failing_check_names_only_the_sessions_that_fail() {
    let s = spec(PeeringKind::Private);
    let mut down = up("192.168.100.134", 600, 5, Some(5));
    down.state = BgpState::Idle;
    let r = eval(&s, &[up("192.168.100.130", 600, 5, Some(5))], &[down]);
    let d = &check(&r, PeeringCheckName::BgpEstablished).detail;
    assert!(d.contains("link2 edge2 to 192.168.100.134: idle"), "{d}");
    assert!(
        !d.contains("192.168.100.130"),
        "the passing session buries the failure: {d}"
    );
    // Passing, every session is named.
    let r = eval(
        &s,
        &[up("192.168.100.130", 600, 5, Some(5))],
        &[up("192.168.100.134", 600, 5, Some(5))],
    );
    let d = &check(&r, PeeringCheckName::BgpEstablished).detail;
    assert!(
        d.contains("192.168.100.130") && d.contains("192.168.100.134"),
        "{d}"
    );
}

/// A missing neighbour names what resembles it: the same address in another VRF, the
/// router's own address configured as the neighbour, another address of the subnet,
/// and the neighbour on the other router (the subnets swapped).
#[test]
fn a_missing_neighbour_names_what_resembles_it() {
    let mut s = spec(PeeringKind::Private);
    s.vrf = Some("AZURE".to_string());
    let mut in_other_vrf = up("192.168.100.130", 600, 12, Some(40));
    in_other_vrf.vrf = Some("LAB".to_string());
    let mut own = up("192.168.100.129", 600, 12, Some(40));
    own.vrf = Some("AZURE".to_string());
    let mut swapped = up("192.168.100.134", 600, 12, Some(40));
    swapped.vrf = Some("AZURE".to_string());
    let mut primary_on_2 = up("192.168.100.130", 600, 12, Some(40));
    primary_on_2.vrf = Some("AZURE".to_string());
    let r = eval(&s, &[in_other_vrf, own, swapped], &[primary_on_2]);
    let c = check(&r, PeeringCheckName::BgpEstablished);
    assert!(!c.pass);
    let d = &c.detail;
    assert!(
        d.contains("hint: the router has a session to 192.168.100.130 in vrf LAB"),
        "{d}"
    );
    assert!(
        d.contains("hint: a neighbour is configured at 192.168.100.129, the router's own address"),
        "{d}"
    );
    assert!(
        d.contains("edge2 (the other link's router) has the session to 192.168.100.130"),
        "{d}"
    );
    assert!(
        d.contains("edge1 (the other link's router) has the session to 192.168.100.134"),
        "{d}"
    );
    // Nothing resembling it: no hint.
    let r = eval(&spec(PeeringKind::Private), &[], &[]);
    assert!(!check(&r, PeeringCheckName::BgpEstablished)
        .detail
        .contains("hint"));
}

#[test]
fn bfd_is_reported_and_blocks_only_when_the_peering_requires_it() {
    use crate::bgp::{Bfd, BfdState};
    let with = |mut s: BgpSession, state: Option<BfdState>| {
        s.bfd = state.map(|state| Bfd {
            state,
            diagnostic: (state == BfdState::Down)
                .then(|| "control detection time expired".to_string()),
        });
        s
    };
    let r1 = [with(
        up("192.168.100.130", 600, 12, Some(40)),
        Some(BfdState::Up),
    )];
    let r2 = [with(
        up("192.168.100.134", 600, 12, Some(40)),
        Some(BfdState::Down),
    )];
    let mut s = spec(PeeringKind::Private);
    let r = eval(&s, &r1, &r2);
    assert!(r.ready(), "informational: {:#?}", r.checks);
    let c = check(&r, PeeringCheckName::BfdUp);
    assert!(c.pass);
    assert!(
        c.detail.starts_with("warning: ")
            && c.detail.contains(
                "link2 edge2 to 192.168.100.134: BFD down (control detection time expired)"
            ),
        "{}",
        c.detail
    );
    s.bfd_required = true;
    let r = eval(&s, &r1, &r2);
    assert!(!r.ready());
    assert!(!check(&r, PeeringCheckName::BfdUp).pass);
    assert!(
        r.sessions[0].pass && !r.sessions[1].pass,
        "judged per session too"
    );
    // A router that reports no BFD session fails a required check, naming the fix.
    let r = eval(
        &s,
        &r1,
        &[with(up("192.168.100.134", 600, 12, Some(40)), None)],
    );
    let c = check(&r, PeeringCheckName::BfdUp);
    assert!(!c.pass);
    assert!(
        c.detail
            .contains("reports no BFD session to 192.168.100.134"),
        "{}",
        c.detail
    );
    let both = [with(
        up("192.168.100.134", 600, 12, Some(40)),
        Some(BfdState::Up),
    )];
    assert!(eval(&s, &r1, &both).ready());
}
