//! Side by side: two builds of the kernel component (A and B), taking turns in one process, for
//! a change that should show in the figures: sale-cycle median on Cranelift, and restoring
//! 10,000 journal records. Prints each round and the best of each.
//! `cargo run --release -p pos-tools --example ab_components -- A.wasm B.wasm [ROUNDS]`
//! (`POSTERM_PULLEY=1`: on the Pulley interpreter instead).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use pos_kernel::security::PinPad;
use std::time::{Duration, Instant};

use pos_host::component_file;
use pos_host::runtime::Backend;
use pos_tools::bench::{cycles, median, micros, startup};

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
    let (config, records, now) = startup::journal(10_000);
    let mut best = [(Duration::MAX, Duration::MAX); 2];
    for round in 1..=rounds {
        for (which, runtime) in runtimes.iter().enumerate() {
            let terminal = runtime.create(&script.config, &PinPad::new()).unwrap();
            let sale = median(&mut cycles::time(&mut cycles::Stepped(terminal), &script).unwrap());
            let started = Instant::now();
            let terminal = runtime.restore(&config, &records, now, &PinPad::new()).unwrap();
            let restore = started.elapsed();
            drop(terminal);
            if let Some((best_sale, best_restore)) = best.get_mut(which) {
                *best_sale = (*best_sale).min(sale);
                *best_restore = (*best_restore).min(restore);
            }
            println!(
                "round {round} {}: sale {:.2} µs, restore {:.2} ms",
                if which == 0 { "A" } else { "B" },
                micros(sale),
                restore.as_secs_f64() * 1e3
            );
        }
    }
    for (which, (sale, restore)) in best.iter().enumerate() {
        println!(
            "best {}: sale {:.2} µs, restore {:.2} ms",
            if which == 0 { "A" } else { "B" },
            micros(*sale),
            restore.as_secs_f64() * 1e3
        );
    }
}
