//! Side by side: two builds of the kernel component (A and B), taking turns in one process, for
//! a change that should show in the figures: sale-cycle median on Cranelift, and restoring a day
//! of 5,000 sales two ways: its 10,000 records never compacted (replayed one by one; a kernel with
//! decision 71 then compacts them), and the same day compacted as it went (one snapshot and a
//! few records). Prints each round and the best of each.
//! `cargo run --release -p pos-tools --example ab_components -- A.wasm B.wasm [ROUNDS]`
//! (`POSTERM_PULLEY=1`: on the Pulley interpreter instead).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use pos_kernel::security::PinPad;
use std::time::{Duration, Instant};

use pos_host::component_file;
use pos_host::runtime::{Backend, Runtime};
use pos_tools::bench::{cycles, median, micros, startup};

fn restore(runtime: &Runtime, (config, records, now): &startup::Journal) -> Duration {
    let started = Instant::now();
    let terminal = runtime.restore(config, records, *now, &PinPad::new()).unwrap();
    let took = started.elapsed();
    drop(terminal);
    took
}

fn main() {
    let mut args = std::env::args().skip(1);
    let usage = "usage: ab_components A.wasm B.wasm [ROUNDS]";
    let (a, b) = (args.next().expect(usage), args.next().expect(usage));
    let rounds: usize = args.next().map_or(8, |n| n.parse().expect("ROUNDS: a number"));
    let backend = if std::env::var_os("POSTERM_PULLEY").is_some() {
        Backend::Pulley
    } else {
        Backend::Cranelift
    };
    let runtimes =
        [a, b].map(|path| component_file::load(path.as_ref(), backend, component_file::test_keys()).unwrap());
    let script = cycles::record(2000).unwrap();
    let uncompacted = startup::uncompacted(10_000);
    let compacted = startup::day(5_000);
    // Per component: sale, 10,000 records, the compacted day.
    let mut best = [[Duration::MAX; 3]; 2];
    for round in 1..=rounds {
        for (which, runtime) in runtimes.iter().enumerate() {
            let terminal = runtime.create(&script.config, &PinPad::new()).unwrap();
            let sale = median(&mut cycles::time(&mut cycles::Stepped(terminal), &script).unwrap());
            let figures = [sale, restore(runtime, &uncompacted), restore(runtime, &compacted)];
            if let Some(best) = best.get_mut(which) {
                for (best, figure) in best.iter_mut().zip(figures) {
                    *best = (*best).min(figure);
                }
            }
            print(&format!("round {round}"), which, &figures);
        }
    }
    for (which, figures) in best.iter().enumerate() {
        print("best", which, figures);
    }
}

fn print(what: &str, which: usize, [sale, records, compacted]: &[Duration; 3]) {
    println!(
        "{what} {}: sale {:.2} µs, restore 10,000 records {:.2} ms, restore the compacted day {:.2} ms",
        if which == 0 { "A" } else { "B" },
        micros(*sale),
        records.as_secs_f64() * 1e3,
        compacted.as_secs_f64() * 1e3
    );
}
