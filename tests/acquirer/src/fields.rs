//! Reading request fields: the codec hands values over as ASCII digits or text; these helpers
//! turn them into numbers and the sub-fields of F60 and F61.

use pos_kernel::codec::Message;

/// Digits only, parsed; `None` for empty or non-digit text.
pub(crate) fn number(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn number_u32(text: &str) -> Option<u32> {
    number(text).and_then(|n| u32::try_from(n).ok())
}

/// F4, minor units.
pub(crate) fn amount(message: &Message) -> Option<u64> {
    message.get_str(4).and_then(number)
}

/// F11.
pub(crate) fn stan(message: &Message) -> Option<u32> {
    message.get_str(11).and_then(number_u32)
}

/// F41.
pub(crate) fn terminal_id(message: &Message) -> Option<String> {
    message.get_str(41).map(str::to_owned)
}

/// The PAN: F2, else the part of track 2 (F35) before `=`.
pub(crate) fn pan(message: &Message) -> Option<String> {
    message
        .get_str(2)
        .or_else(|| message.get_str(35).and_then(|t| t.split('=').next()))
        .filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        .map(str::to_owned)
}

/// F60: 60.1 message type, 60.2 batch, 60.3 network management code (each when present).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct F60 {
    pub(crate) kind: String,
    pub(crate) batch: u32,
    pub(crate) code: Option<String>,
}

/// Parses F60; `None` when absent or shorter than 60.1 + 60.2.
pub(crate) fn f60(message: &Message) -> Option<F60> {
    let text = message.get_str(60)?;
    Some(F60 {
        kind: text.get(0..2)?.to_owned(),
        batch: number_u32(text.get(2..8)?)?,
        code: text.get(8..11).map(str::to_owned),
    })
}

/// F61: original batch, original STAN and (when present) original date `MMDD`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct F61 {
    pub(crate) batch: u32,
    pub(crate) stan: u32,
    pub(crate) date: Option<String>,
}

/// Parses F61; `None` when absent or shorter than 61.1 + 61.2.
pub(crate) fn f61(message: &Message) -> Option<F61> {
    let text = message.get_str(61)?;
    Some(F61 {
        batch: number_u32(text.get(0..6)?)?,
        stan: number_u32(text.get(6..12)?)?,
        date: text.get(12..16).map(str::to_owned),
    })
}
