//! The transaction, status, query and journal commands on a terminal directory.

use std::process::ExitCode;

use pos_journal::{FileStorage, Journal};
use pos_kernel::engine::{Command as KernelCommand, Query, Record};
use pos_kernel::{pan, CardVerdict, Output};
use pos_net::transport::{Transport, TransportConfig};

use super::print::{self, exit, note, out};
use super::{card, Cli, Command};
use crate::component_file;
use crate::driver::{CardReader, TerminalHost};
use crate::runtime::Backend;
use crate::terminal_dir::{TerminalDir, TerminalFile};

fn host_error(e: impl core::fmt::Display) -> ExitCode {
    note!("posterm: {e}");
    ExitCode::from(exit::HOST_ERROR)
}

pub fn backend(cli: &Cli) -> Backend {
    if cli.pulley {
        Backend::Pulley
    } else {
        Backend::Cranelift
    }
}

/// Opens the terminal of `--dir`: configuration, journal, component, transport.
pub fn open(cli: &Cli, card_declines: bool) -> Result<TerminalHost<FileStorage>, String> {
    let dir = TerminalDir::new(&cli.dir);
    let file: TerminalFile = dir.load()?;
    let component = cli.component.clone().unwrap_or_else(component_file::default_component);
    let runtime = component_file::load(&component, backend(cli), file.tmk()?)?;
    let storage =
        FileStorage::open(&dir.path, "journal.pjl").map_err(|e| format!("{}: {e}", dir.journal_path().display()))?;
    let (journal, recovery) = Journal::open(storage).map_err(|e| format!("{}: {e}", dir.journal_path().display()))?;
    if recovery.dropped_records > 0 || recovery.dropped_bytes > 0 {
        note!(
            "posterm: journal: dropped a torn tail ({} record(s), {} byte(s)) left by a crash",
            recovery.dropped_records,
            recovery.dropped_bytes
        );
    }
    let transport = Transport::new(TransportConfig {
        address: file.host.acquirer.clone(),
        connect_timeout_ms: file.host.connect_timeout_ms,
        read_timeout_ms: file.terminal.response_timeout_ms,
    });
    let card: CardReader = Box::new(move |_stan| CardVerdict {
        approved: !card_declines,
        icc_data: Vec::new(),
    });
    TerminalHost::open(runtime, file.terminal, journal, transport, card).map_err(|e| e.to_string())
}

/// The kernel command for a transaction subcommand, or None for the others.
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
                card: card.card(),
            },
            card.card_declines,
        ),
        Command::Balance { card } => (KernelCommand::Balance { card: card.card() }, false),
        Command::Void { stan, with_card, card } => (
            KernelCommand::Void {
                original_stan: *stan,
                card: with_card.then(|| card.card()),
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
                card: card.card(),
                original_rrn: rrn.clone(),
                original_date: date.clone(),
            },
            false,
        ),
        Command::Preauth { amount: a, card } => (
            KernelCommand::PreAuth {
                amount: amount(a)?,
                card: card.card(),
            },
            card.card_declines,
        ),
        Command::PreauthCancel { stan, card } => (
            KernelCommand::PreAuthCancel {
                original_stan: *stan,
                card: card.card(),
            },
            false,
        ),
        Command::Complete { stan, amount: a, card } => (
            KernelCommand::Completion {
                original_stan: *stan,
                amount: amount(a)?,
                card: card.card(),
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

/// Runs a transaction subcommand; None when `cli.command` is not one.
pub fn transaction(cli: &Cli) -> Option<ExitCode> {
    let (command, card_declines) = match kernel_command(&cli.command) {
        Ok(Some(found)) => found,
        Ok(None) => return None,
        Err(usage) => {
            note!("posterm: {usage}");
            return Some(ExitCode::from(exit::USAGE));
        }
    };
    let mut host = match open(cli, card_declines) {
        Ok(host) => host,
        Err(e) => return Some(host_error(e)),
    };
    let outcome = match host.run(command) {
        Ok(outcome) => outcome,
        Err(e) => return Some(host_error(e)),
    };
    report_log(cli, &host.log, &outcome);
    for fault in &host.faults {
        note!("posterm: the kernel faulted and was restarted from its journal: {fault}");
    }
    Some(ExitCode::from(print::exit_code(&outcome)))
}

/// Prints the outcomes of earlier work that finished on the way (a reversal), then ours.
fn report_log(cli: &Cli, log: &[Output], ours: &pos_kernel::Outcome) {
    for output in log {
        match output {
            Output::Outcome(outcome) if cli.json => out!("{}", serde_json::to_string(outcome).unwrap_or_default()),
            Output::Outcome(outcome) => print::outcome(outcome),
            Output::Event(event) if !cli.json => {
                note!("   .. {}", serde_json::to_string(event).unwrap_or_default())
            }
            _ => {}
        }
    }
    let _ = ours;
}

pub fn status(cli: &Cli) -> ExitCode {
    let mut host = match open(cli, false) {
        Ok(host) => host,
        Err(e) => return host_error(e),
    };
    match host.status() {
        Ok(status) if cli.json => out!("{}", serde_json::to_string(&status).unwrap_or_default()),
        Ok(status) => {
            out!(
                "signed on: {}{}",
                status.signed_on,
                if status.sign_on_required {
                    " (sign-on required)"
                } else {
                    ""
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
            match &status.pending_reversal {
                Some(r) => out!(
                    "pending reversal: STAN {:06} {:?} {} ({})",
                    r.stan,
                    r.transaction,
                    r.card,
                    r.reason.code()
                ),
                None => out!("pending reversal: none"),
            }
            for refund in &status.pending_refunds {
                out!(
                    "pending refund: STAN {:06} RMB {} {}",
                    refund.stan,
                    print::money(refund.amount),
                    refund.card
                );
            }
            for e in &status.exceptions {
                let state = if e.acknowledged {
                    "acknowledged"
                } else {
                    "OPEN: the card may have been charged, contact the acquirer"
                };
                out!("exception: STAN {:06} {:?} {} {}", e.stan, e.transaction, e.card, state);
            }
            if status.settlement_in_progress {
                out!("settlement in progress: run `posterm settle` to resume it");
            }
        }
        Err(e) => return host_error(e),
    }
    ExitCode::SUCCESS
}

pub fn query(cli: &Cli, stan: Option<u32>, rrn: Option<String>) -> ExitCode {
    let query = match (stan, rrn) {
        (Some(stan), _) => Query::Stan(stan),
        (None, Some(rrn)) => Query::Rrn(rrn),
        (None, None) => {
            note!("posterm: give --stan or --rrn");
            return ExitCode::from(exit::USAGE);
        }
    };
    let mut host = match open(cli, false) {
        Ok(host) => host,
        Err(e) => return host_error(e),
    };
    match host.query(&query) {
        Ok(Some(life)) if cli.json => out!("{}", serde_json::to_string(&life).unwrap_or_default()),
        Ok(Some(life)) => {
            out!(
                "STAN {:06} {:?} {}",
                life.stan,
                life.transaction,
                life.card.as_deref().unwrap_or("")
            );
            if let Some(amount) = life.amount {
                out!("amount: RMB {}", print::money(amount));
            }
            for step in &life.steps {
                out!("  - {}", serde_json::to_string(step).unwrap_or_default());
            }
            out!("charged: {}", serde_json::to_string(&life.charged).unwrap_or_default());
        }
        Ok(None) => {
            out!("no such transaction in the current batch");
            return ExitCode::from(exit::FAILED);
        }
        Err(e) => return host_error(e),
    }
    ExitCode::SUCCESS
}

/// Prints the journal's records with PANs masked.
pub fn journal(cli: &Cli) -> ExitCode {
    let dir = TerminalDir::new(&cli.dir);
    let storage = match FileStorage::open(&dir.path, "journal.pjl") {
        Ok(s) => s,
        Err(e) => return host_error(format!("{}: {e}", dir.journal_path().display())),
    };
    let journal = match Journal::open(storage) {
        Ok((journal, _)) => journal,
        Err(e) => return host_error(e),
    };
    for (index, bytes) in journal.records().iter().enumerate() {
        let text = match Record::decode(bytes) {
            Ok(record) => serde_json::to_string(&record).unwrap_or_default(),
            Err(e) => format!("undecodable: {e}"),
        };
        out!("{index:>5} {}", mask_pans(&text));
    }
    out!("{} record(s), {} byte(s)", journal.records().len(), journal.bytes());
    ExitCode::SUCCESS
}

/// Masks every run of 13 to 19 digits (a PAN) in `text`.
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
