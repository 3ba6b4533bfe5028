//! Names shared by the journal, outputs and outcomes.

use serde::{Deserialize, Serialize};

/// Every transaction the terminal knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "snake_case")]
pub enum TransactionKind {
    SignOn,
    SignOff,
    Echo,
    Sale,
    Balance,
    /// Sale void (撤销), within the batch.
    Void,
    /// Refund (退货), across batches and days.
    Refund,
    PreAuth,
    PreAuthCancel,
    /// Pre-authorization completion.
    Completion,
    CompletionVoid,
    /// Settlement (结算) with batch upload when unbalanced.
    Settlement,
    AcknowledgeException,
}

impl TransactionKind {
    /// Whether a reversal record guards the request (docs/profile.md §3, "reversible").
    pub fn is_reversible(self) -> bool {
        use TransactionKind::*;
        matches!(
            self,
            Sale | Void | PreAuth | PreAuthCancel | Completion | CompletionVoid
        )
    }

    /// Whether the request needs a signed-on terminal.
    pub fn needs_sign_on(self) -> bool {
        self.is_financial() || self == TransactionKind::Settlement
    }

    /// Whether this is a card transaction whose approved reply must carry a valid MAC.
    pub fn is_financial(self) -> bool {
        use TransactionKind::*;
        matches!(
            self,
            Sale | Balance | Void | Refund | PreAuth | PreAuthCancel | Completion | CompletionVoid
        )
    }

    /// Sales and completions: the debit side of the settlement totals.
    pub fn is_debit(self) -> bool {
        matches!(self, TransactionKind::Sale | TransactionKind::Completion)
    }

    /// Voids, refunds and completion voids: the credit side of the settlement totals.
    pub fn is_credit(self) -> bool {
        matches!(
            self,
            TransactionKind::Void | TransactionKind::Refund | TransactionKind::CompletionVoid
        )
    }

    /// The name printed on receipts.
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            TransactionKind::SignOn => ("签到", "SIGN-ON"),
            TransactionKind::SignOff => ("签退", "SIGN-OFF"),
            TransactionKind::Echo => ("回响测试", "ECHO TEST"),
            TransactionKind::Sale => ("消费", "SALE"),
            TransactionKind::Balance => ("余额查询", "BALANCE"),
            TransactionKind::Void => ("消费撤销", "VOID"),
            TransactionKind::Refund => ("退货", "REFUND"),
            TransactionKind::PreAuth => ("预授权", "PRE-AUTH"),
            TransactionKind::PreAuthCancel => ("预授权撤销", "PRE-AUTH CANCEL"),
            TransactionKind::Completion => ("预授权完成", "COMPLETION"),
            TransactionKind::CompletionVoid => ("预授权完成撤销", "COMPLETION VOID"),
            TransactionKind::Settlement => ("结算", "SETTLEMENT"),
            TransactionKind::AcknowledgeException => ("确认异常", "ACKNOWLEDGE EXCEPTION"),
        }
    }
}

/// Why a reversal is sent (F39 of the 0400).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub enum ReversalReason {
    /// No valid reply in time (`98`).
    #[serde(rename = "98")]
    NoReply,
    /// An approval whose MAC failed (`A0`).
    #[serde(rename = "A0")]
    MacFailure,
    /// The chip card declined after the online approval (`06`).
    #[serde(rename = "06")]
    CardDeclined,
}

impl ReversalReason {
    /// The F39 value of the reversal request.
    pub fn code(self) -> &'static str {
        match self {
            ReversalReason::NoReply => "98",
            ReversalReason::MacFailure => "A0",
            ReversalReason::CardDeclined => "06",
        }
    }
}
