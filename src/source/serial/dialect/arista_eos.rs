//! Arista EOS: `show interfaces X transceiver`, `show interfaces X` and `show
//! interfaces X status` (the speed, and the module type with its lane count); `show
//! ip bgp summary vrf all` and its IPv6 twin; `show bfd peers`. An unbroken
//! multi-lane port prints one transceiver row per lane sub-interface. `>` is user
//! level: `enable` raises it.

use super::spec::DialectSpec;
use crate::source::serial::parse;

pub const SPEC: DialectSpec = DialectSpec {
    name: "arista-eos",
    enable_level: true,
    paging_off: "terminal length 0",
    interface_commands: |interface| {
        vec![
            format!("show interfaces {interface} transceiver"),
            format!("show interfaces {interface}"),
            // One line: the speed (a broken-out port runs at a lane's speed) and the
            // module type (its lane count and launch power).
            format!("show interfaces {interface} status"),
        ]
    },
    bgp_commands: |_| {
        vec![
            ("show ip bgp summary vrf all".to_string(), None),
            ("show ipv6 bgp summary vrf all".to_string(), None),
        ]
    },
    bfd_command: "show bfd peers",
    parser: parse::tables::eos_output,
    port_of: None,
    lane_rows: true,
};
