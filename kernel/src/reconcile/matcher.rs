//! The matcher: every statement entry and every journaled money-moving transaction lands in
//! exactly one bucket (docs/architecture.md, rule 17).
//!
//! Entries pair with transactions on terminal id + batch + STAN; the pair is then confirmed by
//! type, amount and RRN. An RRN the journal knows under another STAN is reported, never used to
//! pair. The work is two hash look-ups per entry, so a merchant's week (millions of entries)
//! matches in about a second.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::books::{JournalTransaction, JournalVerdict};
use super::hash::FastMap;
use super::statement::{EntryStatus, Statement, StatementEntry};
use crate::time::CivilDate;

/// Where an entry or a transaction lands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum Bucket {
    /// On the statement as settled, approved in the journal, same type, amount and RRN: 已到账.
    Credited,
    /// On the statement reversed (`R`) or held by the acquirer (`E`, 差错).
    ReversedOrHeld,
    /// Charged by the acquirer, not approved in the journal: a late approval, an unconfirmed
    /// reversal, anything the terminal does not know.
    ChargedNotApproved,
    /// Approved in the journal, not on the statements: 未到账.
    NotCredited,
    /// Paired, but the type, amount or RRN differs; or an RRN under another STAN.
    Differs,
    /// Not approved in the journal and not charged: both sides agree nothing happened.
    NotCharged,
    /// Approved in the journal, but the statements it would be on were not loaded.
    NotCovered,
    /// A statement entry of another terminal of the merchant: reconcile it on that terminal.
    OtherTerminal,
}

impl Bucket {
    pub const ALL: [Bucket; 8] = [
        Bucket::Credited,
        Bucket::ReversedOrHeld,
        Bucket::ChargedNotApproved,
        Bucket::NotCredited,
        Bucket::Differs,
        Bucket::NotCharged,
        Bucket::NotCovered,
        Bucket::OtherTerminal,
    ];
}

/// What exactly was found: the bucket, and the reason within it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case", tag = "finding")]
pub enum Finding {
    Credited,
    /// `R`, and the terminal did not approve it either.
    Reversed,
    /// `R`, but the terminal approved it: not credited.
    ReversedAfterApproval,
    /// `E`: held, disputed or adjusted by the acquirer.
    Held,
    /// `L`: approved after the terminal's timeout.
    LateApproval,
    /// Charged, while the terminal's reversal was never confirmed.
    ChargedAfterUnconfirmedReversal,
    /// Charged, while the terminal recorded it declined, reversed, never sent or unanswered.
    ChargedWhileNotApproved {
        verdict: JournalVerdict,
    },
    /// Charged, and the terminal has no such transaction.
    UnknownToTerminal,
    /// Not on the statements yet: the statement of `due` is still to come.
    Pending {
        due: CivilDate,
    },
    /// Not on the statements of its dates (up to `due`): contact the acquirer.
    Overdue {
        due: CivilDate,
    },
    AmountDiffers,
    TypeDiffers,
    RrnDiffers,
    /// The statement entry's RRN is the journal's transaction `stan`.
    RrnUnderOtherStan {
        stan: u32,
    },
    NotCharged,
    /// Would be on the statement of `first` or `last`, which were not loaded.
    NotCovered {
        first: CivilDate,
        last: CivilDate,
    },
    OtherTerminal,
}

impl Finding {
    pub fn bucket(self) -> Bucket {
        match self {
            Finding::Credited => Bucket::Credited,
            Finding::Reversed | Finding::ReversedAfterApproval | Finding::Held => Bucket::ReversedOrHeld,
            Finding::LateApproval
            | Finding::ChargedAfterUnconfirmedReversal
            | Finding::ChargedWhileNotApproved { .. }
            | Finding::UnknownToTerminal => Bucket::ChargedNotApproved,
            Finding::Pending { .. } | Finding::Overdue { .. } => Bucket::NotCredited,
            Finding::AmountDiffers | Finding::TypeDiffers | Finding::RrnDiffers | Finding::RrnUnderOtherStan { .. } => {
                Bucket::Differs
            }
            Finding::NotCharged => Bucket::NotCharged,
            Finding::NotCovered { .. } => Bucket::NotCovered,
            Finding::OtherTerminal => Bucket::OtherTerminal,
        }
    }

    /// `snake_case` name and detail, for logs and the vectors: `late_approval`,
    /// `pending 2026-11-24`, `rrn_under_other_stan 000010`.
    pub fn code(self) -> String {
        let verdict = |v: JournalVerdict| match v {
            JournalVerdict::Approved => "approved",
            JournalVerdict::NotApproved => "not_approved",
            JournalVerdict::ReversalNotConfirmed => "reversal_not_confirmed",
            JournalVerdict::Unanswered => "unanswered",
        };
        match self {
            Finding::Credited => "credited".into(),
            Finding::Reversed => "reversed".into(),
            Finding::ReversedAfterApproval => "reversed_after_approval".into(),
            Finding::Held => "held".into(),
            Finding::LateApproval => "late_approval".into(),
            Finding::ChargedAfterUnconfirmedReversal => "charged_after_unconfirmed_reversal".into(),
            Finding::ChargedWhileNotApproved { verdict: v } => format!("charged_while_not_approved {}", verdict(v)),
            Finding::UnknownToTerminal => "unknown_to_terminal".into(),
            Finding::Pending { due } => format!("pending {}", due.display()),
            Finding::Overdue { due } => format!("overdue {}", due.display()),
            Finding::AmountDiffers => "amount_differs".into(),
            Finding::TypeDiffers => "type_differs".into(),
            Finding::RrnDiffers => "rrn_differs".into(),
            Finding::RrnUnderOtherStan { stan } => format!("rrn_under_other_stan {stan:06}"),
            Finding::NotCharged => "not_charged".into(),
            Finding::NotCovered { first, last } => format!("not_covered {} {}", first.display(), last.display()),
            Finding::OtherTerminal => "other_terminal".into(),
        }
    }

    /// What the merchant must do about it.
    pub fn action(self) -> Action {
        match self {
            Finding::Credited | Finding::Reversed | Finding::NotCharged | Finding::OtherTerminal => Action::None,
            Finding::Pending { .. } | Finding::NotCovered { .. } => Action::Wait,
            _ => Action::Chase,
        }
    }
}

/// How urgent a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Nothing to do.
    None,
    /// Wait for (or load) the next statement.
    Wait,
    /// Money to chase or to put right: contact the acquirer, or refund a double payment.
    Chase,
}

/// A statement entry: which statement, which entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct EntryRef {
    pub statement: u32,
    pub index: u32,
}

/// One finding, about a statement entry, a journal transaction, or the pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct Item {
    pub finding: Finding,
    pub entry: Option<EntryRef>,
    /// Index into the transactions given to [`match_books`].
    pub transaction: Option<u32>,
}

/// A set of statements that cannot be matched together.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SetError {
    /// Two statements of the same date.
    SameDate(CivilDate),
    /// The same entry on two statements.
    Duplicate {
        terminal_id: String,
        batch: u32,
        stan: u32,
        first: CivilDate,
        second: CivilDate,
    },
    /// Statements of different merchants.
    Merchants(String, String),
}

impl core::fmt::Display for SetError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            SetError::SameDate(date) => write!(
                f,
                "two statements of {} were given: give each date's statement once",
                date.display()
            ),
            SetError::Duplicate {
                terminal_id,
                batch,
                stan,
                first,
                second,
            } => write!(
                f,
                "terminal {terminal_id} batch {batch:06} STAN {stan:06} is on the statement of {} and again on that of {}: one of the files is wrong; ask the acquirer",
                first.display(),
                second.display()
            ),
            SetError::Merchants(a, b) => write!(f, "the statements are of two merchants ({a} and {b}): give one merchant's"),
        }
    }
}

impl std::error::Error for SetError {}

/// Interns terminal ids; statements and journals list a terminal's lines together, so the last
/// id is checked before the map.
struct Terminals<'a> {
    ids: FastMap<&'a str, u32>,
    last: Option<(&'a str, u32)>,
}

impl<'a> Terminals<'a> {
    fn new() -> Self {
        Terminals {
            ids: FastMap::default(),
            last: None,
        }
    }

    fn intern(&mut self, id: &'a str) -> u32 {
        if let Some((_, index)) = self.last.filter(|(last, _)| *last == id) {
            return index;
        }
        let next = u32::try_from(self.ids.len()).unwrap_or(u32::MAX);
        let index = *self.ids.entry(id).or_insert(next);
        self.last = Some((id, index));
        index
    }
}

/// Packs terminal (interned), batch and STAN into one key: batch and STAN have 6 digits.
fn key(terminal: u32, batch: u32, stan: u32) -> u64 {
    (u64::from(terminal) * 1_000_000 + u64::from(batch)) * 1_000_000 + u64::from(stan)
}

/// Matches `statements` against `transactions`. Every entry and every transaction is in exactly
/// one returned item. Refused as a whole (nothing matched) if the set is inconsistent.
pub fn match_books(statements: &[Statement], transactions: &[JournalTransaction]) -> Result<Vec<Item>, SetError> {
    check_set(statements)?;
    let mut terminals = Terminals::new();
    let mut by_key: FastMap<u64, u32> = FastMap::with_capacity_and_hasher(transactions.len(), Default::default());
    for (i, t) in transactions.iter().enumerate() {
        let terminal = terminals.intern(t.terminal_id.as_str());
        by_key.insert(key(terminal, t.batch, t.stan), u32::try_from(i).unwrap_or(u32::MAX));
    }
    // Terminals interned from here on are not in the journal (another terminal's lines).
    let journal_terminals = u32::try_from(terminals.ids.len()).unwrap_or(u32::MAX);
    // Which statement paired each transaction (NONE: not paired), and which statement listed
    // each entry no transaction pairs with: an entry on two statements is refused.
    const NONE: u32 = u32::MAX;
    let mut paired = vec![NONE; transactions.len()];
    let mut unpaired: FastMap<u64, u32> = FastMap::default();
    let mut items = Vec::with_capacity(transactions.len().saturating_add(statements.len()));
    let mut by_rrn: Option<FastMap<&str, u32>> = None;
    for (s, statement) in statements.iter().enumerate() {
        let s = u32::try_from(s).unwrap_or(u32::MAX);
        for (e, entry) in statement.entries.iter().enumerate() {
            let entry_ref = Some(EntryRef {
                statement: s,
                index: u32::try_from(e).unwrap_or(u32::MAX),
            });
            let terminal = terminals.intern(entry.terminal_id.as_str());
            let key = key(terminal, entry.batch, entry.stan);
            let duplicate = |first: u32| SetError::Duplicate {
                terminal_id: entry.terminal_id.clone(),
                batch: entry.batch,
                stan: entry.stan,
                first: statements.get(first as usize).map_or(statement.date, |f| f.date),
                second: statement.date,
            };
            let found = (terminal < journal_terminals)
                .then(|| by_key.get(&key).copied())
                .flatten()
                .and_then(|i| Some((i, transactions.get(usize::try_from(i).ok()?)?)));
            let (finding, transaction) = match found {
                Some((i, t)) => {
                    if let Some(slot) = paired.get_mut(usize::try_from(i).unwrap_or(usize::MAX)) {
                        if *slot != NONE {
                            return Err(duplicate(*slot));
                        }
                        *slot = s;
                    }
                    (paired_finding(entry, t), Some(i))
                }
                None => {
                    if let Some(first) = unpaired.insert(key, s) {
                        return Err(duplicate(first));
                    }
                    if terminal >= journal_terminals {
                        (Finding::OtherTerminal, None)
                    } else {
                        let rrns = by_rrn.get_or_insert_with(|| rrn_index(transactions));
                        let other = rrns
                            .get(entry.rrn.as_str())
                            .and_then(|&i| transactions.get(usize::try_from(i).ok()?))
                            .filter(|t| t.terminal_id == entry.terminal_id);
                        (unpaired_entry_finding(entry, other), None)
                    }
                }
            };
            items.push(Item {
                finding,
                entry: entry_ref,
                transaction,
            });
        }
    }
    let loaded: BTreeSet<CivilDate> = statements.iter().map(|s| s.date).collect();
    for (i, t) in transactions.iter().enumerate() {
        if paired.get(i).is_none_or(|slot| *slot != NONE) {
            continue;
        }
        items.push(Item {
            finding: unpaired_transaction_finding(t, &loaded),
            entry: None,
            transaction: Some(u32::try_from(i).unwrap_or(u32::MAX)),
        });
    }
    Ok(items)
}

/// One date per statement, one merchant.
fn check_set(statements: &[Statement]) -> Result<(), SetError> {
    let mut dates = BTreeSet::new();
    for s in statements {
        if !dates.insert(s.date) {
            return Err(SetError::SameDate(s.date));
        }
        if let Some(first) = statements.first().filter(|f| f.merchant_id != s.merchant_id) {
            return Err(SetError::Merchants(first.merchant_id.clone(), s.merchant_id.clone()));
        }
    }
    Ok(())
}

fn rrn_index(transactions: &[JournalTransaction]) -> FastMap<&str, u32> {
    transactions
        .iter()
        .enumerate()
        .filter_map(|(i, t)| Some((t.rrn.as_deref()?, u32::try_from(i).ok()?)))
        .collect()
}

/// An entry and the transaction with its terminal id, batch and STAN.
fn paired_finding(entry: &StatementEntry, t: &JournalTransaction) -> Finding {
    if entry.transaction != t.transaction {
        return Finding::TypeDiffers;
    }
    if t.amount != Some(entry.amount) {
        return Finding::AmountDiffers;
    }
    let approved = t.verdict == JournalVerdict::Approved;
    match entry.status {
        EntryStatus::Reversed if approved => Finding::ReversedAfterApproval,
        EntryStatus::Reversed => Finding::Reversed,
        EntryStatus::Error => Finding::Held,
        EntryStatus::Normal | EntryStatus::Late if approved => {
            if t.rrn.as_deref() == Some(entry.rrn.as_str()) {
                Finding::Credited
            } else {
                Finding::RrnDiffers
            }
        }
        EntryStatus::Late => Finding::LateApproval,
        EntryStatus::Normal => match t.verdict {
            JournalVerdict::ReversalNotConfirmed => Finding::ChargedAfterUnconfirmedReversal,
            verdict => Finding::ChargedWhileNotApproved { verdict },
        },
    }
}

/// An entry no transaction pairs with; `other` is the transaction its RRN belongs to, if any.
fn unpaired_entry_finding(entry: &StatementEntry, other: Option<&JournalTransaction>) -> Finding {
    if let Some(other) = other {
        return Finding::RrnUnderOtherStan { stan: other.stan };
    }
    match entry.status {
        EntryStatus::Reversed => Finding::Reversed,
        EntryStatus::Error => Finding::Held,
        EntryStatus::Late => Finding::LateApproval,
        EntryStatus::Normal => Finding::UnknownToTerminal,
    }
}

/// A transaction no entry pairs with: expected on the statement of the day after its date, or
/// of the day after that when it came after the acquirer's cut-off.
fn unpaired_transaction_finding(t: &JournalTransaction, loaded: &BTreeSet<CivilDate>) -> Finding {
    if t.verdict != JournalVerdict::Approved {
        return Finding::NotCharged;
    }
    let Some(date) = t.date_time.as_deref().and_then(CivilDate::of_date_time) else {
        return Finding::NotCovered {
            first: CivilDate(0),
            last: CivilDate(0),
        };
    };
    let (first, last) = (date.plus_days(1), date.plus_days(2));
    let latest = loaded.last().copied().unwrap_or(CivilDate(i64::MIN));
    let seen_or_to_come = |d: CivilDate| loaded.contains(&d) || d > latest;
    if loaded.contains(&first) && loaded.contains(&last) {
        Finding::Overdue { due: last }
    } else if seen_or_to_come(first) && seen_or_to_come(last) {
        let due = if loaded.contains(&first) || first <= latest {
            last
        } else {
            first
        };
        Finding::Pending { due }
    } else {
        Finding::NotCovered { first, last }
    }
}
