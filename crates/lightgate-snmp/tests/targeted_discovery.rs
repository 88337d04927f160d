//! Targeted discovery (`profiles::targeted`) must plan exactly what a full discovery
//! plans for the interfaces asked for, on every real device walk of the corpus
//! (`../shared/corpus/librenms/*.snmprec`, path overridable with LIGHTGATE_CORPUS),
//! with fewer requests. For each walk: a discovery of every optic (which reads whole
//! columns), then one discovery per interface with an optic, asking for it alone.

mod common;
use common::corpus;

use std::path::PathBuf;

use lightgate_snmp::discovery::{discover, Wanted};
use lightgate_snmp::plan::Plan;
use lightgate_snmp::settings::Vendor;
use lightgate_snmp::transport::Replay;
use lightgate_snmp::Counters;

/// A discovery of `wanted` on a copy of `device`, and the requests it took.
fn discovered(device: &Replay, wanted: Wanted, what: &str) -> (Plan, Counters) {
    let mut counters = Counters::default();
    let plan = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(discover(&mut device.clone(), None, &wanted, &mut counters))
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    (plan, counters)
}

#[test]
fn asking_for_one_interface_plans_it_as_a_full_discovery_does_with_fewer_requests() {
    let mut walks: Vec<PathBuf> = std::fs::read_dir(corpus().join("librenms"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "snmprec"))
        .collect();
    walks.sort();
    assert!(!walks.is_empty(), "no walks in the corpus");
    let (mut compared, mut cheaper, mut skipped_lines) = (0, 0, 0);
    for path in &walks {
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(path).unwrap();
        // A line that is not valid snmprec (sanitised upstream) is skipped and
        // counted, never the whole walk.
        let (device, skipped) = Replay::from_snmprec_skipping(&text);
        if !skipped.is_empty() {
            eprintln!("{name}: {} lines skipped: {}", skipped.len(), skipped[0]);
            skipped_lines += skipped.len();
        }
        let (full, full_counters) = discovered(&device, Wanted::AllOptics, &name);
        if !matches!(
            full.vendor,
            Vendor::Cisco | Vendor::Arista | Vendor::EntitySensor
        ) {
            continue;
        }
        for (interface, plan) in &full.interfaces {
            let Ok(plan) = plan else { continue };
            let (one, counters) = discovered(
                &device,
                Wanted::Names(vec![interface.clone()]),
                &format!("{name} {interface}"),
            );
            let got = one.interfaces[interface]
                .as_ref()
                .unwrap_or_else(|e| panic!("{name} {interface}: {e}"));
            assert_eq!(
                got.optic, plan.optic,
                "{name} {interface}: the plan for this interface alone differs"
            );
            compared += 1;
            if counters.requests < full_counters.requests {
                cheaper += 1;
            }
        }
    }
    eprintln!(
        "{compared} interfaces compared, {cheaper} with fewer requests; {skipped_lines} walk lines skipped"
    );
    assert!(
        compared >= 20,
        "only {compared} interfaces of entity-sensor devices in the corpus"
    );
    assert!(
        cheaper * 2 >= compared,
        "targeted discovery was cheaper for only {cheaper} of {compared} interfaces"
    );
}

/// A Cisco whose Rx sensor for Gi1/0/1 sits outside the port's branch of the entity
/// tree and says which port it measures only by entSensorMeasuredEntity (no walk in
/// the corpus has this form): asking for Gi1/0/1 alone still finds the sensor, with
/// its scale and threshold, and the other ports' sensors are not read.
#[test]
fn a_sensor_placed_only_by_its_measured_entity_is_found_when_its_port_is_asked_for() {
    let mut rec = String::from(
        "1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.9.1.2494\n\
         1.3.6.1.2.1.1.3.0|67|1000\n",
    );
    let mut line = |oid: &str, t: &str, v: &str| rec.push_str(&format!("{oid}|{t}|{v}\n"));
    // Ports Gi1/0/1..8 (ifIndex 1..8), port entities 101..108, mapped.
    for p in 1..=8u32 {
        line(
            &format!("1.3.6.1.2.1.31.1.1.1.1.{p}"),
            "4",
            &format!("Gi1/0/{p}"),
        );
        line(&format!("1.3.6.1.2.1.2.2.1.7.{p}"), "2", "1");
        line(&format!("1.3.6.1.2.1.2.2.1.8.{p}"), "2", "1");
        let port = 100 + p;
        line(&format!("1.3.6.1.2.1.47.1.1.1.1.4.{port}"), "2", "1");
        line(&format!("1.3.6.1.2.1.47.1.1.1.1.5.{port}"), "2", "10");
        line(
            &format!("1.3.6.1.2.1.47.1.1.1.1.7.{port}"),
            "4",
            &format!("Gi1/0/{p}"),
        );
        line(
            &format!("1.3.6.1.2.1.47.1.3.2.1.2.{port}.0"),
            "6",
            &format!("1.3.6.1.2.1.2.2.1.1.{p}"),
        );
    }
    // Rx sensors: ports 2..8 under their port entity; port 1's (entity 201) under the
    // chassis (entity 1), measuring entity 101.
    for p in 1..=8u32 {
        let s = 200 + p;
        let parent = if p == 1 { 1 } else { 100 + p };
        line(
            &format!("1.3.6.1.2.1.47.1.1.1.1.4.{s}"),
            "2",
            &parent.to_string(),
        );
        line(&format!("1.3.6.1.2.1.47.1.1.1.1.5.{s}"), "2", "8");
        line(
            &format!("1.3.6.1.2.1.47.1.1.1.1.7.{s}"),
            "4",
            "Transceiver Receive Power Sensor",
        );
        line(&format!("1.3.6.1.4.1.9.9.91.1.1.1.1.1.{s}"), "2", "14");
        line(&format!("1.3.6.1.4.1.9.9.91.1.1.1.1.2.{s}"), "2", "9");
        line(&format!("1.3.6.1.4.1.9.9.91.1.1.1.1.3.{s}"), "2", "1");
        line(
            &format!("1.3.6.1.4.1.9.9.91.1.1.1.1.4.{s}"),
            "2",
            &format!("-{}", 20 + p),
        );
        line(&format!("1.3.6.1.4.1.9.9.91.1.1.1.1.5.{s}"), "2", "1");
        let measured = if p == 1 { 101 } else { 0 };
        line(
            &format!("1.3.6.1.4.1.9.9.91.1.1.1.1.8.{s}"),
            "2",
            &measured.to_string(),
        );
        // One threshold row: low alarm (major, lessOrEqual) at -14.0 dBm.
        line(&format!("1.3.6.1.4.1.9.9.91.1.2.1.1.2.{s}.1"), "2", "20");
        line(&format!("1.3.6.1.4.1.9.9.91.1.2.1.1.3.{s}.1"), "2", "2");
        line(&format!("1.3.6.1.4.1.9.9.91.1.2.1.1.4.{s}.1"), "2", "-140");
    }
    let mut lines: Vec<&str> = rec.lines().collect();
    lines.sort_by_key(|l| {
        l.split('|')
            .next()
            .unwrap()
            .split('.')
            .map(|n| n.parse::<u32>().unwrap())
            .collect::<Vec<_>>()
    });
    let device = Replay::from_snmprec(&lines.join("\n")).unwrap();

    let (full, full_counters) = discovered(&device, Wanted::AllOptics, "all optics");
    let (one, counters) = discovered(
        &device,
        Wanted::Names(vec!["Gi1/0/1".to_string()]),
        "Gi1/0/1",
    );
    let optic = one.interfaces["Gi1/0/1"]
        .as_ref()
        .unwrap()
        .optic
        .as_ref()
        .expect("the sensor placed by its measured entity is planned");
    assert_eq!(optic.sensors.len(), 1);
    assert_eq!(
        optic.sensors[0].value_oid().to_string(),
        "1.3.6.1.4.1.9.9.91.1.1.1.1.4.201"
    );
    assert_eq!(optic.rx_thresholds.low_alarm, Some(-14.0));
    assert_eq!(
        Some(optic),
        full.interfaces["Gi1/0/1"].as_ref().unwrap().optic.as_ref(),
        "the same plan as a full discovery's"
    );
    assert!(
        counters.requests < full_counters.requests,
        "{} requests for one port, {} for all",
        counters.requests,
        full_counters.requests
    );
}
