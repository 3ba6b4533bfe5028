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
    let data = text
        .iter()
        .map(|&ch| alphabet.nibble(ch))
        .collect::<Option<Vec<u8>>>()?;
    let odd = data.len() % 2 == 1;
    let lead = (odd && align == Align::Right).then_some(0);
    let trail = (odd && align == Align::Left).then_some(0);
    let nibbles: Vec<u8> = lead.into_iter().chain(data).chain(trail).collect();
    Some(
        nibbles
            .chunks_exact(2)
            .filter_map(|pair| match pair {
                [hi, lo] => Some(hi << 4 | lo),
                _ => None,
            })
            .collect(),
    )
}

/// Unpacks exactly `chars` characters from `packed`, which must be exactly
/// [`packed_len`]`(chars)` bytes. The pad nibble must be 0.
pub fn unpack_bcd(packed: &[u8], chars: usize, alphabet: Alphabet, align: Align) -> Result<Vec<u8>, BcdError> {
    if packed.len() != packed_len(chars) {
        return Err(BcdError::Length);
    }
    let nibbles: Vec<u8> = packed.iter().flat_map(|&b| [b >> 4, b & 0x0F]).collect();
    let mut skip = 0;
    if chars % 2 == 1 {
        let pad = match align {
            Align::Right => nibbles.first(),
            Align::Left => nibbles.last(),
        };
        if pad != Some(&0) {
            return Err(BcdError::Padding);
        }
        skip = usize::from(align == Align::Right);
    }
    nibbles
        .into_iter()
        .skip(skip)
        .take(chars)
        .map(|n| alphabet.char(n).ok_or(BcdError::Nibble(n)))
        .collect()
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
    let text = format!("{value:0width$}", width = bytes.saturating_mul(2));
    if text.len() != bytes.saturating_mul(2) {
        return None;
    }
    pack_bcd(text.as_bytes(), Alphabet::Digits, Align::Right)
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
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn numbers() {
        assert_eq!(number_to_bcd(123, 2).unwrap(), [0x01, 0x23]);
        assert_eq!(number_to_bcd(100, 1), None);
        assert_eq!(bcd_to_number(&[0x01, 0x23]), Ok(123));
        assert_eq!(bcd_to_number(&[0x0F]), Err(0xF));
    }
}
