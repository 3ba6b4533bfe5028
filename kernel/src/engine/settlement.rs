//! Settlement (结算): totals (docs/profile.md §3 (F48)), the acquirer's verdict, batch upload in chunks of 8,
//! and the report. The terminal drives the exchange (`terminal.rs`); the layouts live here.

use serde::{Deserialize, Serialize};

use super::batch::{BatchEntry, ExceptionEntry};
use super::kinds::KINDS;
use super::TransactionKind;

/// Entries per batch-upload message.
pub const UPLOAD_CHUNK: usize = 8;

/// One half (domestic or foreign) of the settlement totals.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct Totals {
    pub debit_amount: u64,
    pub debit_count: u32,
    pub credit_amount: u64,
    pub credit_count: u32,
}

impl Totals {
    /// The 30 digits of one F48 half (amounts and counts wrap at their field width, as on the wire).
    fn digits(&self) -> String {
        format!(
            "{:012}{:03}{:012}{:03}",
            self.debit_amount % 1_000_000_000_000,
            self.debit_count % 1000,
            self.credit_amount % 1_000_000_000_000,
            self.credit_count % 1000
        )
    }

    fn add(&mut self, entry: &BatchEntry) {
        if entry.transaction.is_debit() {
            self.debit_amount = self.debit_amount.saturating_add(entry.amount);
            self.debit_count = self.debit_count.saturating_add(1);
        } else if entry.transaction.is_credit() {
            self.credit_amount = self.credit_amount.saturating_add(entry.amount);
            self.credit_count = self.credit_count.saturating_add(1);
        }
    }
}

/// The acquirer's verdict on one half of the totals (digit 31 / 62 of the 0510's F48).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Balanced,
    Unbalanced,
    Error,
}

impl Verdict {
    fn from_digit(digit: u8) -> Option<Verdict> {
        match digit {
            b'1' => Some(Verdict::Balanced),
            b'2' => Some(Verdict::Unbalanced),
            b'3' => Some(Verdict::Error),
            _ => None,
        }
    }
}

/// Where a settlement stands; journaled before each request so a restart resumes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct SettlementProgress {
    pub batch: u32,
    pub domestic: Totals,
    pub foreign: Totals,
    pub phase: Phase,
    /// The STAN of this phase's request once it has been sent: a resumed settlement resends the
    /// same message with the same STAN, which the acquirer de-duplicates (no chunk twice).
    pub in_flight_stan: Option<u32>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// 0500 with the totals.
    Totals,
    /// 0320 (60.3 `201`) with chunk `chunk` of the entries; the totals did not balance.
    Upload {
        chunk: usize,
        domestic: Verdict,
        foreign: Verdict,
    },
    /// 0320 batch upload end: 60.3 `207` after balanced totals, `202` after an upload.
    End {
        balanced: bool,
        domestic: Verdict,
        foreign: Verdict,
    },
}

/// Totals by transaction type, for the report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct TypeTotal {
    pub transaction: TransactionKind,
    pub count: u32,
    pub amount: u64,
}

/// What the operator gets at the end of a settlement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct SettlementReport {
    pub batch: u32,
    pub domestic: Totals,
    pub foreign: Totals,
    pub by_type: Vec<TypeTotal>,
    pub domestic_result: Verdict,
    pub foreign_result: Verdict,
    /// Entries uploaded (0 when the totals balanced).
    pub uploaded: usize,
    /// Unconfirmed reversals not yet acknowledged: money the acquirer may hold that no total shows.
    pub open_exceptions: Vec<ExceptionEntry>,
}

impl SettlementReport {
    /// The report as printed lines (indented, as under an outcome's headline).
    pub fn render(&self) -> String {
        use core::fmt::Write as _;
        let mut text = String::new();
        let verdict = |v: Verdict| match v {
            Verdict::Balanced => "balanced 平",
            Verdict::Unbalanced => "did not agree 不平",
            Verdict::Error => "error 错",
        };
        let _ = writeln!(
            text,
            "   batch {:06}: domestic totals {}, foreign totals {}",
            self.batch,
            verdict(self.domestic_result),
            verdict(self.foreign_result)
        );
        for line in &self.by_type {
            // The Chinese name last: its characters are twice as wide as the padding counts.
            let (zh, en) = line.transaction.label();
            let amount = crate::guidance::money(line.amount);
            let _ = writeln!(text, "   {en:<16} {:>3}  RMB {amount:>12}  {zh}", line.count);
        }
        let _ = writeln!(
            text,
            "   transactions uploaded: {}, open exceptions: {}",
            self.uploaded,
            self.open_exceptions.len()
        );
        text
    }
}

/// Whether a card settles under the foreign half: its PAN (or masked PAN: prefixes are at most
/// 6 digits, the part a masked PAN keeps) does not start with a domestic prefix.
pub fn is_foreign(pan: &str, domestic_prefixes: &[String]) -> bool {
    !domestic_prefixes.iter().any(|p| pan.starts_with(p.as_str()))
}

/// Domestic and foreign totals of the batch.
pub fn totals(entries: &[BatchEntry], domestic_prefixes: &[String]) -> (Totals, Totals) {
    let mut domestic = Totals::default();
    let mut foreign = Totals::default();
    for entry in entries {
        if is_foreign(&entry.card.masked, domestic_prefixes) {
            foreign.add(entry);
        } else {
            domestic.add(entry);
        }
    }
    (domestic, foreign)
}

/// F48 of the 0500: both halves, each with result digit `0`.
pub fn settlement_f48(domestic: &Totals, foreign: &Totals) -> String {
    format!("{}0{}0", domestic.digits(), foreign.digits())
}

/// The verdicts in the 0510's F48 (digits 31 and 62).
pub fn verdicts(f48: &str) -> Option<(Verdict, Verdict)> {
    let bytes = f48.as_bytes();
    if bytes.len() != 62 {
        return None;
    }
    Some((
        Verdict::from_digit(*bytes.get(30)?)?,
        Verdict::from_digit(*bytes.get(61)?)?,
    ))
}

/// Number of upload messages for `entries`.
pub fn chunk_count(entries: usize) -> usize {
    entries.div_ceil(UPLOAD_CHUNK)
}

/// F48 of upload message `chunk`: count n2 + 40-digit entries (organisation, STAN, PAN n20,
/// amount). `pan_of` reveals each entry's sealed PAN (the security module's data key).
pub fn upload_f48<E>(
    entries: &[BatchEntry],
    chunk: usize,
    domestic_prefixes: &[String],
    mut pan_of: impl FnMut(&BatchEntry) -> Result<String, E>,
) -> Result<String, E> {
    let part: Vec<&BatchEntry> = entries
        .iter()
        .skip(chunk.saturating_mul(UPLOAD_CHUNK))
        .take(UPLOAD_CHUNK)
        .collect();
    let mut f48 = format!("{:02}", part.len());
    for entry in part {
        let organisation = if is_foreign(&entry.card.masked, domestic_prefixes) {
            "01"
        } else {
            "00"
        };
        f48.push_str(&format!(
            "{organisation}{:06}{:0>20}{:012}",
            entry.stan,
            pan_of(entry)?,
            entry.amount
        ));
    }
    Ok(f48)
}

/// Totals by type, in a fixed order.
pub fn by_type(entries: &[BatchEntry]) -> Vec<TypeTotal> {
    KINDS
        .iter()
        .filter(|info| info.side.is_some())
        .filter_map(|info| {
            let kind = info.kind;
            let of_kind = entries.iter().filter(|e| e.transaction == kind);
            let (count, amount) = of_kind.fold((0u32, 0u64), |(c, a), e| {
                (c.saturating_add(1), a.saturating_add(e.amount))
            });
            (count > 0).then_some(TypeTotal {
                transaction: kind,
                count,
                amount,
            })
        })
        .collect()
}
