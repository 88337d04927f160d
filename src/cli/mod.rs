//! The command line: the subcommands and their dispatch. Each subcommand's clap
//! arguments live in its own module, beside its run function; exit codes in
//! [`exit`], the async runtime in [`runtime`].
//!
//! Exit codes follow sysexits(3), so scripts and pipelines can tell "not ready" from
//! "could not ask" from "bad config".

mod audit;
mod check_config;
mod exit;
mod gate;
mod gate_prometheus;
mod gate_request;
mod http;
mod parse;
mod peering;
mod probe;
mod run;
mod runtime;
mod secret_flags;
mod simulate;
mod status;
mod workflow;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

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
    CheckConfig(check_config::CheckConfigArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell) to
    /// standard output, e.g. `lightgate completions bash > /etc/bash_completion.d/lightgate`.
    Completions {
        #[arg(value_name = "SHELL")]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) to standard output: `lightgate man | man -l -`.
    Man,
    /// Show the readiness, checks and light levels of every port, from a running agent.
    Status(status::StatusArgs),
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
    Workflow(workflow::WorkflowArgs),
    /// Peering pre-flight: validate a planned private or Microsoft peering.
    Peering {
        #[command(subcommand)]
        action: peering::PeeringAction,
    },
    /// Parse saved CLI output (show commands pasted from a terminal or a ticket) and
    /// print the readings per interface.
    Parse(parse::ParseArgs),
    /// Read a device once and print every interface that has an optic (or the named
    /// ones) with its light levels, lanes, DOM and thresholds.
    Probe {
        #[command(subcommand)]
        target: Box<probe::ProbeTarget>,
    },
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
        Command::CheckConfig(args) => check_config::run(args),
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
        Command::Status(args) => status::run(args),
        Command::Gate(args) => gate::run(args),
        Command::Audit(args) => audit::run(args),
        Command::Workflow(args) => workflow::run(args),
        Command::Peering { action } => peering::run(action),
        Command::Parse(args) => parse::run(args),
        Command::Probe { target } => probe::main(*target),
    };
    ExitCode::from(code)
}
