//! Packed BCD: two characters per byte, high nibble first.
//!
//! The MTI, the length prefixes and every n/z field share these helpers so that there is one
//! strict rule set: `unpack_bcd` accepts exactly the bytes `pack_bcd` can produce, which is what
//! makes decode-then-encode reproduce the wire bytes.

/// Where the pad nibble goes when an odd number of characters is packed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Align {
    /// Leading 0 nibble (fixed numerics): `123` packs as `01 23`.
    Right,
    /// Trailing 0 nibble (variable numerics, track data, F22): `123` packs as `12 30`.
    Left,
}

/// The characters a data nibble may stand for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Alphabet {
    /// `0`..=`9` only (type n).
    Digits,
    /// `0`..=`9` plus the field separator `=` as nibble `D` (type z, track data).
    Track,
}

/// Why packed bytes could not be unpacked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BcdError {
    /// The byte count does not match the character count.
    Length,
    /// A data nibble outside the alphabet.
    Nibble(u8),
    /// The pad nibble of an odd count was not 0.
    Padding,
}

impl Alphabet {
    fn nibble(self, ch: u8) -> Option<u8> {
        match (self, ch) {
            (_, b'0'..=b'9') => Some(ch - b'0'),
            (Alphabet::Track, b'=') => Some(0xD),
            _ => None,
        }
    }

    fn char(self, nibble: u8) -> Option<u8> {
        match (self, nibble) {
            (_, 0..=9) => Some(b'0' + nibble),
            (Alphabet::Track, 0xD) => Some(b'='),
            _ => None,
        }
    }
}

/// Bytes needed to pack `chars` characters.
pub const fn packed_len(chars: usize) -> usize {
    chars.div_ceil(2)
}

/// Packs ASCII `text` (digits, and `=` for [`Alphabet::Track`]); `None` if a character is not
/// in the alphabet.
pub fn pack_bcd(text: &[u8], alphabet: Alphabet, align: Align) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(packed_len(text.len()));
    pack_bcd_into(text, alphabet, align, &mut out)?;
    Some(out)
}

/// [`pack_bcd`], appending to `out` (the encoder's hot path: no allocation of its own). On
/// `None`, `out` is left as it was.
pub fn pack_bcd_into(text: &[u8], alphabet: Alphabet, align: Align, out: &mut Vec<u8>) -> Option<()> {
    // Plain loops, not iterator adapters: the wasm build is optimized for size, and the Pulley
    // interpreter pays for every call the adapters leave in (docs/PERFORMANCE.md).
    let start = out.len();
    out.reserve(packed_len(text.len()));
    // `123` right-aligned packs as `01 23` (the pad nibble first), left-aligned as `12 30`.
    let mut high = if text.len() % 2 == 1 && align == Align::Right {
        Some(0)
    } else {
        None
    };
    for &ch in text {
        let Some(nibble) = alphabet.nibble(ch) else {
            out.truncate(start);
            return None;
        };
        match high.take() {
            Some(hi) => out.push(hi << 4 | nibble),
            None => high = Some(nibble),
        }
    }
    if let Some(hi) = high {
        out.push(hi << 4);
    }
    Some(())
}

/// Unpacks exactly `chars` characters from `packed`, which must be exactly
/// [`packed_len`]`(chars)` bytes. The pad nibble must be 0.
pub fn unpack_bcd(packed: &[u8], chars: usize, alphabet: Alphabet, align: Align) -> Result<Vec<u8>, BcdError> {
    let mut out = Vec::with_capacity(chars);
    unpack_bcd_into(packed, chars, alphabet, align, &mut out)?;
    Ok(out)
}

/// [`unpack_bcd`], appending to `out`. On error, `out` is left as it was.
pub fn unpack_bcd_into(
    packed: &[u8],
    chars: usize,
    alphabet: Alphabet,
    align: Align,
    out: &mut Vec<u8>,
) -> Result<(), BcdError> {
    if packed.len() != packed_len(chars) {
        return Err(BcdError::Length);
    }
    let odd = chars % 2 == 1;
    if odd {
        let pad = match align {
            Align::Right => packed.first().map(|b| b >> 4),
            Align::Left => packed.last().map(|b| b & 0x0F),
        };
        if pad != Some(0) {
            return Err(BcdError::Padding);
        }
    }
    // The pad nibble is 0 (a digit), so the first nibble outside the alphabet, in order, is the
    // first bad data nibble. Plain loops, as in `pack_bcd_into`.
    let start = out.len();
    out.reserve(chars);
    let mut skip = odd && align == Align::Right;
    let mut left = chars;
    for &byte in packed {
        for nibble in [byte >> 4, byte & 0x0F] {
            let Some(ch) = alphabet.char(nibble) else {
                out.truncate(start);
                return Err(BcdError::Nibble(nibble));
            };
            if skip {
                skip = false;
            } else if left > 0 {
                out.push(ch);
                left -= 1;
            }
        }
    }
    Ok(())
}

/// Reads a BCD number (MTI, length prefix); `Err` carries the first nibble above 9.
pub fn bcd_to_number(packed: &[u8]) -> Result<usize, u8> {
    packed
        .iter()
        .flat_map(|&b| [b >> 4, b & 0x0F])
        .try_fold(0usize, |acc, n| {
            if n > 9 {
                Err(n)
            } else {
                Ok(acc.saturating_mul(10).saturating_add(usize::from(n)))
            }
        })
}

/// Writes `value` as `bytes` bytes of BCD, zero-filled on the left; `None` if it does not fit.
pub fn number_to_bcd(value: usize, bytes: usize) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(bytes);
    number_to_bcd_into(value, bytes, &mut out)?;
    Some(out)
}

/// [`number_to_bcd`], appending to `out`. On `None`, `out` is left as it was.
pub fn number_to_bcd_into(value: usize, bytes: usize, out: &mut Vec<u8>) -> Option<()> {
    let start = out.len();
    out.resize(start.saturating_add(bytes), 0);
    let mut rest = value;
    // Two digits per byte, from the least significant end.
    for byte in out.get_mut(start..).unwrap_or_default().iter_mut().rev() {
        let low = rest % 10;
        let high = (rest / 10) % 10;
        rest /= 100;
        // Both are below 10.
        *byte = u8::try_from(high << 4 | low).unwrap_or(0);
    }
    if rest != 0 {
        out.truncate(start);
        return None;
    }
    Some(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test(unsupported = test)]
    fn right_and_left_alignment() {
        assert_eq!(pack_bcd(b"021", Alphabet::Digits, Align::Left).unwrap(), [0x02, 0x10]);
        assert_eq!(pack_bcd(b"021", Alphabet::Digits, Align::Right).unwrap(), [0x00, 0x21]);
        assert_eq!(pack_bcd(b"1=2", Alphabet::Track, Align::Left).unwrap(), [0x1D, 0x20]);
        assert_eq!(pack_bcd(b"1=2", Alphabet::Digits, Align::Left), None);
        assert_eq!(
            unpack_bcd(&[0x1D, 0x20], 3, Alphabet::Track, Align::Left).unwrap(),
            b"1=2"
        );
        assert_eq!(
            unpack_bcd(&[0x1D, 0x21], 3, Alphabet::Track, Align::Left),
            Err(BcdError::Padding)
        );
        assert_eq!(
            unpack_bcd(&[0x10, 0x21], 3, Alphabet::Digits, Align::Right),
            Err(BcdError::Padding)
        );
        assert_eq!(
            unpack_bcd(&[0x1A], 2, Alphabet::Digits, Align::Right),
            Err(BcdError::Nibble(0xA))
        );
        assert_eq!(
            unpack_bcd(&[0x12], 3, Alphabet::Digits, Align::Right),
            Err(BcdError::Length)
        );
        assert_eq!(pack_bcd(b"", Alphabet::Digits, Align::Left).unwrap(), Vec::<u8>::new());
        assert_eq!(pack_bcd(b"1234", Alphabet::Digits, Align::Right).unwrap(), [0x12, 0x34]);
        let mut out = vec![0xAB];
        assert_eq!(pack_bcd_into(b"12x4", Alphabet::Digits, Align::Left, &mut out), None);
        assert_eq!(
            unpack_bcd_into(&[0x1A], 2, Alphabet::Digits, Align::Left, &mut out),
            Err(BcdError::Nibble(0xA))
        );
        assert_eq!(out, [0xAB], "a failed pack or unpack leaves the buffer as it was");
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn numbers() {
        assert_eq!(number_to_bcd(123, 2).unwrap(), [0x01, 0x23]);
        assert_eq!(number_to_bcd(9999, 2).unwrap(), [0x99, 0x99]);
        assert_eq!(number_to_bcd(10_000, 2), None);
        assert_eq!(number_to_bcd(0, 1).unwrap(), [0x00]);
        let mut out = vec![0xAB];
        assert_eq!(number_to_bcd_into(100, 1, &mut out), None);
        assert_eq!(out, [0xAB], "a number that does not fit leaves the buffer as it was");
        assert_eq!(number_to_bcd(100, 1), None);
        assert_eq!(bcd_to_number(&[0x01, 0x23]), Ok(123));
        assert_eq!(bcd_to_number(&[0x0F]), Err(0xF));
    }
}
