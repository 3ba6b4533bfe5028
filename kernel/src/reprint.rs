//! Reprint (重打印, docs/architecture.md rule 18): the last receipt, any receipt of the current or
//! an archived batch by STAN, or the last settlement report, printed again marked 重打印 /
//! REPRINT and otherwise identical. Pure, from the journal's state and the archive.

use serde::{Deserialize, Serialize};

use crate::engine::settlement::SettlementReport;
use crate::engine::{ArchivedBatch, BatchEntry, DurableState, LifeStep, Receipt};
use crate::Config;

/// The mark at the top of every reprint.
pub const MARK: &str = "重打印 / REPRINT";

/// What to print again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "snake_case")]
pub enum ReprintRequest {
    /// The receipt of the newest approved transaction.
    Last,
    /// The receipt of the approved transaction with this STAN: the current batch first, then the
    /// archive, newest batch first.
    Stan(u32),
    /// The report of the newest settled batch.
    Settlement,
}

/// A reprint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct Reprint {
    pub receipt: Option<Receipt>,
    pub settlement: Option<SettlementReport>,
    /// The settled batch it came from, when it came from the archive.
    pub archived_batch: Option<u32>,
    /// The printed text: [`MARK`], then the receipt or report exactly as first printed.
    pub text: String,
}

/// Why nothing can be reprinted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "snake_case")]
pub enum ReprintError {
    /// No approved transaction yet, in the journal or the archive.
    NothingPrinted,
    /// No approved transaction with this STAN in the current batch or the archive.
    NoSuchStan { stan: u32 },
    /// The request with this STAN was not approved: it had no receipt.
    NotApproved { stan: u32 },
    /// No batch settled within the archive's days.
    NoSettlement,
}

impl core::fmt::Display for ReprintError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            ReprintError::NothingPrinted => write!(f, "no approved transaction yet: there is no receipt to print again"),
            ReprintError::NoSuchStan { stan } => write!(
                f,
                "no approved transaction with STAN {stan:06} in the current batch or the archive of settled batches (kept the configured number of days)"
            ),
            ReprintError::NotApproved { stan } => write!(
                f,
                "STAN {stan:06} was not approved (declined, reversed or never sent): it had no receipt; `query --stan {stan}` shows what happened"
            ),
            ReprintError::NoSettlement => write!(f, "no settled batch in the archive: there is no settlement report to print again"),
        }
    }
}

impl std::error::Error for ReprintError {}

fn receipt_reprint(entry: &BatchEntry, config: &Config, archived_batch: Option<u32>) -> Reprint {
    let receipt = Receipt::of(entry, config);
    let text = format!("{MARK}\n{}", receipt.render());
    Reprint {
        receipt: Some(receipt),
        settlement: None,
        archived_batch,
        text,
    }
}

/// The newest approved entry of a batch, in the order the approvals were recorded.
fn newest(history: &[crate::engine::History], entries: &[BatchEntry]) -> Option<BatchEntry> {
    history
        .iter()
        .rev()
        .filter(|h| h.steps.iter().any(|s| matches!(s, LifeStep::Approved { .. })))
        .find_map(|h| {
            entries
                .iter()
                .find(|e| e.stan == h.stan && e.transaction == h.transaction)
        })
        .cloned()
}

/// The archived batches, newest settlement first.
fn newest_first(archive: &[ArchivedBatch]) -> Vec<&ArchivedBatch> {
    let mut batches: Vec<&ArchivedBatch> = archive.iter().collect();
    batches.sort_by(|a, b| b.settled_at.cmp(&a.settled_at));
    batches
}

pub fn reprint(
    config: &Config,
    state: &DurableState,
    archive: &[ArchivedBatch],
    request: &ReprintRequest,
) -> Result<Reprint, ReprintError> {
    let current: Vec<BatchEntry> = state.entries.iter().chain(state.preauths.iter()).cloned().collect();
    match request {
        ReprintRequest::Last => {
            if let Some(entry) = newest(&state.history, &current) {
                return Ok(receipt_reprint(&entry, config, None));
            }
            newest_first(archive)
                .into_iter()
                .find_map(|batch| Some((batch.batch, newest(&batch.history, &batch.entries)?)))
                .map(|(batch, entry)| receipt_reprint(&entry, config, Some(batch)))
                .ok_or(ReprintError::NothingPrinted)
        }
        ReprintRequest::Stan(stan) => {
            if let Some(entry) = current.iter().find(|e| e.stan == *stan) {
                return Ok(receipt_reprint(entry, config, None));
            }
            let batches = newest_first(archive);
            if let Some((batch, entry)) = batches
                .iter()
                .find_map(|b| Some((b.batch, b.entries.iter().find(|e| e.stan == *stan)?)))
            {
                return Ok(receipt_reprint(entry, config, Some(batch)));
            }
            let known = state.history.iter().any(|h| h.stan == *stan)
                || batches.iter().any(|b| b.history.iter().any(|h| h.stan == *stan));
            Err(if known {
                ReprintError::NotApproved { stan: *stan }
            } else {
                ReprintError::NoSuchStan { stan: *stan }
            })
        }
        ReprintRequest::Settlement => {
            let batch = newest_first(archive)
                .into_iter()
                .next()
                .ok_or(ReprintError::NoSettlement)?;
            Ok(Reprint {
                receipt: None,
                settlement: Some(batch.report.clone()),
                archived_batch: Some(batch.batch),
                text: format!(
                    "{MARK}\n结算 SETTLEMENT {}\n{}",
                    batch.settled_at,
                    batch.report.render()
                ),
            })
        }
    }
}
