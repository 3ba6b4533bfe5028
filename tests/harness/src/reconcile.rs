//! Settling the books: the acquirer's ledger against the terminal's journal.
//!
//! Money is never lost or taken twice: every sale the journal holds as approved is charged once
//! at the bank with the same amount, and every charge at the bank is either in the journal or on
//! the terminal's exceptions list (the operator was told the card may have been charged).

use pos_acquirer_sim::Ledger;
use pos_kernel::engine::DurableState;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Books {
    /// Approved, not reversed transactions in the journal.
    pub approved: usize,
    /// Charges standing at the acquirer for this terminal.
    pub charged: usize,
    /// Charges standing at the acquirer that only the exceptions list accounts for.
    pub charged_on_exceptions: usize,
}

pub fn reconcile(terminal_id: &str, journal: &DurableState, ledger: &Ledger) -> Result<Books, String> {
    let mut charged = ledger.charged_stans(terminal_id);
    charged.sort_unstable();
    let mut approved: Vec<(u32, u32, u64)> = journal.entries.iter().map(|e| (e.batch, e.stan, e.amount)).collect();
    approved.sort_unstable();
    if let Some(pair) = charged.windows(2).find(|w| w[0].0 == w[1].0 && w[0].1 == w[1].1) {
        return Err(format!(
            "the acquirer charged batch {} STAN {} twice",
            pair[0].0, pair[0].1
        ));
    }
    if let Some(pair) = approved.windows(2).find(|w| w[0].0 == w[1].0 && w[0].1 == w[1].1) {
        return Err(format!(
            "the journal holds batch {} STAN {} twice",
            pair[0].0, pair[0].1
        ));
    }
    for entry in &approved {
        if !charged.contains(entry) {
            return Err(format!(
                "journal approved {entry:?} (batch, STAN, amount) but the acquirer did not charge it: money lost"
            ));
        }
    }
    let mut on_exceptions = 0;
    for charge in &charged {
        if approved.contains(charge) {
            continue;
        }
        if journal
            .exceptions
            .iter()
            .any(|e| e.stan == charge.1 && e.amount == Some(charge.2))
        {
            on_exceptions += 1;
            continue;
        }
        return Err(format!("the acquirer charged {charge:?} (batch, STAN, amount) but the journal neither approved it nor lists it as an exception: money taken"));
    }
    Ok(Books {
        approved: approved.len(),
        charged: charged.len(),
        charged_on_exceptions: on_exceptions,
    })
}
