//! `posterm`: the operator's and integrator's command line.

pub mod card;
pub mod keys;
pub mod print;
pub mod reconcile;
pub mod recover;
pub mod reprint;
pub mod setup;
pub mod terminal;

use std::path::PathBuf;

use std::process::ExitCode;

use clap::{Args, Subcommand};

use card::CardArgs;

/// The options every posterm command takes (the binary's `--help` says what posterm is).
#[derive(Debug, Args)]
pub struct Globals {
    /// The terminal directory (config.toml and journal.pjl).
    #[arg(long, global = true, env = "POSTERM_DIR", default_value = "terminal")]
    pub dir: PathBuf,
    /// Print outcomes as JSON (one object per line) instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// Run the component on wasmtime's Pulley interpreter instead of Cranelift (always so on
    /// 32-bit ARM, which Cranelift has no code for).
    #[arg(long, global = true)]
    pub pulley: bool,
    /// The kernel component (.wasm; its precompiled .cwasm is cached beside it). Default:
    /// target/component/pos_kernel.wasm next to this executable's target directory.
    #[arg(long, global = true, env = "POSTERM_COMPONENT")]
    pub component: Option<PathBuf>,
    /// How long a command waits, in seconds, while another process (posterm, or a program using
    /// libposkernel) uses the terminal directory, before it gives up (exit code 7).
    #[arg(
        long,
        global = true,
        env = "POSTERM_LOCK_WAIT",
        default_value_t = 30.0,
        value_name = "SECONDS"
    )]
    pub lock_wait: f64,
}

#[derive(Debug, Subcommand)]
/// The operator's commands: what a terminal built for a vendor offers.
pub enum OperatorCommand {
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
        /// The token's PKCS#11 library (default: SoftHSM2's on this machine, if installed).
        #[arg(long, value_name = "PATH")]
        pkcs11_library: Option<PathBuf>,
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
    /// Complete an open pre-authorization offline (预授权完成通知): by voice, or after the fact.
    /// Approved at once with the pre-authorization's card; its completion advice (0220 type 24)
    /// is sent now and resent with the same STAN until the acquirer answers. It cannot be voided.
    CompleteOffline {
        /// The pre-authorization's STAN.
        #[arg(long)]
        stan: u32,
        /// Up to 115% of the pre-authorized amount, e.g. 12.34.
        #[arg(long)]
        amount: String,
        /// The authorization code the issuer gave by voice (6 letters or digits); the
        /// pre-authorization's own code when left out.
        #[arg(long)]
        auth_code: Option<String>,
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
    /// Batch, STAN, totals, what is in flight, pending reversal, refunds and advices, exceptions,
    /// what the acquirer downloaded. Reads only: a damaged journal is reported, not repaired.
    Status,
    /// What the acquirer downloaded (parameters, CA public keys, IC parameters), key by key and
    /// AID by AID, with the date of each set, and the downloads it asked for that are still due.
    /// Reads only.
    Downloads,
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
    #[command(long_about = reconcile::HELP)]
    /// Was I paid? Match the acquirer's statements against the journal and the archive of
    /// settled batches. Reads only.
    Reconcile(reconcile::ReconcileArgs),
    /// Print again, marked 重打印 / REPRINT: the last receipt, a receipt by --stan (current batch
    /// or archive), or the last --settlement report. Reads only; exit 3 when there is nothing
    /// to print.
    Reprint(reprint::ReprintArgs),
    #[command(long_about = recover::HELP)]
    /// What to do with a journal posterm refuses (records lost, missing, another terminal's).
    Recover(recover::RecoverArgs),
    /// Precompile the component to a .cwasm: for this machine (Cranelift, or Pulley with
    /// --pulley), or with --target for a terminal of another kind (a build machine compiles for
    /// the terminals, whose runtime-only posterm cannot). Writes DIR/pos_kernel.<target>.cwasm
    /// beside the component, where a posterm of that target looks for it.
    Compile {
        /// What to compile for: pulley32 (32-bit ARM terminals), pulley64,
        /// aarch64-unknown-linux-gnu or x86_64-unknown-linux-gnu. Default: this machine.
        #[arg(long, value_name = "TARGET")]
        target: Option<crate::runtime::CompileTarget>,
        /// Where to write the .cwasm (default: beside the component).
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

/// Runs one operator command.
pub fn run(globals: &Globals, command: &OperatorCommand) -> ExitCode {
    if let Some(code) = terminal::transaction(globals, command) {
        return code;
    }
    match command {
        OperatorCommand::Init {
            acquirer,
            softhsm,
            pkcs11_library,
        } => setup::init(globals, acquirer, *softhsm, pkcs11_library.clone()),
        OperatorCommand::Keys(args) => keys::run(globals, args),
        OperatorCommand::Status => terminal::status(globals),
        OperatorCommand::Downloads => terminal::downloads(globals),
        OperatorCommand::Query { stan, rrn } => terminal::query(globals, *stan, rrn.clone()),
        OperatorCommand::Journal => terminal::journal(globals),
        OperatorCommand::Reconcile(args) => reconcile::run(globals, args),
        OperatorCommand::Reprint(args) => reprint::run(globals, args),
        OperatorCommand::Recover(args) => recover::run(globals, args),
        OperatorCommand::Compile { target, output } => setup::compile(globals, *target, output.clone()),
        // Transaction commands were handled above.
        _ => ExitCode::from(print::exit::USAGE),
    }
}
