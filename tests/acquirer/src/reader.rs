//! The documented test cards as a terminal's card reader presents them (swiped, inserted, tapped):
//! kernel [`Card`] values for tests, demos and the browser terminal.

use crate::cards::{CHIP_DEBIT, CONTACTLESS, EXPIRED, MAGSTRIPE_DEBIT, SMALL_BALANCE, UNKNOWN, VALID_EXPIRY};
use pos_kernel::{Card, EntryMode};

/// What a chip card and the terminal give for the first GENERATE AC (F55 of the request): 9F26
/// the ARQC, 9F27 `80`, 9F10 issuer application data, 9F37 unpredictable number, 9F36 ATC, 95
/// TVR, 9A date, 9C type, 9F02 amount, 5F2A currency, 82 AIP, 9F1A country, 9F33 capabilities.
pub const ARQC_TLV: &str = concat!(
    "9f2608a1b2c3d4e5f60708",
    "9f270180",
    "9f100706010a03a0a000",
    "9f37041a2b3c4d",
    "9f36020001",
    "95050000000000",
    "9a03261121",
    "9c0100",
    "9f0206000000000000",
    "5f2a020156",
    "82027c00",
    "9f1a020156",
    "9f3303e0f1c8",
);
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

/// What the test chip card answers at its second GENERATE AC, given the issuer's data of the
/// approval (its F55): TC or AAC, and when the issuer sent scripts (tags 71, 72), DF31 with one
/// result per script (`20` performed, then the script identifier 9F18, or zeros).
pub fn second_generate_ac(approve: bool, issuer_data: &[u8]) -> Vec<u8> {
    let mut out = tlv(if approve { TC_TLV } else { AAC_TLV });
    let scripts: Vec<&[u8]> = pos_kernel::codec::tlv::parse(issuer_data)
        .unwrap_or_default()
        .into_iter()
        .filter(|t| t.tag == [0x71] || t.tag == [0x72])
        .map(|t| t.value)
        .collect();
    if !scripts.is_empty() {
        let mut results = Vec::new();
        for script in scripts {
            let id = pos_kernel::codec::tlv::find(script, &[0x9f, 0x18]).unwrap_or(&[0, 0, 0, 0]);
            results.push(0x20);
            results.extend_from_slice(id.get(..4).unwrap_or(&[0, 0, 0, 0]));
        }
        pos_kernel::codec::tlv::push(&mut out, &[0xdf, 0x31], &results);
    }
    out
}
