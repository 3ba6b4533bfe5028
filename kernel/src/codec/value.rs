//! One field value to and from the wire, driven by its [`FieldSpec`], plus the byte reader the
//! decoders share. Encoding validates; decoding accepts only what encoding would produce.

use super::bcd::{
    bcd_to_number, number_to_bcd_into, pack_bcd_into, packed_len, unpack_bcd_into, Align, Alphabet, BcdError,
};
use super::error::{DecodeError, EncodeError, Part};
use super::field::{FieldKind, FieldLength, FieldSpec};

/// Consumes a byte slice front to back, reporting shortfalls against the part being read.
#[derive(Debug)]
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Reader { rest: bytes }
    }

    pub(crate) fn take(&mut self, needed: usize, part: Part) -> Result<&'a [u8], DecodeError> {
        let (head, tail) = self.rest.split_at_checked(needed).ok_or(DecodeError::Truncated {
            part,
            needed,
            available: self.rest.len(),
        })?;
        self.rest = tail;
        Ok(head)
    }

    pub(crate) fn rest(&self) -> &'a [u8] {
        self.rest
    }

    /// Succeeds only if everything was consumed.
    pub(crate) fn finish(self) -> Result<(), DecodeError> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(DecodeError::TrailingBytes { count: self.rest.len() })
        }
    }
}

/// BCD form of a field kind, or `None` for byte-oriented kinds.
fn bcd_form(spec: &FieldSpec) -> Option<(Alphabet, Align)> {
    let fixed = matches!(spec.length, FieldLength::Fixed(_));
    match spec.kind {
        FieldKind::Numeric if fixed => Some((Alphabet::Digits, Align::Right)),
        FieldKind::Numeric | FieldKind::NumericLeft => Some((Alphabet::Digits, Align::Left)),
        FieldKind::Track => Some((Alphabet::Track, Align::Left)),
        FieldKind::AlphaNumeric | FieldKind::Text | FieldKind::Binary => None,
    }
}

fn is_text(kind: FieldKind) -> bool {
    matches!(kind, FieldKind::AlphaNumeric | FieldKind::Text)
}

fn printable(byte: u8) -> bool {
    (0x20..=0x7E).contains(&byte)
}

/// Bytes of the length prefix, 0 for fixed fields.
fn prefix_len(length: FieldLength) -> usize {
    match length {
        FieldLength::Fixed(_) => 0,
        FieldLength::LlVar(_) => 1,
        FieldLength::LllVar(_) => 2,
    }
}

/// Appends the prefix (if any) and the encoded `value` of field `spec` to `out`. On error, `out`
/// is left as it was.
pub(crate) fn encode_value(spec: &FieldSpec, value: &[u8], out: &mut Vec<u8>) -> Result<(), EncodeError> {
    let field = spec.number;
    let length = value.len();
    match spec.length {
        FieldLength::Fixed(n) if length != n => {
            return Err(EncodeError::InvalidValue {
                field,
                reason: "wrong length for a fixed-length field",
            });
        }
        FieldLength::LlVar(max) | FieldLength::LllVar(max) if length > max => {
            return Err(EncodeError::LengthOverMax { field, length, max });
        }
        _ => {}
    }
    let form = bcd_form(spec);
    if form.is_none() && is_text(spec.kind) && !value.iter().all(|&b| printable(b)) {
        return Err(EncodeError::InvalidValue {
            field,
            reason: "byte outside printable ASCII 0x20..=0x7E",
        });
    }
    let start = out.len();
    let prefix_bytes = prefix_len(spec.length);
    if prefix_bytes > 0 && number_to_bcd_into(length, prefix_bytes, out).is_none() {
        let max = spec.length.max();
        return Err(EncodeError::LengthOverMax { field, length, max });
    }
    match form {
        Some((alphabet, align)) => {
            if pack_bcd_into(value, alphabet, align, out).is_none() {
                out.truncate(start);
                return Err(EncodeError::InvalidValue {
                    field,
                    reason: match alphabet {
                        Alphabet::Digits => "non-digit in a numeric field",
                        Alphabet::Track => "character other than a digit or '=' in a track field",
                    },
                });
            }
        }
        None => out.extend_from_slice(value),
    }
    Ok(())
}

/// Reads the prefix (if any) and value of field `spec`, appending the value to `out` in its
/// in-memory form (ASCII digits, track text, ASCII text or raw bytes). On error, `out` is left as
/// it was.
pub(crate) fn decode_value_into(
    spec: &FieldSpec,
    reader: &mut Reader<'_>,
    out: &mut Vec<u8>,
) -> Result<(), DecodeError> {
    let field = spec.number;
    let part = Part::Field(field);
    let units = match spec.length {
        FieldLength::Fixed(n) => n,
        FieldLength::LlVar(max) | FieldLength::LllVar(max) => {
            let prefix = reader.take(prefix_len(spec.length), part)?;
            let length = bcd_to_number(prefix).map_err(|nibble| DecodeError::BadBcdNibble { part, nibble })?;
            if length > max {
                return Err(DecodeError::LengthOverMax { field, length, max });
            }
            length
        }
    };
    match bcd_form(spec) {
        Some((alphabet, align)) => {
            let needed = packed_len(units);
            let raw = reader.take(needed, part)?;
            unpack_bcd_into(raw, units, alphabet, align, out).map_err(|e| match e {
                BcdError::Nibble(nibble) => DecodeError::BadBcdNibble { part, nibble },
                BcdError::Padding => DecodeError::BadPadding { field },
                BcdError::Length => DecodeError::Truncated {
                    part,
                    needed,
                    available: raw.len(),
                },
            })
        }
        None => {
            let raw = reader.take(units, part)?;
            if is_text(spec.kind) {
                if let Some(&byte) = raw.iter().find(|&&b| !printable(b)) {
                    return Err(DecodeError::BadCharacter { field, byte });
                }
            }
            out.extend_from_slice(raw);
            Ok(())
        }
    }
}
