//! The `lightgate` binary: parse the command line, hand over to [`lightgate::cli`].

fn main() -> std::process::ExitCode {
    lightgate::cli::main()
}
