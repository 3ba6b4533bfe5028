//! The `cup-pos` ISO 8583 codec (docs/profile.md §1-2): frames, messages and the field table.
//!
//! [`Message`] holds field values in their natural form (ASCII digits, track text, ASCII text,
//! raw bytes) and checks them against the profile only when encoding. Decoding is strict: it
//! accepts only bytes that re-encode identically, so a frame that decodes has one meaning and a
//! MAC computed over a re-encoded message matches the bytes that were received.
//!
//! Nothing here panics on input: every malformed frame is a [`DecodeError`].

mod bcd;
mod error;
mod field;
mod frame;
mod message;
pub mod tlv;
mod value;
mod view;

pub use bcd::{
    bcd_to_number, number_to_bcd, number_to_bcd_into, pack_bcd, pack_bcd_into, packed_len, unpack_bcd, unpack_bcd_into,
    Align, Alphabet, BcdError,
};
pub use error::{DecodeError, EncodeError, Part};
pub use field::{spec, FieldKind, FieldLength, FieldSpec, DEFINED_FIELDS};
pub use frame::{Frame, Header, MacedFrameError, Tpdu};
pub use message::{Message, Mti};
pub use view::{FieldView, FrameView};
