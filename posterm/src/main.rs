//! posterm: see `posterm --help`. The operator's commands come from pos-host (what a vendor
//! builds: `cargo build -p posterm --no-default-features`); the tools' (demo, vectors, acquirer,
//! bench, farm) from pos-tools, with the `tools` feature (the default).

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use pos_host::cli::{Globals, OperatorCommand};

/// posterm: a POS terminal running the pos-kernel WebAssembly component in wasmtime.
///
/// A terminal directory (--dir) holds config.toml and the journal; its keys are in a PKCS#11
/// token (config.toml's [security]; the user PIN from $POSTERM_TOKEN_PIN or a 0600 file). Transaction commands take the
/// terminal's lock (one process at a time: a second one waits up to --lock-wait seconds), restore
/// the terminal from its journal, let it finish its own work first (a pending reversal), run the
/// command against the acquirer named in config.toml, and print the outcome and receipt.
/// status, query and journal only read.
///
/// Exit codes: 0 approved, 1 declined, 2 usage error, 3 failed (nothing charged), 4 outcome
/// unknown and reversed (nothing charged), 5 reversal not confirmed (the card may have been
/// charged: contact the acquirer), 6 host error (configuration, token, journal file, component), 7 the
/// terminal is in use by another process, 8 settled but the totals did not agree
/// (compare the report with the acquirer's statement), 9 the journal is refused (records lost,
/// missing, or another terminal's: see `posterm recover --help`).
#[derive(Debug, Parser)]
#[command(name = "posterm", version)]
struct Cli {
    #[command(flatten)]
    globals: Globals,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    #[command(flatten)]
    Operator(OperatorCommand),
    #[cfg(feature = "tools")]
    #[command(flatten)]
    Tool(pos_tools::ToolCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match &cli.command {
        Command::Operator(command) => pos_host::cli::run(&cli.globals, command),
        #[cfg(feature = "tools")]
        Command::Tool(command) => pos_tools::run(&cli.globals, command),
    }
}
