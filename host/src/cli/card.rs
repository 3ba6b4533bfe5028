//! Card and amount arguments of the transaction commands.
//!
//! posterm has no card reader of its own: a card is keyed in (`--pan`, F22 `01`). With the
//! `test-cards` feature (posterm's `tools`) it also simulates a reader presenting the simulated
//! acquirer's documented test cards (`--test-card`) or any number swiped, inserted or tapped
//! (`--pan --entry`); a vendor's build has neither.

use clap::Args;
#[cfg(feature = "test-cards")]
use clap::ValueEnum;
#[cfg(feature = "test-cards")]
use pos_acquirer_sim::{cards, reader};
use pos_kernel::engine::ReaderOutcome;
use pos_kernel::{Card, EntryMode, Input};

/// The acquirer's documented test cards, as a reader would present them.
#[cfg(feature = "test-cards")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TestCard {
    /// Swiped debit card 6222020000000007 with PIN 123456.
    Swiped,
    /// Contact chip card 6217000000000000012 with PIN 123456.
    Chip,
    /// Contactless tap 6225880000000001, no PIN.
    Tap,
    /// Debit card 6222020000000056 with a balance of 50.00.
    Small,
    /// Expired card 6222020000000080.
    Expired,
    /// A card the bank does not know.
    Unknown,
    /// Foreign (Visa) card 4761739001010010, no PIN.
    Foreign,
}

/// How the simulated reader reads a `--pan`.
#[cfg(feature = "test-cards")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Entry {
    Manual,
    Magstripe,
    Chip,
    Contactless,
}

/// How the card is presented.
#[derive(Debug, Clone, Args)]
pub struct CardArgs {
    /// One of the test cards (the default when no --pan is given).
    #[cfg(feature = "test-cards")]
    #[arg(long, value_enum)]
    pub test_card: Option<TestCard>,
    /// A card number, keyed in (or, with --entry, read by the simulated reader).
    #[cfg(feature = "test-cards")]
    #[arg(long)]
    pub pan: Option<String>,
    /// The card number, keyed in.
    #[cfg(not(feature = "test-cards"))]
    #[arg(long)]
    pub pan: Option<String>,
    #[cfg(feature = "test-cards")]
    #[arg(long, value_enum, requires = "pan")]
    pub entry: Option<Entry>,
    /// Expiry YYMM.
    #[arg(long, requires = "pan")]
    pub expiry: Option<String>,
    /// What the cardholder types on the PIN pad, 4 to 12 digits (for a test card that has a PIN,
    /// its PIN 123456 unless given). The PIN goes to posterm's simulated PIN pad, never into the
    /// kernel: the kernel only learns that a PIN was entered.
    #[arg(long)]
    pub pin: Option<String>,
    /// No PIN is entered (a test card's PIN is not typed).
    #[arg(long, conflicts_with = "pin")]
    pub no_pin: bool,
    /// The chip card declines at the second GENERATE AC (the sale is then reversed, reason 06).
    #[arg(long)]
    pub card_declines: bool,
    /// The chip card is pulled out after the online approval, before the card's verdict (the
    /// sale is then reversed, reason 06).
    #[arg(long, conflicts_with = "card_declines")]
    pub pull_card: bool,
    /// What the card reader reports when the card is first asked for, before it reads the card
    /// (repeat it for several): try-again (the tap was cut short: the card is tapped again),
    /// try-another-interface (then inserted), chip-read-failed (then swiped, as a fallback), or
    /// one that ends the transaction: end-application, card-blocked, card-expired,
    /// card-not-activated, no-card, cancelled.
    #[arg(long = "reader", value_name = "OUTCOME", value_parser = parse_reader)]
    pub reader: Vec<ReaderOutcome>,
    /// The contactless tap is cut short once (as --reader try-again).
    #[arg(long)]
    pub tap_cut: bool,
    /// The card asks for another interface (as --reader try-another-interface).
    #[arg(long)]
    pub wrong_interface: bool,
    /// No card is presented (as --reader no-card): 交易超时, nothing sent.
    #[arg(long)]
    pub no_card: bool,
}

/// A card reader outcome for `--reader`, in the kernel's names (`try-again` or `try_again`).
fn parse_reader(text: &str) -> Result<ReaderOutcome, String> {
    let name = serde_json::Value::String(text.replace('-', "_"));
    match serde_json::from_value::<ReaderOutcome>(name) {
        Ok(ReaderOutcome::CardRemoved) | Err(_) => Err(format!(
            "{text:?} is not a card reader outcome: try-again, try-another-interface, chip-read-failed, \
             end-application, card-blocked, card-expired, card-not-activated, no-card or cancelled \
             (for a card pulled out after the approval, use --pull-card)"
        )),
        Ok(outcome) => Ok(outcome),
    }
}

impl CardArgs {
    /// The card reader's answers, in turn, when the kernel asks for the card: the outcomes of
    /// `--reader` (and its short forms), then the card, read again on the interface the last
    /// outcome leaves (a tap that asks for another interface is inserted; a chip that cannot
    /// be read is swiped). Nothing after an outcome that ends the transaction.
    pub fn reader_answers(&self, card: Card) -> Vec<Input> {
        let mut outcomes = self.reader.clone();
        if self.tap_cut {
            outcomes.push(ReaderOutcome::TryAgain);
        }
        if self.wrong_interface {
            outcomes.push(ReaderOutcome::TryAnotherInterface);
        }
        if self.no_card {
            outcomes.push(ReaderOutcome::NoCard);
        }
        let mut card = card;
        let mut answers = Vec::new();
        for outcome in outcomes {
            answers.push(Input::CardReader(outcome));
            match outcome {
                ReaderOutcome::TryAnotherInterface if card.entry == EntryMode::Contactless => {
                    card = reread(card, EntryMode::Chip);
                }
                ReaderOutcome::ChipReadFailed => card = reread(card, EntryMode::Magstripe),
                ReaderOutcome::TryAgain => {}
                _ => return answers,
            }
        }
        answers.push(Input::CardPresented(card));
        answers
    }

    /// Whether the card phase is simulated step by step (the command is then begun without its
    /// card, and the card reader answers the kernel's requests).
    pub fn simulates_reader(&self) -> bool {
        !self.reader.is_empty() || self.tap_cut || self.wrong_interface || self.no_card
    }
}

/// The same card read on another interface: inserted (track 2 equivalent and a card sequence
/// number; the chip data as tapped) or swiped (track 2, no chip data).
fn reread(card: Card, entry: EntryMode) -> Card {
    let expiry = card.expiry.clone().unwrap_or_default();
    let track2 = Some(format!("{}={expiry}2200000000", card.pan));
    match entry {
        EntryMode::Chip => Card {
            entry,
            track2,
            sequence: card.sequence.clone().or_else(|| Some("001".into())),
            ..card
        },
        _ => Card {
            entry,
            track2,
            sequence: None,
            icc_data: None,
            ..card
        },
    }
}

#[cfg(not(feature = "test-cards"))]
impl CardArgs {
    pub fn card(&self) -> Result<Card, String> {
        let pan = self
            .pan
            .as_deref()
            .ok_or("--pan: the card number is needed (this posterm has no card reader)")?;
        let mut card = Card {
            expiry: self.expiry.clone(),
            ..Card::keyed(pan)
        };
        card.pin_entered = self.typed_pin().is_some();
        Ok(card)
    }

    /// What the cardholder types on the PIN pad: `--pin`.
    pub fn typed_pin(&self) -> Option<String> {
        self.pin.clone().filter(|_| !self.no_pin)
    }
}

/// What the chip card answers at its second GENERATE AC: the simulated card's TC or AAC (with
/// DF31 when the issuer sent scripts); a posterm without test cards has no card of its own and
/// answers with no data.
pub fn second_generate_ac(approve: bool, issuer_data: &[u8]) -> Vec<u8> {
    #[cfg(feature = "test-cards")]
    return reader::second_generate_ac(approve, issuer_data);
    #[cfg(not(feature = "test-cards"))]
    {
        let _ = (approve, issuer_data);
        Vec::new()
    }
}

/// A card as the simulated reader reads it.
#[cfg(feature = "test-cards")]
fn read(pan: &str, entry: EntryMode, expiry: &str, pin_entered: bool) -> Card {
    let chip_data = matches!(entry, EntryMode::Chip | EntryMode::Contactless)
        .then(|| hex::decode(reader::ARQC_TLV).unwrap_or_default());
    Card {
        pan: pan.into(),
        entry,
        expiry: Some(expiry.into()),
        track2: matches!(entry, EntryMode::Magstripe | EntryMode::Chip).then(|| format!("{pan}={expiry}1010000000")),
        track3: None,
        sequence: chip_data.as_ref().map(|_| "001".to_owned()),
        icc_data: chip_data,
        pin_entered,
        fallback: false,
    }
}

#[cfg(feature = "test-cards")]
impl CardArgs {
    /// One of the test cards as its reader presents it, with nothing overridden.
    pub fn test(card: TestCard) -> Card {
        CardArgs {
            test_card: Some(card),
            pan: None,
            entry: None,
            expiry: None,
            pin: None,
            no_pin: false,
            card_declines: false,
            pull_card: false,
            reader: Vec::new(),
            tap_cut: false,
            wrong_interface: false,
            no_card: false,
        }
        .present()
    }

    /// The card the simulated reader presents (never an error: a test card is the default).
    pub fn card(&self) -> Result<Card, String> {
        Ok(self.present())
    }

    fn present(&self) -> Card {
        let mut card = match (&self.pan, self.test_card.unwrap_or(TestCard::Swiped)) {
            (Some(pan), _) => {
                let entry = match self.entry.unwrap_or(Entry::Manual) {
                    Entry::Manual => EntryMode::Manual,
                    Entry::Magstripe => EntryMode::Magstripe,
                    Entry::Chip => EntryMode::Chip,
                    Entry::Contactless => EntryMode::Contactless,
                };
                let mut card = read(pan, entry, self.expiry.as_deref().unwrap_or(cards::VALID_EXPIRY), false);
                if entry == EntryMode::Manual {
                    card.track2 = None;
                }
                card
            }
            (None, TestCard::Swiped) => read(cards::MAGSTRIPE_DEBIT, EntryMode::Magstripe, cards::VALID_EXPIRY, true),
            (None, TestCard::Chip) => read(cards::CHIP_DEBIT, EntryMode::Chip, cards::VALID_EXPIRY, true),
            (None, TestCard::Tap) => read(cards::CONTACTLESS, EntryMode::Contactless, cards::VALID_EXPIRY, false),
            (None, TestCard::Small) => read(cards::SMALL_BALANCE, EntryMode::Magstripe, cards::VALID_EXPIRY, true),
            (None, TestCard::Expired) => read(cards::EXPIRED, EntryMode::Magstripe, "2001", true),
            (None, TestCard::Unknown) => read(cards::UNKNOWN, EntryMode::Magstripe, cards::VALID_EXPIRY, true),
            (None, TestCard::Foreign) => read(cards::FOREIGN, EntryMode::Magstripe, cards::VALID_EXPIRY, false),
        };
        card.pin_entered = self.typed_pin().is_some();
        card
    }

    /// What the cardholder types on the PIN pad: `--pin`, else a test card's own PIN (none with
    /// `--no-pin`, a tap, a foreign card or a keyed-in `--pan`).
    pub fn typed_pin(&self) -> Option<String> {
        if self.no_pin {
            return None;
        }
        if let Some(pin) = &self.pin {
            return Some(pin.clone());
        }
        let card = match (&self.pan, self.test_card.unwrap_or(TestCard::Swiped)) {
            (Some(_), _) => return None,
            (None, card) => card,
        };
        Self::test_pin(card).map(str::to_owned)
    }

    /// The PIN a test card's cardholder types, if the card has one.
    pub fn test_pin(card: TestCard) -> Option<&'static str> {
        match card {
            TestCard::Tap | TestCard::Foreign => None,
            _ => Some(cards::TEST_PIN),
        }
    }
}

/// `12.34` → 1234 minor units. At most two decimals; no sign, no exponent.
pub fn parse_amount(text: &str) -> Result<u64, String> {
    let invalid = || format!("invalid amount {text:?}: use yuan with up to two decimals, e.g. 12.34");
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || fraction.len() > 2
        || !fraction.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(invalid());
    }
    let whole: u64 = whole.parse().map_err(|_| invalid())?;
    let cents: u64 = format!("{fraction:0<2}").parse().map_err(|_| invalid())?;
    whole
        .checked_mul(100)
        .and_then(|w| w.checked_add(cents))
        .ok_or_else(invalid)
}

#[cfg(test)]
mod tests {
    use super::parse_amount;

    #[test]
    fn amounts() {
        assert_eq!(parse_amount("12.34"), Ok(1234));
        assert_eq!(parse_amount("12.3"), Ok(1230));
        assert_eq!(parse_amount("7"), Ok(700));
        assert!(parse_amount("1.234").is_err());
        assert!(parse_amount("-1").is_err());
        assert!(parse_amount(".5").is_err());
        assert!(parse_amount("1e3").is_err());
        assert!(parse_amount("99999999999999999999").is_err());
    }
}
