//! The CLI dialects lightgate reads, one file each: its names, what its prompt and
//! paging need, the show commands for an interface's optic and link, for BGP and for
//! BFD, and the parser of their outputs. [`Dialect`] is the registry; the session, the
//! source and `lightgate parse` read a dialect only through its [`DialectSpec`].
//! Adding a dialect: a file here, and its variant, `ALL` entry and `spec` arm below.

mod arista_eos;
mod aruba_aoscx;
mod cisco_ios;
mod cisco_iosxr;
mod cisco_nxos;
mod junos;
mod spec;

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

pub use spec::{DialectSpec, VrfCommands};

use super::parse::{self, Found};

/// The CLI families lightgate reads: the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    CiscoIos,
    CiscoNxos,
    CiscoIosxr,
    AristaEos,
    Junos,
    ArubaAoscx,
}

impl Dialect {
    pub const ALL: [Dialect; 6] = [
        Dialect::CiscoIos,
        Dialect::CiscoNxos,
        Dialect::CiscoIosxr,
        Dialect::AristaEos,
        Dialect::Junos,
        Dialect::ArubaAoscx,
    ];

    pub fn spec(self) -> &'static DialectSpec {
        match self {
            Dialect::CiscoIos => &cisco_ios::SPEC,
            Dialect::CiscoNxos => &cisco_nxos::SPEC,
            Dialect::CiscoIosxr => &cisco_iosxr::SPEC,
            Dialect::AristaEos => &arista_eos::SPEC,
            Dialect::Junos => &junos::SPEC,
            Dialect::ArubaAoscx => &aruba_aoscx::SPEC,
        }
    }

    pub fn as_str(&self) -> &'static str {
        self.spec().name
    }

    /// [`DialectSpec::interface_commands`] for `interface`.
    pub fn commands(self, interface: &str) -> Vec<String> {
        (self.spec().interface_commands)(interface)
    }

    /// Parses the output of one or several show commands of this dialect. `port` names
    /// the interface for output pasted without its command line (IOS-XR `show
    /// controllers optics`).
    pub fn parse(self, text: &str, port: Option<&str>) -> BTreeMap<String, Found> {
        parse::parse(self.spec().parser, text, port)
    }

    /// [`Dialect::parse`], and the lines that look like optical data that no parser
    /// could read (line number from 1, line): what `lightgate parse` lists and the
    /// agent logs.
    pub fn parse_with_leftovers(
        self,
        text: &str,
        port: Option<&str>,
    ) -> (BTreeMap<String, Found>, Vec<(usize, String)>) {
        parse::parse_with_leftovers(self.spec().parser, text, port)
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Dialect {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Dialect::ALL
            .into_iter()
            .find(|d| d.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Dialect::ALL.iter().map(|d| d.as_str()).collect();
                format!("unknown dialect {s:?}: {}", names.join(", "))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_dialect_is_found_by_its_name_and_unknown_names_list_them_all() {
        for d in Dialect::ALL {
            assert_eq!(d.as_str().parse::<Dialect>(), Ok(d));
        }
        let e = "vyos".parse::<Dialect>().unwrap_err();
        assert!(
            e.contains("cisco-ios, cisco-nxos, cisco-iosxr, arista-eos, junos, aruba-aoscx"),
            "{e}"
        );
    }

    #[test]
    fn every_dialect_sends_only_show_commands() {
        for d in Dialect::ALL {
            let s = d.spec();
            let mut all = (s.interface_commands)("Ethernet1");
            all.extend(
                (s.bgp_commands)(&["AZURE".to_string()])
                    .into_iter()
                    .map(|(c, _)| c),
            );
            all.push(s.bfd_command.to_string());
            assert!(all.iter().all(|c| c.starts_with("show ")), "{d}: {all:?}");
        }
    }
}
