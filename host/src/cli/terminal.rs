//! The transaction, status, query and journal commands on a terminal directory.
//!
//! Transaction commands write: they hold the directory's lock for as long as they run, and open
//! the journal for writing (a torn tail is cut off; a journal the anchor refuses is not touched).
//! `status`, `query` and `journal` only read: no lock, no repair, nothing created.

use std::process::ExitCode;
use std::time::Duration;

use pos_journal::{inspect_file, FileStorage, Inspection, Problem};
use pos_kernel::engine::{Command as KernelCommand, Query, Record, Status, WaitingFor};
use pos_kernel::security::pin_pad::is_valid_pin;
use pos_kernel::security::PinPad;
use pos_kernel::{pan, CardVerdict, Input, Output};

use super::card::{self, CardArgs};
use super::print::{self, exit, note, out};
use super::{Globals, OperatorCommand as Command};
use crate::driver::{CardReader, Driver};
pub use crate::open::{open_dir, open_journal, Stop};
use crate::runtime::{Backend, ComponentTerminal};
use crate::terminal_dir::{ConfigFile, DirLock, LockError, TerminalDir, JOURNAL};
use crate::{component_file, token};

impl Stop {
    /// Prints why the command stopped; the exit code to end with.
    pub fn report(self) -> ExitCode {
        note!("posterm: {}", self.message);
        ExitCode::from(self.code)
    }
}

/// Pulley when asked for, and on a machine Cranelift has no code for (32-bit ARM).
pub fn backend(globals: &Globals) -> Backend {
    Backend::on_this_machine(globals.pulley)
}

/// Takes the terminal's lock, waiting up to `--lock-wait` seconds for another process (posterm, or
/// a vendor's program using libposkernel) to let go of it.
pub fn lock(globals: &Globals) -> Result<DirLock, Stop> {
    let dir = TerminalDir::new(&globals.dir);
    if !TerminalDir::exists(&dir.path) {
        // The configuration's own error says what to do.
        dir.load().map_err(Stop::host)?;
    }
    let wait = Duration::try_from_secs_f64(globals.lock_wait.max(0.0)).unwrap_or(Duration::MAX);
    let waiting = || {
        note!(
            "posterm: the terminal in {} is in use by another process (posterm or a program using libposkernel); waiting up to {} s for it",
            dir.path.display(),
            globals.lock_wait
        );
    };
    dir.lock(wait, waiting).map_err(|e| match e {
        LockError::InUse { waited } => Stop {
            code: exit::IN_USE,
            message: format!(
                "the terminal in {} is in use by another process, posterm or a program using libposkernel (waited {:.1} s); nothing was done: run the command again when that one has finished, or wait longer with --lock-wait SECONDS",
                dir.path.display(),
                waited.as_secs_f64()
            ),
        },
        LockError::Io(e) => Stop::host(e),
    })
}

/// Opens the terminal of `--dir` for a command that writes: configuration, journal, component,
/// transport. The caller holds the directory's lock.
pub fn open(globals: &Globals, card_declines: bool) -> Result<Driver<FileStorage>, Stop> {
    let component = globals
        .component
        .clone()
        .unwrap_or_else(component_file::default_component);
    let card: CardReader = Box::new(move |_stan, issuer_data| CardVerdict {
        approved: !card_declines,
        icc_data: card::second_generate_ac(!card_declines, issuer_data),
    });
    let (driver, notes) = open_dir(
        &TerminalDir::new(&globals.dir),
        &component,
        backend(globals),
        None,
        card,
    )?;
    print_notes(&notes);
    Ok(driver)
}

/// What opening the journal repaired, for the operator.
pub fn print_notes(notes: &[String]) {
    for line in notes {
        note!("posterm: {line}");
    }
}

/// A transaction subcommand as the terminal carries it out.
struct Transaction {
    command: KernelCommand,
    /// The chip card declines at the second GENERATE AC.
    card_declines: bool,
    /// What the cardholder types on the PIN pad first (never given to the kernel).
    typed_pin: Option<String>,
    /// The card reader's answers when the kernel asks for the card (the command is then begun
    /// without it).
    reader_answers: Vec<Input>,
    /// The chip card is pulled out before its verdict.
    pull_card: bool,
}

/// The card arguments of a transaction subcommand, if it takes a card.
fn card_args(command: &Command) -> Option<&CardArgs> {
    match command {
        Command::Refund { card, .. } => Some(card),
        other => pin_card(other),
    }
}

/// The card arguments of a transaction that asks for a PIN (a refund takes none, a void
/// without its card has none).
fn pin_card(command: &Command) -> Option<&CardArgs> {
    match command {
        Command::Sale { card, .. }
        | Command::Balance { card }
        | Command::Preauth { card, .. }
        | Command::PreauthCancel { card, .. }
        | Command::Complete { card, .. } => Some(card),
        Command::Void {
            with_card: true, card, ..
        } => Some(card),
        _ => None,
    }
}

/// The kernel command for a transaction subcommand, or None for the others.
fn transaction_of(command: &Command) -> Result<Option<Transaction>, String> {
    let typed_pin = pin_card(command).and_then(CardArgs::typed_pin);
    if typed_pin.as_deref().is_some_and(|pin| !is_valid_pin(pin)) {
        return Err("--pin: a PIN is 4 to 12 digits (the cardholder types it on the PIN pad)".into());
    }
    let Some((mut kernel, card_declines)) = kernel_command(command)? else {
        return Ok(None);
    };
    let mut reader_answers = Vec::new();
    let args = card_args(command);
    if let Some(args) = args.filter(|a| a.simulates_reader()) {
        // The card phase step by step: the command begins without its card, and the reader
        // answers the kernel's requests as the flags say.
        if let (Some(begin), Some(card)) = (kernel.begin(), kernel.card().cloned()) {
            reader_answers = args.reader_answers(card);
            kernel = KernelCommand::Begin(begin);
        }
    }
    Ok(Some(Transaction {
        command: kernel,
        card_declines,
        typed_pin,
        reader_answers,
        pull_card: args.is_some_and(|a| a.pull_card),
    }))
}

/// The kernel command for a transaction subcommand (and whether the chip card declines), or
/// None for the others.
fn kernel_command(command: &Command) -> Result<Option<(KernelCommand, bool)>, String> {
    let amount = |text: &str| card::parse_amount(text);
    Ok(Some(match command {
        Command::SignOn => (KernelCommand::SignOn, false),
        Command::SignOff => (KernelCommand::SignOff, false),
        Command::Echo => (KernelCommand::Echo, false),
        Command::Settle => (KernelCommand::Settle, false),
        Command::Sale { amount: a, card } => (
            KernelCommand::Sale {
                amount: amount(a)?,
                card: card.card()?,
            },
            card.card_declines,
        ),
        Command::Balance { card } => (KernelCommand::Balance { card: card.card()? }, false),
        Command::Void { stan, with_card, card } => (
            KernelCommand::Void {
                original_stan: *stan,
                card: with_card.then(|| card.card()).transpose()?,
            },
            false,
        ),
        Command::Refund {
            amount: a,
            rrn,
            date,
            card,
        } => (
            KernelCommand::Refund {
                amount: amount(a)?,
                card: card.card()?,
                original_rrn: rrn.clone(),
                original_date: date.clone(),
            },
            false,
        ),
        Command::Preauth { amount: a, card } => (
            KernelCommand::PreAuth {
                amount: amount(a)?,
                card: card.card()?,
            },
            card.card_declines,
        ),
        Command::PreauthCancel { stan, card } => (
            KernelCommand::PreAuthCancel {
                original_stan: *stan,
                card: card.card()?,
            },
            false,
        ),
        Command::Complete { stan, amount: a, card } => (
            KernelCommand::Completion {
                original_stan: *stan,
                amount: amount(a)?,
                card: card.card()?,
            },
            false,
        ),
        Command::CompleteOffline {
            stan,
            amount: a,
            auth_code,
        } => (
            KernelCommand::CompletionAdvice {
                original_stan: *stan,
                amount: amount(a)?,
                auth_code: auth_code.clone(),
            },
            false,
        ),
        Command::CompleteVoid { stan } => (
            KernelCommand::CompletionVoid {
                original_stan: *stan,
                card: None,
            },
            false,
        ),
        Command::AckException { stan } => (KernelCommand::AcknowledgeException { stan: *stan }, false),
        _ => return Ok(None),
    }))
}

/// Runs a transaction subcommand; None when `command` is not one.
pub fn transaction(globals: &Globals, command: &Command) -> Option<ExitCode> {
    let transaction = match transaction_of(command) {
        Ok(Some(found)) => found,
        Ok(None) => return None,
        Err(usage) => {
            note!("posterm: {usage}");
            return Some(ExitCode::from(exit::USAGE));
        }
    };
    Some(run(globals, transaction).unwrap_or_else(Stop::report))
}

fn run(globals: &Globals, transaction: Transaction) -> Result<ExitCode, Stop> {
    let _lock = lock(globals)?;
    let mut host = open(globals, transaction.card_declines)?;
    host.card_reader_answers = transaction.reader_answers.into();
    host.card_pulled_before_verdict = transaction.pull_card;
    if let Some(pin) = &transaction.typed_pin {
        host.pin_pad()
            .enter(pin)
            .map_err(|e| Stop::host(format!("the PIN pad: {e}")))?;
    }
    let result = host.run(transaction.command);
    // Whatever happened, show what the terminal reported on the way.
    report_log(globals, &host.log);
    for fault in &host.faults {
        note!("posterm: the kernel faulted and was restarted from its journal: {fault}");
    }
    let outcome = result.map_err(|e| Stop::host(e.to_string()))?;
    host.note_counters();
    Ok(ExitCode::from(print::exit_code(&outcome)))
}

/// Prints the events (stderr) and outcomes (stdout) of the run: earlier work that finished on
/// the way (a reversal), then the command's own.
fn report_log(globals: &Globals, log: &[Output]) {
    for output in log {
        match output {
            Output::Outcome(outcome) if globals.json => out!("{}", serde_json::to_string(outcome).unwrap_or_default()),
            Output::Outcome(outcome) => print::outcome(outcome),
            Output::Event(event) if !globals.json => {
                if let Some(line) = print::event(event) {
                    note!("   .. {line}");
                }
            }
            // The card reader's and the PIN pad's prompts, as the terminal shows them.
            Output::CardRequired(request) if !globals.json => {
                note!("   .. card reader: {} / {}", request.prompt.zh, request.prompt.en);
            }
            Output::PinRequired(request) if !globals.json => {
                note!("   .. PIN pad: {} / {}", request.prompt.zh, request.prompt.en);
            }
            _ => {}
        }
    }
}

/// The terminal as the journal holds it, read-only: the problems found, and a kernel restored
/// from the valid records (nothing it would send is carried out).
struct ReadOnly {
    inspection: Inspection,
    kernel: ComponentTerminal,
}

fn read_only(globals: &Globals) -> Result<ReadOnly, Stop> {
    let dir = TerminalDir::new(&globals.dir);
    let file: ConfigFile = dir.load().map_err(Stop::host)?;
    if dir.in_use() {
        note!("posterm: another process is using this terminal now: what follows may be changing");
    }
    let inspection = inspect_file(&dir.path, JOURNAL, Some(&file.terminal.terminal_id))
        .map_err(|e| Stop::host(format!("{}: {e}", dir.journal_path().display())))?;
    for problem in &inspection.problems {
        note!("posterm: {}: {problem}", dir.journal_path().display());
    }
    // The token too: restoring installs the journaled working keys, as a restart does.
    let token = std::sync::Arc::new(token::open(&dir, &file).map_err(Stop::host)?);
    let component = globals
        .component
        .clone()
        .unwrap_or_else(component_file::default_component);
    let runtime = component_file::load(&component, backend(globals), token::factory(token)).map_err(Stop::host)?;
    let kernel = if inspection.records.is_empty() {
        runtime.create(&file.terminal, &PinPad::new())
    } else {
        runtime.restore(
            &file.terminal,
            &inspection.records,
            crate::driver::now(),
            &PinPad::new(),
        )
    }
    .map_err(|e| Stop::host(format!("the journal's records cannot be restored: {e}")))?;
    Ok(ReadOnly { inspection, kernel })
}

impl ReadOnly {
    fn exit_code(&self) -> ExitCode {
        exit_code(&self.inspection)
    }
}

/// Exit code after showing what the records hold: a journal that a writer would refuse is not a
/// success even when something could be shown (a torn tail it would cut off is).
fn exit_code(inspection: &Inspection) -> ExitCode {
    let refused = inspection.problems.iter().any(Problem::refuses);
    if refused {
        note!("posterm: the journal would be refused: see `posterm recover --help`");
        ExitCode::from(exit::JOURNAL_REFUSED)
    } else {
        ExitCode::SUCCESS
    }
}

pub fn status(globals: &Globals) -> ExitCode {
    let mut terminal = match read_only(globals) {
        Ok(terminal) => terminal,
        Err(stop) => return stop.report(),
    };
    match terminal.kernel.status() {
        Ok(status) if globals.json => out!("{}", serde_json::to_string(&status).unwrap_or_default()),
        Ok(status) => print_status(&status),
        Err(e) => return Stop::host(e.to_string()).report(),
    }
    terminal.exit_code()
}

fn print_status(status: &Status) {
    out!(
        "signed on: {}",
        match (status.signed_on, status.sign_on_required) {
            (true, false) => "yes",
            (true, true) => "yes, but the acquirer asks for a new sign-on",
            (false, _) => "no (sign on first)",
        }
    );
    out!("batch {:06}, last STAN {:06}", status.batch, status.last_stan);
    out!(
        "current batch: {} approved, debit RMB {}, credit RMB {}, open pre-auths {}",
        status.approved_count,
        print::money(status.debit_total),
        print::money(status.credit_total),
        status.open_preauths
    );
    if let Some(in_flight) = &status.in_flight {
        let stan = in_flight.stan.map(|s| format!(" {s:06}")).unwrap_or_default();
        let waiting = match in_flight.waiting_for {
            WaitingFor::Acquirer => "waiting for the acquirer",
            WaitingFor::Card => "waiting for the chip card",
            WaitingFor::CardEntry => "waiting for the card",
            WaitingFor::Pin => "waiting for the PIN",
        };
        out!("in flight: {}{stan}, {waiting}", in_flight.transaction.label().1);
    }
    match &status.pending_reversal {
        Some(r) => out!(
            "pending reversal: {} {:06} {} (reason {}): the outcome was unknown; it is sent until the acquirer confirms it",
            r.transaction.label().1,
            r.stan,
            r.card,
            r.reason.code()
        ),
        None => out!("pending reversal: none"),
    }
    for refund in &status.pending_refunds {
        out!(
            "pending refund: STAN {:06} RMB {} {}: resent until answered",
            refund.stan,
            print::money(refund.amount),
            refund.card
        );
    }
    for advice in &status.pending_advices {
        out!(
            "pending advice: {} STAN {:06} RMB {} {}: resent until answered",
            advice.transaction.label().1,
            advice.stan,
            print::money(advice.amount),
            advice.card
        );
    }
    for e in &status.exceptions {
        let state = if e.acknowledged {
            "acknowledged"
        } else {
            "OPEN: the card may have been charged, contact the acquirer"
        };
        out!(
            "exception: STAN {:06} {} {} {}",
            e.stan,
            e.transaction.label().1,
            e.card,
            state
        );
    }
    if status.settlement_in_progress {
        out!("settlement in progress: run `posterm settle` to resume it");
    }
    print_downloads(status, false);
}

/// What the acquirer downloaded (docs/profile.md §7): one line per set, or (`detail`) every key
/// and AID.
fn print_downloads(status: &Status, detail: bool) {
    let d = &status.downloads;
    match &d.parameters {
        Some(set) => {
            let p = &set.parameters;
            let mut parts = Vec::new();
            if let Some(s) = p.response_timeout_s {
                parts.push(format!("reply timeout {s} s"));
            }
            if let Some(n) = p.reversal_attempts {
                parts.push(format!("reversal attempts {n}"));
            }
            if let Some(name) = &p.merchant_name {
                parts.push(format!("merchant name \"{name}\""));
            }
            if let Some(max) = p.max_amount {
                parts.push(format!("max amount RMB {}", print::money(max)));
            }
            if let Some(limit) = p.refund_limit {
                parts.push(format!("refund limit RMB {}", print::money(limit)));
            }
            if let Some(n) = p.offline_upload_count {
                parts.push(format!("offline upload count {n}"));
            }
            out!("parameters (downloaded {}): {}", set.installed_at, parts.join(", "));
        }
        None => out!("parameters: none downloaded (the terminal's configuration is in force)"),
    }
    match &d.ca_keys {
        Some(set) => {
            let names: Vec<String> = set.keys.iter().map(|k| k.name()).collect();
            out!(
                "CA public keys (downloaded {}): {} {}",
                set.installed_at,
                set.keys.len(),
                names.join(" ")
            );
            for key in set.keys.iter().filter(|_| detail) {
                out!(
                    "  {} expires {}, RSA {} bits, exponent {}, DF03 {} ({})",
                    key.name(),
                    key.expiry,
                    key.modulus.len() * 8,
                    hex::encode_upper(&key.exponent),
                    hex::encode_upper(&key.check_value),
                    if key.verifies() { "verified" } else { "DOES NOT VERIFY" }
                );
            }
        }
        None => out!("CA public keys: none downloaded"),
    }
    match &d.ic_parameters {
        Some(set) => {
            let names: Vec<String> = set.aids.iter().map(|a| a.name()).collect();
            out!(
                "IC parameters (downloaded {}): {} AIDs {}",
                set.installed_at,
                set.aids.len(),
                names.join(" ")
            );
            for aid in set.aids.iter().filter(|_| detail) {
                let tags: Vec<String> = pos_kernel::codec::tlv::parse(&aid.tlv)
                    .unwrap_or_default()
                    .iter()
                    .map(|t| format!("{}={}", hex::encode_upper(t.tag), hex::encode_upper(t.value)))
                    .collect();
                out!("  {}: {}", aid.name(), tags.join(" "));
            }
        }
        None => out!("IC parameters: none downloaded"),
    }
    if !status.management_due.is_empty() {
        let due: Vec<String> = status
            .management_due
            .iter()
            .map(|t| print::task_name(*t).to_owned())
            .collect();
        out!(
            "asked for by the acquirer, not done yet: {} (runs when the terminal is free)",
            due.join(", ")
        );
    }
}

/// `posterm downloads`: every set the acquirer downloaded, key by key. Reads only.
pub fn downloads(globals: &Globals) -> ExitCode {
    let mut terminal = match read_only(globals) {
        Ok(terminal) => terminal,
        Err(stop) => return stop.report(),
    };
    match terminal.kernel.status() {
        Ok(status) if globals.json => out!("{}", serde_json::to_string(&status.downloads).unwrap_or_default()),
        Ok(status) => print_downloads(&status, true),
        Err(e) => return Stop::host(e.to_string()).report(),
    }
    terminal.exit_code()
}

pub fn query(globals: &Globals, stan: Option<u32>, rrn: Option<String>) -> ExitCode {
    let query = match (stan, rrn) {
        (Some(stan), _) => Query::Stan(stan),
        (None, Some(rrn)) => Query::Rrn(rrn),
        (None, None) => {
            note!("posterm: give --stan or --rrn");
            return ExitCode::from(exit::USAGE);
        }
    };
    let mut terminal = match read_only(globals) {
        Ok(terminal) => terminal,
        Err(stop) => return stop.report(),
    };
    match terminal.kernel.query(&query) {
        Ok(Some(life)) if globals.json => out!("{}", serde_json::to_string(&life).unwrap_or_default()),
        Ok(Some(life)) => {
            out!(
                "STAN {:06} {} {}",
                life.stan,
                life.transaction.label().1,
                life.card.as_deref().unwrap_or("")
            );
            if let Some(amount) = life.amount {
                out!("amount: RMB {}", print::money(amount));
            }
            for step in &life.steps {
                out!("  - {}", print::life_step(step));
            }
            out!("charged: {}", print::charged(&life));
        }
        Ok(None) => {
            out!("no such transaction in the current batch");
            return ExitCode::from(exit::FAILED);
        }
        Err(e) => return Stop::host(e.to_string()).report(),
    }
    terminal.exit_code()
}

/// Prints the journal's records with PANs masked; reads only.
pub fn journal(globals: &Globals) -> ExitCode {
    let dir = TerminalDir::new(&globals.dir);
    let owner = dir.load().ok().map(|file| file.terminal.terminal_id);
    let inspection = match inspect_file(&dir.path, JOURNAL, owner.as_deref()) {
        Ok(inspection) => inspection,
        Err(e) => return Stop::host(format!("{}: {e}", dir.journal_path().display())).report(),
    };
    for (index, bytes) in inspection.records.iter().enumerate() {
        let text = match Record::decode(bytes) {
            Ok(record) => serde_json::to_string(&record.masked()).unwrap_or_default(),
            Err(e) => format!("undecodable: {e}"),
        };
        out!("{index:>5} {}", mask_pans(&text));
    }
    let bytes: usize = inspection.records.iter().map(Vec::len).sum();
    out!("{} record(s), {bytes} byte(s) of records", inspection.records.len());
    for problem in &inspection.problems {
        note!("posterm: {}: {problem}", dir.journal_path().display());
    }
    exit_code(&inspection)
}

/// Masks every run of 13 to 19 digits (a PAN) in `text`: a second guard behind the kernel's own
/// masking.
fn mask_pans(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String| {
        if (13..=19).contains(&digits.len()) {
            out.push_str(&pan::mask(digits));
        } else {
            out.push_str(digits);
        }
        digits.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            flush(&mut digits, &mut out);
            out.push(c);
        }
    }
    flush(&mut digits, &mut out);
    out
}
