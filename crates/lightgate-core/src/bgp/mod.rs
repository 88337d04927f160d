//! BGP sessions to Microsoft: what a peering needs ([`expect`]), what the customer's
//! routers report ([`session`], with [`asn`] and [`uptime`] for the forms they print,
//! and the [`bfd`] session beside it),
//! and whether the peering is ready to carry traffic ([`readiness`]). Pure.

pub mod asn;
pub mod bfd;
pub mod expect;
pub mod notification;
pub mod readiness;
pub mod session;
pub mod uptime;

pub use asn::{Asn, AS_TRANS, MICROSOFT_ASN};
pub use bfd::{Bfd, BfdState};
pub use expect::{expected_sessions, ExpectedSession, PeeringKind, PeeringSpec};
pub use notification::notification_text;
pub use readiness::{
    evaluate_peering, find_session, PeeringCheck, PeeringCheckName, PeeringReadiness,
    RouterSessions, SessionView,
};
pub use session::{BgpSession, BgpState, Family, PrefixCounts};
pub use uptime::parse_uptime;
