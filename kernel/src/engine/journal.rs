//! The journal: the terminal's durable state as a sequence of records.
//!
//! The kernel changes its durable state only by emitting a [`Record`] and applying it once the
//! host reports it durable, so rebuilding from the journal ([`DurableState::replay`]) gives exactly
//! the state the running terminal had. Records are postcard (compact and fast to replay: a big
//! batch restores in milliseconds), deterministic for a given input.
//! They never hold track data, PIN blocks or CVV (docs/architecture.md, rule 12), nor a clear PAN:
//! the card that batch upload and reversals need again is kept sealed by the security module
//! (`StoredCard`), and masked wherever a person can see it.

use serde::{Deserialize, Serialize};

use super::batch::{BatchEntry, ExceptionEntry, SettledBatch};
use super::downloads::{CaKeySet, DownloadedSets, IcParameterSet, ManagementTask, ParameterSet};
use super::kinds::Closes;
use super::settlement::{SettlementProgress, SettlementReport};
use super::{EntryMode, ReversalReason, TransactionKind};
use crate::codec::Message;
use crate::security::{StoredCard, WorkingKeys};

/// One journal record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
// `Record` is a TypeScript built-in.
#[cfg_attr(
    feature = "ts",
    derive(tsify::Tsify),
    tsify(missing_as_null, rename = "JournalRecord")
)]
#[serde(rename_all = "snake_case")]
pub enum Record {
    /// Sign-on succeeded: the batch, and the working keys as F62 carried them (encrypted under
    /// the TMK, with check values), so a restart can load them into the security module again.
    SignedOn {
        batch: u32,
        #[serde(with = "serde_bytes")]
        #[cfg_attr(feature = "ts", tsify(type = "Uint8Array"))]
        keys: Vec<u8>,
    },
    /// Sign-off succeeded.
    SignedOff,
    /// A request is about to be sent: written (and made durable) before the frame leaves, so
    /// after a crash the request may or may not have reached the acquirer. Advances the STAN;
    /// for a reversible request, carries the reversal that stands until a valid answer clears it
    /// (write-ahead reversal).
    AboutToSend {
        stan: u32,
        transaction: TransactionKind,
        /// Boxed (as the state holds it): a record moves a few times on its way to the state.
        reversal: Option<Box<PendingReversal>>,
        /// For a refund: what to resend, with the same STAN, until it is answered.
        resend: Option<Box<PendingResend>>,
    },
    /// A financial transaction was approved (a contact chip one goes through `ChipVerdict`).
    Approved(BatchEntry),
    /// The chip card's verdict on an online approval (its second GENERATE AC): `accepted`, the
    /// entry joins the batch; otherwise the reversal becomes a card decline (`06`, with the
    /// card's data) and the entry waits for its IC failure upload at settlement. When the
    /// approval carried issuer scripts, the script result advice comes in the same record, so
    /// that it cannot be lost between the two.
    ChipVerdict {
        entry: BatchEntry,
        accepted: bool,
        script_advice: Option<Box<PendingResend>>,
    },
    /// A transaction approved without going online (a completion advice): in the batch at once,
    /// and its advice resent with the same STAN until answered. Advances the STAN.
    OfflineApproved {
        entry: BatchEntry,
        advice: Box<PendingResend>,
    },
    /// The acquirer answered an advice: it is no longer resent. The RRN of the answer, if any,
    /// becomes the entry's (an offline approval has none before).
    AdviceAnswered {
        stan: u32,
        response_code: String,
        rrn: Option<String>,
    },
    /// A reversible request was declined: its reversal is no longer needed.
    Declined { stan: u32, response_code: String },
    /// The pending reversal's reason or data changed (MAC failure, card declined).
    ReversalUpdated {
        stan: u32,
        reason: ReversalReason,
        auth_code: Option<String>,
        #[serde(with = "serde_bytes")]
        #[cfg_attr(feature = "ts", tsify(type = "Uint8Array | null"))]
        icc_data: Option<Vec<u8>>,
    },
    /// The acquirer confirmed the reversal.
    ReversalCleared { stan: u32, response_code: String },
    /// The reversal was not confirmed after the configured attempts.
    ReversalException { stan: u32 },
    /// The operator acknowledged an exception.
    ExceptionAcknowledged { stan: u32 },
    /// Settlement progress: the step about to be sent (with its STAN) or just completed.
    Settlement(SettlementProgress),
    /// Settlement finished: the batch advances and its entries leave the journal.
    Settled(SettlementReport),
    /// The whole durable state; a compacted journal starts with it.
    Snapshot(Box<DurableState>),
    /// The acquirer asked (reply header R digit) for this management task: it runs when the
    /// terminal is free, and again after a restart, until it is done.
    ManagementRequested(ManagementTask),
    /// A complete parameter list replaces the one in force (its task is done).
    ParametersInstalled(ParameterSet),
    /// A complete CA key table replaces the one in force, in one record.
    CaKeysInstalled(CaKeySet),
    /// A complete IC parameter table replaces the one in force, in one record.
    IcParametersInstalled(IcParameterSet),
    /// A management task ended without a set to install (a status upload answered, or the
    /// acquirer refused the task): it is no longer due.
    ManagementDone(ManagementTask),
    /// The request journaled under `stan` never left the terminal (no connection, or a send that
    /// failed before any byte was written): its reversal, or its refund resend, is dropped.
    NeverSent { stan: u32 },
}

impl Record {
    /// Deterministic postcard bytes (compact, no field names: the schema is this type, so a
    /// field is never skipped when serializing). An error halts the terminal before anything
    /// that depends on the record is emitted (an empty record could never be restored).
    pub fn encode(&self) -> Result<Vec<u8>, JournalError> {
        // Most records are under 256 bytes: one allocation.
        super::postcard_vec::to_extend(self, Vec::with_capacity(256))
            .map_err(|e| JournalError::Unencodable(e.to_string()))
    }

    /// The record in `bytes`, which must hold exactly one.
    pub fn decode(bytes: &[u8]) -> Result<Record, JournalError> {
        match postcard::take_from_bytes(bytes) {
            Ok((record, [])) => Ok(record),
            Ok((_, rest)) => Err(JournalError::Corrupt(format!("{} bytes after the record", rest.len()))),
            Err(e) => Err(JournalError::Corrupt(e.to_string())),
        }
    }
}

impl Record {
    /// A copy safe to show a person (docs/architecture.md, rule 12): every PAN masked, and the messages it
    /// carries (a reversal, a refund to resend) as [`Message::masked`] shows them.
    pub fn masked(&self) -> Record {
        let mut record = self.clone();
        match &mut record {
            Record::AboutToSend { reversal, resend, .. } => {
                if let Some(reversal) = reversal {
                    reversal.message = reversal.message.masked();
                }
                if let Some(resend) = resend {
                    resend.message = resend.message.masked();
                }
            }
            Record::Snapshot(state) => {
                if let Some(reversal) = &mut state.reversal {
                    reversal.message = reversal.message.masked();
                }
                for resend in state.pending_refunds.iter_mut().chain(&mut state.pending_advices) {
                    resend.message = resend.message.masked();
                }
            }
            Record::ChipVerdict {
                script_advice: Some(advice),
                ..
            }
            | Record::OfflineApproved { advice, .. } => advice.message = advice.message.masked(),
            _ => {}
        }
        record
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
    /// A record could not be encoded.
    Unencodable(String),
}

impl core::fmt::Display for JournalError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            JournalError::Corrupt(e) => write!(f, "corrupt journal record: {e}"),
            JournalError::Inconsistent(e) => write!(f, "inconsistent journal: {e}"),
            JournalError::Unencodable(e) => write!(f, "journal record cannot be encoded: {e}"),
        }
    }
}

impl std::error::Error for JournalError {}

/// A reversal that must be sent until the acquirer confirms it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct PendingReversal {
    pub stan: u32,
    pub transaction: TransactionKind,
    pub amount: Option<u64>,
    /// The card: masked for outcomes and the exceptions list, sealed for the reversal's F2 and F14.
    pub card: StoredCard,
    /// The original request as the reversal repeats it: MTI 0400, without F2 F14 (the card is
    /// sealed in `card`), F26 F35 F36 F52 F53 F64.
    pub message: Message,
    pub reason: ReversalReason,
    /// F38 of the reply, when one was received.
    pub auth_code: Option<String>,
    /// The card's TLV for F55 when the card declined (reason `06`).
    #[serde(with = "serde_bytes")]
    #[cfg_attr(feature = "ts", tsify(type = "Uint8Array | null"))]
    pub icc_data: Option<Vec<u8>>,
}

/// One step in the life of a transaction, as the journal recorded it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "snake_case")]
pub enum LifeStep {
    /// The request was journaled to be sent (it left unless a later `NeverSent` says otherwise).
    Sent,
    Approved {
        rrn: String,
        auth_code: String,
    },
    Declined {
        response_code: String,
    },
    /// The outcome became unknown for this reason (a timeout keeps reason 98 from the start).
    ReversalReason {
        reason: ReversalReason,
    },
    /// The acquirer confirmed the reversal.
    Reversed {
        response_code: String,
    },
    /// The reversal was not confirmed: on the exceptions list.
    ReversalNotConfirmed,
    ExceptionAcknowledged,
    /// The acquirer answered this advice.
    AdviceAnswered {
        response_code: String,
    },
    /// A later void, cancel or completion closed this transaction.
    ClosedBy {
        stan: u32,
        transaction: TransactionKind,
    },
    /// The request never left the terminal: nothing reached the acquirer.
    NeverSent,
}

/// The recorded life of one transaction of the current batch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct History {
    pub stan: u32,
    pub transaction: TransactionKind,
    pub amount: Option<u64>,
    /// Masked PAN.
    pub card: Option<String>,
    pub steps: Vec<LifeStep>,
}

/// A refund or an advice sent and not yet answered: resent with the same STAN until it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct PendingResend {
    pub stan: u32,
    /// A refund, a completion advice or a script result advice.
    pub transaction: TransactionKind,
    pub amount: u64,
    /// The card: masked for people, sealed for the resend's F2 and F14.
    pub card: StoredCard,
    pub entry: EntryMode,
    /// The request without the card (F2 F14), track data and MAC (re-MACed when resent).
    pub message: Message,
}

/// Everything the terminal must remember across a restart.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct DurableState {
    pub keys: Option<WorkingKeys>,
    pub signed_on: bool,
    /// Last STAN used (0 before the first request).
    pub last_stan: u32,
    pub batch: u32,
    pub reversal: Option<Box<PendingReversal>>,
    /// Approved transactions of the current batch (sales, voids, refunds, completions, completion voids).
    pub entries: Vec<BatchEntry>,
    /// Approved pre-authorizations, open or closed, across batches.
    pub preauths: Vec<BatchEntry>,
    pub pending_refunds: Vec<PendingResend>,
    /// Completion and script result advices not yet answered, oldest first.
    pub pending_advices: Vec<PendingResend>,
    /// Chip approvals the card declined at its second GENERATE AC, for their IC failure upload
    /// at settlement.
    pub ic_failures: Vec<BatchEntry>,
    pub settlement: Option<SettlementProgress>,
    /// What the acquirer downloaded: parameters, CA public keys, IC parameters.
    pub downloads: DownloadedSets,
    /// Management tasks the acquirer asked for and not yet done.
    pub management_due: Vec<ManagementTask>,
    pub previous_batch: Option<SettledBatch>,
    pub exceptions: Vec<ExceptionEntry>,
    /// The life of each request of the current batch, for the operator's query.
    pub history: Vec<History>,
}

/// Records after the journal's last snapshot that make the terminal compact it (to one snapshot
/// of its state) as soon as it has nothing else to do. Restoring a snapshot costs less than half
/// of replaying the records that built it (a day of 5,000 sales: 10,000 records about 67 M fuel,
/// their snapshot about 31 M; docs/PERFORMANCE.md), so this bounds a restart to one snapshot and
/// fewer than this many records. Each compaction rewrites the whole state: a smaller bound would
/// rewrite a long batch more often.
pub const COMPACT_AFTER_RECORDS: usize = 1_000;

/// Batches run 000001..999999 and wrap, like STANs.
pub fn next_batch(batch: u32) -> u32 {
    next_stan(batch)
}

/// STANs run 000001..999999 and wrap (docs/architecture.md, rule 2).
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
            preauths: Vec::new(),
            pending_refunds: Vec::new(),
            pending_advices: Vec::new(),
            ic_failures: Vec::new(),
            settlement: None,
            downloads: DownloadedSets::default(),
            management_due: Vec::new(),
            previous_batch: None,
            exceptions: Vec::new(),
            history: Vec::new(),
        }
    }

    /// Rebuilds the state from journal records, in order.
    pub fn replay<'a>(self, records: impl IntoIterator<Item = &'a [u8]>) -> Result<DurableState, JournalError> {
        self.replay_counting(records).map(|(state, _)| state)
    }

    /// Like [`DurableState::replay`], and how many records follow the journal's last snapshot
    /// (all of them if it has none): what a restart replays record by record.
    pub fn replay_counting<'a>(
        mut self,
        records: impl IntoIterator<Item = &'a [u8]>,
    ) -> Result<(DurableState, usize), JournalError> {
        let mut tail = 0;
        for bytes in records {
            let record = Record::decode(bytes)?;
            tail = if matches!(record, Record::Snapshot(_)) {
                0
            } else {
                tail + 1
            };
            self.apply(record)?;
        }
        Ok((self, tail))
    }

    /// Applies one record. The live terminal and replay both go through here; the record is
    /// taken by value so that its contents move into the state instead of being copied.
    pub fn apply(&mut self, record: Record) -> Result<(), JournalError> {
        self.record_history(&record);
        match record {
            Record::SignedOn { batch, keys } => {
                let keys = WorkingKeys::from_f62(&keys)
                    .map_err(|e| JournalError::Inconsistent(format!("sign-on record with unusable keys: {e}")))?;
                self.signed_on = true;
                self.keys = Some(keys);
                self.batch = batch;
            }
            Record::SignedOff => self.signed_on = false,
            Record::AboutToSend {
                stan, reversal, resend, ..
            } => {
                self.last_stan = stan;
                if let Some(refund) = resend {
                    if !self.pending_refunds.iter().any(|r| r.stan == stan) {
                        self.pending_refunds.push(*refund);
                    }
                }
                if let Some(reversal) = reversal {
                    if self.reversal.is_some() {
                        return Err(JournalError::Inconsistent(format!(
                            "request {stan:06} sent while another reversal was pending"
                        )));
                    }
                    self.reversal = Some(reversal);
                }
            }
            Record::Approved(entry) => self.approve(entry),
            Record::ChipVerdict {
                entry,
                accepted,
                script_advice,
            } => {
                if let Some(advice) = script_advice {
                    self.last_stan = advice.stan;
                    self.pending_advices.push(*advice);
                }
                if accepted {
                    self.approve(entry);
                } else {
                    let pending = self.reversal_mut(entry.stan)?;
                    pending.reason = ReversalReason::CardDeclined;
                    pending.auth_code = Some(entry.auth_code.clone()).filter(|a| !a.is_empty());
                    pending.icc_data = entry.chip.as_ref().map(|c| c.icc.clone());
                    self.ic_failures.push(entry);
                }
            }
            Record::OfflineApproved { entry, advice } => {
                self.last_stan = advice.stan;
                self.pending_advices.push(*advice);
                self.approve(entry);
            }
            Record::AdviceAnswered {
                stan,
                rrn,
                response_code,
            } => {
                self.pending_advices.retain(|a| a.stan != stan);
                if response_code != "00" {
                    self.refused_offline(stan);
                } else if let Some(rrn) = rrn {
                    for entry in self.entries.iter_mut().filter(|e| e.stan == stan && e.rrn.is_empty()) {
                        entry.rrn.clone_from(&rrn);
                    }
                }
            }
            Record::Declined { stan, .. } => {
                self.clear_reversal(stan);
                self.pending_refunds.retain(|r| r.stan != stan);
            }
            Record::ReversalCleared { stan, .. } => self.clear_reversal(stan),
            Record::ReversalUpdated {
                stan,
                reason,
                auth_code,
                icc_data,
            } => {
                let pending = self.reversal_mut(stan)?;
                pending.reason = reason;
                pending.auth_code = auth_code;
                pending.icc_data = icc_data;
            }
            Record::ReversalException { stan } => {
                let pending = self.take_reversal(stan)?;
                self.exceptions.push(ExceptionEntry {
                    stan: pending.stan,
                    transaction: pending.transaction,
                    amount: pending.amount,
                    card: pending.card.masked,
                    reason: pending.reason,
                    acknowledged: false,
                });
            }
            Record::ExceptionAcknowledged { stan } => {
                for exception in self.exceptions.iter_mut().filter(|e| e.stan == stan) {
                    exception.acknowledged = true;
                }
            }
            Record::Settlement(progress) => {
                if let Some(stan) = progress.in_flight_stan {
                    self.last_stan = stan;
                }
                self.settlement = Some(progress);
            }
            Record::Settled(report) => {
                let stans = self.entries.iter().map(|e| e.stan).collect();
                self.previous_batch = Some(SettledBatch {
                    batch: report.batch,
                    stans,
                });
                self.entries.clear();
                self.ic_failures.clear();
                self.history.clear();
                self.settlement = None;
                self.batch = next_batch(report.batch);
            }
            Record::Snapshot(state) => *self = *state,
            Record::ManagementRequested(task) => {
                if !self.management_due.contains(&task) {
                    self.management_due.push(task);
                }
            }
            Record::ParametersInstalled(set) => {
                self.downloads.parameters = Some(set);
                self.management_due.retain(|t| *t != ManagementTask::Parameters);
            }
            Record::CaKeysInstalled(set) => {
                self.downloads.ca_keys = Some(set);
                self.management_due.retain(|t| *t != ManagementTask::CaKeys);
            }
            Record::IcParametersInstalled(set) => {
                self.downloads.ic_parameters = Some(set);
                self.management_due.retain(|t| *t != ManagementTask::IcParameters);
            }
            Record::ManagementDone(task) => self.management_due.retain(|t| *t != task),
            Record::NeverSent { stan } => {
                self.clear_reversal(stan);
                self.pending_refunds.retain(|r| r.stan != stan);
            }
        }
        Ok(())
    }

    fn record_history(&mut self, record: &Record) {
        let (stan, step) = match record {
            Record::AboutToSend {
                stan,
                transaction,
                reversal,
                resend,
            } => {
                // A resent refund keeps its first entry. Only refunds are resent, so only they
                // search the history (a search per request would make replay quadratic).
                let resent = resend.is_some()
                    && self
                        .history
                        .iter()
                        .rev()
                        .any(|h| h.stan == *stan && h.transaction == *transaction);
                if !resent {
                    let amount = reversal
                        .as_ref()
                        .and_then(|r| r.amount)
                        .or(resend.as_ref().map(|r| r.amount));
                    let card = reversal
                        .as_ref()
                        .map(|r| r.card.masked.clone())
                        .or(resend.as_ref().map(|r| r.card.masked.clone()));
                    // Room for the answer too: most lives are "sent, then approved or declined".
                    let mut steps = Vec::with_capacity(2);
                    steps.push(LifeStep::Sent);
                    self.history.push(History {
                        stan: *stan,
                        transaction: *transaction,
                        amount,
                        card,
                        steps,
                    });
                }
                return;
            }
            Record::Approved(entry) => {
                self.closed_by(entry);
                (entry.stan, approved(entry))
            }
            Record::ChipVerdict {
                entry,
                accepted,
                script_advice,
            } => {
                if let Some(advice) = script_advice {
                    self.history.push(advice_life(advice, Vec::new()));
                }
                if !*accepted {
                    let step = LifeStep::ReversalReason {
                        reason: ReversalReason::CardDeclined,
                    };
                    return self.add_step(entry.stan, step);
                }
                self.closed_by(entry);
                (entry.stan, approved(entry))
            }
            Record::OfflineApproved { entry, advice } => {
                self.closed_by(entry);
                self.history.push(advice_life(advice, vec![approved(entry)]));
                return;
            }
            Record::AdviceAnswered {
                stan, response_code, ..
            } => (
                *stan,
                LifeStep::AdviceAnswered {
                    response_code: response_code.clone(),
                },
            ),
            Record::Declined { stan, response_code } => (
                *stan,
                LifeStep::Declined {
                    response_code: response_code.clone(),
                },
            ),
            Record::ReversalUpdated { stan, reason, .. } => (*stan, LifeStep::ReversalReason { reason: *reason }),
            Record::ReversalCleared { stan, response_code } => (
                *stan,
                LifeStep::Reversed {
                    response_code: response_code.clone(),
                },
            ),
            Record::ReversalException { stan } => (*stan, LifeStep::ReversalNotConfirmed),
            Record::ExceptionAcknowledged { stan } => (*stan, LifeStep::ExceptionAcknowledged),
            Record::NeverSent { stan } => (*stan, LifeStep::NeverSent),
            _ => return,
        };
        self.add_step(stan, step);
    }

    /// The original that `entry` (a void, cancel or completion) closes gets a step saying so.
    fn closed_by(&mut self, entry: &BatchEntry) {
        if let Some(original) = entry.original_stan {
            let step = LifeStep::ClosedBy {
                stan: entry.stan,
                transaction: entry.transaction,
            };
            self.add_step(original, step);
        }
    }

    fn add_step(&mut self, stan: u32, step: LifeStep) {
        if let Some(history) = self.history.iter_mut().rev().find(|h| h.stan == stan) {
            history.steps.push(step);
        }
    }

    fn approve(&mut self, entry: BatchEntry) {
        use TransactionKind::*;
        self.clear_reversal(entry.stan);
        self.pending_refunds.retain(|r| r.stan != entry.stan);
        let close = |list: &mut Vec<BatchEntry>| {
            for original in list
                .iter_mut()
                .filter(|e| Some(e.stan) == entry.original_stan && e.closed_by.is_none())
            {
                original.closed_by = Some(entry.stan);
            }
        };
        match entry.transaction.closes() {
            Some(Closes::BatchEntry) => close(&mut self.entries),
            Some(Closes::PreAuth) => close(&mut self.preauths),
            None => {}
        }
        match entry.transaction {
            PreAuth => self.preauths.push(entry),
            PreAuthCancel => {}
            _ => self.entries.push(entry),
        }
    }

    /// The acquirer refused an offline approval's advice: the transaction did not happen. It
    /// leaves the batch, and the pre-authorization it completed is open again.
    fn refused_offline(&mut self, stan: u32) {
        let Some(at) = self
            .entries
            .iter()
            .position(|e| e.stan == stan && e.transaction == TransactionKind::CompletionAdvice)
        else {
            return;
        };
        self.entries.remove(at);
        for preauth in self.preauths.iter_mut().filter(|p| p.closed_by == Some(stan)) {
            preauth.closed_by = None;
        }
    }

    fn clear_reversal(&mut self, stan: u32) {
        if self.reversal.as_ref().is_some_and(|r| r.stan == stan) {
            self.reversal = None;
        }
    }

    fn reversal_mut(&mut self, stan: u32) -> Result<&mut PendingReversal, JournalError> {
        match self.reversal.as_mut() {
            Some(pending) if pending.stan == stan => Ok(pending),
            _ => Err(no_pending_reversal(stan)),
        }
    }

    /// The pending reversal, which must be `stan`'s, taken out of the state.
    fn take_reversal(&mut self, stan: u32) -> Result<Box<PendingReversal>, JournalError> {
        self.reversal
            .take_if(|pending| pending.stan == stan)
            .ok_or_else(|| no_pending_reversal(stan))
    }
}

/// An approval as a step of a life.
fn approved(entry: &BatchEntry) -> LifeStep {
    LifeStep::Approved {
        rrn: entry.rrn.clone(),
        auth_code: entry.auth_code.clone(),
    }
}

/// The life of an advice from its journaling: sent (it goes out once durable), after `first`.
fn advice_life(advice: &PendingResend, mut first: Vec<LifeStep>) -> History {
    first.push(LifeStep::Sent);
    History {
        stan: advice.stan,
        transaction: advice.transaction,
        amount: Some(advice.amount),
        card: Some(advice.card.masked.clone()),
        steps: first,
    }
}

fn no_pending_reversal(stan: u32) -> JournalError {
    JournalError::Inconsistent(format!("no pending reversal for {stan:06}"))
}
