//! The settings of one SNMP device, as validated from the config.

use std::time::Duration;

use crate::config::Secret;

/// SNMP protocol version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SnmpVersion {
    V1,
    V2c,
    V3,
}

/// USM security level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecurityLevel {
    NoAuthNoPriv,
    AuthNoPriv,
    AuthPriv,
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

/// USM privacy protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrivProtocol {
    Des,
    Aes128,
    Aes192,
    Aes256,
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

/// Which MIBs a device's DOM is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vendor {
    /// CISCO-ENTITY-SENSOR-MIB (IOS, IOS-XE, NX-OS, IOS-XR).
    Cisco,
    /// JUNIPER-DOM-MIB.
    Juniper,
    /// ENTITY-SENSOR-MIB with ARISTA-ENTITY-SENSOR-MIB thresholds.
    Arista,
    /// Plain ENTITY-SENSOR-MIB (RFC 3433).
    EntitySensor,
}

impl Vendor {
    pub const ALL: [Vendor; 4] = [
        Vendor::Cisco,
        Vendor::Juniper,
        Vendor::Arista,
        Vendor::EntitySensor,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Vendor::Cisco => "cisco",
            Vendor::Juniper => "juniper",
            Vendor::Arista => "arista",
            Vendor::EntitySensor => "entity-sensor",
        }
    }

    pub fn from_name(s: &str) -> Option<Vendor> {
        Vendor::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// The vendor profile a sysObjectID suggests (enterprise number under 1.3.6.1.4.1).
    pub fn detect(sys_object_id: &super::types::Oid) -> Vendor {
        match sys_object_id.0.as_slice() {
            [1, 3, 6, 1, 4, 1, 9, ..] => Vendor::Cisco,
            [1, 3, 6, 1, 4, 1, 2636, ..] => Vendor::Juniper,
            [1, 3, 6, 1, 4, 1, 30065, ..] => Vendor::Arista,
            _ => Vendor::EntitySensor,
        }
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
    pub const DEFAULT_MAX_REPETITIONS: u32 = 25;
    pub const DEFAULT_MAX_VARBINDS: usize = 60;
    pub const DEFAULT_REDISCOVER: Duration = Duration::from_secs(3600);
}
