//! Restores a journal of 10,000 records never compacted (a terminal day of sales) natively and
//! in the component, in a loop, for a profiler:
//! `POSTERM_PERFMAP=1 perf record -g cargo run --release -p pos-tools --example restore_cycles -- [ROUNDS]`
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use pos_host::component_file;
use pos_host::runtime::Backend;
use pos_kernel::security::{PinPad, SoftwareSecurityModule};
use pos_kernel::Terminal;
use pos_tools::bench::startup;

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .map_or(5, |n| n.parse().expect("ROUNDS: a number"));
    let component = std::env::var_os("POSTERM_COMPONENT").map_or_else(component_file::default_component, Into::into);
    let runtime = component_file::load(&component, Backend::Cranelift, component_file::test_keys()).unwrap();
    let (config, records, now) = startup::uncompacted(10_000);
    let bytes: usize = records.iter().map(Vec::len).sum();
    println!("{} records, {bytes} bytes", records.len());
    for _ in 0..rounds {
        let started = Instant::now();
        let security = Box::new(SoftwareSecurityModule::with_test_keys());
        let terminal = Terminal::restore(config.clone(), security, records.iter().map(Vec::as_slice), now).unwrap();
        let native = started.elapsed();
        drop(terminal);
        let started = Instant::now();
        let terminal = runtime.restore(&config, &records, now, &PinPad::new()).unwrap();
        let component = started.elapsed();
        drop(terminal);
        println!(
            "restore: native {:.2} ms, component {:.2} ms",
            native.as_secs_f64() * 1e3,
            component.as_secs_f64() * 1e3
        );
    }
}
