//! Storage failures: a failed append, sync or replacement returns an error and leaves a journal
//! that reopens with the previous records.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

mod common;

use common::{run, scripted, states, Op};
use pos_journal::{CrashTiming, JournalError, ModelStorage, MAX_RECORD_LEN};

/// Fails the `k`th append (header included) for every `k`.
#[test]
fn every_failed_append_is_an_error_and_is_rolled_back() {
    let ops = scripted();
    let states = states(&ops);
    let appends = 1 + ops.iter().filter(|op| matches!(op, Op::Append(_))).count() as u64;
    for k in 1..=appends {
        let mut disk = ModelStorage::new().fail_append(k);
        if k == 1 {
            // The header: open fails; both what is on disk and what a reader sees reopen empty.
            assert!(matches!(
                common::open(&mut disk),
                Err(JournalError::Io { op: "append", .. })
            ));
            for image in [disk.crash(), ModelStorage::from_durable(disk.live())] {
                let (journal, recovery) = common::open(image).unwrap();
                assert!(journal.records().is_empty() && recovery.created);
            }
            continue;
        }
        let (mut journal, _) = common::open(&mut disk).unwrap();
        let acked = run(&mut journal, &ops);
        assert!(acked < ops.len(), "append {k} failed");
        assert!(matches!(ops[acked], Op::Append(_)));
        // The failed operation was rolled back and the journal still works.
        assert!(!journal.is_poisoned());
        assert_eq!(journal.records(), states[acked].as_slice());
        // Rolled back: the half-written frame is gone from what readers see and from the disk.
        let (live, durable) = (journal.storage().live().to_vec(), journal.storage().durable().to_vec());
        assert_eq!(live, durable);
        let (reopened, recovery) = common::open(ModelStorage::from_durable(durable)).unwrap();
        assert!(recovery.is_clean());
        assert_eq!(reopened.records(), states[acked].as_slice());
        // Only the kth append fails: retrying the record works, and so does the rest.
        assert_eq!(run(&mut journal, &ops[acked..]), ops.len() - acked);
        drop(journal);
        let (reopened, _) = common::open(disk.crash()).unwrap();
        assert_eq!(reopened.records(), states[ops.len()].as_slice());
    }
}

/// Fails the `n`th sync point (header, appends, compactions) for every `n`.
#[test]
fn every_failed_sync_is_an_error_and_leaves_the_previous_records() {
    let ops = scripted();
    let states = states(&ops);
    let total = 1 + ops.len() as u64;
    for n in 1..=total {
        let mut disk = ModelStorage::new().fail_sync(n);
        if n == 1 {
            assert!(matches!(
                common::open(&mut disk),
                Err(JournalError::Io { op: "sync", .. })
            ));
            let (journal, _) = common::open(disk.crash()).unwrap();
            assert!(journal.records().is_empty());
            continue;
        }
        let (mut journal, _) = common::open(&mut disk).unwrap();
        let acked = run(&mut journal, &ops);
        assert_eq!(acked, n as usize - 2);
        assert_eq!(journal.records(), states[acked].as_slice());
        let compaction = matches!(ops[acked], Op::Compact(_));
        // A failed append is undone and the journal goes on; a failed compaction poisons it.
        assert_eq!(journal.is_poisoned(), compaction, "sync point {n}");
        if compaction {
            assert!(matches!(journal.append(b"x"), Err(JournalError::Poisoned)));
            assert!(matches!(journal.compact(b"x"), Err(JournalError::Poisoned)));
            drop(journal);
            // The host reopens: the old records (the replacement never happened).
            let (mut reopened, _) = common::open(&mut disk).unwrap();
            assert_eq!(reopened.records(), states[acked].as_slice());
            assert_eq!(run(&mut reopened, &ops[acked..]), ops.len() - acked);
            assert_eq!(reopened.records(), states[ops.len()].as_slice());
        } else {
            // Retrying the same record (or going on with the next) works.
            assert_eq!(run(&mut journal, &ops[acked..]), ops.len() - acked);
            assert_eq!(journal.records(), states[ops.len()].as_slice());
        }
        let (after_crash, _) = common::open(disk.crash()).unwrap();
        assert_eq!(after_crash.records(), states[ops.len()].as_slice());
    }
}

/// The failed operation's own image on disk, right after the failure (before anything else).
#[test]
fn after_a_failed_sync_the_disk_holds_the_previous_records() {
    let ops = scripted();
    let states = states(&ops);
    for n in 2..=(1 + ops.len() as u64) {
        let mut disk = ModelStorage::new().fail_sync(n);
        let (mut journal, _) = common::open(&mut disk).unwrap();
        let acked = run(&mut journal, &ops);
        drop(journal);
        let (reopened, _) = common::open(disk.crash()).unwrap();
        assert_eq!(reopened.records(), states[acked].as_slice(), "sync point {n}");
    }
}

/// The append fails and so does the rollback: the journal is poisoned, and reopening gives the
/// previous records.
#[test]
fn a_failed_rollback_poisons_the_journal() {
    let ops = scripted();
    let states = states(&ops);
    for k in [2, 3, 10, 30] {
        // Append k is op k-2 when no compaction came before; find its sync point by a dry run.
        let mut probe = ModelStorage::new().fail_append(k);
        let (mut journal, _) = common::open(&mut probe).unwrap();
        let acked = run(&mut journal, &ops);
        drop(journal);
        let rollback_sync = probe.syncs(); // the rollback's sync was the last sync point

        // The rollback's sync fails.
        let mut disk = ModelStorage::new().fail_append(k).fail_sync(rollback_sync);
        let (mut journal, _) = common::open(&mut disk).unwrap();
        assert_eq!(run(&mut journal, &ops), acked);
        assert!(journal.is_poisoned());
        assert!(matches!(journal.append(b"x"), Err(JournalError::Poisoned)));
        drop(journal);
        for image in [disk.crash(), ModelStorage::from_durable(disk.live())] {
            let (reopened, _) = common::open(image).unwrap();
            assert_eq!(reopened.records(), states[acked].as_slice());
        }

        // The machine dies during the rollback's sync (before or after it takes effect), with or
        // without some unsynced bytes on disk: the previous records either way.
        for timing in [CrashTiming::BeforeSync, CrashTiming::AfterSync] {
            let mut disk = ModelStorage::new().fail_append(k).crash_at_sync(rollback_sync, timing);
            let (mut journal, _) = common::open(&mut disk).unwrap();
            assert_eq!(run(&mut journal, &ops), acked);
            assert!(journal.is_poisoned());
            drop(journal);
            for keep in [0, 1, disk.pending().len()] {
                let (reopened, _) = common::open(disk.crash_keeping(keep)).unwrap();
                assert_eq!(reopened.records(), states[acked].as_slice());
            }
        }
    }
}

#[test]
fn oversized_records_are_refused_before_anything_is_written() {
    let mut disk = ModelStorage::new();
    let (mut journal, _) = common::open(&mut disk).unwrap();
    journal.append(b"first").unwrap();
    let (syncs, bytes) = (journal.syncs(), journal.bytes());
    let big = vec![0xA5; MAX_RECORD_LEN + 1];
    assert!(matches!(journal.append(&big), Err(JournalError::RecordTooLarge { len }) if len == MAX_RECORD_LEN + 1));
    assert!(matches!(
        journal.compact(&big),
        Err(JournalError::RecordTooLarge { .. })
    ));
    assert!(!journal.is_poisoned());
    assert_eq!((journal.syncs(), journal.bytes()), (syncs, bytes));
    // Exactly the maximum is fine, and reads back.
    let max = vec![0x5A; MAX_RECORD_LEN];
    journal.append(&max).unwrap();
    drop(journal);
    let (reopened, _) = common::open(disk.crash()).unwrap();
    assert_eq!(reopened.records(), [b"first".to_vec(), max.clone()]);
    // And as a snapshot.
    let (mut journal, _) = common::open(disk.crash()).unwrap();
    journal.compact(&max).unwrap();
    assert_eq!(journal.records(), [max]);
}

#[test]
fn counters_count_syncs_and_bytes() {
    let (mut journal, _) = common::open(ModelStorage::new()).unwrap();
    assert_eq!((journal.syncs(), journal.bytes(), journal.file_len()), (1, 32, 32));
    journal.append(&[1; 100]).unwrap();
    assert_eq!(
        (journal.syncs(), journal.bytes(), journal.file_len()),
        (2, 32 + 108, 32 + 108)
    );
    journal.compact(&[2; 10]).unwrap();
    assert_eq!(
        (journal.syncs(), journal.bytes(), journal.file_len()),
        (3, 32 + 108 + 50, 50)
    );
    assert_eq!(journal.storage().syncs(), 3);
    // Reopening a clean file reads only: no sync, no byte written.
    let (journal, recovery) = common::open(journal.into_storage().crash()).unwrap();
    assert!(recovery.is_clean() && !recovery.created);
    assert_eq!(recovery.records, 1);
    assert_eq!((journal.syncs(), journal.bytes()), (0, 0));
}

#[test]
fn errors_display_and_source() {
    let mut disk = ModelStorage::new().fail_sync(2);
    let (mut journal, _) = common::open(&mut disk).unwrap();
    let err = journal.append(b"abc").unwrap_err();
    assert!(err.to_string().starts_with("journal sync failed"), "{err}");
    assert!(std::error::Error::source(&err).is_some());
    assert!(JournalError::Corrupt { offset: 74 }.to_string().contains("74"));
}
