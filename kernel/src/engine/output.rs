//! What the kernel asks the host to do, in order.

use serde::{Deserialize, Serialize};

use super::downloads::{AidParameters, CaPublicKey, ManagementTask};
use super::outcome::Outcome;
use super::{ReversalReason, TransactionKind};
use crate::guidance::Text;
use crate::time::Timestamp;

/// One output. The host carries them out in the order polled; a `Persist` must be durable (and
/// reported with `Input::Persisted`) before anything after it. The kernel enforces this: after a
/// `Persist` it yields nothing more until the host answers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "snake_case")]
pub enum Output {
    /// Append this record (deterministic bytes, see [`super::Record`]) to the journal and sync it.
    Persist(
        #[serde(with = "super::hex_bytes")]
        #[cfg_attr(feature = "ts", tsify(type = "string"))]
        Vec<u8>,
    ),
    /// Replace the whole journal with this one snapshot record, durably (write aside, sync, rename).
    /// Answered like `Persist`.
    Compact(
        #[serde(with = "super::hex_bytes")]
        #[cfg_attr(feature = "ts", tsify(type = "string"))]
        Vec<u8>,
    ),
    /// Keep this settled batch ([`super::ArchivedBatch`], encoded) in the archive of settled
    /// batches, durably, replacing any earlier copy of the same batch. It always comes right
    /// before the `Compact` that removes the batch from the journal: if it cannot be stored,
    /// answer that `Compact` with `PersistFailed` without compacting (the batch stays in the
    /// journal and the settlement finishes again after a restart). Not answered itself.
    Archive(
        #[serde(with = "super::hex_bytes")]
        #[cfg_attr(feature = "ts", tsify(type = "string"))]
        Vec<u8>,
    ),
    /// Send this frame to the acquirer (2-byte length included).
    Transmit(
        #[serde(with = "super::hex_bytes")]
        #[cfg_attr(feature = "ts", tsify(type = "string"))]
        Vec<u8>,
    ),
    /// Fire `timer` at `at` (replacing any earlier arming of the same timer).
    ArmTimer { timer: Timer, at: Timestamp },
    /// Forget `timer`.
    CancelTimer(Timer),
    /// Something to display or log. PANs in events are masked.
    Event(Event),
    /// The final outcome of a transaction: exactly one per command.
    Outcome(Box<Outcome>),
    /// Ask for the card: show the prompt, read a card on one of the interfaces allowed, and
    /// answer with `Input::CardPresented` or `Input::CardReader` (docs/architecture.md, rule 19).
    CardRequired(CardRequest),
    /// Ask the PIN pad for the cardholder's PIN (the PIN stays in the pad), and answer with
    /// `Input::PinEntered`, or `Input::CardReader(Cancelled)` if the cardholder cancels.
    PinRequired(PinRequest),
    /// The CA public keys and AID parameters the card reader works with, whole: after the
    /// acquirer downloaded a new set, and after a restart when sets are held. Give them to the
    /// card reader (EMV kernel); not answered.
    CardReaderData(CardReaderData),
}

/// What the card reader needs from the acquirer's downloads (docs/profile.md §7).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct CardReaderData {
    pub ca_keys: Vec<CaPublicKey>,
    pub aids: Vec<AidParameters>,
}

/// What the card reader is asked for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct CardRequest {
    pub transaction: TransactionKind,
    /// The amount to show, if the transaction has one.
    pub amount: Option<u64>,
    /// The interfaces the card may be read on now.
    pub interfaces: Interfaces,
    /// A magstripe read now is a fallback after a chip read failure (60.5).
    pub fallback: bool,
    /// What to tell the cardholder (请刷卡/插卡/挥卡, tap again, insert ...).
    pub prompt: Text,
    /// No card by then ends the transaction (the `card_entry` timer is armed for it).
    pub deadline: Timestamp,
}

/// The card reader's interfaces a card may be read on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct Interfaces {
    pub magstripe: bool,
    pub chip: bool,
    pub contactless: bool,
}

/// What the PIN pad is asked for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct PinRequest {
    pub transaction: TransactionKind,
    pub amount: Option<u64>,
    /// What to tell the cardholder (请输入密码).
    pub prompt: Text,
    pub deadline: Timestamp,
}

/// The kernel's timers: one small table, at most one deadline each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "snake_case")]
pub enum Timer {
    /// The reply to the outstanding request is due.
    Response,
    /// The next attempt of a pending reversal or refund is due.
    Retry,
    /// The chip card's verdict (second GENERATE AC) is due: without it by then, the card counts
    /// as having declined (pulled out), and the approval is reversed with reason `06`.
    Card,
    /// The card (or the PIN) asked for is due: without it by then the transaction ends, nothing
    /// sent (交易超时).
    CardEntry,
}

/// Progress and diagnostics for the display and the log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// A request is going out.
    Sending { transaction: TransactionKind, stan: u32 },
    /// A received frame was not an answer to the outstanding request; it changes nothing.
    ReplyIgnored { reason: String },
    /// The outcome of a reversible request is unknown; a reversal follows.
    OutcomeUnknown {
        transaction: TransactionKind,
        stan: u32,
        reason: ReversalReason,
    },
    /// A reversal attempt is going out.
    ReversalSent { stan: u32, attempt: u32 },
    /// The online approval waits for the chip card's second GENERATE AC.
    CardVerdictRequired {
        stan: u32,
        #[serde(with = "super::hex_bytes")]
        #[cfg_attr(feature = "ts", tsify(type = "string"))]
        issuer_data: Vec<u8>,
    },
    /// The acquirer asked the terminal to sign on again.
    SignOnRequired,
    /// A journal write failed after the point of no return: restart the terminal from its journal.
    JournalFailed { reason: String },
    /// A refund got no answer: it stays pending and is resent with the same STAN.
    RefundPending { stan: u32 },
    /// An advice got no answer: it stays pending and is resent with the same STAN.
    AdvicePending { transaction: TransactionKind, stan: u32 },
    /// The acquirer answered an advice (any response code ends its resending).
    AdviceAnswered {
        transaction: TransactionKind,
        stan: u32,
        response_code: String,
    },
    /// Settlement progress, for the display.
    SettlementStep { phase: String },
    /// The request with this STAN never left the terminal (`Input::NotSent`), for the log.
    NotSent { stan: u32, cause: String },
    /// Progress of a management task the acquirer asked for (a request, a step, a key refused,
    /// the set installed or kept), for the display and the log.
    Management { task: ManagementTask, step: String },
    /// The reply header asked for something this terminal does not do (an R digit of 6 to 9):
    /// logged and ignored.
    HeaderRequestIgnored { digit: u8 },
}
