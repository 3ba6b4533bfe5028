//! Hand-worked encodings from docs/profile.md §1-2, and one case per decode error.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::expect_used, clippy::panic)]

use pos_kernel::codec::{
    spec, DecodeError, EncodeError, FieldKind, FieldLength, Frame, Header, Message, Mti, Part, Tpdu, DEFINED_FIELDS,
};
use wasm_bindgen_test::wasm_bindgen_test;

/// Parses spaced hex like `"02 10"`.
fn hex(s: &str) -> Vec<u8> {
    let digits: String = s.split_whitespace().collect();
    (0..digits.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&digits[i..i + 2], 16).unwrap())
        .collect()
}

/// Encodes a 0200 holding only `field`, checks MTI + bitmap, returns the field's bytes, and
/// checks they decode back to `value`.
fn field_bytes(field: u8, value: &[u8]) -> Vec<u8> {
    let message = Message::new(Mti(200)).with(field, value);
    let body = message.encode_to_vec().unwrap();
    let mut bitmap = [0u8; 8];
    bitmap[usize::from(field - 1) / 8] = 0x80 >> ((field - 1) % 8);
    assert_eq!(&body[..2], [0x02, 0x00]);
    assert_eq!(&body[2..10], bitmap);
    assert_eq!(Message::decode(&body).unwrap(), message);
    body[10..].to_vec()
}

/// A body for MTI 0200 with the given bitmap and field bytes, for decode-error cases.
fn body(bitmap: &str, fields: &str) -> Vec<u8> {
    let mut out = vec![0x02, 0x00];
    out.extend(hex(bitmap));
    out.extend(hex(fields));
    out
}

#[wasm_bindgen_test(unsupported = test)]
fn f22_is_left_aligned() {
    // n3 *left*: digits 0 2 1 + trailing pad 0 -> 02 10. Bit 22 is byte 3, mask 0x80 >> 5 = 04.
    assert_eq!(field_bytes(22, b"021"), hex("02 10"));
    let whole = Message::new(Mti(200)).with(22, "021").encode_to_vec().unwrap();
    assert_eq!(whole, hex("02 00  00 00 04 00 00 00 00 00  02 10"));
}

#[wasm_bindgen_test(unsupported = test)]
fn fixed_numerics_are_right_aligned() {
    // F3 n6 -> 3 bytes; F4 n12 -> 6 bytes; F23 n3 -> leading pad nibble: 0 0 0 1 -> 00 01.
    assert_eq!(field_bytes(3, b"000000"), hex("00 00 00"));
    assert_eq!(field_bytes(4, b"000000001000"), hex("00 00 00 00 10 00"));
    assert_eq!(field_bytes(23, b"001"), hex("00 01"));
    assert_eq!(field_bytes(25, b"06"), hex("06"));
    // F53 n16 -> 8 bytes.
    assert_eq!(field_bytes(53, b"2600000000000000"), hex("26 00 00 00 00 00 00 00"));
}

#[wasm_bindgen_test(unsupported = test)]
fn f2_llvar_odd_digits() {
    // 19 digits: prefix 19 (one BCD byte, counts digits); digits packed left, trailing 0 nibble:
    // 62 12 34 56 78 90 12 34 56 7+0.
    assert_eq!(
        field_bytes(2, b"6212345678901234567"),
        hex("19 62 12 34 56 78 90 12 34 56 70")
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn f35_track2_separator_is_d() {
    // "6212345678901234=2512" is 21 characters: prefix 21; pairs 62 12 34 56 78 90 12 34,
    // then '=' 2 -> D2, 5 1 -> 51, 2 + pad -> 20.
    assert_eq!(
        field_bytes(35, b"6212345678901234=2512"),
        hex("21 62 12 34 56 78 90 12 34 D2 51 20")
    );
    // F36 is LLLVAR track: 3 characters -> prefix 00 03, "=12" -> D1 20.
    assert_eq!(field_bytes(36, b"=12"), hex("00 03 D1 20"));
}

#[wasm_bindgen_test(unsupported = test)]
fn f60_lllvar_odd_digits() {
    // "22000001000" = 60.1 "22" + batch "000001" + 60.3 "000": 11 digits, so the LLL prefix is
    // 00 11; pairs 22 00 00 01 00, then 0 + pad -> 00.
    assert_eq!(field_bytes(60, b"22000001000"), hex("00 11 22 00 00 01 00 00"));
}

#[wasm_bindgen_test(unsupported = test)]
fn f48_lllvar_even_digits() {
    // 4 digits (batch upload end total count): prefix 00 04, then 00 12, no pad.
    assert_eq!(field_bytes(48, b"0012"), hex("00 04 00 12"));
}

#[wasm_bindgen_test(unsupported = test)]
fn f55_lllvar_binary_counts_bytes() {
    // 11 raw bytes: the prefix counts bytes in BCD (00 11, not 00 0B), data copied as is.
    let tlv = hex("9F 26 08 01 02 03 04 05 06 07 08");
    let mut expected = hex("00 11");
    expected.extend(&tlv);
    assert_eq!(field_bytes(55, &tlv), expected);
    // At the maximum, 255 bytes: prefix 02 55.
    let long = vec![0xAB; 255];
    assert_eq!(field_bytes(55, &long)[..2], hex("02 55"));
}

#[wasm_bindgen_test(unsupported = test)]
fn ascii_and_binary_fields() {
    // an3 "156" -> 31 35 36; an..25 LLVAR counts bytes: 03 41 42 43; LLLVAR an: 00 02 ...
    assert_eq!(field_bytes(49, b"156"), hex("31 35 36"));
    assert_eq!(field_bytes(44, b"ABC"), hex("03 41 42 43"));
    assert_eq!(field_bytes(54, b"C1"), hex("00 02 43 31"));
    assert_eq!(field_bytes(63, b"CUP"), hex("00 03 43 55 50"));
    assert_eq!(
        field_bytes(52, &hex("00 FF 01 FE 02 FD 03 FC")),
        hex("00 FF 01 FE 02 FD 03 FC")
    );
    // Empty variable field: just the prefix.
    assert_eq!(field_bytes(2, b""), hex("00"));
}

/// The sign-on request used below: F11 F41 F42 F60 F63.
fn sign_on() -> Frame {
    Frame {
        tpdu: Tpdu::TERMINAL_DEFAULT,
        header: Header {
            status: 0,
            requirement: 0,
        },
        message: Message::new(Mti(800))
            .with(11, "000001")
            .with(41, "10000001")
            .with(42, "123456789012345")
            .with(60, "00000001004")
            .with(63, "001"),
    }
}

/// Derivation:
/// - TPDU `60 00 03 00 00`; header `60 31 00 31 00 00` (S = 0, R = 0); MTI `08 00`.
/// - bitmap: bit 11 -> byte 2 mask 0x20; bits 41, 42 -> byte 6 0x80|0x40 = C0;
///   bits 60, 63 -> byte 8 0x10|0x02 = 12: `00 20 00 00 00 C0 00 12`.
/// - F11 n6 `00 00 01`; F41 ans8 ASCII `31 30 30 30 30 30 30 31`;
///   F42 ans15 ASCII `31 32 33 34 35 36 37 38 39 30 31 32 33 34 35`.
/// - F60 11 digits: `00 11` + `00 00 00 01 00 40` (last digit 4, pad 0).
/// - F63 ans LLLVAR "001": `00 03 30 30 31`.
/// - body = 2 + 8 + 3 + 8 + 15 + 8 + 5 = 49 bytes; after the length: 5 + 6 + 49 = 60 = 0x003C.
const SIGN_ON_HEX: &str = "00 3C  60 00 03 00 00  60 31 00 31 00 00  08 00  00 20 00 00 00 C0 00 12
    00 00 01  31 30 30 30 30 30 30 31  31 32 33 34 35 36 37 38 39 30 31 32 33 34 35
    00 11 00 00 00 01 00 40  00 03 30 30 31";

#[wasm_bindgen_test(unsupported = test)]
fn sign_on_frame_end_to_end() {
    let frame = sign_on();
    let bytes = frame.encode().unwrap();
    assert_eq!(bytes, hex(SIGN_ON_HEX));
    assert_eq!(Frame::decode(&bytes).unwrap(), frame);
}

#[wasm_bindgen_test(unsupported = test)]
fn reply_header_and_tpdu() {
    let frame = Frame {
        tpdu: Tpdu::TERMINAL_DEFAULT.swapped(),
        header: Header {
            status: 1,
            requirement: Header::SIGN_ON_AGAIN,
        },
        message: Message::new(Mti(810)).with(39, "00"),
    };
    let bytes = frame.encode().unwrap();
    assert_eq!(bytes[2..13], hex("60 00 00 00 03  60 31 13 31 00 00"));
    assert_eq!(Frame::decode(&bytes).unwrap(), frame);
}

#[wasm_bindgen_test(unsupported = test)]
fn mti_helpers() {
    assert_eq!(Mti(200).response(), Mti(210));
    assert_eq!(Mti(800).response().digits(), "0810");
    assert_eq!(Mti(400).to_string(), "0400");
    assert_eq!(Mti(u16::MAX).response(), Mti(u16::MAX));
}

#[wasm_bindgen_test(unsupported = test)]
fn message_accessors() {
    let mut m = Message::new(Mti(200)).with(41, "10000001").with(3, "000000");
    m.set(52, vec![0xFF; 8]);
    assert!(m.has(41));
    assert_eq!(m.get_str(41), Some("10000001"));
    assert_eq!(m.get_str(52), None);
    assert_eq!(m.get(52), Some(&[0xFF; 8][..]));
    assert_eq!(m.fields().map(|(n, _)| n).collect::<Vec<_>>(), [3, 41, 52]);
    assert_eq!(m.remove(3), Some(b"000000".to_vec()));
    assert!(!m.has(3));
    assert_eq!(m.remove(3), None);
}

#[wasm_bindgen_test(unsupported = test)]
fn field_table_is_consistent() {
    for &n in DEFINED_FIELDS {
        let s = spec(n).unwrap();
        assert_eq!(s.number, n);
        match s.length {
            FieldLength::LlVar(max) => assert!(max <= 99),
            FieldLength::LllVar(max) => assert!(max <= 999),
            FieldLength::Fixed(_) => {}
        }
    }
    assert_eq!(spec(22).unwrap().kind, FieldKind::NumericLeft);
    assert_eq!(spec(64).unwrap().length, FieldLength::Fixed(8));
    for n in [0, 1, 5, 65, 128, 255] {
        assert!(spec(n).is_none());
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn mac_block_sets_bit_64_and_stops_before_f64() {
    let base = sign_on().message.with(39, "00");
    let with_mac = base.clone().with(64, vec![0x11; 8]);
    let full = with_mac.encode_to_vec().unwrap();
    let expected = &full[..full.len() - 8];
    assert_eq!(base.mac_block().unwrap(), expected);
    assert_eq!(with_mac.mac_block().unwrap(), expected);
    // Bit 64 is the last bit of the bitmap.
    assert_eq!(expected[9] & 0x01, 0x01);
}

#[wasm_bindgen_test(unsupported = test)]
fn serde_round_trip() {
    let frame = sign_on();
    let json = serde_json::to_string(&frame).unwrap();
    assert_eq!(serde_json::from_str::<Frame>(&json).unwrap(), frame);
}

// ---- encode errors ----

#[wasm_bindgen_test(unsupported = test)]
fn encode_errors() {
    let enc = |field: u8, value: &[u8]| Message::new(Mti(200)).with(field, value).encode_to_vec();
    for field in [0, 1, 5, 65] {
        assert_eq!(enc(field, b"1"), Err(EncodeError::UndefinedField { field }));
    }
    assert!(matches!(
        enc(4, b"1000"),
        Err(EncodeError::InvalidValue { field: 4, .. })
    ));
    assert!(matches!(
        enc(3, b"00000A"),
        Err(EncodeError::InvalidValue { field: 3, .. })
    ));
    assert!(matches!(
        enc(2, b"6212=4"),
        Err(EncodeError::InvalidValue { field: 2, .. })
    ));
    assert!(matches!(
        enc(35, b"62F2"),
        Err(EncodeError::InvalidValue { field: 35, .. })
    ));
    assert!(matches!(
        enc(41, b"1000000\n"),
        Err(EncodeError::InvalidValue { field: 41, .. })
    ));
    assert!(matches!(
        enc(52, &[0; 7]),
        Err(EncodeError::InvalidValue { field: 52, .. })
    ));
    assert_eq!(
        enc(2, &[b'1'; 20]),
        Err(EncodeError::LengthOverMax {
            field: 2,
            length: 20,
            max: 19
        })
    );
    assert_eq!(
        enc(62, &[0; 513]),
        Err(EncodeError::LengthOverMax {
            field: 62,
            length: 513,
            max: 512
        })
    );
    assert_eq!(Message::new(Mti(10000)).encode_to_vec(), Err(EncodeError::BadMti));
    let mut frame = sign_on();
    frame.header.status = 10;
    assert_eq!(frame.encode(), Err(EncodeError::BadHeader));

    // A failed encode leaves the output buffer as it was.
    let mut out = vec![0xEE];
    let bad = Message::new(Mti(200)).with(3, "000000").with(4, "1");
    assert!(bad.encode(&mut out).is_err());
    assert_eq!(out, [0xEE]);
}

// ---- one case per decode error ----

#[wasm_bindgen_test(unsupported = test)]
fn truncated() {
    let bytes = hex(SIGN_ON_HEX);
    // The length announces 60 bytes, 59 follow.
    assert_eq!(
        Frame::decode(&bytes[..bytes.len() - 1]),
        Err(DecodeError::Truncated {
            part: Part::Length,
            needed: 60,
            available: 59
        })
    );
    assert_eq!(
        Frame::decode(&bytes[..1]),
        Err(DecodeError::Truncated {
            part: Part::Length,
            needed: 2,
            available: 1
        })
    );
    // Consistent length, but F63 (00 03 ...) is missing its last byte.
    let mut short = bytes[..bytes.len() - 1].to_vec();
    short[1] = 0x3B;
    assert_eq!(
        Frame::decode(&short),
        Err(DecodeError::Truncated {
            part: Part::Field(63),
            needed: 3,
            available: 2
        })
    );
    // Length 3: not even a TPDU.
    assert_eq!(
        Frame::decode(&hex("00 03 60 00 03")),
        Err(DecodeError::Truncated {
            part: Part::Tpdu,
            needed: 5,
            available: 3
        })
    );
    assert_eq!(
        Frame::decode(&hex("00 07 60 00 03 00 00 60 31")),
        Err(DecodeError::Truncated {
            part: Part::Header,
            needed: 6,
            available: 2
        })
    );
    assert_eq!(
        Message::decode(&hex("02")),
        Err(DecodeError::Truncated {
            part: Part::Mti,
            needed: 2,
            available: 1
        })
    );
    assert_eq!(
        Message::decode(&hex("02 00 00 00")),
        Err(DecodeError::Truncated {
            part: Part::Bitmap,
            needed: 8,
            available: 2
        })
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn bad_bcd_nibble() {
    assert_eq!(
        Message::decode(&hex("0A 00  00 00 00 00 00 00 00 00")),
        Err(DecodeError::BadBcdNibble {
            part: Part::Mti,
            nibble: 0xA
        })
    );
    // F3 (bit 3: byte 1 mask 0x20) value 00 0B 00.
    assert_eq!(
        Message::decode(&body("20 00 00 00 00 00 00 00", "00 0B 00")),
        Err(DecodeError::BadBcdNibble {
            part: Part::Field(3),
            nibble: 0xB
        })
    );
    // F2 (bit 2: byte 1 mask 0x40) with length prefix 1F.
    assert_eq!(
        Message::decode(&body("40 00 00 00 00 00 00 00", "1F")),
        Err(DecodeError::BadBcdNibble {
            part: Part::Field(2),
            nibble: 0xF
        })
    );
    // F35 (bit 35: byte 5 mask 0x20) track data may hold D but not E.
    assert_eq!(
        Message::decode(&body("00 00 00 00 20 00 00 00", "02 1E")),
        Err(DecodeError::BadBcdNibble {
            part: Part::Field(35),
            nibble: 0xE
        })
    );
    // A D in a plain numeric field is rejected.
    assert_eq!(
        Message::decode(&body("40 00 00 00 00 00 00 00", "02 1D")),
        Err(DecodeError::BadBcdNibble {
            part: Part::Field(2),
            nibble: 0xD
        })
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn length_over_max() {
    // F2 announces 20 digits (max 19).
    assert_eq!(
        Message::decode(&body("40 00 00 00 00 00 00 00", "20")),
        Err(DecodeError::LengthOverMax {
            field: 2,
            length: 20,
            max: 19
        })
    );
    // F55 (bit 55: byte 7 mask 0x02) announces 256 bytes (max 255).
    assert_eq!(
        Message::decode(&body("00 00 00 00 00 00 02 00", "02 56")),
        Err(DecodeError::LengthOverMax {
            field: 55,
            length: 256,
            max: 255
        })
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn undefined_field_bits() {
    // Bit 5: byte 1 mask 0x08.
    assert_eq!(
        Message::decode(&body("08 00 00 00 00 00 00 00", "")),
        Err(DecodeError::UndefinedField { field: 5 })
    );
    // Bit 1, the secondary bitmap, is never allowed.
    assert_eq!(
        Message::decode(&body("80 00 00 00 00 00 00 00", "")),
        Err(DecodeError::UndefinedField { field: 1 })
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn trailing_bytes() {
    let mut body = Message::new(Mti(800)).with(11, "000001").encode_to_vec().unwrap();
    body.push(0);
    assert_eq!(Message::decode(&body), Err(DecodeError::TrailingBytes { count: 1 }));
    // Bytes after the announced frame length.
    let mut bytes = hex(SIGN_ON_HEX);
    bytes.extend([0, 0]);
    assert_eq!(Frame::decode(&bytes), Err(DecodeError::TrailingBytes { count: 2 }));
    // The announced length covers a byte after the last field.
    let mut bytes = hex(SIGN_ON_HEX);
    bytes.push(0);
    bytes[1] = 0x3D;
    assert_eq!(Frame::decode(&bytes), Err(DecodeError::TrailingBytes { count: 1 }));
}

#[wasm_bindgen_test(unsupported = test)]
fn bad_padding() {
    // F22 left-aligned: trailing nibble must be 0.
    assert_eq!(
        Message::decode(&body("00 00 04 00 00 00 00 00", "02 11")),
        Err(DecodeError::BadPadding { field: 22 })
    );
    // F23 (bit 23: byte 3 mask 0x02) right-aligned: leading nibble must be 0.
    assert_eq!(
        Message::decode(&body("00 00 02 00 00 00 00 00", "10 01")),
        Err(DecodeError::BadPadding { field: 23 })
    );
    // F2 odd variable: 3 digits then pad F.
    assert_eq!(
        Message::decode(&body("40 00 00 00 00 00 00 00", "03 12 3F")),
        Err(DecodeError::BadPadding { field: 2 })
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn bad_character() {
    // F39 (bit 39: byte 5 mask 0x02) an2 "0" + BEL.
    assert_eq!(
        Message::decode(&body("00 00 00 00 02 00 00 00", "30 07")),
        Err(DecodeError::BadCharacter { field: 39, byte: 0x07 })
    );
    // F63 ans LLLVAR with a byte above 0x7E.
    assert_eq!(
        Message::decode(&body("00 00 00 00 00 00 00 02", "00 02 43 80")),
        Err(DecodeError::BadCharacter { field: 63, byte: 0x80 })
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn bad_tpdu() {
    let mut bytes = hex(SIGN_ON_HEX);
    bytes[2] = 0x61;
    assert_eq!(Frame::decode(&bytes), Err(DecodeError::BadTpdu));
}

#[wasm_bindgen_test(unsupported = test)]
fn bad_header() {
    // Header bytes are 7..13 of the frame: 60 31 SR 31 00 00.
    for (index, value) in [
        (7, 0x61),
        (8, 0x32),
        (9, 0x0A),
        (9, 0xA0),
        (10, 0x30),
        (11, 0x01),
        (12, 0x01),
    ] {
        let mut bytes = hex(SIGN_ON_HEX);
        bytes[index] = value;
        assert_eq!(
            Frame::decode(&bytes),
            Err(DecodeError::BadHeader),
            "byte {index} = {value:02X}"
        );
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn errors_display() {
    let e = DecodeError::Truncated {
        part: Part::Field(63),
        needed: 3,
        available: 2,
    };
    assert_eq!(e.to_string(), "field 63 truncated: needs 3 bytes, 2 available");
    let e: Box<dyn std::error::Error> = Box::new(EncodeError::BadMti);
    assert!(!e.to_string().is_empty());
}
