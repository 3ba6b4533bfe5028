//! The same scenarios on a real file (okaywal style: every scenario on disk and in memory).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use common::{random, run, scripted, states, Op};
use pos_journal::{encode_file, FileStorage, JournalError, ModelStorage, Storage, HEADER_LEN};

const NAME: &str = "terminal.journal";

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(label: &str) -> TempDir {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let dir = std::env::temp_dir().join(format!(
            "pos-journal-{label}-{}-{}-{nanos}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
    fn path(&self) -> &Path {
        &self.0
    }
    fn file(&self) -> PathBuf {
        self.0.join(NAME)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn same_on_file_and_model(label: &str, ops: &[Op]) {
    let states = states(ops);
    let (mut model, _) = common::open(ModelStorage::new()).unwrap();
    assert_eq!(run(&mut model, ops), ops.len());

    let dir = TempDir::new(label);
    let (mut journal, recovery) = common::open(FileStorage::open(dir.path(), NAME).unwrap()).unwrap();
    assert!(recovery.created);
    assert_eq!(run(&mut journal, ops), ops.len());

    assert_eq!(journal.records(), model.records());
    assert_eq!(journal.records(), states[ops.len()].as_slice());
    assert_eq!(journal.syncs(), model.syncs());
    assert_eq!(journal.bytes(), model.bytes());
    assert_eq!(journal.file_len(), model.file_len());
    // Byte for byte the image the model holds as durable.
    assert_eq!(fs::read(dir.file()).unwrap(), model.storage().durable());
    // fsyncs: the directory when the file was created, the header, one per append, two per compaction.
    let compactions = ops.iter().filter(|op| matches!(op, Op::Compact(_))).count() as u64;
    let appends = ops.len() as u64 - compactions;
    assert_eq!(journal.storage().fsyncs(), 1 + 1 + appends + 2 * compactions);
    assert!(!dir.path().join(format!("{NAME}.tmp")).exists());
    drop(journal);

    // Reopened from the disk.
    let (reopened, recovery) = common::open(FileStorage::open(dir.path(), NAME).unwrap()).unwrap();
    assert!(recovery.is_clean() && !recovery.created);
    assert_eq!(reopened.records(), states[ops.len()].as_slice());
}

#[test]
fn scripted_scenario_on_a_file_matches_the_model() {
    same_on_file_and_model("scripted", &scripted());
}

#[test]
fn random_scenarios_on_a_file_match_the_model() {
    for seed in 1..=8 {
        same_on_file_and_model(&format!("random{seed}"), &random(seed));
    }
}

#[test]
fn every_prefix_of_the_scenario_reopens_the_same_on_file_and_model() {
    // Stop after k operations (a clean shutdown at every point), reopen both, compare.
    let ops = scripted();
    let states = states(&ops);
    let dir = TempDir::new("prefixes");
    for k in [0, 1, 2, 17, 18, 19, 36, 37, 50] {
        // A fresh journal each time: the file and its anchor (a journal deleted under its
        // anchor would be refused).
        let _ = fs::remove_file(dir.file());
        let _ = fs::remove_file(pos_journal::anchor_path(dir.path(), NAME));
        let (mut journal, _) = common::open(FileStorage::open(dir.path(), NAME).unwrap()).unwrap();
        let (mut model, _) = common::open(ModelStorage::new()).unwrap();
        assert_eq!(run(&mut journal, &ops[..k]), k);
        assert_eq!(run(&mut model, &ops[..k]), k);
        drop(journal);
        let (from_file, _) = common::open(FileStorage::open(dir.path(), NAME).unwrap()).unwrap();
        let (from_model, _) = common::open(model.into_storage().crash()).unwrap();
        assert_eq!(from_file.records(), states[k].as_slice());
        assert_eq!(from_file.records(), from_model.records());
    }
}

#[test]
fn a_torn_tail_on_a_real_file_is_cut_and_the_cut_is_on_disk() {
    let records: Vec<Vec<u8>> = (0..5u8).map(|i| vec![i; 100 + usize::from(i)]).collect();
    let image = encode_file(common::ID, records.iter().map(Vec::as_slice)).unwrap();
    let dir = TempDir::new("torn");
    let mut torn = image.clone();
    torn.extend_from_slice(&[0x30, 0, 0, 0, 1, 2, 3]); // the start of a sixth frame
    fs::write(dir.file(), &torn).unwrap();
    let (mut journal, recovery) = common::open(FileStorage::open(dir.path(), NAME).unwrap()).unwrap();
    assert_eq!(journal.records(), records.as_slice());
    assert_eq!(recovery.dropped_bytes, 7);
    assert_eq!(recovery.dropped_records, 1);
    assert_eq!(fs::read(dir.file()).unwrap(), image);
    journal.append(b"next").unwrap();
    drop(journal);
    let (journal, _) = common::open(FileStorage::open(dir.path(), NAME).unwrap()).unwrap();
    assert_eq!(journal.records().len(), 6);
    assert_eq!(journal.records()[5], b"next");
}

#[test]
fn a_corrupt_middle_on_a_real_file_is_refused_and_left_alone() {
    let records: Vec<Vec<u8>> = (0..5u8).map(|i| vec![i; 50]).collect();
    let mut image = encode_file(common::ID, records.iter().map(Vec::as_slice)).unwrap();
    image[HEADER_LEN + 58 + 10] ^= 1; // inside the second record
    let dir = TempDir::new("corrupt");
    fs::write(dir.file(), &image).unwrap();
    let result = common::open(FileStorage::open(dir.path(), NAME).unwrap());
    assert!(
        matches!(result, Err(JournalError::Corrupt { offset: 90 })),
        "{:?}",
        result.map(|(_, r)| r)
    );
    assert_eq!(fs::read(dir.file()).unwrap(), image);
}

#[test]
fn a_file_that_is_not_a_journal_is_left_alone() {
    let dir = TempDir::new("foreign");
    fs::write(dir.file(), b"some other program's data\n").unwrap();
    assert!(matches!(
        common::open(FileStorage::open(dir.path(), NAME).unwrap()),
        Err(JournalError::NotAJournal)
    ));
    assert_eq!(fs::read(dir.file()).unwrap(), b"some other program's data\n");
}

#[test]
fn file_storage_details() {
    let dir = TempDir::new("storage");
    // A stale replacement file from an interrupted compaction is removed on open.
    let tmp = dir.path().join(format!("{NAME}.tmp"));
    fs::write(&tmp, b"half a snapshot").unwrap();
    let mut storage = FileStorage::open(dir.path(), NAME).unwrap();
    assert!(!tmp.exists());
    assert_eq!(storage.path(), dir.file());
    assert!(storage.is_empty().unwrap());
    storage.append(b"abc").unwrap();
    storage.append(b"def").unwrap();
    storage.sync().unwrap();
    assert_eq!(storage.len().unwrap(), 6);
    assert_eq!(storage.read_all().unwrap(), b"abcdef");
    storage.truncate(2).unwrap();
    storage.append(b"Z").unwrap();
    assert_eq!(storage.read_all().unwrap(), b"abZ");
    storage.replace(b"new content").unwrap();
    assert_eq!(storage.read_all().unwrap(), b"new content");
    storage.append(b"!").unwrap(); // goes to the new file, not the unlinked old one
    assert_eq!(fs::read(dir.file()).unwrap(), b"new content!");
    assert!(!tmp.exists());

    for bad in ["", "a/b", "..", "/abs"] {
        assert!(FileStorage::open(dir.path(), bad).is_err(), "{bad:?}");
    }
    assert!(FileStorage::open(dir.path().join("missing"), NAME).is_err());
}
