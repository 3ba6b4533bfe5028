//! The ISO 8583 body: MTI, primary bitmap and fields. Values are stored in their in-memory form
//! (ASCII digits for n, digits and `=` for z, ASCII for an/ans, raw bytes for b) and only checked
//! against the profile when encoded, so the engine can build messages freely.
//!
//! A message keeps every value in one buffer, in field order, so building, cloning, encoding and
//! decoding one costs a single allocation (the kernel's hot path is messages: a sale builds,
//! clones, encodes and decodes several).

use std::fmt;

use serde::de::{DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeStruct};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::bcd::{bcd_to_number, number_to_bcd_into};
use super::error::{DecodeError, EncodeError, Part};
use super::field::spec;
use super::value::{decode_value_into, encode_value, Reader};

/// Message type indicator: the four BCD digits read as a number (`Mti(200)` is `0200`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Mti(pub u16);

impl Mti {
    /// Pre-authorization family (0100).
    pub const AUTHORIZATION: Mti = Mti(100);
    /// Balance, sale, void, completion and completion void (0200).
    pub const FINANCIAL: Mti = Mti(200);
    /// Refund, an advice (0220).
    pub const REFUND: Mti = Mti(220);
    /// Batch upload (0320).
    pub const BATCH_UPLOAD: Mti = Mti(320);
    /// Reversal (0400).
    pub const REVERSAL: Mti = Mti(400);
    /// Settlement (0500).
    pub const SETTLEMENT: Mti = Mti(500);
    /// Sign-on (0800).
    pub const SIGN_ON: Mti = Mti(800);
    /// Sign-off and echo test (0820).
    pub const NETWORK: Mti = Mti(820);
    /// Script result advice (0620).
    pub const SCRIPT_ADVICE: Mti = Mti(620);

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

/// Fields of the primary bitmap: 1..=64.
const FIELDS: usize = 64;
const MAC_FIELD: u8 = 64;

/// An ISO 8583 message: MTI plus fields keyed by number.
///
/// Equal messages have equal representations: values are kept in ascending field order, a
/// removed value's bytes are removed too, and an absent field's end is 0.
#[derive(Clone, PartialEq, Eq)]
// Serialized by hand (below): its TypeScript shape is stated here.
#[cfg_attr(
    feature = "ts",
    derive(tsify::Tsify),
    tsify(type = "{ mti: number; fields: { [field: string]: Uint8Array } }")
)]
pub struct Message {
    /// Message type.
    pub mti: Mti,
    /// Bit `n - 1` (least significant first) set: field `n` is present. The wire bitmap is this
    /// reversed ([`bit`]).
    present: u64,
    /// `ends[n - 1]`: where present field `n`'s value ends in `data`; it starts where the
    /// previous present field ends (or at 0).
    ends: [u16; FIELDS],
    /// The values, in ascending field order.
    data: Vec<u8>,
    /// The lowest field number outside 1..=64 that was set (encoding reports it as undefined),
    /// or a value too long to hold: what [`Message::encode`] must refuse.
    rejected: Option<Rejected>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Rejected {
    /// A field number outside the primary bitmap.
    Undefined(u8),
    /// Values longer in all than a message can hold (64 KiB: a frame's length has 2 bytes).
    TooLong { field: u8, length: usize },
}

/// Wire bitmap bit for `field` (1..=64), bit 1 being the most significant.
fn bit(field: u8) -> u64 {
    1u64.checked_shl(64u32.saturating_sub(u32::from(field))).unwrap_or(0)
}

/// `ends` index of `field` (and its bit in `present`), if it is in 1..=64.
fn slot(field: u8) -> Option<usize> {
    let index = usize::from(field).checked_sub(1)?;
    (index < FIELDS).then_some(index)
}

/// `present` bit of `index`.
fn mask(index: usize) -> u64 {
    u32::try_from(index).ok().and_then(|i| 1u64.checked_shl(i)).unwrap_or(0)
}

impl Message {
    /// An empty message of type `mti`.
    pub fn new(mti: Mti) -> Self {
        Message {
            mti,
            present: 0,
            ends: [0; FIELDS],
            data: Vec::new(),
            rejected: None,
        }
    }

    /// An empty message of type `mti` with room for `bytes` of values: a message built field by
    /// field then grows its buffer once, or not at all.
    pub fn with_capacity(mti: Mti, bytes: usize) -> Self {
        let mut message = Message::new(mti);
        message.data.reserve(bytes);
        message
    }

    /// How many bytes the values take (before encoding).
    pub fn values_len(&self) -> usize {
        self.data.len()
    }

    fn is_present(&self, index: usize) -> bool {
        self.present & mask(index) != 0
    }

    /// Where field `index + 1`'s value starts (or would start) in `data`: where the previous
    /// present field ends.
    fn start_of(&self, index: usize) -> usize {
        let below = self.present & mask(index).wrapping_sub(1);
        let previous = below.checked_ilog2().map(widen);
        previous.and_then(|p| self.ends.get(p)).copied().map_or(0, widen)
    }

    /// Where present field `index + 1`'s value lies in `data`.
    fn span(&self, index: usize) -> (usize, usize) {
        let start = self.start_of(index);
        let end = self.ends.get(index).copied().map_or(start, widen);
        (start, end)
    }

    /// Moves the ends of the present fields after `index + 1`: `grow` bytes later, `shrink`
    /// bytes earlier.
    fn shift_later(&mut self, index: usize, grow: u16, shrink: u16) {
        // The bits above `index`'s.
        let mut later = self.present & !(mask(index) | mask(index).wrapping_sub(1));
        while later != 0 {
            let next = widen(later.trailing_zeros());
            later &= later.wrapping_sub(1);
            if let Some(end) = self.ends.get_mut(next) {
                *end = end.saturating_add(grow).saturating_sub(shrink);
            }
        }
    }

    /// Sets `field` (replacing any value). Not validated until [`Message::encode`].
    pub fn set(&mut self, field: u8, value: impl AsRef<[u8]>) -> &mut Self {
        let value = value.as_ref();
        let Some(index) = slot(field) else {
            self.reject(Rejected::Undefined(field));
            return self;
        };
        let too_long = self.data.len().saturating_add(value.len()) > widen(u16::MAX);
        let (Ok(grow), false) = (u16::try_from(value.len()), too_long) else {
            self.reject(Rejected::TooLong {
                field,
                length: value.len(),
            });
            return self;
        };
        let start = self.start_of(index);
        let end = if self.is_present(index) {
            self.ends.get(index).copied().map_or(start, widen)
        } else {
            start
        };
        let old = u16::try_from(end.saturating_sub(start)).unwrap_or(0);
        self.replace_range(start, end, value);
        self.shift_later(index, grow, old);
        if let Some(slot) = self.ends.get_mut(index) {
            *slot = u16::try_from(start).unwrap_or(u16::MAX).saturating_add(grow);
        }
        self.present |= mask(index);
        self
    }

    /// Replaces `data[start..end]` with `value`, moving what follows (`start <= end <= len`).
    fn replace_range(&mut self, start: usize, end: usize, value: &[u8]) {
        let len = self.data.len();
        if end >= len {
            // The last field (messages are mostly built and read in field order).
            self.data.truncate(start);
            self.data.extend_from_slice(value);
            return;
        }
        let old = end.saturating_sub(start);
        if value.len() > old {
            let extra = value.len() - old;
            self.data.resize(len.saturating_add(extra), 0);
            self.data.copy_within(end..len, end.saturating_add(extra));
        } else if value.len() < old {
            self.data.copy_within(end..len, start.saturating_add(value.len()));
            self.data.truncate(len.saturating_sub(old - value.len()));
        }
        if let Some(slot) = self.data.get_mut(start..start.saturating_add(value.len())) {
            slot.copy_from_slice(value);
        }
    }

    fn reject(&mut self, why: Rejected) {
        let order = |r: &Rejected| match *r {
            Rejected::Undefined(0) => 0,
            Rejected::TooLong { field, .. } => u16::from(field),
            Rejected::Undefined(field) => u16::from(field),
        };
        if self.rejected.is_none_or(|current| order(&why) < order(&current)) {
            self.rejected = Some(why);
        }
    }

    /// Builder form of [`Message::set`].
    pub fn with(mut self, field: u8, value: impl AsRef<[u8]>) -> Self {
        self.set(field, value);
        self
    }

    /// The value of `field`, if present.
    pub fn get(&self, field: u8) -> Option<&[u8]> {
        let index = slot(field).filter(|&index| self.is_present(index))?;
        let (start, end) = self.span(index);
        self.data.get(start..end)
    }

    /// The value of `field` as text; `None` if absent or not UTF-8.
    pub fn get_str(&self, field: u8) -> Option<&str> {
        self.get(field).and_then(|v| std::str::from_utf8(v).ok())
    }

    /// Whether `field` is present.
    pub fn has(&self, field: u8) -> bool {
        slot(field).is_some_and(|index| self.is_present(index))
    }

    /// Removes `field`, returning its value.
    pub fn remove(&mut self, field: u8) -> Option<Vec<u8>> {
        let value = self.get(field)?.to_vec();
        self.unset(field);
        Some(value)
    }

    /// Removes `field`, if present, without returning its value (no allocation).
    pub fn unset(&mut self, field: u8) {
        let Some(index) = slot(field).filter(|&index| self.is_present(index)) else {
            return;
        };
        let (start, end) = self.span(index);
        self.replace_range(start, end, &[]);
        self.shift_later(index, 0, u16::try_from(end.saturating_sub(start)).unwrap_or(0));
        if let Some(slot) = self.ends.get_mut(index) {
            *slot = 0;
        }
        self.present &= !mask(index);
    }

    /// All fields in ascending field number.
    pub fn fields(&self) -> impl Iterator<Item = (u8, &[u8])> {
        let mut left = self.present;
        let mut start = 0;
        std::iter::from_fn(move || {
            if left == 0 {
                return None;
            }
            let index = widen(left.trailing_zeros());
            left &= left.wrapping_sub(1);
            let end = self.ends.get(index).copied().map_or(start, widen);
            let value = self.data.get(start..end).unwrap_or_default();
            start = end;
            Some((u8::try_from(index.saturating_add(1)).unwrap_or(0), value))
        })
    }

    /// How many fields are present.
    pub fn len(&self) -> usize {
        widen(self.present.count_ones())
    }

    /// Whether no field is present.
    pub fn is_empty(&self) -> bool {
        self.present == 0
    }

    /// The bitmap as on the wire.
    fn wire_bitmap(&self) -> u64 {
        self.present.reverse_bits()
    }

    /// Appends MTI, bitmap and fields to `out`. On error `out` is left as it was.
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        self.encode_parts(out, false)
    }

    /// [`Message::encode`] into a new vector.
    pub fn encode_to_vec(&self) -> Result<Vec<u8>, EncodeError> {
        let mut out = Vec::with_capacity(self.encoded_len_hint());
        self.encode_parts(&mut out, false)?;
        Ok(out)
    }

    /// The MAC block (docs/profile.md §5): bytes from the MTI to the end of the last field before F64,
    /// with bitmap bit 64 SET (as in the final message) whether or not F64 is currently present.
    pub fn mac_block(&self) -> Result<Vec<u8>, EncodeError> {
        let mut out = Vec::with_capacity(self.encoded_len_hint());
        self.encode_parts(&mut out, true)?;
        Ok(out)
    }

    /// Appends the MAC block ([`Message::mac_block`]) to `out`: what a frame holds before F64.
    pub(crate) fn encode_mac_block_into(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        self.encode_parts(out, true)
    }

    /// Enough for MTI, bitmap, length prefixes and values (BCD only shrinks them).
    pub(crate) fn encoded_len_hint(&self) -> usize {
        2 + 8 + 2 * self.len() + self.data.len()
    }

    /// Encodes the body; for the MAC block, bit 64 is forced on and F64 itself is left out. On
    /// error `out` is left as it was.
    fn encode_parts(&self, out: &mut Vec<u8>, mac_block: bool) -> Result<(), EncodeError> {
        if let Some(refusal) = self.refusal() {
            return Err(refusal);
        }
        let start = out.len();
        if number_to_bcd_into(usize::from(self.mti.0), 2, out).is_none() {
            return Err(EncodeError::BadMti);
        }
        let bitmap = if mac_block {
            self.wire_bitmap() | bit(MAC_FIELD)
        } else {
            self.wire_bitmap()
        };
        out.extend_from_slice(&bitmap.to_be_bytes());
        for (field, value) in self.fields() {
            if mac_block && field == MAC_FIELD {
                continue;
            }
            let encoded = spec(field)
                .ok_or(EncodeError::UndefinedField { field })
                .and_then(|spec| encode_value(spec, value, out));
            if let Err(e) = encoded {
                out.truncate(start);
                return Err(e);
            }
        }
        Ok(())
    }

    /// Why the message cannot be encoded whatever its values: an undefined field (the lowest
    /// number first, as the bitmap would list it) or a value too long to hold.
    fn refusal(&self) -> Option<EncodeError> {
        if let Some(Rejected::Undefined(0)) = self.rejected {
            return Some(EncodeError::UndefinedField { field: 0 });
        }
        if let Some(field) = self
            .fields()
            .map(|(field, _)| field)
            .find(|&field| spec(field).is_none())
        {
            return Some(EncodeError::UndefinedField { field });
        }
        match self.rejected? {
            Rejected::Undefined(field) => Some(EncodeError::UndefinedField { field }),
            Rejected::TooLong { field, length } => {
                let max = spec(field).map_or(0, |s| s.length.max());
                Some(EncodeError::LengthOverMax { field, length, max })
            }
        }
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
        // Only the fields present are visited: the wire bitmap has field 1 as its top bit.
        let fields_present = || {
            let mut left = bitmap;
            std::iter::from_fn(move || {
                let top = left.leading_zeros();
                left &= u64::MAX.checked_shr(top.saturating_add(1)).unwrap_or(0);
                u8::try_from(top.saturating_add(1)).ok().filter(|_| top < 64)
            })
        };
        if let Some(field) = fields_present().find(|&field| spec(field).is_none()) {
            return Err(DecodeError::UndefinedField { field });
        }
        let mut message = Message::new(Mti(mti));
        // Values are at most as long as their encoding (BCD doubles to one character a nibble).
        message.data.reserve(reader.rest().len().saturating_mul(2));
        for field in fields_present() {
            let Some(spec) = spec(field) else {
                continue;
            };
            decode_value_into(spec, reader, &mut message.data)?;
            // Values arrive in field order: this one ends where `data` ends now.
            if let Some(index) = slot(field) {
                // At most 32 fields of at most 999 characters: well within 64 KiB.
                let end = u16::try_from(message.data.len()).unwrap_or(u16::MAX);
                if let Some(slot) = message.ends.get_mut(index) {
                    *slot = end;
                }
                message.present |= mask(index);
            }
        }
        Ok(message)
    }
}

/// An offset or count as a `usize`.
fn widen(offset: impl Into<u32>) -> usize {
    usize::try_from(offset.into()).unwrap_or(usize::MAX)
}

impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Fields<'a>(&'a Message);
        impl fmt::Debug for Fields<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_map().entries(self.0.fields()).finish()
            }
        }
        let mut s = f.debug_struct("Message");
        s.field("mti", &self.mti).field("fields", &Fields(self));
        if let Some(rejected) = &self.rejected {
            s.field("rejected", rejected);
        }
        s.finish()
    }
}

// Serialized as `{ mti, fields: { number: bytes, ... } }`, fields ascending: the journal's and
// the JSON views' form since the first release.

impl Serialize for Message {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct Fields<'a>(&'a Message);
        impl Serialize for Fields<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                // Field numbers as map keys: numbers for postcard, text for human-readable
                // formats whose maps want string keys (JSON writes `"2"` either way; JavaScript
                // objects accept nothing else).
                let human = serializer.is_human_readable();
                let mut map = serializer.serialize_map(Some(self.0.len()))?;
                for (field, value) in self.0.fields() {
                    if human {
                        map.serialize_entry(&FieldName(field), serde_bytes::Bytes::new(value))?;
                    } else {
                        map.serialize_entry(&field, serde_bytes::Bytes::new(value))?;
                    }
                }
                map.end()
            }
        }
        let mut s = serializer.serialize_struct("Message", 2)?;
        s.serialize_field("mti", &self.mti)?;
        s.serialize_field("fields", &Fields(self))?;
        s.end()
    }
}

/// The `fields` map, read straight into a [`Message`]'s buffer: postcard lends each value's
/// bytes, so restoring a journal allocates one buffer per message, not one per field.
struct FieldsOf(Message);

impl<'de> Deserialize<'de> for FieldsOf {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FieldsVisitor;
        impl<'de> Visitor<'de> for FieldsVisitor {
            type Value = FieldsOf;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of field numbers to bytes")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<FieldsOf, A::Error> {
                let mut message = Message::new(Mti(0));
                // A request's values take about 100 bytes: usually no regrowth.
                message.data.reserve(128);
                while let Some(FieldNumber(field)) = map.next_key()? {
                    map.next_value_seed(FieldValueSeed {
                        message: &mut message,
                        field,
                    })?;
                }
                // A field outside the bitmap, or values longer than a message holds, cannot be
                // kept: refuse them rather than drop them (found by fuzzing: such a record
                // decoded, then encoded to another record).
                if let Some(why) = message.rejected {
                    let why = match why {
                        Rejected::Undefined(field) => format!("field {field} is outside the bitmap"),
                        Rejected::TooLong { field, length } => format!("field {field} ({length} bytes) does not fit"),
                    };
                    return Err(serde::de::Error::custom(format_args!("not a message: {why}")));
                }
                Ok(FieldsOf(message))
            }
        }
        deserializer.deserialize_map(FieldsVisitor)
    }
}

/// A field number written as text.
struct FieldName(u8);

impl Serialize for FieldName {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

/// A field number read as a number, or as text from a human-readable format.
struct FieldNumber(u8);

impl<'de> Deserialize<'de> for FieldNumber {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NumberVisitor;
        impl Visitor<'_> for NumberVisitor {
            type Value = FieldNumber;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field number")
            }
            fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<FieldNumber, E> {
                u8::try_from(n)
                    .map(FieldNumber)
                    .map_err(|_| E::custom(format_args!("field number {n} out of range")))
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<FieldNumber, E> {
                text.parse()
                    .map(FieldNumber)
                    .map_err(|_| E::custom(format_args!("field number `{text}` is not a number")))
            }
        }
        if deserializer.is_human_readable() {
            deserializer.deserialize_any(NumberVisitor)
        } else {
            deserializer.deserialize_u8(NumberVisitor)
        }
    }
}

/// One field's bytes, set into `message` as they are read.
struct FieldValueSeed<'m> {
    message: &'m mut Message,
    field: u8,
}

impl<'de> DeserializeSeed<'de> for FieldValueSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_bytes(self)
    }
}

impl<'de> Visitor<'de> for FieldValueSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field value (bytes)")
    }
    fn visit_bytes<E: serde::de::Error>(self, bytes: &[u8]) -> Result<(), E> {
        self.message.set(self.field, bytes);
        Ok(())
    }
    /// Self-describing formats without a bytes type (JSON) give a sequence of numbers.
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut bytes = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(byte) = seq.next_element::<u8>()? {
            bytes.push(byte);
        }
        self.message.set(self.field, &bytes);
        Ok(())
    }
}

impl<'de> Deserialize<'de> for Message {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(rename = "Message")]
        struct Repr {
            mti: Mti,
            fields: FieldsOf,
        }
        let Repr { mti, fields } = Repr::deserialize(deserializer)?;
        let mut message = fields.0;
        message.mti = mti;
        Ok(message)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test(unsupported = test)]
    fn set_get_remove_in_any_order_is_canonical() {
        let mut a = Message::new(Mti(200));
        a.set(41, "10000001")
            .set(3, "000000")
            .set(64, [1u8; 8])
            .set(11, "000001");
        let mut b = Message::new(Mti(200));
        b.set(64, [9u8; 8])
            .set(11, "000001")
            .set(3, "000000")
            .set(41, "10000001")
            .set(64, [1u8; 8]);
        assert_eq!(a, b, "the same fields set in another order, or overwritten, are equal");
        assert_eq!(a.get(3), Some(&b"000000"[..]));
        assert_eq!(a.get(41), Some(&b"10000001"[..]));
        assert_eq!(a.get(4), None);
        let numbers: Vec<u8> = a.fields().map(|(n, _)| n).collect();
        assert_eq!(numbers, [3, 11, 41, 64]);

        assert_eq!(b.remove(11), Some(b"000001".to_vec()));
        assert_eq!(b.remove(11), None);
        assert_eq!(b.get(41), Some(&b"10000001"[..]));
        assert_ne!(a, b);
        a.remove(11);
        assert_eq!(a, b, "removing a field removes its bytes");

        let mut empty = Message::new(Mti(200));
        empty.set(2, "");
        assert!(empty.has(2));
        assert_eq!(empty.get(2), Some(&b""[..]));
        assert_eq!(empty.len(), 1);
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn field_numbers_outside_the_bitmap_are_refused_when_encoding() {
        let mut m = Message::new(Mti(200)).with(3, "000000");
        m.set(65, "1").set(0, "1");
        assert!(!m.has(65) && m.get(0).is_none());
        assert_eq!(m.encode_to_vec(), Err(EncodeError::UndefinedField { field: 0 }));
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn serde_form_is_a_map_of_fields() {
        let m = Message::new(Mti(200)).with(11, "000001").with(3, "000000");
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(
            json,
            r#"{"mti":200,"fields":{"3":[48,48,48,48,48,48],"11":[48,48,48,48,48,49]}}"#
        );
        assert_eq!(serde_json::from_str::<Message>(&json).unwrap(), m);
        let bytes = postcard::to_allocvec(&m).unwrap();
        assert_eq!(postcard::from_bytes::<Message>(&bytes).unwrap(), m);
    }
}
