//! Codec errors. Decode errors say where the bytes went wrong so a rejected frame can be logged
//! usefully; encode errors mean the caller built a message the profile cannot carry.

use std::fmt;

/// The part of a frame an error refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Part {
    /// The 2-byte frame length, or the content it announces.
    Length,
    /// The 5-byte TPDU.
    Tpdu,
    /// The 6-byte header.
    Header,
    /// The 2-byte BCD message type.
    Mti,
    /// The 8-byte primary bitmap.
    Bitmap,
    /// A data field (its length prefix or value).
    Field(u8),
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Part::Length => f.write_str("frame length"),
            Part::Tpdu => f.write_str("TPDU"),
            Part::Header => f.write_str("header"),
            Part::Mti => f.write_str("MTI"),
            Part::Bitmap => f.write_str("bitmap"),
            Part::Field(n) => write!(f, "field {n}"),
        }
    }
}

/// Why received bytes are not a `cup-pos` frame or message.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// `part` needs `needed` bytes but only `available` remain.
    Truncated {
        part: Part,
        needed: usize,
        available: usize,
    },
    /// A BCD nibble that is not a digit (or, in track data, not a digit or `D`).
    BadBcdNibble { part: Part, nibble: u8 },
    /// A variable field's length prefix exceeds the profile's maximum.
    LengthOverMax { field: u8, length: usize, max: usize },
    /// A bitmap bit for a field the profile does not define (bit 1, the secondary bitmap, too).
    UndefinedField { field: u8 },
    /// Bytes left after the last field, or after the length the frame announced.
    TrailingBytes { count: usize },
    /// The pad nibble of an odd-length BCD value is not 0.
    BadPadding { field: u8 },
    /// An an/ans byte outside printable ASCII 0x20..=0x7E.
    BadCharacter { field: u8, byte: u8 },
    /// The TPDU does not start with 0x60.
    BadTpdu,
    /// The header is not `60 31 SR 31 00 00` with S and R decimal digits.
    BadHeader,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Truncated {
                part,
                needed,
                available,
            } => {
                write!(f, "{part} truncated: needs {needed} bytes, {available} available")
            }
            DecodeError::BadBcdNibble { part, nibble } => {
                write!(f, "{part}: invalid BCD nibble {nibble:X}")
            }
            DecodeError::LengthOverMax { field, length, max } => {
                write!(f, "field {field}: length {length} over maximum {max}")
            }
            DecodeError::UndefinedField { field } => {
                write!(f, "bitmap sets field {field}, which the profile does not define")
            }
            DecodeError::TrailingBytes { count } => write!(f, "{count} trailing bytes"),
            DecodeError::BadPadding { field } => write!(f, "field {field}: pad nibble is not 0"),
            DecodeError::BadCharacter { field, byte } => {
                write!(f, "field {field}: byte {byte:#04x} is not printable ASCII")
            }
            DecodeError::BadTpdu => f.write_str("TPDU does not start with 0x60"),
            DecodeError::BadHeader => f.write_str("header is not 60 31 SR 31 00 00"),
        }
    }
}

impl std::error::Error for DecodeError {}

/// Why a message or frame cannot be encoded.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EncodeError {
    /// The message holds a field the profile does not define.
    UndefinedField { field: u8 },
    /// A value the field's type cannot carry.
    InvalidValue { field: u8, reason: &'static str },
    /// A variable field longer than the profile's maximum.
    LengthOverMax { field: u8, length: usize, max: usize },
    /// The MTI is above 9999.
    BadMti,
    /// The frame is longer than its 2-byte length prefix can express.
    FrameTooLong { length: usize },
    /// Header status or requirement above 9 (each is one BCD digit).
    BadHeader,
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EncodeError::UndefinedField { field } => {
                write!(f, "field {field} is not defined by the profile")
            }
            EncodeError::InvalidValue { field, reason } => write!(f, "field {field}: {reason}"),
            EncodeError::LengthOverMax { field, length, max } => {
                write!(f, "field {field}: length {length} over maximum {max}")
            }
            EncodeError::BadMti => f.write_str("MTI is not four decimal digits"),
            EncodeError::FrameTooLong { length } => {
                write!(f, "frame length {length} does not fit the 2-byte prefix")
            }
            EncodeError::BadHeader => f.write_str("header status and requirement must be 0..=9"),
        }
    }
}

impl std::error::Error for EncodeError {}
