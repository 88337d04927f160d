//! The settings of one SNMP device, as validated from the config.

use std::time::Duration;

use lightgate_core::secret::Secret;

/// A setting with a fixed set of names. The config file and the command line both
/// parse through it, so the two can never accept different spellings.
pub trait Named: Copy + PartialEq + 'static {
    /// Every accepted name (case does not matter), the canonical one first for each
    /// value.
    const NAMES: &'static [(&'static str, Self)];

    /// The canonical name.
    fn name(&self) -> &'static str {
        Self::NAMES
            .iter()
            .find(|(_, v)| v == self)
            .map(|(n, _)| *n)
            .unwrap_or("?")
    }

    /// The value `text` names, or a message saying what `what` may be.
    fn parse_named(what: &str, text: &str) -> Result<Self, String> {
        Self::NAMES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(text.trim()))
            .map(|(_, v)| *v)
            .ok_or_else(|| {
                let names: Vec<&str> = Self::NAMES.iter().map(|(n, _)| *n).collect();
                format!("{what} {text:?} must be one of: {}", names.join(", "))
            })
    }
}

/// SNMP protocol version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SnmpVersion {
    V1,
    V2c,
    V3,
}

impl Named for SnmpVersion {
    const NAMES: &'static [(&'static str, Self)] = &[
        ("1", SnmpVersion::V1),
        ("2c", SnmpVersion::V2c),
        ("3", SnmpVersion::V3),
    ];
}

/// USM security level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecurityLevel {
    NoAuthNoPriv,
    AuthNoPriv,
    AuthPriv,
}

impl Named for SecurityLevel {
    const NAMES: &'static [(&'static str, Self)] = &[
        ("noAuthNoPriv", SecurityLevel::NoAuthNoPriv),
        ("authNoPriv", SecurityLevel::AuthNoPriv),
        ("authPriv", SecurityLevel::AuthPriv),
    ];
}

impl Named for AuthProtocol {
    const NAMES: &'static [(&'static str, Self)] = &AuthProtocol::NAMES;
}

/// USM authentication protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthProtocol {
    Md5,
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
}

impl AuthProtocol {
    /// The names the config and the command line accept, first the canonical one.
    pub const NAMES: [(&'static str, AuthProtocol); 7] = [
        ("md5", AuthProtocol::Md5),
        ("sha", AuthProtocol::Sha1),
        ("sha1", AuthProtocol::Sha1),
        ("sha224", AuthProtocol::Sha224),
        ("sha256", AuthProtocol::Sha256),
        ("sha384", AuthProtocol::Sha384),
        ("sha512", AuthProtocol::Sha512),
    ];

    /// The canonical config name.
    pub fn as_str(&self) -> &'static str {
        Self::NAMES
            .iter()
            .find(|(_, p)| p == self)
            .map(|(n, _)| *n)
            .unwrap_or("sha")
    }
}

impl std::str::FromStr for AuthProtocol {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::NAMES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(s))
            .map(|(_, p)| *p)
            .ok_or_else(|| {
                format!("unknown authentication protocol {s:?}, expected md5, sha, sha224, sha256, sha384 or sha512")
            })
    }
}

/// USM privacy protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrivProtocol {
    Des,
    Aes128,
    Aes192,
    Aes256,
}

impl Named for PrivProtocol {
    const NAMES: &'static [(&'static str, Self)] = &[
        ("des", PrivProtocol::Des),
        ("aes", PrivProtocol::Aes128),
        ("aes128", PrivProtocol::Aes128),
        ("aes192", PrivProtocol::Aes192),
        ("aes256", PrivProtocol::Aes256),
    ];
}

/// SNMPv3 user settings. Passwords are [`Secret`]s.
#[derive(Debug, Clone, PartialEq)]
pub struct V3Settings {
    pub user: String,
    pub level: SecurityLevel,
    pub auth_protocol: AuthProtocol,
    pub auth_password: Option<Secret>,
    pub priv_protocol: PrivProtocol,
    pub priv_password: Option<Secret>,
    pub context: Option<String>,
}

/// RFC 3414 key localisation wants passwords of at least 8 characters (net-snmp refuses
/// shorter ones), and snmp2 panics on an empty one: every path that builds v3 settings
/// checks this first.
pub const MIN_V3_PASSWORD: usize = 8;

impl V3Settings {
    /// What is missing for the security level, in words; empty when usable.
    pub fn problems(&self) -> Vec<String> {
        let short = |p: &Option<Secret>| {
            p.as_ref()
                .is_none_or(|p| p.expose().len() < MIN_V3_PASSWORD)
        };
        let mut out = Vec::new();
        if self.level != SecurityLevel::NoAuthNoPriv && short(&self.auth_password) {
            out.push(format!("SNMPv3 with authentication needs an authentication password of at least {MIN_V3_PASSWORD} characters"));
        }
        if self.level == SecurityLevel::AuthPriv && short(&self.priv_password) {
            out.push(format!(
                "SNMPv3 authPriv needs a privacy password of at least {MIN_V3_PASSWORD} characters"
            ));
        }
        out
    }
}

/// Which MIBs a device's DOM is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Vendor {
    /// CISCO-ENTITY-SENSOR-MIB (IOS, IOS-XE, NX-OS, IOS-XR).
    Cisco,
    /// JUNIPER-DOM-MIB.
    Juniper,
    /// ENTITY-SENSOR-MIB with ARISTA-ENTITY-SENSOR-MIB thresholds.
    Arista,
    /// Plain ENTITY-SENSOR-MIB (RFC 3433).
    EntitySensor,
    /// HUAWEI-ENTITY-EXTENT-MIB (VRP).
    Huawei,
    /// TIMETRA-PORT-MIB (Nokia SR OS).
    Nokia,
    /// MIKROTIK-MIB (RouterOS).
    Mikrotik,
    /// ARUBAWIRED-PM-MIB (AOS-CX).
    ArubaCx,
}

impl Vendor {
    pub const ALL: [Vendor; 8] = [
        Vendor::Cisco,
        Vendor::Juniper,
        Vendor::Arista,
        Vendor::EntitySensor,
        Vendor::Huawei,
        Vendor::Nokia,
        Vendor::Mikrotik,
        Vendor::ArubaCx,
    ];

    pub fn as_str(&self) -> &'static str {
        self.name()
    }

    pub fn from_name(s: &str) -> Option<Vendor> {
        Vendor::NAMES.iter().find(|(n, _)| *n == s).map(|(_, v)| *v)
    }
}

impl Named for Vendor {
    const NAMES: &'static [(&'static str, Self)] = &[
        ("cisco", Vendor::Cisco),
        ("juniper", Vendor::Juniper),
        ("arista", Vendor::Arista),
        ("entity-sensor", Vendor::EntitySensor),
        ("huawei", Vendor::Huawei),
        ("nokia", Vendor::Nokia),
        ("mikrotik", Vendor::Mikrotik),
        ("aruba-cx", Vendor::ArubaCx),
    ];
}

impl std::fmt::Display for Vendor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Vendor {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Vendor::parse_named("vendor", s)
    }
}

/// One SNMP device.
#[derive(Debug, Clone, PartialEq)]
pub struct SnmpSettings {
    /// host:port (a name is resolved at each session start).
    pub address: String,
    pub version: SnmpVersion,
    /// For v1 and v2c.
    pub community: Option<Secret>,
    pub v3: Option<V3Settings>,
    /// Overrides detection from sysObjectID.
    pub vendor: Option<Vendor>,
    /// How long to wait for one response before retrying.
    pub request_timeout: Duration,
    /// Retries of a request after the first attempt, with doubling waits.
    pub retries: u32,
    /// GETBULK max-repetitions while walking during discovery.
    pub max_repetitions: u32,
    /// At most this many varbinds per GET (halved on tooBig).
    pub max_varbinds_per_request: usize,
    /// Rediscover (walk the tables again) at least this often.
    pub rediscover_interval: Duration,
}

impl SnmpSettings {
    pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(2);
    pub const DEFAULT_RETRIES: u32 = 2;
    /// `retries`: each retry doubles the wait, so ten already wait 1023 request
    /// timeouts.
    pub const RETRY_BOUNDS: (u32, u32) = (0, 10);
    /// `max_repetitions` and `max_varbinds_per_request`: a PDU of more varbinds than
    /// this does not fit the largest UDP datagram anyway.
    pub const COUNT_BOUNDS: (u32, u32) = (1, 1000);
    pub const DEFAULT_MAX_REPETITIONS: u32 = 25;
    pub const DEFAULT_MAX_VARBINDS: usize = 60;
    pub const DEFAULT_REDISCOVER: Duration = Duration::from_secs(3600);
}

#[cfg(test)]
mod v3_tests {
    use super::*;

    fn v3(level: SecurityLevel, auth: &str, privacy: &str) -> V3Settings {
        let secret = |s: &str| (!s.is_empty()).then(|| Secret::new(s));
        V3Settings {
            user: "u".into(),
            level,
            auth_protocol: AuthProtocol::Sha256,
            auth_password: secret(auth),
            priv_protocol: PrivProtocol::Aes128,
            priv_password: secret(privacy),
            context: None,
        }
    }

    #[test]
    fn passwords_must_be_long_enough_for_the_level() {
        assert!(v3(SecurityLevel::NoAuthNoPriv, "", "")
            .problems()
            .is_empty());
        assert!(v3(SecurityLevel::AuthNoPriv, "12345678", "")
            .problems()
            .is_empty());
        assert!(v3(SecurityLevel::AuthPriv, "12345678", "abcdefgh")
            .problems()
            .is_empty());
        let p = v3(SecurityLevel::AuthNoPriv, "1234567", "").problems();
        assert_eq!(p.len(), 1);
        assert!(
            p[0].contains("authentication password of at least 8"),
            "{p:?}"
        );
        let p = v3(SecurityLevel::AuthPriv, "12345678", "").problems();
        assert!(p[0].contains("privacy password of at least 8"), "{p:?}");
        // The problems never quote the password.
        let p = v3(SecurityLevel::AuthPriv, "short", "tiny").problems();
        assert!(p
            .iter()
            .all(|m| !m.contains("short") && !m.contains("tiny")));
    }
}

/// The SNMP port every agent listens on unless told otherwise.
pub const DEFAULT_PORT: u16 = 161;

/// `address` with port 161 added when it names none, as every SNMP tool reads it: a
/// host name or IPv4 address ("192.0.2.11"), a bare IPv6 address ("2001:db8::1") or one
/// in brackets ("[2001:db8::1]"). An address with a port is returned as it is.
pub fn with_default_port(address: &str) -> String {
    let a = address.trim();
    if a.parse::<std::net::Ipv6Addr>().is_ok() {
        return format!("[{a}]:{DEFAULT_PORT}");
    }
    if a.starts_with('[') {
        return if a.ends_with(']') {
            format!("{a}:{DEFAULT_PORT}")
        } else {
            a.to_string()
        };
    }
    if a.contains(':') {
        a.to_string()
    } else {
        format!("{a}:{DEFAULT_PORT}")
    }
}

#[cfg(test)]
mod default_port_tests {
    use super::with_default_port;

    #[test]
    fn an_address_without_a_port_means_161() {
        for (given, meant) in [
            ("192.0.2.11", "192.0.2.11:161"),
            ("192.0.2.11:1161", "192.0.2.11:1161"),
            ("edge-a.example.net", "edge-a.example.net:161"),
            ("edge-a.example.net:16100", "edge-a.example.net:16100"),
            ("2001:db8::1", "[2001:db8::1]:161"),
            ("[2001:db8::1]", "[2001:db8::1]:161"),
            ("[2001:db8::1]:1161", "[2001:db8::1]:1161"),
        ] {
            assert_eq!(with_default_port(given), meant, "{given}");
        }
    }
}
