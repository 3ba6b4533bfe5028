//! `posterm`: the operator's and integrator's command line.

pub mod acquirer;
pub mod bench;
pub mod card;
pub mod demo;
pub mod farm;
pub mod keys;
pub mod print;
pub mod recover;
pub mod terminal;
pub mod vectors;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use card::CardArgs;

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
/// terminal is in use by another posterm process, 8 settled but the totals did not agree
/// (compare the report with the acquirer's statement), 9 the journal is refused (records lost,
/// missing, or another terminal's: see `posterm recover --help`).
#[derive(Debug, Parser)]
#[command(name = "posterm", version)]
pub struct Cli {
    /// The terminal directory (config.toml and journal.pjl).
    #[arg(long, global = true, env = "POSTERM_DIR", default_value = "terminal")]
    pub dir: PathBuf,
    /// Print outcomes as JSON (one object per line) instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// Run the component on wasmtime's Pulley interpreter instead of Cranelift (the path for
    /// 32-bit ARM terminals).
    #[arg(long, global = true)]
    pub pulley: bool,
    /// The kernel component (.wasm; its precompiled .cwasm is cached beside it). Default:
    /// target/component/pos_kernel.wasm next to this executable's target directory.
    #[arg(long, global = true, env = "POSTERM_COMPONENT")]
    pub component: Option<PathBuf>,
    /// How long a command waits, in seconds, while another posterm process uses the terminal
    /// directory, before it gives up (exit code 7).
    #[arg(
        long,
        global = true,
        env = "POSTERM_LOCK_WAIT",
        default_value_t = 30.0,
        value_name = "SECONDS"
    )]
    pub lock_wait: f64,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// A whole terminal day on loopback against an embedded simulated acquirer: sign-on, sales,
    /// a timeout with its reversal, a decline, a void, a refund, settlement.
    Demo,
    /// Create a terminal directory (mode 0700) with a default config.toml (the test terminal).
    /// Its keys are in the PKCS#11 token that [security] names; then load the terminal master key
    /// into it with `posterm keys load-tmk`.
    Init {
        /// Where the acquirer listens.
        #[arg(long, default_value = "127.0.0.1:5000")]
        acquirer: String,
        /// Also create a SoftHSM2 token of this terminal's own in DIR/softhsm (for trying
        /// posterm without a secure element), its user PIN in DIR/token-pin (mode 0600).
        #[arg(long)]
        softhsm: bool,
    },
    /// The terminal's keys: load the terminal master key into its token, or show what the token
    /// holds.
    Keys(keys::KeysArgs),
    /// Sign on: load working keys and the batch number.
    SignOn,
    /// Sign off.
    SignOff,
    /// Echo test.
    Echo,
    /// A sale.
    Sale {
        /// Amount in yuan, e.g. 12.34.
        #[arg(long)]
        amount: String,
        #[command(flatten)]
        card: CardArgs,
    },
    /// Void a sale of the current batch by its STAN (trace number).
    Void {
        #[arg(long)]
        stan: u32,
        /// Present the card (otherwise the journaled card number is keyed in).
        #[arg(long)]
        with_card: bool,
        #[command(flatten)]
        card: CardArgs,
    },
    /// Refund (all or part of) a sale of any day, by its RRN and date.
    Refund {
        #[arg(long)]
        amount: String,
        /// The original's retrieval reference number (12 characters).
        #[arg(long)]
        rrn: String,
        /// The original's date, MMDD.
        #[arg(long)]
        date: String,
        #[command(flatten)]
        card: CardArgs,
    },
    /// Pre-authorization: hold an amount on the card.
    Preauth {
        #[arg(long)]
        amount: String,
        #[command(flatten)]
        card: CardArgs,
    },
    /// Cancel an open pre-authorization by its STAN.
    PreauthCancel {
        #[arg(long)]
        stan: u32,
        #[command(flatten)]
        card: CardArgs,
    },
    /// Complete an open pre-authorization (up to 115% of it).
    Complete {
        #[arg(long)]
        stan: u32,
        #[arg(long)]
        amount: String,
        #[command(flatten)]
        card: CardArgs,
    },
    /// Void a completion of the current batch by its STAN.
    CompleteVoid {
        #[arg(long)]
        stan: u32,
    },
    /// Balance inquiry.
    Balance {
        #[command(flatten)]
        card: CardArgs,
    },
    /// Settle the batch (pending reversals and refunds first; batch upload when unbalanced).
    Settle,
    /// Batch, STAN, totals, what is in flight, pending reversal and refunds, exceptions. Reads
    /// only: a damaged journal is reported, not repaired.
    Status,
    /// The life of one transaction: was this customer charged? Reads only.
    Query {
        #[arg(long, conflicts_with = "rrn", required_unless_present = "rrn")]
        stan: Option<u32>,
        #[arg(long)]
        rrn: Option<String>,
    },
    /// Acknowledge an unconfirmed reversal on the exceptions list (after calling the acquirer).
    AckException {
        #[arg(long)]
        stan: u32,
    },
    /// The journal's records, decoded (PANs masked). Reads only.
    Journal,
    #[command(long_about = recover::HELP)]
    /// What to do with a journal posterm refuses (records lost, missing, another terminal's).
    Recover(recover::RecoverArgs),
    /// Replay tests/vectors through the component and print `N passed, N failed`.
    Vectors {
        /// The vectors directory.
        #[arg(long, default_value = "tests/vectors")]
        vectors: PathBuf,
    },
    /// Serve the simulated acquirer over TCP and print its ledger as it changes (each new entry,
    /// and an entry again when it is reversed, voided, refunded or completed); the whole ledger
    /// with `posterm acquirer-control ledger`.
    Acquirer {
        /// Address to listen on (port 0: any free port, printed at start).
        #[arg(long, default_value = "127.0.0.1:5000")]
        listen: String,
        /// Faults to queue at start (drop-reply, delay-reply, bad-mac, wrong-stan, wrong-tid,
        /// wrong-amount, wrong-mti, answer-twice, garbage, close, sign-on-again).
        #[arg(long)]
        fault: Vec<String>,
        /// How long a delayed reply waits, in milliseconds.
        #[arg(long, default_value_t = 35_000)]
        late_reply_ms: u64,
        /// Multiply every test card's opening balance by this (a fleet run with `posterm farm
        /// --acquirer` sells far more than the documented balances cover).
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
        balance_factor: u64,
    },
    /// Send a control command to a running `posterm acquirer`: `fault <name>`, `faults clear`,
    /// `ledger`.
    AcquirerControl {
        #[arg(long, default_value = "127.0.0.1:5000")]
        address: String,
        command: Vec<String>,
    },
    /// Precompile the component to a .cwasm for this machine (Cranelift, or Pulley with --pulley).
    Compile {
        /// Where to write the .cwasm (default: beside the component).
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// Benchmarks, printed as one table: kernel CPU per sale cycle on every host (native,
    /// wasmtime Cranelift and Pulley, wasm-bindgen and jco in Node) with ratios to native,
    /// start-up (instantiation, cold start restoring 10,000 journal records), sizes, and
    /// durability (fsyncs and journal bytes per sale and per settlement). Figures, not pass/fail.
    /// `bash scripts/bench.sh` builds everything first.
    Bench(bench::BenchArgs),
    /// Fleet throughput: N virtual terminals (one kernel instance and journal each) selling at
    /// once against a loopback acquirer; latency, tx/s, fsyncs per sale, and the ledger checked.
    #[command(long_about = farm::HELP)]
    Farm(farm::FarmArgs),
}
