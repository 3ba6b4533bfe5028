//! The anchor refuses a journal that is shorter than what was durable, missing, another
//! journal, or another owner's, and changes nothing when it does; it never refuses a journal a
//! crash left (crash.rs reopens every crash image with the newest anchor kept).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

mod common;

use std::fs;

use pos_journal::{
    anchor_path, inspect_file, AnchorFound, FileStorage, Journal, JournalError, JournalOptions, ModelStorage, Problem,
    RefusalReason, HEADER_LEN,
};

const NAME: &str = "journal.pjl";

fn owned(owner: &str) -> JournalOptions {
    JournalOptions {
        owner: Some(owner.into()),
        new_id: Some(common::ID.journal_id),
        ..JournalOptions::default()
    }
}

fn refused<S: pos_journal::Storage>(
    result: Result<(Journal<S>, pos_journal::Recovery), JournalError>,
) -> RefusalReason {
    match result {
        Err(JournalError::Refused(refusal)) => refusal.reason,
        other => panic!("expected a refusal, got {:?}", other.map(|(_, r)| r)),
    }
}

/// A journal of 25 records of 40 bytes, and the storage it left.
fn day() -> ModelStorage {
    let (mut journal, recovery) = Journal::open_with(ModelStorage::new(), owned("10000001")).unwrap();
    assert_eq!(recovery.anchor, AnchorFound::Missing);
    for i in 0..25u8 {
        journal.append(&[i; 40]).unwrap();
    }
    journal.set_note("last STAN 000025, batch 000001");
    journal.into_storage()
}

#[test]
fn a_clean_journal_opens_and_its_anchor_agrees() {
    let (journal, recovery) = Journal::open_with(day().crash(), owned("10000001")).unwrap();
    assert_eq!(recovery.anchor, AnchorFound::Agreed);
    assert_eq!(journal.records().len(), 25);
}

#[test]
fn a_truncated_journal_is_refused_not_cut() {
    let disk = day();
    // Hand-truncated in the middle of record 5: 21 acknowledged records are gone. Without the
    // anchor this looked like a torn tail of one record.
    let cut = HEADER_LEN + 4 * 48 + 20;
    let mut image = ModelStorage::from_durable(&disk.durable()[..cut]).with_anchor(disk.anchor().map(<[u8]>::to_vec));
    assert_eq!(
        refused(Journal::open_with(&mut image, owned("10000001"))),
        RefusalReason::Shorter
    );
    assert_eq!(image.live(), &disk.durable()[..cut], "nothing was changed");
    // Cut at a frame boundary: just as refused.
    let boundary = HEADER_LEN + 4 * 48;
    let image = ModelStorage::from_durable(&disk.durable()[..boundary]).with_anchor(disk.anchor().map(<[u8]>::to_vec));
    let message = match Journal::open_with(image, owned("10000001")) {
        Err(e) => e.to_string(),
        Ok(_) => panic!("a journal cut at a frame boundary opened"),
    };
    assert!(
        message.contains("4 record(s)") && message.contains("25 record(s)"),
        "{message}"
    );
    assert!(
        message.contains("last STAN 000025"),
        "the note helps the operator: {message}"
    );
}

#[test]
fn a_torn_last_record_is_still_a_torn_tail() {
    let disk = day();
    // A crash during an append leaves part of a 26th record: not acknowledged, not counted.
    let mut image = disk.durable().to_vec();
    image.extend_from_slice(&[40, 0, 0, 0, 1, 2, 3]);
    let storage = ModelStorage::from_durable(image).with_anchor(disk.anchor().map(<[u8]>::to_vec));
    let (journal, recovery) = Journal::open_with(storage, owned("10000001")).unwrap();
    assert_eq!(journal.records().len(), 25);
    assert_eq!(recovery.dropped_records, 1);
}

#[test]
fn a_missing_journal_is_refused() {
    let disk = day();
    let empty = ModelStorage::new().with_anchor(disk.anchor().map(<[u8]>::to_vec));
    assert_eq!(
        refused(Journal::open_with(empty, owned("10000001"))),
        RefusalReason::Missing
    );
}

#[test]
fn another_journal_or_another_owner_is_refused() {
    let disk = day();
    let (mut other, _) = Journal::open_with(
        ModelStorage::new(),
        JournalOptions {
            new_id: Some(99),
            ..owned("10000001")
        },
    )
    .unwrap();
    for i in 0..30u8 {
        other.append(&[i; 8]).unwrap();
    }
    let copied = ModelStorage::from_durable(other.storage().durable()).with_anchor(disk.anchor().map(<[u8]>::to_vec));
    assert_eq!(
        refused(Journal::open_with(copied, owned("10000001"))),
        RefusalReason::Foreign
    );
    assert_eq!(
        refused(Journal::open_with(disk.crash(), owned("10000002"))),
        RefusalReason::OtherOwner {
            owner: "10000002".into()
        }
    );
}

#[test]
fn a_compaction_the_anchor_missed_is_accepted() {
    let disk = day();
    let before = disk.anchor().map(<[u8]>::to_vec);
    let (mut journal, _) = Journal::open_with(disk, owned("10000001")).unwrap();
    journal.compact(b"snapshot").unwrap();
    // The anchor of before the compaction (its rewrite lost in a crash): generation 0, 25 records.
    let storage = journal.into_storage().crash().with_anchor(before);
    let (journal, _) = Journal::open_with(storage, owned("10000001")).unwrap();
    assert_eq!(journal.records(), [b"snapshot".to_vec()]);
    assert_eq!(journal.identity().generation, 1);
}

/// On a real directory, read-only: damage and refusals are reported, nothing is written.
#[test]
fn inspection_changes_nothing() {
    let dir = std::env::temp_dir().join(format!("pos-journal-inspect-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    let (mut journal, _) = Journal::open_with(FileStorage::open(&dir, NAME).unwrap(), owned("10000001")).unwrap();
    for i in 0..10u8 {
        journal.append(&[i; 30]).unwrap();
    }
    drop(journal);
    let path = dir.join(NAME);
    let full = fs::read(&path).unwrap();
    let anchor = fs::read(anchor_path(&dir, NAME)).unwrap();

    let clean = inspect_file(&dir, NAME, Some("10000001")).unwrap();
    assert_eq!((clean.records.len(), clean.problems.len()), (10, 0));

    fs::write(&path, &full[..full.len() - 5]).unwrap();
    let torn = inspect_file(&dir, NAME, Some("10000001")).unwrap();
    assert_eq!(torn.records.len(), 9);
    assert!(
        matches!(&torn.problems[..], [Problem::Refused(r)] if r.reason == RefusalReason::Shorter),
        "{:?}",
        torn.problems
    );
    assert_eq!(fs::read(&path).unwrap(), &full[..full.len() - 5], "not repaired");
    // A torn 11th record (a crash during its append) is reported, not repaired.
    let mut longer = full.clone();
    longer.extend_from_slice(&[30, 0, 0, 0, 1, 2]);
    fs::write(&path, &longer).unwrap();
    let torn = inspect_file(&dir, NAME, Some("10000001")).unwrap();
    assert!(
        matches!(torn.problems[..], [Problem::DamagedTail { bytes: 6, .. }]),
        "{:?}",
        torn.problems
    );
    assert_eq!(fs::read(&path).unwrap(), longer, "not repaired");

    fs::remove_file(&path).unwrap();
    let missing = inspect_file(&dir, NAME, Some("10000001")).unwrap();
    assert!(matches!(&missing.problems[0], Problem::Refused(r) if r.reason == RefusalReason::Missing));
    assert!(!path.exists(), "not created");
    assert_eq!(fs::read(anchor_path(&dir, NAME)).unwrap(), anchor);
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_anchor_file_holds_one_anchor_after_it_shrinks() {
    let dir = std::env::temp_dir().join(format!("pos-journal-shrink-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    let (mut journal, _) = Journal::open_with(FileStorage::open(&dir, NAME).unwrap(), owned("10000001")).unwrap();
    journal.set_note("a long note that the compaction's anchor will not carry, so it is shorter");
    for i in 0..120u8 {
        journal.append(&[i; 10]).unwrap();
    }
    let long = fs::read(anchor_path(&dir, NAME)).unwrap();
    journal.set_note("short");
    journal.compact(b"snapshot").unwrap();
    drop(journal);
    // Written in place over a longer one, then cut: the file is exactly the new anchor, which an
    // operator can read without a stale tail after it.
    let short = fs::read(anchor_path(&dir, NAME)).unwrap();
    assert!(short.len() < long.len());
    let anchor = pos_journal::Anchor::decode(&short).unwrap();
    assert_eq!((anchor.records, anchor.note.as_str()), (1, "short"));
    assert_eq!(anchor.encode(), short);
    let (reopened, recovery) = Journal::open_with(FileStorage::open(&dir, NAME).unwrap(), owned("10000001")).unwrap();
    assert_eq!(recovery.anchor, AnchorFound::Agreed);
    assert_eq!(reopened.records().len(), 1);
    fs::remove_dir_all(&dir).unwrap();
}
