//! The `cup-pos` frame boundary (docs/profile.md §1): a 2-byte big-endian length of everything that
//! follows, then that many bytes.
//!
//! [`FrameDecoder`] is sans-IO: push whatever bytes a read returned, take out whole frames.
//! Bytes of a frame that has not fully arrived stay in the decoder until the rest comes, so a
//! read timeout in the middle of a frame loses nothing.

use std::collections::VecDeque;
use std::fmt;

/// The largest length prefix accepted (bytes after the 2-byte prefix).
///
/// The largest `cup-pos` message (every field at its maximum) is under 1,500 bytes; anything
/// above this is treated as a broken or hostile stream. It also keeps the first byte of every
/// valid frame below `0x23` (`#`), which is how the acquirer server tells control connections
/// from terminals (see [`crate::control`]).
pub const MAX_FRAME_LEN: usize = 4096;

/// Bytes of the length prefix.
pub const LENGTH_PREFIX_LEN: usize = 2;

/// The stream announced a frame longer than the decoder accepts: the stream cannot be resynchronised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FrameTooLong {
    /// The announced length (bytes after the prefix).
    pub length: usize,
    /// The decoder's limit.
    pub max: usize,
}

impl fmt::Display for FrameTooLong {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "frame length {} exceeds the limit of {} bytes",
            self.length, self.max
        )
    }
}

impl std::error::Error for FrameTooLong {}

/// Prefixes `body` with its 2-byte big-endian length; `None` when it does not fit in 16 bits.
pub fn encode_frame(body: &[u8]) -> Option<Vec<u8>> {
    let length = u16::try_from(body.len()).ok()?;
    let mut frame = Vec::with_capacity(LENGTH_PREFIX_LEN + body.len());
    frame.extend_from_slice(&length.to_be_bytes());
    frame.extend_from_slice(body);
    Some(frame)
}

/// Reassembles frames from a byte stream. Returned frames include their 2-byte length prefix.
///
/// After an error the decoder stays failed (every later [`FrameDecoder::push`] returns the same
/// error) until [`FrameDecoder::clear`]: a stream with a bad length cannot be trusted again.
#[derive(Clone, Debug)]
pub struct FrameDecoder {
    max_len: usize,
    /// Bytes of the frame being received (prefix included), never a whole frame.
    partial: Vec<u8>,
    /// Whole frames not yet taken.
    frames: VecDeque<Vec<u8>>,
    failed: Option<FrameTooLong>,
}

impl Default for FrameDecoder {
    fn default() -> Self {
        FrameDecoder::new(MAX_FRAME_LEN)
    }
}

impl FrameDecoder {
    /// A decoder that accepts frames of up to `max_len` bytes after the prefix.
    pub fn new(max_len: usize) -> Self {
        FrameDecoder {
            max_len,
            partial: Vec::new(),
            frames: VecDeque::new(),
            failed: None,
        }
    }

    /// Adds bytes read from the stream. Whole frames become available to
    /// [`FrameDecoder::next_frame`]; frames completed before a bad length are kept.
    pub fn push(&mut self, mut bytes: &[u8]) -> Result<(), FrameTooLong> {
        if let Some(error) = self.failed {
            return Err(error);
        }
        while !bytes.is_empty() {
            let needed = match self.announced_len() {
                None => LENGTH_PREFIX_LEN - self.partial.len(),
                Some(length) if length > self.max_len => {
                    let error = FrameTooLong {
                        length,
                        max: self.max_len,
                    };
                    self.failed = Some(error);
                    self.partial.clear();
                    return Err(error);
                }
                Some(length) => LENGTH_PREFIX_LEN + length - self.partial.len(),
            };
            let (now, later) = bytes.split_at(needed.min(bytes.len()));
            self.partial.extend_from_slice(now);
            bytes = later;
            self.complete_frame();
        }
        // A prefix that arrived last may already be too long.
        match self.announced_len() {
            Some(length) if length > self.max_len => {
                let error = FrameTooLong {
                    length,
                    max: self.max_len,
                };
                self.failed = Some(error);
                self.partial.clear();
                Err(error)
            }
            _ => Ok(()),
        }
    }

    /// The oldest whole frame not yet taken, 2-byte length included.
    pub fn next_frame(&mut self) -> Option<Vec<u8>> {
        self.frames.pop_front()
    }

    /// Whether part of a frame has arrived and the rest is awaited.
    pub fn has_partial(&self) -> bool {
        !self.partial.is_empty()
    }

    /// Forgets the bytes of an incomplete frame (the connection they came on is gone); whole
    /// frames are kept. Clears a failure.
    pub fn discard_partial(&mut self) {
        self.partial.clear();
        self.failed = None;
    }

    /// Forgets everything, including whole frames not yet taken, and clears a failure.
    pub fn clear(&mut self) {
        self.partial.clear();
        self.frames.clear();
        self.failed = None;
    }

    fn announced_len(&self) -> Option<usize> {
        match *self.partial.as_slice() {
            [hi, lo, ..] => Some(usize::from(u16::from_be_bytes([hi, lo]))),
            _ => None,
        }
    }

    fn complete_frame(&mut self) {
        if let Some(length) = self.announced_len() {
            if self.partial.len() == LENGTH_PREFIX_LEN + length {
                self.frames.push_back(std::mem::take(&mut self.partial));
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn one_byte_at_a_time() {
        let frame = encode_frame(b"hello").unwrap();
        let mut decoder = FrameDecoder::default();
        for (i, byte) in frame.iter().enumerate() {
            assert_eq!(decoder.next_frame(), None);
            decoder.push(&[*byte]).unwrap();
            assert_eq!(decoder.has_partial(), i + 1 < frame.len());
        }
        assert_eq!(decoder.next_frame(), Some(frame));
        assert_eq!(decoder.next_frame(), None);
    }

    #[test]
    fn several_frames_in_one_push() {
        let a = encode_frame(b"first").unwrap();
        let b = encode_frame(b"").unwrap();
        let c = encode_frame(b"third frame").unwrap();
        let mut stream = [a.clone(), b.clone(), c.clone()].concat();
        let tail = stream.split_off(stream.len() - 3);
        let mut decoder = FrameDecoder::default();
        decoder.push(&stream).unwrap();
        assert_eq!(decoder.next_frame(), Some(a));
        assert_eq!(decoder.next_frame(), Some(b));
        assert_eq!(decoder.next_frame(), None);
        assert!(decoder.has_partial());
        decoder.push(&tail).unwrap();
        assert_eq!(decoder.next_frame(), Some(c));
    }

    #[test]
    fn too_long_fails_and_stays_failed() {
        let good = encode_frame(b"ok").unwrap();
        let mut decoder = FrameDecoder::new(10);
        let error = decoder
            .push(&[good.as_slice(), &[0x00, 0x0B, 1, 2]].concat())
            .unwrap_err();
        assert_eq!(error, FrameTooLong { length: 11, max: 10 });
        assert_eq!(decoder.push(&good), Err(error));
        // The frame before the bad length is still there.
        assert_eq!(decoder.next_frame(), Some(good.clone()));
        decoder.clear();
        decoder.push(&good).unwrap();
        assert_eq!(decoder.next_frame(), Some(good));
    }

    #[test]
    fn too_long_prefix_alone_fails() {
        let mut decoder = FrameDecoder::new(10);
        decoder.push(&[0xFF]).unwrap();
        assert!(decoder.push(&[0xFF]).is_err());
    }

    #[test]
    fn discard_partial_keeps_whole_frames() {
        let good = encode_frame(b"ok").unwrap();
        let mut decoder = FrameDecoder::default();
        decoder.push(&[good.as_slice(), &[0x00, 0x05, 1]].concat()).unwrap();
        decoder.discard_partial();
        assert!(!decoder.has_partial());
        assert_eq!(decoder.next_frame(), Some(good));
        assert_eq!(decoder.next_frame(), None);
    }

    #[test]
    fn encode_rejects_oversized_bodies() {
        assert!(encode_frame(&vec![0; 65_536]).is_none());
        assert_eq!(encode_frame(&vec![0; 65_535]).unwrap().len(), 65_537);
    }
}
