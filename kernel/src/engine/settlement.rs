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
    /// The acquirer's verdicts on the totals (domestic, foreign), once it has answered them.
    pub verdicts: Option<(Verdict, Verdict)>,
    pub phase: Phase,
    /// The STAN of this phase's request once it has been sent: a resumed settlement resends the
    /// same message with the same STAN, which the acquirer de-duplicates (no chunk twice).
    pub in_flight_stan: Option<u32>,
}

impl SettlementProgress {
    /// Both halves of the totals balanced.
    pub fn balanced(&self) -> bool {
        self.verdicts == Some((Verdict::Balanced, Verdict::Balanced))
    }
}

/// The steps of a settlement, in order (docs/profile.md §7, "Settlement order"): totals; when
/// they did not balance, the magstripe batch upload; every TC upload; every IC failure upload;
/// the end message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// 0500 with the totals.
    Totals,
    /// 0320 (60.3 `201`) with chunk `chunk` of the entries that have no TC upload.
    Upload { chunk: usize },
    /// 0320 TC upload (60.3 `203` after balanced totals, `205` after unbalanced) of the
    /// `index`th chip or contactless approval.
    TcUpload { index: usize },
    /// 0320 IC failure upload (`204` / `206`) of the `index`th approval the card declined.
    IcFailureUpload { index: usize },
    /// 0320 batch upload end: 60.3 `207` after balanced totals, `202` after unbalanced.
    End,
}

/// How many of each upload a batch needs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Uploads {
    /// Batch-upload messages (`201`) when the totals did not balance.
    pub magstripe_chunks: usize,
    pub tc: usize,
    pub ic_failures: usize,
}

impl Uploads {
    pub fn of(entries: &[BatchEntry], ic_failures: &[BatchEntry]) -> Uploads {
        Uploads {
            magstripe_chunks: chunk_count(magstripe_uploads(entries).count()),
            tc: tc_uploads(entries).count(),
            ic_failures: ic_failure_uploads(ic_failures).count(),
        }
    }
}

impl Phase {
    /// The step after this one, once the acquirer has answered it (`balanced`: its verdict on
    /// the totals).
    pub fn next(self, balanced: bool, uploads: Uploads) -> Phase {
        let first_chip = || match (uploads.tc, uploads.ic_failures) {
            (0, 0) => Phase::End,
            (0, _) => Phase::IcFailureUpload { index: 0 },
            _ => Phase::TcUpload { index: 0 },
        };
        match self {
            Phase::Totals if !balanced && uploads.magstripe_chunks > 0 => Phase::Upload { chunk: 0 },
            Phase::Totals => first_chip(),
            Phase::Upload { chunk } if chunk + 1 < uploads.magstripe_chunks => Phase::Upload { chunk: chunk + 1 },
            Phase::Upload { .. } => first_chip(),
            Phase::TcUpload { index } if index + 1 < uploads.tc => Phase::TcUpload { index: index + 1 },
            Phase::TcUpload { .. } if uploads.ic_failures > 0 => Phase::IcFailureUpload { index: 0 },
            Phase::IcFailureUpload { index } if index + 1 < uploads.ic_failures => {
                Phase::IcFailureUpload { index: index + 1 }
            }
            Phase::TcUpload { .. } | Phase::IcFailureUpload { .. } | Phase::End => Phase::End,
        }
    }
}

/// Approvals that get a TC upload: sales and completions read by chip or contactless, with
/// their evidence.
pub fn tc_uploads(entries: &[BatchEntry]) -> impl Iterator<Item = &BatchEntry> {
    entries.iter().filter(|e| e.chip.is_some() && e.transaction.is_debit())
}

/// Entries of the magstripe batch upload (`201`): every entry without a TC upload.
pub fn magstripe_uploads(entries: &[BatchEntry]) -> impl Iterator<Item = &BatchEntry> {
    entries
        .iter()
        .filter(|e| !(e.chip.is_some() && e.transaction.is_debit()))
}

/// Approvals the card declined that get an IC failure upload (those with the card's data).
pub fn ic_failure_uploads(ic_failures: &[BatchEntry]) -> impl Iterator<Item = &BatchEntry> {
    ic_failures.iter().filter(|e| e.chip.is_some())
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
    /// Entries in the magstripe batch upload (0 when the totals balanced).
    pub uploaded: usize,
    /// STANs of the approvals sent in TC uploads.
    pub tc_uploaded: Vec<u32>,
    /// STANs of the approvals the card declined, sent in IC failure uploads.
    pub ic_failures_uploaded: Vec<u32>,
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
            let _ = writeln!(text, "   {en:<17} {:>3}  RMB {amount:>12}  {zh}", line.count);
        }
        let stans = |list: &[u32]| list.iter().map(|s| format!("{s:06}")).collect::<Vec<_>>().join(" ");
        let _ = writeln!(
            text,
            "   batch upload (201): {} transactions, open exceptions: {}",
            self.uploaded,
            self.open_exceptions.len()
        );
        if !self.tc_uploaded.is_empty() {
            let _ = writeln!(text, "   TC uploads 上送TC: {}", stans(&self.tc_uploaded));
        }
        if !self.ic_failures_uploaded.is_empty() {
            let _ = writeln!(
                text,
                "   IC failure uploads 上送失败: {}",
                stans(&self.ic_failures_uploaded)
            );
        }
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
    let part: Vec<&BatchEntry> = magstripe_uploads(entries)
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
