//! The terminal's side of the reconciliation: every money-moving transaction the journal and the
//! archive know, with what the terminal concluded about it.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::engine::{ArchivedBatch, BatchEntry, DurableState, History, LifeStep, TransactionKind};

/// What the terminal concluded about a transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum JournalVerdict {
    /// Approved (and, for chip, accepted by the card): the acquirer should credit it.
    Approved,
    /// Declined, reversed (confirmed) or never sent: nothing should be charged.
    NotApproved,
    /// The reversal was never confirmed: on the exceptions list, the card may have been charged.
    ReversalNotConfirmed,
    /// No answer yet (a refund being resent, a reversal still pending).
    Unanswered,
}

/// One transaction as the terminal knows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct JournalTransaction {
    pub terminal_id: String,
    pub batch: u32,
    pub stan: u32,
    pub transaction: TransactionKind,
    pub amount: Option<u64>,
    /// Masked PAN.
    pub card: Option<String>,
    pub verdict: JournalVerdict,
    pub rrn: Option<String>,
    pub auth_code: Option<String>,
    /// Local date and time of the approval, `YYYY-MM-DD hh:mm:ss`.
    pub date_time: Option<String>,
    /// The batch was settled (the transaction comes from the archive).
    pub settled: bool,
    /// Its life as the journal recorded it.
    pub steps: Vec<LifeStep>,
}

/// Whether a kind appears on a statement: the ones that move money.
pub fn on_statement(kind: TransactionKind) -> bool {
    kind.is_debit() || kind.is_credit()
}

/// The verdict the recorded life leads to (the last word wins).
pub fn verdict(steps: &[LifeStep]) -> JournalVerdict {
    steps
        .iter()
        .fold(JournalVerdict::Unanswered, |verdict, step| match step {
            LifeStep::Sent | LifeStep::ReversalReason { .. } => JournalVerdict::Unanswered,
            LifeStep::Approved { .. } => JournalVerdict::Approved,
            LifeStep::Declined { .. } | LifeStep::Reversed { .. } | LifeStep::NeverSent => JournalVerdict::NotApproved,
            LifeStep::ReversalNotConfirmed => JournalVerdict::ReversalNotConfirmed,
            // An offline approval stands once its advice is answered `00`; a refusal undoes it.
            LifeStep::AdviceAnswered { response_code } if response_code == "00" => JournalVerdict::Approved,
            LifeStep::AdviceAnswered { .. } => JournalVerdict::NotApproved,
            LifeStep::ExceptionAcknowledged | LifeStep::ClosedBy { .. } => verdict,
        })
}

/// The money-moving transactions of one batch, from its recorded lives and approved entries.
fn batch_transactions(
    terminal_id: &str,
    batch: u32,
    history: &[History],
    entries: &[BatchEntry],
    settled: bool,
    out: &mut Vec<JournalTransaction>,
) {
    let by_stan: HashMap<u32, &BatchEntry> = entries.iter().map(|e| (e.stan, e)).collect();
    for life in history.iter().filter(|h| on_statement(h.transaction)) {
        let entry = by_stan
            .get(&life.stan)
            .copied()
            .filter(|e| e.transaction == life.transaction);
        let mut verdict = verdict(&life.steps);
        // An entry the journal holds as approved is approved whatever the history kept.
        if entry.is_some() && verdict != JournalVerdict::ReversalNotConfirmed {
            verdict = JournalVerdict::Approved;
        }
        out.push(JournalTransaction {
            terminal_id: terminal_id.to_owned(),
            batch,
            stan: life.stan,
            transaction: life.transaction,
            amount: entry.map(|e| e.amount).or(life.amount),
            card: entry.map(|e| e.card.masked.clone()).or_else(|| life.card.clone()),
            verdict,
            rrn: entry.map(|e| e.rrn.clone()),
            auth_code: entry.map(|e| e.auth_code.clone()),
            date_time: entry.map(|e| e.date_time.clone()),
            settled,
            steps: life.steps.clone(),
        });
    }
}

/// Every money-moving transaction of the archive and of the journal's current batch. A batch in
/// both (a crash between archiving and compacting) is read from the journal.
pub fn transactions(terminal_id: &str, journal: &DurableState, archive: &[ArchivedBatch]) -> Vec<JournalTransaction> {
    let mut out = Vec::new();
    for settled in archive.iter().filter(|a| a.batch != journal.batch) {
        batch_transactions(
            terminal_id,
            settled.batch,
            &settled.history,
            &settled.entries,
            true,
            &mut out,
        );
    }
    batch_transactions(
        terminal_id,
        journal.batch,
        &journal.history,
        &journal.entries,
        false,
        &mut out,
    );
    out
}
