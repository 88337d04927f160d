//! Exit codes of every subcommand, in one place: sysexits(3) where one fits, so scripts
//! and pipelines can tell "not ready" from "could not ask" from "bad config".

/// Exit codes of every subcommand, in one place (sysexits.h where one fits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Exit {
    Ok = 0,
    /// Bad command-line arguments, an unknown port (EX_USAGE).
    Usage = 64,
    /// The input has problems (EX_DATAERR): `parse --strict`, lines that look like
    /// optical data were not read; `peering check`, errors (or warnings with --strict).
    DataErr = 65,
    /// An input file cannot be read (EX_NOINPUT): `peering check`'s plan.
    NoInput = 66,
    /// The agent could not be reached, or answered nonsense (EX_UNAVAILABLE).
    Unavailable = 69,
    /// An internal error (EX_SOFTWARE).
    Software = 70,
    /// The listen address could not be bound (EX_OSERR).
    OsError = 71,
    /// Not ready (EX_TEMPFAIL): the gate did not run the command; try again later.
    NotReady = 75,
    /// The config file is invalid or unreadable (EX_CONFIG).
    Config = 78,
}

// [`Exit`] as the process exit status the subcommands return.
pub const OK: u8 = Exit::Ok as u8;
pub const NO_INPUT: u8 = Exit::NoInput as u8;
pub const USAGE: u8 = Exit::Usage as u8;
pub const DATA_ERR: u8 = Exit::DataErr as u8;
pub const UNAVAILABLE: u8 = Exit::Unavailable as u8;
pub const SOFTWARE: u8 = Exit::Software as u8;
pub const OS_ERROR: u8 = Exit::OsError as u8;
pub const NOT_READY: u8 = Exit::NotReady as u8;
pub const CONFIG: u8 = Exit::Config as u8;
