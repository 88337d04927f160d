//! Cisco IOS and IOS-XE: `show interfaces X transceiver detail` (the IOS tables, or
//! the IOS-XE key=value form) and `show interfaces X`; `show bgp all summary` and one
//! VPN summary per VRF; `show bfd neighbors`. `>` is user level: `enable` raises it.

use super::spec::DialectSpec;
use crate::source::serial::parse;

pub const SPEC: DialectSpec = DialectSpec {
    name: "cisco-ios",
    enable_level: true,
    paging_off: "terminal length 0",
    interface_commands: |interface| {
        vec![
            format!("show interfaces {interface} transceiver detail"),
            format!("show interfaces {interface}"),
        ]
    },
    bgp_commands: |vrfs| {
        let mut out = vec![("show bgp all summary".to_string(), None)];
        for v in vrfs {
            out.push((
                format!("show bgp vpnv4 unicast vrf {v} summary"),
                Some(v.clone()),
            ));
            out.push((
                format!("show bgp vpnv6 unicast vrf {v} summary"),
                Some(v.clone()),
            ));
        }
        out
    },
    bfd_command: "show bfd neighbors",
    parser: parse::tables::ios_output,
    port_of: None,
    lane_rows: false,
};
