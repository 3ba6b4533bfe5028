//! The bank's ledger: every approved transaction with its effect on the card, and the card
//! balances. Tests reconcile the terminal's journal against it.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use pos_kernel::time::CivilDate;

use crate::cards::TestCard;

/// What an approved transaction was.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub enum LedgerKind {
    /// Sale: debits the card.
    Sale,
    /// Sale void: credits the sale back in full.
    Void,
    /// Refund: credits part or all of a sale or completion.
    Refund,
    /// Pre-authorization: holds the amount (the available balance drops).
    PreAuth,
    /// Pre-authorization cancel: releases the hold.
    PreAuthCancel,
    /// Pre-authorization completion: releases the hold and debits the completion amount.
    Completion,
    /// Completion void: credits the completion back in full (the hold is not restored).
    CompletionVoid,
    /// Completion advice (0220 type 24): a completion the terminal made offline; booked when the
    /// advice arrives, whatever the balance. Not reversible.
    CompletionAdvice,
}

impl LedgerKind {
    /// Sales and completions: the entries that charge the card.
    pub fn is_charge(self) -> bool {
        matches!(
            self,
            LedgerKind::Sale | LedgerKind::Completion | LedgerKind::CompletionAdvice
        )
    }

    /// Voids, refunds and completion voids: the entries that give money back.
    pub fn is_credit(self) -> bool {
        matches!(self, LedgerKind::Void | LedgerKind::Refund | LedgerKind::CompletionVoid)
    }

    fn label(self) -> &'static str {
        match self {
            LedgerKind::Sale => "sale",
            LedgerKind::Void => "void",
            LedgerKind::Refund => "refund",
            LedgerKind::PreAuth => "pre-auth",
            LedgerKind::PreAuthCancel => "pre-auth cancel",
            LedgerKind::Completion => "completion",
            LedgerKind::CompletionVoid => "completion void",
            LedgerKind::CompletionAdvice => "completion advice",
        }
    }
}

impl fmt::Display for LedgerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// One approved transaction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct LedgerEntry {
    /// F41 of the request.
    pub terminal_id: String,
    /// 60.2 of the request.
    pub batch: u32,
    /// F11 of the request.
    pub stan: u32,
    /// What it was.
    pub kind: LedgerKind,
    /// The card.
    pub pan: String,
    /// Minor units.
    pub amount: u64,
    /// The RRN the bank issued (F37 of the reply).
    pub rrn: String,
    /// The authorization code the bank issued (F38 of the reply).
    pub auth_code: String,
    /// The bank's local date `MMDD` when it was approved (what a refund's 61.3 refers to).
    pub date: String,
    /// The bank's local time `hhmmss` when it was approved (empty in a ledger written before
    /// statements).
    #[serde(default)]
    pub time: String,
    /// The bank's local date when it was approved (the statement's T+1 counts from it).
    #[serde(default)]
    pub day: CivilDate,
    /// F42 of the request: whose statement lists it.
    #[serde(default)]
    pub merchant_id: String,
    /// The card is foreign (settlement counts it in the foreign half).
    pub foreign: bool,
    /// For voids, refunds, cancels, completions and completion voids: the index in
    /// [`Ledger::entries`] of the transaction they refer to.
    pub original: Option<usize>,
    /// A reversal (0400) undid it.
    pub reversed: bool,
    /// Sale or completion: voided. Pre-auth: cancelled.
    pub voided: bool,
    /// Sale or completion: total refunded so far, minor units.
    pub refunded: u64,
    /// Pre-auth: a completion consumed the hold.
    pub completed: bool,
    /// Approved, but the terminal did not get the approval in time (the reply was lost, late or
    /// unreadable): if it stands, the statement marks it `L`.
    #[serde(default)]
    pub late: bool,
    /// Read by chip or contactless (F22 `05`/`07`): a charge needs its TC upload before the
    /// batch closes.
    #[serde(default)]
    pub chip: bool,
}

/// What a reversal did to a ledger entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ReverseOutcome {
    /// Its effect was undone now.
    Reversed,
    /// It had been reversed before; nothing changed.
    AlreadyReversed,
    /// Refunds are not reversible; nothing changed.
    NotReversible,
}

/// The bank's books.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ledger {
    entries: Vec<LedgerEntry>,
    balances: BTreeMap<String, u64>,
}

impl Ledger {
    pub(crate) fn new(cards: &[TestCard]) -> Self {
        Ledger {
            entries: Vec::new(),
            balances: cards.iter().map(|c| (c.pan.clone(), c.balance)).collect(),
        }
    }

    /// Every approved transaction, oldest first.
    pub fn entries(&self) -> &[LedgerEntry] {
        &self.entries
    }

    /// The card's available balance (minor units; pre-auth holds are already deducted), or
    /// `None` for a card the bank does not know.
    pub fn balance(&self, pan: &str) -> Option<u64> {
        self.balances.get(pan).copied()
    }

    /// What the bank took from cardholders through `terminal_id`: sales + completions − voids
    /// − refunds − completion voids, leaving out reversed entries and credits whose original was
    /// reversed (the reversal already gave that money back). Pre-auth holds are not charges.
    pub fn net_charged(&self, terminal_id: &str) -> i128 {
        self.entries
            .iter()
            .filter(|e| e.terminal_id == terminal_id)
            .map(|e| self.contribution(e))
            .sum()
    }

    /// Sales and completions of `terminal_id` that stand (not reversed, not voided), as
    /// `(batch, stan, amount)` in ledger order.
    pub fn charged_stans(&self, terminal_id: &str) -> Vec<(u32, u32, u64)> {
        self.entries
            .iter()
            .filter(|e| e.terminal_id == terminal_id && e.kind.is_charge() && !e.reversed && !e.voided)
            .map(|e| (e.batch, e.stan, e.amount))
            .collect()
    }

    /// Pre-authorization holds outstanding on `pan` (not cancelled, completed or reversed).
    pub fn held(&self, pan: &str) -> u64 {
        self.entries
            .iter()
            .filter(|e| e.pan == pan && e.kind == LedgerKind::PreAuth && !e.reversed && !e.voided && !e.completed)
            .fold(0u64, |sum, e| sum.saturating_add(e.amount))
    }

    /// The signed amount `entry` adds to [`Ledger::net_charged`].
    fn contribution(&self, entry: &LedgerEntry) -> i128 {
        if entry.reversed {
            return 0;
        }
        let amount = i128::from(entry.amount);
        if entry.kind.is_charge() {
            amount
        } else if entry.kind.is_credit() && self.original_stands(entry) {
            -amount
        } else {
            0
        }
    }

    fn original_stands(&self, entry: &LedgerEntry) -> bool {
        entry
            .original
            .and_then(|i| self.entries.get(i))
            .is_some_and(|o| !o.reversed)
    }

    pub(crate) fn get(&self, index: usize) -> Option<&LedgerEntry> {
        self.entries.get(index)
    }

    pub(crate) fn get_mut(&mut self, index: usize) -> Option<&mut LedgerEntry> {
        self.entries.get_mut(index)
    }

    /// The index of the newest entry matching `pred`.
    pub(crate) fn find(&self, pred: impl Fn(&LedgerEntry) -> bool) -> Option<usize> {
        self.entries.iter().rposition(pred)
    }

    /// Appends an entry and returns its index.
    pub(crate) fn push(&mut self, entry: LedgerEntry) -> usize {
        self.entries.push(entry);
        self.entries.len().saturating_sub(1)
    }

    /// Takes `amount` from the card if the balance covers it.
    pub(crate) fn try_debit(&mut self, pan: &str, amount: u64) -> bool {
        match self.balances.get_mut(pan) {
            Some(balance) if *balance >= amount => {
                *balance -= amount;
                true
            }
            _ => false,
        }
    }

    /// Takes `amount` from the card whatever its balance (never below zero).
    pub(crate) fn force_debit(&mut self, pan: &str, amount: u64) {
        if let Some(balance) = self.balances.get_mut(pan) {
            *balance = balance.saturating_sub(amount);
        }
    }

    /// Gives `amount` back to the card.
    pub(crate) fn credit(&mut self, pan: &str, amount: u64) {
        if let Some(balance) = self.balances.get_mut(pan) {
            *balance = balance.saturating_add(amount);
        }
    }

    /// Undoes what is left of entry `index`'s effect and marks it reversed.
    ///
    /// - sale / completion: credits what was not yet voided or refunded; a completion also
    ///   restores its pre-auth's hold (if that pre-auth stands);
    /// - pre-auth: releases the hold if it is still held;
    /// - void / completion void / pre-auth cancel: re-debits (re-holds) the original if it
    ///   stands, and marks it not voided (not cancelled) again;
    /// - refund: not reversible, nothing changes.
    pub(crate) fn reverse(&mut self, index: usize) -> ReverseOutcome {
        let Some(entry) = self.entries.get(index).cloned() else {
            return ReverseOutcome::NotReversible;
        };
        if entry.reversed {
            return ReverseOutcome::AlreadyReversed;
        }
        let standing_original = entry
            .original
            .filter(|&i| self.entries.get(i).is_some_and(|o| !o.reversed));
        match entry.kind {
            LedgerKind::Refund | LedgerKind::CompletionAdvice => return ReverseOutcome::NotReversible,
            LedgerKind::Sale | LedgerKind::Completion => {
                let remaining = if entry.voided {
                    0
                } else {
                    entry.amount.saturating_sub(entry.refunded)
                };
                self.credit(&entry.pan, remaining);
                if entry.kind == LedgerKind::Completion {
                    if let Some(pre_auth) = standing_original.and_then(|i| self.entries.get_mut(i)) {
                        pre_auth.completed = false;
                        let hold = pre_auth.amount;
                        self.force_debit(&entry.pan, hold);
                    }
                }
            }
            LedgerKind::PreAuth => {
                if !entry.voided && !entry.completed {
                    self.credit(&entry.pan, entry.amount);
                }
            }
            LedgerKind::Void | LedgerKind::CompletionVoid | LedgerKind::PreAuthCancel => {
                if let Some(original) = standing_original.and_then(|i| self.entries.get_mut(i)) {
                    if original.voided && !original.completed {
                        original.voided = false;
                        let amount = original.amount;
                        self.force_debit(&entry.pan, amount);
                    }
                }
            }
        }
        if let Some(e) = self.entries.get_mut(index) {
            e.reversed = true;
        }
        ReverseOutcome::Reversed
    }
}

/// `123456` → `1234.56`.
pub(crate) fn format_amount(minor: u64) -> String {
    format!("{}.{:02}", minor / 100, minor % 100)
}

/// First 6 and last 4 digits, the rest `*` (docs/architecture.md, rule 12). Short PANs are fully masked.
pub fn mask_pan(pan: &str) -> String {
    pos_kernel::pan::mask(pan)
}

/// What may change in a ledger entry after it is booked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EntryFlags {
    pub reversed: bool,
    pub voided: bool,
    pub refunded: u64,
    pub completed: bool,
}

impl LedgerEntry {
    /// What may have changed since the entry was booked.
    pub fn flags(&self) -> EntryFlags {
        EntryFlags {
            reversed: self.reversed,
            voided: self.voided,
            refunded: self.refunded,
            completed: self.completed,
        }
    }

    /// The entry as a row of the ledger table ([`Ledger::table_header`]), PAN masked.
    pub fn table_row(&self, index: usize) -> String {
        let mut flags = Vec::new();
        if self.reversed {
            flags.push("reversed".to_owned());
        }
        if self.voided {
            let word = if self.kind == LedgerKind::PreAuth {
                "cancelled"
            } else {
                "voided"
            };
            flags.push(word.to_owned());
        }
        if self.completed {
            flags.push("completed".to_owned());
        }
        if self.refunded > 0 {
            flags.push(format!("refunded {}", format_amount(self.refunded)));
        }
        if let Some(o) = self.original {
            flags.push(format!("of #{o}"));
        }
        if self.foreign {
            flags.push("foreign".to_owned());
        }
        format!(
            "{:>4}  {:<8}  {:06}  {:06}  {:<15}  {:<19}  {:>13}  {:<12}  {:<6}  {:<4}  {}",
            index,
            self.terminal_id,
            self.batch,
            self.stan,
            self.kind.label(),
            mask_pan(&self.pan),
            format_amount(self.amount),
            self.rrn,
            self.auth_code,
            self.date,
            flags.join(", ")
        )
    }
}

impl Ledger {
    /// The header of the ledger table.
    pub fn table_header() -> String {
        format!(
            "{:>4}  {:<8}  {:>6}  {:>6}  {:<15}  {:<19}  {:>13}  {:<12}  {:<6}  {:<4}  flags",
            "#", "terminal", "batch", "stan", "kind", "card", "amount", "rrn", "auth", "date"
        )
    }
}

impl fmt::Display for Ledger {
    /// A table of entries (PANs masked), then the card balances.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", Ledger::table_header())?;
        for (i, e) in self.entries.iter().enumerate() {
            writeln!(f, "{}", e.table_row(i))?;
        }
        writeln!(f)?;
        writeln!(f, "{:<19}  {:>16}  {:>13}", "card", "balance", "held")?;
        for (pan, balance) in &self.balances {
            writeln!(
                f,
                "{:<19}  {:>16}  {:>13}",
                mask_pan(pan),
                format_amount(*balance),
                format_amount(self.held(pan))
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_pans() {
        assert_eq!(mask_pan("6222020000000007"), "622202******0007");
        assert_eq!(mask_pan("6217000000000000012"), "621700*********0012");
        assert_eq!(mask_pan("1234"), "****");
    }

    #[test]
    fn formats_amounts() {
        assert_eq!(format_amount(0), "0.00");
        assert_eq!(format_amount(123_456), "1234.56");
        assert_eq!(format_amount(5), "0.05");
    }
}
