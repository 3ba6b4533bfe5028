//! BER-TLV as EMV uses it (F55, and the keys and IC parameters of docs/profile.md §7): tags of
//! one or more bytes (a first byte whose low five bits are all set continues; a following byte
//! with its top bit set continues), lengths in short form or `81`/`82` long form. Constructed
//! tags (71, 72 issuer scripts) are kept whole, not entered.
//!
//! Nothing here panics on input: bytes that are not TLV are a [`TlvError`].

/// One tag with its value, borrowed from the bytes it was read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tlv<'a> {
    /// The tag's bytes, e.g. `[0x9f, 0x26]`.
    pub tag: &'a [u8],
    pub value: &'a [u8],
}

/// Bytes that are not a sequence of TLVs: where reading stopped, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlvError {
    pub offset: usize,
    pub reason: &'static str,
}

impl core::fmt::Display for TlvError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "not BER-TLV at byte {}: {}", self.offset, self.reason)
    }
}

impl std::error::Error for TlvError {}

/// Every TLV in `bytes`, in order. Padding bytes `00` and `FF` between TLVs are skipped (EMV
/// allows them).
pub fn parse(bytes: &[u8]) -> Result<Vec<Tlv<'_>>, TlvError> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        if matches!(bytes.get(at), Some(0x00 | 0xff)) {
            at += 1;
            continue;
        }
        let (tlv, next) = read_one(bytes, at)?;
        out.push(tlv);
        at = next;
    }
    Ok(out)
}

fn read_one(bytes: &[u8], start: usize) -> Result<(Tlv<'_>, usize), TlvError> {
    let err = |offset, reason| TlvError { offset, reason };
    let first = *bytes.get(start).ok_or(err(start, "missing tag"))?;
    let mut at = start + 1;
    if first & 0x1f == 0x1f {
        loop {
            let byte = *bytes.get(at).ok_or(err(at, "tag cut short"))?;
            at += 1;
            if byte & 0x80 == 0 {
                break;
            }
            if at - start > 4 {
                return Err(err(start, "tag longer than 4 bytes"));
            }
        }
    }
    let tag = bytes.get(start..at).ok_or(err(start, "tag cut short"))?;
    let len_byte = *bytes.get(at).ok_or(err(at, "missing length"))?;
    at += 1;
    let len = match len_byte {
        0..=0x7f => usize::from(len_byte),
        0x81 => {
            let n = *bytes.get(at).ok_or(err(at, "length cut short"))?;
            at += 1;
            usize::from(n)
        }
        0x82 => {
            let hi = *bytes.get(at).ok_or(err(at, "length cut short"))?;
            let lo = *bytes.get(at + 1).ok_or(err(at, "length cut short"))?;
            at += 2;
            usize::from(u16::from_be_bytes([hi, lo]))
        }
        _ => return Err(err(at - 1, "length form not supported")),
    };
    let end = at.checked_add(len).ok_or(err(at, "length overflows"))?;
    let value = bytes.get(at..end).ok_or(err(at, "value shorter than its length"))?;
    Ok((Tlv { tag, value }, end))
}

/// The value of the first `tag` in `bytes` (None if absent or if the bytes are not TLV).
pub fn find<'a>(bytes: &'a [u8], tag: &[u8]) -> Option<&'a [u8]> {
    parse(bytes).ok()?.into_iter().find(|t| t.tag == tag).map(|t| t.value)
}

/// Appends one TLV to `out`.
pub fn push(out: &mut Vec<u8>, tag: &[u8], value: &[u8]) {
    out.extend_from_slice(tag);
    match u8::try_from(value.len()) {
        Ok(len @ 0..=0x7f) => out.push(len),
        Ok(len) => out.extend_from_slice(&[0x81, len]),
        Err(_) => {
            let len = u16::try_from(value.len()).unwrap_or(u16::MAX);
            out.push(0x82);
            out.extend_from_slice(&len.to_be_bytes());
        }
    }
    out.extend_from_slice(value);
}

/// Tags that carry card data a terminal must not keep (docs/architecture.md, rule 15): track 1
/// and track 2 equivalent data (56, 57, 9F6B), the PAN (5A), the cardholder name (5F20) and
/// track discretionary data (9F1F, 9F20).
pub const CARD_DATA_TAGS: [&[u8]; 7] = [
    &[0x56],
    &[0x57],
    &[0x5a],
    &[0x5f, 0x20],
    &[0x9f, 0x1f],
    &[0x9f, 0x20],
    &[0x9f, 0x6b],
];

/// `bytes` without the tags in `drop`. Bytes that are not TLV give nothing: what cannot be read
/// cannot be shown to hold no card data.
pub fn without(bytes: &[u8], drop: &[&[u8]]) -> Vec<u8> {
    let Ok(tlvs) = parse(bytes) else {
        return Vec::new();
    };
    let mut out = Vec::with_capacity(bytes.len());
    for t in tlvs.iter().filter(|t| !drop.contains(&t.tag)) {
        push(&mut out, t.tag, t.value);
    }
    out
}

/// `base` with every tag of `over` put in: a tag in both takes `over`'s value in `base`'s place;
/// tags only in `over` follow, in its order. Used for the chip evidence (the request's data
/// with the card's second GENERATE AC over it). Either input that is not TLV counts as empty.
pub fn merge(base: &[u8], over: &[u8]) -> Vec<u8> {
    let base = parse(base).unwrap_or_default();
    let over = parse(over).unwrap_or_default();
    let mut out = Vec::with_capacity(128);
    for tlv in &base {
        let value = over.iter().find(|o| o.tag == tlv.tag).map_or(tlv.value, |o| o.value);
        push(&mut out, tlv.tag, value);
    }
    for tlv in over.iter().filter(|o| !base.iter().any(|b| b.tag == o.tag)) {
        push(&mut out, tlv.tag, tlv.value);
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn reads_two_byte_tags_long_lengths_and_constructed_tags_whole() {
        let mut bytes = Vec::new();
        push(&mut bytes, &[0x9f, 0x26], &[1; 8]);
        push(&mut bytes, &[0x72], &[0x9f, 0x18, 0x04, 0, 0, 0, 1, 0x86, 0x01, 0xaa]);
        push(&mut bytes, &[0xdf, 0x02], &[7; 200]);
        let tlvs = parse(&bytes).unwrap();
        assert_eq!(tlvs.len(), 3);
        assert_eq!(tlvs[1].tag, &[0x72]);
        assert_eq!(tlvs[1].value.len(), 10);
        assert_eq!(find(&bytes, &[0xdf, 0x02]).map(<[u8]>::len), Some(200));
        assert_eq!(&bytes[bytes.len() - 204..bytes.len() - 200], &[0xdf, 0x02, 0x81, 200]);
    }

    #[test]
    fn refuses_what_is_not_tlv() {
        assert_eq!(parse(&[0x9f]).unwrap_err().reason, "tag cut short");
        assert_eq!(
            parse(&[0x9f, 0x26, 0x08, 1]).unwrap_err().reason,
            "value shorter than its length"
        );
        assert_eq!(
            parse(&[0x5a, 0x84, 0, 0, 0, 1]).unwrap_err().reason,
            "length form not supported"
        );
        assert_eq!(find(&[0x9f], &[0x9f]), None);
    }

    #[test]
    fn card_data_tags_are_left_out_and_what_is_not_tlv_is_dropped() {
        let mut bytes = Vec::new();
        push(&mut bytes, &[0x9f, 0x26], &[1; 8]);
        push(&mut bytes, &[0x57], &[0x62, 0x22, 0x02, 0xd3]);
        push(&mut bytes, &[0x5a], &[0x62, 0x22, 0x02]);
        let kept = without(&bytes, &CARD_DATA_TAGS);
        let tags: Vec<_> = parse(&kept).unwrap().iter().map(|t| t.tag.to_vec()).collect();
        assert_eq!(tags, vec![vec![0x9f, 0x26]]);
        assert_eq!(without(&[0x9f], &CARD_DATA_TAGS), Vec::<u8>::new());
    }

    #[test]
    fn merge_puts_the_later_values_in_place_and_appends_the_new_tags() {
        let mut base = Vec::new();
        push(&mut base, &[0x9f, 0x26], &[1; 8]);
        push(&mut base, &[0x95], &[0; 5]);
        let mut over = Vec::new();
        push(&mut over, &[0x9f, 0x26], &[2; 8]);
        push(&mut over, &[0xdf, 0x31], &[0x20, 0, 0, 0, 1]);
        let merged = merge(&base, &over);
        let tags: Vec<_> = parse(&merged).unwrap().iter().map(|t| t.tag.to_vec()).collect();
        assert_eq!(tags, vec![vec![0x9f, 0x26], vec![0x95], vec![0xdf, 0x31]]);
        assert_eq!(find(&merged, &[0x9f, 0x26]), Some(&[2u8; 8][..]));
    }
}
