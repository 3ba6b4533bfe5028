//! Card data at rest: the PAN and expiry the journal must keep (batch upload, reversals, refund
//! resends and voids send them) are kept only sealed: packed into one 16-byte block here, and
//! encrypted by the security module under its data key ([`SecurityModule::seal`]), which never
//! leaves it. People see [`StoredCard::masked`]; a message gets the clear PAN back from
//! [`SecurityModule::unseal`] only while it is built (docs/architecture.md, "Keys, PIN and card
//! data").
//!
//! The block is deterministic (the same card seals to the same bytes under one key), so records
//! stay deterministic and every host produces the same journal.

use serde::{Deserialize, Serialize};

use super::{SecurityError, SecurityModule};

/// The block the data key encrypts: nibbles of the PAN length (2, decimal), the PAN (19, `F`
/// padded), the expiry `YYMM` (4, or `FFFF`), and `F` padding to 32 nibbles.
pub type CardBlock = [u8; 16];

const PAN_NIBBLES: usize = 19;

/// A card as the journal keeps it: masked for people, sealed for messages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct StoredCard {
    /// First 6 and last 4 digits (docs/architecture.md, rule 12).
    pub masked: String,
    /// The PAN and expiry encrypted under the security module's data key.
    #[cfg_attr(feature = "ts", tsify(type = "number[]"))]
    pub sealed: [u8; 16],
}

/// A card's PAN and expiry, clear, while a message is built.
#[derive(Clone, PartialEq, Eq)]
pub struct ClearCard {
    pub pan: String,
    pub expiry: Option<String>,
}

impl core::fmt::Debug for ClearCard {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ClearCard")
            .field("pan", &crate::pan::mask(&self.pan))
            .finish_non_exhaustive()
    }
}

impl StoredCard {
    /// Seals `pan` and `expiry` with `security`'s data key.
    #[inline(never)]
    pub fn seal(
        security: &mut dyn SecurityModule,
        pan: &str,
        expiry: Option<&str>,
    ) -> Result<StoredCard, SecurityError> {
        let sealed = security.seal(pack(pan, expiry)?)?;
        Ok(StoredCard {
            masked: crate::pan::mask(pan),
            sealed,
        })
    }

    /// The clear PAN and expiry, for the message being built.
    #[inline(never)]
    pub fn reveal(&self, security: &mut dyn SecurityModule) -> Result<ClearCard, SecurityError> {
        unpack(security.unseal(self.sealed)?)
    }
}

/// Packs a PAN (12 to 19 digits) and an optional expiry (`YYMM`) into a [`CardBlock`].
#[inline(never)]
pub fn pack(pan: &str, expiry: Option<&str>) -> Result<CardBlock, SecurityError> {
    let (pan, expiry) = (pan.as_bytes(), expiry.unwrap_or_default().as_bytes());
    let length = u8::try_from(pan.len()).map_err(|_| SecurityError::InvalidPan)?;
    let well_formed = (12..=PAN_NIBBLES).contains(&pan.len())
        && (expiry.is_empty() || expiry.len() == 4)
        && pan.iter().chain(expiry).all(u8::is_ascii_digit);
    if !well_formed {
        return Err(SecurityError::InvalidPan);
    }
    // Length (2 nibbles), the PAN padded with F to PAN_NIBBLES, the expiry (or FFFF), then F.
    // Plain indexing into a nibble array: the iterator chain this was cost the Pulley
    // interpreter a call per nibble (docs/PERFORMANCE.md).
    let mut nibbles = [0xFu8; 32];
    let mut put = |at: usize, nibble: u8| {
        if let Some(slot) = nibbles.get_mut(at) {
            *slot = nibble;
        }
    };
    put(0, length / 10);
    put(1, length % 10);
    for (i, digit) in pan.iter().enumerate() {
        put(2 + i, digit - b'0');
    }
    for (i, digit) in expiry.iter().enumerate() {
        put(2 + PAN_NIBBLES + i, digit - b'0');
    }
    let mut block = [0u8; 16];
    for (byte, pair) in block.iter_mut().zip(nibbles.chunks_exact(2)) {
        if let [hi, lo] = *pair {
            *byte = (hi << 4) | lo;
        }
    }
    Ok(block)
}

/// The inverse of [`pack`]; a block that is not one (a wrong data key, damage) is
/// [`SecurityError::InvalidPan`].
#[inline(never)]
pub fn unpack(block: CardBlock) -> Result<ClearCard, SecurityError> {
    let bad = SecurityError::InvalidPan;
    let mut nibbles = block.iter().flat_map(|b| [b >> 4, b & 0x0F]);
    let mut next = || nibbles.next().ok_or(SecurityError::InvalidPan);
    let (tens, units) = (next()?, next()?);
    let length = usize::from(tens * 10 + units);
    if tens > 9 || units > 9 || !(12..=PAN_NIBBLES).contains(&length) {
        return Err(bad);
    }
    let mut pan = String::with_capacity(length);
    let mut expiry = String::with_capacity(4);
    let mut padding_ok = true;
    for position in 0..PAN_NIBBLES + 4 + 7 {
        let nibble = next()?;
        let in_pan = position < length;
        let in_expiry = (PAN_NIBBLES..PAN_NIBBLES + 4).contains(&position);
        match nibble {
            0..=9 if in_pan => pan.push(char::from(b'0' + nibble)),
            0..=9 if in_expiry => expiry.push(char::from(b'0' + nibble)),
            0xF if !in_pan => {}
            _ => padding_ok = false,
        }
    }
    if !padding_ok || pan.len() != length || !(expiry.is_empty() || expiry.len() == 4) {
        return Err(bad);
    }
    Ok(ClearCard {
        pan,
        expiry: (!expiry.is_empty()).then_some(expiry),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_card_packs_and_unpacks() {
        for (pan, expiry) in [
            ("6222020000000007", Some("3012")),
            ("6217000000000000012", None),
            ("622202000007", Some("0101")),
        ] {
            let block = pack(pan, expiry).unwrap();
            let card = unpack(block).unwrap();
            assert_eq!((card.pan.as_str(), card.expiry.as_deref()), (pan, expiry));
        }
    }

    #[test]
    fn what_is_not_a_card_is_refused() {
        assert!(pack("62220200000", None).is_err());
        assert!(pack("62220200000000000001", None).is_err());
        assert!(pack("6222020000000007", Some("12")).is_err());
        assert!(pack("622202000000000X", None).is_err());
        assert!(unpack([0xAB; 16]).is_err());
        let mut block = pack("6222020000000007", None).unwrap();
        block[15] = 0x00;
        assert!(unpack(block).is_err(), "padding must be F");
    }

    #[test]
    fn debug_masks_the_pan() {
        let card = unpack(pack("6222020000000007", Some("3012")).unwrap()).unwrap();
        assert!(!format!("{card:?}").contains("6222020000000007"));
    }
}
