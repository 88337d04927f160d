//! Cisco IOS-XR: `show controllers optics R/S/I/P` (the optics controller is named by
//! the interface's numbers alone) and `show interfaces X`; `show bgp all all summary`,
//! and the VRF-wide summaries when VRFs are configured; `show bfd session`.

use super::spec::DialectSpec;
use crate::source::serial::parse;

/// The IOS-XR controller name of an interface: "HundredGigE0/0/0/0" -> "0/0/0/0".
pub fn xr_port(interface: &str) -> &str {
    interface
        .find(|c: char| c.is_ascii_digit())
        .map(|i| &interface[i..])
        .unwrap_or(interface)
}

pub const SPEC: DialectSpec = DialectSpec {
    name: "cisco-iosxr",
    enable_level: false,
    paging_off: "terminal length 0",
    interface_commands: |interface| {
        vec![
            format!("show controllers optics {}", xr_port(interface)),
            format!("show interfaces {interface}"),
        ]
    },
    bgp_commands: |vrfs| {
        let mut out = vec![("show bgp all all summary".to_string(), None)];
        if !vrfs.is_empty() {
            out.push(("show bgp vrf all ipv4 unicast summary".to_string(), None));
            out.push(("show bgp vrf all ipv6 unicast summary".to_string(), None));
        }
        out
    },
    bfd_command: "show bfd session",
    parser: parse::iosxr::output,
    port_of: Some(xr_port),
    lane_rows: false,
};
