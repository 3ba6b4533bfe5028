//! The journal: open (with recovery), append (framed and synced), compact (atomic replacement).

use std::error::Error;
use std::fmt;
use std::io;

use crate::anchor::{Anchor, Found, Refusal};
use crate::format::{self, Damage, Header, Identity, HEADER_LEN, MAX_RECORD_LEN};
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

/// How [`Journal::open_with`] opens a journal.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct JournalOptions {
    pub policy: RecoveryPolicy,
    /// Who opens it (posterm: the terminal id). An anchor naming another owner refuses the
    /// journal; a new anchor records it. `None`: any owner, and a new anchor records none.
    pub owner: Option<String>,
    /// The id a journal created now gets; `None`: a random one. (Tests fix it to compare bytes.)
    pub new_id: Option<u64>,
}

/// What [`Journal::open`] found of the anchor.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum AnchorFound {
    /// It was there and agreed with the journal.
    #[default]
    Agreed,
    /// There was none (a new journal, or one from before anchors): written now.
    Missing,
    /// It could not be read as an anchor (damaged): written anew from the journal.
    Unreadable,
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
    /// What was found of the anchor beside the journal.
    pub anchor: AnchorFound,
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
    /// The anchor says the journal once held more than it does, or belongs elsewhere: nothing
    /// was changed (crate docs, "The anchor").
    Refused(Box<Refusal>),
}

impl fmt::Display for JournalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JournalError::Io { op, source } => write!(f, "journal {op} failed: {source}"),
            JournalError::NotAJournal => write!(f, "not a journal file (bad magic)"),
            JournalError::UnsupportedVersion { version } => f.write_str(&crate::format::version_refused(*version)),
            JournalError::Corrupt { offset } => {
                write!(f, "journal corrupt at offset {offset}, with valid records after it")
            }
            JournalError::RecordTooLarge { len } => {
                write!(f, "record of {len} bytes exceeds the maximum of {MAX_RECORD_LEN}")
            }
            JournalError::Poisoned => write!(f, "journal unusable after an earlier failure; reopen it"),
            JournalError::Refused(refusal) => write!(f, "journal refused: {refusal}"),
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

/// A journal id no other journal is likely to have: std's randomly keyed hasher over the time.
fn random_id() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default(),
    );
    hasher.finish()
}

/// The journal: every record the kernel asked to persist since the last compaction, durable.
///
/// See the crate docs for the file format, the disk assumptions and the failure rules.
#[derive(Debug)]
pub struct Journal<S: Storage> {
    storage: S,
    identity: Identity,
    /// The anchor's owner and note, rewritten with every anchor.
    owner: String,
    note: String,
    /// Anchor writes that failed (the journal itself was fine; the next one catches up).
    anchor_failures: u64,
    records: Vec<Vec<u8>>,
    /// Length of the file as the journal wrote it: header plus valid frames.
    end: u64,
    syncs: u64,
    bytes: u64,
    poisoned: bool,
}

impl<S: Storage> Journal<S> {
    /// Opens the journal with [`RecoveryPolicy::TolerateCorruptTail`], any owner, and a random id
    /// if it is new.
    pub fn open(storage: S) -> Result<(Journal<S>, Recovery), JournalError> {
        Journal::open_with(storage, JournalOptions::default())
    }

    /// Reads and validates the whole file and the anchor beside it. A journal the anchor says
    /// lost records, or belongs elsewhere, is refused ([`JournalError::Refused`]) and nothing is
    /// changed. An empty file gets a header (synced). A damaged tail is cut off and the cut
    /// synced, or refused, according to the policy; damage followed by a valid frame is always
    /// refused ([`JournalError::Corrupt`]) and the file left as it is. The anchor is then
    /// brought up to date.
    pub fn open_with(mut storage: S, options: JournalOptions) -> Result<(Journal<S>, Recovery), JournalError> {
        let anchor_bytes = storage.read_anchor().map_err(io_err("read anchor"))?;
        let anchor = anchor_bytes.as_deref().and_then(Anchor::decode);
        let image = storage.read_all().map_err(io_err("read"))?;
        let mut recovery = Recovery {
            anchor: match (&anchor_bytes, &anchor) {
                (None, _) => AnchorFound::Missing,
                (Some(_), None) => AnchorFound::Unreadable,
                (Some(_), Some(_)) => AnchorFound::Agreed,
            },
            ..Recovery::default()
        };
        let (identity, parsed) = match format::check_header(&image) {
            Header::Valid(identity) => (Some(identity), Some(format::parse_frames(&image))),
            Header::Incomplete => {
                if !image.is_empty() && options.policy == RecoveryPolicy::AbsoluteConsistency {
                    return Err(JournalError::Corrupt { offset: 0 });
                }
                (None, None)
            }
            Header::NotAJournal => return Err(JournalError::NotAJournal),
            Header::UnsupportedVersion(version) => return Err(JournalError::UnsupportedVersion { version }),
            Header::Damaged(at) => return Err(JournalError::Corrupt { offset: offset(at) }),
        };
        let found = Found {
            identity,
            records: parsed.as_ref().map_or(0, |p| p.records.len()),
        };
        if let Some(anchor) = &anchor {
            anchor
                .check(&found, options.owner.as_deref())
                .map_err(JournalError::Refused)?;
        }
        let mut journal = Journal {
            storage,
            identity: identity.unwrap_or(Identity {
                journal_id: match &anchor {
                    // The anchor of a journal that never held a record keeps its id.
                    Some(anchor) => anchor.identity.journal_id,
                    None => options.new_id.unwrap_or_else(random_id),
                },
                generation: 0,
            }),
            owner: options
                .owner
                .clone()
                .or(anchor.as_ref().map(|a| a.owner.clone()))
                .unwrap_or_default(),
            note: anchor.as_ref().map(|a| a.note.clone()).unwrap_or_default(),
            anchor_failures: 0,
            records: Vec::new(),
            end: 0,
            syncs: 0,
            bytes: 0,
            poisoned: false,
        };
        match parsed {
            None => {
                journal.write_header(!image.is_empty())?;
                recovery.created = true;
                recovery.dropped_bytes = offset(image.len());
            }
            Some(parsed) => {
                journal.records = parsed.records.iter().map(|r| r.to_vec()).collect();
                journal.end = offset(parsed.good_end);
                recovery.records = journal.records.len();
                if let Some(Damage {
                    offset: at,
                    valid_frame_after,
                    frames,
                }) = parsed.damage
                {
                    if valid_frame_after.is_some() || options.policy == RecoveryPolicy::AbsoluteConsistency {
                        return Err(JournalError::Corrupt { offset: offset(at) });
                    }
                    journal.storage.truncate(journal.end).map_err(io_err("truncate"))?;
                    journal.sync()?;
                    recovery.dropped_records = frames;
                    recovery.dropped_bytes = offset(image.len().saturating_sub(at));
                }
            }
        }
        if anchor.as_ref() != Some(&journal.anchor()) {
            journal.write_anchor();
        }
        Ok((journal, recovery))
    }

    /// What the anchor says of this journal now.
    fn anchor(&self) -> Anchor {
        Anchor {
            owner: self.owner.clone(),
            identity: self.identity,
            records: self.records.len(),
            note: self.note.clone(),
        }
    }

    /// Rewrites the anchor. Only ever after the journal state it describes is durable, so it
    /// never claims more than the disk holds. A failure is counted, not returned: the journal is
    /// fine, and the next write catches the anchor up.
    fn write_anchor(&mut self) {
        if self.storage.write_anchor(&self.anchor().encode()).is_err() {
            self.anchor_failures += 1;
        }
    }

    fn write_header(&mut self, cut_first: bool) -> Result<(), JournalError> {
        if cut_first {
            self.storage.truncate(0).map_err(io_err("truncate"))?;
        }
        let header = format::header(self.identity);
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

    /// The journal's id and generation.
    pub fn identity(&self) -> Identity {
        self.identity
    }

    /// Keeps `note` in the anchor (posterm: the last STAN and batch, which `posterm recover`
    /// offers when a journal is refused); written at once.
    pub fn set_note(&mut self, note: impl Into<String>) {
        let note = note.into();
        if note != self.note {
            self.note = note;
            self.write_anchor();
        }
    }

    /// Anchor writes that failed since the journal was opened.
    pub fn anchor_failures(&self) -> u64 {
        self.anchor_failures
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
        self.write_anchor();
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
        let next = Identity {
            generation: self.identity.generation.wrapping_add(1),
            ..self.identity
        };
        let mut image = format::header(next);
        if !format::encode_frame(snapshot, &mut image) {
            return Err(JournalError::RecordTooLarge { len: snapshot.len() });
        }
        self.syncs += 1;
        self.bytes += offset(image.len());
        if let Err(source) = self.storage.replace(&image) {
            self.poisoned = true;
            return Err(JournalError::Io { op: "replace", source });
        }
        self.identity = next;
        self.end = offset(image.len());
        self.records = vec![snapshot.to_vec()];
        self.write_anchor();
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
