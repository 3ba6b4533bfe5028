#![doc = include_str!("../README.md")]

mod anchor;
mod format;
mod inspect;
mod journal;
mod storage;

pub use anchor::{Anchor, Found, Refusal, RefusalReason};
pub use format::{
    version_refused, Identity, CLEAR_CARD_DATA_VERSION, FORMAT_VERSION, FRAME_OVERHEAD, HEADER_LEN, MAGIC,
    MAX_RECORD_LEN,
};
pub use inspect::{inspect, inspect_file, Inspection, Problem};
pub use journal::{AnchorFound, Journal, JournalError, JournalOptions, Recovery, RecoveryPolicy};
pub use storage::{anchor_path, CrashTiming, FileStorage, ModelStorage, Storage};

/// Encodes a whole journal file holding `records`, as [`Journal`] writes it (header, then one frame
/// per record). For fixtures and tools; `None` if a record exceeds [`MAX_RECORD_LEN`].
pub fn encode_file<'a>(identity: Identity, records: impl IntoIterator<Item = &'a [u8]>) -> Option<Vec<u8>> {
    let mut out = format::header(identity);
    for record in records {
        if !format::encode_frame(record, &mut out) {
            return None;
        }
    }
    Some(out)
}
