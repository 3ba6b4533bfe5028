//! Replays the benchmark's sale cycles on the kernel component in wasmtime (Cranelift, or Pulley
//! with `POSTERM_PULLEY=1`; one `step` call per input), for a profiler. `POSTERM_PERFMAP=1` makes wasmtime write /tmp/perf-PID.map so
//! that `perf report` names the guest's functions:
//! `POSTERM_PERFMAP=1 POSTERM_COMPONENT=target/component/pos_kernel.raw.wasm perf record -g cargo run --release -p pos-tools --example component_cycles -- [ROUNDS]`
#![allow(clippy::unwrap_used, clippy::expect_used)]

use pos_host::component_file;
use pos_host::runtime::Backend;
use pos_kernel::security::PinPad;
use pos_tools::bench::{cycles, median, micros};

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .map_or(5, |n| n.parse().expect("ROUNDS: a number"));
    // POSTERM_COMPONENT=target/component/pos_kernel.raw.wasm keeps the guest's function names.
    let component = std::env::var_os("POSTERM_COMPONENT").map_or_else(component_file::default_component, Into::into);
    // POSTERM_PULLEY=1: on the Pulley interpreter.
    let backend = if std::env::var_os("POSTERM_PULLEY").is_some() {
        Backend::Pulley
    } else {
        Backend::Cranelift
    };
    let runtime = component_file::load(&component, backend, component_file::test_keys()).unwrap();
    let script = cycles::record(2000).unwrap();
    for _ in 0..rounds {
        let terminal = runtime.create(&script.config, &PinPad::new()).unwrap();
        let mut times = cycles::time(&mut cycles::Stepped(terminal), &script).unwrap();
        println!("component median {:.2} µs", micros(median(&mut times)));
    }
}
