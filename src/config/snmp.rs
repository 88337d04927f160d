//! `[device.snmp]` and `[traps]`: SNMP settings, with secrets taken from the config,
//! a file or an environment variable, never echoed in an error.

use std::ops::Range;

use toml::Spanned;

use super::raw::{RawSnmp, RawTraps};
use super::TrapConfig;
use crate::source::snmp::settings::{
    AuthProtocol, Named, PrivProtocol, SecurityLevel, SnmpSettings, SnmpVersion, V3Settings, Vendor,
};
use lightgate_core::secret::Secret;

/// Collects problems as (span, message).
pub type Report<'a> = &'a mut dyn FnMut(Range<usize>, String);

/// A secret given inline, in a file (first line, trailing newline dropped) or in an
/// environment variable; exactly one of them.
pub fn secret(
    what: &str,
    inline: &Option<Secret>,
    file: &Option<Spanned<String>>,
    env: &Option<Spanned<String>>,
    at: Range<usize>,
    report: Report<'_>,
) -> Option<Secret> {
    let given =
        usize::from(inline.is_some()) + usize::from(file.is_some()) + usize::from(env.is_some());
    if given > 1 {
        report(
            at,
            format!("give only one of {what}, {what}_file and {what}_env"),
        );
        return None;
    }
    if let Some(s) = inline {
        return Some(s.clone());
    }
    if let Some(f) = file {
        return match std::fs::read_to_string(f.get_ref()) {
            Ok(text) => Some(Secret::new(text.trim_end_matches(['\n', '\r']))),
            Err(e) => {
                report(
                    f.span(),
                    format!("{what}_file {:?} cannot be read: {e}", f.get_ref()),
                );
                None
            }
        };
    }
    if let Some(v) = env {
        return match std::env::var(v.get_ref()) {
            Ok(value) => Some(Secret::new(value)),
            Err(_) => {
                report(
                    v.span(),
                    format!(
                        "{what}_env: the environment variable {:?} is not set",
                        v.get_ref()
                    ),
                );
                None
            }
        };
    }
    None
}

/// A named setting (the same names as the command line), or its default.
fn choice<T: Named>(
    field: &str,
    raw: &Option<Spanned<String>>,
    default: T,
    report: Report<'_>,
) -> T {
    let Some(r) = raw else { return default };
    T::parse_named(field, r.get_ref()).unwrap_or_else(|e| {
        report(r.span(), e);
        default
    })
}

/// Resolves `[device.snmp]`.
pub fn settings(raw: &Spanned<RawSnmp>, report: Report<'_>) -> SnmpSettings {
    let s = raw.get_ref();
    let at = raw.span();
    // No port means 161, as in every SNMP tool.
    let address = lightgate_snmp::settings::with_default_port(s.address.get_ref());
    if address.starts_with(':') {
        report(
            s.address.span(),
            format!(
                "address {address:?} names no host (e.g. \"192.0.2.11\" or \"192.0.2.11:161\")"
            ),
        );
    }
    let version = choice("version", &s.version, SnmpVersion::V2c, report);
    let vendor = s.vendor.as_ref().and_then(|v| {
        Vendor::parse_named("vendor", v.get_ref())
            .map_err(|e| report(v.span(), e))
            .ok()
    });
    let community = secret(
        "community",
        &s.community,
        &s.community_file,
        &s.community_env,
        at.clone(),
        report,
    );
    let mut v3 = None;
    match version {
        SnmpVersion::V1 | SnmpVersion::V2c => {
            if community.is_none() {
                report(
                    at.clone(),
                    "SNMP v1/v2c needs community, community_file or community_env".to_string(),
                );
            }
        }
        SnmpVersion::V3 => {
            let level = choice(
                "security_level",
                &s.security_level,
                SecurityLevel::AuthPriv,
                report,
            );
            let auth_protocol = choice(
                "auth_protocol",
                &s.auth_protocol,
                AuthProtocol::Sha1,
                report,
            );
            let priv_protocol = choice(
                "priv_protocol",
                &s.priv_protocol,
                PrivProtocol::Aes128,
                report,
            );
            let auth_password = secret(
                "auth_password",
                &s.auth_password,
                &s.auth_password_file,
                &s.auth_password_env,
                at.clone(),
                report,
            );
            let priv_password = secret(
                "priv_password",
                &s.priv_password,
                &s.priv_password_file,
                &s.priv_password_env,
                at.clone(),
                report,
            );
            let user = match &s.user {
                Some(u) if !u.get_ref().is_empty() => u.get_ref().clone(),
                _ => {
                    report(at.clone(), "SNMPv3 needs a user".to_string());
                    String::new()
                }
            };
            if level != SecurityLevel::NoAuthNoPriv
                && auth_password.as_ref().is_none_or(|p| p.expose().len() < 8)
            {
                report(at.clone(), "SNMPv3 with authentication needs auth_password (or _file/_env) of at least 8 characters".to_string());
            }
            if level == SecurityLevel::AuthPriv
                && priv_password.as_ref().is_none_or(|p| p.expose().len() < 8)
            {
                report(
                    at.clone(),
                    "SNMPv3 authPriv needs priv_password (or _file/_env) of at least 8 characters"
                        .to_string(),
                );
            }
            v3 = Some(V3Settings {
                user,
                level,
                auth_protocol,
                auth_password,
                priv_protocol,
                priv_password,
                context: s.context.clone(),
            });
        }
    }
    // Every number has bounds a device can use: past them a setting is an error with
    // its line, never an overflow at the first poll (`retries = 4294967295` multiplied
    // a Duration out of range).
    let bounded = |v: &Option<Spanned<u32>>,
                   field: &str,
                   (min, max): (u32, u32),
                   default: u32,
                   report: Report<'_>| match v {
        Some(n) if !(min..=max).contains(n.get_ref()) => {
            report(
                n.span(),
                format!(
                    "{field} must be between {min} and {max} (got {})",
                    n.get_ref()
                ),
            );
            default
        }
        Some(n) => *n.get_ref(),
        None => default,
    };
    let positive = |v: &Option<Spanned<u32>>, field: &str, default: u32, report: Report<'_>| {
        bounded(v, field, SnmpSettings::COUNT_BOUNDS, default, report)
    };
    SnmpSettings {
        address,
        version,
        community,
        v3,
        vendor,
        request_timeout: match s
            .request_timeout
            .as_ref()
            .filter(|d| !d.get_ref().0.is_zero())
        {
            Some(d) => super::duration::SNMP_REQUEST_TIMEOUT.setting("request_timeout", d, report),
            None => SnmpSettings::DEFAULT_REQUEST_TIMEOUT,
        },
        retries: bounded(
            &s.retries,
            "retries",
            SnmpSettings::RETRY_BOUNDS,
            SnmpSettings::DEFAULT_RETRIES,
            report,
        ),
        max_repetitions: positive(
            &s.max_repetitions,
            "max_repetitions",
            SnmpSettings::DEFAULT_MAX_REPETITIONS,
            report,
        ),
        max_varbinds_per_request: positive(
            &s.max_varbinds_per_request,
            "max_varbinds_per_request",
            SnmpSettings::DEFAULT_MAX_VARBINDS as u32,
            report,
        ) as usize,
        rediscover_interval: match s
            .rediscover_interval
            .as_ref()
            .filter(|d| !d.get_ref().0.is_zero())
        {
            Some(d) => super::duration::REDISCOVER.setting("rediscover_interval", d, report),
            None => SnmpSettings::DEFAULT_REDISCOVER,
        },
    }
}

/// Resolves `[traps]`.
pub fn traps(raw: &Spanned<RawTraps>, report: Report<'_>) -> Option<TrapConfig> {
    let t = raw.get_ref();
    let listen = match t.listen.get_ref().parse() {
        Ok(a) => a,
        Err(e) => {
            report(
                t.listen.span(),
                format!(
                    "traps listen {:?} is not an address:port ({e})",
                    t.listen.get_ref()
                ),
            );
            return None;
        }
    };
    let community = secret(
        "community",
        &t.community,
        &t.community_file,
        &t.community_env,
        raw.span(),
        report,
    );
    match community {
        Some(community) => Some(TrapConfig { listen, community }),
        None => {
            report(
                raw.span(),
                "[traps] needs community, community_file or community_env".to_string(),
            );
            None
        }
    }
}
