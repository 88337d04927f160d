//! `lightgate simulate`: serve a fleet of simulated SNMP routers on loopback.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use tokio_util::sync::CancellationToken;

use super::exit;
use crate::simulate::config_out::{
    lightgate_config, ConfigOptions, ConfigV3, Monitor, PasswordFrom,
};
use crate::simulate::{parse_flavours, parse_mix, Fleet, FleetSettings};
use crate::source::sim::OpticModel;
use crate::telemetry::{self, LogFormat};

#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// How many routers.
    #[arg(long, default_value_t = 10)]
    devices: usize,
    /// Optical ports per router.
    #[arg(long, default_value_t = 48)]
    ports: usize,
    /// Vendor flavours, given to the routers in turn: cisco, juniper, arista,
    /// entity-sensor (plain ENTITY-SENSOR-MIB), huawei, nokia.
    #[arg(long, default_value = "cisco,juniper,arista", value_parser = parse_flavours)]
    flavours: std::vec::Vec<crate::simulate::Vendor>,
    /// The optic in every port: 100g-lr4 (4 lanes) or 10g-lr.
    #[arg(long, default_value = "100g-lr4")]
    optic: OpticModel,
    /// Scenario weights, e.g. "healthy=90,dirty-connector=4,flapping=2,unplugged=2,degrading=2".
    #[arg(long, default_value = "healthy", value_parser = parse_mix)]
    mix: std::vec::Vec<(crate::source::sim::Scenario, u32)>,
    /// Seed of the scenario draw and the noise.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Router i listens on this address + i (127.0.0.0/8 is all loopback on Linux).
    #[arg(long, default_value = "127.1.0.1")]
    first_address: Ipv4Addr,
    /// The UDP port of every router (with --one-address: of the first; 0 picks free ones).
    #[arg(long, default_value_t = 1161)]
    port: u16,
    /// All routers on --first-address, on consecutive ports from --port.
    #[arg(long)]
    one_address: bool,
    /// The v1/v2c community the routers answer.
    #[arg(long, default_value = "public")]
    community: String,
    /// Also accept SNMPv3 from this user (authNoPriv, or authPriv with
    /// --v3-priv-password; the routers' engine IDs are "lightgate-" + their name).
    #[arg(long, value_name = "USER")]
    v3_user: Option<String>,
    /// The v3 authentication protocol: md5, sha, sha224, sha256, sha384, sha512.
    #[arg(long, default_value = "sha256", requires = "v3_user")]
    v3_auth_protocol: crate::simulate::usm::AuthProtocol,
    /// Environment variable holding the v3 authentication password (8+ characters).
    #[arg(long, value_name = "VAR", requires = "v3_user")]
    v3_auth_password_env: Option<String>,
    /// File holding the v3 authentication password.
    #[arg(
        long,
        value_name = "FILE",
        requires = "v3_user",
        conflicts_with = "v3_auth_password_env"
    )]
    v3_auth_password_file: Option<std::path::PathBuf>,
    /// Environment variable holding the v3 privacy password (AES-128), for authPriv.
    #[arg(long, value_name = "VAR", requires = "v3_user")]
    v3_priv_password_env: Option<String>,
    /// File holding the v3 privacy password.
    #[arg(
        long,
        value_name = "FILE",
        requires = "v3_user",
        conflicts_with = "v3_priv_password_env"
    )]
    v3_priv_password_file: Option<std::path::PathBuf>,
    /// The largest response a router sends (bytes); bigger GETs get tooBig.
    #[arg(long, default_value_t = 1472)]
    max_response_size: usize,
    /// Send linkDown/linkUp traps here (flapping ports, and links forced via /link).
    /// Repeat to send every trap to several agents (a sharded fleet's).
    #[arg(long, value_name = "ADDR")]
    trap_to: Vec<SocketAddr>,
    /// The community of the traps.
    #[arg(long, default_value = "public")]
    trap_community: String,
    /// A BGP neighbour every router has, served in BGP4-MIB and the flavour's BGP
    /// table (Cisco, Juniper): ADDR[,as=N][,state=up|down|flapping|idle|active|...]
    /// [,received=N][,advertised=N]. Repeat for more; change one with POST /bgp.
    #[arg(long = "bgp-peer", value_name = "PEER", value_parser = crate::simulate::bgp::SimPeer::parse)]
    bgp_peer: Vec<crate::simulate::bgp::SimPeer>,
    /// HTTP control endpoint: GET /meter, POST /meter/reset, GET /devices, POST /link,
    /// POST /bgp.
    #[arg(long, default_value = "127.0.0.1:9761", value_name = "ADDR")]
    control: SocketAddr,
    /// Also write the meter (JSON) to this file every second.
    #[arg(long, value_name = "FILE")]
    meter_file: Option<PathBuf>,
    /// Write a lightgate config for this fleet here, then serve.
    #[arg(long, value_name = "FILE")]
    write_config: Option<PathBuf>,
    /// In the written config: ports on the first N interfaces of each router (2: the
    /// ExpressRoute case), or "all": ports on the first two and every other optic
    /// monitored (the device's `monitor` list).
    #[arg(long, default_value = "2", value_name = "N|all")]
    monitor: String,
    /// In the written config: the poll interval.
    #[arg(long, default_value = "30s")]
    poll_interval: String,
    /// In the written config: where lightgate listens.
    #[arg(long, default_value = "127.0.0.1:9750")]
    lightgate_listen: String,
    /// Log format.
    #[arg(long, value_enum, default_value = "plain")]
    log_format: LogFormat,
    /// Log level or filter (RUST_LOG overrides it).
    #[arg(long, default_value = "info")]
    log_level: String,
}

fn monitor(s: &str) -> Result<Monitor, String> {
    if s == "all" {
        return Ok(Monitor::All);
    }
    s.parse::<usize>()
        .ok()
        .filter(|n| *n > 0)
        .map(Monitor::First)
        .ok_or_else(|| format!("--monitor must be a positive number or \"all\", not {s:?}"))
}

/// The v3 user of the command line, passwords read from the environment.
fn v3_user(a: &SimulateArgs) -> Result<Option<crate::simulate::usm::V3User>, String> {
    let Some(name) = a.v3_user.clone() else {
        return Ok(None);
    };
    let read = |flag: &str,
                env: &Option<String>,
                file: &Option<std::path::PathBuf>|
     -> Result<Option<String>, String> {
        match super::secret_flags::read_opt(flag, env, file)? {
            Some(p) if p.len() < 8 => {
                Err(format!("--{flag}: shorter than 8 characters (RFC 3414)"))
            }
            other => Ok(other),
        }
    };
    let auth_password = read(
        "v3-auth-password",
        &a.v3_auth_password_env,
        &a.v3_auth_password_file,
    )?
    .ok_or(
        "--v3-user needs --v3-auth-password-env or -file (the routers do not serve noAuthNoPriv)",
    )?;
    Ok(Some(crate::simulate::usm::V3User {
        name,
        auth: a.v3_auth_protocol,
        auth_password,
        priv_password: read(
            "v3-priv-password",
            &a.v3_priv_password_env,
            &a.v3_priv_password_file,
        )?,
    }))
}

/// Where the written config should read a password: the variable or file the fleet
/// was given it by.
fn password_from(env: &Option<String>, file: &Option<std::path::PathBuf>) -> Option<PasswordFrom> {
    env.clone().map(PasswordFrom::Env).or_else(|| {
        file.as_ref()
            .map(|f| PasswordFrom::File(f.display().to_string()))
    })
}

pub fn run(a: SimulateArgs) -> u8 {
    telemetry::init(a.log_format, &a.log_level);
    if a.devices == 0 || a.ports == 0 {
        eprintln!("--devices and --ports must be at least 1");
        return exit::USAGE;
    }
    let monitor = match monitor(&a.monitor) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("{e}");
            return exit::USAGE;
        }
    };
    let v3 = match v3_user(&a) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("{e}");
            return exit::USAGE;
        }
    };
    let settings = FleetSettings {
        devices: a.devices,
        ports: a.ports,
        flavours: a.flavours,
        optic: a.optic,
        mix: a.mix,
        seed: a.seed,
        first_address: a.first_address,
        port: a.port,
        one_address: a.one_address,
        community: a.community.clone(),
        v3: v3.clone(),
        max_response_size: a.max_response_size.max(484),
        trap_to: a.trap_to.clone(),
        trap_community: a.trap_community.clone(),
        control: Some(a.control),
        meter_file: a.meter_file,
        bgp_peers: a.bgp_peer,
    };
    let runtime = match super::runtime::build(true) {
        Ok(r) => r,
        Err(code) => return code,
    };
    runtime.block_on(async move {
        let fleet = match Fleet::bind(settings).await {
            Ok(f) => Arc::new(f),
            Err(e) => {
                eprintln!("{e}");
                return exit::OS_ERROR;
            }
        };
        let addresses = fleet.addresses();
        if let Some(path) = &a.write_config {
            let text = lightgate_config(
                &fleet.devices,
                &addresses,
                &ConfigOptions {
                    listen: a.lightgate_listen.clone(),
                    poll_interval: a.poll_interval.clone(),
                    hold_down: "20s".to_string(),
                    monitor,
                    community: a.community.clone(),
                    audit_log: "lightgate-fleet-audit.jsonl".to_string(),
                    traps: a.trap_to.first().map(|t| (*t, a.trap_community.clone())),
                    v3: v3.as_ref().map(|u| ConfigV3 {
                        user: u.name.clone(),
                        auth_protocol: a.v3_auth_protocol,
                        auth_password: password_from(
                            &a.v3_auth_password_env,
                            &a.v3_auth_password_file,
                        )
                        .unwrap_or(PasswordFrom::Env(String::new())),
                        priv_password: password_from(
                            &a.v3_priv_password_env,
                            &a.v3_priv_password_file,
                        ),
                    }),
                },
            );
            if let Err(e) = std::fs::write(path, text) {
                eprintln!("cannot write {}: {e}", path.display());
                return exit::OS_ERROR;
            }
            tracing::info!(path = %path.display(), "Wrote a lightgate config for the fleet.");
        }
        tracing::info!(
            routers = addresses.len(),
            first = %addresses.first().map(|a| a.to_string()).unwrap_or_default(),
            last = %addresses.last().map(|a| a.to_string()).unwrap_or_default(),
            control = %fleet.control_addr().map(|a| a.to_string()).unwrap_or_default(),
            "Simulated fleet listening."
        );
        let cancel = CancellationToken::new();
        let serving = tokio::spawn(fleet.clone().serve(cancel.clone()));
        super::run::shutdown_signal().await;
        cancel.cancel();
        let _ = serving.await;
        exit::OK
    })
}
