//! `posterm recover`: what to do with a journal posterm refuses.

use std::process::ExitCode;

use clap::Args;
use pos_journal::{inspect_file, Inspection, Problem, RefusalReason};
use pos_kernel::engine::{next_stan, DurableState, Record};

use super::print::{exit, note, out};
use super::terminal::{lock, open_journal, Stop};
use super::Globals;
use crate::terminal_dir::{TerminalDir, JOURNAL};

pub const HELP: &str = "\
What to do with a journal posterm refuses.

posterm keeps, beside the journal (journal.pjl), an anchor (journal.pjl.anchor) that says how many
records the journal held durably, which journal it is and which terminal it belongs to. A crash
can only cut off the one record it was writing (a torn tail, repaired by itself). When the journal
is shorter than that (records were lost), missing, another terminal's, or config.toml names
another terminal_id, every command refuses it and sends nothing (exit code 9), because a terminal
that guessed would reuse trace numbers (STANs) and could turn an approved sale into a reversal.

`posterm recover` shows what is wrong, what is known of the lost records, and the choices:

  1. Put the real journal back. If a copy of journal.pjl exists (a backup, or the file was moved),
     copy it back into the terminal directory and run the command again. The anchor accepts a
     journal that holds at least what it once held.

  2. Put config.toml back. If terminal_id was changed by mistake, restore it: the journal belongs
     to the terminal it was written by. (A terminal that really changes its id settles its batch
     first, then starts in a new directory.)

  3. Start a new journal: `posterm recover --new-journal`. The refused journal and its anchor are
     moved into refused-<time>/ in the terminal directory (nothing is deleted), and a new journal
     starts with the next STAN above every one the old journal can have used (or --next-stan N,
     if the acquirer tells you a higher one), in the last known batch, not signed on. Then sign
     on. The lost records' transactions are not in the new journal: ask the acquirer about the
     trace numbers between the last one shown here and the new one (was a sale approved, is a
     reversal needed, is the batch settled?) before settling.";

#[derive(Debug, Args)]
pub struct RecoverArgs {
    /// Move the refused journal aside and start a new one (choice 3).
    #[arg(long)]
    pub new_journal: bool,
    /// With --new-journal: the STAN the new journal starts at (at least the one posterm works
    /// out from what is known).
    #[arg(long, requires = "new_journal", value_parser = clap::value_parser!(u32).range(1..=999_999))]
    pub next_stan: Option<u32>,
}

/// What is known of the refused journal: the highest STAN it can have used and its batch.
struct Known {
    last_stan: u32,
    batch: u32,
    /// Records the anchor says were durable and are no longer there (at most this many STANs
    /// were used by them).
    lost: usize,
}

fn known(inspection: &Inspection, initial: (u32, u32)) -> Known {
    // From the records that are left (a broken record only stops the replay there).
    let mut state = DurableState::new(initial.0, initial.1);
    for record in &inspection.records {
        match Record::decode(record) {
            Ok(record) if state.apply(record.clone()).is_ok() => {}
            _ => break,
        }
    }
    let (mut last_stan, mut batch) = (state.last_stan, state.batch);
    // From the note the anchor keeps (written after every command).
    if let Some(anchor) = &inspection.anchor {
        let number = |label: &str| {
            anchor
                .note
                .split(", ")
                .find_map(|part| part.strip_prefix(label))
                .and_then(|n| n.trim().parse::<u32>().ok())
        };
        last_stan = last_stan.max(number("last STAN ").unwrap_or(0));
        batch = batch.max(number("batch ").unwrap_or(0));
    }
    let lost = match (&inspection.anchor, inspection.identity) {
        (Some(anchor), Some(identity)) if identity.generation == anchor.identity.generation => {
            anchor.records.saturating_sub(inspection.records.len())
        }
        (Some(anchor), _) => anchor.records,
        (None, _) => 0,
    };
    Known { last_stan, batch, lost }
}

pub fn run(globals: &Globals, args: &RecoverArgs) -> ExitCode {
    let dir = TerminalDir::new(&globals.dir);
    let file = match dir.load() {
        Ok(file) => file,
        Err(e) => {
            return Stop {
                code: exit::HOST_ERROR,
                message: e,
            }
            .report()
        }
    };
    let _lock = match lock(globals) {
        Ok(lock) => lock,
        Err(stop) => return stop.report(),
    };
    let tid = file.terminal.terminal_id.clone();
    let inspection = match inspect_file(&dir.path, JOURNAL, Some(&tid)) {
        Ok(inspection) => inspection,
        Err(e) => {
            return Stop {
                code: exit::HOST_ERROR,
                message: e.to_string(),
            }
            .report()
        }
    };
    let refusal = inspection.problems.iter().find_map(|p| match p {
        Problem::Refused(refusal) => Some(refusal.clone()),
        _ => None,
    });
    let other_damage: Vec<&Problem> = inspection
        .problems
        .iter()
        .filter(|p| {
            matches!(
                p,
                Problem::Corrupt { .. } | Problem::NotAJournal | Problem::UnsupportedVersion(_)
            )
        })
        .collect();
    if refusal.is_none() && other_damage.is_empty() {
        out!(
            "the journal of terminal {tid} in {} is not refused ({} record(s)): nothing to recover",
            dir.path.display(),
            inspection.records.len()
        );
        return ExitCode::SUCCESS;
    }
    let known = known(&inspection, (file.terminal.initial_stan, file.terminal.initial_batch));
    let next = (0..=known.lost).fold(known.last_stan, |stan, _| next_stan(stan));
    match &refusal {
        Some(refusal) => out!("refused: {refusal}"),
        None => {
            for problem in &other_damage {
                out!("refused: {problem}");
            }
        }
    }
    out!(
        "known: last STAN {:06} in batch {:06}; {} record(s) lost, so the next safe STAN is {next:06}",
        known.last_stan,
        known.batch,
        known.lost
    );
    if let Some(RefusalReason::OtherOwner { owner }) = refusal.as_ref().map(|r| &r.reason) {
        out!(
            "config.toml names terminal {owner}, the journal belongs to {}: if that is a mistake, put terminal_id back (choice 2)",
            refusal.as_ref().map(|r| r.anchor.owner.as_str()).unwrap_or_default()
        );
    }
    if !args.new_journal {
        out!("\n{HELP}");
        return ExitCode::from(exit::JOURNAL_REFUSED);
    }
    let start = args.next_stan.unwrap_or(next).max(next);
    match new_journal(&dir, &file, start, known.batch) {
        Ok(aside) => {
            out!(
                "the refused journal is in {}; a new journal starts at STAN {start:06}, batch {:06}, not signed on.\nNext: `posterm --dir {} sign-on`, and ask the acquirer about STANs {:06} to {:06} before settling.",
                aside.display(),
                known.batch,
                dir.path.display(),
                known.last_stan,
                start
            );
            ExitCode::SUCCESS
        }
        Err(e) => Stop {
            code: exit::HOST_ERROR,
            message: e,
        }
        .report(),
    }
}

/// Moves the journal and its anchor into `refused-<time>/` and starts a new journal holding one
/// snapshot: the next STAN and batch, not signed on.
fn new_journal(
    dir: &TerminalDir,
    file: &crate::terminal_dir::ConfigFile,
    next: u32,
    batch: u32,
) -> Result<std::path::PathBuf, String> {
    let stamp = crate::driver::now().0;
    let aside = dir.path.join(format!("refused-{stamp}"));
    std::fs::create_dir(&aside).map_err(|e| format!("{}: {e}", aside.display()))?;
    let anchor = pos_journal::anchor_path(&dir.path, JOURNAL);
    for path in [dir.journal_path(), anchor] {
        if let Some(name) = path.file_name().filter(|_| path.exists()) {
            std::fs::rename(&path, aside.join(name)).map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    // A new journal: nothing to repair, so no notes.
    let (mut journal, _) = open_journal(dir, file).map_err(|stop| stop.message)?;
    let state = DurableState::new(next, batch.max(1));
    let snapshot = Record::Snapshot(Box::new(state)).encode().map_err(|e| e.to_string())?;
    journal.append(&snapshot).map_err(|e| e.to_string())?;
    journal.set_note(format!("last STAN {:06}, batch {:06}", next.saturating_sub(1), batch));
    note!("posterm: new journal written: {} record", journal.records().len());
    Ok(aside)
}
