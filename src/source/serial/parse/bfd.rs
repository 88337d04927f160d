//! BFD session states from a `show bfd` command of any dialect: IOS and IOS-XE
//! `show bfd neighbors`, NX-OS `show bfd neighbors vrf all`, IOS-XR `show bfd
//! session`, EOS `show bfd peers`, Junos `show bfd session`. They share one shape: a
//! row per session naming the neighbour's address and its state word somewhere after
//! it. Where a row names two addresses, the local one comes first (IOS and NX-OS
//! `OurAddr NeighAddr`, older IOS-XR `Src Addr Dest Addr`), so the neighbour is the
//! last address; the state is the last state word (IOS and NX-OS print the remote
//! state, RH/RS, before their State column, EOS its last diagnostic).

use std::collections::BTreeMap;
use std::net::IpAddr;

use crate::bgp::{Bfd, BfdState, BgpSession};

/// The state of each neighbour with a row; None where its rows disagree (the same
/// address in two VRFs), never a pick.
pub fn parse_bfd(text: &str) -> BTreeMap<IpAddr, Option<BfdState>> {
    let mut out: BTreeMap<IpAddr, Option<BfdState>> = BTreeMap::new();
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let Some(peer) = words.iter().rev().find_map(|w| address(w)) else {
            continue;
        };
        let Some(state) = words.iter().rev().find_map(|w| BfdState::from_word(w)) else {
            continue;
        };
        out.entry(peer)
            .and_modify(|s| {
                if *s != Some(state) {
                    *s = None;
                }
            })
            .or_insert(Some(state));
    }
    out
}

/// A word that is an address, not a prefix or a time.
fn address(word: &str) -> Option<IpAddr> {
    let w = word.trim_end_matches([',', ';']);
    // IPv6 zone indexes (fe80::1%Ethernet1) name the interface, not another address.
    let w = w.split('%').next().unwrap_or(w);
    w.parse().ok().filter(|ip: &IpAddr| !ip.is_unspecified())
}

/// Sets each session's BFD state from a `show bfd` output.
pub fn attach(sessions: &mut [BgpSession], text: &str) {
    let states = parse_bfd(text);
    for s in sessions {
        s.bfd = states.get(&s.peer).copied().flatten().map(|state| Bfd {
            state,
            diagnostic: None,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn each_dialect_s_row_gives_its_neighbour_and_state() {
        let ios = "\
IPv4 Sessions
NeighAddr                              LD/RD         RH/RS     State     Int
192.168.100.130                         1/2          Up        Up        Te0/1/0.200
192.168.100.134                         3/0          Down      Down      Te0/1/1.200
";
        let ios_old = "\
OurAddr       NeighAddr     LD/RD  RH/RS  Holdown(mult)  State     Int
192.168.100.129   192.168.100.130    1/6    Up     0    (3 )    Up        Te0/1/0
";
        let nxos = "\
OurAddr         NeighAddr       LD/RD                 RH/RS           Holdown(mult)     State       Int                   Vrf                              Type
192.168.100.129 192.168.100.130 1090519041/1090519041 Up              5237(3)           Up          Eth1/1.200            AZURE                            SH
";
        let xr = "\
Interface           Dest Addr           Local det time(int*mult)      State
                                    Echo             Async   H/W   NPU
------------------- --------------- ---------------- ---------------- ----------
Hu0/0/0/0.200       192.168.100.130 0s(0s*0)         900ms(300ms*3)   UP
";
        let eos = "\
VRF name: AZURE
---------------
DstAddr              MyDisc    YourDisc  Interface/Transport    Type           LastUp             LastDown            LastDiag    State
-------------- ----------- ----------- -------------------- ------- ------------------ ------------------ ----------- -----
192.168.100.130 2925396283  3505453569        Ethernet1.200(15)  normal   11/24/26 10:00     NA        No Diagnostic       Up
2001:db8:1::2   2925396284  0                 Ethernet1.200(15)  normal   NA                 11/24/26 10:02   Detect Time Exp  Down
";
        let junos = "\
                                                  Detect   Transmit
Address                  State     Interface      Time     Interval  Multiplier
192.168.100.130          Up        et-0/0/0.200   0.900     0.300        3

1 sessions, 1 clients
Cumulative transmit rate 3.3 pps, cumulative receive rate 3.3 pps
";
        for (name, text) in [
            ("ios", ios),
            ("ios-old", ios_old),
            ("nxos", nxos),
            ("xr", xr),
            ("eos", eos),
            ("junos", junos),
        ] {
            let got = parse_bfd(text);
            assert_eq!(
                got.get(&ip("192.168.100.130")),
                Some(&Some(BfdState::Up)),
                "{name}: {got:?}"
            );
            assert!(
                !got.contains_key(&ip("192.168.100.129")),
                "{name}: the local address is not a neighbour: {got:?}"
            );
        }
        assert_eq!(
            parse_bfd(ios).get(&ip("192.168.100.134")),
            Some(&Some(BfdState::Down))
        );
        assert_eq!(
            parse_bfd(eos).get(&ip("2001:db8:1::2")),
            Some(&Some(BfdState::Down)),
            "a diagnostic before the state is not the state"
        );
    }

    #[test]
    fn rows_that_disagree_about_one_neighbour_give_no_state() {
        let text = "\
192.168.100.130   Up     et-0/0/0.200
192.168.100.130   Down   et-0/0/1.300
";
        assert_eq!(parse_bfd(text).get(&ip("192.168.100.130")), Some(&None));
    }

    #[test]
    fn garbage_and_empty_output_give_nothing_and_never_panic() {
        assert!(parse_bfd("").is_empty());
        assert!(parse_bfd("% BFD is not enabled\n\u{1b}[2J ::: 300.1.1.1 Up").is_empty());
        let mut s = BgpSession::new(ip("192.168.100.130"), crate::bgp::BgpState::Established);
        s.bfd = Some(Bfd {
            state: BfdState::Up,
            diagnostic: None,
        });
        let mut v = vec![s];
        attach(&mut v, "no sessions");
        assert_eq!(v[0].bfd, None, "a neighbour without a row has no BFD");
    }
}
