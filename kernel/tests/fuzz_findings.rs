//! What fuzzing found (fuzz/, scripts/fuzz.sh), each kept as the input that showed it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use pos_kernel::engine::Record;

/// `journal_records`: a record whose reversal message holds field 0 (undefined in the profile)
/// decoded, with the field silently dropped, and encoded to a different record. A message
/// this crate could not have written is now refused when it is read.
#[test]
fn a_record_with_an_undefined_field_is_refused() {
    let bytes = [
        0x02, 0x00, 0x0b, 0x01, 0xd6, 0x89, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    ];
    let decoded = Record::decode(&bytes);
    assert!(decoded.is_err(), "{decoded:?}");
    // What decodes still round-trips exactly.
    let fine = Record::ExceptionAcknowledged { stan: 7 };
    assert_eq!(Record::decode(&fine.encode().unwrap()), Ok(fine));
}
