//! HPE Aruba AOS-CX: `show interface X dom detail` and `show interface X`; `show ip
//! bgp summary all-vrfs` and its IPv6 twin; `show bfd`. `>` is the operator context:
//! `enable` raises it to the manager context (`#`). `no page` turns paging off.

use super::spec::DialectSpec;
use crate::source::serial::parse;

pub const SPEC: DialectSpec = DialectSpec {
    name: "aruba-aoscx",
    enable_level: true,
    paging_off: "no page",
    interface_commands: |interface| {
        vec![
            format!("show interface {interface} dom detail"),
            format!("show interface {interface}"),
        ]
    },
    bgp_commands: |_| {
        vec![
            ("show ip bgp summary all-vrfs".to_string(), None),
            ("show ipv6 bgp summary all-vrfs".to_string(), None),
        ]
    },
    bfd_command: "show bfd",
    parser: parse::aoscx::output,
    port_of: None,
    lane_rows: false,
};
