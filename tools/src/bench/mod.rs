//! `posterm bench`: the kernel's cost on every host, start-up, size and durability, measured side
//! by side in one run and printed as one table. Figures, never pass/fail: the machines are shared
//! and noisy, so ratios within one run are what to compare.
//!
//! - [`cycles`]: kernel CPU per sale cycle (command → request → reply → outcome, MAC and journal
//!   records, no I/O), replayed from one recorded script on native Rust, wasmtime Cranelift,
//!   wasmtime Pulley, and (through `web/bench/kernel.mjs`) wasm-bindgen and jco in Node.
//! - [`startup`]: instantiation from the `KernelPre`; cold start from the `.cwasm` file to the
//!   first transaction ready, restoring a journal of 10,000 records.
//! - [`durability`]: one journal append + fsync on this disk; fsyncs and journal bytes per sale
//!   and per settled batch through the real host (component, file journal, TCP on loopback).
//! - [`sizes`]: the artifacts' sizes.

pub mod command;
pub mod cycles;
pub mod durability;
pub mod js;
pub mod sizes;
pub mod startup;
pub mod table;

use std::time::Duration;

/// The median of `samples` (zero for none).
pub fn median(samples: &mut [Duration]) -> Duration {
    samples.sort_unstable();
    samples.get(samples.len() / 2).copied().unwrap_or_default()
}

/// Microseconds with two decimals' worth of precision.
pub fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}
