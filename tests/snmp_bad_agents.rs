//! Agents that answer badly: garbled, truncated, wrong request id, oversized, empty
//! responses, and one that never answers. Each such device is marked down with the
//! reason; a healthy device beside them keeps its cadence; nothing panics.

mod common;

use std::time::Duration;

use common::{samples, value, TestAgent};
use tokio::net::UdpSocket;

fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut v = vec![tag];
    let n = content.len();
    if n < 128 {
        v.push(n as u8);
    } else {
        v.extend([0x82, (n >> 8) as u8, n as u8]);
    }
    v.extend_from_slice(content);
    v
}

fn int(n: i64) -> Vec<u8> {
    let bytes = n.to_be_bytes();
    let mut start = 0;
    while start < 7
        && ((bytes[start] == 0 && bytes[start + 1] & 0x80 == 0)
            || (bytes[start] == 0xff && bytes[start + 1] & 0x80 != 0))
    {
        start += 1;
    }
    tlv(0x02, &bytes[start..])
}

/// A v2c GetResponse with no varbinds.
fn response(req_id: i32) -> Vec<u8> {
    let pdu = [int(i64::from(req_id)), int(0), int(0), tlv(0x30, &[])].concat();
    tlv(
        0x30,
        &[int(1), tlv(0x04, b"public"), tlv(0xa2, &pdu)].concat(),
    )
}

#[derive(Clone, Copy, Debug)]
enum Mode {
    Garbled,
    Truncated,
    WrongId,
    Oversized,
    Empty,
    Silent,
}

async fn responder(mode: Mode) -> String {
    let sock = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let addr = sock.local_addr().unwrap().to_string();
    tokio::spawn(async move {
        let mut buf = vec![0u8; 65_535];
        loop {
            let Ok((n, peer)) = sock.recv_from(&mut buf).await else {
                return;
            };
            let req_id = snmp2::Pdu::from_bytes(&buf[..n])
                .map(|p| p.req_id)
                .unwrap_or(0);
            let reply = match mode {
                Mode::Garbled => vec![0x30, 0x05, 0xde, 0xad, 0xbe, 0xef, 0x00],
                Mode::Truncated => {
                    let r = response(req_id);
                    r[..r.len() / 2].to_vec()
                }
                Mode::WrongId => response(req_id.wrapping_add(1000)),
                Mode::Oversized => vec![0x41; 60_000],
                Mode::Empty => response(req_id),
                Mode::Silent => continue,
            };
            let _ = sock.send_to(&reply, peer).await;
        }
    });
    addr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_agents_are_marked_down_with_the_reason_and_never_stall_the_others() {
    let modes = [
        Mode::Garbled,
        Mode::Truncated,
        Mode::WrongId,
        Mode::Oversized,
        Mode::Empty,
        Mode::Silent,
    ];
    let mut text = String::from(
        "[[device]]\nname = \"good\"\nsource = \"sim\"\npoll_interval = \"200ms\"\n[device.sim]\ninterfaces = { \"Hu0\" = \"healthy\", \"Hu1\" = \"healthy\" }\n\n[[port]]\nname = \"ok\"\nlink1 = { device = \"good\", interface = \"Hu0\" }\nlink2 = { device = \"good\", interface = \"Hu1\" }\n",
    );
    for (i, mode) in modes.iter().enumerate() {
        let addr = responder(*mode).await;
        text.push_str(&format!(
            "\n[[device]]\nname = \"bad-{i}\"\nsource = \"snmp\"\npoll_interval = \"300ms\"\n[device.snmp]\naddress = \"{addr}\"\ncommunity = \"public\"\nrequest_timeout = \"100ms\"\nretries = 1\n\n[[port]]\nname = \"p{i}\"\nlink1 = {{ device = \"bad-{i}\", interface = \"et-0/0/0\" }}\nlink2 = {{ device = \"bad-{i}\", interface = \"et-0/0/1\" }}\n"
        ));
    }
    let t = TestAgent::start(&text).await;
    tokio::time::sleep(Duration::from_secs(3)).await;

    let good = t.agent.store().counters("good").polls;
    assert!(
        good >= 12,
        "the healthy device polled only {good} times in 3 s"
    );
    let devices = t.agent.store().devices();
    let m = t.metrics().await;
    for (i, mode) in modes.iter().enumerate() {
        let name = format!("bad-{i}");
        let d = devices.iter().find(|d| d.name == name).unwrap();
        assert!(!d.up, "{mode:?} device is up");
        let err = d.last_error.clone().unwrap_or_default();
        let expected_kind = match mode {
            Mode::Silent => "timeout",
            Mode::Garbled | Mode::Truncated | Mode::Oversized => "decode",
            Mode::WrongId => "decode",
            Mode::Empty => "decode",
        };
        let errors = value(
            &m,
            "lightgate_poll_errors_total",
            &[("device", &name), ("kind", expected_kind)],
        );
        assert!(
            errors >= 1.0,
            "{mode:?}: no {expected_kind} errors counted; last error: {err}"
        );
        match mode {
            Mode::Silent => assert!(
                err.starts_with("timed out") || err.contains("no answer"),
                "{mode:?}: {err}"
            ),
            Mode::WrongId => assert!(err.contains("Request ID mismatch"), "{mode:?}: {err}"),
            Mode::Empty => assert!(
                err.contains("does not match the request"),
                "{mode:?}: {err}"
            ),
            _ => assert!(
                err.starts_with("could not decode the device's answer"),
                "{mode:?}: {err}"
            ),
        }
        assert_eq!(value(&m, "lightgate_device_up", &[("device", &name)]), 0.0);
        let (status, body) = t.json(&format!("/api/v1/ports/p{i}")).await;
        assert_eq!(status, 503);
        assert!(body["links"]["link1"]["last_error"].as_str().unwrap().len() > 10);
    }
    assert!(samples(&m, "lightgate_port_ready", &[("port", "ok")]).len() == 1);
    t.stop().await;
}
