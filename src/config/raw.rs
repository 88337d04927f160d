//! The config file exactly as written: strict serde structs (unknown keys are errors)
//! with spans kept on everything a later check may need to point at.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use toml::Spanned;

use super::duration::HumanDuration;
use lightgate_core::secret::Secret;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    pub listen: Option<Spanned<String>>,
    pub azure: Option<Spanned<RawAzure>>,
    pub audit_log: Option<Spanned<String>>,
    pub traps: Option<Spanned<RawTraps>>,
    pub metrics: Option<RawMetrics>,
    #[serde(default)]
    pub device: Vec<RawDevice>,
    #[serde(default)]
    pub port: Vec<RawPort>,
}

/// `[metrics]`: what /metrics exports beyond its defaults.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMetrics {
    /// Powers in milliwatts too, beside dBm.
    pub milliwatts: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDevice {
    pub name: Spanned<String>,
    pub source: Spanned<String>,
    pub poll_interval: Option<Spanned<HumanDuration>>,
    pub timeout: Option<Spanned<HumanDuration>>,
    /// Interfaces to read and export besides those of port links.
    pub monitor: Option<Vec<Spanned<String>>>,
    pub sim: Option<Spanned<RawSim>>,
    pub snmp: Option<Spanned<RawSnmp>>,
    pub serial: Option<Spanned<RawSerial>>,
}

/// `[device.serial]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSerial {
    pub path: Option<Spanned<String>>,
    pub url: Option<Spanned<String>>,
    pub baud: Option<u32>,
    pub data_bits: Option<Spanned<u8>>,
    pub parity: Option<Spanned<String>>,
    pub stop_bits: Option<Spanned<u8>>,
    pub flow_control: Option<Spanned<String>>,
    pub dialect: Spanned<String>,
    pub username: Option<String>,
    pub password: Option<Secret>,
    pub password_file: Option<Spanned<String>>,
    pub password_env: Option<Spanned<String>>,
    pub enable_password: Option<Secret>,
    pub enable_password_file: Option<Spanned<String>>,
    pub enable_password_env: Option<Spanned<String>>,
    pub step_timeout: Option<Spanned<HumanDuration>>,
    pub command_timeout: Option<Spanned<HumanDuration>>,
}

/// `[azure]`: access to Azure Resource Manager and Azure Monitor.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAzure {
    pub tenant_id: Option<Spanned<String>>,
    pub client_id: Option<Spanned<String>>,
    pub client_secret: Option<Secret>,
    pub client_secret_file: Option<Spanned<String>>,
    pub client_secret_env: Option<Spanned<String>>,
    pub managed_identity: Option<bool>,
    pub credential: Option<Spanned<String>>,
    pub cloud: Option<Spanned<String>>,
    pub client_certificate_path: Option<Spanned<String>>,
    pub federated_token_file: Option<Spanned<String>>,
    pub azure_cli_command: Option<Spanned<String>>,
    pub arc_identity_endpoint: Option<Spanned<String>>,
    pub arc_token_directory: Option<Spanned<String>>,
    pub arm_endpoint: Option<Spanned<String>>,
    pub login_endpoint: Option<Spanned<String>>,
    pub metadata_endpoint: Option<Spanned<String>>,
    pub poll_interval: Option<Spanned<HumanDuration>>,
    pub request_timeout: Option<Spanned<HumanDuration>>,
}

/// `[traps]`: the linkUp/linkDown listener.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTraps {
    pub listen: Spanned<String>,
    pub community: Option<Secret>,
    pub community_file: Option<Spanned<String>>,
    pub community_env: Option<Spanned<String>>,
}

/// `[device.snmp]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSnmp {
    pub address: Spanned<String>,
    pub version: Option<Spanned<String>>,
    pub community: Option<Secret>,
    pub community_file: Option<Spanned<String>>,
    pub community_env: Option<Spanned<String>>,
    pub vendor: Option<Spanned<String>>,
    pub user: Option<Spanned<String>>,
    pub security_level: Option<Spanned<String>>,
    pub auth_protocol: Option<Spanned<String>>,
    pub auth_password: Option<Secret>,
    pub auth_password_file: Option<Spanned<String>>,
    pub auth_password_env: Option<Spanned<String>>,
    pub priv_protocol: Option<Spanned<String>>,
    pub priv_password: Option<Secret>,
    pub priv_password_file: Option<Spanned<String>>,
    pub priv_password_env: Option<Spanned<String>>,
    pub context: Option<String>,
    pub request_timeout: Option<Spanned<HumanDuration>>,
    pub retries: Option<Spanned<u32>>,
    pub max_repetitions: Option<Spanned<u32>>,
    pub max_varbinds_per_request: Option<Spanned<u32>>,
    pub rediscover_interval: Option<Spanned<HumanDuration>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSim {
    #[serde(default)]
    pub seed: u64,
    pub response_delay: Option<HumanDuration>,
    #[serde(default)]
    pub unreachable: bool,
    pub fail_every: Option<u32>,
    pub interfaces: BTreeMap<String, Spanned<RawSimInterface>>,
}

/// `"healthy"`, or `{ scenario = "flapping", flap_period = "20s", optic = "10g-lr" }`.
#[derive(Debug)]
pub struct RawSimInterface {
    pub scenario: String,
    pub optic: Option<String>,
    pub flap_period: Option<HumanDuration>,
    pub degrade_db_per_minute: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSimInterfaceTable {
    scenario: String,
    optic: Option<String>,
    flap_period: Option<HumanDuration>,
    degrade_db_per_minute: Option<f64>,
}

impl<'de> Deserialize<'de> for RawSimInterface {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawSimInterface;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a scenario name or a table with a `scenario` key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawSimInterface, E> {
                Ok(RawSimInterface {
                    scenario: v.to_string(),
                    optic: None,
                    flap_period: None,
                    degrade_db_per_minute: None,
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawSimInterface, A::Error> {
                let t =
                    RawSimInterfaceTable::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(RawSimInterface {
                    scenario: t.scenario,
                    optic: t.optic,
                    flap_period: t.flap_period,
                    degrade_db_per_minute: t.degrade_db_per_minute,
                })
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPort {
    pub name: Spanned<String>,
    pub hold_down: Option<Spanned<HumanDuration>>,
    pub staleness: Option<Spanned<HumanDuration>>,
    pub healthy_min_dbm: Option<Spanned<f64>>,
    pub healthy_max_dbm: Option<Spanned<f64>>,
    /// The transmit window, both bounds or neither (default: the optic's own warning
    /// thresholds, else its standard's launch power).
    pub tx_min_dbm: Option<Spanned<f64>>,
    pub tx_max_dbm: Option<Spanned<f64>>,
    pub azure_port_id: Option<Spanned<String>>,
    /// When the Letter of Authorization was issued (YYYY-MM-DD).
    pub loa_issued: Option<Spanned<String>>,
    /// When the colocation provider completed both cross-connects (YYYY-MM-DD).
    pub cross_connects_completed: Option<Spanned<String>>,
    pub link1: Spanned<RawLink>,
    pub link2: Spanned<RawLink>,
    /// The peerings whose BGP sessions lightgate checks on the port's two routers.
    #[serde(default)]
    pub peering: Vec<Spanned<RawPeering>>,
}

/// `[[port.peering]]`: a peering declared for a port without Azure access, or the
/// router-side settings (VRF, bounds) of a peering Azure reports.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPeering {
    pub circuit: Spanned<String>,
    #[serde(rename = "type")]
    pub kind: Spanned<String>,
    pub primary_subnet: Option<Spanned<String>>,
    pub secondary_subnet: Option<Spanned<String>>,
    pub ipv6_primary_subnet: Option<Spanned<String>>,
    pub ipv6_secondary_subnet: Option<Spanned<String>>,
    pub vrf: Option<Spanned<String>>,
    pub premium: Option<Spanned<bool>>,
    pub hold_down: Option<Spanned<HumanDuration>>,
    pub prefixes_min: Option<Spanned<u64>>,
    pub prefixes_max: Option<Spanned<u64>>,
    pub advertised_prefix_count: Option<Spanned<u64>>,
    pub ipv6_advertised_prefix_count: Option<Spanned<u64>>,
    /// Microsoft peering without Azure access: the advertised public prefixes' state
    /// as the portal shows it (Configured once validated).
    pub advertised_prefixes_state: Option<Spanned<String>>,
    /// Whether BFD must be up on both sessions (default: reported, not required).
    pub bfd_required: Option<Spanned<bool>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLink {
    pub device: Spanned<String>,
    pub interface: Spanned<String>,
    pub azure_admin_state: Option<Spanned<String>>,
}
