//! Crash at every sync point (redb style): run a scenario on a `ModelStorage` that stops at sync
//! point N (just before it takes effect, or just after), reopen from the durable image, and check
//! what was recovered.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

mod common;

use common::{random, run, scripted, states, Op};
use pos_journal::{CrashTiming, ModelStorage};

#[derive(Debug, Default)]
struct Counts {
    sync_points: u64,
    crash_points: u64,
    torn_images: u64,
    recovery_crashes: u64,
}

impl Counts {
    fn add(&mut self, other: &Counts) {
        self.sync_points += other.sync_points;
        self.crash_points += other.crash_points;
        self.torn_images += other.torn_images;
        self.recovery_crashes += other.recovery_crashes;
    }
}

/// The brief's property, stated on its own: the recovered records are the state after some prefix
/// of the operations (compactions included), and that prefix holds every acknowledged operation
/// (and at most the one in progress besides). Returns the length of that prefix.
fn recovered_prefix(recovered: &[Vec<u8>], states: &[Vec<Vec<u8>>], acked: usize) -> usize {
    let candidates = acked..=(acked + 1).min(states.len() - 1);
    candidates.clone().find(|&j| states[j] == recovered).unwrap_or_else(|| {
        panic!(
            "recovered {} records, which is not the state after any of the operations {candidates:?} \
                 ({acked} acknowledged)",
            recovered.len()
        )
    })
}

/// Reopens `image`, checks it against `expected` and the prefix property, and finishes the
/// scenario on the recovered journal. Then crashes the recovery itself (at its one sync, before and
/// after) and checks that reopening again gives the same records.
fn check_image(
    image: &ModelStorage,
    ops: &[Op],
    states: &[Vec<Vec<u8>>],
    acked: usize,
    expected: usize,
    counts: &mut Counts,
) {
    let mut disk = image.clone();
    let (mut journal, recovery) = common::open(&mut disk).expect("a crash image reopens");
    assert_eq!(journal.records(), states[expected].as_slice(), "acked {acked}");
    assert_eq!(recovery.records, journal.records().len());
    let j = recovered_prefix(journal.records(), states, acked);
    assert_eq!(j, expected);
    // Recovery left a clean file: reopening it changes nothing.
    let again = journal.storage().crash();
    let (_, second) = common::open(again).unwrap();
    assert!(second.is_clean(), "recovery is idempotent");
    // The recovered journal is usable: the rest of the scenario ends in the final state.
    assert_eq!(run(&mut journal, &ops[j..]), ops.len() - j);
    assert_eq!(journal.records(), states[ops.len()].as_slice());
    let (reopened, _) = common::open(journal.into_storage().crash()).unwrap();
    assert_eq!(reopened.records(), states[ops.len()].as_slice());

    if !recovery.is_clean() {
        // Crash the recovery's truncation sync (its only sync point on a damaged tail).
        for timing in [CrashTiming::BeforeSync, CrashTiming::AfterSync] {
            let mut disk = image.clone().crash_at_sync(1, timing);
            assert!(common::open(&mut disk).is_err());
            assert!(disk.has_crashed());
            let (journal, recovery) = common::open(disk.crash()).unwrap();
            assert_eq!(journal.records(), states[expected].as_slice());
            assert_eq!(recovery.is_clean(), timing == CrashTiming::AfterSync);
            counts.recovery_crashes += 1;
        }
    }
}

/// Prefix lengths of the unsynced bytes that a torn crash keeps.
fn torn_keeps(pending: usize) -> Vec<usize> {
    if pending <= 24 {
        return (1..pending).collect();
    }
    let mut keeps: Vec<usize> = (1..=9).collect();
    keeps.extend([
        pending / 3,
        pending / 2,
        pending - 9,
        pending - 5,
        pending - 4,
        pending - 1,
    ]);
    keeps.sort_unstable();
    keeps.dedup();
    keeps
}

fn check_scenario(name: &str, ops: &[Op]) -> Counts {
    let states = states(ops);
    let mut counts = Counts::default();

    // The run without a crash: one sync point for the header, then one per operation.
    let (mut journal, _) = common::open(ModelStorage::new()).unwrap();
    assert_eq!(run(&mut journal, ops), ops.len());
    assert_eq!(journal.records(), states[ops.len()].as_slice());
    let total = journal.storage().syncs();
    assert_eq!(total, 1 + ops.len() as u64);
    assert_eq!(journal.syncs(), total);
    counts.sync_points = total;

    for n in 1..=total {
        for timing in [CrashTiming::BeforeSync, CrashTiming::AfterSync] {
            let mut disk = ModelStorage::new().crash_at_sync(n, timing);
            let acked = match common::open(&mut disk) {
                Ok((mut journal, _)) => {
                    let acked = run(&mut journal, ops);
                    assert!(journal.is_poisoned(), "the rollback after the crash cannot sync");
                    acked
                }
                Err(_) => {
                    assert_eq!(n, 1, "only the header sync is inside open");
                    0
                }
            };
            assert!(disk.has_crashed(), "sync point {n} was reached");
            // Sync point 1 is the header; point n >= 2 is operation n - 2, the one in progress.
            assert_eq!(acked, (n as usize).saturating_sub(2));
            let in_progress_done = n >= 2 && timing == CrashTiming::AfterSync;
            let expected = acked + usize::from(in_progress_done);
            check_image(&disk.crash(), ops, &states, acked, expected, &mut counts);
            counts.crash_points += 1;

            // A disk that had also written part of the unsynced bytes before power failed.
            if timing == CrashTiming::BeforeSync {
                let pending = disk.pending().len();
                for keep in torn_keeps(pending) {
                    check_image(&disk.crash_keeping(keep), ops, &states, acked, acked, &mut counts);
                    counts.torn_images += 1;
                }
                if pending > 0 && n >= 2 {
                    // Everything written, only the sync missing: the operation in progress survives.
                    check_image(
                        &disk.crash_keeping(pending),
                        ops,
                        &states,
                        acked,
                        acked + 1,
                        &mut counts,
                    );
                    counts.torn_images += 1;
                }
            }
        }
    }
    println!(
        "{name}: {} ops, {} sync points, {} crash points (before and after each), {} torn images, {} crashed recoveries",
        ops.len(),
        counts.sync_points,
        counts.crash_points,
        counts.torn_images,
        counts.recovery_crashes
    );
    counts
}

#[test]
fn scripted_scenario_recovers_a_prefix_at_every_crash_point() {
    let ops = scripted();
    assert_eq!(ops.len(), 50);
    assert_eq!(ops.iter().filter(|op| matches!(op, Op::Compact(_))).count(), 2);
    assert!(ops.iter().all(|op| (3..=2000).contains(&op.bytes().len())));
    let counts = check_scenario("scripted", &ops);
    assert_eq!(counts.crash_points, 2 * 51);
}

#[test]
fn random_scenarios_recover_a_prefix_at_every_crash_point() {
    let mut total = Counts::default();
    for seed in 1..=40 {
        total.add(&check_scenario(&format!("random seed {seed}"), &random(seed)));
    }
    println!(
        "random scenarios: {} sync points, {} crash points, {} torn images, {} crashed recoveries",
        total.sync_points, total.crash_points, total.torn_images, total.recovery_crashes
    );
}

#[test]
fn compaction_first_and_back_to_back() {
    let ops = vec![
        Op::Compact(b"snapshot 0".to_vec()),
        Op::Compact(b"snapshot 1".to_vec()),
        Op::Append(b"abc".to_vec()),
        Op::Compact(b"snapshot 2".to_vec()),
        Op::Append(vec![7; 2000]),
        Op::Append(b"xyz".to_vec()),
    ];
    check_scenario("compactions", &ops);
}
