//! What the host feeds the kernel. Every call to [`Terminal::handle`](super::Terminal::handle) also
//! carries `now`.

use serde::{Deserialize, Serialize};

use super::output::Timer;

/// One input to the kernel. Unknown keys in the serde shape are refused, so a misspelt field is
/// an error rather than a silently ignored value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Input {
    /// An operator command.
    Command(Command),
    /// A frame received from the acquirer (2-byte length included).
    Receive(
        #[serde(with = "super::hex_bytes")]
        #[cfg_attr(feature = "ts", tsify(type = "string"))]
        Vec<u8>,
    ),
    /// A timer the kernel armed has fired.
    Timer(Timer),
    /// The chip card's verdict after an online approval (EMV second GENERATE AC).
    CardVerdict(CardVerdict),
    /// The card as the reader read it, answering `Output::CardRequired`.
    CardPresented(Card),
    /// The card reader (or the PIN pad) ended or redirected the card phase without a card:
    /// answering `Output::CardRequired` or `Output::PinRequired`, or, for a chip card taken out
    /// while an approval waits for its verdict, `CardRemoved`.
    CardReader(ReaderOutcome),
    /// The cardholder has typed the PIN on the PIN pad, answering `Output::PinRequired`.
    PinEntered,
    /// The last `Persist` output is durable.
    Persisted,
    /// The last `Persist` output could not be made durable.
    PersistFailed(String),
    /// The connection to the acquirer closed after the last frame left: no reply will come on it.
    ConnectionClosed,
    /// The last `Transmit` never left the terminal: no connection could be opened, or the send
    /// failed before any byte was written. The text says why, for the operator ("cannot reach
    /// the acquirer at 127.0.0.1:5900: connection refused"). Nothing reached the acquirer, so
    /// nothing was charged: no reversal is needed for it.
    NotSent(String),
}

/// An operator command.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Command {
    /// Load working keys and the batch number (0800, 60.3 `004`).
    SignOn,
    /// Sign off (0820, 60.3 `002`).
    SignOff,
    /// Echo test (0820, 60.3 `301`).
    Echo,
    /// A sale of `amount` minor units.
    Sale { amount: u64, card: Card },
    /// Balance inquiry; never reversed.
    Balance { card: Card },
    /// Void an approved sale of the current batch, by its STAN. Without a card, the journaled PAN
    /// is used (keyed entry).
    Void {
        original_stan: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        card: Option<Card>,
    },
    /// Refund part or all of a sale of any batch or day, by its RRN and date (`MMDD`).
    Refund {
        amount: u64,
        card: Card,
        original_rrn: String,
        original_date: String,
    },
    /// Pre-authorization: hold `amount` on the card.
    PreAuth { amount: u64, card: Card },
    /// Cancel an open pre-authorization (by its STAN), for its full amount.
    PreAuthCancel { original_stan: u32, card: Card },
    /// Complete an open pre-authorization (by its STAN) for up to 115% of its amount.
    Completion {
        original_stan: u32,
        amount: u64,
        card: Card,
    },
    /// Void a completion of the current batch, by its STAN.
    CompletionVoid {
        original_stan: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        card: Option<Card>,
    },
    /// Complete an open pre-authorization (by its STAN) offline: by voice, or after the fact.
    /// Approved at once with the pre-authorization's card and authorization code (or the code
    /// the issuer gave by voice, 6 characters); its advice (0220, type 24) is resent with the
    /// same STAN until the acquirer answers it. It cannot be voided.
    CompletionAdvice {
        original_stan: u32,
        amount: u64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        auth_code: Option<String>,
    },
    /// A card transaction started before its card is read (docs/architecture.md, rule 19): the
    /// kernel checks what it can, asks for the card (`Output::CardRequired`) and runs the
    /// transaction with the card the host presents (`Input::CardPresented`).
    Begin(Begin),
    /// Settle the batch: totals, batch upload when unbalanced, then the next batch.
    Settle,
    /// The operator has seen an unconfirmed reversal and taken it up with the acquirer.
    AcknowledgeException { stan: u32 },
}

impl Command {
    /// The transaction this command starts.
    pub fn transaction(&self) -> super::TransactionKind {
        use super::TransactionKind as K;
        match self {
            Command::SignOn => K::SignOn,
            Command::SignOff => K::SignOff,
            Command::Echo => K::Echo,
            Command::Sale { .. } => K::Sale,
            Command::Balance { .. } => K::Balance,
            Command::Void { .. } => K::Void,
            Command::Refund { .. } => K::Refund,
            Command::PreAuth { .. } => K::PreAuth,
            Command::PreAuthCancel { .. } => K::PreAuthCancel,
            Command::Completion { .. } => K::Completion,
            Command::CompletionVoid { .. } => K::CompletionVoid,
            Command::CompletionAdvice { .. } => K::CompletionAdvice,
            Command::Begin(begin) => begin.transaction,
            Command::Settle => K::Settlement,
            Command::AcknowledgeException { .. } => K::AcknowledgeException,
        }
    }

    /// The card presented with this command, if any.
    pub fn card(&self) -> Option<&Card> {
        match self {
            Command::Sale { card, .. }
            | Command::Balance { card }
            | Command::Refund { card, .. }
            | Command::PreAuth { card, .. }
            | Command::PreAuthCancel { card, .. }
            | Command::Completion { card, .. } => Some(card),
            Command::Void { card, .. } | Command::CompletionVoid { card, .. } => card.as_ref(),
            _ => None,
        }
    }

    /// This command begun before its card (`Command::Begin`), for a host that runs the card
    /// phase itself: None for the commands that take no card (and for a void without one).
    pub fn begin(&self) -> Option<Begin> {
        let transaction = self.transaction();
        let begin = |amount: Option<u64>, original_stan: Option<u32>| Begin {
            transaction,
            amount,
            original_stan,
            original_rrn: None,
            original_date: None,
        };
        Some(match self {
            Command::Sale { amount, .. } | Command::PreAuth { amount, .. } => begin(Some(*amount), None),
            Command::Balance { .. } => begin(None, None),
            Command::Refund {
                amount,
                original_rrn,
                original_date,
                ..
            } => Begin {
                original_rrn: Some(original_rrn.clone()),
                original_date: Some(original_date.clone()),
                ..begin(Some(*amount), None)
            },
            Command::PreAuthCancel { original_stan, .. } => begin(None, Some(*original_stan)),
            Command::Completion {
                original_stan, amount, ..
            } => begin(Some(*amount), Some(*original_stan)),
            Command::Void {
                original_stan,
                card: Some(_),
            }
            | Command::CompletionVoid {
                original_stan,
                card: Some(_),
            } => begin(None, Some(*original_stan)),
            Command::Begin(begin) => begin.clone(),
            _ => return None,
        })
    }

    /// Whether the kernel asks the security module for a PIN block for this command: the card
    /// says a PIN was entered and the request carries one (a refund does not: docs/profile.md,
    /// "Messages"). A host types the cardholder's PIN on its PIN pad before such a command.
    pub fn takes_pin(&self) -> bool {
        self.transaction() != super::TransactionKind::Refund && self.card().is_some_and(|card| card.pin_entered)
    }
}

/// What a card transaction needs before its card: the kind, and the amount and references its
/// kind takes (amount: sale, pre-auth, refund, completion; `original_stan`: void, pre-auth cancel,
/// completion, completion void; `original_rrn` and `original_date`: refund).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(deny_unknown_fields)]
pub struct Begin {
    pub transaction: super::TransactionKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_stan: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_rrn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_date: Option<String>,
}

impl Begin {
    /// The transaction with its card: the one-shot command. None when a field its kind needs is
    /// missing, or the kind takes no card.
    pub fn with_card(&self, card: Card) -> Option<Command> {
        use super::TransactionKind as K;
        let amount = self.amount;
        let stan = self.original_stan;
        Some(match self.transaction {
            K::Sale => Command::Sale { amount: amount?, card },
            K::Balance => Command::Balance { card },
            K::PreAuth => Command::PreAuth { amount: amount?, card },
            K::Refund => Command::Refund {
                amount: amount?,
                card,
                original_rrn: self.original_rrn.clone()?,
                original_date: self.original_date.clone()?,
            },
            K::Void => Command::Void {
                original_stan: stan?,
                card: Some(card),
            },
            K::PreAuthCancel => Command::PreAuthCancel {
                original_stan: stan?,
                card,
            },
            K::Completion => Command::Completion {
                original_stan: stan?,
                amount: amount?,
                card,
            },
            K::CompletionVoid => Command::CompletionVoid {
                original_stan: stan?,
                card: Some(card),
            },
            _ => return None,
        })
    }
}

/// What the card reader (or the PIN pad) reports instead of a card, named after the EMV
/// outcomes. `TryAgain`, `TryAnotherInterface` and `ChipReadFailed` continue the card phase (the
/// kernel asks for the card again); the others end the transaction, nothing sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "snake_case")]
pub enum ReaderOutcome {
    /// The tap was cut short or the card moved (EMV "Try Again"): tap again.
    TryAgain,
    /// The card asks for another interface (EMV "Try Another Interface"): insert or swipe.
    TryAnotherInterface,
    /// The chip could not be read: swipe the card (a fallback, 60.5).
    ChipReadFailed,
    /// The card or its application ended the transaction (EMV "End Application", card error).
    EndApplication,
    /// The card is blocked.
    CardBlocked,
    /// The card has expired.
    CardExpired,
    /// The card is not activated.
    CardNotActivated,
    /// No card before the deadline (交易超时); the kernel's `card_entry` timer says the same.
    NoCard,
    /// The customer cancelled, at the reader or at the PIN pad.
    Cancelled,
    /// The chip card was taken out; after an online approval the approval is reversed (`06`).
    CardRemoved,
}

impl ReaderOutcome {
    /// Whether the card phase goes on (the kernel asks for the card again).
    pub fn continues(self) -> bool {
        matches!(
            self,
            ReaderOutcome::TryAgain | ReaderOutcome::TryAnotherInterface | ReaderOutcome::ChipReadFailed
        )
    }
}

/// How the card was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "snake_case")]
pub enum EntryMode {
    /// Keyed in (F22 `01`).
    Manual,
    /// Magnetic stripe (F22 `02`).
    Magstripe,
    /// Contact chip (F22 `05`): an online approval waits for the card's second GENERATE AC.
    Chip,
    /// Contactless (F22 `07`).
    Contactless,
}

impl EntryMode {
    /// The two digits of 22.1.
    pub fn f22_prefix(self) -> &'static str {
        match self {
            EntryMode::Manual => "01",
            EntryMode::Magstripe => "02",
            EntryMode::Chip => "05",
            EntryMode::Contactless => "07",
        }
    }
}

/// Card data as read by the terminal. Track data stays in memory only: the kernel never writes
/// it to the journal (docs/architecture.md, "Keys, PIN and card data"). No PIN: that stays in the PIN pad.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(deny_unknown_fields)]
pub struct Card {
    /// Primary account number, 12 to 19 digits.
    pub pan: String,
    pub entry: EntryMode,
    /// Expiry `YYMM` (F14).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiry: Option<String>,
    /// Track 2 equivalent data, digits and `=` (F35).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub track2: Option<String>,
    /// Track 3 data (F36).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub track3: Option<String>,
    /// Card sequence number, 3 digits (F23).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sequence: Option<String>,
    /// EMV data for the request (F55), BER-TLV bytes.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "super::hex_option")]
    #[cfg_attr(feature = "ts", tsify(type = "string"))]
    pub icc_data: Option<Vec<u8>>,
    /// The cardholder typed a PIN on the PIN pad. The PIN itself stays in the pad: the kernel
    /// asks the security module for the encrypted PIN block (F52) and never sees it.
    #[serde(default, skip_serializing_if = "core::ops::Not::not")]
    pub pin_entered: bool,
    /// Magstripe read after a chip read failed (60.5).
    #[serde(default, skip_serializing_if = "core::ops::Not::not")]
    pub fallback: bool,
}

impl Card {
    /// A card number keyed in (F22 `01`): no expiry, tracks or chip data, no PIN.
    pub fn keyed(pan: &str) -> Card {
        Card {
            pan: pan.to_owned(),
            entry: EntryMode::Manual,
            expiry: None,
            track2: None,
            track3: None,
            sequence: None,
            icc_data: None,
            pin_entered: false,
            fallback: false,
        }
    }
}

// Debug must never show a PIN or track data: cards end up in logs.
impl core::fmt::Debug for Card {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Card")
            .field("pan", &crate::pan::mask(&self.pan))
            .field("entry", &self.entry)
            .field("pin_entered", &self.pin_entered)
            .field("track2", &self.track2.as_ref().map(|_| "<redacted>"))
            .finish_non_exhaustive()
    }
}

/// The chip card's answer to the second GENERATE AC.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(deny_unknown_fields)]
pub struct CardVerdict {
    /// True for a TC (card accepts), false for an AAC (card declines).
    pub approved: bool,
    /// The card's TLV data, sent in F55 of the reversal when the card declines.
    #[serde(with = "super::hex_bytes")]
    #[cfg_attr(feature = "ts", tsify(type = "string"))]
    pub icc_data: Vec<u8>,
}
