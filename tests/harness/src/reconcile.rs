//! Settling the books: the acquirer's ledger against the terminal's journal.
//!
//! Money is never lost or taken twice: every transaction the journal holds as approved stands
//! once at the acquirer with the same type and amount (and the same voided / closed state), and
//! everything standing at the acquirer is in the journal, or on the terminal's exceptions list
//! (the operator was told the card may have been charged), or was booked late by the bank
//! (`Fault::LateApproval`), which the statement reconciliation must then find.

use pos_acquirer_sim::{Ledger, LedgerEntry, LedgerKind};
use pos_kernel::engine::{BatchEntry, DurableState, TransactionKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Books {
    /// Approved, not reversed transactions of the batch in the journal.
    pub approved: usize,
    /// Entries standing at the acquirer for this terminal and batch.
    pub standing: usize,
    /// Standing entries that only the exceptions list accounts for.
    pub on_exceptions: usize,
    /// Of those, the ones that count in the settlement totals (not pre-auths or cancels).
    pub on_exceptions_in_totals: usize,
    /// Standing entries the bank booked after the terminal had given up on them (a late
    /// approval whose reversal found nothing): only the statement tells the merchant (rule 17).
    pub late: usize,
    /// Of those, the ones that count in the settlement totals.
    pub late_in_totals: usize,
}

fn kind(kind: LedgerKind) -> TransactionKind {
    match kind {
        LedgerKind::Sale => TransactionKind::Sale,
        LedgerKind::Void => TransactionKind::Void,
        LedgerKind::Refund => TransactionKind::Refund,
        LedgerKind::PreAuth => TransactionKind::PreAuth,
        LedgerKind::PreAuthCancel => TransactionKind::PreAuthCancel,
        LedgerKind::Completion => TransactionKind::Completion,
        LedgerKind::CompletionVoid => TransactionKind::CompletionVoid,
        LedgerKind::CompletionAdvice => TransactionKind::CompletionAdvice,
    }
}

type Key = (u32, TransactionKind, u64);

fn key_of_entry(e: &BatchEntry) -> Key {
    (e.stan, e.transaction, e.amount)
}

fn key_of_ledger(e: &LedgerEntry) -> Key {
    (e.stan, kind(e.kind), e.amount)
}

/// Checks batch `batch` of terminal `terminal_id`: the journal's entries (and its pre-authorizations
/// of that batch) against what stands in the ledger.
pub fn reconcile_batch(
    terminal_id: &str,
    batch: u32,
    journal: &DurableState,
    ledger: &Ledger,
) -> Result<Books, String> {
    let ours: Vec<&BatchEntry> = journal
        .entries
        .iter()
        .chain(journal.preauths.iter())
        .filter(|e| e.batch == batch)
        .collect();
    let theirs: Vec<&LedgerEntry> = ledger
        .entries()
        .iter()
        .filter(|e| e.terminal_id == terminal_id && e.batch == batch && !e.reversed)
        .filter(|e| e.kind != LedgerKind::PreAuthCancel)
        .collect();
    let mut on_exceptions = 0;
    let mut on_exceptions_in_totals = 0;
    let mut late = 0;
    let mut late_in_totals = 0;
    for entry in &ours {
        let matching: Vec<&&LedgerEntry> = theirs
            .iter()
            .filter(|l| key_of_ledger(l) == key_of_entry(entry))
            .collect();
        match matching.as_slice() {
            [one] => {
                let closed_there = one.voided || one.completed;
                if closed_there != entry.closed_by.is_some() && !closed_by_exception(one, journal, ledger) {
                    return Err(format!(
                        "batch {batch} STAN {}: closed (voided / cancelled / completed) in {} only\n journal: {entry:?}\n ledger: {one:?}",
                        entry.stan,
                        if closed_there { "the ledger" } else { "the journal" }
                    ));
                }
            }
            [] => {
                return Err(format!(
                    "journal approved {:?} in batch {batch}, the acquirer has no such entry: money lost",
                    key_of_entry(entry)
                ))
            }
            _ => {
                return Err(format!(
                    "the acquirer holds {:?} of batch {batch} more than once",
                    key_of_entry(entry)
                ))
            }
        }
    }
    for standing in &theirs {
        let key = key_of_ledger(standing);
        if ours.iter().any(|e| key_of_entry(e) == key) {
            continue;
        }
        if journal
            .exceptions
            .iter()
            .any(|e| e.stan == key.0 && e.transaction == key.1 && e.amount == Some(key.2))
        {
            on_exceptions += 1;
            on_exceptions_in_totals += usize::from(key.1.is_debit() || key.1.is_credit());
            continue;
        }
        if standing.late {
            late += 1;
            late_in_totals += usize::from(key.1.is_debit() || key.1.is_credit());
            continue;
        }
        return Err(format!(
            "the acquirer holds {key:?} of batch {batch} that the journal neither approved nor lists as an exception: money taken"
        ));
    }
    Ok(Books {
        approved: ours.len(),
        standing: theirs.len(),
        on_exceptions,
        on_exceptions_in_totals,
        late,
        late_in_totals,
    })
}

/// Whether what closed `original` at the acquirer (a void, cancel or completion) is on the
/// terminal's exceptions list: its reversal was never confirmed, and the operator was told.
fn closed_by_exception(original: &LedgerEntry, journal: &DurableState, ledger: &Ledger) -> bool {
    let entries = ledger.entries();
    let Some(index) = entries.iter().position(|e| core::ptr::eq(e, original)) else {
        return false;
    };
    let closers: Vec<&LedgerEntry> = entries
        .iter()
        .filter(|e| e.original == Some(index) && !e.reversed)
        .collect();
    !closers.is_empty()
        && closers.iter().all(|c| {
            // Booked late by the bank (the statement reconciliation finds it), or listed.
            c.late
                || journal
                    .exceptions
                    .iter()
                    .any(|x| x.stan == c.stan && x.transaction == kind(c.kind))
        })
}

/// [`reconcile_batch`] for the terminal's current batch.
pub fn reconcile(terminal_id: &str, journal: &DurableState, ledger: &Ledger) -> Result<Books, String> {
    reconcile_batch(terminal_id, journal.batch, journal, ledger)
}
