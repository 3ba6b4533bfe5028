//! Shared by the integration tests: scenarios of journal operations, the state they should leave,
//! and a small deterministic random generator (no proptest needed).
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use pos_journal::{Identity, Journal, JournalError, JournalOptions, Recovery, Storage};

/// The id of every journal the tests create, so that file images can be compared byte for byte.
pub const ID: Identity = Identity {
    journal_id: 0x7e57_0000_0000_0001,
    generation: 0,
};

/// `Journal::open` with the tests' fixed id for a new journal.
pub fn open<S: Storage>(storage: S) -> Result<(Journal<S>, Recovery), JournalError> {
    Journal::open_with(
        storage,
        JournalOptions {
            new_id: Some(ID.journal_id),
            ..JournalOptions::default()
        },
    )
}

/// xorshift64*: deterministic, good enough to pick sizes and bytes.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform-ish in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next() % (hi - lo + 1) as u64) as usize
    }
    pub fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| (self.next() >> 32) as u8).collect()
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    Append(Vec<u8>),
    Compact(Vec<u8>),
}

impl Op {
    pub fn bytes(&self) -> &[u8] {
        match self {
            Op::Append(b) | Op::Compact(b) => b,
        }
    }
}

/// A record of `len` bytes that starts with its operation index (so every record is distinct),
/// then random bytes.
fn record(rng: &mut Rng, index: usize, len: usize) -> Vec<u8> {
    let mut r = rng.bytes(len);
    for (slot, b) in r.iter_mut().zip((index as u16).to_le_bytes()) {
        *slot = b;
    }
    r
}

/// `ops` operations: appends of 3..=2000 bytes, and a compaction at each index in `compact_at`
/// (a snapshot of 3..=2000 bytes).
pub fn scenario(seed: u64, ops: usize, compact_at: &[usize]) -> Vec<Op> {
    let mut rng = Rng::new(seed);
    (0..ops)
        .map(|i| {
            let len = match rng.range(0, 9) {
                0 => 3,
                1 => 2000,
                2..=5 => rng.range(3, 120),
                _ => rng.range(3, 2000),
            };
            let bytes = record(&mut rng, i, len);
            if compact_at.contains(&i) {
                Op::Compact(bytes)
            } else {
                Op::Append(bytes)
            }
        })
        .collect()
}

/// The scripted scenario of the brief: 50 operations, records of 3..=2000 bytes, 2 compactions.
pub fn scripted() -> Vec<Op> {
    scenario(2024, 50, &[17, 36])
}

/// A random scenario: 10..=40 operations, each a compaction with probability 1/8.
pub fn random(seed: u64) -> Vec<Op> {
    let mut rng = Rng::new(seed ^ 0xABCD);
    let n = rng.range(10, 40);
    let compact_at: Vec<usize> = (0..n).filter(|_| rng.range(0, 7) == 0).collect();
    scenario(seed, n, &compact_at)
}

/// `states[k]`: the journal's records after the first `k` operations.
pub fn states(ops: &[Op]) -> Vec<Vec<Vec<u8>>> {
    let mut state: Vec<Vec<u8>> = Vec::new();
    let mut out = vec![state.clone()];
    for op in ops {
        match op {
            Op::Append(r) => state.push(r.clone()),
            Op::Compact(s) => state = vec![s.clone()],
        }
        out.push(state.clone());
    }
    out
}

pub fn apply<S: Storage>(journal: &mut Journal<S>, op: &Op) -> Result<(), JournalError> {
    match op {
        Op::Append(r) => journal.append(r),
        Op::Compact(s) => journal.compact(s),
    }
}

/// Runs `ops` until the first error; returns how many returned `Ok`.
pub fn run<S: Storage>(journal: &mut Journal<S>, ops: &[Op]) -> usize {
    ops.iter().take_while(|op| apply(journal, op).is_ok()).count()
}
