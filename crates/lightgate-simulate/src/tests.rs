use std::sync::Arc;

use snmp2::{MessageType, Pdu};

use super::ber;
use super::device::{SimDevice, Snapshot};
use super::fleet::simulated_flavours;
use super::layout::{Flavour, Layout, Vendor};
use super::respond::{respond, Dropped};
use lightgate_core::sim::{OpticModel, Scenario};
use lightgate_snmp::oids;
use lightgate_snmp::types::{oid, oid_from_snmp2, Oid, Value};

const GET: u8 = 0xa0;
const GET_NEXT: u8 = 0xa1;
const GET_BULK: u8 = 0xa5;

fn device(flavour: Vendor, ports: usize) -> SimDevice {
    let layout = Arc::new(Layout::new(flavour, OpticModel::HundredGigLr4, ports));
    SimDevice::new(
        "r1".into(),
        layout,
        7,
        &[Scenario::Healthy, Scenario::Unplugged],
    )
}

fn request(version: i64, community: &[u8], tag: u8, a: i64, b: i64, oids: &[Oid]) -> Vec<u8> {
    let mut vbs = Vec::new();
    for o in oids {
        ber::varbind(&mut vbs, o, &Value::Null);
    }
    ber::message(version, community, tag, 42, a, b, &vbs)
}

fn answer(dev: &SimDevice, max: usize, req: &[u8]) -> (u32, u32, Vec<(Oid, Value)>, usize) {
    let mut snap = Snapshot::default();
    let a = respond(dev, &mut snap, b"public", max, req).expect("answered");
    assert!(
        a.bytes.len() <= max,
        "{} bytes over the {max} limit",
        a.bytes.len()
    );
    let pdu = Pdu::from_bytes(&a.bytes).expect("a response snmp2 reads");
    assert_eq!(pdu.message_type, MessageType::Response);
    assert_eq!(pdu.req_id, 42);
    let vbs = pdu
        .varbinds
        .map(|(o, v)| (oid_from_snmp2(&o), Value::from(&v)))
        .collect();
    (pdu.error_status, pdu.error_index, vbs, a.varbinds_out)
}

#[test]
fn every_layout_is_sorted_without_duplicates() {
    for f in simulated_flavours() {
        for optic in OpticModel::ALL {
            let l = Layout::new(f, optic, 48);
            assert!(
                l.cells.windows(2).all(|w| w[0].0 < w[1].0),
                "{f} {optic:?} is not strictly ordered"
            );
        }
    }
}

#[test]
fn get_answers_values_and_says_which_objects_are_missing() {
    let dev = device(Vendor::Cisco, 2);
    let want = [
        oids::sys_object_id(),
        oids::if_oper_status().child(&[Vendor::Cisco.if_index(0)]),
        oids::if_oper_status().child(&[Vendor::Cisco.if_index(1)]),
        oids::if_oper_status().child(&[99]),
        oid("1.3.6.1.9.9.9.0"),
    ];
    let (status, _, vbs, _) = answer(&dev, 1472, &request(1, b"public", GET, 0, 0, &want));
    assert_eq!(status, 0);
    assert_eq!(
        vbs[0].1,
        Value::ObjectId(oid("1.3.6.1.4.1.9.12.3.1.3.1812"))
    );
    assert_eq!(vbs[1].1, Value::Integer(1), "healthy port is up");
    assert_eq!(vbs[2].1, Value::Integer(2), "unplugged port is down");
    assert_eq!(vbs[3].1, Value::NoSuchInstance);
    assert_eq!(vbs[4].1, Value::NoSuchObject);
}

#[test]
fn a_getnext_walk_visits_every_cell_once_in_order_then_ends() {
    for f in simulated_flavours() {
        let dev = device(f, 3);
        let mut cursor = oid("1.3");
        let mut seen = Vec::new();
        loop {
            let (_, _, vbs, _) = answer(
                &dev,
                1472,
                &request(1, b"public", GET_NEXT, 0, 0, &[cursor.clone()]),
            );
            let (o, v) = vbs.into_iter().next().unwrap();
            if v == Value::EndOfMibView {
                break;
            }
            assert!(o > cursor, "{f}: walked backwards at {o}");
            cursor = o.clone();
            seen.push(o);
        }
        let all: Vec<Oid> = dev.layout.cells.iter().map(|(o, _)| o.clone()).collect();
        assert_eq!(seen, all, "{f}");
    }
}

#[test]
fn v1_getnext_past_the_end_is_no_such_name() {
    let dev = device(Vendor::Juniper, 1);
    let (status, index, _, _) = answer(
        &dev,
        1472,
        &request(0, b"public", GET_NEXT, 0, 0, &[oid("1.3.6.1.9")]),
    );
    assert_eq!((status, index), (2, 1));
}

#[test]
fn getbulk_fills_the_response_up_to_the_size_limit_and_no_further() {
    let dev = device(Vendor::Arista, 48);
    let root = oids::ent_physical_name();
    let (status, _, vbs, counted) = answer(
        &dev,
        1472,
        &request(1, b"public", GET_BULK, 0, 1000, std::slice::from_ref(&root)),
    );
    assert_eq!(status, 0);
    assert!(vbs.len() > 10, "only {} varbinds", vbs.len());
    assert!(vbs.len() < 1000, "the size limit was ignored");
    assert_eq!(counted, vbs.len());
    // The varbinds are the consecutive cells of the tree.
    let start = dev.layout.next_after(&root);
    for (n, (o, _)) in vbs.iter().enumerate() {
        assert_eq!(*o, dev.layout.cells[start + n].0);
    }
    // A larger limit gives more.
    let (_, _, more, _) = answer(
        &dev,
        8192,
        &request(1, b"public", GET_BULK, 0, 1000, &[root]),
    );
    assert!(more.len() > vbs.len());
}

#[test]
fn getbulk_non_repeaters_are_answered_once() {
    let dev = device(Vendor::Cisco, 2);
    let req = request(
        1,
        b"public",
        GET_BULK,
        1,
        3,
        &[oid("1.3.6.1.2.1.1.2"), oids::if_descr()],
    );
    let (_, _, vbs, _) = answer(&dev, 1472, &req);
    assert_eq!(vbs[0].0, oids::sys_object_id());
    // 2 descriptions, then the next column: 3 repetitions of one repeater.
    assert_eq!(vbs.len(), 1 + 3);
    assert_eq!(
        vbs[1].0,
        oids::if_descr().child(&[Vendor::Cisco.if_index(0)])
    );
}

#[test]
fn a_get_too_big_for_one_response_is_answered_too_big() {
    let dev = device(Vendor::Cisco, 48);
    let want: Vec<Oid> = dev
        .layout
        .cells
        .iter()
        .take(200)
        .map(|(o, _)| o.clone())
        .collect();
    let (status, _, vbs, _) = answer(&dev, 1472, &request(1, b"public", GET, 0, 0, &want));
    assert_eq!(status, ber::status::TOO_BIG as u32);
    assert!(vbs.is_empty());
    let (status, _, vbs, _) = answer(&dev, 65_000, &request(1, b"public", GET, 0, 0, &want));
    assert_eq!(status, 0);
    assert_eq!(vbs.len(), 200);
}

#[test]
fn garbage_wrong_communities_sets_and_v3_are_dropped_with_a_reason() {
    let dev = device(Vendor::Cisco, 1);
    let mut snap = Snapshot::default();
    let mut drop = |bytes: &[u8]| respond(&dev, &mut snap, b"public", 1472, bytes).unwrap_err();
    assert!(matches!(drop(b"\x30\x03\x02\x01"), Dropped::Garbled(_)));
    assert!(matches!(drop(&[]), Dropped::Garbled(_)));
    assert_eq!(
        drop(&request(1, b"private", GET, 0, 0, &[oids::sys_uptime()])),
        Dropped::BadCommunity
    );
    assert!(matches!(
        drop(&request(1, b"public", 0xa3, 0, 0, &[oids::sys_uptime()])),
        Dropped::Unsupported(_)
    ));
    assert_eq!(drop(&V3_DISCOVERY), Dropped::Version3);
}

/// An SNMPv3 discovery request (net-snmp's, as sent by snmpget -v3).
const V3_DISCOVERY: [u8; 60] = [
    0x30, 0x3a, 0x02, 0x01, 0x03, 0x30, 0x0f, 0x02, 0x02, 0x4a, 0x69, 0x02, 0x03, 0x00, 0xff, 0xe3,
    0x04, 0x01, 0x04, 0x02, 0x01, 0x03, 0x04, 0x10, 0x30, 0x0e, 0x04, 0x00, 0x02, 0x01, 0x00, 0x02,
    0x01, 0x00, 0x04, 0x00, 0x04, 0x00, 0x04, 0x00, 0x30, 0x12, 0x04, 0x00, 0x04, 0x00, 0xa0, 0x0c,
    0x02, 0x02, 0x37, 0xf0, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30, 0x00,
];

#[test]
fn a_v3_discovery_gets_a_report_with_the_engine_id() {
    let dev = device(Vendor::Cisco, 1);
    let user = crate::usm::V3User {
        name: "lightgate".into(),
        auth: crate::usm::AuthProtocol::Sha1,
        auth_password: "auth-pass-1".into(),
        priv_password: None,
    };
    let engine = crate::usm::MasterKeys::new(&user).engine("r1");
    let mut snap = Snapshot::default();
    let a = engine
        .respond(&dev, &mut snap, 1472, &V3_DISCOVERY)
        .expect("a report");
    let text = String::from_utf8_lossy(&a.bytes);
    assert!(
        text.contains("lightgate-r1"),
        "the report carries the engine ID"
    );
    // usmStatsUnknownEngineIDs.0 = 1.3.6.1.6.3.15.1.1.4.0
    let counter = [
        0x06, 0x0a, 0x2b, 0x06, 0x01, 0x06, 0x03, 0x0f, 0x01, 0x01, 0x04, 0x00,
    ];
    assert!(
        a.bytes.windows(counter.len()).any(|w| w == counter),
        "{:02x?}",
        a.bytes
    );
}

#[test]
fn a_forced_link_reads_down_and_dark_and_comes_back() {
    let dev = device(Vendor::Juniper, 1);
    let i = Vendor::Juniper.if_index(0);
    let oper = oids::if_oper_status().child(&[i]);
    let rx = oids::jnx_dom_current().child(&[oids::jnx::RX_POWER, i]);
    let read = |dev: &SimDevice| {
        let (_, _, vbs, _) = answer(
            dev,
            1472,
            &request(1, b"public", GET, 0, 0, &[oper.clone(), rx.clone()]),
        );
        (vbs[0].1.clone(), vbs[1].1.clone())
    };
    let (o, r) = read(&dev);
    assert_eq!(o, Value::Integer(1));
    assert!(
        matches!(r, Value::Integer(v) if v > -1000 && v < 0),
        "{r:?}"
    );
    assert!(dev.force(0, true));
    assert_eq!(read(&dev), (Value::Integer(2), Value::Integer(-4000)));
    assert!(dev.force(0, false));
    assert_eq!(read(&dev).0, Value::Integer(1));
    assert!(!dev.force(5, true), "no such port");
}

#[test]
fn the_scenario_mix_and_flavours_parse_and_refuse_nonsense() {
    assert_eq!(
        super::parse_mix("healthy=9, flapping=1").unwrap(),
        vec![(Scenario::Healthy, 9), (Scenario::Flapping, 1)]
    );
    assert!(super::parse_mix("healthy=x")
        .unwrap_err()
        .contains("whole number"));
    assert!(super::parse_mix("sunny")
        .unwrap_err()
        .contains("unknown scenario"));
    assert!(super::parse_mix("healthy=0").is_err());
    assert_eq!(
        super::parse_flavours("arista").unwrap(),
        vec![Vendor::Arista]
    );
    assert!(super::parse_flavours("hp").is_err());
}

#[test]
fn routers_get_consecutive_loopback_addresses_or_ports() {
    let mut s = super::FleetSettings::default();
    assert_eq!(
        super::device_address(&s, 0).unwrap().to_string(),
        "127.1.0.1:1161"
    );
    assert_eq!(
        super::device_address(&s, 300).unwrap().to_string(),
        "127.1.1.45:1161"
    );
    s.first_address = std::net::Ipv4Addr::new(127, 255, 255, 250);
    assert!(super::device_address(&s, 10).is_err());
    s.one_address = true;
    s.port = 20000;
    assert_eq!(
        super::device_address(&s, 5).unwrap().to_string(),
        "127.255.255.250:20005"
    );
}

#[test]
fn the_mix_draws_every_scenario_in_roughly_its_share() {
    let mix = super::parse_mix("healthy=3,unplugged=1").unwrap();
    let n = 4000;
    let unplugged = (0..n)
        .filter(|k| super::fleet::mix_pick(&mix, 1, k / 48, k % 48) == Scenario::Unplugged)
        .count();
    assert!((800..1200).contains(&unplugged), "{unplugged} of {n}");
}

mod garbage {
    use super::*;
    use crate::usm::{AuthProtocol, MasterKeys, V3User};
    use proptest::prelude::*;
    use std::sync::LazyLock;

    static DEV: LazyLock<SimDevice> = LazyLock::new(|| device(Vendor::Cisco, 2));
    static ENGINE: LazyLock<crate::usm::Engine> = LazyLock::new(|| {
        MasterKeys::new(&V3User {
            name: "lightgate".into(),
            auth: AuthProtocol::Sha1,
            auth_password: "auth-pass-1".into(),
            priv_password: Some("priv-pass-1".into()),
        })
        .engine("r1")
    });

    fn valid_requests() -> Vec<Vec<u8>> {
        vec![
            request(
                1,
                b"public",
                GET,
                0,
                0,
                &[oids::sys_uptime(), oids::sys_object_id()],
            ),
            request(
                1,
                b"public",
                GET_BULK,
                1,
                50,
                &[oid("1.3"), oids::if_descr()],
            ),
            request(0, b"public", GET_NEXT, 0, 0, &[oid("1.3.6.1.2.1.2")]),
            V3_DISCOVERY.to_vec(),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Whatever arrives, v1/v2c or v3, the simulator answers or drops it: no panic.
        #[test]
        fn random_datagrams_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let mut snap = Snapshot::default();
            let _ = respond(&DEV, &mut snap, b"public", 1472, &bytes);
            let _ = ENGINE.respond(&DEV, &mut snap, 1472, &bytes);
        }

        /// Valid requests with a byte changed or the tail cut off.
        #[test]
        fn damaged_requests_never_panic(which in 0usize..4, at in any::<prop::sample::Index>(), byte in any::<u8>(), cut in any::<bool>()) {
            let mut bytes = valid_requests()[which].clone();
            let i = at.index(bytes.len());
            if cut { bytes.truncate(i) } else { bytes[i] = byte }
            let mut snap = Snapshot::default();
            let _ = respond(&DEV, &mut snap, b"public", 1472, &bytes);
            // The same bytes with the version set to 3 go down the USM path.
            if bytes.len() > 4 {
                bytes[4] = 3;
            }
            let _ = ENGINE.respond(&DEV, &mut snap, 1472, &bytes);
        }
    }

    /// Cases for the slow fuzz tests (each parse of a v3 answer localizes keys: a
    /// megabyte of hashing); LIGHTGATE_FUZZ_CASES runs more.
    fn fuzz_cases(default: u32) -> u32 {
        std::env::var("LIGHTGATE_FUZZ_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(fuzz_cases(150)))]

        /// The agent's own SNMPv3 answer parsing (snmp2 with lightgate's USM settings)
        /// against a real v3 report with bytes changed and the tail cut: an error or a
        /// PDU, never a panic; the varbinds of whatever parses convert without one too.
        #[test]
        fn damaged_v3_answers_never_panic_the_client(
            changes in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
            cut in proptest::option::of(any::<prop::sample::Index>()),
            level in 0usize..3,
            cipher in 0usize..4,
        ) {
            use lightgate_snmp::settings::{AuthProtocol as A, PrivProtocol, SecurityLevel, V3Settings};
            let mut snap = Snapshot::default();
            let report = ENGINE.respond(&DEV, &mut snap, 1472, &V3_DISCOVERY).expect("a report").bytes;
            let mut bytes = report.clone();
            for (at, byte) in &changes {
                let i = at.index(bytes.len());
                bytes[i] = *byte;
            }
            if let Some(at) = cut {
                bytes.truncate(at.index(bytes.len()));
            }
            let settings = V3Settings {
                user: "lightgate".into(),
                level: [SecurityLevel::NoAuthNoPriv, SecurityLevel::AuthNoPriv, SecurityLevel::AuthPriv][level],
                auth_protocol: A::Sha1,
                auth_password: Some(lightgate_core::secret::Secret::new("auth-pass-1")),
                priv_protocol: [PrivProtocol::Des, PrivProtocol::Aes128, PrivProtocol::Aes192, PrivProtocol::Aes256][cipher],
                priv_password: Some(lightgate_core::secret::Secret::new("priv-pass-1")),
                context: None,
            };
            for parse_bytes in [&report, &bytes] {
                let mut security = lightgate_snmp::client::security(&settings);
                if let Ok(pdu) = snmp2::Pdu::from_bytes_with_security(parse_bytes, Some(&mut security)) {
                    for (_, v) in pdu.varbinds {
                        let _ = lightgate_snmp::types::Value::from(&v);
                    }
                }
            }
        }

    }
}

/// Every vendor profile, discovered and read through lightgate's SNMP layer from a
/// replay of the simulated router's cells: no socket, and every value the router holds
/// comes back (power to 0.01 dB, lanes, link state).
mod profiles_by_replay {
    use super::*;
    use lightgate_core::domain::{OperStatus, OpticalPower};
    use lightgate_snmp::client::Counters;
    use lightgate_snmp::discovery::{discover, Wanted};
    use lightgate_snmp::transport::Replay;

    fn replay_of(dev: &SimDevice) -> Replay {
        replay_with(dev, &mut Snapshot::default())
    }

    fn replay_with(dev: &SimDevice, snap: &mut Snapshot) -> Replay {
        let mut r = Replay::default();
        for (i, (o, _)) in dev.layout.cells.iter().enumerate() {
            r.set(o.clone(), dev.value(i, snap));
        }
        r
    }

    fn block_on<T>(f: impl std::future::Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn every_profile_reads_what_the_router_holds() {
        for vendor in simulated_flavours() {
            let dev = device(vendor, 2);
            let mut replay = replay_of(&dev);
            let mut counters = Counters::default();
            let plan = block_on(discover(
                &mut replay,
                None,
                &Wanted::AllOptics,
                &mut counters,
            ))
            .unwrap_or_else(|e| panic!("{vendor}: {e}"));
            assert_eq!(plan.vendor, vendor, "detected from sysObjectID");
            let decoded =
                block_on(lightgate_snmp::read(&mut replay, &plan, &mut counters)).unwrap();
            assert!(
                decoded.rediscover.is_none(),
                "{vendor}: {:?}",
                decoded.rediscover
            );
            for k in 0..2 {
                let name = dev.layout.flavour.interface_name(dev.layout.optic, k);
                let want = dev.read_port(k, None);
                let got = decoded.results[&name]
                    .as_ref()
                    .unwrap_or_else(|e| panic!("{vendor} {name}: {e}"));
                assert_eq!(got.oper_status, want.oper_status, "{vendor} {name}");
                let (g, w) = (got.optic.as_ref().unwrap(), want.optic.as_ref().unwrap());
                assert_eq!(g.lanes.len(), w.lanes.len(), "{vendor} {name} lanes");
                for (gl, wl) in g.lanes.iter().zip(&w.lanes) {
                    for (gp, wp) in [(gl.rx, wl.rx), (gl.tx, wl.tx)] {
                        match (gp.dbm(), wp.dbm()) {
                            (Some(a), Some(b)) => assert!(
                                (a - b).abs() < 0.01,
                                "{vendor} {name} lane {}: {a} vs {b}",
                                gl.lane
                            ),
                            _ => assert_eq!(
                                gp.is_no_light(),
                                wp.is_no_light(),
                                "{vendor} {name} lane {}",
                                gl.lane
                            ),
                        }
                    }
                }
                if want.oper_status == OperStatus::Up {
                    assert!(
                        g.lanes.iter().all(|l| !l.rx.is_no_light()),
                        "{vendor} {name}"
                    );
                }
            }
        }
    }

    /// A lane's power for the property below: dark, or lit anywhere from just above
    /// the floor to +10 dBm, in hundredths.
    fn lane_power() -> impl proptest::strategy::Strategy<Value = OpticalPower> {
        use proptest::prelude::*;
        prop_oneof![
            1 => Just(OpticalPower::NoLight),
            6 => (-3999i64..=1000).prop_map(|h| OpticalPower::from_dbm(h as f64 / 100.0).unwrap()),
            1 => prop::sample::select(vec![-3999i64, -3000, -1, 0, 1, 999, 1000])
                .prop_map(|h| OpticalPower::from_dbm(h as f64 / 100.0).unwrap()),
        ]
    }

    /// Whether `got` is `want` read back through an encoding whose step is 0.01 dBm
    /// or 0.1 uW (the coarsest the profiles have): within half a step of either, and
    /// dark only where the step cannot tell the power from the floor.
    fn read_back(got: OpticalPower, want: OpticalPower) -> bool {
        const STEP_MW: f64 = 0.0001;
        match (got.milliwatts(), want.milliwatts()) {
            (Some(g), Some(w)) => {
                (g - w).abs() <= STEP_MW / 2.0 + 1e-12
                    || (got.dbm().unwrap() - want.dbm().unwrap()).abs() <= 0.005 + 1e-9
            }
            (None, Some(w)) => got.is_no_light() && w < 1.5 * STEP_MW,
            (None, None) => got.is_no_light() && want.is_no_light(),
            (Some(_), None) => false,
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

        /// Every simulated profile's number formats (0.01 dBm integers, watts with a
        /// precision, 0.1 uW, uW columns, 0.01 dBm text lists with "-Inf"), with their
        /// signs, zero, the floor and dark lanes: each lane's power comes back as its
        /// value, as no light when dark, never as a number for darkness, and never as
        /// "inconsistent" (the module rows the routers hold agree with their lanes).
        #[test]
        fn every_profile_reads_back_any_lane_power(
            rx in proptest::collection::vec(lane_power(), 4),
            tx in proptest::collection::vec(lane_power(), 4),
        ) {
            for vendor in simulated_flavours() {
                let dev = device(vendor, 1);
                let mut held = dev.read_port(0, None);
                let optic = held.optic.as_mut().unwrap();
                for (l, lane) in optic.lanes.iter_mut().enumerate() {
                    lane.rx = rx[l];
                    lane.tx = tx[l];
                }
                let mut snap = Snapshot::pinned(vec![held.clone()]);
                let mut replay = replay_with(&dev, &mut snap);
                let mut counters = Counters::default();
                let plan = block_on(discover(&mut replay, None, &Wanted::AllOptics, &mut counters))
                    .unwrap_or_else(|e| panic!("{vendor}: {e}"));
                let decoded = block_on(lightgate_snmp::read(&mut replay, &plan, &mut counters)).unwrap();
                let name = dev.layout.flavour.interface_name(dev.layout.optic, 0);
                let got = decoded.results[&name].as_ref().unwrap_or_else(|e| panic!("{vendor}: {e}"));
                let g = got.optic.as_ref().unwrap_or_else(|| panic!("{vendor}: no optic: {:?}", got.note));
                proptest::prop_assert_eq!(g.lanes.len(), 4, "{}", vendor);
                for (gl, wl) in g.lanes.iter().zip(&held.optic.as_ref().unwrap().lanes) {
                    proptest::prop_assert!(
                        read_back(gl.rx, wl.rx) && read_back(gl.tx, wl.tx),
                        "{} lane {}: rx {} for {}, tx {} for {} (note {:?})",
                        vendor, gl.lane, gl.rx, wl.rx, gl.tx, wl.tx, got.note
                    );
                }
            }
        }
    }

    #[test]
    fn a_lane_cell_that_vanishes_is_reported_not_dropped() {
        let dev = device(Vendor::Juniper, 1);
        let mut replay = replay_of(&dev);
        let mut counters = Counters::default();
        let plan = block_on(discover(
            &mut replay,
            None,
            &Wanted::AllOptics,
            &mut counters,
        ))
        .unwrap();
        let name = dev.layout.flavour.interface_name(dev.layout.optic, 0);
        let lane_rx =
            oids::jnx_dom_lane().child(&[oids::jnx::LANE_RX_POWER, Vendor::Juniper.if_index(0), 2]);
        replay.remove(&lane_rx);
        let decoded = block_on(lightgate_snmp::read(&mut replay, &plan, &mut counters)).unwrap();
        let optic = decoded.results[&name]
            .as_ref()
            .unwrap()
            .optic
            .clone()
            .unwrap();
        assert_eq!(optic.lanes.len(), 4, "the lane stays, not reported");
        assert!(!optic.lanes[2].rx.is_no_light() && optic.lanes[2].rx.dbm().is_none());
        assert_eq!(optic.lane_count, Some(4));
    }
}

/// A restart (the control endpoint's `POST /restart`) starts sysUpTime over and moves
/// every Juniper peer to another jnxBgpM2PeerIndex, its prefix counters with it: the
/// index-keyed cells a poller planned before now hold another neighbour's values.
#[test]
fn a_restart_starts_uptime_over_and_moves_every_peer_index() {
    use super::bgp::SimPeer;
    let peers: Vec<SimPeer> = [
        "192.168.100.130,received=12",
        "192.168.100.134,received=7",
        "10.0.0.9,received=99",
    ]
    .iter()
    .map(|p| SimPeer::parse(p).unwrap())
    .collect();
    let addrs: Vec<std::net::IpAddr> = peers.iter().map(|p| p.addr).collect();
    let layout = Arc::new(Layout::with_bgp(
        Vendor::Juniper,
        OpticModel::HundredGigLr4,
        1,
        &addrs,
    ));
    let dev = SimDevice::new("r1".into(), layout, 7, &[Scenario::Healthy]).with_bgp(&peers);
    // .134's row (instance 0, unspecified local address, remote 192.168.100.134).
    let index_of_134 = oid("1.3.6.1.4.1.2636.5.1.1.2.1.1.1.14.0.1.0.0.0.0.1.192.168.100.134");
    let received_at = |index: u32| oid("1.3.6.1.4.1.2636.5.1.1.2.6.2.1.7").child(&[index, 1, 1]);
    let get = |o: &[Oid]| answer(&dev, 1472, &request(1, b"public", GET, 0, 0, o)).2;
    let before = get(&[index_of_134.clone(), received_at(2), oids::sys_uptime()]);
    assert_eq!(before[0].1, Value::Gauge32(2));
    assert_eq!(before[1].1, Value::Gauge32(7));
    let Value::TimeTicks(up_before) = before[2].1 else {
        panic!("{before:?}")
    };
    dev.restart();
    let after = get(&[
        index_of_134,
        received_at(2),
        received_at(3),
        oids::sys_uptime(),
    ]);
    assert_eq!(after[0].1, Value::Gauge32(3), "{after:?}");
    assert_eq!(after[1].1, Value::Gauge32(12), "index 2 is .130's now");
    assert_eq!(after[2].1, Value::Gauge32(7), "index 3 is .134's now");
    let Value::TimeTicks(up_after) = after[3].1 else {
        panic!("{after:?}")
    };
    assert!(up_after < up_before, "{up_after} < {up_before}");
}
