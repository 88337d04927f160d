//! The command line. clap types stay in this module: each subcommand turns its
//! arguments into plain values and calls into the library.
//!
//! Exit codes follow sysexits(3), so scripts and pipelines can tell "not ready" from
//! "could not ask" from "bad config".

mod audit;
mod check_config;
mod gate;
mod gate_prometheus;
mod gate_request;
mod http;
mod parse;
mod peering;
mod probe;
mod run;
mod secret_flags;
mod simulate;
mod status;
mod workflow;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

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

/// [`Exit`] as the process exit status the subcommands return.
pub mod exit {
    use super::Exit;
    pub const OK: u8 = Exit::Ok as u8;
    pub const NO_INPUT: u8 = Exit::NoInput as u8;
    pub const USAGE: u8 = Exit::Usage as u8;
    pub const DATA_ERR: u8 = Exit::DataErr as u8;
    pub const UNAVAILABLE: u8 = Exit::Unavailable as u8;
    pub const SOFTWARE: u8 = Exit::Software as u8;
    pub const OS_ERROR: u8 = Exit::OsError as u8;
    pub const NOT_READY: u8 = Exit::NotReady as u8;
    pub const CONFIG: u8 = Exit::Config as u8;
}

#[derive(Debug, Parser)]
#[command(
    name = "lightgate",
    version,
    about = "Gate Azure ExpressRoute Direct circuit creation on the light levels and link state of both links.",
    long_about = "lightgate reads the optical light levels (Rx/Tx power per lane, bias, temperature, voltage, \
the optic's thresholds) and link state of the router ports cabled to an ExpressRoute Direct port pair, \
decides whether the pair is ready for circuit creation, and exports it all as Prometheus metrics.\n\n\
Exit codes: 0 success, 64 bad arguments or unknown port, 65 input with problems (parse --strict: \
lines not read; peering check: errors), 66 input file unreadable, 69 agent unreachable or nothing found, 70 internal error, \
71 cannot bind the listen address, 75 not ready (gate), 78 invalid config."
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the agent: poll the devices, evaluate readiness, serve /metrics and the API.
    ///
    /// Without --config.file it runs the embedded demo: one port pair "demo" on two
    /// simulated routers, both links healthy, ready within half a minute.
    Run(run::RunArgs),
    /// Serve a fleet of simulated routers over real SNMP on loopback (v1, v2c, v3;
    /// Cisco, Juniper and Arista MIBs), with a request meter and link traps.
    ///
    /// With --write-config it also writes a lightgate config for the fleet, so
    /// `lightgate run --config FILE` polls it.
    Simulate(Box<simulate::SimulateArgs>),
    /// Validate a config file: exit 0 when valid, else print every problem with its
    /// line and column and exit 78.
    CheckConfig {
        /// The config file (TOML).
        #[arg(value_name = "FILE", required_unless_present = "config")]
        file: Option<PathBuf>,
        /// The config file, as `run` takes it.
        #[arg(
            long = "config.file",
            short = 'c',
            visible_alias = "config",
            value_name = "FILE",
            conflicts_with = "file"
        )]
        config: Option<PathBuf>,
    },
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell) to
    /// standard output, e.g. `lightgate completions bash > /etc/bash_completion.d/lightgate`.
    Completions {
        #[arg(value_name = "SHELL")]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) to standard output: `lightgate man | man -l -`.
    Man,
    /// Show the readiness, checks and light levels of every port, from a running agent.
    Status {
        /// The agent's base URL.
        #[arg(long, default_value = "http://127.0.0.1:9750", value_name = "URL")]
        url: String,
        /// Print the agent's JSON instead of the table.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        client: http::ClientArgs,
    },
    /// Gate an action on a port's readiness: ask the agent for a decision (which it
    /// records in its audit trail first), then run COMMAND only when the port is ready.
    ///
    /// Exit codes: COMMAND's own when it ran; 0 ready (no COMMAND); 75 not ready; 69
    /// agent unreachable or unable to record; 64 unknown port or bad arguments.
    Gate(gate::GateArgs),
    /// Print the gate's audit trail, from the file or from a running agent.
    Audit(audit::AuditArgs),
    /// Show a port's provisioning workflow: each step done, next, blocked or pending,
    /// with its evidence (from the agent, which reads Azure when configured).
    Workflow {
        /// The port (pair) name.
        port: String,
        /// The agent's base URL.
        #[arg(long, default_value = "http://127.0.0.1:9750", value_name = "URL")]
        url: String,
        /// Print the workflow as JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        client: http::ClientArgs,
    },
    /// Peering pre-flight: validate a planned private or Microsoft peering.
    Peering {
        #[command(subcommand)]
        action: PeeringAction,
    },
    /// Parse saved CLI output (show commands pasted from a terminal or a ticket) and
    /// print the readings per interface.
    Parse {
        /// cisco-ios, cisco-nxos, cisco-iosxr, arista-eos, junos or aruba-aoscx.
        #[arg(long, value_name = "DIALECT")]
        dialect: String,
        /// The file with the output.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// The port, for IOS-XR `show controllers optics` output pasted without its
        /// command line.
        #[arg(long, value_name = "PORT")]
        port: Option<String>,
        /// Print a JSON list of readings (the agent's reading format).
        #[arg(long)]
        json: bool,
        /// Exit 65 when any line that looks like optical data was not read (with
        /// --bgp: any summary row).
        #[arg(long)]
        strict: bool,
        /// Read the file as a BGP summary (`show bgp summary` and its forms) and print
        /// each session: VRF, neighbour, state, AS, up time, prefixes.
        #[arg(long)]
        bgp: bool,
        /// With --bgp: the VRF the command asked for, when the output does not say.
        #[arg(long, value_name = "VRF", requires = "bgp")]
        vrf: Option<String>,
    },
    /// Read a device once and print every interface that has an optic (or the named
    /// ones) with its light levels, lanes, DOM and thresholds.
    Probe {
        #[command(subcommand)]
        target: Box<ProbeTarget>,
    },
}

#[derive(Debug, Subcommand)]
enum PeeringAction {
    /// Check a peering plan (TOML): addresses, VLANs, AS numbers, MD5 key, prefix
    /// limits. Exit 0 clean, 65 errors (or warnings with --strict), 66 unreadable.
    Check {
        #[arg(value_name = "PLAN")]
        plan: PathBuf,
        /// Print the findings and addresses as JSON.
        #[arg(long)]
        json: bool,
        /// Fail on warnings too.
        #[arg(long)]
        strict: bool,
        /// Check the plan against the port as Azure gives it, read from this agent
        /// (its encapsulation: the plan may leave port_encapsulation out).
        #[arg(long, value_name = "URL", requires = "port")]
        url: Option<String>,
        /// The agent's port (pair) the circuit is on (with --url).
        #[arg(long, value_name = "PORT", requires = "url")]
        port: Option<String>,
        #[command(flatten)]
        client: http::ClientArgs,
    },
}

#[derive(Debug, Subcommand)]
enum ProbeTarget {
    /// Probe an SNMP agent given on the command line, or a configured SNMP device
    /// (`probe snmp --config FILE --device NAME`).
    Snmp(ProbeSnmp),
}

#[derive(Debug, clap::Args)]
struct ProbeSnmp {
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

fn probe_snmp(p: ProbeSnmp) -> u8 {
    let settings = match (&p.config, &p.device) {
        (Some(path), Some(device)) => match probe::from_config(path, device) {
            Ok(s) => Ok(s),
            Err((code, message)) => {
                eprintln!("{message}");
                return code;
            }
        },
        _ => probe::settings(probe::SnmpArgs {
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
        Ok(s) => probe::run(s, &p.interfaces, p.json, p.explain),
        Err(e) => {
            eprintln!("{e}");
            exit::USAGE
        }
    }
}

/// A tokio runtime for a subcommand (`multi_thread` for the long-running ones), or the
/// exit code after saying why there is none.
fn runtime(multi_thread: bool) -> Result<tokio::runtime::Runtime, u8> {
    let mut b = if multi_thread {
        tokio::runtime::Builder::new_multi_thread()
    } else {
        tokio::runtime::Builder::new_current_thread()
    };
    b.enable_all().build().map_err(|e| {
        eprintln!("cannot start the async runtime: {e}");
        exit::SOFTWARE
    })
}

/// The man page: the command, its subcommands and their options, in roff.
pub fn man_page() -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    let command = <Cli as clap::CommandFactory>::command();
    clap_mangen::Man::new(command.clone()).render(&mut out)?;
    // Each subcommand as a section of the one page, so that `man lightgate` has it all.
    for sub in command.get_subcommands().filter(|c| !c.is_hide_set()) {
        let man = clap_mangen::Man::new(sub.clone());
        let mut section = Vec::new();
        man.render_synopsis_section(&mut section)?;
        man.render_description_section(&mut section)?;
        man.render_options_section(&mut section)?;
        let text = String::from_utf8_lossy(&section);
        out.extend_from_slice(
            format!(".SH \"LIGHTGATE {}\"\n", sub.get_name().to_uppercase()).as_bytes(),
        );
        for line in text.lines() {
            let line = match line.strip_prefix(".SH ") {
                Some(rest) => format!(".SS {rest}"),
                None => line.to_string(),
            };
            out.extend_from_slice(line.as_bytes());
            out.push(b'\n');
        }
    }
    Ok(out)
}

/// Parses the command line and runs the subcommand.
/// Restores SIGPIPE's default action (Rust ignores it, so a write to a closed pipe
/// is an error that `println!` turns into a panic): the process ends, printing
/// nothing, like `cat` does.
fn end_quietly_on_a_closed_pipe() {
    // SAFETY: called once at start, before any thread exists; setting a signal's
    // disposition to SIG_DFL has no other effect on the program's state.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            });
        }
    };
    // A report piped into `head` or `less` ends quietly when the reader goes away, as
    // Unix tools do, instead of panicking in println!. Not for the long-running
    // commands (the agent, the simulator), nor `gate`, which runs the operator's
    // command.
    if !matches!(
        cli.command,
        Command::Run(_) | Command::Simulate(_) | Command::Gate(_)
    ) {
        end_quietly_on_a_closed_pipe();
    }
    let code = match cli.command {
        Command::Run(args) => run::run(args),
        Command::Simulate(args) => simulate::run(*args),
        Command::CheckConfig { file, config } => match file.or(config) {
            Some(file) => check_config::run(&file),
            None => exit::USAGE,
        },
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut <Cli as clap::CommandFactory>::command(),
                "lightgate",
                &mut std::io::stdout(),
            );
            exit::OK
        }
        Command::Man => match man_page() {
            Ok(page) => {
                use std::io::Write;
                let _ = std::io::stdout().write_all(&page);
                exit::OK
            }
            Err(e) => {
                eprintln!("lightgate: cannot write the man page: {e}");
                exit::SOFTWARE
            }
        },
        Command::Status { url, json, client } => status::run(&url, json, &client),
        Command::Gate(args) => gate::run(args),
        Command::Audit(args) => audit::run(args),
        Command::Workflow {
            port,
            url,
            json,
            client,
        } => workflow::run(&port, &url, json, &client),
        Command::Peering {
            action:
                PeeringAction::Check {
                    plan,
                    json,
                    strict,
                    url,
                    port,
                    client,
                },
        } => {
            let agent = url.zip(port);
            peering::check(&plan, json, strict, agent.as_ref(), &client)
        }
        Command::Parse {
            dialect,
            file,
            json,
            strict,
            bgp: true,
            vrf,
            ..
        } => parse::run_bgp(&dialect, &file, vrf.as_deref(), json, strict),
        Command::Parse {
            dialect,
            file,
            port,
            json,
            strict,
            ..
        } => parse::run(&dialect, &file, port.as_deref(), json, strict),
        Command::Probe { target } => match *target {
            ProbeTarget::Snmp(p) => probe_snmp(p),
        },
    };
    ExitCode::from(code)
}
