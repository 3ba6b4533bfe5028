//! The journal: the terminal's durable state as a sequence of records.
//!
//! The kernel changes its durable state only by emitting a [`Record`] and applying it once the
//! host reports it durable, so rebuilding from the journal ([`DurableState::replay`]) gives exactly
//! the state the running terminal had. Records are CBOR (ciborium), deterministic for a given input.
//! They never hold track data, PIN blocks or CVV (DESIGN.md rule 12); PANs are kept because batch
//! upload and reversals need them, and are masked wherever a person can see them.

use serde::{Deserialize, Serialize};

use super::{EntryMode, ReversalReason, TransactionKind};
use crate::codec::Message;
use crate::security::WorkingKeys;

/// One journal record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Record {
    /// Sign-on succeeded: the batch, and the working keys as F62 carried them (encrypted under
    /// the TMK, with check values), so a restart can load them into the security module again.
    SignedOn {
        batch: u32,
        #[serde(with = "serde_bytes")]
        keys: Vec<u8>,
    },
    /// Sign-off succeeded.
    SignedOff,
    /// A request is about to be sent. Advances the STAN; for a reversible request, carries the
    /// reversal that stands until a valid answer clears it (write-ahead reversal).
    RequestSent {
        stan: u32,
        transaction: TransactionKind,
        reversal: Option<PendingReversal>,
    },
    /// A financial transaction was approved (and, for chip, accepted by the card).
    Approved(BatchEntry),
    /// A reversible request was declined: its reversal is no longer needed.
    Declined { stan: u32, response_code: String },
    /// The pending reversal's reason or data changed (MAC failure, card declined).
    ReversalUpdated {
        stan: u32,
        reason: ReversalReason,
        auth_code: Option<String>,
        #[serde(with = "serde_bytes")]
        icc_data: Option<Vec<u8>>,
    },
    /// The acquirer confirmed the reversal.
    ReversalCleared { stan: u32, response_code: String },
    /// The reversal was not confirmed after the configured attempts.
    ReversalException { stan: u32 },
    /// The operator acknowledged an exception.
    ExceptionAcknowledged { stan: u32 },
}

impl Record {
    /// Deterministic CBOR bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        // Writing into a Vec cannot fail, and every type here serializes.
        if ciborium::into_writer(self, &mut out).is_err() {
            out.clear();
        }
        out
    }

    pub fn decode(bytes: &[u8]) -> Result<Record, JournalError> {
        ciborium::from_reader(bytes).map_err(|e| JournalError::Corrupt(e.to_string()))
    }
}

/// A journal that cannot be replayed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum JournalError {
    /// A record does not decode.
    Corrupt(String),
    /// A record contradicts the state before it.
    Inconsistent(String),
}

impl core::fmt::Display for JournalError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            JournalError::Corrupt(e) => write!(f, "corrupt journal record: {e}"),
            JournalError::Inconsistent(e) => write!(f, "inconsistent journal: {e}"),
        }
    }
}

impl std::error::Error for JournalError {}

/// A reversal that must be sent until the acquirer confirms it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingReversal {
    pub stan: u32,
    pub transaction: TransactionKind,
    pub amount: Option<u64>,
    /// Masked PAN, for outcomes and the exceptions list.
    pub card: String,
    /// The original request as the reversal repeats it: MTI 0400, without F26 F35 F36 F52 F53 F64.
    pub message: Message,
    pub reason: ReversalReason,
    /// F38 of the reply, when one was received.
    pub auth_code: Option<String>,
    /// The card's TLV for F55 when the card declined (reason `06`).
    #[serde(with = "serde_bytes")]
    pub icc_data: Option<Vec<u8>>,
}

/// An approved transaction of the current batch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchEntry {
    pub stan: u32,
    pub batch: u32,
    pub transaction: TransactionKind,
    pub entry: EntryMode,
    /// Full PAN: batch upload sends it (PROFILE.md §3). Masked everywhere it is shown.
    pub pan: String,
    pub amount: u64,
    pub rrn: String,
    pub auth_code: String,
    /// Local date and time of the approval, `YYYY-MM-DD hh:mm:ss`.
    pub date_time: String,
}

/// A reversal that was never confirmed: the card may have been charged.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExceptionEntry {
    pub stan: u32,
    pub transaction: TransactionKind,
    pub amount: Option<u64>,
    pub card: String,
    pub reason: ReversalReason,
    pub acknowledged: bool,
}

/// Everything the terminal must remember across a restart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DurableState {
    pub keys: Option<WorkingKeys>,
    pub signed_on: bool,
    /// Last STAN used (0 before the first request).
    pub last_stan: u32,
    pub batch: u32,
    pub reversal: Option<PendingReversal>,
    pub entries: Vec<BatchEntry>,
    pub exceptions: Vec<ExceptionEntry>,
}

/// STANs run 000001..999999 and wrap (DESIGN.md rule 2).
pub fn next_stan(last: u32) -> u32 {
    if last >= 999_999 {
        1
    } else {
        last + 1
    }
}

impl DurableState {
    /// The state of a brand-new terminal.
    pub fn new(initial_stan: u32, initial_batch: u32) -> DurableState {
        DurableState {
            keys: None,
            signed_on: false,
            last_stan: initial_stan.saturating_sub(1),
            batch: initial_batch,
            reversal: None,
            entries: Vec::new(),
            exceptions: Vec::new(),
        }
    }

    /// Rebuilds the state from journal records, in order.
    pub fn replay<'a>(mut self, records: impl IntoIterator<Item = &'a [u8]>) -> Result<DurableState, JournalError> {
        for bytes in records {
            self.apply(&Record::decode(bytes)?)?;
        }
        Ok(self)
    }

    /// Applies one record. The live terminal and replay both go through here.
    pub fn apply(&mut self, record: &Record) -> Result<(), JournalError> {
        match record {
            Record::SignedOn { batch, keys } => {
                let keys = WorkingKeys::from_f62(keys)
                    .map_err(|e| JournalError::Inconsistent(format!("sign-on record with unusable keys: {e}")))?;
                self.signed_on = true;
                self.keys = Some(keys);
                self.batch = *batch;
            }
            Record::SignedOff => self.signed_on = false,
            Record::RequestSent { stan, reversal, .. } => {
                self.last_stan = *stan;
                if let Some(reversal) = reversal {
                    if self.reversal.is_some() {
                        return Err(JournalError::Inconsistent(format!(
                            "request {stan:06} sent while another reversal was pending"
                        )));
                    }
                    self.reversal = Some(reversal.clone());
                }
            }
            Record::Approved(entry) => {
                self.clear_reversal(entry.stan);
                self.entries.push(entry.clone());
            }
            Record::Declined { stan, .. } | Record::ReversalCleared { stan, .. } => self.clear_reversal(*stan),
            Record::ReversalUpdated {
                stan,
                reason,
                auth_code,
                icc_data,
            } => {
                let pending = self.reversal_mut(*stan)?;
                pending.reason = *reason;
                pending.auth_code.clone_from(auth_code);
                pending.icc_data.clone_from(icc_data);
            }
            Record::ReversalException { stan } => {
                let pending = self.reversal_mut(*stan)?.clone();
                self.reversal = None;
                self.exceptions.push(ExceptionEntry {
                    stan: pending.stan,
                    transaction: pending.transaction,
                    amount: pending.amount,
                    card: pending.card,
                    reason: pending.reason,
                    acknowledged: false,
                });
            }
            Record::ExceptionAcknowledged { stan } => {
                for exception in self.exceptions.iter_mut().filter(|e| e.stan == *stan) {
                    exception.acknowledged = true;
                }
            }
        }
        Ok(())
    }

    fn clear_reversal(&mut self, stan: u32) {
        if self.reversal.as_ref().is_some_and(|r| r.stan == stan) {
            self.reversal = None;
        }
    }

    fn reversal_mut(&mut self, stan: u32) -> Result<&mut PendingReversal, JournalError> {
        match self.reversal.as_mut() {
            Some(pending) if pending.stan == stan => Ok(pending),
            _ => Err(JournalError::Inconsistent(format!("no pending reversal for {stan:06}"))),
        }
    }
}
