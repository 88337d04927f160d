//! BFD (RFC 5880) beside a BGP session: Microsoft runs BFD on every ExpressRoute
//! peering's MSEE side (300 ms intervals, ../shared/reference/expressroute-direct.md
//! §4.7), and a customer router that runs it too detects a dead path in about a
//! second instead of BGP's 90 s hold time. Its state is what the router reports for
//! the session to the BGP neighbour's address: BFD-STD-MIB (RFC 7331) or its
//! pre-standard tables, or a `show bfd` command.

use std::fmt;

use serde::Serialize;

/// The session states of RFC 5880 §4.1 (IANAbfdSessStateTC numbers 1..5; `failing`
/// exists only in BFD version 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BfdState {
    AdminDown,
    Down,
    Init,
    Up,
    Failing,
}

impl BfdState {
    /// The MIB number (IANAbfdSessStateTC, the same in CISCO-IETF-BFD-MIB and Juniper's
    /// experimental BFD-STD-MIB): adminDown(1), down(2), init(3), up(4), failing(5).
    pub fn from_mib(v: i64) -> Option<BfdState> {
        Some(match v {
            1 => BfdState::AdminDown,
            2 => BfdState::Down,
            3 => BfdState::Init,
            4 => BfdState::Up,
            5 => BfdState::Failing,
            _ => return None,
        })
    }

    pub fn mib_number(&self) -> i64 {
        match self {
            BfdState::AdminDown => 1,
            BfdState::Down => 2,
            BfdState::Init => 3,
            BfdState::Up => 4,
            BfdState::Failing => 5,
        }
    }

    /// A state word as `show bfd` commands print it: `Up`/`UP`, `Down`/`DOWN`,
    /// `Init`/`INIT`, `AdminDown`/`ADMIN DOWN`/`ADMIN_DOWN`/`AdminDn` (IOS), `Fail`.
    pub fn from_word(word: &str) -> Option<BfdState> {
        let w: String = word
            .chars()
            .filter(|c| c.is_ascii_alphabetic())
            .collect::<String>()
            .to_ascii_lowercase();
        Some(match w.as_str() {
            "up" => BfdState::Up,
            "down" => BfdState::Down,
            "init" => BfdState::Init,
            "admindown" | "admindn" => BfdState::AdminDown,
            "fail" | "failing" => BfdState::Failing,
            _ => return None,
        })
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            BfdState::AdminDown => "admin_down",
            BfdState::Down => "down",
            BfdState::Init => "init",
            BfdState::Up => "up",
            BfdState::Failing => "failing",
        }
    }
}

impl fmt::Display for BfdState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The BFD session to a BGP neighbour, as its router reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Bfd {
    pub state: BfdState,
    /// Why the session last left up, where the source says (RFC 5880 §4.1 diagnostic
    /// codes; None for "no diagnostic").
    pub diagnostic: Option<String>,
}

/// RFC 5880 §4.1's diagnostic codes as IANAbfdDiagTC numbers them (0 = no
/// diagnostic; 9 from RFC 6428). The pre-standard tables count from 1: subtract one
/// before calling.
pub fn diagnostic_text(code: i64) -> Option<&'static str> {
    Some(match code {
        1 => "control detection time expired",
        2 => "echo function failed",
        3 => "neighbor signaled session down",
        4 => "forwarding plane reset",
        5 => "path down",
        6 => "concatenated path down",
        7 => "administratively down",
        8 => "reverse concatenated path down",
        9 => "mis-connectivity defect",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mib_states_follow_iana_and_refuse_the_rest() {
        for n in 1..=5 {
            assert_eq!(BfdState::from_mib(n).map(|s| s.mib_number()), Some(n));
        }
        assert_eq!(BfdState::from_mib(4), Some(BfdState::Up));
        assert_eq!(BfdState::from_mib(1), Some(BfdState::AdminDown));
        assert_eq!(BfdState::from_mib(0), None);
        assert_eq!(BfdState::from_mib(6), None);
    }

    #[test]
    fn cli_words_of_every_dialect_are_read() {
        for (w, s) in [
            ("Up", BfdState::Up),
            ("UP", BfdState::Up),
            ("Down", BfdState::Down),
            ("DOWN", BfdState::Down),
            ("Init", BfdState::Init),
            ("INIT", BfdState::Init),
            ("AdminDown", BfdState::AdminDown),
            ("ADMIN_DOWN", BfdState::AdminDown),
            ("AdminDn", BfdState::AdminDown),
        ] {
            assert_eq!(BfdState::from_word(w), Some(s), "{w}");
        }
        for w in ["10.0.0.1", "Gi0/0", "900ms(300ms*3)", "1/1", ""] {
            assert_eq!(BfdState::from_word(w), None, "{w}");
        }
    }

    #[test]
    fn diagnostics_are_named_and_no_diagnostic_is_none() {
        assert_eq!(diagnostic_text(0), None);
        assert_eq!(diagnostic_text(1), Some("control detection time expired"));
        assert_eq!(diagnostic_text(7), Some("administratively down"));
        assert_eq!(diagnostic_text(10), None);
        assert_eq!(diagnostic_text(-1), None);
    }
}
