//! The bank's test cards (see the crate docs for the table).

use serde::{Deserialize, Serialize};

/// PIN of every test card that has one.
pub const TEST_PIN: &str = "123456";

/// Magstripe debit card, PIN [`TEST_PIN`], balance 1,000,000.00.
pub const MAGSTRIPE_DEBIT: &str = "6222020000000007";
/// Chip (contact IC) debit card, 19 digits, PIN [`TEST_PIN`], balance 50,000.00.
pub const CHIP_DEBIT: &str = "6217000000000000012";
/// Contactless credit card, no PIN, credit available 20,000.00.
pub const CONTACTLESS: &str = "6225880000000001";
/// Debit card with a small balance: 50.00, PIN [`TEST_PIN`].
pub const SMALL_BALANCE: &str = "6222020000000056";
/// Expired card (expiry 2001, i.e. January 2020), PIN [`TEST_PIN`], balance 10,000.00.
pub const EXPIRED: &str = "6222020000000080";
/// Foreign (Visa) card, no PIN, balance 100,000.00; counted under "foreign" in settlement.
pub const FOREIGN: &str = "4761739001010010";
/// A Luhn-valid PAN the bank does not know (declined `14`).
pub const UNKNOWN: &str = "6222999999999990";

/// Expiry of the valid test cards: December 2030.
pub const VALID_EXPIRY: &str = "3012";

/// One card the bank knows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestCard {
    /// Primary account number, 16 to 19 digits, Luhn-valid.
    pub pan: String,
    /// The PIN, or `None` for a card without one (any PIN sent for it is wrong).
    pub pin: Option<String>,
    /// Expiry `YYMM` (20YY); the card is valid through the end of that month.
    pub expiry: String,
    /// Opening balance (or credit available), in minor units.
    pub balance: u64,
    /// Issued abroad: settles under the "foreign" half of F48 and uploads as organisation `01`.
    pub foreign: bool,
}

impl TestCard {
    fn new(pan: &str, pin: Option<&str>, expiry: &str, balance: u64, foreign: bool) -> Self {
        TestCard {
            pan: pan.to_owned(),
            pin: pin.map(str::to_owned),
            expiry: expiry.to_owned(),
            balance,
            foreign,
        }
    }

    /// Whether the card has expired on the local date `year`-`month`. An expiry that is not
    /// four digits counts as expired.
    pub(crate) fn expired(&self, year: i64, month: u8) -> bool {
        let parsed = self
            .expiry
            .get(0..2)
            .zip(self.expiry.get(2..4))
            .filter(|_| self.expiry.len() == 4)
            .and_then(|(yy, mm)| Some((yy.parse::<i64>().ok()?, mm.parse::<u8>().ok()?)));
        match parsed {
            Some((yy, mm)) if (1..=12).contains(&mm) => (2000 + yy, mm) < (year, month),
            _ => true,
        }
    }
}

/// The documented test cards, in the order of the crate docs' table.
pub fn test_cards() -> Vec<TestCard> {
    let pin = Some(TEST_PIN);
    vec![
        TestCard::new(MAGSTRIPE_DEBIT, pin, VALID_EXPIRY, 100_000_000, false),
        TestCard::new(CHIP_DEBIT, pin, VALID_EXPIRY, 5_000_000, false),
        TestCard::new(CONTACTLESS, None, VALID_EXPIRY, 2_000_000, false),
        TestCard::new(SMALL_BALANCE, pin, VALID_EXPIRY, 5_000, false),
        TestCard::new(EXPIRED, pin, "2001", 1_000_000, false),
        TestCard::new(FOREIGN, None, VALID_EXPIRY, 10_000_000, true),
    ]
}

/// The test cards with `factor` times their documented balances, so that a long run (a fleet
/// of terminals, a benchmark) does not empty them.
pub fn test_cards_with_balances_times(factor: u64) -> Vec<TestCard> {
    let mut cards = test_cards();
    for card in &mut cards {
        card.balance = card.balance.saturating_mul(factor);
    }
    cards
}

/// Whether `pan` is 13 to 19 digits with a valid Luhn check digit.
pub fn luhn_valid(pan: &str) -> bool {
    if !(13..=19).contains(&pan.len()) || !pan.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let sum: u32 = pan
        .bytes()
        .rev()
        .map(|b| u32::from(b - b'0'))
        .enumerate()
        .map(|(i, d)| match (i % 2, d * 2) {
            (0, _) => d,
            (_, doubled) if doubled > 9 => doubled - 9,
            (_, doubled) => doubled,
        })
        .sum();
    sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_pans_are_luhn_valid() {
        for card in test_cards() {
            assert!(luhn_valid(&card.pan), "{}", card.pan);
            assert!((16..=19).contains(&card.pan.len()));
        }
        assert!(luhn_valid(UNKNOWN));
        assert!(!luhn_valid("6222020000000008"));
    }

    #[test]
    fn expiry_is_inclusive_of_its_month() {
        let card = TestCard::new(EXPIRED, None, "2001", 0, false);
        assert!(!card.expired(2020, 1));
        assert!(card.expired(2020, 2));
        assert!(card.expired(2021, 1));
    }
}
