//! The `cup-pos` field table (docs/profile.md §2). A field not listed here is never sent nor accepted.

/// How a field's characters are carried on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FieldKind {
    /// n: packed BCD digits; fixed odd lengths right-aligned (leading 0 nibble).
    Numeric,
    /// n marked *left*: fixed odd lengths left-aligned (trailing 0 nibble), e.g. F22.
    NumericLeft,
    /// z: packed BCD digits with `=` as nibble `D`, left-aligned.
    Track,
    /// an: printable ASCII.
    AlphaNumeric,
    /// ans: printable ASCII.
    Text,
    /// b: raw bytes.
    Binary,
}

/// A field's length rule. The unit is digits for n/z fields and bytes for an/ans/b fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FieldLength {
    /// Exactly this many units, no prefix.
    Fixed(usize),
    /// 1-byte BCD prefix, at most this many units.
    LlVar(usize),
    /// 2-byte BCD prefix, at most this many units.
    LllVar(usize),
}

impl FieldLength {
    /// The most units a value may have.
    pub const fn max(self) -> usize {
        match self {
            FieldLength::Fixed(n) | FieldLength::LlVar(n) | FieldLength::LllVar(n) => n,
        }
    }
}

/// One row of the profile table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FieldSpec {
    /// Field (bitmap bit) number, 2..=64.
    pub number: u8,
    /// Human-readable name, for logs.
    pub name: &'static str,
    /// Character encoding.
    pub kind: FieldKind,
    /// Length rule.
    pub length: FieldLength,
}

use FieldKind::{AlphaNumeric as An, Binary as B, Numeric as N, NumericLeft as NL, Text as Ans, Track as Z};
use FieldLength::{Fixed, LlVar, LllVar};

const fn row(number: u8, name: &'static str, kind: FieldKind, length: FieldLength) -> FieldSpec {
    FieldSpec {
        number,
        name,
        kind,
        length,
    }
}

/// docs/profile.md §2, in field order.
static TABLE: [FieldSpec; 32] = [
    row(2, "primary account number", N, LlVar(19)),
    row(3, "processing code", N, Fixed(6)),
    row(4, "amount", N, Fixed(12)),
    row(11, "system trace audit number", N, Fixed(6)),
    row(12, "local time", N, Fixed(6)),
    row(13, "local date", N, Fixed(4)),
    row(14, "card expiry", N, Fixed(4)),
    row(15, "settlement date", N, Fixed(4)),
    row(22, "POS entry mode", NL, Fixed(3)),
    row(23, "card sequence number", N, Fixed(3)),
    row(25, "POS condition code", N, Fixed(2)),
    row(26, "PIN capture code", N, Fixed(2)),
    row(32, "acquiring institution id", N, LlVar(11)),
    row(35, "track 2", Z, LlVar(37)),
    row(36, "track 3", Z, LllVar(104)),
    row(37, "retrieval reference number", An, Fixed(12)),
    row(38, "authorization code", An, Fixed(6)),
    row(39, "response code", An, Fixed(2)),
    row(41, "terminal id", Ans, Fixed(8)),
    row(42, "merchant id", Ans, Fixed(15)),
    row(44, "additional response data", An, LlVar(25)),
    row(48, "additional data", N, LllVar(322)),
    row(49, "currency code", An, Fixed(3)),
    row(52, "PIN block", B, Fixed(8)),
    row(53, "security control", N, Fixed(16)),
    row(54, "balance", An, LllVar(20)),
    row(55, "ICC data", B, LllVar(255)),
    row(60, "reserved private 60", N, LllVar(17)),
    row(61, "original transaction", N, LllVar(29)),
    row(62, "reserved private 62", B, LllVar(512)),
    row(63, "reserved private 63", Ans, LllVar(163)),
    row(64, "MAC", B, Fixed(8)),
];

/// Every field number in the table, ascending.
pub const DEFINED_FIELDS: &[u8] = &[
    2, 3, 4, 11, 12, 13, 14, 15, 22, 23, 25, 26, 32, 35, 36, 37, 38, 39, 41, 42, 44, 48, 49, 52, 53, 54, 55, 60, 61,
    62, 63, 64,
];

/// Row of `TABLE` for each field number 0..=64 (`NONE` where undefined): the encoder looks up
/// every field of every message.
static ROW_OF_FIELD: [u8; 65] = row_of_field();

const NONE: u8 = u8::MAX;

const fn row_of_field() -> [u8; 65] {
    let mut rows = [NONE; 65];
    let mut row = 0;
    while row < TABLE.len() {
        // 32 rows: the index fits a u8. Evaluated at compile time: a bad index fails the build.
        #[allow(clippy::cast_possible_truncation, clippy::indexing_slicing)]
        {
            rows[TABLE[row].number as usize] = row as u8;
        }
        row += 1;
    }
    rows
}

/// The table row for `field`, or `None` if the profile does not define it (including bit 1).
pub fn spec(field: u8) -> Option<&'static FieldSpec> {
    let row = *ROW_OF_FIELD.get(usize::from(field))?;
    TABLE.get(usize::from(row))
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test(unsupported = test)]
    fn defined_fields_match_table() {
        let numbers: Vec<u8> = TABLE.iter().map(|s| s.number).collect();
        assert_eq!(numbers, DEFINED_FIELDS);
        assert!(spec(1).is_none());
        assert!(spec(5).is_none());
        assert!(spec(65).is_none());
        assert!(spec(0).is_none());
        assert!(spec(255).is_none());
        for row in &TABLE {
            assert_eq!(spec(row.number), Some(row));
        }
    }
}
