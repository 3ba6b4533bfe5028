//! The anchor: a small file beside the journal that remembers what the journal once held, so
//! that a journal shorter than what was durable, missing, or another terminal's is refused
//! instead of being taken for a torn tail or a new terminal (see the crate docs, "The anchor").
//!
//! It is text, so an operator can read it:
//!
//! ```text
//! pos-journal anchor 1
//! owner 10000001
//! journal 6f1c0a93d2e4b857
//! generation 3
//! records 85
//! note last STAN 000123, batch 000001
//! crc 3b2f6e1a
//! ```
//!
//! The journal rewrites it after every acknowledged append and compaction (in place, not
//! synced: one write, a few microseconds): it never claims more than was durable, and after a
//! crash it may lag behind the journal, which only weakens the check, never refuses a good
//! journal. Its last line is a CRC, so one torn by a crash reads as damaged (written anew from
//! the journal) rather than as another anchor.

use std::fmt;

use crate::format::Identity;

const FIRST_LINE: &str = "pos-journal anchor 1";

/// What the journal held when the anchor was last written.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Anchor {
    /// Whose journal it is (posterm: the terminal id); empty when the opener named no owner.
    pub owner: String,
    pub identity: Identity,
    /// Records of that generation acknowledged as durable.
    pub records: usize,
    /// Free text the host keeps with it (posterm: the last STAN and batch, for `recover`).
    pub note: String,
}

impl Anchor {
    /// The anchor as its file holds it: the lines, then a `crc` line (CRC32C of the lines before
    /// it), so that an anchor a crash tore while it was rewritten in place reads as damaged,
    /// never as another anchor. What follows the `crc` line is ignored: a shorter anchor written
    /// over a longer one leaves the longer one's end behind.
    pub fn encode(&self) -> Vec<u8> {
        let mut text = format!(
            "{FIRST_LINE}\nowner {}\njournal {:016x}\ngeneration {}\nrecords {}\nnote {}\n",
            one_line(&self.owner),
            self.identity.journal_id,
            self.identity.generation,
            self.records,
            one_line(&self.note)
        );
        let crc = crc32c::crc32c(text.as_bytes());
        text.push_str(&format!("crc {crc:08x}\n"));
        text.into_bytes()
    }

    /// Parses an anchor file; `None` if it is not one (damaged, torn, or written by something
    /// else).
    pub fn decode(bytes: &[u8]) -> Option<Anchor> {
        let mut lines = bytes.split(|b| *b == b'\n');
        let mut line = || core::str::from_utf8(lines.next()?).ok();
        if line()? != FIRST_LINE {
            return None;
        }
        let mut value = |key: &str| line()?.strip_prefix(key)?.strip_prefix(' ').map(str::to_owned);
        let owner = value("owner")?;
        let journal_id = u64::from_str_radix(&value("journal")?, 16).ok()?;
        let generation = value("generation")?.parse().ok()?;
        let records = value("records")?.parse().ok()?;
        let note = value("note")?;
        let crc = u32::from_str_radix(&value("crc")?, 16).ok()?;
        let anchor = Anchor {
            owner,
            identity: Identity { journal_id, generation },
            records,
            note,
        };
        // The lines the CRC covers are exactly those this anchor encodes to.
        let encoded = anchor.encode();
        let covered = encoded.len().checked_sub(13)?;
        (bytes.get(..covered) == encoded.get(..covered) && crc == crc32c::crc32c(encoded.get(..covered)?))
            .then_some(anchor)
    }

    /// Whether a journal found as `found` can be the one this anchor describes, for `owner`
    /// (`None`: any owner). A journal may be ahead of its anchor (the anchor lags after a
    /// crash), never behind it.
    pub fn check(&self, found: &Found, owner: Option<&str>) -> Result<(), Box<Refusal>> {
        let refuse = |reason| {
            Err(Box::new(Refusal {
                anchor: self.clone(),
                found: found.clone(),
                reason,
            }))
        };
        if let Some(owner) = owner.filter(|o| *o != self.owner) {
            return refuse(RefusalReason::OtherOwner {
                owner: owner.to_owned(),
            });
        }
        let Some(identity) = found.identity else {
            return if self.identity.generation == 0 && self.records == 0 {
                Ok(())
            } else {
                refuse(RefusalReason::Missing)
            };
        };
        if identity.journal_id != self.identity.journal_id {
            return refuse(RefusalReason::Foreign);
        }
        let behind = identity.generation < self.identity.generation
            || (identity.generation == self.identity.generation && found.records < self.records);
        if behind {
            return refuse(RefusalReason::Shorter);
        }
        Ok(())
    }
}

/// Newlines would break the file's lines; an owner or note never needs one.
fn one_line(text: &str) -> String {
    text.replace(['\n', '\r'], " ")
}

/// What is on the disk where the journal should be.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Found {
    /// The journal's header; `None` when there is no journal (a missing or empty file).
    pub identity: Option<Identity>,
    /// Valid records (before any damaged tail).
    pub records: usize,
}

/// Why a journal is refused: nothing was changed on the disk.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Refusal {
    pub anchor: Anchor,
    pub found: Found,
    pub reason: RefusalReason,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum RefusalReason {
    /// No journal, but the anchor says there was one with records.
    Missing,
    /// Fewer records than were once durable, or an older generation (a journal restored from
    /// an old copy): more than a torn tail is gone.
    Shorter,
    /// A journal with another id: another terminal's journal, or a copy from elsewhere.
    Foreign,
    /// The journal belongs to another owner (posterm: the configured terminal id changed).
    OtherOwner { owner: String },
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let anchor = &self.anchor;
        let had = format!(
            "{} record(s) in generation {}",
            anchor.records, anchor.identity.generation
        );
        match &self.reason {
            RefusalReason::Missing => write!(f, "the journal is missing, but it held {had}"),
            RefusalReason::Shorter => {
                let found = self.found.identity.map_or(0, |i| i.generation);
                write!(
                    f,
                    "the journal holds {} record(s) in generation {found}, fewer than the {had} it once held durably: records were lost (more than a torn tail)",
                    self.found.records
                )
            }
            RefusalReason::Foreign => write!(
                f,
                "the journal is not this terminal's: its id is {:016x}, the anchor's {:016x}",
                self.found.identity.map_or(0, |i| i.journal_id),
                anchor.identity.journal_id
            ),
            RefusalReason::OtherOwner { owner } => {
                write!(f, "the journal belongs to `{}`, not to `{owner}`", anchor.owner)
            }
        }?;
        if !anchor.note.is_empty() {
            write!(f, " (last known: {})", anchor.note)?;
        }
        Ok(())
    }
}

impl std::error::Error for Refusal {}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
    use super::*;

    fn anchor() -> Anchor {
        Anchor {
            owner: "10000001".into(),
            identity: Identity {
                journal_id: 0x6f1c_0a93_d2e4_b857,
                generation: 3,
            },
            records: 85,
            note: "last STAN 000123, batch 000001".into(),
        }
    }

    fn found(generation: u32, records: usize) -> Found {
        Found {
            identity: Some(Identity {
                journal_id: 0x6f1c_0a93_d2e4_b857,
                generation,
            }),
            records,
        }
    }

    #[test]
    fn round_trip_and_text() {
        let bytes = anchor().encode();
        let text = String::from_utf8(bytes.clone()).unwrap();
        let lines = "pos-journal anchor 1\nowner 10000001\njournal 6f1c0a93d2e4b857\ngeneration 3\nrecords 85\nnote last STAN 000123, batch 000001\n";
        assert_eq!(text, format!("{lines}crc {:08x}\n", crc32c::crc32c(lines.as_bytes())));
        assert_eq!(Anchor::decode(&bytes), Some(anchor()));
        assert_eq!(Anchor::decode(b""), None);
        assert_eq!(
            Anchor::decode(&bytes[..bytes.len() - 4]),
            None,
            "a torn anchor is not one"
        );
        // A shorter anchor written over a longer one: the longer one's end is ignored.
        let mut over = bytes.clone();
        over.extend_from_slice(b"note of an older, longer anchor\ncrc 00000000\n");
        assert_eq!(Anchor::decode(&over), Some(anchor()));
    }

    /// A crash tearing an anchor rewritten in place (old and new bytes mixed) gives a damaged
    /// anchor, never one that claims other records: "records 99" over "records 100" could read
    /// "records 190" without the CRC.
    #[test]
    fn a_torn_rewrite_is_damaged_not_another_anchor() {
        let old = Anchor {
            records: 100,
            ..anchor()
        }
        .encode();
        let new = Anchor {
            records: 99,
            ..anchor()
        }
        .encode();
        for cut in 0..new.len() {
            let mut torn = old.clone();
            torn.get_mut(..cut).unwrap().copy_from_slice(&new[..cut]);
            if let Some(read) = Anchor::decode(&torn) {
                assert!(read.records == 99 || read.records == 100, "cut {cut}: {read:?}");
            }
        }
    }

    #[test]
    fn a_journal_may_be_ahead_never_behind() {
        let a = anchor();
        assert_eq!(a.check(&found(3, 85), Some("10000001")), Ok(()));
        assert_eq!(a.check(&found(3, 86), None), Ok(()), "the anchor lags after a crash");
        assert_eq!(a.check(&found(4, 1), None), Ok(()), "a compaction the anchor missed");
        let reason = |r: Result<(), Box<Refusal>>| r.unwrap_err().reason;
        assert_eq!(reason(a.check(&found(3, 84), None)), RefusalReason::Shorter);
        assert_eq!(reason(a.check(&found(2, 500), None)), RefusalReason::Shorter);
        assert_eq!(reason(a.check(&Found::default(), None)), RefusalReason::Missing);
        let other = Found {
            identity: Some(Identity {
                journal_id: 1,
                generation: 3,
            }),
            records: 85,
        };
        assert_eq!(reason(a.check(&other, None)), RefusalReason::Foreign);
        assert_eq!(
            reason(a.check(&found(3, 85), Some("10000002"))),
            RefusalReason::OtherOwner {
                owner: "10000002".into()
            }
        );
        let message = a.check(&found(3, 21), None).unwrap_err().to_string();
        assert!(
            message.contains("21 record(s)") && message.contains("85 record(s)"),
            "{message}"
        );
        assert!(message.contains("last STAN 000123"), "{message}");
    }

    #[test]
    fn an_anchor_of_an_empty_journal_accepts_a_missing_one() {
        let empty = Anchor {
            records: 0,
            identity: Identity {
                journal_id: 7,
                generation: 0,
            },
            ..anchor()
        };
        assert_eq!(empty.check(&Found::default(), None), Ok(()));
    }
}
