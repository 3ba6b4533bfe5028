//! Reading a journal without changing anything (posterm's `status`, `query` and `journal`):
//! damage is reported, never repaired, and a missing file is not created.

use std::fmt;
use std::io;
use std::path::Path;

use crate::anchor::{Anchor, Found, Refusal};
use crate::format::{self, Header, Identity};
use crate::storage::anchor_path;

/// What is on the disk, read-only.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Inspection {
    /// The valid records, oldest first (up to any damage).
    pub records: Vec<Vec<u8>>,
    /// The journal's header; `None` when there is no journal yet.
    pub identity: Option<Identity>,
    pub anchor: Option<Anchor>,
    /// What a writer would repair or refuse.
    pub problems: Vec<Problem>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// A damaged tail (a crash during an append): the next command that writes cuts it off.
    DamagedTail {
        offset: u64,
        bytes: u64,
    },
    /// Damage followed by valid records: the journal will not open.
    Corrupt {
        offset: u64,
    },
    /// Not a journal file at all, or another format version.
    NotAJournal,
    UnsupportedVersion(u16),
    /// The anchor refuses the journal (records lost, missing, another terminal's).
    Refused(Box<Refusal>),
    /// The anchor file is not readable as one; the next command that writes rewrites it.
    UnreadableAnchor,
}

impl Problem {
    /// Whether a writer would refuse the journal (rather than repair it).
    pub fn refuses(&self) -> bool {
        matches!(
            self,
            Problem::Refused(_) | Problem::Corrupt { .. } | Problem::NotAJournal | Problem::UnsupportedVersion(_)
        )
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::DamagedTail { offset, bytes } => write!(
                f,
                "a damaged tail of {bytes} byte(s) at offset {offset} (an append a crash interrupted): the next transaction command cuts it off"
            ),
            Problem::Corrupt { offset } => write!(
                f,
                "the journal is damaged at offset {offset}, with valid records after it: it will not open"
            ),
            Problem::NotAJournal => f.write_str("the journal file is not a journal"),
            Problem::UnsupportedVersion(version) => f.write_str(&format::version_refused(*version)),
            Problem::Refused(refusal) => write!(f, "the journal is refused: {refusal}"),
            Problem::UnreadableAnchor => {
                f.write_str("the journal's anchor file is damaged: the next transaction command writes it anew")
            }
        }
    }
}

/// Inspects a journal image (`None`: no file) and its anchor, for `owner` (`None`: any).
pub fn inspect(image: Option<&[u8]>, anchor: Option<&[u8]>, owner: Option<&str>) -> Inspection {
    let mut inspection = Inspection {
        anchor: anchor.and_then(Anchor::decode),
        ..Inspection::default()
    };
    if anchor.is_some() && inspection.anchor.is_none() {
        inspection.problems.push(Problem::UnreadableAnchor);
    }
    let image = image.unwrap_or_default();
    match format::check_header(image) {
        Header::Valid(identity) => {
            inspection.identity = Some(identity);
            let parsed = format::parse_frames(image);
            inspection.records = parsed.records.iter().map(|r| r.to_vec()).collect();
            if let Some(damage) = parsed.damage {
                let offset = damage.offset as u64;
                inspection.problems.push(match damage.valid_frame_after {
                    Some(_) => Problem::Corrupt { offset },
                    None => Problem::DamagedTail {
                        offset,
                        bytes: (image.len().saturating_sub(damage.offset)) as u64,
                    },
                });
            }
        }
        Header::Incomplete => {}
        Header::NotAJournal => inspection.problems.push(Problem::NotAJournal),
        Header::UnsupportedVersion(version) => inspection.problems.push(Problem::UnsupportedVersion(version)),
        Header::Damaged(at) => inspection.problems.push(Problem::Corrupt { offset: at as u64 }),
    }
    // A file that cannot be read as a journal of this format has said why; the anchor's count of
    // its records would only add "missing".
    let readable = !inspection
        .problems
        .iter()
        .any(|p| matches!(p, Problem::NotAJournal | Problem::UnsupportedVersion(_)));
    if let Some(anchor) = inspection.anchor.as_ref().filter(|_| readable) {
        let found = Found {
            identity: inspection.identity,
            records: inspection.records.len(),
        };
        if let Err(refusal) = anchor.check(&found, owner) {
            // A refused journal is not repaired either: its damaged tail is part of the loss.
            inspection
                .problems
                .retain(|p| !matches!(p, Problem::DamagedTail { .. }));
            inspection.problems.push(Problem::Refused(refusal));
        }
    }
    inspection
}

/// Reads `dir/name` and its anchor, changing nothing (a missing file is "no journal yet").
pub fn inspect_file(dir: impl AsRef<Path>, name: &str, owner: Option<&str>) -> io::Result<Inspection> {
    let read = |path: &Path| match std::fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    };
    let image = read(&dir.as_ref().join(name))?;
    let anchor = read(&anchor_path(&dir, name))?;
    Ok(inspect(image.as_deref(), anchor.as_deref(), owner))
}
