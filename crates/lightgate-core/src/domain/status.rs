//! Interface and Azure-side link states, with the IF-MIB names and numbers.

use std::fmt;

/// ifAdminStatus (IF-MIB, RFC 2863).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AdminStatus {
    Up,
    Down,
    Testing,
    /// The device gives no admin status for the interface (an agent without the
    /// IF-MIB columns): never taken for up.
    Unknown,
}

impl AdminStatus {
    /// From the IF-MIB integer: up(1) down(2) testing(3).
    pub fn from_if_mib(value: i64) -> Option<Self> {
        match value {
            1 => Some(AdminStatus::Up),
            2 => Some(AdminStatus::Down),
            3 => Some(AdminStatus::Testing),
            _ => None,
        }
    }

    /// The IF-MIB name.
    pub fn as_str(&self) -> &'static str {
        match self {
            AdminStatus::Up => "up",
            AdminStatus::Down => "down",
            AdminStatus::Testing => "testing",
            AdminStatus::Unknown => "unknown",
        }
    }

    /// From the IF-MIB name.
    pub fn from_name(name: &str) -> Option<Self> {
        [
            AdminStatus::Up,
            AdminStatus::Down,
            AdminStatus::Testing,
            AdminStatus::Unknown,
        ]
        .into_iter()
        .find(|s| s.as_str() == name)
    }
}

/// ifOperStatus (IF-MIB, RFC 2863).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OperStatus {
    Up,
    Down,
    Testing,
    Unknown,
    Dormant,
    NotPresent,
    LowerLayerDown,
}

impl OperStatus {
    const ALL: [OperStatus; 7] = [
        OperStatus::Up,
        OperStatus::Down,
        OperStatus::Testing,
        OperStatus::Unknown,
        OperStatus::Dormant,
        OperStatus::NotPresent,
        OperStatus::LowerLayerDown,
    ];

    /// From the IF-MIB integer: up(1) down(2) testing(3) unknown(4) dormant(5)
    /// notPresent(6) lowerLayerDown(7).
    pub fn from_if_mib(value: i64) -> Option<Self> {
        usize::try_from(value - 1)
            .ok()
            .and_then(|i| Self::ALL.get(i).copied())
    }

    /// The IF-MIB name (`lowerLayerDown`, `notPresent`, ...).
    pub fn as_str(&self) -> &'static str {
        match self {
            OperStatus::Up => "up",
            OperStatus::Down => "down",
            OperStatus::Testing => "testing",
            OperStatus::Unknown => "unknown",
            OperStatus::Dormant => "dormant",
            OperStatus::NotPresent => "notPresent",
            OperStatus::LowerLayerDown => "lowerLayerDown",
        }
    }

    /// From the IF-MIB name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

impl fmt::Display for OperStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for AdminStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The admin state of an ExpressRoute Direct link on the Microsoft side
/// (`links[i].properties.adminState` of the ExpressRoutePorts resource).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum AzureAdminState {
    Enabled,
    Disabled,
    #[default]
    Unknown,
}

impl AzureAdminState {
    /// Lower-case name as used in config and JSON.
    pub fn as_str(&self) -> &'static str {
        match self {
            AzureAdminState::Enabled => "enabled",
            AzureAdminState::Disabled => "disabled",
            AzureAdminState::Unknown => "unknown",
        }
    }
}

/// Where the Azure admin state came from: declared by the operator in the config, or
/// observed from Azure Resource Manager.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AzureStateOrigin {
    Declared,
    Observed,
}

impl AzureStateOrigin {
    pub fn as_str(&self) -> &'static str {
        match self {
            AzureStateOrigin::Declared => "declared",
            AzureStateOrigin::Observed => "observed",
        }
    }
}

/// Which link of a Direct port pair: link1 is the primary, link2 the secondary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkId {
    Link1,
    Link2,
}

impl LinkId {
    pub const BOTH: [LinkId; 2] = [LinkId::Link1, LinkId::Link2];

    pub fn as_str(&self) -> &'static str {
        match self {
            LinkId::Link1 => "link1",
            LinkId::Link2 => "link2",
        }
    }
}

impl fmt::Display for LinkId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_mib_numbers_map_to_names() {
        let expected = [
            (1, "up"),
            (2, "down"),
            (3, "testing"),
            (4, "unknown"),
            (5, "dormant"),
            (6, "notPresent"),
            (7, "lowerLayerDown"),
        ];
        for (n, name) in expected {
            let s = OperStatus::from_if_mib(n).unwrap();
            assert_eq!(s.as_str(), name);
            assert_eq!(OperStatus::from_name(name), Some(s));
        }
        assert_eq!(OperStatus::from_if_mib(0), None);
        assert_eq!(OperStatus::from_if_mib(8), None);
        assert_eq!(OperStatus::from_if_mib(-1), None);
        assert_eq!(AdminStatus::from_if_mib(2), Some(AdminStatus::Down));
        assert_eq!(AdminStatus::from_if_mib(4), None);
        assert_eq!(
            AdminStatus::from_name("testing"),
            Some(AdminStatus::Testing)
        );
    }
}
