use super::*;

#[test]
fn a_wrapped_ipv6_neighbour_and_a_4_byte_as_are_joined_back() {
    let text = "\
BGP summary information for VRF AZURE, address family IPv6 Unicast
Neighbor        V    AS MsgRcvd MsgSent   TblVer  InQ OutQ Up/Down  State/PfxRcd
2001:db8:1::2
                4 12076      10      12       13    0    0    01:00:00 3
192.168.100.130 4 4200000000
                          44738   47436    96073    0    0     2w1d Idle (Admin)
";
    let s = parse_bgp_summary(text, None);
    assert!(s.notes.is_empty(), "{:?}", s.notes);
    assert_eq!(s.sessions.len(), 2);
    let v6 = &s.sessions[0];
    assert_eq!(v6.vrf.as_deref(), Some("AZURE"));
    assert_eq!(v6.remote_as, Some(Asn(12076)));
    assert_eq!(v6.established_seconds, Some(3600));
    assert_eq!(v6.received_in(&Family::ipv6_unicast()), Some(3));
    let v4 = &s.sessions[1];
    assert_eq!(v4.state, BgpState::Idle);
    assert_eq!(v4.remote_as, Some(Asn(4_200_000_000)));
    assert_eq!(v4.admin.as_deref(), Some("(Admin)"));
}

#[test]
fn asdot_is_read_as_asplain() {
    let text = "\
Neighbor        V           AS MsgRcvd MsgSent   TblVer  InQ OutQ Up/Down  State/PfxRcd
192.88.99.1     4    662.47492    1000    1000      458    0    0 4w1d          435
";
    let s = parse_bgp_summary(text, None);
    assert_eq!(s.sessions[0].remote_as, Some(Asn(662 * 65536 + 47492)));
}

#[test]
fn garbage_gives_notes_not_panics() {
    let text = "\
Neighbor        V    AS MsgRcvd MsgSent   TblVer  InQ OutQ Up/Down  State/PfxRcd
10.0.0.1        4 notanas 1 1 1 0 0 00:00:01 5
10.0.0.2        4
10.0.0.3        4 65000 1 1 1 0 0 00:00:01 Weird
\u{0}\u{7f}\u{1b}[2J
";
    let s = parse_bgp_summary(text, None);
    assert!(s.sessions.is_empty());
    assert_eq!(s.notes.len(), 3, "{:?}", s.notes);
    assert!(s.notes[0].starts_with("line 2:"), "{:?}", s.notes);
    for n in 0..text.len() {
        if text.is_char_boundary(n) {
            let _ = parse_bgp_summary(&text[..n], None);
        }
    }
}

#[test]
fn junos_instances_and_inline_counts() {
    let text = "\
Peer                     AS      InPkt     OutPkt    OutQ   Flaps Last Up/Dwn State|#Active/Received/Accepted/Damped...
192.168.100.130       12076         10         10       0       0     1:04:05 Establ
  AZURE.inet.0: 3/4/4/0
10.145.0.2                3          2          3       0       1           9 0/0/0/0              0/0/0/0
10.0.0.9              65001          0          0       0       0     2w1d 3:00:00 Active
";
    let s = parse_bgp_summary(text, None);
    assert_eq!(s.sessions.len(), 3, "{:?}", s.notes);
    let a = &s.sessions[0];
    assert_eq!(a.vrf.as_deref(), Some("AZURE"));
    assert_eq!(a.established_seconds, Some(3845));
    let p = a.family(&Family::ipv4_unicast()).unwrap();
    assert_eq!((p.received, p.accepted), (Some(4), Some(4)));
    assert_eq!(s.sessions[1].state, BgpState::Established);
    assert_eq!(s.sessions[1].established_seconds, Some(9));
    assert_eq!(s.sessions[2].state, BgpState::Active);
    assert_eq!(s.sessions[2].established_seconds, None);
}

/// Two forms from vendors' command references rather than from our captures: Dell
/// FTOS prints no V column and calls the last one `State/Pfx`; older Junos prints
/// `State|#Active/Received/Damped...`, with no accepted count (the third number is
/// the damped one, never to be taken for accepted).
#[test]
fn forms_from_vendor_documentation_are_read_by_their_headers() {
    let ftos = "\
Dell#sho ip bgp ipv4 multicast summary
BGP router identifier 100.10.10.1, local AS number 6400
Neighbor        AS  MsgRcvd MsgSent TblVer InQ OutQ Up/Down  State/Pfx
25.25.25.25     6400     21      9     14   0    0 00:02:04        3
211.1.1.129      640     28      6      0   0    0 00:00:21   Active
Dell#
";
    let s = parse_bgp_summary(ftos, None);
    assert!(s.notes.is_empty(), "{:?}", s.notes);
    assert_eq!(s.sessions.len(), 2);
    assert_eq!(s.sessions[0].remote_as, Some(Asn(6400)));
    assert_eq!(s.sessions[0].established_seconds, Some(124));
    assert_eq!(s.sessions[0].received_in(&Family::ipv4_unicast()), Some(3));
    assert_eq!(s.sessions[1].state, BgpState::Active);

    let junos = "\
Groups: 1 Peers: 2 Down peers: 1
Peer               AS      InPkt     OutPkt    OutQ   Flaps Last Up/Dwn State|#Active/Received/Damped...
10.0.0.2        65002        101        103       0       0       48:35 2/4/0                0/0/0
10.0.0.6        65003          0          0       0       0       12:01 Active
";
    let s = parse_bgp_summary(junos, None);
    assert_eq!(s.sessions.len(), 2, "{:?}", s.notes);
    let p = s.sessions[0].family(&Family::ipv4_unicast()).unwrap();
    assert_eq!((p.received, p.accepted), (Some(4), None));
    assert_eq!(s.sessions[0].established_seconds, Some(48 * 60 + 35));
    assert_eq!(s.sessions[1].state, BgpState::Active);
}

/// A summary larger than the console's 4 MiB output limit lets through (80,000
/// rows: 40,000 peers in two families, 6 MB) is read whole: one session per peer with both families'
/// counters. Its cost per row is measured by `cargo bench --bench parsers`.
#[test]
fn a_summary_at_the_console_limit_is_read_whole() {
    let text = big_summary(40_000);
    let s = parse_bgp_summary(&text, None);
    assert!(s.notes.is_empty(), "{:?}", &s.notes[..s.notes.len().min(3)]);
    assert_eq!(s.sessions.len(), 40_000);
    let last = s.sessions.last().unwrap();
    assert_eq!(last.received_in(&Family::ipv4_unicast()), Some(39_999));
    assert_eq!(last.received_in(&Family::new("ipv4", "vpn")), Some(39_999));
}

/// `peers` rows of an IOS-style summary, repeated for a second family.
pub(crate) fn big_summary(peers: u32) -> String {
    let mut text = String::new();
    for family in ["IPv4 Unicast", "VPNv4 Unicast"] {
        text.push_str(&format!("For address family: {family}\n"));
        text.push_str(
            "Neighbor        V    AS MsgRcvd MsgSent   TblVer  InQ OutQ Up/Down  State/PfxRcd\n",
        );
        for k in 0..peers {
            let addr = std::net::Ipv4Addr::from(0x0A00_0000 + k);
            text.push_str(&format!(
                "{addr:<15} 4 65001     100     100       10    0    0 01:00:00 {k}\n"
            ));
        }
    }
    text
}
