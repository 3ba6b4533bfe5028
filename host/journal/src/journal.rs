//! The journal: open (with recovery), append (framed and synced), compact (atomic replacement).

use std::error::Error;
use std::fmt;
use std::io;

use crate::format::{self, Damage, Header, HEADER_LEN, MAX_RECORD_LEN};
use crate::storage::Storage;

/// What [`Journal::open_with`] does with damage it finds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum RecoveryPolicy {
    /// A damaged tail (an incomplete last frame, or bad frames after which no valid frame follows)
    /// is what a crash during an append leaves: it is cut off and the cut is synced. Damage
    /// followed by a valid frame is not a tail and is reported as [`JournalError::Corrupt`]. (The
    /// name is fjall's.)
    #[default]
    TolerateCorruptTail,
    /// Any damage is [`JournalError::Corrupt`] and nothing is changed: for inspection tools.
    /// (An empty file still gets its header.)
    AbsoluteConsistency,
}

/// What [`Journal::open`] found and repaired.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Recovery {
    /// Records recovered.
    pub records: usize,
    /// Frames in the tail that was cut off: the damaged frame plus the frames after it, as far as
    /// their length fields can be followed. 0 when nothing was cut; exact for a torn write, an
    /// estimate when a length field itself is damaged.
    pub dropped_records: usize,
    /// Bytes cut off the end of the file.
    pub dropped_bytes: u64,
    /// The file was empty, or held only part of a header (a crash while it was being created),
    /// and a header was written.
    pub created: bool,
}

impl Recovery {
    /// Nothing was cut off.
    pub fn is_clean(&self) -> bool {
        self.dropped_bytes == 0
    }
}

/// Why a journal operation failed.
#[derive(Debug)]
pub enum JournalError {
    /// The storage failed. `op` is the journal step (`"read"`, `"append"`, `"sync"`, `"truncate"`,
    /// `"replace"`). If the journal could not undo the step it is also poisoned.
    Io { op: &'static str, source: io::Error },
    /// The file does not start with the journal magic: it is not a journal, and is left alone.
    NotAJournal,
    /// A journal of a format version this crate does not read.
    UnsupportedVersion { version: u16 },
    /// Damage at `offset` (file offset of the damaged frame, or of the header byte) that is not a
    /// torn tail: a valid frame follows it, so cutting it off would lose acknowledged records.
    /// The file is left alone.
    Corrupt { offset: u64 },
    /// The record is longer than [`MAX_RECORD_LEN`]; nothing was written.
    RecordTooLarge { len: usize },
    /// An earlier failure left the file in a state the journal cannot vouch for (a failed
    /// compaction, or an append it could not roll back): reopen the journal (restart the
    /// terminal from it).
    Poisoned,
}

impl fmt::Display for JournalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JournalError::Io { op, source } => write!(f, "journal {op} failed: {source}"),
            JournalError::NotAJournal => write!(f, "not a journal file (bad magic)"),
            JournalError::UnsupportedVersion { version } => {
                write!(f, "journal format version {version} is not supported")
            }
            JournalError::Corrupt { offset } => {
                write!(f, "journal corrupt at offset {offset}, with valid records after it")
            }
            JournalError::RecordTooLarge { len } => {
                write!(f, "record of {len} bytes exceeds the maximum of {MAX_RECORD_LEN}")
            }
            JournalError::Poisoned => write!(f, "journal unusable after an earlier failure; reopen it"),
        }
    }
}

impl Error for JournalError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            JournalError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

fn io_err(op: &'static str) -> impl FnOnce(io::Error) -> JournalError {
    move |source| JournalError::Io { op, source }
}

fn offset(pos: usize) -> u64 {
    pos as u64
}

/// The journal: every record the kernel asked to persist since the last compaction, durable.
///
/// See the crate docs for the file format, the disk assumptions and the failure rules.
#[derive(Debug)]
pub struct Journal<S: Storage> {
    storage: S,
    records: Vec<Vec<u8>>,
    /// Length of the file as the journal wrote it: header plus valid frames.
    end: u64,
    syncs: u64,
    bytes: u64,
    poisoned: bool,
}

impl<S: Storage> Journal<S> {
    /// Opens the journal with [`RecoveryPolicy::TolerateCorruptTail`].
    pub fn open(storage: S) -> Result<(Journal<S>, Recovery), JournalError> {
        Journal::open_with(storage, RecoveryPolicy::TolerateCorruptTail)
    }

    /// Reads and validates the whole file. An empty file gets a header (synced). A damaged tail is
    /// cut off and the cut synced, or refused, according to `policy`; damage followed by a valid
    /// frame is always refused ([`JournalError::Corrupt`]) and the file left as it is.
    pub fn open_with(mut storage: S, policy: RecoveryPolicy) -> Result<(Journal<S>, Recovery), JournalError> {
        let image = storage.read_all().map_err(io_err("read"))?;
        let mut journal = Journal {
            storage,
            records: Vec::new(),
            end: 0,
            syncs: 0,
            bytes: 0,
            poisoned: false,
        };
        let mut recovery = Recovery::default();
        match format::check_header(&image) {
            Header::Valid => {}
            Header::Incomplete => {
                if !image.is_empty() && policy == RecoveryPolicy::AbsoluteConsistency {
                    return Err(JournalError::Corrupt { offset: 0 });
                }
                journal.write_header(!image.is_empty())?;
                recovery.created = true;
                recovery.dropped_bytes = offset(image.len());
                return Ok((journal, recovery));
            }
            Header::NotAJournal => return Err(JournalError::NotAJournal),
            Header::UnsupportedVersion(version) => return Err(JournalError::UnsupportedVersion { version }),
            Header::BadReserved(at) => return Err(JournalError::Corrupt { offset: offset(at) }),
        }

        let parsed = format::parse_frames(&image);
        journal.records = parsed.records.iter().map(|r| r.to_vec()).collect();
        journal.end = offset(parsed.good_end);
        recovery.records = journal.records.len();
        if let Some(Damage {
            offset: at,
            valid_frame_after,
            frames,
        }) = parsed.damage
        {
            if valid_frame_after.is_some() || policy == RecoveryPolicy::AbsoluteConsistency {
                return Err(JournalError::Corrupt { offset: offset(at) });
            }
            journal.storage.truncate(journal.end).map_err(io_err("truncate"))?;
            journal.sync()?;
            recovery.dropped_records = frames;
            recovery.dropped_bytes = offset(image.len().saturating_sub(at));
        }
        Ok((journal, recovery))
    }

    fn write_header(&mut self, cut_first: bool) -> Result<(), JournalError> {
        if cut_first {
            self.storage.truncate(0).map_err(io_err("truncate"))?;
        }
        let header = format::header();
        self.storage.append(&header).map_err(io_err("append"))?;
        self.bytes += offset(header.len());
        self.sync()?;
        self.end = offset(HEADER_LEN);
        Ok(())
    }

    fn sync(&mut self) -> Result<(), JournalError> {
        self.syncs += 1;
        self.storage.sync().map_err(io_err("sync"))
    }

    /// The records, oldest first, for `Terminal::restore` (`journal.records().iter().map(Vec::as_slice)`,
    /// or [`Journal::iter`]).
    pub fn records(&self) -> &[Vec<u8>] {
        &self.records
    }

    /// The records as slices, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &[u8]> + '_ {
        self.records.iter().map(Vec::as_slice)
    }

    /// Frames `record`, appends it and syncs: when this returns `Ok` the record is durable, so the
    /// host may answer `Input::Persisted`.
    ///
    /// On an error the host answers `Input::PersistFailed`. The journal first tries to undo the
    /// append (cut the file back to its previous length and sync); if that works it stays usable
    /// with its previous records, otherwise it is poisoned and every later call returns
    /// [`JournalError::Poisoned`] until it is reopened. A record longer than [`MAX_RECORD_LEN`]
    /// is refused before anything is written.
    pub fn append(&mut self, record: &[u8]) -> Result<(), JournalError> {
        if self.poisoned {
            return Err(JournalError::Poisoned);
        }
        let mut frame = Vec::new();
        if !format::encode_frame(record, &mut frame) {
            return Err(JournalError::RecordTooLarge { len: record.len() });
        }
        let written = self
            .storage
            .append(&frame)
            .map_err(io_err("append"))
            .and_then(|()| self.sync());
        self.bytes += offset(frame.len());
        if let Err(e) = written {
            self.roll_back();
            return Err(e);
        }
        self.end += offset(frame.len());
        self.records.push(record.to_vec());
        Ok(())
    }

    /// Cuts the file back to the last acknowledged frame and syncs; poisons the journal if that fails.
    fn roll_back(&mut self) {
        let undone = self
            .storage
            .truncate(self.end)
            .map_err(io_err("truncate"))
            .and_then(|()| self.sync());
        if undone.is_err() {
            self.poisoned = true;
        }
    }

    /// Replaces the whole journal with the one record `snapshot`, atomically and durably (through
    /// [`Storage::replace`]): after a crash the file holds either the old records or exactly
    /// `[snapshot]`.
    ///
    /// On an error the file may hold either (a failed directory sync after the rename leaves the
    /// replacement visible but not known durable), so the journal is poisoned: the kernel halts on
    /// a failed compaction, and the host restarts from the journal.
    pub fn compact(&mut self, snapshot: &[u8]) -> Result<(), JournalError> {
        if self.poisoned {
            return Err(JournalError::Poisoned);
        }
        let mut image = format::header();
        if !format::encode_frame(snapshot, &mut image) {
            return Err(JournalError::RecordTooLarge { len: snapshot.len() });
        }
        self.syncs += 1;
        self.bytes += offset(image.len());
        if let Err(source) = self.storage.replace(&image) {
            self.poisoned = true;
            return Err(JournalError::Io { op: "replace", source });
        }
        self.end = offset(image.len());
        self.records = vec![snapshot.to_vec()];
        Ok(())
    }

    /// Durability points this journal asked for since it was opened: each `Storage::sync` and each
    /// `Storage::replace` (an append costs one; a compaction one replacement, which a
    /// [`FileStorage`](crate::FileStorage) carries out with two fsyncs).
    pub fn syncs(&self) -> u64 {
        self.syncs
    }

    /// Bytes this journal handed to the storage since it was opened: headers, frames and
    /// replacement images (attempts that failed included).
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Length of the file as the journal knows it: header plus the frames of [`Journal::records`].
    pub fn file_len(&self) -> u64 {
        self.end
    }

    /// Whether an earlier failure made the journal refuse further writes (reopen it).
    pub fn is_poisoned(&self) -> bool {
        self.poisoned
    }

    /// The storage, e.g. to read a [`ModelStorage`](crate::ModelStorage)'s images.
    pub fn storage(&self) -> &S {
        &self.storage
    }

    /// Gives the storage back.
    pub fn into_storage(self) -> S {
        self.storage
    }
}
