//! Cisco NX-OS: `show interface X transceiver details` and `show interface X`; `show
//! bgp vrf all all summary`; `show bfd neighbors vrf all`.

use super::spec::DialectSpec;
use crate::source::serial::parse;

pub const SPEC: DialectSpec = DialectSpec {
    name: "cisco-nxos",
    enable_level: false,
    paging_off: "terminal length 0",
    interface_commands: |interface| {
        vec![
            format!("show interface {interface} transceiver details"),
            format!("show interface {interface}"),
        ]
    },
    bgp_commands: |_| vec![("show bgp vrf all all summary".to_string(), None)],
    bfd_command: "show bfd neighbors vrf all",
    parser: parse::nxos::output,
    port_of: None,
    lane_rows: false,
};
