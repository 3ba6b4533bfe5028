//! Property tests: valid messages and frames round-trip; any bytes decode without panicking, and
//! whatever decodes re-encodes to exactly the bytes it came from.
// proptest needs OS randomness, which wasm32-unknown-unknown lacks: native only.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::expect_used, clippy::panic)]

use pos_kernel::codec::{spec, FieldKind, FieldLength, FieldSpec, Frame, Header, Message, Mti, Tpdu, DEFINED_FIELDS};
use proptest::prelude::*;
use proptest::sample::select;

const DIGITS: &[u8] = b"0123456789";
const TRACK: &[u8] = b"0123456789=";

/// A value valid for `spec`: the right characters, within the length rule.
fn value(spec: &FieldSpec) -> BoxedStrategy<Vec<u8>> {
    let len = match spec.length {
        FieldLength::Fixed(n) => n..=n,
        FieldLength::LlVar(max) | FieldLength::LllVar(max) => 0..=max,
    };
    let chars: BoxedStrategy<u8> = match spec.kind {
        FieldKind::Numeric | FieldKind::NumericLeft => select(DIGITS).boxed(),
        FieldKind::Track => select(TRACK).boxed(),
        FieldKind::AlphaNumeric | FieldKind::Text => (0x20u8..=0x7E).boxed(),
        FieldKind::Binary => any::<u8>().boxed(),
    };
    proptest::collection::vec(chars, len).boxed()
}

/// Any MTI 0..=9999 with any subset of the defined fields.
fn message() -> impl Strategy<Value = Message> {
    let fields: Vec<_> = DEFINED_FIELDS
        .iter()
        .map(|&n| proptest::option::weighted(0.4, value(spec(n).unwrap())).prop_map(move |v| (n, v)))
        .collect();
    (0u16..=9999, fields).prop_map(|(mti, fields)| {
        let mut m = Message::new(Mti(mti));
        for (n, v) in fields {
            if let Some(v) = v {
                m.set(n, v);
            }
        }
        m
    })
}

fn frame() -> impl Strategy<Value = Frame> {
    (any::<u16>(), any::<u16>(), 0u8..=9, 0u8..=9, message()).prop_map(|(d, s, st, rq, message)| Frame {
        tpdu: Tpdu {
            destination: d,
            source: s,
        },
        header: Header {
            status: st,
            requirement: rq,
        },
        message,
    })
}

/// One edit to a byte string.
#[derive(Clone, Debug)]
enum Mutation {
    Flip { at: usize, mask: u8 },
    Set { at: usize, byte: u8 },
    Truncate { at: usize },
    Extend { bytes: Vec<u8> },
    Insert { at: usize, byte: u8 },
    Remove { at: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1u8..=255).prop_map(|(at, mask)| Mutation::Flip { at, mask }),
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Set { at, byte }),
        any::<usize>().prop_map(|at| Mutation::Truncate { at }),
        proptest::collection::vec(any::<u8>(), 1..8).prop_map(|bytes| Mutation::Extend { bytes }),
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Insert { at, byte }),
        any::<usize>().prop_map(|at| Mutation::Remove { at }),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    let len = bytes.len().max(1);
    match m {
        Mutation::Flip { at, mask } => {
            if let Some(b) = bytes.get_mut(at % len) {
                *b ^= mask;
            }
        }
        Mutation::Set { at, byte } => {
            if let Some(b) = bytes.get_mut(at % len) {
                *b = *byte;
            }
        }
        Mutation::Truncate { at } => bytes.truncate(at % len),
        Mutation::Extend { bytes: extra } => bytes.extend(extra),
        Mutation::Insert { at, byte } => bytes.insert(at % (bytes.len() + 1), *byte),
        Mutation::Remove { at } => {
            if !bytes.is_empty() {
                bytes.remove(at % len);
            }
        }
    }
}

/// Strictness: anything that decodes must re-encode to the identical bytes.
fn check_frame_bytes(bytes: &[u8]) -> Result<(), TestCaseError> {
    if let Ok(frame) = Frame::decode(bytes) {
        prop_assert_eq!(frame.encode().unwrap(), bytes);
    }
    Ok(())
}

fn check_body_bytes(bytes: &[u8]) -> Result<(), TestCaseError> {
    if let Ok(message) = Message::decode(bytes) {
        prop_assert_eq!(message.encode_to_vec().unwrap(), bytes);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn message_round_trip(m in message()) {
        let body = m.encode_to_vec().unwrap();
        prop_assert_eq!(Message::decode(&body).unwrap(), m);
    }

    #[test]
    fn frame_round_trip(f in frame()) {
        let bytes = f.encode().unwrap();
        prop_assert_eq!(usize::from(u16::from_be_bytes([bytes[0], bytes[1]])), bytes.len() - 2);
        prop_assert_eq!(Frame::decode(&bytes).unwrap(), f);
    }

    #[test]
    fn mac_block_is_body_without_mac(m in message(), mac in any::<[u8; 8]>()) {
        let with_mac = m.clone().with(64, mac);
        let full = with_mac.encode_to_vec().unwrap();
        let expected = &full[..full.len() - 8];
        prop_assert_eq!(with_mac.mac_block().unwrap(), expected);
        let mut without = m;
        without.remove(64);
        prop_assert_eq!(without.mac_block().unwrap(), expected);
    }

    /// A request framed with its MAC in one pass is the frame of the message with F64 set, and
    /// the MAC is computed over exactly the MAC block.
    #[test]
    fn framing_with_a_mac_encodes_once_what_setting_f64_would(f in frame(), mac in any::<[u8; 8]>()) {
        let mut seen = Vec::new();
        let (bytes, got) = Frame::encode_with_mac(f.tpdu, f.header, &f.message, |block| {
            seen = block.to_vec();
            Ok::<_, ()>(mac)
        })
        .unwrap();
        prop_assert_eq!(got, mac);
        prop_assert_eq!(seen, f.message.mac_block().unwrap());
        let mut with_mac = f;
        with_mac.message.set(64, mac);
        prop_assert_eq!(bytes, with_mac.encode().unwrap());
    }

    /// The terminal checks a reply's MAC over the bytes it received; that must be the block the
    /// acquirer MACed, which is what `mac_block` encodes.
    #[test]
    fn received_mac_block_is_the_encoded_one(f in frame(), mac in any::<[u8; 8]>()) {
        let mut f = f;
        f.message.set(64, mac);
        let bytes = f.encode().unwrap();
        let decoded = Frame::decode(&bytes).unwrap();
        let encoded = decoded.message.mac_block().unwrap();
        prop_assert_eq!(Frame::received_mac_block(&bytes).unwrap(), encoded.as_slice());
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        check_frame_bytes(&bytes)?;
        check_body_bytes(&bytes)?;
    }

    /// Random bytes behind a plausible MTI and bitmap, to get past the first checks more often.
    #[test]
    fn plausible_bodies_never_panic(
        mti in 0u16..=9999,
        bits in proptest::collection::vec(select(DEFINED_FIELDS), 0..6),
        tail in proptest::collection::vec(any::<u8>(), 0..300),
    ) {
        let mut bitmap = 0u64;
        for b in bits {
            bitmap |= 1 << (64 - u32::from(b));
        }
        let mut body = Message::new(Mti(mti)).encode_to_vec().unwrap();
        body[2..10].copy_from_slice(&bitmap.to_be_bytes());
        body.extend(tail);
        check_body_bytes(&body)?;
    }

    #[test]
    fn mutated_frames_never_panic(
        f in frame(),
        edits in proptest::collection::vec(mutation(), 1..4),
        fix_length in any::<bool>(),
    ) {
        let mut bytes = f.encode().unwrap();
        for e in &edits {
            apply(&mut bytes, e);
        }
        // Half the time keep the length prefix consistent so the edit reaches the fields.
        if fix_length && bytes.len() >= 2 {
            if let Ok(n) = u16::try_from(bytes.len() - 2) {
                bytes[..2].copy_from_slice(&n.to_be_bytes());
            }
        }
        check_frame_bytes(&bytes)?;
        if bytes.len() >= 13 {
            check_body_bytes(&bytes[13..])?;
        }
    }
}

/// One edit to a message's fields.
#[derive(Clone, Debug)]
enum FieldEdit {
    Set(u8, Vec<u8>),
    Unset(u8),
    Remove(u8),
}

fn field_edit() -> impl Strategy<Value = FieldEdit> {
    let field = 1u8..=64;
    prop_oneof![
        3 => (field.clone(), proptest::collection::vec(any::<u8>(), 0..40)).prop_map(|(f, v)| FieldEdit::Set(f, v)),
        1 => field.clone().prop_map(FieldEdit::Unset),
        1 => field.prop_map(FieldEdit::Remove),
    ]
}

proptest! {
    /// `Message` keeps its fields in one buffer; a map of field number to value is the model it
    /// must behave like, whatever the order of edits. Two messages with the same fields are equal
    /// however they were built, and survive postcard (the journal's form).
    #[test]
    fn message_behaves_like_a_map_of_fields(edits in proptest::collection::vec(field_edit(), 0..60)) {
        use std::collections::BTreeMap;
        let mut message = Message::new(Mti(200));
        let mut model: BTreeMap<u8, Vec<u8>> = BTreeMap::new();
        for edit in &edits {
            match edit {
                FieldEdit::Set(f, v) => {
                    message.set(*f, v);
                    model.insert(*f, v.clone());
                }
                FieldEdit::Unset(f) => {
                    message.unset(*f);
                    model.remove(f);
                }
                FieldEdit::Remove(f) => prop_assert_eq!(message.remove(*f), model.remove(f)),
            }
            for f in 1..=64u8 {
                prop_assert_eq!(message.get(f), model.get(&f).map(Vec::as_slice));
                prop_assert_eq!(message.has(f), model.contains_key(&f));
            }
        }
        let fields: Vec<(u8, Vec<u8>)> = message.fields().map(|(f, v)| (f, v.to_vec())).collect();
        let expected: Vec<(u8, Vec<u8>)> = model.iter().map(|(f, v)| (*f, v.clone())).collect();
        prop_assert_eq!(&fields, &expected);
        prop_assert_eq!(message.len(), model.len());
        // Built again in descending order: the same message.
        let mut rebuilt = Message::new(Mti(200));
        for (f, v) in model.iter().rev() {
            rebuilt.set(*f, v);
        }
        prop_assert_eq!(&rebuilt, &message);
        let bytes = postcard::to_allocvec(&message).unwrap();
        prop_assert_eq!(postcard::from_bytes::<Message>(&bytes).unwrap(), message);
    }
}
