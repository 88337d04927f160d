//! Targeted discovery (`profiles::targeted`) must plan exactly what a full discovery
//! plans for the interfaces asked for, on every real device walk of the corpus
//! (`../shared/corpus/librenms/*.snmprec`, path overridable with LIGHTGATE_CORPUS),
//! with fewer requests. For each walk: a discovery of every optic (which reads whole
//! columns), then one discovery per interface with an optic, asking for it alone.

use std::path::{Path, PathBuf};

use lightgate_snmp::discovery::{discover, Wanted};
use lightgate_snmp::settings::Vendor;
use lightgate_snmp::transport::Replay;
use lightgate_snmp::Counters;

fn corpus() -> PathBuf {
    let dir = std::env::var_os("LIGHTGATE_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"));
    assert!(
        dir.join("MANIFEST.md").exists(),
        "the conformance corpus is not at {} (set LIGHTGATE_CORPUS to its path)",
        dir.display()
    );
    dir
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(f)
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
    let (mut compared, mut cheaper) = (0, 0);
    for path in &walks {
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(path).unwrap();
        let device = Replay::from_snmprec(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut full_counters = Counters::default();
        let full = block_on(discover(
            &mut device.clone(),
            None,
            &Wanted::AllOptics,
            &mut full_counters,
        ))
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        if !matches!(
            full.vendor,
            Vendor::Cisco | Vendor::Arista | Vendor::EntitySensor
        ) {
            continue;
        }
        for (interface, plan) in &full.interfaces {
            let Ok(plan) = plan else { continue };
            let mut counters = Counters::default();
            let one = block_on(discover(
                &mut device.clone(),
                None,
                &Wanted::Names(vec![interface.clone()]),
                &mut counters,
            ))
            .unwrap_or_else(|e| panic!("{name} {interface}: {e}"));
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
    eprintln!("{compared} interfaces compared, {cheaper} with fewer requests");
    assert!(
        compared >= 20,
        "only {compared} interfaces of entity-sensor devices in the corpus"
    );
    assert!(
        cheaper * 2 >= compared,
        "targeted discovery was cheaper for only {cheaper} of {compared} interfaces"
    );
}
