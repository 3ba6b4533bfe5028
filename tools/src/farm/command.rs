//! `posterm farm`: see [`crate::farm`] and [`HELP`].

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Args;

use crate::farm::{self as farm, FarmOptions, FarmReport, Length, Progress};
use pos_host::cli::print::{exit, note, out};
use pos_host::cli::Globals;
use pos_host::component_file;

/// `posterm farm --help`.
pub const HELP: &str = "\
Fleet throughput: runs N virtual terminals at once on this machine and checks the books.

Each terminal is its own kernel instance (its own wasmtime store, all made from one compiled
component), with its own journal file in <journal-dir>/terminal-0001/, terminal-0002/, ... (with a
config.toml, so `posterm --dir <journal-dir>/terminal-0001 status` works on them afterwards) and
its own terminal id (F41): 20000001, 20000002, ... (see --first-terminal-id).

The acquirer is on loopback: by default a simulated acquirer in this process on 127.0.0.1 (a free
port), whose test cards get 1000 times their documented balances so long runs do not empty them;
or, with --acquirer HOST:PORT, a running `posterm acquirer --listen HOST:PORT` (its ledger must not
yet hold entries of the farm's terminal ids; with the documented balances its cards last some
70,000 farm sales: start it with `--balance-factor 1000` for long runs, as scripts/bench.sh does).

The terminals are shared out among W worker threads (--workers; default min(N, 8 per core, 64):
a sale mostly waits for an fsync or the acquirer, so a few workers per core keep the cores busy,
and many more only add switching), terminal i to worker i mod W. Every worker opens its
terminals and signs each on; when all are signed on the clock starts, and each worker runs one
sale on each of its terminals in turn, round after round: so each terminal sells one sale after
another, and W sales are in flight at once. Sales use the test cards (mostly the swiped debit
card; chip, contactless and foreign ones too) with amounts from 1.00 to 10.00, never with the
cents that make the simulated acquirer decline by rule (.05, .51, ...).

Measured: the latency of every sale (command to outcome: journal writes and fsyncs, the round
trip to the acquirer, the kernel's work), as p50/p90/p99/max; sales per second over the sales
phase (start-up, i.e. opening and signing on, is timed separately); fsync calls per sale; peak
memory. A progress bar goes to stderr (redrawn in place on a terminal; one line every 10 s
otherwise, e.g. in CI logs; none with --no-progress).

At the end the books are checked for every terminal: the sales its journal holds as approved
(STAN and amount), the farm's own count of approved outcomes and the kernel's status totals must
equal the acquirer's ledger for that terminal id (its standing charges and net charged amount;
read directly from the in-process acquirer, or a page at a time with `ledger-entries` over the
control connection of an external one). It prints `ledger reconciles: yes (N terminals)`, or every difference.

The journal directory decides what the fsyncs cost: the default is a fresh directory under the
system temporary directory (removed afterwards unless --keep-journals; check with `findmnt -T
/tmp` whether that is a disk or tmpfs), and `--journal-dir /dev/shm/farm` puts the journals in
memory (tmpfs). The result says which it was.

Limits: each terminal needs about 2 open files (5 with the in-process acquirer, whose server side
keeps three per connection); the farm refuses to start when `ulimit -n` is too low and says what
to raise it to. The in-process acquirer runs a thread per connection. Each store's linear memory
gets wasmtime's 4 GiB address-space reservation (only the pages the kernel touches use memory:
about 0.1 MiB resident per terminal), so at most 10,000 terminals (40 TiB of the 128 TiB a 64-bit
process can map).

Exit codes: 0 the ledger reconciles, 1 it does not, 2 usage error, 6 the farm could not run
(component, journal directory, acquirer, a terminal that would not open or sign on).

With --json: one JSON object with every figure.";

#[derive(Debug, Clone, Args)]
pub struct FarmArgs {
    /// How many virtual terminals (1 to 10,000).
    #[arg(long, default_value_t = 10)]
    pub terminals: usize,
    /// Sales each terminal runs (default 10 when --seconds is not given).
    #[arg(long, conflicts_with = "seconds")]
    pub sales_per_terminal: Option<u64>,
    /// Run sales for this many seconds instead of a fixed number.
    #[arg(long)]
    pub seconds: Option<f64>,
    /// Where the terminals' directories go (must not hold a farm's journals already). Default: a
    /// fresh directory under the system temporary directory, removed afterwards.
    #[arg(long)]
    pub journal_dir: Option<PathBuf>,
    /// Keep the default temporary journal directory (a --journal-dir is always kept).
    #[arg(long)]
    pub keep_journals: bool,
    /// A running `posterm acquirer` (HOST:PORT) instead of one in this process.
    #[arg(long)]
    pub acquirer: Option<String>,
    /// Worker threads (default: min(terminals, 8 per core, 64)).
    #[arg(long)]
    pub workers: Option<usize>,
    /// The first terminal's id (8 digits); the others follow it.
    #[arg(long, default_value_t = farm::FIRST_TERMINAL_ID)]
    pub first_terminal_id: u32,
    /// No progress display on stderr.
    #[arg(long)]
    pub no_progress: bool,
}

pub fn run(globals: &Globals, args: &FarmArgs) -> ExitCode {
    let options = FarmOptions {
        terminals: args.terminals,
        length: match (args.sales_per_terminal, args.seconds) {
            (_, Some(seconds)) => Length::Seconds(seconds),
            (Some(k), None) => Length::SalesPerTerminal(k),
            (None, None) => Length::SalesPerTerminal(10),
        },
        journal_dir: args.journal_dir.clone(),
        keep_journals: args.keep_journals,
        acquirer: args.acquirer.clone(),
        workers: args.workers,
        first_terminal_id: args.first_terminal_id,
    };
    if let Err(e) = options.validate() {
        note!("posterm farm: {e}");
        return ExitCode::from(exit::USAGE);
    }
    let component = globals
        .component
        .clone()
        .unwrap_or_else(component_file::default_component);
    let runtime = match component_file::load(
        &component,
        pos_host::cli::terminal::backend(globals),
        component_file::test_keys(),
    ) {
        Ok(runtime) => Arc::new(runtime),
        Err(e) => {
            note!("posterm farm: {e}");
            return ExitCode::from(exit::HOST_ERROR);
        }
    };
    let mut bar = Bar::new(!args.no_progress);
    let result = farm::run(runtime, &options, &mut |p| bar.show(p));
    bar.finish();
    match result {
        Ok(report) => {
            if globals.json {
                out!("{}", serde_json::to_string(&report).unwrap_or_default());
            } else {
                print_report(&report);
            }
            if report.reconciles {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            note!("posterm farm: {e}");
            ExitCode::from(exit::HOST_ERROR)
        }
    }
}

fn print_report(r: &FarmReport) {
    out!(
        "posterm farm: {} on {}, {} acquirer on {}; journals in {} ({}{})",
        plural(r.terminals, "terminal"),
        plural(r.workers, "worker"),
        r.acquirer,
        r.acquirer_address,
        r.journal_dir,
        r.journal_location,
        if r.journal_kept { ", kept" } else { ", removed" }
    );
    out!(
        "start-up: {} opened and signed on in {:.2} s",
        plural(r.terminals, "terminal"),
        r.startup_seconds
    );
    let headers = [
        "terminals",
        "sales",
        "approved",
        "seconds",
        "tx/s",
        "p50 ms",
        "p90 ms",
        "p99 ms",
        "max ms",
        "journal",
        "fsyncs/sale",
    ];
    let location = if r.journal_location == "tmpfs" {
        "tmpfs".to_owned()
    } else if r.journal_location.starts_with("disk") {
        "disk".to_owned()
    } else {
        r.journal_location.clone()
    };
    let values = [
        r.terminals.to_string(),
        r.sales.to_string(),
        r.approved.to_string(),
        format!("{:.2}", r.seconds),
        format!("{:.0}", r.tx_per_second),
        format!("{:.2}", r.latency_ms.p50),
        format!("{:.2}", r.latency_ms.p90),
        format!("{:.2}", r.latency_ms.p99),
        format!("{:.2}", r.latency_ms.max),
        location,
        format!("{:.2}", r.fsyncs_per_sale),
    ];
    let widths: Vec<usize> = headers
        .iter()
        .zip(values.iter())
        .map(|(h, v)| h.len().max(v.len()))
        .collect();
    let line = |cells: Vec<&str>| {
        cells
            .iter()
            .zip(widths.iter())
            .map(|(c, w)| format!("{c:>w$}"))
            .collect::<Vec<_>>()
            .join("  ")
    };
    out!();
    out!("{}", line(headers.to_vec()));
    out!("{}", line(values.iter().map(String::as_str).collect()));
    out!();
    if r.declined + r.other_outcomes + r.host_errors > 0 {
        out!(
            "not approved: {} declined, {} other outcomes, {} host errors",
            r.declined,
            r.other_outcomes,
            r.host_errors
        );
        if let Some(first) = &r.first_not_approved {
            out!("  first not approved: {first}");
        }
        if let Some(first) = &r.first_host_error {
            out!("  first host error: {first}");
        }
    }
    out!(
        "approved total {}; journal {:.0} bytes per sale; peak memory {}{}",
        farm::yuan(r.approved_amount),
        r.journal_bytes_per_sale,
        r.peak_rss_mib
            .map(|m| format!("{m:.0} MiB resident"))
            .unwrap_or_else(|| "unknown".into()),
        r.peak_virtual_gib
            .map(|g| format!(", {g:.0} GiB address space (wasmtime's reservations)"))
            .unwrap_or_default()
    );
    if r.reconciles {
        out!("ledger reconciles: yes ({})", plural(r.terminals, "terminal"));
    } else {
        out!("ledger reconciles: NO ({} differences)", r.differences.len());
        for d in &r.differences {
            out!("  {d}");
        }
    }
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// The progress display on stderr.
struct Bar {
    enabled: bool,
    tty: bool,
    last: Option<Instant>,
    drawn: bool,
}

impl Bar {
    const WIDTH: usize = 30;

    fn new(enabled: bool) -> Bar {
        Bar {
            enabled,
            tty: std::io::stderr().is_terminal(),
            last: None,
            drawn: false,
        }
    }

    fn show(&mut self, progress: Progress) {
        if !self.enabled {
            return;
        }
        let every = if self.tty {
            Duration::from_millis(200)
        } else {
            Duration::from_secs(10)
        };
        let now = Instant::now();
        match self.last {
            Some(last) if now.duration_since(last) < every => return,
            // Not on a terminal, the first line also waits: short runs print none.
            None if !self.tty => {
                self.last = Some(now);
                return;
            }
            _ => {}
        }
        self.last = Some(now);
        let text = render(progress);
        let mut err = std::io::stderr().lock();
        // A progress line that cannot be written is not worth stopping for.
        if self.tty {
            let _ = write!(err, "\r\x1b[2K{text}");
            self.drawn = true;
        } else {
            let _ = writeln!(err, "posterm farm: {text}");
        }
        let _ = err.flush();
    }

    fn finish(&mut self) {
        if self.drawn {
            let _ = write!(std::io::stderr(), "\r\x1b[2K");
        }
    }
}

fn bar(fraction: f64) -> String {
    let fraction = fraction.clamp(0.0, 1.0);
    let filled = (0..Bar::WIDTH)
        .take_while(|i| ((*i + 1) as f64) <= fraction * Bar::WIDTH as f64)
        .count();
    let mut s = "=".repeat(filled);
    if filled < Bar::WIDTH {
        s.push('>');
        s.push_str(&" ".repeat(Bar::WIDTH - filled - 1));
    }
    format!("[{s}]")
}

fn render(progress: Progress) -> String {
    match progress {
        Progress::Opening { opened, terminals } => format!(
            "{} {opened}/{terminals} terminals opened and signed on",
            bar(opened as f64 / terminals.max(1) as f64)
        ),
        Progress::Selling {
            sales,
            total,
            elapsed,
            limit,
        } => {
            let secs = elapsed.as_secs_f64();
            let rate = if secs > 0.0 { sales as f64 / secs } else { 0.0 };
            match (total, limit) {
                (Some(total), _) => format!(
                    "{} {sales}/{total} sales  {rate:.0} tx/s  {secs:.1} s",
                    bar(sales as f64 / total.max(1) as f64)
                ),
                (None, Some(limit)) => format!(
                    "{} {secs:.1}/{} s  {sales} sales  {rate:.0} tx/s",
                    bar(secs / limit.as_secs_f64().max(f64::MIN_POSITIVE)),
                    limit.as_secs_f64()
                ),
                (None, None) => format!("{sales} sales  {rate:.0} tx/s  {secs:.1} s"),
            }
        }
    }
}
