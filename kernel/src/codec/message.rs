//! The ISO 8583 body: MTI, primary bitmap and fields. Values are stored in their in-memory form
//! (ASCII digits for n, digits and `=` for z, ASCII for an/ans, raw bytes for b) and only checked
//! against the profile when encoded, so the engine can build messages freely.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::bcd::{bcd_to_number, number_to_bcd};
use super::error::{DecodeError, EncodeError, Part};
use super::field::{spec, FieldSpec};
use super::value::{decode_value, encode_value, Reader};

/// Message type indicator: the four BCD digits read as a number (`Mti(200)` is `0200`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Mti(pub u16);

impl Mti {
    /// The reply's MTI (request + 10: `0200` -> `0210`).
    pub fn response(self) -> Mti {
        Mti(self.0.saturating_add(10))
    }

    /// The four digits, e.g. `"0200"`.
    pub fn digits(self) -> String {
        format!("{:04}", self.0)
    }
}

impl fmt::Display for Mti {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.0)
    }
}

/// One field's value in its in-memory form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FieldValue(#[serde(with = "serde_bytes")] pub Vec<u8>);

/// An ISO 8583 message: MTI plus fields keyed by number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// Message type.
    pub mti: Mti,
    fields: BTreeMap<u8, FieldValue>,
}

/// Bitmap bit for `field` (1..=64), bit 1 being the most significant.
fn bit(field: u8) -> u64 {
    1u64.checked_shl(64u32.saturating_sub(u32::from(field))).unwrap_or(0)
}

const MAC_FIELD: u8 = 64;

impl Message {
    /// An empty message of type `mti`.
    pub fn new(mti: Mti) -> Self {
        Message {
            mti,
            fields: BTreeMap::new(),
        }
    }

    /// Sets `field` (replacing any value). Not validated until [`Message::encode`].
    pub fn set(&mut self, field: u8, value: impl Into<Vec<u8>>) -> &mut Self {
        self.fields.insert(field, FieldValue(value.into()));
        self
    }

    /// Builder form of [`Message::set`].
    pub fn with(mut self, field: u8, value: impl Into<Vec<u8>>) -> Self {
        self.set(field, value);
        self
    }

    /// The value of `field`, if present.
    pub fn get(&self, field: u8) -> Option<&[u8]> {
        self.fields.get(&field).map(|v| v.0.as_slice())
    }

    /// The value of `field` as text; `None` if absent or not UTF-8.
    pub fn get_str(&self, field: u8) -> Option<&str> {
        self.get(field).and_then(|v| std::str::from_utf8(v).ok())
    }

    /// Whether `field` is present.
    pub fn has(&self, field: u8) -> bool {
        self.fields.contains_key(&field)
    }

    /// Removes `field`, returning its value.
    pub fn remove(&mut self, field: u8) -> Option<Vec<u8>> {
        self.fields.remove(&field).map(|v| v.0)
    }

    /// All fields in ascending field number.
    pub fn fields(&self) -> impl Iterator<Item = (u8, &[u8])> {
        self.fields.iter().map(|(&n, v)| (n, v.0.as_slice()))
    }

    /// Appends MTI, bitmap and fields to `out`. On error `out` is left as it was.
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let start = out.len();
        let result = self.encode_parts(out, false);
        if result.is_err() {
            out.truncate(start);
        }
        result
    }

    /// [`Message::encode`] into a new vector.
    pub fn encode_to_vec(&self) -> Result<Vec<u8>, EncodeError> {
        let mut out = Vec::new();
        self.encode_parts(&mut out, false)?;
        Ok(out)
    }

    /// The MAC block (PROFILE.md §5): bytes from the MTI to the end of the last field before F64,
    /// with bitmap bit 64 SET (as in the final message) whether or not F64 is currently present.
    pub fn mac_block(&self) -> Result<Vec<u8>, EncodeError> {
        let mut out = Vec::new();
        self.encode_parts(&mut out, true)?;
        Ok(out)
    }

    /// Encodes the body; for the MAC block, bit 64 is forced on and F64 itself is left out.
    fn encode_parts(&self, out: &mut Vec<u8>, mac_block: bool) -> Result<(), EncodeError> {
        let mti = number_to_bcd(usize::from(self.mti.0), 2).ok_or(EncodeError::BadMti)?;
        let mut bitmap = if mac_block { bit(MAC_FIELD) } else { 0 };
        let mut specs: Vec<(&FieldSpec, &[u8])> = Vec::with_capacity(self.fields.len());
        for (field, value) in self.fields() {
            let spec = spec(field).ok_or(EncodeError::UndefinedField { field })?;
            bitmap |= bit(field);
            if !(mac_block && field == MAC_FIELD) {
                specs.push((spec, value));
            }
        }
        out.extend_from_slice(&mti);
        out.extend_from_slice(&bitmap.to_be_bytes());
        for (spec, value) in specs {
            encode_value(spec, value, out)?;
        }
        Ok(())
    }

    /// Decodes a whole body (MTI to the last field); bytes after the last field are an error.
    pub fn decode(body: &[u8]) -> Result<Message, DecodeError> {
        let mut reader = Reader::new(body);
        let message = Self::decode_from(&mut reader)?;
        reader.finish()?;
        Ok(message)
    }

    fn decode_from(reader: &mut Reader<'_>) -> Result<Message, DecodeError> {
        let mti_bytes = reader.take(2, Part::Mti)?;
        let mti = bcd_to_number(mti_bytes).map_err(|nibble| DecodeError::BadBcdNibble {
            part: Part::Mti,
            nibble,
        })?;
        let mti = u16::try_from(mti).map_err(|_| DecodeError::BadBcdNibble {
            part: Part::Mti,
            nibble: 0xF,
        })?;
        let bitmap_bytes = reader.take(8, Part::Bitmap)?;
        let bitmap = <[u8; 8]>::try_from(bitmap_bytes)
            .map(u64::from_be_bytes)
            .map_err(|_| DecodeError::Truncated {
                part: Part::Bitmap,
                needed: 8,
                available: bitmap_bytes.len(),
            })?;
        // Check every bit before reading any field, so an undefined bit is reported as such
        // rather than as whatever its neighbours' bytes happen to look like.
        let specs = (1..=64u8)
            .filter(|&field| bitmap & bit(field) != 0)
            .map(|field| spec(field).ok_or(DecodeError::UndefinedField { field }))
            .collect::<Result<Vec<_>, _>>()?;
        let mut message = Message::new(Mti(mti));
        for spec in specs {
            let value = decode_value(spec, reader)?;
            message.fields.insert(spec.number, FieldValue(value));
        }
        Ok(message)
    }
}
