//! What a batch holds: its approved transactions and the reversals never confirmed. The journal
//! keeps them (journal.rs) and settlement totals and uploads them (settlement.rs); both read
//! these types, neither owns them.

use serde::{Deserialize, Serialize};

use super::{EntryMode, ReversalReason, TransactionKind};
use crate::security::StoredCard;

/// An approved transaction: in the current batch, or an open pre-authorization.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct BatchEntry {
    pub stan: u32,
    pub batch: u32,
    pub transaction: TransactionKind,
    pub entry: EntryMode,
    /// The card: masked for people; sealed, because batch upload and a keyed void send the PAN
    /// (docs/profile.md §3).
    pub card: StoredCard,
    pub amount: u64,
    pub rrn: String,
    pub auth_code: String,
    /// Local date and time of the approval, `YYYY-MM-DD hh:mm:ss`.
    pub date_time: String,
    /// Local date of the approval, `MMDD` (61.3 of later references).
    pub date: String,
    /// For a void, completion or cancel: the STAN of the transaction it refers to.
    pub original_stan: Option<u32>,
    /// The STAN of the void, cancel or completion that closed this entry.
    pub closed_by: Option<u32>,
    /// A chip or contactless approval's evidence, for its upload at settlement.
    pub chip: Option<ChipEvidence>,
}

/// What the chip evidence of an approval holds (docs/profile.md §7, "Chip evidence"): the
/// request's F22 and F23 and the card's data, for its TC upload or IC failure upload.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct ChipEvidence {
    /// F22 of the request (entry mode and PIN digit).
    pub pos_entry: String,
    /// F23, the card sequence number, when the card had one.
    pub sequence: Option<String>,
    /// The request's F55 with the card's second GENERATE AC over it (TC or AAC, DF31): a
    /// contactless approval, which has no second GENERATE AC, keeps the tap's data.
    #[serde(with = "serde_bytes")]
    #[cfg_attr(feature = "ts", tsify(type = "Uint8Array"))]
    pub icc: Vec<u8>,
}

/// The last settled batch, so a void of one of its sales gets a clear answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct SettledBatch {
    pub batch: u32,
    pub stans: Vec<u32>,
}

/// A reversal that was never confirmed: the card may have been charged.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct ExceptionEntry {
    pub stan: u32,
    pub transaction: TransactionKind,
    pub amount: Option<u64>,
    pub card: String,
    pub reason: ReversalReason,
    pub acknowledged: bool,
}
