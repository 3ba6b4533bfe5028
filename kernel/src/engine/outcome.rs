//! The end of a transaction: what happened, what to tell people, and the receipt.

use serde::{Deserialize, Serialize};

use super::settlement::SettlementReport;
use super::{EntryMode, ReversalReason, TransactionKind};
use crate::guidance::Guidance;
use crate::security::KeyKind;

/// The final outcome of one command (docs/architecture.md, rule 11).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct Outcome {
    pub transaction: TransactionKind,
    /// STAN of the request, when one was sent.
    pub stan: Option<u32>,
    pub result: OutcomeResult,
    pub guidance: Guidance,
    /// Present for approved card transactions.
    pub receipt: Option<Receipt>,
    /// Balance from F54, for an approved balance inquiry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub balance: Option<String>,
    /// The settlement report, for a finished settlement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settlement: Option<SettlementReport>,
}

/// How the transaction ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "snake_case")]
pub enum OutcomeResult {
    Approved,
    /// The acquirer answered with a response code other than approval.
    Declined {
        response_code: String,
    },
    /// Nothing was charged: the terminal stopped before sending, or a non-financial request failed.
    Failed {
        reason: FailReason,
    },
    /// The outcome was unknown, and the reversal was confirmed: nothing was charged.
    Reversed {
        reason: ReversalReason,
    },
    /// The outcome was unknown and the reversal was not confirmed: it is on the exceptions list.
    ReversalFailed {
        reason: ReversalReason,
    },
    /// The batch is settled, but the acquirer's totals did not agree with the terminal's: every
    /// transaction was uploaded and the batch is closed. The report says which half differed.
    SettledUnbalanced,
}

impl Outcome {
    /// Whether the guidance agrees with the result (docs/architecture.md, "Operator truth"): an
    /// approval is never told as a decline, a decline never as an approval, "the card may have
    /// been charged" only for an unconfirmed reversal or an unbalanced settlement. Every vector
    /// and property-test outcome is checked with this.
    pub fn is_consistent(&self) -> bool {
        use crate::guidance::Category as C;
        let category = self.guidance.category;
        match &self.result {
            OutcomeResult::Approved => category == C::Approved,
            OutcomeResult::Declined { .. } | OutcomeResult::Failed { .. } => {
                !matches!(category, C::Approved | C::Reversed | C::ContactAcquirer)
            }
            OutcomeResult::Reversed { .. } => category == C::Reversed,
            OutcomeResult::ReversalFailed { .. } | OutcomeResult::SettledUnbalanced => category == C::ContactAcquirer,
        }
    }
}

impl Outcome {
    /// The outcome as an operator's console shows it: the headline, what to tell the cardholder
    /// and what the merchant does, the balance, the receipt, the settlement report.
    pub fn render(&self) -> String {
        use core::fmt::Write as _;
        let mut text = String::new();
        let (zh, en) = self.transaction.label();
        let stan = self.stan.map(|s| format!(" {s:06}")).unwrap_or_default();
        let headline = crate::guidance::headline(self.transaction, &self.result);
        let g = &self.guidance;
        let _ = writeln!(text, "== {en} {zh}{stan}: {} / {}", headline.en, headline.zh);
        let _ = writeln!(text, "   cardholder: {} / {}", g.cardholder.en, g.cardholder.zh);
        let _ = writeln!(text, "   merchant:   {} / {}", g.merchant.en, g.merchant.zh);
        if let Some(balance) = &self.balance {
            let _ = writeln!(text, "   balance: {balance}");
        }
        if let Some(receipt) = &self.receipt {
            let _ = writeln!(text, "   ---- receipt ----");
            for line in receipt.render().lines() {
                let _ = writeln!(text, "   {line}");
            }
        }
        if let Some(report) = &self.settlement {
            text.push_str(&report.render());
        }
        text
    }
}

/// Why a command failed without a financial outcome.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "snake_case")]
pub enum FailReason {
    /// A financial transaction needs a signed-on terminal.
    NotSignedOn,
    /// The amount exceeds a configured limit (超限).
    OverLimit { limit: u64 },
    /// The command's data is not usable: which part, and what was expected.
    InvalidInput { problem: InputProblem },
    /// Another operator transaction is in progress.
    Busy,
    /// The journal could not be written, so nothing was sent; the cause as the host gave it.
    JournalUnavailable { cause: String },
    /// The security module refused (keys not loaded, device error).
    SecurityModule { reason: String },
    /// A working key from sign-on failed its check value.
    KeyCheckFailed { key: KeyKind },
    /// The terminal stopped after a journal failure and must be restarted.
    TerminalFailed,
    /// A non-reversible request got no valid reply.
    NoReply,
    /// The transaction a void, refund, cancel or completion refers to cannot be used.
    Original { problem: OriginalProblem },
    /// A settlement is in progress: only `Settle` (to resume it) is accepted.
    SettlementInProgress,
    /// A refund is still unanswered, so the batch cannot be settled yet.
    RefundPending { stan: u32 },
    /// An advice (completion or script result) is still unanswered, so the batch cannot be
    /// settled yet.
    AdvicePending { stan: u32 },
    /// The request never left the terminal (`Input::NotSent`): nothing was charged. The cause as
    /// the host gave it.
    AcquirerUnreachable { cause: String },
    /// The acquirer answered with something the terminal cannot read (a settlement reply whose
    /// F48 result digits are not `1`, `2` or `3`).
    UnreadableReply { detail: String },
    /// The kernel could not build a message from valid input: a bug, reported instead of sent.
    Internal { detail: String },
    /// The card phase ended without a card: what the card reader (or the PIN pad) reported, or
    /// `no_card` at the deadline. Nothing was sent.
    Card { outcome: super::ReaderOutcome },
}

/// What is wrong with a command's data (nothing was sent).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "snake_case")]
pub enum InputProblem {
    /// The amount is zero.
    ZeroAmount,
    /// The card number is not 12 to 19 digits.
    Pan,
    /// The expiry date is not `YYMM`.
    Expiry,
    /// The card sequence number is not 3 digits.
    CardSequence,
    /// Track 2 is not up to 37 digits and `=`.
    Track2,
    /// Track 3 is not up to 104 digits and `=`.
    Track3,
    /// The chip data (F55) is longer than 255 bytes.
    ChipData,
    /// The card says a PIN was entered, but the PIN pad holds none (or not 4 to 12 digits).
    Pin,
    /// The original RRN is not 12 letters or digits.
    OriginalRrn,
    /// The original date is not `MMDD`.
    OriginalDate,
    /// No open exception has that STAN.
    NoOpenException,
    /// The authorization code given by voice is not 6 letters or digits.
    AuthCode,
    /// A `begin` lacks a field its kind needs (amount, original STAN, original RRN and date), or
    /// names a kind that takes no card.
    TransactionFields,
}

/// Why the referenced original transaction cannot be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "snake_case")]
pub enum OriginalProblem {
    /// No approved transaction with that STAN in the current batch (or no open pre-auth).
    NotFound,
    /// It was settled in the previous batch: use a refund instead.
    PreviousBatch,
    /// It is already voided, cancelled or completed.
    AlreadyClosed,
    /// It is not the kind of transaction this command applies to.
    WrongType,
    /// The amount exceeds what the original allows (its amount, or 115% of a pre-auth).
    AmountTooHigh,
    /// The card presented is not the original transaction's card.
    OtherCard,
}

/// What a receipt prints. The PAN is masked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct Receipt {
    pub merchant_name: String,
    pub merchant_id: String,
    pub terminal_id: String,
    pub transaction: TransactionKind,
    pub card: String,
    pub entry: EntryMode,
    pub amount: u64,
    pub currency: String,
    pub batch: u32,
    pub stan: u32,
    pub rrn: String,
    pub auth_code: String,
    /// Local date and time of the approval, `YYYY-MM-DD hh:mm:ss`.
    pub date_time: String,
}

impl Receipt {
    /// The receipt of an approved transaction: the same whether printed now or again later.
    pub fn of(entry: &super::BatchEntry, config: &crate::Config) -> Receipt {
        Receipt {
            merchant_name: config.merchant_name.clone(),
            merchant_id: config.merchant_id.clone(),
            terminal_id: config.terminal_id.clone(),
            transaction: entry.transaction,
            card: entry.card.masked.clone(),
            entry: entry.entry,
            amount: entry.amount,
            currency: config.currency.clone(),
            batch: entry.batch,
            stan: entry.stan,
            rrn: entry.rrn.clone(),
            auth_code: entry.auth_code.clone(),
            date_time: entry.date_time.clone(),
        }
    }

    /// The receipt as printed lines (Chinese / English labels).
    pub fn render(&self) -> String {
        let (zh, en) = self.transaction.label();
        let yuan = self.amount / 100;
        let fen = self.amount % 100;
        let entry = match self.entry {
            EntryMode::Manual => "M",
            EntryMode::Magstripe => "S",
            EntryMode::Chip => "I",
            EntryMode::Contactless => "C",
        };
        format!(
            "商户名称 MERCHANT: {}\n商户编号 MID: {}\n终端编号 TID: {}\n卡号 CARD: {} {}\n\
             交易类型 TYPE: {} {}\n批次号 BATCH: {:06}  凭证号 TRACE: {:06}\n参考号 REF: {}  授权码 AUTH: {}\n\
             日期时间 DATE: {}\n金额 AMOUNT: RMB {}.{:02}\n",
            self.merchant_name,
            self.merchant_id,
            self.terminal_id,
            self.card,
            entry,
            zh,
            en,
            self.batch,
            self.stan,
            self.rrn,
            self.auth_code,
            self.date_time,
            yuan,
            fen
        )
    }
}
