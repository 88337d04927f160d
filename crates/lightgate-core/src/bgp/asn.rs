//! AS numbers as routers print and SNMP agents serve them. A 4-byte AS is one number
//! (RFC 6793); asdot `X.Y` means `X * 65536 + Y` and is never a decimal fraction
//! (1.57920 is AS 123456, not 1.5792). In BGP4-MIB's 16-bit `bgpPeerRemoteAs` a
//! 4-byte peer shows as AS_TRANS (23456) or, on agents that overflow the column, as a
//! negative Integer32 (-94967296 is 4200000000).

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// The AS a 2-byte-only speaker sees in place of a 4-byte AS (RFC 6793).
pub const AS_TRANS: u32 = 23456;

/// Microsoft's AS on every ExpressRoute peering.
pub const MICROSOFT_ASN: u32 = 12076;

/// An AS number, printed asplain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Asn(pub u32);

impl Asn {
    /// From an SNMP integer: Gauge32 and Unsigned32 as they are, a negative Integer32
    /// read as the unsigned 32-bit value it overflowed from. None outside 32 bits.
    pub fn from_snmp(v: i64) -> Option<Asn> {
        match v {
            0..=0xFFFF_FFFF => Some(Asn(v as u32)),
            -0x8000_0000..=-1 => Some(Asn((v + (1i64 << 32)) as u32)),
            _ => None,
        }
    }

    /// AS_TRANS, which stands for a 4-byte AS the table could not hold.
    pub fn is_trans(&self) -> bool {
        self.0 == AS_TRANS
    }
}

impl fmt::Display for Asn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for Asn {
    type Err = String;

    /// asplain (`4200000000`), asdot (`65000.1000`) or with an `AS` prefix.
    fn from_str(s: &str) -> Result<Asn, String> {
        let t = s.trim();
        let t = t
            .strip_prefix("AS")
            .or_else(|| t.strip_prefix("as"))
            .unwrap_or(t);
        let bad = || format!("{s:?} is not an AS number");
        if let Some((hi, lo)) = t.split_once('.') {
            let hi: u32 = digits(hi).ok_or_else(bad)?;
            let lo: u32 = digits(lo).ok_or_else(bad)?;
            if hi > 0xFFFF || lo > 0xFFFF {
                return Err(format!("{s:?}: asdot halves are 0..65535"));
            }
            return Ok(Asn(hi * 65536 + lo));
        }
        digits(t).map(Asn).ok_or_else(bad)
    }
}

fn digits(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asdot_is_two_halves_never_a_fraction() {
        assert_eq!("1.57920".parse::<Asn>(), Ok(Asn(123_456)));
        assert_eq!("662.47492".parse::<Asn>(), Ok(Asn(662 * 65536 + 47492)));
        assert_eq!("65000.1000".parse::<Asn>(), Ok(Asn(65000 * 65536 + 1000)));
        assert_eq!("64497.232".parse::<Asn>(), Ok(Asn(64497 * 65536 + 232)));
        assert_eq!("4294967294".parse::<Asn>(), Ok(Asn(4_294_967_294)));
        assert_eq!("AS12076".parse::<Asn>(), Ok(Asn(12076)));
        assert!("1.65536".parse::<Asn>().is_err());
        assert!("4294967296".parse::<Asn>().is_err());
        assert!("".parse::<Asn>().is_err());
        assert!("-1".parse::<Asn>().is_err());
        assert!("12076 ".parse::<Asn>().is_ok());
    }

    #[test]
    fn snmp_integers_that_overflowed_are_read_back() {
        assert_eq!(Asn::from_snmp(-94_967_296), Some(Asn(4_200_000_000)));
        assert_eq!(Asn::from_snmp(-94_967_292), Some(Asn(4_200_000_004)));
        assert_eq!(Asn::from_snmp(264_685), Some(Asn(264_685)));
        assert_eq!(Asn::from_snmp(1 << 32), None);
        assert!(Asn(23456).is_trans());
    }
}
