//! pos-tools: the tools around the terminal, never part of a vendor's build. They are posterm's
//! subcommands when posterm is built with its `tools` feature (the default):
//!
//! - [`demo`]: a whole terminal day against an embedded simulated acquirer;
//! - [`vectors`]: the test vectors replayed through the component;
//! - [`acquirer`]: the simulated acquirer served over TCP (`tools/acquirer-server`);
//! - [`bench`]: the kernel's cost on every host, start-up, sizes, durability;
//! - [`farm`]: many virtual terminals selling at once, with the ledger checked.

pub mod acquirer;
pub mod bench;
pub mod bridge;
pub mod demo;
pub mod farm;
pub mod vectors;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use pos_host::cli::Globals;

/// The tools' subcommands of posterm.
#[derive(Debug, Subcommand)]
pub enum ToolCommand {
    /// A whole terminal day on loopback against an embedded simulated acquirer: sign-on, sales,
    /// a timeout with its reversal, a decline, a void, a refund, settlement.
    Demo,
    /// Replay tests/vectors through the component and print `N passed, N failed`.
    Vectors {
        /// The vectors directory.
        #[arg(long, default_value = "tests/vectors")]
        vectors: PathBuf,
        /// Replay them through another program that drives the kernel over its standard input
        /// and output (the protocol of tools/src/bridge.rs), e.g. the C example
        /// `target/c-example/vectors-x86_64`; words split on spaces ("qemu-arm PROGRAM").
        #[arg(long, value_name = "COMMAND")]
        bridge: Option<String>,
        /// The host's name in the `NAME: N passed, N failed` line (with --bridge).
        #[arg(long, value_name = "NAME", default_value = "bridge", requires = "bridge")]
        label: String,
    },
    /// Serve the simulated acquirer over TCP and print its ledger as it changes (each new entry,
    /// and an entry again when it is reversed, voided, refunded or completed); the whole ledger
    /// with `posterm acquirer-control ledger`.
    Acquirer {
        /// Address to listen on (port 0: any free port, printed at start).
        #[arg(long, default_value = "127.0.0.1:5000")]
        listen: String,
        /// Faults to queue at start (drop-reply, delay-reply, bad-mac, wrong-stan, wrong-tid,
        /// wrong-amount, wrong-mti, answer-twice, garbage, close, sign-on-again,
        /// unreadable-settlement, refuse-settlement, late-approval).
        #[arg(long)]
        fault: Vec<String>,
        /// The statements' daily cut-off, hhmmss local (UTC+8): a payment at or after it is on
        /// the statement of the day after next (T+2) instead of the next day's (T+1).
        #[arg(long, default_value = "230000", value_parser = parse_cutoff)]
        cutoff: String,
        /// The merchant's fee on the statements, in basis points of each amount (60 = 0.60%).
        #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u32).range(0..=10_000))]
        fee_bp: u32,
        /// How long a delayed reply waits, in milliseconds.
        #[arg(long, default_value_t = 35_000)]
        late_reply_ms: u64,
        /// Multiply every test card's opening balance by this (a fleet run with `posterm farm
        /// --acquirer` sells far more than the documented balances cover).
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
        balance_factor: u64,
    },
    /// Send a control command to a running `posterm acquirer`: `fault <name>`, `faults clear`,
    /// `ledger`, `statement --date YYYYMMDD` (the statement file, to save with `> file`),
    /// `statement-dates`, `statement-fault drop:TID:STAN`, `help` for the rest.
    AcquirerControl {
        #[arg(long, default_value = "127.0.0.1:5000")]
        address: String,
        /// The command and its arguments (`statement --date 20261122`).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        command: Vec<String>,
    },
    /// Benchmarks, printed as one table: kernel CPU per sale cycle on every host (native,
    /// wasmtime Cranelift and Pulley, wasm-bindgen and jco in Node) with ratios to native,
    /// start-up (instantiation, cold start restoring 10,000 journal records), sizes, and
    /// durability (fsyncs and journal bytes per sale and per settlement). Figures, not pass/fail.
    /// `bash scripts/bench.sh` builds everything first.
    Bench(bench::command::BenchArgs),
    /// Fleet throughput: N virtual terminals (one kernel instance and journal each) selling at
    /// once against a loopback acquirer; latency, tx/s, fsyncs per sale, and the ledger checked.
    #[command(long_about = farm::command::HELP)]
    Farm(farm::command::FarmArgs),
}

/// Runs one tool.
pub fn run(globals: &Globals, command: &ToolCommand) -> ExitCode {
    match command {
        ToolCommand::Demo => demo::run(globals),
        ToolCommand::Vectors {
            vectors, bridge: None, ..
        } => vectors::run(globals, vectors),
        ToolCommand::Vectors {
            vectors,
            bridge: Some(bridge),
            label,
        } => vectors::run_bridge(vectors, bridge, label),
        ToolCommand::Acquirer {
            listen,
            fault,
            late_reply_ms,
            balance_factor,
            cutoff,
            fee_bp,
        } => acquirer::serve(listen, fault, *late_reply_ms, *balance_factor, cutoff, *fee_bp),
        ToolCommand::AcquirerControl { address, command } => acquirer::control(address, command),
        ToolCommand::Bench(args) => bench::command::run(globals, args),
        ToolCommand::Farm(args) => farm::command::run(globals, args),
    }
}

/// `hhmmss`, a time of day.
fn parse_cutoff(text: &str) -> Result<String, String> {
    let valid = text.len() == 6
        && text.bytes().all(|b| b.is_ascii_digit())
        && text.get(0..2).is_some_and(|h| h < "24")
        && text.get(2..4).is_some_and(|m| m < "60")
        && text.get(4..6).is_some_and(|s| s < "60");
    if valid {
        Ok(text.to_owned())
    } else {
        Err(format!("`{text}` is not a time hhmmss (e.g. 230000 for 23:00:00)"))
    }
}
