//! The on-disk format: a 32-byte header, then frames (see the crate docs, "File format").
//!
//! Everything here is pure: encoding into a buffer and parsing a byte image. The [`Journal`]
//! decides what to do with the result (truncate a damaged tail, or refuse to open).
//!
//! [`Journal`]: crate::Journal

/// The first eight bytes of every journal file.
pub const MAGIC: [u8; 8] = *b"POSJRNL1";

/// The format version this crate writes and reads (header bytes 8..10, little-endian).
pub const FORMAT_VERSION: u16 = 4;

/// The format before card data was sealed (its records hold clear PANs): refused with what to
/// do, never read. (Format 3 sealed card data but had no chip evidence, advices or IC failures
/// in its records: refused the same way.)
pub const CLEAR_CARD_DATA_VERSION: u16 = 2;

/// Why a journal of `version` is not read, and what to do.
pub fn version_refused(version: u16) -> String {
    if version == CLEAR_CARD_DATA_VERSION {
        format!(
            "journal format version {version} was written by an earlier version, which kept card numbers in clear; \
             this one keeps them sealed and does not read it (nothing was changed): settle its batch with the version \
             that wrote it, then move the file aside and start a new journal"
        )
    } else if version < FORMAT_VERSION {
        format!(
            "journal format version {version} was written by an earlier version, whose records this one does not \
             read (they changed with chip uploads and advices; nothing was changed): settle its batch with the version \
             that wrote it, then move the file aside and start a new journal"
        )
    } else {
        format!("journal format version {version} is not supported")
    }
}

/// Length of the file header: magic (8), version (2), reserved (2), generation (4), journal id
/// (8), reserved (4), CRC32C of the 28 bytes before it (4).
pub const HEADER_LEN: usize = 32;

/// Bytes a frame adds around its record: the length before it and the CRC after it.
pub const FRAME_OVERHEAD: usize = 8;

/// The longest record a frame may hold (1 MiB). Longer is refused on append and is corruption on read.
pub const MAX_RECORD_LEN: usize = 1 << 20;

/// Which journal a file is, and which of its generations: a journal keeps its id for life, and
/// each compaction starts the next generation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Identity {
    /// Chosen when the journal is created; an anchor beside it names the same id.
    pub journal_id: u64,
    /// 0 when created, one more at each compaction.
    pub generation: u32,
}

/// The header this crate writes for `identity`.
pub fn header(identity: Identity) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN);
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&[0, 0]);
    out.extend_from_slice(&identity.generation.to_le_bytes());
    out.extend_from_slice(&identity.journal_id.to_le_bytes());
    out.extend_from_slice(&[0, 0, 0, 0]);
    let crc = crc32c::crc32c(&out);
    out.extend_from_slice(&crc.to_le_bytes());
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
    /// At least [`HEADER_LEN`] bytes and a valid header.
    Valid(Identity),
    /// Shorter than a header and a prefix of a header this crate writes (possibly empty): a
    /// file that was being created when the machine stopped. Holds no record.
    Incomplete,
    /// The magic does not match (or a short file is not a prefix of a header): not a journal.
    NotAJournal,
    /// A journal of another format version.
    UnsupportedVersion(u16),
    /// The header is damaged at this offset (a reserved byte is not zero, or the CRC fails).
    Damaged(usize),
}

pub(crate) fn check_header(image: &[u8]) -> Header {
    let Some((head, _)) = image.split_first_chunk::<HEADER_LEN>() else {
        // A prefix of a header: the magic, then (once it is there) this version.
        let mut start = MAGIC.to_vec();
        start.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        let checked = image.len().min(start.len());
        return if image.get(..checked) == start.get(..checked) {
            Header::Incomplete
        } else {
            Header::NotAJournal
        };
    };
    if at::<8>(head, 0) != MAGIC {
        return Header::NotAJournal;
    }
    let version = u16::from_le_bytes(at(head, 8));
    if version != FORMAT_VERSION {
        return Header::UnsupportedVersion(version);
    }
    let reserved = [(10, at::<2>(head, 10).to_vec()), (24, at::<4>(head, 24).to_vec())];
    for (offset, bytes) in reserved {
        if let Some(i) = bytes.iter().position(|&b| b != 0) {
            return Header::Damaged(offset + i);
        }
    }
    let covered = head.get(..28).unwrap_or_default();
    if u32::from_le_bytes(at(head, 28)) != crc32c::crc32c(covered) {
        return Header::Damaged(28);
    }
    let generation = u32::from_le_bytes(at(head, 12));
    let journal_id = u64::from_le_bytes(at(head, 16));
    Header::Valid(Identity { journal_id, generation })
}

/// `N` bytes of the header from `offset` (within the header by construction).
fn at<const N: usize>(head: &[u8; HEADER_LEN], offset: usize) -> [u8; N] {
    head.get(offset..offset + N)
        .and_then(|bytes| bytes.try_into().ok())
        .unwrap_or([0; N])
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

    const ID: Identity = Identity {
        journal_id: 0x0102_0304_0506_0708,
        generation: 3,
    };

    fn image(records: &[&[u8]]) -> Vec<u8> {
        let mut out = header(ID);
        for r in records {
            assert!(encode_frame(r, &mut out));
        }
        out
    }

    #[test]
    fn header_layout() {
        let h = header(ID);
        assert_eq!(h.len(), HEADER_LEN);
        assert_eq!(&h[..8], b"POSJRNL1");
        assert_eq!(&h[8..10], &[4, 0]);
        assert_eq!(&h[10..12], &[0, 0]);
        assert_eq!(&h[12..16], &[3, 0, 0, 0]);
        assert_eq!(&h[16..24], &[8, 7, 6, 5, 4, 3, 2, 1]);
        assert_eq!(&h[24..28], &[0; 4]);
        assert_eq!(&h[28..], &crc32c::crc32c(&h[..28]).to_le_bytes());
        assert_eq!(check_header(&h), Header::Valid(ID));
        assert_eq!(check_header(&[]), Header::Incomplete);
        assert_eq!(check_header(&h[..9]), Header::Incomplete);
        assert_eq!(check_header(&h[..20]), Header::Incomplete);
        assert_eq!(check_header(b"POSX"), Header::NotAJournal);
        let mut v1 = h.clone();
        v1[8] = 1;
        assert_eq!(check_header(&v1), Header::UnsupportedVersion(1));
        assert_eq!(
            check_header(&v1[..12]),
            Header::NotAJournal,
            "a short file of another version"
        );
        let mut reserved = h.clone();
        reserved[11] = 1;
        assert_eq!(check_header(&reserved), Header::Damaged(11));
        let mut flipped = h;
        flipped[17] ^= 1;
        assert_eq!(
            check_header(&flipped),
            Header::Damaged(28),
            "the CRC covers the identity"
        );
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
