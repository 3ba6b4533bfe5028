//! What an operator asks the terminal: is it signed on, what is pending, what needs attention.

use serde::{Deserialize, Serialize};

use super::batch::ExceptionEntry;
use super::downloads::{DownloadedSets, ManagementTask};
use super::{ReversalReason, TransactionKind};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct Status {
    pub signed_on: bool,
    /// The acquirer asked for a new sign-on.
    pub sign_on_required: bool,
    pub batch: u32,
    /// Last STAN used (0 before the first request).
    pub last_stan: u32,
    /// A transaction, reversal or resend is in progress.
    pub busy: bool,
    /// The operator's request the terminal is waiting on (the acquirer's reply, or the chip
    /// card's verdict). Its write-ahead reversal is not shown as pending meanwhile.
    pub in_flight: Option<InFlight>,
    /// A reversal whose request's outcome is unknown: sent until the acquirer confirms it.
    pub pending_reversal: Option<PendingReversalStatus>,
    /// Unconfirmed reversals; acknowledged ones stay listed with `acknowledged: true`.
    pub exceptions: Vec<ExceptionEntry>,
    /// Refunds sent and not yet answered (resent with the same STAN).
    pub pending_refunds: Vec<PendingRefundStatus>,
    /// Completion and script result advices not yet answered (resent with the same STAN).
    pub pending_advices: Vec<PendingAdviceStatus>,
    /// A settlement was started and has not finished.
    pub settlement_in_progress: bool,
    /// Approved transactions in the current batch.
    pub approved_count: usize,
    /// What the batch comes to so far, in minor units: the debit total less the credit total
    /// (negative when more was given back than charged).
    pub net_total: i64,
    /// Debit (sales, completions) and credit (voids, refunds, completion voids) totals so far.
    pub debit_total: u64,
    pub credit_total: u64,
    /// Open pre-authorizations.
    pub open_preauths: usize,
    /// What the acquirer downloaded (parameters, CA keys, IC parameters), each with its date.
    pub downloads: DownloadedSets,
    /// Management tasks the acquirer asked for that have not run yet (or are being retried).
    pub management_due: Vec<ManagementTask>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct PendingRefundStatus {
    pub stan: u32,
    pub amount: u64,
    /// Masked PAN.
    pub card: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct PendingAdviceStatus {
    pub stan: u32,
    pub transaction: TransactionKind,
    pub amount: u64,
    /// Masked PAN.
    pub card: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct PendingReversalStatus {
    pub stan: u32,
    pub transaction: TransactionKind,
    pub amount: Option<u64>,
    /// Masked PAN.
    pub card: String,
    pub reason: ReversalReason,
}

/// A request in flight: "waiting for the acquirer" (or for the card), not "reversal pending".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct InFlight {
    pub transaction: TransactionKind,
    /// Its STAN (a settlement step not yet numbered has none).
    pub stan: Option<u32>,
    pub waiting_for: WaitingFor,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "snake_case")]
pub enum WaitingFor {
    /// The acquirer's reply.
    Acquirer,
    /// The chip card's second GENERATE AC after an online approval.
    Card,
    /// The customer's card, asked for before anything is sent.
    CardEntry,
    /// The cardholder's PIN on the PIN pad.
    Pin,
}
