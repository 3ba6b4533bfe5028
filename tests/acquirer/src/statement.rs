//! The bank's daily statement (对账文件, docs/profile.md §8), written from its ledger.
//!
//! Every sale, void, refund, completion and completion void the bank approved is on the
//! statement of the day after its approval (T+1), or of the day after that when it was approved
//! at or after [`AcquirerConfig::statement_cutoff`](crate::AcquirerConfig), so one batch can
//! span two statements. Fees: [`fee`]. Status: `R` when reversed, `L` when the terminal did
//! not get the approval in time and it stands, `N` otherwise; [`StatementFault`]s change what a
//! statement says, as a real acquirer's errors would.

use std::fmt;
use std::str::FromStr;

use pos_kernel::engine::TransactionKind;
use pos_kernel::reconcile::{EntryStatus, Statement, StatementEntry};
use pos_kernel::time::CivilDate;
use serde::{Deserialize, Serialize};

use crate::ledger::{mask_pan, LedgerEntry, LedgerKind};
use crate::Acquirer;

/// The fee for `amount` at `rate_bp` basis points, rounded half up.
pub fn fee(amount: u64, rate_bp: u32) -> u64 {
    let fee = (u128::from(amount) * u128::from(rate_bp) + 5_000) / 10_000;
    u64::try_from(fee).unwrap_or(u64::MAX).min(amount)
}

/// What a statement changes about one entry (terminal id + STAN), on request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StatementFault {
    /// The entry is left off the statement (未到账 for the merchant).
    Drop { terminal_id: String, stan: u32 },
    /// The entry is held as an error item `E` (差错), nothing credited.
    Hold { terminal_id: String, stan: u32 },
    /// The entry's amount is changed (fee and net follow).
    Amount {
        terminal_id: String,
        stan: u32,
        amount: u64,
    },
}

impl StatementFault {
    fn target(&self) -> (&str, u32) {
        match self {
            StatementFault::Drop { terminal_id, stan }
            | StatementFault::Hold { terminal_id, stan }
            | StatementFault::Amount { terminal_id, stan, .. } => (terminal_id, *stan),
        }
    }
}

impl fmt::Display for StatementFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StatementFault::Drop { terminal_id, stan } => write!(f, "drop:{terminal_id}:{stan:06}"),
            StatementFault::Hold { terminal_id, stan } => write!(f, "hold:{terminal_id}:{stan:06}"),
            StatementFault::Amount {
                terminal_id,
                stan,
                amount,
            } => write!(f, "amount:{terminal_id}:{stan:06}:{amount}"),
        }
    }
}

impl FromStr for StatementFault {
    type Err = String;

    /// `drop:TID:STAN`, `hold:TID:STAN`, `amount:TID:STAN:MINOR_UNITS`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let usage = || {
            format!(
                "`{s}`: expected drop:TERMINAL_ID:STAN, hold:TERMINAL_ID:STAN or amount:TERMINAL_ID:STAN:MINOR_UNITS"
            )
        };
        let parts: Vec<&str> = s.split(':').collect();
        let stan = |text: &str| text.parse::<u32>().ok().filter(|n| (1..=999_999).contains(n));
        match parts.as_slice() {
            ["drop", tid, n] => Ok(StatementFault::Drop {
                terminal_id: (*tid).to_owned(),
                stan: stan(n).ok_or_else(usage)?,
            }),
            ["hold", tid, n] => Ok(StatementFault::Hold {
                terminal_id: (*tid).to_owned(),
                stan: stan(n).ok_or_else(usage)?,
            }),
            ["amount", tid, n, amount] => Ok(StatementFault::Amount {
                terminal_id: (*tid).to_owned(),
                stan: stan(n).ok_or_else(usage)?,
                amount: amount.parse().map_err(|_| usage())?,
            }),
            _ => Err(usage()),
        }
    }
}

/// The statement's kind of a ledger entry (pre-authorizations and cancels are not listed).
fn statement_kind(kind: LedgerKind) -> Option<TransactionKind> {
    match kind {
        LedgerKind::Sale => Some(TransactionKind::Sale),
        LedgerKind::Void => Some(TransactionKind::Void),
        LedgerKind::Refund => Some(TransactionKind::Refund),
        LedgerKind::Completion => Some(TransactionKind::Completion),
        LedgerKind::CompletionVoid => Some(TransactionKind::CompletionVoid),
        LedgerKind::CompletionAdvice => Some(TransactionKind::CompletionAdvice),
        LedgerKind::PreAuth | LedgerKind::PreAuthCancel => None,
    }
}

impl Acquirer {
    /// The statement date of a ledger entry: T+1, or T+2 at or after the cut-off.
    pub fn statement_date(&self, entry: &LedgerEntry) -> CivilDate {
        let after_cutoff = entry.time.as_str() >= self.config().statement_cutoff.as_str();
        entry.day.plus_days(if after_cutoff { 2 } else { 1 })
    }

    /// Changes what the statements say about one entry (applies to every statement written after).
    pub fn inject_statement_fault(&mut self, fault: StatementFault) {
        self.statement_faults.push(fault);
    }

    /// The statement faults in force.
    pub fn statement_faults(&self) -> &[StatementFault] {
        &self.statement_faults
    }

    /// `merchant_id`'s statement of `date`, from the ledger as it stands.
    pub fn statement(&self, merchant_id: &str, date: CivilDate) -> Statement {
        let rate = self.config().fee_rate_bp;
        let entries = self
            .ledger()
            .entries()
            .iter()
            .filter(|e| e.merchant_id == merchant_id && self.statement_date(e) == date)
            .filter_map(|e| {
                let transaction = statement_kind(e.kind)?;
                let faults: Vec<&StatementFault> = self
                    .statement_faults
                    .iter()
                    .filter(|f| f.target() == (e.terminal_id.as_str(), e.stan))
                    .collect();
                if faults.iter().any(|f| matches!(f, StatementFault::Drop { .. })) {
                    return None;
                }
                let amount = faults
                    .iter()
                    .find_map(|f| match *f {
                        StatementFault::Amount { amount, .. } => Some(*amount),
                        _ => None,
                    })
                    .unwrap_or(e.amount);
                let status = if faults.iter().any(|f| matches!(f, StatementFault::Hold { .. })) {
                    EntryStatus::Error
                } else if e.reversed {
                    EntryStatus::Reversed
                } else if e.late {
                    EntryStatus::Late
                } else {
                    EntryStatus::Normal
                };
                let fee = fee(amount, rate);
                let net = match status {
                    EntryStatus::Normal | EntryStatus::Late => StatementEntry::settled_net(transaction, amount, fee),
                    EntryStatus::Reversed | EntryStatus::Error => 0,
                };
                Some(StatementEntry {
                    line: 0,
                    terminal_id: e.terminal_id.clone(),
                    batch: e.batch,
                    stan: e.stan,
                    date: e.date.clone(),
                    time: e.time.clone(),
                    card: mask_pan(&e.pan),
                    transaction,
                    amount,
                    fee,
                    net,
                    rrn: e.rrn.clone(),
                    auth_code: e.auth_code.clone(),
                    status,
                })
            })
            .collect();
        Statement {
            date,
            acquirer_id: self.config().acquirer_id.clone(),
            merchant_id: merchant_id.to_owned(),
            entries,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fees_round_half_up() {
        assert_eq!(fee(10_000, 60), 60);
        assert_eq!(fee(12_345, 60), 74); // 74.07
        assert_eq!(fee(125, 60), 1); // 0.75
        assert_eq!(fee(83, 60), 0); // 0.498
        assert_eq!(fee(1, 20_000), 1, "never more than the amount");
    }

    #[test]
    fn faults_parse_and_print() {
        for text in [
            "drop:12345678:000012",
            "hold:12345678:000003",
            "amount:12345678:000004:999",
        ] {
            let fault: StatementFault = text.parse().unwrap_or_else(|e| unreachable!("{e}"));
            assert_eq!(fault.to_string(), text);
        }
        assert!("drop:12345678".parse::<StatementFault>().is_err());
        assert!("hold:12345678:0".parse::<StatementFault>().is_err());
    }
}
