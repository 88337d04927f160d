//! Discovery and decoding of the vendor profiles against recorded walks, replayed
//! without a socket (the agent's snmpsim tests are the end-to-end proof): lightgate's
//! own fixtures here, and the real devices of the conformance corpus when it is there.

use std::path::{Path, PathBuf};

use lightgate_core::domain::OpticalPower;
use lightgate_snmp::client::Counters;
use lightgate_snmp::discovery::{discover, Wanted};
use lightgate_snmp::transport::Replay;
use lightgate_snmp::{read, Vendor};

fn fixture(name: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn block_on<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(f)
}

/// (vendor, readings) of a walk for `names` (all optics when empty), and the requests
/// discovery and one poll took.
fn replay(text: &str, names: &[&str]) -> (Vendor, lightgate_core::source::PollResult, u64) {
    let mut r = Replay::from_snmprec(text).unwrap();
    let mut c = Counters::default();
    let wanted = if names.is_empty() {
        Wanted::AllOptics
    } else {
        Wanted::Names(names.iter().map(|s| s.to_string()).collect())
    };
    let plan = block_on(discover(&mut r, None, &wanted, &mut c)).unwrap();
    let decoded = block_on(read(&mut r, &plan, &mut c)).unwrap();
    (plan.vendor, decoded.results, c.requests)
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-9)
}

/// Ethernet1/49 of `nxos_lane_sensors.snmprec` read with its four lanes' Rx (lane 3 is
/// weak); its optic.
fn nxos_fixture_lanes_read(
    r: &lightgate_core::source::PollResult,
) -> lightgate_core::domain::OpticReading {
    let o = r["Ethernet1/49"].as_ref().unwrap().optic.clone().unwrap();
    let rx: Vec<Option<f64>> = o.lanes.iter().map(|l| l.rx.dbm()).collect();
    assert_eq!(
        rx,
        vec![Some(-2.31), Some(-2.45), Some(-14.02), Some(-2.26)]
    );
    o
}

#[test]
fn cisco_nxos_lane_sensors_by_measured_entity() {
    let (vendor, r, _) = replay(&fixture("nxos_lane_sensors.snmprec"), &["Ethernet1/49"]);
    assert_eq!(vendor, Vendor::Cisco);
    let o = nxos_fixture_lanes_read(&r);
    assert_eq!(o.rx_thresholds.low_alarm, Some(-16.0));
    assert_eq!(o.rx_thresholds.high_warning, Some(2.5));
    assert!(close(o.voltage_volts, 3.29));
    assert_eq!(o.lane_count, Some(4));
    assert_eq!(o.standard.map(|s| s.as_str()), Some("100GBASE-LR4"));
}

#[test]
fn cisco_iosxr_watts_with_a_dark_lane() {
    let (_, r, _) = replay(
        &fixture("iosxr_watts_lanes.snmprec"),
        &["HundredGigE0/0/0/0", "GigabitEthernet0/0/0/1"],
    );
    let hu = r["HundredGigE0/0/0/0"].as_ref().unwrap();
    let o = hu.optic.as_ref().unwrap();
    assert!(
        o.lanes.iter().any(|l| l.rx == OpticalPower::NoLight),
        "{o:?}"
    );
    assert!(close(o.lanes[3].tx.milliwatts(), 0.905));
    assert_eq!(hu.details.alias.as_deref(), Some("to MSEE link1"));
    assert!(r["GigabitEthernet0/0/0/1"]
        .as_ref()
        .unwrap()
        .optic
        .is_none());
}

#[test]
fn juniper_dom_module_and_lanes_in_few_requests() {
    let (vendor, r, requests) = replay(
        &fixture("junos_dom_lanes.snmprec"),
        &["et-0/0/2", "xe-0/0/3"],
    );
    assert_eq!(vendor, Vendor::Juniper);
    let et = r["et-0/0/2"].as_ref().unwrap();
    let o = et.optic.as_ref().unwrap();
    let rx: Vec<OpticalPower> = o.lanes.iter().map(|l| l.rx).collect();
    assert_eq!(
        rx[1],
        OpticalPower::NoLight,
        "-40.00 dBm is the floor: no light"
    );
    assert_eq!(rx[0].dbm(), Some(-2.1));
    assert_eq!(o.lanes[3].tx.dbm(), Some(0.7));
    assert!(close(o.lanes[2].bias_amperes, 0.0455));
    assert_eq!(o.rx_thresholds.low_alarm, Some(-16.0));
    assert_eq!(o.tx_thresholds.high_warning, Some(4.5));
    assert!(close(o.voltage_volts, 3.29));
    assert_eq!(o.lane_count, Some(4));
    let xe = r["xe-0/0/3"].as_ref().unwrap();
    assert!(xe.optic.is_none() && xe.note.as_deref().unwrap_or("").contains("no DOM"));
    // Discovery: head GET, ifName walk, statics GET, DOM GET, one lane walk, one walk
    // of the coherent-optic table for the port without DOM; then one poll.
    assert!(requests <= 7, "{requests} requests");
}

/// The corpus walks: discovery and a poll run over every real device without a panic
/// or an error (the agent's conformance tests check the values).
#[test]
fn corpus_walks_replay_into_plans() {
    let corpus = std::env::var("LIGHTGATE_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"));
    let dir = corpus.join("librenms");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        panic!(
            "the conformance corpus is not at {} (set LIGHTGATE_CORPUS)",
            dir.display()
        );
    };
    let mut seen = 0;
    for e in entries.flatten() {
        let p = e.path();
        if p.extension().and_then(|x| x.to_str()) != Some("snmprec") {
            continue;
        }
        let text = std::fs::read_to_string(&p).unwrap();
        // Lines that are not valid snmprec (sanitised upstream) are skipped, not the
        // walk.
        let (mut r, _skipped) = Replay::from_snmprec_skipping(&text);
        let mut c = Counters::default();
        // Every walk is discovered, those without sysUpTime too.
        let plan = block_on(discover(&mut r, None, &Wanted::AllOptics, &mut c))
            .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        let _ = block_on(read(&mut r, &plan, &mut c)).unwrap();
        seen += 1;
    }
    assert!(seen >= 10, "only {seen} walks in {}", dir.display());
}

/// IOS-XE on a C8500 as captured: no sysUpTime, IF-MIB with ifName only, and sensors
/// under a transceiver whose mapping sits on a port entity beside them.
#[test]
fn iosxe_sensors_beside_their_mapped_port_without_if_mib_status() {
    let (vendor, r, _) = replay(&fixture("iosxe_sibling_port_no_status.snmprec"), &[]);
    assert_eq!(vendor, Vendor::Cisco);
    let te10 = r["Te0/0/10"].as_ref().unwrap();
    let o = te10.optic.clone().unwrap();
    assert_eq!((o.rx.dbm(), o.tx.dbm()), (Some(-6.5), Some(-5.7)));
    // No IF-MIB status columns: unknown, never taken for up.
    assert_eq!(te10.admin_status.as_str(), "unknown");
    assert_eq!(te10.oper_status.as_str(), "unknown");
    // Transceiver 12 has two mapped ports below it: which one it measures is not
    // known, so neither gets its reading.
    assert!(
        !r.contains_key("Te0/0/12") && !r.contains_key("Te0/0/13"),
        "{r:?}"
    );
}

/// A copper SFP on IOS-XE/IOS-XR reports Rx and Tx sensors that read exactly 0: that
/// is no reading, never 0 dBm (which would sit inside the healthy window).
#[test]
fn all_zero_power_sensors_are_no_reading_not_zero_dbm() {
    let (_, r, _) = replay(
        &fixture("iosxe_sibling_port_no_status.snmprec"),
        &["Te0/0/11"],
    );
    let te11 = r["Te0/0/11"].as_ref().unwrap();
    assert!(te11.optic.is_none(), "{te11:?}");
    assert!(
        te11.note.as_deref().unwrap().contains("exactly 0"),
        "{:?}",
        te11.note
    );
}

/// `probe --explain`: the profile and the sysObjectID behind it, the tables walked
/// with their rows, the interfaces with DOM; and for a device whose DOM tables are
/// empty, the likely reason and the next step (the CLI over the console).
#[test]
fn probe_explains_what_it_found_and_what_to_do_when_nothing() {
    use lightgate_snmp::explain::probe_explained;
    let mut r = Replay::from_snmprec(&fixture("nxos_lane_sensors.snmprec")).unwrap();
    let (results, why) = block_on(probe_explained(&mut r, None, &Wanted::AllOptics)).unwrap();
    assert!(results.contains_key("Ethernet1/49"));
    assert!(
        why.contains("profile cisco: sysObjectID 1.3.6.1.4.1.9.12.3.1.3.1812 (enterprise 9)"),
        "{why}"
    );
    assert!(
        why.contains("CISCO-ENTITY-SENSOR-MIB entSensorType"),
        "{why}"
    );
    assert!(why.contains("interfaces with DOM: 1"), "{why}");
    assert!(why.contains("Ethernet1/49 (ifIndex 436207616)"), "{why}");
    assert!(!why.contains("next step"), "{why}");

    let bare = "1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.9.1.1208\n\
                1.3.6.1.2.1.1.3.0|67|100\n\
                1.3.6.1.2.1.2.2.1.7.1|2|1\n\
                1.3.6.1.2.1.2.2.1.8.1|2|1\n\
                1.3.6.1.2.1.31.1.1.1.1.1|4|Te1/1/1\n";
    let mut r = Replay::from_snmprec(bare).unwrap();
    let (_, why) = block_on(probe_explained(
        &mut r,
        None,
        &Wanted::Names(vec!["Te1/1/1".to_string()]),
    ))
    .unwrap();
    assert!(why.contains("interfaces with DOM: 0"), "{why}");
    assert!(why.contains("interfaces without DOM: 1"), "{why}");
    assert!(
        why.contains("next step: The cisco DOM tables answered no rows")
            && why.contains("source = \"serial\""),
        "{why}"
    );
    let mut r = Replay::from_snmprec(bare).unwrap();
    let (_, why) = block_on(probe_explained(
        &mut r,
        Some(Vendor::Huawei),
        &Wanted::AllOptics,
    ))
    .unwrap();
    assert!(why.contains("profile huawei: set by `vendor`"), "{why}");
}

/// TIMETRA-PORT-MIB as a 7250 IXR answers for a QSFP28: the DDM row (module) at 0 / 0,
/// the lane table (tmnxDDMLaneTable, 0.1 uW) lit at about +2 dBm. The module row is not
/// filled, which is no reading there, not "no light"; the lanes are the reading.
/// A 7250 IXR walk of one QSFP28 port (1/1/c1/1): its DDM module row at `module`
/// (raw, 0.1 uW, both directions) and its four lanes lit at about +2 dBm Tx and
/// +1.8 dBm Rx.
fn nokia_qsfp_walk(module: i64) -> String {
    let if_index = 1_610_899_520u32;
    let mut walk =
        String::from("1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.6527.1.3.17\n1.3.6.1.2.1.1.3.0|67|100\n");
    walk += &format!("1.3.6.1.2.1.2.2.1.7.{if_index}|2|1\n1.3.6.1.2.1.2.2.1.8.{if_index}|2|1\n");
    walk += &format!("1.3.6.1.2.1.31.1.1.1.1.{if_index}|4|1/1/c1/1\n");
    let ddm = "1.3.6.1.4.1.6527.3.1.2.2.4.31.1";
    walk += &format!("{ddm}.16.1.{if_index}|2|{module}\n{ddm}.21.1.{if_index}|2|{module}\n");
    let lanes = "1.3.6.1.4.1.6527.3.1.2.2.4.66.1";
    for (lane, raw) in [(1, 16000), (2, 15500), (3, 15800), (4, 16200)] {
        walk += &format!("{lanes}.12.1.{if_index}.{lane}|2|{raw}\n");
        walk += &format!("{lanes}.17.1.{if_index}.{lane}|2|{}\n", raw - 1000);
    }
    walk
}

#[test]
fn nokia_module_row_of_zeros_beside_lit_lanes_is_not_no_light() {
    let (vendor, r, _) = replay(&nokia_qsfp_walk(0), &[]);
    assert_eq!(vendor, Vendor::Nokia);
    let o = r["1/1/c1/1"].as_ref().unwrap().optic.clone().unwrap();
    assert_eq!(o.rx, OpticalPower::NotSupported, "{o:?}");
    assert_eq!(o.tx, OpticalPower::NotSupported, "{o:?}");
    assert_eq!(o.lanes.len(), 4);
    assert!(close(
        o.lanes[0].tx.dbm().map(|d| (d * 100.0).round() / 100.0),
        2.04
    ));
    assert!(o.lanes.iter().all(|l| l.rx.dbm().is_some()));
}

/// A Nokia module row that is filled, but with a power none of its lanes' readings
/// (total, mean, one lane) comes near: the device contradicts itself, so neither the
/// module nor the lanes are a reading, and the note says why.
#[test]
fn a_module_row_that_contradicts_its_lanes_is_inconsistent() {
    // 0.5 uW (-33 dBm) at module level, about 1.5 mW on every lane.
    let walk = nokia_qsfp_walk(5);
    let (_, r, _) = replay(&walk, &[]);
    let reading = r["1/1/c1/1"].as_ref().unwrap();
    let o = reading.optic.clone().unwrap();
    assert_eq!(o.rx, OpticalPower::Inconsistent, "{o:?}");
    assert_eq!(o.tx, OpticalPower::Inconsistent, "{o:?}");
    assert!(o
        .lanes
        .iter()
        .all(|l| l.rx == OpticalPower::Inconsistent && l.tx == OpticalPower::Inconsistent));
    let note = reading.note.as_deref().unwrap_or("");
    assert!(
        note.starts_with("inconsistent: rx module -33.01 dBm"),
        "{note}"
    );
}

/// The lane sensors as IOS-XE and NX-OS name them on other releases, "<port> Rx Lane N
/// Power Sensor" (the direction before the lane): every lane's Rx and Tx is read, not
/// only its bias.
#[test]
fn lane_power_sensors_named_direction_first_are_read() {
    let text = fixture("nxos_lane_sensors.snmprec");
    let mut renamed = text.clone();
    for n in 1..=4 {
        renamed = renamed
            .replace(
                &format!("Lane {n} Transceiver Receive Power Sensor"),
                &format!("Rx Lane {n} Power Sensor"),
            )
            .replace(
                &format!("Lane {n} Transceiver Transmit Power Sensor"),
                &format!("Tx Lane {n} Power Sensor"),
            );
    }
    assert_ne!(renamed, text, "the fixture's names were rewritten");
    let (_, r, _) = replay(&renamed, &["Ethernet1/49"]);
    let o = nxos_fixture_lanes_read(&r);
    assert!(o.lanes.iter().all(|l| l.tx.dbm().is_some()), "{o:?}");
}

/// An entAliasMapping that names an ifIndex the device's IF-MIB does not list (stale,
/// or another context's) is no link: the entity the sensors measure is named like the
/// interface, and that name decides. The optic is never dropped.
#[test]
fn an_alias_to_an_interface_the_device_does_not_list_falls_back_to_names() {
    let text = fixture("nxos_lane_sensors.snmprec").replace(
        "1.3.6.1.2.1.47.1.3.2.1.2.5001.0|6|1.3.6.1.2.1.2.2.1.1.436207616",
        "1.3.6.1.2.1.47.1.3.2.1.2.5001.0|6|1.3.6.1.2.1.2.2.1.1.999",
    );
    assert!(text.contains("2.2.1.1.999"));
    let (_, r, _) = replay(&text, &["Ethernet1/49"]);
    nxos_fixture_lanes_read(&r);
    // Every optic too, not only the one asked for.
    let (_, all, _) = replay(&text, &[]);
    assert!(all.contains_key("Ethernet1/49"), "{:?}", all.keys());
    // probe --explain says which link was used: the alias first, the name after it.
    use lightgate_snmp::explain::probe_explained;
    let explain = |text: &str| {
        let mut r = Replay::from_snmprec(text).unwrap();
        block_on(probe_explained(&mut r, None, &Wanted::AllOptics))
            .unwrap()
            .1
    };
    let why = explain(&fixture("nxos_lane_sensors.snmprec"));
    assert!(
        why.contains("Ethernet1/49 (ifIndex 436207616): ")
            && why.contains("tied by ENTITY-MIB entAliasMapping"),
        "{why}"
    );
    let why = explain(&text);
    assert!(why.contains("tied by the name of entity 5001"), "{why}");
}
