//! A plan as written, and the findings and addresses a check reports about it.

use std::fmt;

use serde::{Deserialize, Serialize};
use toml::Spanned;

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
pub(super) struct RawPlan {
    pub(super) circuit: Spanned<RawCircuit>,
    #[serde(default)]
    pub(super) peering: Vec<Spanned<RawPeering>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCircuit {
    pub(super) name: String,
    /// May be left out when the port's own (read from Azure by an agent) is given.
    pub(super) port_encapsulation: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) premium: bool,
    /// VLANs other circuits already use on the same port (Dot1Q ports need them unique).
    #[serde(default)]
    pub(super) port_vlans_in_use: Vec<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPeering {
    #[serde(rename = "type")]
    pub(super) kind: Spanned<String>,
    pub(super) vlan: Spanned<i64>,
    pub(super) peer_asn: Spanned<i64>,
    pub(super) primary_subnet: Option<Spanned<String>>,
    pub(super) secondary_subnet: Option<Spanned<String>>,
    /// One /29 instead of two /30s.
    pub(super) subnet: Option<Spanned<String>>,
    pub(super) ipv6_primary_subnet: Option<Spanned<String>>,
    pub(super) ipv6_secondary_subnet: Option<Spanned<String>>,
    /// One /125 instead of two /126s.
    pub(super) ipv6_subnet: Option<Spanned<String>>,
    pub(super) shared_key: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) advertised_prefixes: Vec<Spanned<String>>,
    pub(super) customer_asn: Option<Spanned<i64>>,
    /// Planned number of prefixes to advertise (private peering), when not listed.
    pub(super) advertised_prefix_count: Option<Spanned<u32>>,
    pub(super) ipv6_advertised_prefix_count: Option<Spanned<u32>>,
}
