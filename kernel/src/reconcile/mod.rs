//! Statement reconciliation (对账, docs/architecture.md rule 17): "was I paid?".
//!
//! Pure and deterministic, so every host runs the same code on the same inputs:
//! - [`statement`] reads and writes the acquirer's statement (docs/profile.md §8);
//! - [`books`] lists the terminal's money-moving transactions from the journal and the archive
//!   of settled batches ([`crate::engine::ArchivedBatch`]);
//! - [`matcher`] puts every statement entry and every transaction in exactly one [`Bucket`];
//! - [`report`] sums it up for the merchant, with [`guidance`] for each finding.

pub mod books;
pub mod guidance;
mod hash;
pub mod matcher;
pub mod report;
pub mod statement;

pub use books::{transactions, JournalTransaction, JournalVerdict};
pub use matcher::{match_books, Action, Bucket, Finding, Item, SetError};
pub use report::{report, Report, Summary};
pub use statement::{EntryStatus, Statement, StatementEntry, StatementError};

use serde::{Deserialize, Serialize};

use crate::engine::{ArchivedBatch, DurableState};
use crate::Config;

/// One reconciled item in the form every host returns alike (the vectors compare it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct ReconciledItem {
    /// The finding and its detail, as [`Finding::code`] writes it.
    pub finding: String,
    /// The statement (0-based, in the order given) and the line of the entry, if one.
    pub statement: Option<u32>,
    pub line: Option<u32>,
    /// The STAN of the journal's transaction, or else of the statement entry.
    pub stan: Option<u32>,
}

/// A terminal's reconciliation from what a host holds: its configuration, its journal's state,
/// its archived batches as stored (a batch stored twice counts once, the later copy) and the
/// statement files' text. `Err` says why nothing was matched (a statement's line and column).
pub fn reconcile_terminal(
    config: &Config,
    state: &DurableState,
    archive: &[Vec<u8>],
    statements: &[String],
) -> Result<Vec<ReconciledItem>, String> {
    let parsed = statements
        .iter()
        .enumerate()
        .map(|(i, text)| Statement::parse(text, &config.merchant_id).map_err(|e| format!("statement {}: {e}", i + 1)))
        .collect::<Result<Vec<_>, _>>()?;
    let mut batches: Vec<ArchivedBatch> = Vec::with_capacity(archive.len());
    for (i, bytes) in archive.iter().enumerate() {
        let batch = ArchivedBatch::decode(bytes).map_err(|e| format!("archived batch {i}: {e}"))?;
        batches.retain(|b| b.batch != batch.batch);
        batches.push(batch);
    }
    let transactions = transactions(&config.terminal_id, state, &batches);
    let items = match_books(&parsed, &transactions).map_err(|e| e.to_string())?;
    Ok(items
        .iter()
        .map(|item| {
            let entry = item.entry.and_then(|r| {
                parsed
                    .get(usize::try_from(r.statement).ok()?)?
                    .entries
                    .get(usize::try_from(r.index).ok()?)
            });
            let transaction = item
                .transaction
                .and_then(|i| transactions.get(usize::try_from(i).ok()?));
            ReconciledItem {
                finding: item.finding.code(),
                statement: item.entry.map(|r| r.statement),
                line: entry.map(|e| e.line),
                stan: transaction.map(|t| t.stan).or(entry.map(|e| e.stan)),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests;
