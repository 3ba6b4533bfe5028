//! Torn and corrupt files: every truncation length, every single-byte corruption of the last frame
//! and of a middle frame, header damage, and the committed fixtures.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

mod common;

use std::path::PathBuf;

use common::Rng;
use pos_journal::{
    encode_file, FileStorage, Journal, JournalError, JournalOptions, ModelStorage, RecoveryPolicy, FRAME_OVERHEAD,
    HEADER_LEN,
};

fn strict() -> JournalOptions {
    JournalOptions {
        policy: RecoveryPolicy::AbsoluteConsistency,
        new_id: Some(common::ID.journal_id),
        ..JournalOptions::default()
    }
}

/// Twelve records of assorted sizes, one of them empty (the format allows it).
fn sample_records() -> Vec<Vec<u8>> {
    let mut rng = Rng::new(7);
    [1, 3, 50, 200, 0, 7, 1000, 33, 2, 600, 90, 40]
        .iter()
        .map(|&len| rng.bytes(len))
        .collect()
}

fn encode(records: &[Vec<u8>]) -> Vec<u8> {
    encode_file(common::ID, records.iter().map(Vec::as_slice)).unwrap()
}

/// Start offset of each frame, and the end of the file.
fn frame_starts(records: &[Vec<u8>]) -> Vec<usize> {
    let mut starts = vec![HEADER_LEN];
    for r in records {
        let next = starts.last().unwrap() + FRAME_OVERHEAD + r.len();
        starts.push(next);
    }
    starts
}

#[test]
fn the_journal_writes_what_encode_file_describes() {
    let records = sample_records();
    let (mut journal, _) = common::open(ModelStorage::new()).unwrap();
    for r in &records {
        journal.append(r).unwrap();
    }
    assert_eq!(journal.storage().durable(), encode(&records).as_slice());
    assert_eq!(journal.file_len(), encode(&records).len() as u64);
}

#[test]
fn every_truncation_length_reopens_to_the_right_prefix() {
    let records = sample_records();
    let image = encode(&records);
    let starts = frame_starts(&records);
    for len in 0..=image.len() {
        let mut disk = ModelStorage::from_durable(&image[..len]);
        let (mut journal, recovery) = common::open(&mut disk).unwrap_or_else(|e| panic!("length {len}: {e}"));
        let kept = if len < HEADER_LEN {
            0
        } else {
            starts.iter().skip(1).filter(|&&end| end <= len).count()
        };
        assert_eq!(journal.records(), &records[..kept], "length {len}");
        let good_end = if len < HEADER_LEN { HEADER_LEN } else { starts[kept] };
        assert_eq!(recovery.created, len < HEADER_LEN, "length {len}");
        let dropped = if len < HEADER_LEN { len } else { len - good_end };
        assert_eq!(recovery.dropped_bytes, dropped as u64, "length {len}");
        assert_eq!(
            recovery.dropped_records,
            usize::from(len >= HEADER_LEN && dropped > 0),
            "length {len}"
        );
        // The cut is durable, and the journal goes on from there.
        assert_eq!(
            journal.storage().durable(),
            &encode(&records[..kept])[..],
            "length {len}"
        );
        journal.append(b"after recovery").unwrap();
        let (reopened, again) = common::open(journal.into_storage().crash()).unwrap();
        assert!(again.is_clean());
        assert_eq!(reopened.records().len(), kept + 1);
        assert_eq!(reopened.records().last().unwrap(), b"after recovery");
    }
}

#[test]
fn every_single_byte_corruption_of_the_last_frame_is_cut_off() {
    let records = sample_records();
    let image = encode(&records);
    let starts = frame_starts(&records);
    let last = starts[records.len() - 1];
    let mut opened = 0;
    for pos in last..image.len() {
        for flip in 1..=255u8 {
            let mut bad = image.clone();
            bad[pos] ^= flip;
            let mut disk = ModelStorage::from_durable(bad);
            let (journal, recovery) =
                common::open(&mut disk).unwrap_or_else(|e| panic!("byte {pos} ^ {flip:#04x}: {e}"));
            assert_eq!(
                journal.records(),
                &records[..records.len() - 1],
                "byte {pos} ^ {flip:#04x}"
            );
            // A damaged length field may make the estimate count more frames; exact otherwise.
            if pos < last + 4 {
                assert!(recovery.dropped_records >= 1);
            } else {
                assert_eq!(recovery.dropped_records, 1);
            }
            assert_eq!(recovery.dropped_bytes, (image.len() - last) as u64);
            assert_eq!(disk.durable(), &image[..last]);
            opened += 1;
        }
    }
    println!("last frame: {opened} single-byte corruptions cut off");
}

#[test]
fn bad_last_frames_are_cut_off_together() {
    let records = sample_records();
    let image = encode(&records);
    let starts = frame_starts(&records);
    let n = records.len();
    let mut bad = image.clone();
    bad[starts[n - 2] + 6] ^= 0x10; // inside record n-2
    bad[starts[n - 1] + 9] ^= 0x01; // inside record n-1
    let (journal, recovery) = common::open(ModelStorage::from_durable(bad)).unwrap();
    assert_eq!(journal.records(), &records[..n - 2]);
    assert_eq!(recovery.dropped_records, 2);
    assert_eq!(recovery.dropped_bytes, (image.len() - starts[n - 2]) as u64);
}

#[test]
fn corruption_followed_by_valid_frames_is_an_error_not_a_truncation() {
    let records = sample_records();
    let image = encode(&records);
    let starts = frame_starts(&records);
    let mut refused = 0;
    // Every byte of two middle frames: 7 bytes (all 255 flips) and 200 bytes (each bit, and 0xFF).
    for (frame, flips) in [
        (5, (1..=255u8).collect::<Vec<_>>()),
        (3, vec![1, 2, 4, 8, 16, 32, 64, 128, 255]),
    ] {
        for pos in starts[frame]..starts[frame + 1] {
            for &flip in &flips {
                let mut bad = image.clone();
                bad[pos] ^= flip;
                let mut disk = ModelStorage::from_durable(bad.clone());
                match common::open(&mut disk) {
                    Err(JournalError::Corrupt { offset }) => assert_eq!(offset, starts[frame] as u64),
                    other => panic!("frame {frame}, byte {pos} ^ {flip:#04x}: {:?}", other.map(|(_, r)| r)),
                }
                // Left alone: nothing truncated, nothing synced.
                assert_eq!(disk.live(), bad.as_slice());
                assert_eq!(disk.syncs(), 0);
                refused += 1;
            }
        }
    }
    println!("middle frames: {refused} single-byte corruptions refused");
}

#[test]
fn absolute_consistency_refuses_a_torn_tail_and_changes_nothing() {
    let records = sample_records();
    let image = encode(&records);
    let starts = frame_starts(&records);
    let torn = &image[..image.len() - 1];
    let mut disk = ModelStorage::from_durable(torn);
    match Journal::open_with(&mut disk, strict()) {
        Err(JournalError::Corrupt { offset }) => assert_eq!(offset, starts[records.len() - 1] as u64),
        other => panic!("{:?}", other.map(|(_, r)| r)),
    }
    assert_eq!(disk.live(), torn);
    let (journal, _) = Journal::open_with(ModelStorage::from_durable(image), strict()).unwrap();
    assert_eq!(journal.records(), records.as_slice());
    let (journal, recovery) = Journal::open_with(ModelStorage::new(), strict()).unwrap();
    assert!(recovery.created && journal.records().is_empty());
}

#[test]
fn header_damage() {
    let image = encode(&sample_records());
    for pos in 0..8 {
        let mut bad = image.clone();
        bad[pos] ^= 0x20;
        let mut disk = ModelStorage::from_durable(bad.clone());
        assert!(
            matches!(common::open(&mut disk), Err(JournalError::NotAJournal)),
            "magic byte {pos}"
        );
        assert_eq!(disk.live(), bad.as_slice());
    }
    let mut v1 = image.clone();
    v1[8] = 1;
    assert!(matches!(
        common::open(ModelStorage::from_durable(v1)),
        Err(JournalError::UnsupportedVersion { version: 1 })
    ));
    let mut high = image.clone();
    high[9] = 1;
    assert!(matches!(
        common::open(ModelStorage::from_durable(high)),
        Err(JournalError::UnsupportedVersion { version: 0x0104 })
    ));
    // A reserved byte that is not zero is reported where it is; a changed generation, id or
    // CRC fails the header's CRC (offset 28).
    for pos in 10..HEADER_LEN {
        let mut bad = image.clone();
        bad[pos] ^= 0x01;
        let expected = if (10..12).contains(&pos) || (24..28).contains(&pos) {
            pos
        } else {
            28
        };
        match common::open(ModelStorage::from_durable(bad)) {
            Err(JournalError::Corrupt { offset }) => assert_eq!(offset, expected as u64, "header byte {pos}"),
            other => panic!("header byte {pos}: {:?}", other.map(|(_, r)| r)),
        }
    }
    // Files that are not journals are never written to, however short. (A short prefix of the
    // header, like "POS", is a file whose creation was interrupted: it gets its header.)
    for other in [&b"hello, world: not a journal at all"[..], b"{}", b"Q", b"POSJRNL2"] {
        let mut disk = ModelStorage::from_durable(other);
        assert!(
            matches!(common::open(&mut disk), Err(JournalError::NotAJournal)),
            "{other:?}"
        );
        assert_eq!(disk.live(), other);
    }
}

// ---- fixtures ----

fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn fixture_records() -> Vec<Vec<u8>> {
    (1..=6)
        .map(|i| format!("record {i}: opaque bytes, as the kernel's records are").into_bytes())
        .collect()
}

/// The fixtures, as the generator writes them: (file name, bytes).
fn generate_fixtures() -> Vec<(&'static str, Vec<u8>)> {
    let records = fixture_records();
    let image = encode(&records);
    let starts = frame_starts(&records);
    // A crash during the sixth append: half of its frame reached the disk.
    let torn = image[..starts[5] + (starts[6] - starts[5]) / 2].to_vec();
    // A bit flipped inside the third record, with three valid frames after it.
    let mut corrupt_middle = image.clone();
    corrupt_middle[starts[2] + 4 + 7] ^= 0x04;
    // The last frame's CRC damaged.
    let mut corrupt_tail = image.clone();
    let end = corrupt_tail.len();
    corrupt_tail[end - 2] ^= 0xFF;
    vec![
        ("torn-tail.journal", torn),
        ("corrupt-middle.journal", corrupt_middle),
        ("corrupt-tail.journal", corrupt_tail),
    ]
}

/// The committed fixtures are what the generator writes. To rewrite them (alone, so that the other
/// fixture tests do not read a half-written file):
/// `POS_JOURNAL_WRITE_FIXTURES=1 cargo test -p pos-journal --test torn -- --exact fixtures_match_the_generator`
#[test]
fn fixtures_match_the_generator() {
    let write = std::env::var_os("POS_JOURNAL_WRITE_FIXTURES").is_some();
    for (name, bytes) in generate_fixtures() {
        let path = fixtures_dir().join(name);
        if write {
            std::fs::write(&path, &bytes).unwrap();
        }
        let committed = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(committed, bytes, "{name} drifted from the generator");
    }
}

/// What opening a fixture gave: the records and the recovery, or the error.
type Opened = Result<(Vec<Vec<u8>>, pos_journal::Recovery), JournalError>;

/// Opens a copy of a committed fixture on a real file (the fixture itself is never modified);
/// returns what `open` gave and the file's bytes afterwards.
fn open_fixture(name: &str) -> (Opened, Vec<u8>) {
    let bytes = std::fs::read(fixtures_dir().join(name)).unwrap();
    let dir = std::env::temp_dir().join(format!("pos-journal-fixture-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), &bytes).unwrap();
    let result = common::open(FileStorage::open(&dir, name).unwrap()).map(|(j, r)| (j.records().to_vec(), r));
    let after = std::fs::read(dir.join(name)).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    (result, after)
}

#[test]
fn fixture_torn_tail_is_cut_to_five_records() {
    let records = fixture_records();
    let starts = frame_starts(&records);
    let (result, after) = open_fixture("torn-tail.journal");
    let (recovered, recovery) = result.unwrap();
    assert_eq!(recovered, &records[..5]);
    assert_eq!(recovery.dropped_records, 1);
    assert_eq!(recovery.dropped_bytes, ((starts[6] - starts[5]) / 2) as u64);
    assert_eq!(after, encode(&records[..5]));
}

#[test]
fn fixture_corrupt_middle_is_refused_and_left_alone() {
    let records = fixture_records();
    let starts = frame_starts(&records);
    let committed = std::fs::read(fixtures_dir().join("corrupt-middle.journal")).unwrap();
    let (result, after) = open_fixture("corrupt-middle.journal");
    match result {
        Err(JournalError::Corrupt { offset }) => assert_eq!(offset, starts[2] as u64),
        other => panic!("{other:?}"),
    }
    assert_eq!(after, committed);
}

#[test]
fn fixture_corrupt_tail_drops_the_last_record() {
    let records = fixture_records();
    let (result, after) = open_fixture("corrupt-tail.journal");
    let (recovered, recovery) = result.unwrap();
    assert_eq!(recovered, &records[..5]);
    assert_eq!(recovery.dropped_records, 1);
    assert_eq!(after, encode(&records[..5]));
}
