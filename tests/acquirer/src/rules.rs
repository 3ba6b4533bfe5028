//! The approve/decline rules that do not depend on earlier transactions (see the crate docs).

use pos_kernel::security::crypto::{pin_from_clear_block, tdes_decrypt_block, Key};

use crate::cards::{luhn_valid, TestCard};
use crate::clock::LocalTime;
use crate::codes;

/// The response code an amount forces by its last two minor-unit digits, if any:
/// `51`, `05`, `61`, `91`, `96`, and `12` for amounts of at least 1.00.
pub fn forced_code(amount: u64) -> Option<&'static str> {
    match amount % 100 {
        51 => Some(codes::INSUFFICIENT_FUNDS),
        5 => Some(codes::DO_NOT_HONOUR),
        61 => Some(codes::OVER_LIMIT),
        91 => Some(codes::ISSUER_UNAVAILABLE),
        96 => Some(codes::SYSTEM_MALFUNCTION),
        12 if amount >= 100 => Some(codes::INVALID_TRANSACTION),
        _ => None,
    }
}

/// The card for `pan` if it is known and not expired: `14` for an unknown (or Luhn-invalid)
/// PAN, `54` for an expired card.
pub(crate) fn usable_card<'a>(cards: &'a [TestCard], pan: &str, now: &LocalTime) -> Result<&'a TestCard, &'static str> {
    let card = cards
        .iter()
        .find(|c| c.pan == pan && luhn_valid(pan))
        .ok_or(codes::UNKNOWN_CARD)?;
    if card.expired(now.year, now.month) {
        return Err(codes::EXPIRED_CARD);
    }
    Ok(card)
}

/// Verifies the PIN block (F52), if any, against the card.
///
/// A present block is decrypted with the PIK and decoded with the PAN: undecodable → `99`,
/// wrong PIN or a PIN for a card without one → `55`. An absent block is `55` only when
/// `required` and the card has a PIN.
pub(crate) fn check_pin(
    card: &TestCard,
    pin_block: Option<&[u8]>,
    pik: &Key,
    required: bool,
) -> Result<(), &'static str> {
    let Some(block) = pin_block else {
        return if required && card.pin.is_some() {
            Err(codes::WRONG_PIN)
        } else {
            Ok(())
        };
    };
    let block = <[u8; 8]>::try_from(block).map_err(|_| codes::PIN_FORMAT_ERROR)?;
    let pin = pin_from_clear_block(tdes_decrypt_block(pik, block), &card.pan).map_err(|_| codes::PIN_FORMAT_ERROR)?;
    match &card.pin {
        Some(expected) if *expected == pin => Ok(()),
        _ => Err(codes::WRONG_PIN),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffixes() {
        assert_eq!(forced_code(10_000), None);
        assert_eq!(forced_code(10_051), Some("51"));
        assert_eq!(forced_code(5), Some("05"));
        assert_eq!(forced_code(161), Some("61"));
        assert_eq!(forced_code(191), Some("91"));
        assert_eq!(forced_code(196), Some("96"));
        assert_eq!(forced_code(12), None);
        assert_eq!(forced_code(112), Some("12"));
    }
}
