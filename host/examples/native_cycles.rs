//! Replays the benchmark's sale cycles on the native kernel in a loop, for a profiler:
//! `perf record cargo run --release -p pos-host --example native_cycles`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use pos_host::bench::{cycles, median, micros};

fn main() {
    let script = cycles::record(2000).unwrap();
    for _ in 0..5 {
        let mut terminal = cycles::native(&script.config).unwrap();
        let mut times = cycles::time(&mut terminal, &script).unwrap();
        println!("native median {:.2} µs", micros(median(&mut times)));
    }
}
