//! Juniper Junos: `show interfaces diagnostics optics X` and `show interfaces X` (not
//! `terse`: this names the description and when the link last flapped); `show bgp
//! summary` (every routing instance); `show bfd session`. `>` is the operational
//! prompt, not a user level.

use super::spec::DialectSpec;
use crate::source::serial::parse;

pub const SPEC: DialectSpec = DialectSpec {
    name: "junos",
    enable_level: false,
    paging_off: "set cli screen-length 0",
    interface_commands: |interface| {
        vec![
            format!("show interfaces diagnostics optics {interface}"),
            format!("show interfaces {interface}"),
        ]
    },
    bgp_commands: |_| vec![("show bgp summary".to_string(), None)],
    bfd_command: "show bfd session",
    parser: parse::junos::output,
    port_of: None,
    lane_rows: false,
};
