//! Walking several columns side by side (one GETBULK for all of them, as `snmptable`
//! does) against real agents: snmpsim (pysnmp) serving a recorded Cisco walk, and
//! lightgate's simulator, which cuts GETBULK answers short at 1472 bytes. The answer
//! must be exactly what walking the columns one by one gives, in fewer requests.

mod common;

use std::net::Ipv4Addr;
use std::sync::Arc;

use common::snmpsim::{fixture, settings_v2c, SnmpSim};
use lightgate::simulate::{parse_mix, Fleet, FleetSettings};
use lightgate_snmp::client::{Client, Counters};
use lightgate_snmp::settings::SnmpSettings;
use lightgate_snmp::types::{oid, Oid, Varbind};
use tokio_util::sync::CancellationToken;

/// Walks `roots` one by one, then side by side, on one session; returns both answers
/// and the requests each took.
async fn both_ways(settings: &SnmpSettings, roots: &[Oid]) -> (Vec<Varbind>, u64, u64) {
    let mut setup = Counters::default();
    let mut client = Client::connect(settings, &mut setup)
        .await
        .unwrap_or_else(|e| panic!("connect to {}: {e}", settings.address));
    let mut one = Counters::default();
    let mut one_by_one = Vec::new();
    for root in roots {
        one_by_one.extend(client.walk(root, &mut one).await.unwrap());
    }
    let mut side = Counters::default();
    let together = client.walk_columns(roots, &mut side).await.unwrap();
    assert_eq!(
        together.len(),
        one_by_one.len(),
        "side by side found a different number of cells"
    );
    assert_eq!(together, one_by_one, "side by side found different cells");
    (together, one.requests, side.requests)
}

/// Entity and sensor columns of different lengths, a threshold table's rows, and a
/// column the device does not have.
fn cisco_columns() -> Vec<Oid> {
    vec![
        oid("1.3.6.1.2.1.47.1.1.1.1.2"),
        oid("1.3.6.1.2.1.47.1.1.1.1.4"),
        oid("1.3.6.1.2.1.47.1.1.1.1.99"),
        oid("1.3.6.1.4.1.9.9.91.1.1.1.1.1"),
        oid("1.3.6.1.4.1.9.9.91.1.2.1.1.4"),
        oid("1.3.6.1.2.1.47.1.1.1.1.7"),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn columns_walked_side_by_side_on_snmpsim_match_walking_them_one_by_one() {
    let sim = SnmpSim::start(&fixture("nxos_lane_sensors.snmprec"), "public");
    for reps in [3, 25] {
        let mut s = settings_v2c(&sim.address, "public");
        s.max_repetitions = reps;
        let (cells, one, side) = both_ways(&s, &cisco_columns()).await;
        // 18 entities x 3 columns, 14 sensor types, 4 threshold rows.
        assert_eq!(cells.len(), 18 * 3 + 14 + 4, "max-repetitions {reps}");
        assert!(
            side < one,
            "max-repetitions {reps}: {side} requests side by side, {one} one by one"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn columns_walked_side_by_side_survive_answers_cut_short_to_one_frame() {
    // One Cisco router with 48 optics: its sensor and threshold columns hold thousands
    // of cells, so every GETBULK answer of the simulator is cut at 1472 bytes, often in
    // the middle of a repetition.
    let fleet = Arc::new(
        Fleet::bind(FleetSettings {
            devices: 1,
            ports: 48,
            mix: parse_mix("healthy").unwrap(),
            first_address: Ipv4Addr::LOCALHOST,
            port: 0,
            one_address: true,
            ..FleetSettings::default()
        })
        .await
        .expect("the fleet binds"),
    );
    let cancel = CancellationToken::new();
    tokio::spawn(fleet.clone().serve(cancel.clone()));
    let address = fleet.addresses()[0].to_string();
    let roots = [
        oid("1.3.6.1.4.1.9.9.91.1.2.1.1.2"),
        oid("1.3.6.1.4.1.9.9.91.1.2.1.1.3"),
        oid("1.3.6.1.4.1.9.9.91.1.2.1.1.4"),
        oid("1.3.6.1.2.1.47.1.3.2.1.2"),
        oid("1.3.6.1.2.1.47.1.1.1.1.7"),
    ];
    let (cells, one, side) = both_ways(&settings_v2c(&address, "public"), &roots).await;
    let per_column = |r: &Oid| cells.iter().filter(|(o, _)| o.starts_with(r)).count();
    let counts: Vec<usize> = roots.iter().map(per_column).collect();
    assert!(
        counts.iter().all(|n| *n >= 48),
        "every column has rows: {counts:?}"
    );
    assert!(
        side * 3 < one * 2,
        "{side} requests side by side against {one} one by one"
    );
    cancel.cancel();
}

/// How [`table_agent`] answers a GETBULK.
#[derive(Clone, Copy, PartialEq)]
enum Answers {
    /// As RFC 3416 says, repetition by repetition.
    Plain,
    /// tooBig whenever more than two columns are asked at once (a small message size).
    TooBigAboveTwoColumns,
    /// Column by column, not repetition by repetition.
    ColumnMajor,
}

/// A table of three columns of 5, 3 and 7 rows; `largest` keeps the most cells one
/// GETBULK asked for (columns times repetitions).
async fn table_agent(answers: Answers, largest: Arc<std::sync::atomic::AtomicUsize>) -> String {
    use lightgate::simulate::ber;
    use lightgate_snmp::types::{oid_from_snmp2, Value};
    let table: Vec<(Oid, Value)> = [(1u32, 5u32), (2, 3), (3, 7)]
        .iter()
        .flat_map(|(col, rows)| {
            (1..=*rows).map(move |r| {
                (
                    oid("1.3.6.1.4.1.99999.1.1").child(&[*col, r]),
                    Value::Integer(i64::from(col * 100 + r)),
                )
            })
        })
        .collect();
    let sock = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let address = sock.local_addr().unwrap().to_string();
    tokio::spawn(async move {
        let mut buf = vec![0u8; 65_535];
        loop {
            let Ok((n, peer)) = sock.recv_from(&mut buf).await else {
                return;
            };
            let Ok(pdu) = snmp2::Pdu::from_bytes(&buf[..n]) else {
                continue;
            };
            let asked: Vec<Oid> = pdu
                .varbinds
                .clone()
                .map(|(o, _)| oid_from_snmp2(&o))
                .collect();
            let reps = pdu.error_index as usize;
            largest.fetch_max(asked.len() * reps, std::sync::atomic::Ordering::SeqCst);
            let mut out = Vec::new();
            let next = |c: &mut Oid, out: &mut Vec<u8>| match table.iter().find(|(o, _)| o > c) {
                Some((o, v)) => {
                    ber::varbind(out, o, v);
                    *c = o.clone();
                }
                None => ber::varbind(out, c, &Value::EndOfMibView),
            };
            let mut cursors = asked.clone();
            let status = if answers == Answers::ColumnMajor {
                for c in cursors.iter_mut() {
                    for _ in 0..reps {
                        next(c, &mut out);
                    }
                }
                0
            } else if answers == Answers::TooBigAboveTwoColumns && asked.len() > 2 {
                1 // tooBig
            } else {
                for _ in 0..reps {
                    for c in cursors.iter_mut() {
                        next(c, &mut out);
                    }
                }
                0
            };
            let reply = ber::message(1, b"public", 0xa2, i64::from(pdu.req_id), status, 0, &out);
            let _ = sock.send_to(&reply, peer).await;
        }
    });
    address
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_that_says_too_big_gets_fewer_columns_at_a_time() {
    let address = table_agent(Answers::TooBigAboveTwoColumns, Default::default()).await;
    let mut s = settings_v2c(&address, "public");
    s.max_repetitions = 2;
    let roots: Vec<Oid> = (1..=3)
        .map(|c| oid("1.3.6.1.4.1.99999.1.1").child(&[c]))
        .collect();
    let (cells, _, _) = both_ways(&s, &roots).await;
    let values: Vec<i64> = cells.iter().filter_map(|(_, v)| v.as_i64()).collect();
    assert_eq!(
        values,
        [101, 102, 103, 104, 105, 201, 202, 203, 301, 302, 303, 304, 305, 306, 307]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_that_answers_column_by_column_is_refused_not_read_as_short_columns() {
    let address = table_agent(Answers::ColumnMajor, Default::default()).await;
    let mut s = settings_v2c(&address, "public");
    s.max_repetitions = 4;
    let mut counters = Counters::default();
    let mut client = Client::connect(&s, &mut counters).await.unwrap();
    // However the columns are given, they are asked in OID order: the answer's second
    // cell (column 1's second row) is then read for column 2, and lies before it.
    for order in [[3u32, 1, 2], [1, 2, 3]] {
        let roots: Vec<Oid> = order
            .iter()
            .map(|c| oid("1.3.6.1.4.1.99999.1.1").child(&[*c]))
            .collect();
        let err = client
            .walk_columns(&roots, &mut counters)
            .await
            .expect_err("a column-major answer must not pass as columns that ended");
        assert!(
            err.to_string().contains("walked backwards"),
            "{order:?}: {err}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_of_several_columns_asks_for_at_most_the_configured_cells() {
    let largest: Arc<std::sync::atomic::AtomicUsize> = Default::default();
    let address = table_agent(Answers::Plain, largest.clone()).await;
    let mut s = settings_v2c(&address, "public");
    s.max_repetitions = 25;
    s.max_varbinds_per_request = 7;
    let roots: Vec<Oid> = (1..=3)
        .map(|c| oid("1.3.6.1.4.1.99999.1.1").child(&[c]))
        .collect();
    let (cells, _, _) = both_ways(&s, &roots).await;
    assert_eq!(cells.len(), 15);
    // One column alone is asked for 7 of its 25 repetitions, three at once share the
    // 7 cells (2 repetitions each, then 3 for the two left, then 7 for the last one):
    // never the 75 that 25 repetitions of three columns would be.
    assert_eq!(largest.load(std::sync::atomic::Ordering::SeqCst), 7);
}
