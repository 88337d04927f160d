//! Peering pre-flight: validates a planned private or Microsoft peering before anyone
//! types it into Azure, with the documented rules (addresses, VLANs, AS numbers, MD5
//! keys, prefix limits) and the addresses each side takes, ready for router configs.
//! Pure: a plan's text in, findings out.

mod rules;

use std::fmt;

use serde::{Deserialize, Serialize};
use toml::Spanned;

pub use rules::{check, check_with, PortFacts};

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem with the plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub severity: Severity,
    /// 1-based index of the peering, when the finding is about one.
    pub peering: Option<usize>,
    pub message: String,
    /// 1-based line and column in the plan file.
    pub line: Option<usize>,
    pub column: Option<usize>,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{sev}: ")?;
        if let Some(p) = self.peering {
            write!(f, "peering {p}: ")?;
        }
        write!(f, "{}", self.message)?;
        if let (Some(l), Some(c)) = (self.line, self.column) {
            write!(f, " (line {l}, column {c})")?;
        }
        Ok(())
    }
}

/// The addresses of one link of a peering.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LinkAddresses {
    pub peering: usize,
    /// "primary" (link1) or "secondary" (link2).
    pub link: &'static str,
    pub subnet: String,
    pub customer: String,
    pub microsoft: String,
}

/// Everything a check found.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Report {
    pub findings: Vec<Finding>,
    pub addresses: Vec<LinkAddresses>,
}

impl Report {
    pub fn errors(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count()
    }

    pub fn warnings(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Warning)
            .count()
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlan {
    circuit: Spanned<RawCircuit>,
    #[serde(default)]
    peering: Vec<Spanned<RawPeering>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCircuit {
    name: String,
    /// May be left out when the port's own (read from Azure by an agent) is given.
    port_encapsulation: Option<Spanned<String>>,
    #[serde(default)]
    premium: bool,
    /// VLANs other circuits already use on the same port (Dot1Q ports need them unique).
    #[serde(default)]
    port_vlans_in_use: Vec<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPeering {
    #[serde(rename = "type")]
    kind: Spanned<String>,
    vlan: Spanned<i64>,
    peer_asn: Spanned<i64>,
    primary_subnet: Option<Spanned<String>>,
    secondary_subnet: Option<Spanned<String>>,
    /// One /29 instead of two /30s.
    subnet: Option<Spanned<String>>,
    ipv6_primary_subnet: Option<Spanned<String>>,
    ipv6_secondary_subnet: Option<Spanned<String>>,
    /// One /125 instead of two /126s.
    ipv6_subnet: Option<Spanned<String>>,
    shared_key: Option<Spanned<String>>,
    #[serde(default)]
    advertised_prefixes: Vec<Spanned<String>>,
    customer_asn: Option<Spanned<i64>>,
    /// Planned number of prefixes to advertise (private peering), when not listed.
    advertised_prefix_count: Option<Spanned<u32>>,
    ipv6_advertised_prefix_count: Option<Spanned<u32>>,
}
