//! The transport envelope (docs/profile.md §1): 2-byte length, TPDU, 6-byte header, then the body.

use serde::{Deserialize, Serialize};

use super::error::{DecodeError, EncodeError, Part};
use super::message::Message;
use super::value::Reader;

const TPDU_ID: u8 = 0x60;
const TPDU_LEN: usize = 5;
const HEADER_LEN: usize = 6;
/// F64, the MAC: 8 bytes, the last field.
const MAC_LEN: usize = 8;

/// Routing addresses. Wire: `60`, destination (big-endian), source (big-endian).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct Tpdu {
    /// Destination address.
    pub destination: u16,
    /// Source address.
    pub source: u16,
}

impl Tpdu {
    /// What a terminal sends: `60 0003 0000`.
    pub const TERMINAL_DEFAULT: Tpdu = Tpdu {
        destination: 0x0003,
        source: 0x0000,
    };

    /// The reply's TPDU: the two addresses exchanged.
    pub fn swapped(self) -> Tpdu {
        Tpdu {
            destination: self.source,
            source: self.destination,
        }
    }

    fn to_bytes(self) -> [u8; TPDU_LEN] {
        let [d0, d1] = self.destination.to_be_bytes();
        let [s0, s1] = self.source.to_be_bytes();
        [TPDU_ID, d0, d1, s0, s1]
    }

    fn from_bytes(bytes: &[u8]) -> Result<Tpdu, DecodeError> {
        match *bytes {
            [TPDU_ID, d0, d1, s0, s1] => Ok(Tpdu {
                destination: u16::from_be_bytes([d0, d1]),
                source: u16::from_be_bytes([s0, s1]),
            }),
            _ => Err(DecodeError::BadTpdu),
        }
    }
}

/// The 6-byte header `60 31 SR 31 00 00`: terminal status S and processing requirement R.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// S: 0 normal, 1 test.
    pub status: u8,
    /// R: 0 from the terminal; in a reply the host's instruction.
    pub requirement: u8,
}

impl Header {
    /// Requirement value by which the host asks the terminal to sign on again.
    pub const SIGN_ON_AGAIN: u8 = 3;

    fn to_bytes(self) -> Result<[u8; HEADER_LEN], EncodeError> {
        if self.status > 9 || self.requirement > 9 {
            return Err(EncodeError::BadHeader);
        }
        Ok([0x60, 0x31, self.status << 4 | self.requirement, 0x31, 0x00, 0x00])
    }

    fn from_bytes(bytes: &[u8]) -> Result<Header, DecodeError> {
        match *bytes {
            [0x60, 0x31, sr, 0x31, 0x00, 0x00] if sr >> 4 <= 9 && sr & 0x0F <= 9 => Ok(Header {
                status: sr >> 4,
                requirement: sr & 0x0F,
            }),
            _ => Err(DecodeError::BadHeader),
        }
    }
}

/// A whole frame as sent on the connection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Frame {
    /// Routing.
    pub tpdu: Tpdu,
    /// Status and host instruction.
    pub header: Header,
    /// The ISO 8583 body.
    pub message: Message,
}

impl Frame {
    /// The frame's bytes, starting with the 2-byte big-endian length of the rest.
    pub fn encode(&self) -> Result<Vec<u8>, EncodeError> {
        Frame::encode_parts(self.tpdu, self.header, &self.message)
    }

    /// [`Frame::encode`] of a frame made of these parts, without assembling (or cloning into) a
    /// `Frame`: one allocation, the frame's own.
    pub fn encode_parts(tpdu: Tpdu, header: Header, message: &Message) -> Result<Vec<u8>, EncodeError> {
        let header = header.to_bytes()?;
        let mut out = Vec::with_capacity(2 + TPDU_LEN + HEADER_LEN + message.encoded_len_hint());
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(&tpdu.to_bytes());
        out.extend_from_slice(&header);
        message.encode(&mut out)?;
        set_length_prefix(&mut out)?;
        Ok(out)
    }

    /// A frame whose message gets its MAC (F64) from the MAC block: the message is encoded once,
    /// with bitmap bit 64 set; `mac` computes the MAC over the block ([`Message::mac_block`]),
    /// which is then appended. Returns the frame and the MAC (for the message the terminal keeps).
    pub fn encode_with_mac<E>(
        tpdu: Tpdu,
        header: Header,
        message: &Message,
        mac: impl FnOnce(&[u8]) -> Result<[u8; MAC_LEN], E>,
    ) -> Result<(Vec<u8>, [u8; MAC_LEN]), MacedFrameError<E>> {
        let header = header.to_bytes().map_err(MacedFrameError::Encode)?;
        let mut out = Vec::with_capacity(2 + TPDU_LEN + HEADER_LEN + message.encoded_len_hint() + MAC_LEN);
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(&tpdu.to_bytes());
        out.extend_from_slice(&header);
        message
            .encode_mac_block_into(&mut out)
            .map_err(MacedFrameError::Encode)?;
        let block = out.get(2 + TPDU_LEN + HEADER_LEN..).unwrap_or_default();
        let mac = mac(block).map_err(MacedFrameError::Mac)?;
        out.extend_from_slice(&mac);
        set_length_prefix(&mut out).map_err(MacedFrameError::Encode)?;
        Ok((out, mac))
    }

    /// The MAC block (docs/profile.md §5) of a frame [`Frame::decode`] accepted and whose message
    /// carries F64: the body as received, without F64's 8 bytes, which are last. Decoding is
    /// strict (only bytes that re-encode identically), so this is [`Message::mac_block`] of the
    /// decoded message without encoding it again.
    pub fn received_mac_block(bytes: &[u8]) -> Option<&[u8]> {
        let body_and_mac = bytes.get(2 + TPDU_LEN + HEADER_LEN..)?;
        body_and_mac.get(..body_and_mac.len().checked_sub(MAC_LEN)?)
    }

    /// Decodes one frame; `bytes` includes the length prefix, which must match exactly.
    pub fn decode(bytes: &[u8]) -> Result<Frame, DecodeError> {
        let mut reader = Reader::new(bytes);
        let prefix = reader.take(2, Part::Length)?;
        let length = match *prefix {
            [hi, lo] => usize::from(u16::from_be_bytes([hi, lo])),
            _ => {
                return Err(DecodeError::Truncated {
                    part: Part::Length,
                    needed: 2,
                    available: prefix.len(),
                })
            }
        };
        let content = reader.take(length, Part::Length)?;
        reader.finish()?;
        let mut reader = Reader::new(content);
        let tpdu = Tpdu::from_bytes(reader.take(TPDU_LEN, Part::Tpdu)?)?;
        let header = Header::from_bytes(reader.take(HEADER_LEN, Part::Header)?)?;
        let message = Message::decode(reader.rest())?;
        Ok(Frame { tpdu, header, message })
    }
}

/// Writes the length of what follows the 2-byte prefix into the prefix.
fn set_length_prefix(frame: &mut [u8]) -> Result<(), EncodeError> {
    let length = frame.len().saturating_sub(2);
    let prefix = u16::try_from(length).map_err(|_| EncodeError::FrameTooLong { length })?;
    for (slot, byte) in frame.iter_mut().zip(prefix.to_be_bytes()) {
        *slot = byte;
    }
    Ok(())
}

/// Why [`Frame::encode_with_mac`] made no frame.
#[derive(Debug, PartialEq, Eq)]
pub enum MacedFrameError<E> {
    /// The message or header cannot be encoded.
    Encode(EncodeError),
    /// The MAC could not be computed.
    Mac(E),
}
