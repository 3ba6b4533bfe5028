//! The on-disk format: a 16-byte header, then frames (see the crate docs, "File format").
//!
//! Everything here is pure: encoding into a buffer and parsing a byte image. The [`Journal`]
//! decides what to do with the result (truncate a damaged tail, or refuse to open).
//!
//! [`Journal`]: crate::Journal

/// The first eight bytes of every journal file.
pub const MAGIC: [u8; 8] = *b"POSJRNL1";

/// The format version this crate writes and reads (header bytes 8..10, little-endian).
pub const FORMAT_VERSION: u16 = 1;

/// Length of the file header: magic (8), version (2), reserved zeros (6).
pub const HEADER_LEN: usize = 16;

/// Bytes a frame adds around its record: the length before it and the CRC after it.
pub const FRAME_OVERHEAD: usize = 8;

/// The longest record a frame may hold (1 MiB). Longer is refused on append and is corruption on read.
pub const MAX_RECORD_LEN: usize = 1 << 20;

/// The header this crate writes.
pub fn header() -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN);
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.resize(HEADER_LEN, 0);
    out
}

/// Appends the frame of `record` to `out`: length (u32 LE), record, CRC32C (u32 LE) over length and
/// record. Returns `false` (and leaves `out` alone) if the record is longer than [`MAX_RECORD_LEN`].
pub fn encode_frame(record: &[u8], out: &mut Vec<u8>) -> bool {
    if record.len() > MAX_RECORD_LEN {
        return false;
    }
    let Ok(len) = u32::try_from(record.len()) else {
        return false;
    };
    let len = len.to_le_bytes();
    let crc = crc32c::crc32c_append(crc32c::crc32c(&len), record);
    out.reserve(record.len() + FRAME_OVERHEAD);
    out.extend_from_slice(&len);
    out.extend_from_slice(record);
    out.extend_from_slice(&crc.to_le_bytes());
    true
}

/// What the header of an image says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Header {
    /// At least [`HEADER_LEN`] bytes and a valid version-1 header.
    Valid,
    /// Shorter than a header and a prefix of the header this crate writes (possibly empty): a file
    /// that was being created when the machine stopped. Holds no record.
    Incomplete,
    /// The magic does not match (or a short file is not a prefix of the header): not a journal.
    NotAJournal,
    /// A journal of another format version.
    UnsupportedVersion(u16),
    /// Version 1, but a reserved byte (at this offset) is not zero.
    BadReserved(usize),
}

pub(crate) fn check_header(image: &[u8]) -> Header {
    let expected = header();
    let Some((head, _)) = image.split_first_chunk::<HEADER_LEN>() else {
        return if expected.starts_with(image) {
            Header::Incomplete
        } else {
            Header::NotAJournal
        };
    };
    let Some((magic, rest)) = head.split_first_chunk::<8>() else {
        return Header::NotAJournal;
    };
    if *magic != MAGIC {
        return Header::NotAJournal;
    }
    let Some((version, reserved)) = rest.split_first_chunk::<2>() else {
        return Header::NotAJournal;
    };
    let version = u16::from_le_bytes(*version);
    if version != FORMAT_VERSION {
        return Header::UnsupportedVersion(version);
    }
    match reserved.iter().position(|&b| b != 0) {
        Some(i) => Header::BadReserved(10 + i),
        None => Header::Valid,
    }
}

/// One attempt to read a frame at an offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Frame<'a> {
    /// A whole frame with a matching CRC; the next frame starts at `end`.
    Valid { record: &'a [u8], end: usize },
    /// The image ends inside the frame (length, record or CRC).
    Incomplete,
    /// The length field exceeds [`MAX_RECORD_LEN`].
    TooLong,
    /// The CRC does not match.
    BadCrc,
}

pub(crate) fn frame_at(image: &[u8], pos: usize) -> Frame<'_> {
    let Some(rest) = image.get(pos..) else {
        return Frame::Incomplete;
    };
    let Some((len_bytes, rest)) = rest.split_first_chunk::<4>() else {
        return Frame::Incomplete;
    };
    let len = usize::try_from(u32::from_le_bytes(*len_bytes)).unwrap_or(usize::MAX);
    if len > MAX_RECORD_LEN {
        return Frame::TooLong;
    }
    let Some((record, rest)) = rest.split_at_checked(len) else {
        return Frame::Incomplete;
    };
    let Some((crc_bytes, _)) = rest.split_first_chunk::<4>() else {
        return Frame::Incomplete;
    };
    let crc = crc32c::crc32c_append(crc32c::crc32c(len_bytes), record);
    if crc != u32::from_le_bytes(*crc_bytes) {
        return Frame::BadCrc;
    }
    Frame::Valid {
        record,
        end: pos + FRAME_OVERHEAD + len,
    }
}

/// The frames of an image (after a valid header), up to the first damage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Parsed<'a> {
    pub records: Vec<&'a [u8]>,
    /// End of the last valid frame: where the file is cut if the damage is a tail.
    pub good_end: usize,
    pub damage: Option<Damage>,
}

/// The first frame that is not valid, and what follows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Damage {
    /// Offset of the damaged frame (== `Parsed::good_end`).
    pub offset: usize,
    /// Offset of the first valid frame found at any byte position after `offset`, if any: then
    /// the damage is not a tail.
    pub valid_frame_after: Option<usize>,
    /// How many frames the damaged region seems to hold: the damaged frame plus the frames found
    /// by following the length fields while they are plausible. At least 1.
    pub frames: usize,
}

pub(crate) fn parse_frames(image: &[u8]) -> Parsed<'_> {
    let mut records = Vec::new();
    let mut pos = HEADER_LEN.min(image.len());
    while pos < image.len() {
        match frame_at(image, pos) {
            Frame::Valid { record, end } => {
                records.push(record);
                pos = end;
            }
            Frame::Incomplete | Frame::TooLong | Frame::BadCrc => {
                return Parsed {
                    records,
                    good_end: pos,
                    damage: Some(Damage {
                        offset: pos,
                        valid_frame_after: valid_frame_after(image, pos),
                        frames: frames_in_region(image, pos),
                    }),
                };
            }
        }
    }
    Parsed {
        records,
        good_end: pos,
        damage: None,
    }
}

/// The first offset after `damaged` where a whole valid frame parses. Every byte position is
/// tried, because the damage may be in a length field (so the next boundary is unknown).
fn valid_frame_after(image: &[u8], damaged: usize) -> Option<usize> {
    let last_start = image.len().checked_sub(FRAME_OVERHEAD)?;
    ((damaged + 1)..=last_start).find(|&pos| matches!(frame_at(image, pos), Frame::Valid { .. }))
}

/// Counts frame starts from `pos` to the end by following length fields while they are plausible.
fn frames_in_region(image: &[u8], mut pos: usize) -> usize {
    let mut frames = 0;
    while pos < image.len() {
        frames += 1;
        let Some((len, _)) = image.get(pos..).and_then(|rest| rest.split_first_chunk::<4>()) else {
            break;
        };
        let len = usize::try_from(u32::from_le_bytes(*len)).unwrap_or(usize::MAX);
        if len > MAX_RECORD_LEN {
            break;
        }
        pos = pos.saturating_add(FRAME_OVERHEAD + len);
    }
    frames
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
    use super::*;

    fn image(records: &[&[u8]]) -> Vec<u8> {
        let mut out = header();
        for r in records {
            assert!(encode_frame(r, &mut out));
        }
        out
    }

    #[test]
    fn header_layout() {
        let h = header();
        assert_eq!(h.len(), HEADER_LEN);
        assert_eq!(&h[..8], b"POSJRNL1");
        assert_eq!(&h[8..10], &[1, 0]);
        assert_eq!(&h[10..], &[0; 6]);
        assert_eq!(check_header(&h), Header::Valid);
        assert_eq!(check_header(&[]), Header::Incomplete);
        assert_eq!(check_header(&h[..9]), Header::Incomplete);
        assert_eq!(check_header(b"POSX"), Header::NotAJournal);
        let mut v2 = h.clone();
        v2[8] = 2;
        assert_eq!(check_header(&v2), Header::UnsupportedVersion(2));
        let mut reserved = h;
        reserved[13] = 1;
        assert_eq!(check_header(&reserved), Header::BadReserved(13));
    }

    #[test]
    fn frame_layout() {
        let mut out = Vec::new();
        assert!(encode_frame(b"abc", &mut out));
        assert_eq!(&out[..4], &[3, 0, 0, 0]);
        assert_eq!(&out[4..7], b"abc");
        let crc = crc32c::crc32c(&[3, 0, 0, 0, b'a', b'b', b'c']);
        assert_eq!(&out[7..], &crc.to_le_bytes());
        assert_eq!(
            frame_at(&out, 0),
            Frame::Valid {
                record: b"abc",
                end: 11
            }
        );
    }

    #[test]
    fn oversized_records_are_refused() {
        let mut out = Vec::new();
        assert!(!encode_frame(&vec![0; MAX_RECORD_LEN + 1], &mut out));
        assert!(out.is_empty());
        assert!(encode_frame(&vec![0; MAX_RECORD_LEN], &mut out));
        let mut huge = Vec::new();
        huge.extend_from_slice(&(u32::try_from(MAX_RECORD_LEN).unwrap() + 1).to_le_bytes());
        huge.resize(MAX_RECORD_LEN + 16, 0);
        assert_eq!(frame_at(&huge, 0), Frame::TooLong);
    }

    #[test]
    fn parse_stops_at_damage_and_looks_ahead() {
        let img = image(&[b"one", b"two", b"three"]);
        let clean = parse_frames(&img);
        assert_eq!(clean.records, vec![&b"one"[..], b"two", b"three"]);
        assert_eq!(clean.damage, None);
        assert_eq!(clean.good_end, img.len());

        // Damage in the second frame's record: the third frame is found after it.
        let mut mid = img.clone();
        mid[HEADER_LEN + 11 + 5] ^= 0x40;
        let parsed = parse_frames(&mid);
        assert_eq!(parsed.records, vec![&b"one"[..]]);
        let damage = parsed.damage.unwrap();
        assert_eq!(damage.offset, HEADER_LEN + 11);
        assert_eq!(damage.valid_frame_after, Some(HEADER_LEN + 22));
        assert_eq!(damage.frames, 2);

        // A torn last frame: nothing valid after it.
        let torn = &img[..img.len() - 3];
        let parsed = parse_frames(torn);
        assert_eq!(parsed.records.len(), 2);
        let damage = parsed.damage.unwrap();
        assert_eq!(damage.valid_frame_after, None);
        assert_eq!(damage.frames, 1);
    }
}
