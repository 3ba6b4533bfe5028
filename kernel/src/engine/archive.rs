//! The archive of settled batches (docs/architecture.md, rule 17): what a settlement takes out of
//! the live journal, kept by the host for a number of days so that tomorrow's statement can be
//! matched against yesterday's batch and any receipt of it printed again.
//!
//! The kernel emits one [`Output::Archive`](super::Output::Archive) right before the `Compact`
//! that removes the batch from the journal; the host stores it durably first (and answers the
//! `Compact` with `PersistFailed`, without compacting, if it cannot), so a transaction is always
//! in the journal, in the archive, or in both (after a crash between the two: the journal's copy
//! is the one read).

use serde::{Deserialize, Serialize};

use super::batch::BatchEntry;
use super::journal::{History, JournalError};
use super::settlement::SettlementReport;

/// One settled batch as archived.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct ArchivedBatch {
    pub terminal_id: String,
    pub batch: u32,
    /// Local date and time the settlement finished, `YYYY-MM-DD hh:mm:ss`.
    pub settled_at: String,
    pub report: SettlementReport,
    /// The approved transactions (cards masked and sealed, as in the journal).
    pub entries: Vec<BatchEntry>,
    /// The life of every request of the batch: approved, declined, reversed, never sent.
    pub history: Vec<History>,
}

/// The first bytes of an archived batch: the format, so a change is recognised. `PAB2` added the
/// chip evidence and the IC failure uploads; a `PAB1` batch is refused with what it is.
const MAGIC: &[u8; 4] = b"PAB2";
const EARLIER: &[u8; 4] = b"PAB1";

impl ArchivedBatch {
    /// `PAB2` then postcard: compact and deterministic.
    pub fn encode(&self) -> Result<Vec<u8>, JournalError> {
        super::postcard_vec::to_extend(self, MAGIC.to_vec()).map_err(|e| JournalError::Unencodable(e.to_string()))
    }

    pub fn decode(bytes: &[u8]) -> Result<ArchivedBatch, JournalError> {
        if bytes.starts_with(EARLIER) {
            return Err(JournalError::Corrupt(
                "an archived batch of an earlier version (`PAB1`), which this one does not read".into(),
            ));
        }
        let body = bytes
            .strip_prefix(MAGIC.as_slice())
            .ok_or_else(|| JournalError::Corrupt("not an archived batch (no `PAB2` at the start)".into()))?;
        match postcard::take_from_bytes(body) {
            Ok((batch, [])) => Ok(batch),
            Ok((_, rest)) => Err(JournalError::Corrupt(format!(
                "{} bytes after the archived batch",
                rest.len()
            ))),
            Err(e) => Err(JournalError::Corrupt(e.to_string())),
        }
    }
}
