//! What a dialect is: the one shape every dialect file fills in.

use crate::source::serial::parse::Parser;

/// Show commands, each with the VRF its output is about when the output does not say.
pub type VrfCommands = Vec<(String, Option<String>)>;

/// Everything lightgate knows of one CLI dialect.
pub struct DialectSpec {
    /// The name in the config and on the command line ("cisco-ios").
    pub name: &'static str,
    /// A `>` prompt is a user level that `enable` raises (IOS, EOS); elsewhere `>` is
    /// the operational prompt itself (Junos).
    pub enable_level: bool,
    /// The command that turns paging off for the session.
    pub paging_off: &'static str,
    /// The read-only commands that give link state and DOM for one interface.
    pub interface_commands: fn(&str) -> Vec<String>,
    /// The read-only commands that list BGP sessions, each with the VRF its output is
    /// about when the output does not say (VRF-wide commands where the platform has
    /// them, per VRF otherwise); `vrfs` are the configured ones.
    pub bgp_commands: fn(vrfs: &[String]) -> VrfCommands,
    /// The read-only command that lists BFD sessions (see [`parse::bfd`]).
    pub bfd_command: &'static str,
    /// The parser of the interface commands' outputs.
    pub parser: Parser,
    /// The name an interface's output may go by instead of its own (IOS-XR's optics
    /// controller "0/0/0/0" for "HundredGigE0/0/0/0").
    pub port_of: Option<fn(&str) -> &str>,
    /// EOS prints an unbroken multi-lane port's optic as one row per lane
    /// sub-interface: fold them into the port's lanes.
    pub lane_rows: bool,
}
