//! Every transaction kind, defined once: its names, its request's shape on the wire and what the
//! rest of the kernel asks of it. Code elsewhere reads these properties rather than listing kinds;
//! the JavaScript side gets the same table from the kernel (`transactionKinds()` of the
//! wasm-bindgen module), so a new kind is a new row here, a `Command` (input.rs), and the WIT.

use serde::{Deserialize, Serialize};

use crate::codec::Mti;

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
    /// Completion advice (预授权完成通知, 0220 type 24): a pre-authorization completed offline
    /// (by voice, or after the fact), in the batch at once and resent until answered.
    CompletionAdvice,
    /// Script result advice (脚本通知, 0620): what the card did with the issuer's scripts.
    ScriptAdvice,
    /// Parameter download (参数下载, 0800 `360`), asked for by the reply header.
    ParameterDownload,
    /// Status upload (状态上送, 0820 `362`).
    StatusUpload,
    /// CA public key update (公钥下载, `372` / `370` / `371`).
    CaKeyDownload,
    /// IC parameter update (IC卡参数下载, `382` / `380` / `381`).
    IcParameterDownload,
}

/// What a card request of one kind looks like on the wire (docs/profile.md §3): MTI, F3, F25, 60.1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct Shape {
    /// Four digits, e.g. `"0200"`.
    #[serde(serialize_with = "mti_digits")]
    #[cfg_attr(feature = "ts", tsify(type = "string"))]
    pub mti: Mti,
    pub processing_code: &'static str,
    pub condition_code: &'static str,
    pub type_code: &'static str,
}

fn mti_digits<S: serde::Serializer>(mti: &Mti, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&mti.digits())
}

/// Which half of the settlement totals an approved transaction counts in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// Charges the card: sales and completions.
    Debit,
    /// Gives money back: voids, refunds, completion voids.
    Credit,
}

/// What an approved transaction of this kind closes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum Closes {
    /// An approved transaction of the batch (a void closes its sale).
    BatchEntry,
    /// An open pre-authorization (a completion or a cancel closes it).
    PreAuth,
}

/// One row of the table: everything the kernel knows about a kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct KindInfo {
    pub kind: TransactionKind,
    /// The name printed on receipts and shown to the operator.
    pub zh: &'static str,
    pub en: &'static str,
    /// A card transaction: its request is built from a card, carries a MAC, and its approval
    /// must carry a valid MAC. None for the network and local kinds.
    pub shape: Option<Shape>,
    /// A reversal record guards the request (docs/profile.md §3, "reversible").
    pub reversible: bool,
    /// The request needs a signed-on terminal.
    pub needs_sign_on: bool,
    /// The settlement totals' half it counts in, if any.
    pub side: Option<Side>,
    /// What its approval closes, if anything.
    pub closes: Option<Closes>,
    /// Money or a hold given back to the cardholder: the slip prints the amount as negative.
    pub gives_back: bool,
}

const fn card(
    mti: Mti,
    processing_code: &'static str,
    condition_code: &'static str,
    type_code: &'static str,
) -> Option<Shape> {
    Some(Shape {
        mti,
        processing_code,
        condition_code,
        type_code,
    })
}

/// A card transaction's row.
const fn row(
    kind: TransactionKind,
    (zh, en): (&'static str, &'static str),
    shape: Option<Shape>,
    reversible: bool,
    side: Option<Side>,
    closes: Option<Closes>,
) -> KindInfo {
    KindInfo {
        kind,
        zh,
        en,
        shape,
        reversible,
        needs_sign_on: true,
        side,
        closes,
        // Credits give money back; a pre-auth cancel gives the hold back.
        gives_back: matches!(side, Some(Side::Credit)) || matches!((side, closes), (None, Some(Closes::PreAuth))),
    }
}

/// A kind without a card: network management, settlement, local work.
const fn plain(kind: TransactionKind, (zh, en): (&'static str, &'static str), needs_sign_on: bool) -> KindInfo {
    KindInfo {
        kind,
        zh,
        en,
        shape: None,
        reversible: false,
        needs_sign_on,
        side: None,
        closes: None,
        gives_back: false,
    }
}

/// The table, one row per kind in the order of [`TransactionKind`] (a test checks it).
#[rustfmt::skip]
pub const KINDS: [KindInfo; 19] = {
    use Closes::*;
    use Side::*;
    use TransactionKind as K;
    const FIN: Mti = Mti::FINANCIAL;
    const AUTH: Mti = Mti::AUTHORIZATION;
    [
        plain(K::SignOn, ("签到", "SIGN-ON"), false),
        plain(K::SignOff, ("签退", "SIGN-OFF"), false),
        plain(K::Echo, ("回响测试", "ECHO TEST"), false),
        //                                                     MTI  F3        F25   60.1  reversible side      closes
        row(K::Sale, ("消费", "SALE"),                          card(FIN, "000000", "00", "22"), true, Some(Debit), None),
        row(K::Balance, ("余额查询", "BALANCE"),                 card(FIN, "310000", "00", "01"), false, None, None),
        row(K::Void, ("消费撤销", "VOID"),                       card(FIN, "200000", "00", "23"), true, Some(Credit), Some(BatchEntry)),
        row(K::Refund, ("退货", "REFUND"),                      card(Mti::REFUND, "200000", "00", "25"), false, Some(Credit), None),
        row(K::PreAuth, ("预授权", "PRE-AUTH"),                  card(AUTH, "030000", "06", "10"), true, None, None),
        row(K::PreAuthCancel, ("预授权撤销", "PRE-AUTH CANCEL"),  card(AUTH, "200000", "06", "11"), true, None, Some(PreAuth)),
        row(K::Completion, ("预授权完成", "COMPLETION"),          card(FIN, "000000", "06", "20"), true, Some(Debit), Some(PreAuth)),
        row(K::CompletionVoid, ("预授权完成撤销", "COMPLETION VOID"), card(FIN, "200000", "06", "21"), true, Some(Credit), Some(BatchEntry)),
        plain(K::Settlement, ("结算", "SETTLEMENT"), true),
        plain(K::AcknowledgeException, ("确认异常", "ACKNOWLEDGE EXCEPTION"), false),
        row(K::CompletionAdvice, ("预授权完成通知", "COMPLETION ADVICE"), card(Mti::REFUND, "000000", "06", "24"), false, Some(Debit), Some(PreAuth)),
        plain(K::ScriptAdvice, ("脚本通知", "SCRIPT ADVICE"), true),
        plain(K::ParameterDownload, ("参数下载", "PARAMETER DOWNLOAD"), true),
        plain(K::StatusUpload, ("状态上送", "STATUS UPLOAD"), true),
        plain(K::CaKeyDownload, ("公钥下载", "CA KEY DOWNLOAD"), true),
        plain(K::IcParameterDownload, ("IC卡参数下载", "IC PARAMETER DOWNLOAD"), true),
    ]
};

impl TransactionKind {
    /// This kind's row of [`KINDS`].
    pub fn info(self) -> &'static KindInfo {
        // The table is in the enum's order (tested), so the discriminant is the row.
        KINDS.get(self as usize).unwrap_or(&KINDS[0])
    }

    /// Whether a reversal record guards the request (docs/profile.md §3, "reversible").
    pub fn is_reversible(self) -> bool {
        self.info().reversible
    }

    /// Whether the request needs a signed-on terminal.
    pub fn needs_sign_on(self) -> bool {
        self.info().needs_sign_on
    }

    /// A card transaction: a request built from a card, sent with a MAC, whose approval must
    /// carry a valid MAC; its shape on the wire.
    pub fn card_shape(self) -> Option<Shape> {
        self.info().shape
    }

    /// Whether this is a card transaction (see [`Self::card_shape`]).
    pub fn is_card_transaction(self) -> bool {
        self.info().shape.is_some()
    }

    /// Sales and completions: the debit side of the settlement totals.
    pub fn is_debit(self) -> bool {
        self.info().side == Some(Side::Debit)
    }

    /// Voids, refunds and completion voids: the credit side of the settlement totals.
    pub fn is_credit(self) -> bool {
        self.info().side == Some(Side::Credit)
    }

    /// What an approval of this kind closes.
    pub fn closes(self) -> Option<Closes> {
        self.info().closes
    }

    /// Whether the operator's command sends a request of its own, which pending advices go
    /// before. A sign-on does not wait (fresh keys may be what an advice needs); local work and
    /// an offline completion send nothing of their own.
    pub fn is_online(self) -> bool {
        use TransactionKind::*;
        !matches!(
            self,
            SignOn
                | AcknowledgeException
                | CompletionAdvice
                | ScriptAdvice
                | ParameterDownload
                | StatusUpload
                | CaKeyDownload
                | IcParameterDownload
        )
    }

    /// An advice (docs/profile.md §7): the acquirer is told of something already done; it is
    /// journaled, then resent with the same STAN until answered, and never reversed.
    pub fn is_advice(self) -> bool {
        matches!(self, TransactionKind::CompletionAdvice | TransactionKind::ScriptAdvice)
    }

    /// The name printed on receipts (中文, English).
    pub fn label(self) -> (&'static str, &'static str) {
        let info = self.info();
        (info.zh, info.en)
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

#[cfg(test)]
mod tests {
    use super::KINDS;

    #[test]
    fn the_table_is_in_the_order_of_the_enum() {
        for (i, info) in KINDS.iter().enumerate() {
            assert_eq!(info.kind as usize, i, "{:?}", info.kind);
            assert_eq!(info.kind.info(), info);
        }
    }

    #[test]
    fn card_transactions_need_sign_on_and_only_they_reverse() {
        for info in KINDS {
            assert!(info.shape.is_none() || info.needs_sign_on, "{:?}", info.kind);
            assert!(!info.reversible || info.shape.is_some(), "{:?}", info.kind);
        }
    }
}
