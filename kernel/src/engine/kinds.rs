//! Names shared by the journal, outputs and outcomes.

use serde::{Deserialize, Serialize};

/// Every transaction the terminal knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransactionKind {
    SignOn,
    SignOff,
    Echo,
    Sale,
    Balance,
    AcknowledgeException,
}

impl TransactionKind {
    /// Whether a reversal record guards the request (PROFILE.md §3, "reversible").
    pub fn is_reversible(self) -> bool {
        matches!(self, TransactionKind::Sale)
    }

    /// Whether the request needs a signed-on terminal.
    pub fn needs_sign_on(self) -> bool {
        matches!(self, TransactionKind::Sale | TransactionKind::Balance)
    }

    /// Whether this is a card transaction whose approved reply must carry a valid MAC.
    pub fn is_financial(self) -> bool {
        matches!(self, TransactionKind::Sale | TransactionKind::Balance)
    }

    /// The name printed on receipts.
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            TransactionKind::SignOn => ("签到", "SIGN-ON"),
            TransactionKind::SignOff => ("签退", "SIGN-OFF"),
            TransactionKind::Echo => ("回响测试", "ECHO TEST"),
            TransactionKind::Sale => ("消费", "SALE"),
            TransactionKind::Balance => ("余额查询", "BALANCE"),
            TransactionKind::AcknowledgeException => ("确认异常", "ACKNOWLEDGE EXCEPTION"),
        }
    }
}

/// Why a reversal is sent (F39 of the 0400).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
