//! The journal, its anchor and a compacted journal are created readable by their owner only
//! (mode 0600): they hold card data.

#![allow(clippy::unwrap_used)]
#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;

use pos_journal::{FileStorage, Journal};

#[test]
fn every_file_the_journal_creates_is_its_owners_only() {
    let dir = std::env::temp_dir().join(format!("pos-journal-private-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let (mut journal, _) = Journal::open(FileStorage::open(&dir, "journal.pjl").unwrap()).unwrap();
    journal.append(b"a record").unwrap();
    journal.compact(b"a snapshot").unwrap();
    journal.append(b"another").unwrap();
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode & 0o077, 0, "{} has mode {mode:04o}", path.display());
        seen += 1;
    }
    assert!(seen >= 2, "the journal and its anchor");
    std::fs::remove_dir_all(&dir).unwrap();
}
