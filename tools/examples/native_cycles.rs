//! Replays the benchmark's sale cycles on the native kernel in a loop, for a profiler, and counts
//! the heap allocations of one sale cycle:
//! `perf record -g cargo run --release -p pos-tools --example native_cycles -- [ROUNDS]`
//! (default 5 rounds of 2000 sales; more rounds make the recording a smaller share of the profile).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};

use pos_tools::bench::{cycles, median, micros};

/// The system allocator, counting allocations (and reallocations, which may move).
struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

// SAFETY: forwards every call to `System` unchanged; only counts.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: the caller's contract is System's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .map_or(5, |n| n.parse().expect("ROUNDS: a number"));
    let script = cycles::record(2000).unwrap();
    for _ in 0..rounds {
        let mut terminal = cycles::native(&script.config).unwrap();
        let before = ALLOCATIONS.load(Ordering::Relaxed);
        let mut times = cycles::time(&mut terminal, &script).unwrap();
        let per_cycle = (ALLOCATIONS.load(Ordering::Relaxed) - before) / script.cycles.len() as u64;
        println!(
            "native median {:.2} µs, about {per_cycle} allocations per sale cycle (the replay's own included)",
            micros(median(&mut times))
        );
    }
}
