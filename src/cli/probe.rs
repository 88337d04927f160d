//! `lightgate probe`: read a device once and print its optics. What an engineer runs
//! first against a new router, and what a support ticket asks for.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{exit, secret_flags};
use crate::api::ReadingJson;
use crate::config::{Config, Secret, SourceConfig};
use crate::source::snmp::settings::{Named, SnmpSettings, SnmpVersion, V3Settings, Vendor};
use crate::source::InterfaceResult;

/// `lightgate probe`'s targets.
#[derive(Debug, clap::Subcommand)]
pub enum ProbeTarget {
    /// Probe an SNMP agent given on the command line, or a configured SNMP device
    /// (`probe snmp --config FILE --device NAME`).
    Snmp(ProbeSnmp),
}

/// `lightgate probe snmp`'s arguments.
#[derive(Debug, clap::Args)]
pub struct ProbeSnmp {
    /// The agent, host:port.
    #[arg(long, required_unless_present = "config")]
    address: Option<String>,
    /// Read the device's settings from this config file instead.
    #[arg(
        long = "config.file",
        short = 'c',
        visible_alias = "config",
        requires = "device",
        conflicts_with = "address"
    )]
    config: Option<PathBuf>,
    /// The device's name in --config.
    #[arg(long)]
    device: Option<String>,
    /// SNMP version: 1, 2c or 3.
    #[arg(long = "snmp-version", default_value = "2c")]
    snmp_version: String,
    /// v1/v2c community (default "public"); prefer --community-env or --community-file.
    #[arg(long)]
    community: Option<String>,
    /// Name of an environment variable holding the community.
    #[arg(long, value_name = "VAR", conflicts_with_all = ["community", "community_file"])]
    community_env: Option<String>,
    /// File holding the community.
    #[arg(long, value_name = "FILE", conflicts_with = "community")]
    community_file: Option<PathBuf>,
    /// v3 user.
    #[arg(long)]
    user: Option<String>,
    /// v3 security level: noAuthNoPriv, authNoPriv, authPriv.
    #[arg(long, default_value = "authPriv")]
    security_level: String,
    /// v3 authentication protocol: md5, sha, sha224, sha256, sha384, sha512.
    #[arg(long, default_value = "sha")]
    auth_protocol: String,
    /// Name of an environment variable holding the v3 authentication password.
    #[arg(
        long = "v3-auth-password-env",
        alias = "auth-password-env",
        value_name = "VAR"
    )]
    auth_password_env: Option<String>,
    /// File holding the v3 authentication password.
    #[arg(
        long = "v3-auth-password-file",
        value_name = "FILE",
        conflicts_with = "auth_password_env"
    )]
    auth_password_file: Option<PathBuf>,
    /// v3 privacy protocol: des, aes, aes192, aes256.
    #[arg(long, default_value = "aes")]
    priv_protocol: String,
    /// Name of an environment variable holding the v3 privacy password.
    #[arg(
        long = "v3-priv-password-env",
        alias = "priv-password-env",
        value_name = "VAR"
    )]
    priv_password_env: Option<String>,
    /// File holding the v3 privacy password.
    #[arg(
        long = "v3-priv-password-file",
        value_name = "FILE",
        conflicts_with = "priv_password_env"
    )]
    priv_password_file: Option<PathBuf>,
    /// v3 context name.
    #[arg(long)]
    context: Option<String>,
    /// Vendor profile instead of detection from sysObjectID: cisco, juniper, arista,
    /// entity-sensor, huawei, nokia, mikrotik, aruba-cx.
    #[arg(long)]
    vendor: Option<String>,
    /// Only these interfaces (repeatable).
    #[arg(long = "interface", value_name = "NAME")]
    interfaces: Vec<String>,
    /// Print a JSON list of readings (the agent's reading format).
    #[arg(long)]
    json: bool,
    /// Explain what was found: the profile and the sysObjectID that chose it, each table
    /// walked and its rows, the interfaces with and without DOM, and for an empty result
    /// the likely reason and the next step (on stderr with --json).
    #[arg(long)]
    explain: bool,
    /// Per-request timeout.
    #[arg(long, default_value = "2s", value_parser = crate::config::duration::cli::snmp_timeout)]
    timeout: std::time::Duration,
}

fn snmp(p: ProbeSnmp) -> u8 {
    let settings = match (&p.config, &p.device) {
        (Some(path), Some(device)) => match from_config(path, device) {
            Ok(s) => Ok(s),
            Err((code, message)) => {
                eprintln!("{message}");
                return code;
            }
        },
        _ => settings(SnmpArgs {
            address: p.address.clone().unwrap_or_default(),
            version: p.snmp_version,
            community: p.community,
            community_secret: secret_flags::read_opt(
                "community",
                &p.community_env,
                &p.community_file,
            ),
            user: p.user,
            security_level: p.security_level,
            auth_protocol: p.auth_protocol,
            auth_password: secret_flags::read_opt(
                "v3-auth-password",
                &p.auth_password_env,
                &p.auth_password_file,
            ),
            priv_protocol: p.priv_protocol,
            priv_password: secret_flags::read_opt(
                "v3-priv-password",
                &p.priv_password_env,
                &p.priv_password_file,
            ),
            context: p.context,
            vendor: p.vendor,
            timeout: p.timeout,
        }),
    };
    match settings {
        Ok(s) => run(s, &p.interfaces, p.json, p.explain),
        Err(e) => {
            eprintln!("{e}");
            exit::USAGE
        }
    }
}

/// Runs `lightgate probe` on its target.
pub fn main(target: ProbeTarget) -> u8 {
    match target {
        ProbeTarget::Snmp(p) => snmp(p),
    }
}

/// Command-line SNMP options, already parsed by clap.
pub struct SnmpArgs {
    pub address: String,
    pub version: String,
    pub community: Option<String>,
    /// From --community-env or --community-file, read (or why it could not be).
    pub community_secret: Result<Option<String>, String>,
    pub user: Option<String>,
    pub security_level: String,
    pub auth_protocol: String,
    /// From --v3-auth-password-env or -file.
    pub auth_password: Result<Option<String>, String>,
    pub priv_protocol: String,
    /// From --v3-priv-password-env or -file.
    pub priv_password: Result<Option<String>, String>,
    pub context: Option<String>,
    pub vendor: Option<String>,
    pub timeout: Duration,
}

/// A named setting, with the names the config file accepts too.
fn pick<T: Named>(what: &str, value: &str) -> Result<T, String> {
    T::parse_named(what, value)
}

/// Builds settings from the command line. Passwords come from environment variables or
/// files only, so they never sit in shell history or `ps` output.
pub fn settings(a: SnmpArgs) -> Result<SnmpSettings, String> {
    let version = pick("--version", &a.version)?;
    let community = match (a.community, a.community_secret?.map(Secret::new)) {
        (Some(c), None) => Some(Secret::new(c)),
        (None, Some(c)) => Some(c),
        (None, None) if version != SnmpVersion::V3 => Some(Secret::new("public")),
        (None, None) => None,
        (Some(_), Some(_)) => {
            return Err("give --community or --community-env/-file, not both".to_string())
        }
    };
    let v3 = if version == SnmpVersion::V3 {
        Some(V3Settings {
            user: a.user.ok_or("--version 3 needs --user")?,
            level: pick("--security-level", &a.security_level)?,
            auth_protocol: pick("--auth-protocol", &a.auth_protocol)?,
            auth_password: a.auth_password?.map(Secret::new),
            priv_protocol: pick("--priv-protocol", &a.priv_protocol)?,
            priv_password: a.priv_password?.map(Secret::new),
            context: a.context,
        })
    } else {
        None
    };
    if let Some(p) = v3.as_ref().and_then(|v| v.problems().into_iter().next()) {
        return Err(format!(
            "{p} (--security-level {}: give --v3-auth-password-env and, for authPriv, --v3-priv-password-env, or their -file forms)",
            a.security_level
        ));
    }
    let vendor = a
        .vendor
        .map(|v| pick::<Vendor>("--vendor", &v))
        .transpose()?;
    Ok(SnmpSettings {
        address: lightgate_snmp::settings::with_default_port(&a.address),
        version,
        community,
        v3,
        vendor,
        request_timeout: a.timeout,
        retries: SnmpSettings::DEFAULT_RETRIES,
        max_repetitions: SnmpSettings::DEFAULT_MAX_REPETITIONS,
        max_varbinds_per_request: SnmpSettings::DEFAULT_MAX_VARBINDS,
        rediscover_interval: SnmpSettings::DEFAULT_REDISCOVER,
    })
}

/// The settings of a configured device, for `probe --config FILE --device NAME`.
pub fn from_config(path: &Path, device: &str) -> Result<SnmpSettings, (u8, String)> {
    let config = Config::load(path).map_err(|e| (exit::CONFIG, e.report()))?;
    let d = config.device(device).ok_or_else(|| {
        (
            exit::USAGE,
            format!("no device named {device:?} in {}", path.display()),
        )
    })?;
    match &d.source {
        SourceConfig::Snmp(s) => Ok(s.clone()),
        other => Err((
            exit::USAGE,
            format!(
                "device {device:?} is a {} device; probe reads SNMP devices",
                other.kind()
            ),
        )),
    }
}

/// Reads once and prints; returns the exit code.
pub fn run(settings: SnmpSettings, interfaces: &[String], json: bool, explain: bool) -> u8 {
    let runtime = match super::runtime::build(false) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let address = settings.address.clone();
    let outcome = if explain {
        runtime
            .block_on(crate::source::snmp::probe_explained(&settings, interfaces))
            .map(|(r, why)| (r, Some(why)))
    } else {
        runtime
            .block_on(crate::source::snmp::probe(&settings, interfaces))
            .map(|r| (r, None))
    };
    let results = match outcome {
        Ok((r, why)) => {
            if let Some(why) = why {
                // On stderr with --json, so the JSON stays whole.
                if json {
                    eprint!("{why}");
                } else {
                    print!("{why}");
                }
            }
            r
        }
        Err(e) => {
            eprintln!("{address}: {e}");
            return exit::UNAVAILABLE;
        }
    };
    if let Err(code) = print(&address, &address, &results, json) {
        return code;
    }
    if results.values().any(|r| r.is_err()) {
        exit::UNAVAILABLE
    } else {
        exit::OK
    }
}

/// Prints readings as the agent's reading JSON (errors to stderr) or as the table;
/// `device` is the name the JSON carries, `heading` the table's first line.
pub fn print(
    device: &str,
    heading: &str,
    results: &BTreeMap<String, InterfaceResult>,
    json: bool,
) -> Result<(), u8> {
    if !json {
        print!("{}", table(heading, results));
        return Ok(());
    }
    let list: Vec<ReadingJson> = results
        .iter()
        .filter_map(|(name, r)| r.as_ref().ok().map(|r| ReadingJson::new(device, name, r)))
        .collect();
    match serde_json::to_string_pretty(&list) {
        Ok(t) => println!("{t}"),
        Err(e) => {
            eprintln!("cannot print JSON: {e}");
            return Err(exit::SOFTWARE);
        }
    }
    for (name, r) in results {
        if let Err(e) = r {
            eprintln!("{name}: {e}");
        }
    }
    Ok(())
}

/// A number with `places` decimals, or "-" when there is none.
fn fixed(v: Option<f64>, places: usize) -> String {
    v.map(|v| format!("{v:.places$}"))
        .unwrap_or_else(|| "-".into())
}

/// The readings as a table: one line per interface, one per lane.
pub fn table(device: &str, results: &BTreeMap<String, InterfaceResult>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{device}");
    let _ = writeln!(
        out,
        "  {:<22} {:<6} {:<15} {:>8} {:>8} {:>9} {:>7} {:>6}  RX/TX ALARMS (low..high dBm)",
        "INTERFACE", "ADMIN", "OPER", "RX dBm", "TX dBm", "BIAS mA", "TEMP C", "VOLTS"
    );
    if results.is_empty() {
        let _ = writeln!(out, "  (no interface with an optic)");
    }
    for (name, r) in results {
        let r = match r {
            Ok(r) => ReadingJson::new(device, name, r),
            Err(e) => {
                let _ = writeln!(out, "  {name:<22} error: {e}");
                continue;
            }
        };
        let t = &r.thresholds;
        let alarms = format!(
            "{}..{} / {}..{}",
            fixed(t.rx.low_alarm, 2),
            fixed(t.rx.high_alarm, 2),
            fixed(t.tx.low_alarm, 2),
            fixed(t.tx.high_alarm, 2),
        );
        let _ = writeln!(
            out,
            "  {:<22} {:<6} {:<15} {:>8} {:>8} {:>9} {:>7} {:>6}  {}",
            name,
            r.admin_status,
            r.oper_status,
            r.rx().short(),
            r.tx().short(),
            fixed(r.bias_amperes.map(|b| b * 1000.0), 2),
            fixed(r.temperature_celsius, 1),
            fixed(r.voltage_volts, 2),
            alarms
        );
        for l in &r.lanes {
            let _ = writeln!(
                out,
                "  {:<22} {:<6} {:<15} {:>8} {:>8} {:>9}",
                format!("  lane {}", l.lane),
                "",
                "",
                l.rx().short(),
                l.tx().short(),
                fixed(l.bias_amperes.map(|b| b * 1000.0), 2),
            );
        }
        if let Some(n) = &r.note {
            let _ = writeln!(out, "  {:<22} {n}", "");
        }
    }
    out
}
