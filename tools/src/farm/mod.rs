//! A fleet of virtual terminals on one machine (`posterm farm`): N terminals, each its own kernel
//! instance (its own wasmtime store, all from one shared [`Runtime`]) with its own journal file
//! and terminal id, selling concurrently against one acquirer on loopback. It measures per-sale
//! latency and throughput, then checks the books: for every terminal, what its journal holds as
//! approved equals what the acquirer's ledger charged through that terminal id.
//!
//! Terminals are shared out among worker threads (terminal `i` goes to worker `i mod W`); a worker
//! opens and signs on its terminals, waits until every worker is ready, then runs one sale on each
//! of its terminals in turn, round after round. So at most W sales are in flight at once, and
//! every terminal runs its sales one after another, as a real terminal does.

pub mod command;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use pos_acquirer_server::{AcquirerServer, ServerConfig, ServerHandle};
use pos_acquirer_sim::cards::test_cards_with_balances_times;
use pos_acquirer_sim::rules::forced_code;
use pos_acquirer_sim::{AcquirerConfig, LedgerEntry};
use pos_journal::{FileStorage, Journal};
use pos_kernel::engine::{Command, DurableState, TransactionKind};
use pos_kernel::{CardVerdict, Config, OutcomeResult};
use pos_net::{Transport, TransportConfig};
use serde::Serialize;

use pos_host::cli::card::{CardArgs, TestCard};
use pos_host::driver::{CardReader, Driver};
use pos_host::runtime::Runtime;
use pos_host::terminal_dir::{ConfigFile, HostSettings, TerminalDir};

/// The first terminal id of a farm unless told otherwise (`20000001`, `20000002`, ...).
pub const FIRST_TERMINAL_ID: u32 = 20_000_001;

/// Workers when not told: one per terminal, up to 8 per core, at most this many. A sale mostly
/// waits (fsync, the acquirer's reply), so more workers than cores keep the cores busy; far more
/// only add switching (on 2 cores, 16 workers sold the most, with the journals on disk and on
/// tmpfs; 64 about a third less on tmpfs).
pub const MAX_DEFAULT_WORKERS: usize = 64;

/// Default workers per core.
pub const DEFAULT_WORKERS_PER_CORE: usize = 8;

/// The default worker count for `terminals` terminals on this machine.
pub fn default_workers(terminals: usize) -> usize {
    let cores = thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    terminals.min((cores * DEFAULT_WORKERS_PER_CORE).clamp(DEFAULT_WORKERS_PER_CORE, MAX_DEFAULT_WORKERS))
}

/// The most terminals one farm runs. Wasmtime reserves 4 GiB of address space (plus guard pages)
/// for each store's linear memory, only touching what the kernel uses: 10,000 terminals reserve
/// some 40 TiB of the 128 TiB a 64-bit Linux process has, and that, not memory, is the ceiling.
pub const MAX_TERMINALS: usize = 10_000;

/// How much bigger the in-process acquirer's card balances are than the documented test cards',
/// so that a long run does not empty them (`posterm acquirer --balance-factor` does the same for
/// an external one).
pub const IN_PROCESS_BALANCE_FACTOR: u64 = 1_000;

/// File descriptors a terminal needs: its journal and its connection, plus (in-process acquirer)
/// the server's socket and the two clones it keeps of it.
const FDS_PER_TERMINAL: u64 = 2;
const FDS_PER_IN_PROCESS_CONNECTION: u64 = 3;
const FDS_SPARE: u64 = 64;

/// How long a farm runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Length {
    /// Every terminal runs this many sales.
    SalesPerTerminal(u64),
    /// Sales until this much time has passed (a sale under way is finished).
    Seconds(f64),
}

/// What to run.
#[derive(Debug, Clone, PartialEq)]
pub struct FarmOptions {
    pub terminals: usize,
    pub length: Length,
    /// Where the terminals' directories go (`terminal-0001/`, ...). `None`: a fresh directory
    /// under the system temporary directory, removed afterwards unless `keep_journals`.
    pub journal_dir: Option<PathBuf>,
    pub keep_journals: bool,
    /// An external acquirer (`posterm acquirer --listen ...`); `None`: one in process on
    /// 127.0.0.1:0.
    pub acquirer: Option<String>,
    /// Worker threads; `None`: [`default_workers`].
    pub workers: Option<usize>,
    pub first_terminal_id: u32,
}

impl Default for FarmOptions {
    fn default() -> Self {
        FarmOptions {
            terminals: 10,
            length: Length::SalesPerTerminal(10),
            journal_dir: None,
            keep_journals: false,
            acquirer: None,
            workers: None,
            first_terminal_id: FIRST_TERMINAL_ID,
        }
    }
}

impl FarmOptions {
    /// The options make sense (what the command line reports as a usage error).
    pub fn validate(&self) -> Result<(), String> {
        if !(1..=MAX_TERMINALS).contains(&self.terminals) {
            return Err(format!("--terminals must be 1 to {MAX_TERMINALS}"));
        }
        let last_id = u64::from(self.first_terminal_id) + (self.terminals as u64) - 1;
        if self.first_terminal_id == 0 || last_id > 99_999_999 {
            return Err("terminal ids are 8 digits: the first terminal id plus --terminals is too large".into());
        }
        if self.workers == Some(0) {
            return Err("--workers must be at least 1".into());
        }
        match self.length {
            Length::SalesPerTerminal(0) => Err("--sales-per-terminal must be at least 1".into()),
            Length::Seconds(s) if !(s.is_finite() && s > 0.0) => Err("--seconds must be positive".into()),
            _ => Ok(()),
        }
    }
}

/// Where a run is, for a progress display.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Progress {
    /// Terminals opened and signed on so far.
    Opening { opened: u64, terminals: u64 },
    /// Sales finished so far (`total` when the run is counted in sales, `limit` when in time).
    Selling {
        sales: u64,
        total: Option<u64>,
        elapsed: Duration,
        limit: Option<Duration>,
    },
}

/// Per-sale latency (command to outcome), in milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Latency {
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
    pub mean: f64,
}

/// What a run did and whether the books balance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FarmReport {
    pub terminals: usize,
    pub workers: usize,
    /// `in-process` or `external`.
    pub acquirer: String,
    pub acquirer_address: String,
    /// Sales attempted (each ran to an outcome or a host error).
    pub sales: u64,
    pub approved: u64,
    pub declined: u64,
    /// Outcomes neither approved nor declined (failed, reversed).
    pub other_outcomes: u64,
    /// Sales that ended in a host error instead of an outcome.
    pub host_errors: u64,
    /// Total of the approved sales, minor units.
    pub approved_amount: u64,
    /// Opening every terminal (journal, instance) and signing it on.
    pub startup_seconds: f64,
    /// The sales phase.
    pub seconds: f64,
    pub tx_per_second: f64,
    pub latency_ms: Latency,
    pub journal_dir: String,
    /// `tmpfs`, `disk (ext4)`, ...
    pub journal_location: String,
    pub journal_kept: bool,
    /// fsync-family calls during the sales phase, over all terminals.
    pub fsyncs: u64,
    pub fsyncs_per_sale: f64,
    pub journal_bytes_per_sale: f64,
    /// Peak resident memory of this process (Linux `VmHWM`), in MiB.
    pub peak_rss_mib: Option<f64>,
    /// Peak address space of this process (Linux `VmPeak`), in GiB: mostly wasmtime's
    /// reservations for the terminals' linear memories, not memory in use.
    pub peak_virtual_gib: Option<f64>,
    pub reconciles: bool,
    /// Where the journal (or the kernel, or the farm's own count) and the ledger disagree.
    pub differences: Vec<String>,
    pub first_host_error: Option<String>,
    /// The first sale that was declined (or failed, or reversed), and why.
    pub first_not_approved: Option<String>,
}

/// Runs a farm on `runtime`, calling `progress` about ten times a second from the calling thread.
pub fn run(
    runtime: Arc<Runtime>,
    options: &FarmOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<FarmReport, String> {
    options.validate()?;
    let terminals = options.terminals;
    let workers = options
        .workers
        .unwrap_or_else(|| default_workers(terminals))
        .clamp(1, terminals);
    check_open_files(terminals, options.acquirer.is_none())?;

    let ids: Vec<String> = (0..terminals)
        .map(|i| terminal_id(options.first_terminal_id, i))
        .collect();
    let (server, address) = match &options.acquirer {
        Some(address) => {
            let ledger = pos_acquirer_server::control::ledger_entries(address)?;
            let ours: HashSet<&str> = ids.iter().map(String::as_str).collect();
            if let Some(entry) = ledger.iter().find(|e| ours.contains(e.terminal_id.as_str())) {
                return Err(format!(
                    "the acquirer at {address} already has ledger entries for terminal {}: reset it \
                     (`posterm acquirer-control --address {address} reset`) or choose other ids with \
                     --first-terminal-id",
                    entry.terminal_id
                ));
            }
            (None, address.clone())
        }
        None => {
            let server = in_process_acquirer()?;
            let address = server.local_addr().to_string();
            (Some(server), address)
        }
    };

    let (root, temporary) = match &options.journal_dir {
        Some(dir) => (dir.clone(), false),
        None => (fresh_temp_dir(), true),
    };
    std::fs::create_dir_all(&root).map_err(|e| format!("{}: {e}", root.display()))?;
    let first_dir = root.join(terminal_dir_name(0));
    if TerminalDir::new(&first_dir).journal_path().exists() {
        return Err(format!(
            "{} already holds a journal: a farm needs fresh terminals (remove it or choose another --journal-dir)",
            first_dir.display()
        ));
    }
    let location = journal_location(&root);

    let shared = Shared {
        runtime,
        root: root.clone(),
        acquirer: address.clone(),
        ids,
        length: options.length,
        gate: Gate::default(),
        abort: AtomicBool::new(false),
        opened: AtomicU64::new(0),
        sales: AtomicU64::new(0),
    };
    let outcome = farm(&shared, workers, progress);
    let ledger_check = outcome.as_ref().ok().map(|(results, _)| match &server {
        Some(server) => {
            let bank = server.acquirer();
            let bank = bank.lock().unwrap_or_else(PoisonError::into_inner);
            Ok(reconcile(results, bank.ledger().entries(), &shared.ids))
        }
        None => pos_acquirer_server::control::ledger_entries(&address)
            .map(|ledger| reconcile(results, &ledger, &shared.ids)),
    });
    if let Some(server) = server {
        // Nothing is left to answer; a failed join of its thread changes no figure.
        let _ = server.shutdown();
    }
    let kept = !temporary || options.keep_journals;
    if !kept {
        // Only the farm's own fresh directory; leaving it behind on failure is harmless.
        let _ = std::fs::remove_dir_all(&root);
    }
    let (results, phases) = outcome?;
    let differences = match ledger_check {
        Some(check) => check?,
        None => return Err("no results".into()),
    };
    Ok(report(Summary {
        results: &results,
        phases,
        differences,
        workers,
        in_process: options.acquirer.is_none(),
        address,
        root: &root,
        location,
        kept,
    }))
}

/// The `i`th terminal's id (8 digits).
pub fn terminal_id(first: u32, i: usize) -> String {
    format!("{:08}", u64::from(first) + i as u64)
}

/// The `i`th terminal's directory name under the journal directory.
pub fn terminal_dir_name(i: usize) -> String {
    format!("terminal-{:04}", i + 1)
}

/// The card and amount of sale `n` of terminal `terminal`: mostly the swiped debit card (the
/// largest balance), some chip, contactless and foreign cards; 1.00 to 10.00, never with the
/// cents that make the simulated acquirer decline (`rules::forced_code`: .05, .12, .51, ...).
pub fn sale_of(terminal: usize, n: u64) -> (TestCard, u64) {
    let h = splitmix64(((terminal as u64) << 32) ^ n);
    let card = match (h >> 40) % 20 {
        0 | 1 => TestCard::Chip,
        2 => TestCard::Tap,
        3 => TestCard::Foreign,
        _ => TestCard::Swiped,
    };
    let amount = 100 + h % 900;
    // The next cent is never forced as well (.06, .13, .52, .62, .92, .97).
    let amount = if forced_code(amount).is_some() {
        amount + 1
    } else {
        amount
    };
    (card, amount)
}

fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn in_process_acquirer() -> Result<ServerHandle, String> {
    let acquirer = AcquirerConfig {
        cards: test_cards_with_balances_times(IN_PROCESS_BALANCE_FACTOR),
        ..AcquirerConfig::default()
    };
    AcquirerServer::bind(ServerConfig {
        listen: "127.0.0.1:0".into(),
        acquirer,
        ..ServerConfig::default()
    })
    .and_then(AcquirerServer::spawn)
    .map_err(|e| format!("cannot start the acquirer: {e}"))
}

fn fresh_temp_dir() -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    std::env::temp_dir().join(format!("posterm-farm-{}-{nanos:09}", std::process::id()))
}

/// Fails early, with advice, when the open-files limit is too low for the farm (Linux only;
/// elsewhere the limit is not known and the run is tried).
fn check_open_files(terminals: usize, in_process: bool) -> Result<(), String> {
    let per_terminal = FDS_PER_TERMINAL + if in_process { FDS_PER_IN_PROCESS_CONNECTION } else { 0 };
    let needed = (terminals as u64).saturating_mul(per_terminal) + FDS_SPARE;
    match open_files_limit() {
        Some(limit) if limit < needed => Err(format!(
            "{terminals} terminals need about {needed} open files ({per_terminal} each: journal, connection{}), \
             but the limit is {limit}: raise it first, e.g. `ulimit -n {}`",
            if in_process {
                ", and the in-process acquirer's side of it"
            } else {
                ""
            },
            needed.next_power_of_two().max(4096)
        )),
        _ => Ok(()),
    }
}

/// The soft `RLIMIT_NOFILE` from `/proc/self/limits` (`None`: unknown or unlimited).
fn open_files_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

/// A figure of `/proc/self/status` (`VmHWM`: peak resident, `VmPeak`: peak virtual) in MiB.
fn proc_status_mib(key: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// What file system holds `dir`: `tmpfs` (memory), or `disk (<fstype>)`; from `/proc/self/mounts`
/// (the longest mount point that contains it).
pub fn journal_location(dir: &Path) -> String {
    let Ok(dir) = dir.canonicalize() else {
        return "unknown".into();
    };
    let Ok(mounts) = std::fs::read_to_string("/proc/self/mounts") else {
        return "unknown".into();
    };
    let best = mounts
        .lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            let _device = words.next()?;
            let point = unescape_mount(words.next()?);
            let fstype = words.next()?;
            dir.starts_with(&point).then(|| (point.len(), fstype.to_owned()))
        })
        .max_by_key(|(len, _)| *len);
    match best {
        Some((_, fstype)) if fstype == "tmpfs" || fstype == "ramfs" => "tmpfs".into(),
        Some((_, fstype)) => format!("disk ({fstype})"),
        None => "unknown".into(),
    }
}

/// `/proc/mounts` writes space, tab, newline and backslash as `\ooo`.
fn unescape_mount(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    let mut rest = field;
    while let Some(i) = rest.find('\\') {
        out.push_str(rest.get(..i).unwrap_or_default());
        let code = rest.get(i + 1..i + 4).and_then(|o| u8::from_str_radix(o, 8).ok());
        match code {
            Some(byte) => {
                out.push(char::from(byte));
                rest = rest.get(i + 4..).unwrap_or_default();
            }
            None => {
                out.push('\\');
                rest = rest.get(i + 1..).unwrap_or_default();
            }
        }
    }
    out.push_str(rest);
    out
}

// ---------------------------------------------------------------------------------------------
// The run

struct Shared {
    runtime: Arc<Runtime>,
    root: PathBuf,
    acquirer: String,
    ids: Vec<String>,
    length: Length,
    gate: Gate,
    /// A terminal could not be opened: nobody sells.
    abort: AtomicBool,
    opened: AtomicU64,
    sales: AtomicU64,
}

/// Workers report ready here and wait until the calling thread opens the gate (then the clock
/// of the sales phase starts).
#[derive(Default)]
struct Gate {
    state: Mutex<(usize, bool)>,
    changed: Condvar,
}

impl Gate {
    fn arrive_and_wait(&self) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.0 += 1;
        self.changed.notify_all();
        while !state.1 {
            state = self.changed.wait(state).unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Waits up to `timeout` for `count` workers to have arrived; whether they have.
    fn wait_for(&self, count: usize, timeout: Duration) -> bool {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let (state, _) = self
            .changed
            .wait_timeout_while(state, timeout, |state| state.0 < count)
            .unwrap_or_else(PoisonError::into_inner);
        state.0 >= count
    }

    fn open(&self) {
        self.state.lock().unwrap_or_else(PoisonError::into_inner).1 = true;
        self.changed.notify_all();
    }
}

#[derive(Debug, Clone, Copy)]
struct Phases {
    startup: Duration,
    selling: Duration,
}

/// One terminal after the run.
#[derive(Debug, Default)]
struct VirtualTerminalResult {
    id: String,
    sales: u64,
    approved: u64,
    declined: u64,
    other: u64,
    errors: u64,
    /// What the farm saw approved.
    amount: u64,
    fsyncs: u64,
    journal_bytes: u64,
    /// The kernel's status: approved count and net (debit − credit) total.
    status: Option<(usize, i128)>,
    /// Standing sales in the journal, `(stan, amount)`, sorted.
    journal: Vec<(u32, u64)>,
    /// Anything the journal or the kernel says is unsettled (a pending reversal, exceptions).
    problems: Vec<String>,
    first_error: Option<String>,
    /// The first outcome that was not an approval.
    first_decline: Option<String>,
    latencies_us: Vec<u64>,
}

#[derive(Debug, Default)]
struct WorkerResult {
    terminals: Vec<VirtualTerminalResult>,
    error: Option<String>,
    /// When its last sale ended (before the journal replay and status calls of the check).
    sales_ended: Option<Instant>,
}

fn farm(
    shared: &Shared,
    workers: usize,
    progress: &mut dyn FnMut(Progress),
) -> Result<(Vec<VirtualTerminalResult>, Phases), String> {
    let total_terminals = shared.ids.len();
    let started = Instant::now();
    thread::scope(|scope| {
        let mut handles = Vec::with_capacity(workers);
        let mut errors = Vec::new();
        for w in 0..workers {
            let indices: Vec<usize> = (w..total_terminals).step_by(workers).collect();
            let spawned = thread::Builder::new()
                .name(format!("farm-worker-{w}"))
                .spawn_scoped(scope, move || worker(shared, indices));
            match spawned {
                Ok(handle) => handles.push(handle),
                Err(e) => {
                    // The workers already started see the abort once the gate opens.
                    shared.abort.store(true, Ordering::SeqCst);
                    errors.push(format!("cannot start worker thread {w}: {e}"));
                    break;
                }
            }
        }
        let spawned = handles.len();
        // Opening: until every worker is ready (or has ended early).
        while !shared.gate.wait_for(spawned, Duration::from_millis(100)) && !handles.iter().all(|h| h.is_finished()) {
            progress(Progress::Opening {
                opened: shared.opened.load(Ordering::Relaxed),
                terminals: total_terminals as u64,
            });
        }
        let startup = started.elapsed();
        let selling_started = Instant::now();
        shared.gate.open();
        let total = match shared.length {
            Length::SalesPerTerminal(k) => Some(k.saturating_mul(total_terminals as u64)),
            Length::Seconds(_) => None,
        };
        let limit = match shared.length {
            Length::Seconds(s) => Some(Duration::from_secs_f64(s)),
            Length::SalesPerTerminal(_) => None,
        };
        while !handles.iter().all(|h| h.is_finished()) {
            progress(Progress::Selling {
                sales: shared.sales.load(Ordering::Relaxed),
                total,
                elapsed: selling_started.elapsed(),
                limit,
            });
            thread::sleep(Duration::from_millis(100));
        }
        let mut results = Vec::with_capacity(total_terminals);
        let mut sales_ended = selling_started;
        for handle in handles {
            match handle.join() {
                Ok(result) => {
                    results.extend(result.terminals);
                    errors.extend(result.error);
                    sales_ended = sales_ended.max(result.sales_ended.unwrap_or(selling_started));
                }
                Err(_) => errors.push("a worker thread panicked".to_owned()),
            }
        }
        // The sales phase ends with the last sale, not with the checks after it.
        let selling = sales_ended.duration_since(selling_started);
        progress(Progress::Selling {
            sales: shared.sales.load(Ordering::Relaxed),
            total,
            elapsed: selling,
            limit,
        });
        match errors.first() {
            Some(first) => Err(format!(
                "{first}{}",
                if errors.len() > 1 {
                    format!(" (and {} more errors)", errors.len() - 1)
                } else {
                    String::new()
                }
            )),
            None => Ok((results, Phases { startup, selling })),
        }
    })
}

struct VirtualTerminal {
    index: usize,
    config: Config,
    host: Driver<FileStorage>,
    fsyncs_before: u64,
    bytes_before: u64,
    result: VirtualTerminalResult,
}

fn worker(shared: &Shared, indices: Vec<usize>) -> WorkerResult {
    let mut out = WorkerResult::default();
    let mut terminals = Vec::with_capacity(indices.len());
    for index in indices {
        if shared.abort.load(Ordering::SeqCst) {
            break;
        }
        match open_terminal(shared, index) {
            Ok(terminal) => {
                terminals.push(terminal);
                shared.opened.fetch_add(1, Ordering::Relaxed);
            }
            Err(e) => {
                let id = shared.ids.get(index).map_or("?", String::as_str);
                out.error = Some(format!("terminal {id}: {e}"));
                shared.abort.store(true, Ordering::SeqCst);
                break;
            }
        }
    }
    shared.gate.arrive_and_wait();
    if shared.abort.load(Ordering::SeqCst) {
        return out;
    }
    match shared.length {
        Length::SalesPerTerminal(k) => {
            for _ in 0..k {
                for terminal in &mut terminals {
                    terminal.sale(shared);
                }
            }
        }
        Length::Seconds(s) => {
            let deadline = Instant::now() + Duration::from_secs_f64(s);
            'rounds: loop {
                for terminal in &mut terminals {
                    if Instant::now() >= deadline {
                        break 'rounds;
                    }
                    terminal.sale(shared);
                }
            }
        }
    }
    out.sales_ended = Some(Instant::now());
    out.terminals = terminals.into_iter().map(VirtualTerminal::finish).collect();
    out
}

fn open_terminal(shared: &Shared, index: usize) -> Result<VirtualTerminal, String> {
    let id = shared.ids.get(index).cloned().ok_or("no such terminal")?;
    let dir = TerminalDir::new(shared.root.join(terminal_dir_name(index)));
    let config = Config {
        terminal_id: id.clone(),
        ..Config::default()
    };
    let settings = HostSettings {
        acquirer: shared.acquirer.clone(),
        ..HostSettings::default()
    };
    // config.toml too, to show what each terminal was. A farm is a load generator: its terminals
    // use the software security module with the test TMK, not a token.
    dir.init(&ConfigFile {
        terminal: config.clone(),
        host: settings.clone(),
        ..ConfigFile::default()
    })?;
    let storage = FileStorage::open(&dir.path, "journal.pjl").map_err(|e| format!("{}: {e}", dir.path.display()))?;
    let (journal, _) = Journal::open(storage).map_err(|e| e.to_string())?;
    if !journal.records().is_empty() {
        return Err(format!(
            "{} already holds a journal: a farm needs fresh terminals",
            dir.journal_path().display()
        ));
    }
    let transport = Transport::new(TransportConfig {
        address: settings.acquirer,
        connect_timeout_ms: settings.connect_timeout_ms,
        read_timeout_ms: config.response_timeout_ms,
    });
    let card: CardReader = Box::new(|_, issuer_data| CardVerdict {
        approved: true,
        icc_data: pos_acquirer_sim::reader::second_generate_ac(true, issuer_data),
    });
    let mut host = Driver::open(Arc::clone(&shared.runtime), config.clone(), journal, transport, card)
        .map_err(|e| e.to_string())?;
    let signed_on = host.run(Command::SignOn).map_err(|e| format!("sign-on: {e}"))?;
    if signed_on.result != OutcomeResult::Approved {
        return Err(format!("sign-on: {:?}", signed_on.result));
    }
    let fsyncs_before = host.journal().storage().fsyncs();
    let bytes_before = host.journal().file_len();
    Ok(VirtualTerminal {
        index,
        config,
        host,
        fsyncs_before,
        bytes_before,
        result: VirtualTerminalResult {
            id,
            ..VirtualTerminalResult::default()
        },
    })
}

impl VirtualTerminal {
    fn sale(&mut self, shared: &Shared) {
        let (card, amount) = sale_of(self.index, self.result.sales);
        let command = Command::Sale {
            amount,
            card: CardArgs::test(card),
        };
        let started = Instant::now();
        // The cardholder types the test card's PIN on this terminal's own PIN pad.
        let typed = CardArgs::test_pin(card).map_or(Ok(()), |pin| self.host.pin_pad().enter(pin));
        let outcome = typed
            .map_err(|e| format!("PIN pad: {e}"))
            .and_then(|()| self.host.run(command).map_err(|e| e.to_string()));
        let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
        self.result.latencies_us.push(micros);
        self.result.sales += 1;
        shared.sales.fetch_add(1, Ordering::Relaxed);
        match outcome {
            Ok(outcome) => match outcome.result {
                OutcomeResult::Approved => {
                    self.result.approved += 1;
                    self.result.amount = self.result.amount.saturating_add(amount);
                }
                OutcomeResult::Declined { response_code } => {
                    self.result.declined += 1;
                    self.result.first_decline.get_or_insert_with(|| {
                        format!("{card:?} card, {}: response code {response_code}", yuan(amount))
                    });
                }
                other => {
                    self.result.other += 1;
                    self.result
                        .first_decline
                        .get_or_insert_with(|| format!("{card:?} card, {}: {other:?}", yuan(amount)));
                }
            },
            Err(e) => {
                self.result.errors += 1;
                self.result.first_error.get_or_insert(e);
            }
        }
    }

    fn finish(mut self) -> VirtualTerminalResult {
        let mut result = std::mem::take(&mut self.result);
        let journal = self.host.journal();
        result.fsyncs = journal.storage().fsyncs().saturating_sub(self.fsyncs_before);
        result.journal_bytes = journal.file_len().saturating_sub(self.bytes_before);
        match DurableState::new(self.config.initial_stan, self.config.initial_batch).replay(journal.iter()) {
            Ok(state) => {
                result.journal = state
                    .entries
                    .iter()
                    .filter(|e| e.transaction == TransactionKind::Sale && e.closed_by.is_none())
                    .map(|e| (e.stan, e.amount))
                    .collect();
                result.journal.sort_unstable();
                if state.reversal.is_some() {
                    result.problems.push("a reversal is pending in the journal".into());
                }
                if !state.exceptions.is_empty() {
                    result.problems.push(format!(
                        "{} unconfirmed reversal(s) on the exceptions list",
                        state.exceptions.len()
                    ));
                }
            }
            Err(e) => result.problems.push(format!(
                "the journal does not replay in posterm's own kernel: {e} (posterm and the component built \
                 from different sources?)"
            )),
        }
        match self.host.status() {
            Ok(status) => {
                result.status = Some((
                    status.approved_count,
                    i128::from(status.debit_total) - i128::from(status.credit_total),
                ));
            }
            Err(e) => result.problems.push(format!("the kernel's status: {e}")),
        }
        result
    }
}

// ---------------------------------------------------------------------------------------------
// The books

/// What the ledger holds for one terminal id.
#[derive(Debug, Default)]
struct LedgerSide {
    /// Sales and completions − voids, refunds and completion voids, reversed ones left out.
    net: i128,
    /// Standing charges (not reversed, not voided), `(stan, amount)`.
    charges: Vec<(u32, u64)>,
}

fn ledger_by_terminal(entries: &[LedgerEntry], ids: &[String]) -> HashMap<String, LedgerSide> {
    let ours: HashSet<&str> = ids.iter().map(String::as_str).collect();
    let mut sides: HashMap<String, LedgerSide> = HashMap::new();
    for entry in entries {
        if entry.reversed || !ours.contains(entry.terminal_id.as_str()) {
            continue;
        }
        let side = sides.entry(entry.terminal_id.clone()).or_default();
        let amount = i128::from(entry.amount);
        if entry.kind.is_charge() {
            side.net += amount;
            if !entry.voided {
                side.charges.push((entry.stan, entry.amount));
            }
        } else if entry.kind.is_credit() {
            let original_stands = entry.original.and_then(|i| entries.get(i)).is_some_and(|o| !o.reversed);
            if original_stands {
                side.net -= amount;
            }
        }
    }
    for side in sides.values_mut() {
        side.charges.sort_unstable();
    }
    sides
}

/// Every terminal: the farm's count, the kernel's status, the journal and the ledger agree.
/// Returns the differences (empty: the books balance).
fn reconcile(results: &[VirtualTerminalResult], ledger: &[LedgerEntry], ids: &[String]) -> Vec<String> {
    let sides = ledger_by_terminal(ledger, ids);
    let empty = LedgerSide::default();
    let mut differences = Vec::new();
    for t in results {
        let side = sides.get(&t.id).unwrap_or(&empty);
        let journal_total: u64 = t.journal.iter().map(|(_, a)| a).sum();
        let journal_net = i128::from(journal_total);
        if t.journal != side.charges || journal_net != side.net {
            let first = t
                .journal
                .iter()
                .zip(side.charges.iter())
                .find(|(a, b)| a != b)
                .map(|(a, b)| {
                    format!(
                        "; first difference: journal STAN {:06} {} vs ledger STAN {:06} {}",
                        a.0,
                        yuan(a.1),
                        b.0,
                        yuan(b.1)
                    )
                })
                .unwrap_or_default();
            differences.push(format!(
                "terminal {}: journal {} sale(s) {}, acquirer {} charge(s) net {}{first}",
                t.id,
                t.journal.len(),
                yuan(journal_total),
                side.charges.len(),
                yuan_signed(side.net)
            ));
        }
        if t.approved != t.journal.len() as u64 || t.amount != journal_total {
            differences.push(format!(
                "terminal {}: {} sale(s) {} approved as seen by the farm, {} sale(s) {} in the journal",
                t.id,
                t.approved,
                yuan(t.amount),
                t.journal.len(),
                yuan(journal_total)
            ));
        }
        if let Some((count, net)) = t.status {
            if count != t.journal.len() || net != journal_net {
                differences.push(format!(
                    "terminal {}: the kernel's status has {count} approved, net {}; the journal {} sale(s) {}",
                    t.id,
                    yuan_signed(net),
                    t.journal.len(),
                    yuan(journal_total)
                ));
            }
        }
        differences.extend(t.problems.iter().map(|p| format!("terminal {}: {p}", t.id)));
    }
    if results.len() != ids.len() {
        differences.push(format!("{} of {} terminals reported", results.len(), ids.len()));
    }
    differences
}

/// Minor units as yuan, `12.34`.
pub fn yuan(minor: u64) -> String {
    format!("{}.{:02}", minor / 100, minor % 100)
}

fn yuan_signed(minor: i128) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

// ---------------------------------------------------------------------------------------------
// The report

struct Summary<'a> {
    results: &'a [VirtualTerminalResult],
    phases: Phases,
    differences: Vec<String>,
    workers: usize,
    in_process: bool,
    address: String,
    root: &'a Path,
    location: String,
    kept: bool,
}

fn report(summary: Summary<'_>) -> FarmReport {
    let results = summary.results;
    let sum = |f: fn(&VirtualTerminalResult) -> u64| results.iter().map(f).sum::<u64>();
    let sales = sum(|t| t.sales);
    let mut latencies: Vec<u64> = results.iter().flat_map(|t| t.latencies_us.iter().copied()).collect();
    latencies.sort_unstable();
    let seconds = summary.phases.selling.as_secs_f64();
    let per_sale = |x: u64| if sales == 0 { 0.0 } else { x as f64 / sales as f64 };
    let first_host_error = results.iter().find_map(|t| t.first_error.clone());
    let first_not_approved = results.iter().find_map(|t| t.first_decline.clone());
    FarmReport {
        terminals: results.len(),
        workers: summary.workers,
        acquirer: if summary.in_process { "in-process" } else { "external" }.into(),
        acquirer_address: summary.address,
        sales,
        approved: sum(|t| t.approved),
        declined: sum(|t| t.declined),
        other_outcomes: sum(|t| t.other),
        host_errors: sum(|t| t.errors),
        approved_amount: sum(|t| t.amount),
        startup_seconds: summary.phases.startup.as_secs_f64(),
        seconds,
        tx_per_second: if seconds > 0.0 { sales as f64 / seconds } else { 0.0 },
        latency_ms: latency(&latencies),
        journal_dir: summary.root.display().to_string(),
        journal_location: summary.location,
        journal_kept: summary.kept,
        fsyncs: sum(|t| t.fsyncs),
        fsyncs_per_sale: per_sale(sum(|t| t.fsyncs)),
        journal_bytes_per_sale: per_sale(sum(|t| t.journal_bytes)),
        peak_rss_mib: proc_status_mib("VmHWM:"),
        peak_virtual_gib: proc_status_mib("VmPeak:").map(|mib| mib / 1024.0),
        reconciles: summary.differences.is_empty(),
        differences: summary.differences,
        first_host_error,
        first_not_approved,
    }
}

/// Nearest-rank percentiles of sorted microseconds, in milliseconds.
fn latency(sorted_us: &[u64]) -> Latency {
    let ms = |us: u64| us as f64 / 1000.0;
    // The smallest value with at least `per_mille` of the values at or below it.
    let rank = |per_mille: usize| {
        let n = sorted_us.len();
        let k = (n * per_mille).div_ceil(1000).clamp(1, n.max(1));
        sorted_us.get(k - 1).copied().map_or(0.0, ms)
    };
    let total: u64 = sorted_us.iter().sum();
    Latency {
        p50: rank(500),
        p90: rank(900),
        p99: rank(990),
        max: sorted_us.last().copied().map_or(0.0, ms),
        mean: if sorted_us.is_empty() {
            0.0
        } else {
            ms(total) / sorted_us.len() as f64
        },
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
    use super::*;

    fn entry(
        tid: &str,
        stan: u32,
        kind: &str,
        amount: u64,
        original: Option<usize>,
        reversed: bool,
    ) -> serde_json::Value {
        serde_json::json!({
            "terminal_id": tid, "batch": 1, "stan": stan, "kind": kind, "pan": "6222020000000007",
            "amount": amount, "rrn": "000000000001", "auth_code": "000001", "date": "0101",
            "foreign": false, "original": original, "reversed": reversed, "voided": false,
            "refunded": 0, "completed": false
        })
    }

    fn terminal(id: &str, journal: &[(u32, u64)]) -> VirtualTerminalResult {
        let total: u64 = journal.iter().map(|(_, a)| a).sum();
        VirtualTerminalResult {
            id: id.into(),
            sales: journal.len() as u64,
            approved: journal.len() as u64,
            amount: total,
            status: Some((journal.len(), i128::from(total))),
            journal: journal.to_vec(),
            ..VirtualTerminalResult::default()
        }
    }

    #[test]
    fn reconcile_finds_what_differs() {
        let ledger: Vec<LedgerEntry> = serde_json::from_value(serde_json::json!([
            entry("20000001", 1, "Sale", 500, None, false),
            entry("20000001", 2, "Sale", 700, None, true),
            entry("20000002", 1, "Sale", 300, None, false),
            entry("99999999", 1, "Sale", 100, None, false),
        ]))
        .unwrap();
        let ids = vec!["20000001".to_owned(), "20000002".to_owned()];
        // The reversed sale does not stand; another terminal's entries are not ours.
        let good = [terminal("20000001", &[(1, 500)]), terminal("20000002", &[(1, 300)])];
        assert_eq!(reconcile(&good, &ledger, &ids), Vec::<String>::new());
        // The journal says approved, the ledger has nothing: money lost.
        let lost = [
            terminal("20000001", &[(1, 500), (2, 700)]),
            terminal("20000002", &[(1, 300)]),
        ];
        let differences = reconcile(&lost, &ledger, &ids);
        assert_eq!(differences.len(), 1, "{differences:?}");
        assert!(differences[0].starts_with("terminal 20000001: journal 2 sale(s) 12.00, acquirer 1 charge(s) net 5.00"));
        // The kernel's status disagrees with its journal; a terminal is missing.
        let mut odd = terminal("20000002", &[(1, 300)]);
        odd.status = Some((2, 600));
        let differences = reconcile(&[odd], &ledger, &ids);
        assert_eq!(differences.len(), 2, "{differences:?}");
    }

    #[test]
    fn percentiles_and_helpers() {
        let us: Vec<u64> = (1..=100).map(|i| i * 1000).collect();
        let l = latency(&us);
        assert!((l.p50 - 50.0).abs() < 1e-9);
        assert!((l.p90 - 90.0).abs() < 1e-9);
        assert!((l.p99 - 99.0).abs() < 1e-9);
        assert!((l.max - 100.0).abs() < 1e-9);
        assert_eq!(latency(&[]), Latency::default());
        assert_eq!(terminal_id(FIRST_TERMINAL_ID, 0), "20000001");
        assert_eq!(terminal_id(FIRST_TERMINAL_ID, 999), "20001000");
        assert_eq!(terminal_dir_name(41), "terminal-0042");
        assert_eq!(yuan(1234), "12.34");
        assert_eq!(yuan_signed(-5), "-0.05");
        assert_eq!(unescape_mount("/mnt/a\\040b"), "/mnt/a b");
        let amounts: Vec<u64> = (0..1000).map(|n| sale_of(3, n).1).collect();
        assert!(amounts
            .iter()
            .all(|a| (100..=1000).contains(a) && forced_code(*a).is_none()));
        assert!(amounts.iter().any(|a| *a != amounts.first().copied().unwrap_or(0)));
    }
}
