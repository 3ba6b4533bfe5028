//! What the merchant reads: a summary at a glance, the day's expected credit against the
//! statement's net per type, and each problem with its guidance in both languages and the
//! fields the acquirer asks for.

use serde::{Deserialize, Serialize};

use super::books::{JournalTransaction, JournalVerdict};
use super::matcher::{Action, Bucket, Finding, Item};
use super::statement::{type_code, Statement, StatementEntry};
use crate::engine::TransactionKind;
use crate::guidance::Text;
use crate::time::CivilDate;

/// Count and amount (minor units) of one group.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct Tally {
    pub count: u64,
    pub amount: u64,
}

impl Tally {
    fn add(&mut self, amount: u64) {
        self.count = self.count.saturating_add(1);
        self.amount = self.amount.saturating_add(amount);
    }
}

/// The merchant's answer at a glance.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct Summary {
    /// Credited as the terminal recorded (debits and credits).
    pub credited: Tally,
    /// Waiting for a statement still to come (or not loaded).
    pub pending: Tally,
    /// Money to chase or to put right.
    pub to_chase: Tally,
    /// Count and amount per bucket, in [`Bucket::ALL`] order.
    pub buckets: Vec<(Bucket, Tally)>,
}

/// One type's line of a day: what the statement says against what the journal expects.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct TypeLine {
    pub transaction: TransactionKind,
    pub count: u64,
    pub amount: u64,
    pub fee: u64,
    /// The statement's net for the type.
    pub net: i64,
    /// What the journal expects credited for the type: its approved amounts less the
    /// statement's fees, for the entries paired with an approval.
    pub expected: i64,
}

/// One statement date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct Day {
    pub date: CivilDate,
    pub by_type: Vec<TypeLine>,
    pub net: i64,
    pub expected: i64,
}

/// What the acquirer needs to find a transaction.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct Facts {
    /// `YYYY-MM-DD` (journal) or `MMDD` (statement).
    pub date: String,
    pub time: String,
    pub amount: Option<u64>,
    pub terminal_id: String,
    pub batch: u32,
    pub stan: u32,
    pub rrn: Option<String>,
    pub auth_code: Option<String>,
    pub card: Option<String>,
    pub transaction: Option<TransactionKind>,
}

/// One problem (or one line of the full listing).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct Line {
    pub bucket: Bucket,
    pub finding: Finding,
    pub action: Action,
    /// The date of the statement the entry is on.
    pub statement_date: Option<CivilDate>,
    pub entry: Option<StatementEntry>,
    pub transaction: Option<JournalTransaction>,
    pub facts: Facts,
    pub headline: Text,
    pub guidance: Text,
}

/// The whole answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct Report {
    pub statements: Vec<CivilDate>,
    pub summary: Summary,
    pub days: Vec<Day>,
    /// Every item that needs the merchant (action wait or chase) or shows a disagreement, in
    /// bucket order.
    pub lines: Vec<Line>,
    /// The overall action: the most urgent of the items.
    pub action: Action,
}

fn entry_of<'a>(statements: &'a [Statement], item: &Item) -> Option<(&'a Statement, &'a StatementEntry)> {
    let r = item.entry?;
    let statement = statements.get(usize::try_from(r.statement).ok()?)?;
    Some((statement, statement.entries.get(usize::try_from(r.index).ok()?)?))
}

fn transaction_of<'a>(transactions: &'a [JournalTransaction], item: &Item) -> Option<&'a JournalTransaction> {
    transactions.get(usize::try_from(item.transaction?).ok()?)
}

/// The amount an item is about: the statement's, else the journal's.
fn amount(entry: Option<&StatementEntry>, t: Option<&JournalTransaction>) -> u64 {
    entry.map(|e| e.amount).or(t.and_then(|t| t.amount)).unwrap_or(0)
}

/// The summary and the days; cheap enough for millions of items.
pub fn summarize(statements: &[Statement], transactions: &[JournalTransaction], items: &[Item]) -> (Summary, Vec<Day>) {
    let mut summary = Summary {
        buckets: Bucket::ALL.iter().map(|b| (*b, Tally::default())).collect(),
        ..Summary::default()
    };
    let mut days: Vec<Day> = statements
        .iter()
        .map(|s| Day {
            date: s.date,
            by_type: Vec::new(),
            net: 0,
            expected: 0,
        })
        .collect();
    for item in items {
        let entry = entry_of(statements, item).map(|(_, e)| e);
        let t = transaction_of(transactions, item);
        let amount = amount(entry, t);
        let bucket = item.finding.bucket();
        if let Some((_, tally)) = summary.buckets.iter_mut().find(|(b, _)| *b == bucket) {
            tally.add(amount);
        }
        match item.finding.action() {
            Action::Chase => summary.to_chase.add(amount),
            Action::Wait => summary.pending.add(amount),
            Action::None if bucket == Bucket::Credited => summary.credited.add(amount),
            Action::None => {}
        }
        let (Some(entry), Some(r)) = (entry, item.entry) else {
            continue;
        };
        let Some(day) = days.get_mut(usize::try_from(r.statement).unwrap_or(usize::MAX)) else {
            continue;
        };
        let line = match day.by_type.iter_mut().position(|l| l.transaction == entry.transaction) {
            Some(i) => day.by_type.get_mut(i),
            None => {
                day.by_type.push(TypeLine {
                    transaction: entry.transaction,
                    count: 0,
                    amount: 0,
                    fee: 0,
                    net: 0,
                    expected: 0,
                });
                day.by_type.last_mut()
            }
        };
        let Some(line) = line else { continue };
        line.count = line.count.saturating_add(1);
        line.amount = line.amount.saturating_add(entry.amount);
        line.fee = line.fee.saturating_add(entry.fee);
        line.net = line.net.saturating_add(entry.net);
        if let (Finding::Credited, Some(t)) = (item.finding, t) {
            let approved = t.amount.unwrap_or(0);
            let expected = StatementEntry::settled_net(t.transaction, approved, entry.fee);
            line.expected = line.expected.saturating_add(expected);
        }
    }
    for day in &mut days {
        day.by_type.sort_by_key(|l| type_code(l.transaction));
        day.net = day.by_type.iter().map(|l| l.net).sum();
        day.expected = day.by_type.iter().map(|l| l.expected).sum();
    }
    (summary, days)
}

/// The full report: summary, days, and a line for every item that is not simply credited or
/// not charged (with `all`, for every item).
pub fn report(statements: &[Statement], transactions: &[JournalTransaction], items: &[Item], all: bool) -> Report {
    let (summary, days) = summarize(statements, transactions, items);
    let mut lines: Vec<Line> = items
        .iter()
        .filter(|i| all || !matches!(i.finding.bucket(), Bucket::Credited | Bucket::NotCharged))
        .map(|item| line(statements, transactions, item))
        .collect();
    lines.sort_by_key(|l| {
        (
            l.bucket,
            l.statement_date,
            l.facts.terminal_id.clone(),
            l.facts.batch,
            l.facts.stan,
        )
    });
    let action = items.iter().map(|i| i.finding.action()).max().unwrap_or(Action::None);
    Report {
        statements: statements.iter().map(|s| s.date).collect(),
        summary,
        days,
        lines,
        action,
    }
}

/// One item, with its facts and guidance.
pub fn line(statements: &[Statement], transactions: &[JournalTransaction], item: &Item) -> Line {
    let found = entry_of(statements, item);
    let entry = found.map(|(_, e)| e);
    let t = transaction_of(transactions, item);
    let facts = facts(entry, t);
    let (headline, guidance) = super::guidance::explain(item.finding, entry, t, &facts);
    Line {
        bucket: item.finding.bucket(),
        finding: item.finding,
        action: item.finding.action(),
        statement_date: found.map(|(s, _)| s.date),
        entry: entry.cloned(),
        transaction: t.cloned(),
        facts,
        headline,
        guidance,
    }
}

fn facts(entry: Option<&StatementEntry>, t: Option<&JournalTransaction>) -> Facts {
    let (date, time) = match t.and_then(|t| t.date_time.as_deref()) {
        Some(dt) => (
            dt.get(0..10).unwrap_or_default().to_owned(),
            dt.get(11..).unwrap_or_default().to_owned(),
        ),
        None => entry.map_or_else(Default::default, |e| {
            (
                format!(
                    "{}-{}",
                    e.date.get(0..2).unwrap_or_default(),
                    e.date.get(2..4).unwrap_or_default()
                ),
                format!(
                    "{}:{}:{}",
                    e.time.get(0..2).unwrap_or_default(),
                    e.time.get(2..4).unwrap_or_default(),
                    e.time.get(4..6).unwrap_or_default()
                ),
            )
        }),
    };
    Facts {
        date,
        time,
        amount: t.and_then(|t| t.amount).or(entry.map(|e| e.amount)),
        terminal_id: t
            .map(|t| t.terminal_id.clone())
            .or(entry.map(|e| e.terminal_id.clone()))
            .unwrap_or_default(),
        batch: t.map(|t| t.batch).or(entry.map(|e| e.batch)).unwrap_or(0),
        stan: t.map(|t| t.stan).or(entry.map(|e| e.stan)).unwrap_or(0),
        rrn: t
            .and_then(|t| t.rrn.clone())
            .or(entry.map(|e| e.rrn.clone()))
            .filter(|r| !r.is_empty()),
        auth_code: t
            .and_then(|t| t.auth_code.clone())
            .or(entry.map(|e| e.auth_code.clone()))
            .filter(|a| !a.is_empty()),
        card: t.and_then(|t| t.card.clone()).or(entry.map(|e| e.card.clone())),
        transaction: t.map(|t| t.transaction).or(entry.map(|e| e.transaction)),
    }
}

impl JournalVerdict {
    /// How the journal recorded it, for people.
    pub fn text(self) -> Text {
        let (zh, en) = match self {
            JournalVerdict::Approved => ("交易成功", "approved"),
            JournalVerdict::NotApproved => (
                "未成功（拒绝、已冲正或未发出）",
                "not approved (declined, reversed or never sent)",
            ),
            JournalVerdict::ReversalNotConfirmed => ("冲正未确认", "reversal not confirmed"),
            JournalVerdict::Unanswered => ("无应答", "no answer"),
        };
        Text {
            zh: zh.into(),
            en: en.into(),
        }
    }
}
