//! serde helpers for bytes as lowercase hex strings (frames and journal records in outputs and
//! vectors). One allocation each way: the hosts that convert every output (JavaScript) feel a
//! per-character `String` push.

use core::fmt;

use serde::de::{Error, Visitor};
use serde::{Deserializer, Serializer};

const DIGITS: &[u8; 16] = b"0123456789abcdef";

/// `bytes` as lowercase hex.
pub fn encode(bytes: &[u8]) -> String {
    let mut text = Vec::with_capacity(bytes.len().saturating_mul(2));
    for byte in bytes {
        let digit = |nibble: u8| DIGITS.get(usize::from(nibble)).copied().unwrap_or(b'0');
        text.push(digit(byte >> 4));
        text.push(digit(byte & 0x0F));
    }
    // Only ASCII digits and letters were written.
    String::from_utf8(text).unwrap_or_default()
}

fn nibble(ch: u8) -> Option<u8> {
    match ch {
        b'0'..=b'9' => Some(ch - b'0'),
        b'a'..=b'f' => Some(ch - b'a' + 10),
        b'A'..=b'F' => Some(ch - b'A' + 10),
        _ => None,
    }
}

/// Hex (either case) to bytes; the error says what is wrong.
pub fn decode(text: &str) -> Result<Vec<u8>, String> {
    let pairs = text.as_bytes().chunks_exact(2);
    if !pairs.remainder().is_empty() {
        return Err(format!("odd number of hex digits ({})", text.len()));
    }
    pairs
        .enumerate()
        .map(|(i, pair)| match *pair {
            [hi, lo] => match (nibble(hi), nibble(lo)) {
                (Some(hi), Some(lo)) => Ok(hi << 4 | lo),
                _ => Err(format!("invalid hex digit at {}", 2 * i)),
            },
            _ => Err("odd number of hex digits".to_owned()),
        })
        .collect()
}

pub fn serialize<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&encode(bytes))
}

pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
    struct HexVisitor;
    impl Visitor<'_> for HexVisitor {
        type Value = Vec<u8>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a hex string")
        }
        fn visit_str<E: Error>(self, text: &str) -> Result<Vec<u8>, E> {
            decode(text).map_err(E::custom)
        }
    }
    deserializer.deserialize_str(HexVisitor)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test(unsupported = test)]
    fn round_trip_and_errors() {
        let bytes: Vec<u8> = (0..=255).collect();
        let text = encode(&bytes);
        assert_eq!(text, hex::encode(&bytes));
        assert_eq!(decode(&text), Ok(bytes.clone()));
        assert_eq!(decode(&text.to_uppercase()), Ok(bytes));
        assert_eq!(decode(""), Ok(vec![]));
        assert!(decode("abc").unwrap_err().contains("odd"));
        assert!(decode("0g").unwrap_err().contains("invalid hex digit at 0"));
    }
}
