//! The documented test cards as a terminal's card reader presents them (swiped, inserted, tapped):
//! kernel [`Card`] values for tests, demos and the browser terminal.

use crate::cards::{CHIP_DEBIT, CONTACTLESS, EXPIRED, MAGSTRIPE_DEBIT, SMALL_BALANCE, UNKNOWN, VALID_EXPIRY};
use pos_kernel::{Card, EntryMode};

/// ARQC data a chip card gives for the first GENERATE AC (9F26 cryptogram, 9F27, 9F36 ATC).
pub const ARQC_TLV: &str = "9f2608a1b2c3d4e5f607089f2701809f360200019f100706010a03a0a000";
/// What a chip card returns when it approves at the second GENERATE AC (TC, 9F27 = 40).
pub const TC_TLV: &str = "9f2608d1e2f3a4b5c6d7e89f2701409f36020001";
/// What a chip card returns when it declines at the second GENERATE AC (AAC, 9F27 = 00).
pub const AAC_TLV: &str = "9f2608c0ffee00c0ffee009f2701009f36020001";

fn tlv(hex_text: &str) -> Vec<u8> {
    hex::decode(hex_text).unwrap_or_default()
}

/// A swiped card with its track 2; `pin_entered`: the cardholder types a PIN on the PIN pad
/// (the PIN itself goes to the pad, never into the card data).
pub fn magstripe(pan: &str, expiry: &str, pin_entered: bool) -> Card {
    Card {
        pan: pan.into(),
        entry: EntryMode::Magstripe,
        expiry: Some(expiry.into()),
        track2: Some(format!("{pan}={expiry}1010000000")),
        track3: None,
        sequence: None,
        icc_data: None,
        pin_entered,
        fallback: false,
    }
}

/// A contact chip card; `pin_entered` as for [`magstripe`].
pub fn chip(pan: &str, pin_entered: bool) -> Card {
    Card {
        pan: pan.into(),
        entry: EntryMode::Chip,
        expiry: Some(VALID_EXPIRY.into()),
        track2: Some(format!("{pan}={VALID_EXPIRY}2200000000")),
        track3: None,
        sequence: Some("001".into()),
        icc_data: Some(tlv(ARQC_TLV)),
        pin_entered,
        fallback: false,
    }
}

/// A contactless tap without PIN.
pub fn contactless(pan: &str) -> Card {
    Card {
        pan: pan.into(),
        entry: EntryMode::Contactless,
        expiry: Some(VALID_EXPIRY.into()),
        track2: None,
        track3: None,
        sequence: Some("000".into()),
        icc_data: Some(tlv(ARQC_TLV)),
        pin_entered: false,
        fallback: false,
    }
}

pub fn swiped_debit() -> Card {
    magstripe(MAGSTRIPE_DEBIT, VALID_EXPIRY, true)
}

pub fn chip_debit() -> Card {
    chip(CHIP_DEBIT, true)
}

pub fn tap_credit() -> Card {
    contactless(CONTACTLESS)
}

pub fn small_balance() -> Card {
    magstripe(SMALL_BALANCE, VALID_EXPIRY, true)
}

pub fn expired() -> Card {
    magstripe(EXPIRED, "2001", true)
}

pub fn unknown() -> Card {
    magstripe(UNKNOWN, VALID_EXPIRY, true)
}

pub fn aac() -> Vec<u8> {
    tlv(AAC_TLV)
}
