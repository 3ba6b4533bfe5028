#![doc = include_str!("../README.md")]

mod format;
mod journal;
mod storage;

pub use format::{FORMAT_VERSION, FRAME_OVERHEAD, HEADER_LEN, MAGIC, MAX_RECORD_LEN};
pub use journal::{Journal, JournalError, Recovery, RecoveryPolicy};
pub use storage::{CrashTiming, FileStorage, ModelStorage, Storage};

/// Encodes a whole journal file holding `records`, as [`Journal`] writes it (header, then one frame
/// per record). For fixtures and tools; `None` if a record exceeds [`MAX_RECORD_LEN`].
pub fn encode_file<'a>(records: impl IntoIterator<Item = &'a [u8]>) -> Option<Vec<u8>> {
    let mut out = format::header();
    for record in records {
        if !format::encode_frame(record, &mut out) {
            return None;
        }
    }
    Some(out)
}
