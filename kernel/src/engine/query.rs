//! "Was this customer charged?": the life of one transaction, by STAN or RRN, from the journal.

use serde::{Deserialize, Serialize};

use super::journal::{DurableState, LifeStep};
use super::TransactionKind;

/// Which transaction to look up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "snake_case")]
pub enum Query {
    Stan(u32),
    Rrn(String),
}

/// The answer to the operator's question.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "snake_case")]
pub enum Charged {
    /// Approved and standing.
    Yes,
    /// Approved, then voided, cancelled or completed by a later transaction.
    Closed,
    /// Declined, reversed, or never a charge (balance inquiry, sign-on).
    No,
    /// A reversal or refund is still being sent.
    Pending,
    /// The reversal was not confirmed: the card may have been charged; contact the acquirer.
    Unknown,
}

/// One transaction's life.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct TransactionLife {
    pub stan: u32,
    pub transaction: TransactionKind,
    pub amount: Option<u64>,
    /// Masked PAN, when known.
    pub card: Option<String>,
    pub rrn: Option<String>,
    pub steps: Vec<LifeStep>,
    pub charged: Charged,
}

/// Looks up a transaction of the current batch (or an open pre-authorization, pending refund or
/// exception).
pub fn query(state: &DurableState, query: &Query) -> Option<TransactionLife> {
    let approved = || state.entries.iter().chain(state.preauths.iter());
    let stan = match query {
        Query::Stan(stan) => *stan,
        Query::Rrn(rrn) => approved().find(|e| &e.rrn == rrn)?.stan,
    };
    let history = state.history.iter().rev().find(|h| h.stan == stan);
    let entry = state
        .preauths
        .iter()
        .rev()
        .chain(state.entries.iter().rev())
        .find(|e| e.stan == stan);
    let reversal = state.reversal.as_ref().filter(|r| r.stan == stan);
    let exception = state.exceptions.iter().find(|e| e.stan == stan);
    let refund = state.pending_refunds.iter().find(|r| r.stan == stan);
    let transaction = history
        .map(|h| h.transaction)
        .or(entry.map(|e| e.transaction))
        .or(exception.map(|e| e.transaction))?;
    let charged = if reversal.is_some() || refund.is_some() {
        Charged::Pending
    } else if exception.is_some() {
        Charged::Unknown
    } else if let Some(entry) = entry {
        if entry.closed_by.is_some() {
            Charged::Closed
        } else {
            Charged::Yes
        }
    } else {
        Charged::No
    };
    Some(TransactionLife {
        stan,
        transaction,
        amount: entry
            .map(|e| e.amount)
            .or(history.and_then(|h| h.amount))
            .or(exception.and_then(|e| e.amount)),
        card: entry
            .map(|e| e.card.masked.clone())
            .or(history.and_then(|h| h.card.clone()))
            .or(exception.map(|e| e.card.clone())),
        rrn: entry.map(|e| e.rrn.clone()),
        steps: history.map(|h| h.steps.clone()).unwrap_or_default(),
        charged,
    })
}
