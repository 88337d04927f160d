//! Number formats of the SNMP profiles the simulator does not serve (AOS-CX,
//! MikroTik), as their MIBs define them: any power, with its sign, zero and the floor,
//! written in the device's form (AOS-CX: decimal text in mW, "n/a" or empty where
//! there is no DOM; MikroTik: integers in 0.001 dBm, all-zero rows on modules without
//! DOM), read back through discovery and a poll as that power, never as a number where
//! the device says none.

use lightgate_core::domain::OpticalPower;
use lightgate_snmp::client::Counters;
use lightgate_snmp::discovery::{discover, Wanted};
use lightgate_snmp::transport::Replay;
use proptest::prelude::*;

fn block_on<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(f)
}

/// The readings of `name` from a walk.
fn read(walk: &str, name: &str) -> lightgate_core::domain::LinkReading {
    let mut r = Replay::from_snmprec(walk).unwrap();
    let mut c = Counters::default();
    let wanted = Wanted::Names(vec![name.to_string()]);
    let plan = block_on(discover(&mut r, None, &wanted, &mut c)).unwrap();
    let decoded = block_on(lightgate_snmp::read(&mut r, &plan, &mut c)).unwrap();
    decoded.results[name].clone().unwrap()
}

fn system(enterprise: &str, name: &str, if_index: u32) -> String {
    format!(
        "1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.{enterprise}.1\n1.3.6.1.2.1.1.3.0|67|100\n\
         1.3.6.1.2.1.2.2.1.7.{if_index}|2|1\n1.3.6.1.2.1.2.2.1.8.{if_index}|2|1\n\
         1.3.6.1.2.1.31.1.1.1.1.{if_index}|4|{name}\n"
    )
}

/// A power in mW as AOS-CX writes it: four decimals.
fn aoscx_text(mw: f64) -> String {
    format!("{mw:.4}")
}

fn close_mw(got: OpticalPower, mw: f64, step: f64) -> bool {
    match got.milliwatts() {
        Some(g) => (g - mw).abs() <= step / 2.0 + 1e-12,
        None => got.is_no_light() && mw <= step / 2.0 + 1e-4,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn aoscx_lane_powers_in_milliwatt_text_read_back(
        rx in prop_oneof![Just(0.0f64), 0.0001f64..6.0],
        tx in prop_oneof![Just(0.0f64), 0.0001f64..6.0],
        bias in 0.0f64..120.0,
    ) {
        let if_index = 27;
        let lane = "1.3.6.1.4.1.47196.4.1.1.3.27.1.2.2.1";
        let module = "1.3.6.1.4.1.47196.4.1.1.3.27.1.2.1.1";
        let mut walk = system("47196", "1/1/27", if_index);
        walk += &format!("{module}.2.{if_index}|4|31.5\n{module}.11.{if_index}|4|3.29\n");
        walk += &format!("{lane}.12.{if_index}.1|4|{}\n", aoscx_text(rx));
        walk += &format!("{lane}.7.{if_index}.1|4|{}\n", aoscx_text(tx));
        walk += &format!("{lane}.2.{if_index}.1|4|{bias:.2}\n");
        // An all-zero optic is the no-DOM placeholder: not what this property is about.
        prop_assume!(!(rx == 0.0 && tx == 0.0));
        let r = read(&walk, "1/1/27");
        let o = r.optic.as_ref().unwrap_or_else(|| panic!("no optic: {:?}", r.note));
        let (grx, gtx) = match o.lanes.as_slice() {
            [] => (o.rx, o.tx),
            [l] => (l.rx, l.tx),
            more => panic!("{} lanes", more.len()),
        };
        prop_assert!(close_mw(grx, rx, 0.0001), "rx {grx} for {rx} mW");
        prop_assert!(close_mw(gtx, tx, 0.0001), "tx {gtx} for {tx} mW");
        if rx == 0.0 {
            prop_assert_eq!(grx, OpticalPower::NoLight, "0 mW is no light");
        }
    }

    #[test]
    fn aoscx_text_that_is_no_number_is_never_a_power(
        placeholder in prop::sample::select(vec!["n/a", "", "N/A", "-", "--"]),
    ) {
        let if_index = 9;
        let lane = "1.3.6.1.4.1.47196.4.1.1.3.27.1.2.2.1";
        let mut walk = system("47196", "1/1/9", if_index);
        walk += &format!("{lane}.12.{if_index}.1|4|{placeholder}\n{lane}.7.{if_index}.1|4|{placeholder}\n");
        let r = read(&walk, "1/1/9");
        if let Some(o) = &r.optic {
            let powers = std::iter::once((o.rx, o.tx)).chain(o.lanes.iter().map(|l| (l.rx, l.tx)));
            for (rx, tx) in powers {
                prop_assert!(rx.dbm().is_none() && tx.dbm().is_none(), "{placeholder:?}: {o:?}");
            }
        }
    }

    #[test]
    fn mikrotik_thousandths_of_a_dbm_read_back_with_their_sign(
        rx in -39_999i64..=10_000,
        tx in -39_999i64..=10_000,
    ) {
        prop_assume!(!(rx == 0 && tx == 0));
        let table = "1.3.6.1.4.1.14988.1.1.19.1.1";
        let mut walk = system("14988", "sfp-sfpplus9", 9);
        walk += &format!("{table}.2.9|4|sfp-sfpplus9\n{table}.10.9|2|{rx}\n{table}.9.9|2|{tx}\n{table}.8.9|2|7000\n{table}.7.9|2|3300\n");
        let r = read(&walk, "sfp-sfpplus9");
        let o = r.optic.as_ref().unwrap_or_else(|| panic!("no optic: {:?}", r.note));
        for (got, raw) in [(o.rx, rx), (o.tx, tx)] {
            let want = raw as f64 / 1000.0;
            prop_assert!(
                got.dbm().is_some_and(|g| (g - want).abs() < 1e-9),
                "{raw} read as {got}"
            );
        }
    }
}

#[test]
fn mikrotik_all_zero_rows_are_no_dom_not_zero_dbm() {
    let table = "1.3.6.1.4.1.14988.1.1.19.1.1";
    let mut walk = system("14988", "sfp-sfpplus9", 9);
    walk += &format!(
        "{table}.2.9|4|sfp-sfpplus9\n{table}.10.9|2|0\n{table}.9.9|2|0\n{table}.8.9|2|0\n{table}.7.9|2|0\n"
    );
    let r = read(&walk, "sfp-sfpplus9");
    assert!(r.optic.is_none(), "{r:?}");
    assert!(
        r.note.unwrap_or_default().contains("0"),
        "the reason names the zeros"
    );
}
