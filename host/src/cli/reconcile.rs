//! `posterm reconcile --statement FILE...`: was I paid? The acquirer's statements against the
//! journal and the archive of settled batches (docs/architecture.md, rule 17). Reads only.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use pos_journal::inspect_file;
use pos_kernel::engine::{ArchivedBatch, DurableState};
use pos_kernel::reconcile::report::{Day, Line, Tally};
use pos_kernel::reconcile::{self, Action, Bucket, Report, Statement};

use super::print::{exit, money, note, out};
use super::Globals;
use crate::archive::ArchiveDir;
use crate::terminal_dir::{ConfigFile, TerminalDir, JOURNAL};

pub const HELP: &str = "Match the acquirer's daily statements (对账文件, docs/profile.md §8) against the terminal's \
journal and its archive of settled batches, and say for every payment whether it was credited (到账).

Every statement line and every sale, void, refund, completion and completion void of the journal and the \
archive lands in exactly one bucket: credited; reversed or held by the acquirer (差错); charged but not \
approved at the terminal (a late approval, an unconfirmed reversal, a payment the terminal does not know); \
not credited (未到账: wait for the next statement, or contact the acquirer once its date has passed); amount, \
type or RRN differs. Each problem comes with what to do and the fields the acquirer asks for (date, time, \
amount, terminal id, STAN, RRN, auth code). A statement that does not parse, or whose trailer does not add \
up, is refused whole, with the line and column.

Give every statement since the oldest batch you want checked: a payment is due on the statement of the day \
after it (T+1), or of the day after that when it came after the acquirer's cut-off.

Exit codes: 0 everything credited as recorded; 10 only waiting for statements still to come; 11 money to \
chase or to put right; 12 a statement was refused (nothing matched); 9 the journal would be refused (see \
`posterm recover --help`); 6 the terminal directory could not be read.";

/// `posterm reconcile`'s own exit codes.
pub mod codes {
    /// Nothing to chase, but some payments wait for a statement still to come (or not loaded).
    pub const WAIT: u8 = 10;
    /// Money to chase or to put right.
    pub const CHASE: u8 = 11;
    /// A statement was refused: nothing was matched.
    pub const STATEMENT_REFUSED: u8 = 12;
}

#[derive(Debug, clap::Args)]
pub struct ReconcileArgs {
    /// A statement file (repeat for several days).
    #[arg(long = "statement", value_name = "FILE", required = true)]
    pub statements: Vec<PathBuf>,
    /// List every line, credited ones too.
    #[arg(long)]
    pub all: bool,
}

pub fn run(globals: &Globals, args: &ReconcileArgs) -> ExitCode {
    match reconcile_dir(&globals.dir, &args.statements, args.all) {
        Ok(report) => {
            if globals.json {
                out!("{}", serde_json::to_string(&report).unwrap_or_default());
            } else {
                print_report(&report);
            }
            ExitCode::from(match report.action {
                Action::None => exit::APPROVED,
                Action::Wait => codes::WAIT,
                Action::Chase => codes::CHASE,
            })
        }
        Err((code, message)) => {
            note!("posterm reconcile: {message}");
            ExitCode::from(code)
        }
    }
}

/// The terminal's configuration, journal state and archive, read without writing anything.
/// A journal posterm would refuse is refused here too (exit 9), with what to do.
pub(super) fn books(dir: &TerminalDir) -> Result<(ConfigFile, DurableState, Vec<ArchivedBatch>), (u8, String)> {
    let host = |e| (exit::HOST_ERROR, e);
    let file: ConfigFile = dir.load().map_err(host)?;
    let state = journal_state(dir, &file)?;
    let archive = ArchiveDir::new(&dir.path, file.host.archive_days)
        .load()
        .map_err(host)?;
    Ok((file, state, archive))
}

/// The terminal's journal state, read without writing anything.
fn journal_state(dir: &TerminalDir, file: &ConfigFile) -> Result<DurableState, (u8, String)> {
    let path = dir.journal_path();
    let inspection = inspect_file(&dir.path, JOURNAL, Some(&file.terminal.terminal_id))
        .map_err(|e| (exit::HOST_ERROR, format!("{}: {e}", path.display())))?;
    for problem in &inspection.problems {
        if problem.refuses() {
            return Err((
                exit::JOURNAL_REFUSED,
                format!("{}: {problem}: see `posterm recover --help`", path.display()),
            ));
        }
        note!("posterm: {}: {problem}", path.display());
    }
    DurableState::new(file.terminal.initial_stan, file.terminal.initial_batch)
        .replay(inspection.records.iter().map(Vec::as_slice))
        .map_err(|e| (exit::HOST_ERROR, format!("{}: {e}", path.display())))
}

fn read_statement(path: &Path, merchant_id: &str) -> Result<Statement, (u8, String)> {
    let text = std::fs::read_to_string(path).map_err(|e| (exit::HOST_ERROR, format!("{}: {e}", path.display())))?;
    Statement::parse(&text, merchant_id).map_err(|e| {
        (
            codes::STATEMENT_REFUSED,
            format!("{}: {e}; nothing was matched", path.display()),
        )
    })
}

/// The report for the terminal directory `dir` and the statement files `paths`; `Err` holds
/// the exit code and the message.
pub fn reconcile_dir(dir: &Path, paths: &[PathBuf], all: bool) -> Result<Report, (u8, String)> {
    let dir = TerminalDir::new(dir);
    let merchant = dir.load().map_err(|e| (exit::HOST_ERROR, e))?.terminal.merchant_id;
    let statements = paths
        .iter()
        .map(|path| read_statement(path, &merchant))
        .collect::<Result<Vec<_>, _>>()?;
    let (file, state, archive) = books(&dir)?;
    let transactions = reconcile::transactions(&file.terminal.terminal_id, &state, &archive);
    let items = reconcile::match_books(&statements, &transactions)
        .map_err(|e| (codes::STATEMENT_REFUSED, format!("{e}; nothing was matched")))?;
    Ok(reconcile::report(&statements, &transactions, &items, all))
}

fn signed(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    format!("{sign}{}", money(minor.unsigned_abs()))
}

fn tally(label: &str, tally: &Tally, note: &str) {
    out!(
        "  {label:<22} {:>6}  RMB {:>14}  {note}",
        tally.count,
        money(tally.amount)
    );
}

fn bucket_label(bucket: Bucket) -> &'static str {
    match bucket {
        Bucket::Credited => "credited 已到账",
        Bucket::ReversedOrHeld => "reversed or held 冲正/差错",
        Bucket::ChargedNotApproved => "charged, not approved",
        Bucket::NotCredited => "not credited 未到账",
        Bucket::Differs => "differs 不符",
        Bucket::NotCharged => "not charged",
        Bucket::NotCovered => "statement not loaded",
        Bucket::OtherTerminal => "other terminal",
    }
}

/// The report as the operator reads it.
pub fn print_report(report: &Report) {
    let dates: Vec<String> = report.statements.iter().map(|d| d.display()).collect();
    out!("Statements of {}", dates.join(", "));
    out!("");
    out!("At a glance");
    tally("credited 已到账", &report.summary.credited, "");
    tally(
        "pending 待到账",
        &report.summary.pending,
        "wait for the next statement (or load it)",
    );
    tally(
        "to chase 需处理",
        &report.summary.to_chase,
        "see below: contact the acquirer",
    );
    out!("");
    out!("Buckets");
    for (bucket, tally) in &report.summary.buckets {
        if tally.count > 0 {
            out!(
                "  {:<28} {:>6}  RMB {:>14}",
                bucket_label(*bucket),
                tally.count,
                money(tally.amount)
            );
        }
    }
    for day in &report.days {
        print_day(day);
    }
    if report.lines.is_empty() {
        out!("");
        out!("Every payment on the statements is credited as the terminal recorded it. Nothing to do.");
        return;
    }
    out!("");
    out!("Lines to look at");
    for line in &report.lines {
        print_line(line);
    }
}

fn print_day(day: &Day) {
    out!("");
    out!(
        "Statement {}: net RMB {}, the journal expects RMB {} (difference RMB {})",
        day.date.display(),
        signed(day.net),
        signed(day.expected),
        signed(day.net.saturating_sub(day.expected))
    );
    out!(
        "  {:<16} {:>6} {:>14} {:>10} {:>14} {:>14}",
        "type",
        "count",
        "amount",
        "fee",
        "net",
        "expected"
    );
    for line in &day.by_type {
        out!(
            "  {:<16} {:>6} {:>14} {:>10} {:>14} {:>14}",
            line.transaction.label().1,
            line.count,
            money(line.amount),
            money(line.fee),
            signed(line.net),
            signed(line.expected)
        );
    }
}

fn print_line(line: &Line) {
    let action = match line.action {
        Action::Chase => "CHASE",
        Action::Wait => "WAIT",
        Action::None => "OK",
    };
    let facts = &line.facts;
    out!("");
    out!("[{action}] {} / {}", line.headline.en, line.headline.zh);
    out!(
        "  {} {} STAN {:06} batch {:06} RMB {} card {}",
        facts.date,
        facts.time,
        facts.stan,
        facts.batch,
        facts.amount.map(money).unwrap_or_else(|| "-".into()),
        facts.card.as_deref().unwrap_or("-")
    );
    out!("  {}", line.guidance.en);
    out!("  {}", line.guidance.zh);
}
