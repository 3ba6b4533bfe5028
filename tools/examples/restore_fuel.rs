//! What restoring a compacted journal costs in fuel, per byte of its snapshot, beside replaying
//! the same day's records never compacted, and what the compaction itself costs (a restart that finds 1,000 records after the snapshot compacts at
//! once): the figures behind `RESTORE_FUEL_PER_BYTE` and the per-call limit on a batch's size
//! (docs/decisions.md, decision 71).
//! `cargo run --release -p pos-tools --example restore_fuel -- [SALES...]` (default 5000 20000)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use pos_host::component_file;
use pos_host::runtime::{Backend, Limits, Runtime, RESTORE_FUEL_PER_BYTE, RESTORE_FUEL_PER_RECORD};
use pos_kernel::security::PinPad;
use pos_tools::bench::startup;

fn main() {
    let mut sales: Vec<u64> = std::env::args()
        .skip(1)
        .map(|n| n.parse().expect("SALES: a number"))
        .collect();
    if sales.is_empty() {
        sales = vec![5_000, 20_000];
    }
    let component = std::env::var_os("POSTERM_COMPONENT").map_or_else(component_file::default_component, Into::into);
    // Fuel as good as unlimited, so that what is left shows what was used.
    let plenty = 1_000_000_000_000u64;
    let wasm = std::fs::read(&component).expect("build the component first: bash scripts/build-component.sh");
    let limits = Limits {
        fuel_per_call: plenty,
        ..Limits::default()
    };
    let runtime = Runtime::from_wasm(Backend::Cranelift, &wasm, limits, component_file::test_keys()).unwrap();
    for sales in sales {
        // A day, then sales with every compaction refused until 1,000 records follow the snapshot.
        let (config, records, now) = startup::day_with_tail(sales, 1_000);
        let snapshot = records[0].len() as u64;
        let used = |journal: &[Vec<u8>]| {
            let terminal = runtime.restore(&config, journal, now, &PinPad::new()).unwrap();
            let bytes: u64 = journal.iter().map(|r| r.len() as u64).sum();
            let budget = plenty + journal.len() as u64 * RESTORE_FUEL_PER_RECORD + bytes * RESTORE_FUEL_PER_BYTE;
            budget - terminal.fuel_left()
        };
        let restore = used(&records[..1_000]);
        let compacting = used(&records[..1_001]);
        let compaction = compacting - restore;
        // The same day never compacted: its records replayed one by one (the restart then
        // compacts them too, so the compaction's cost is taken off).
        let (config_uncompacted, uncompacted, now_uncompacted) =
            startup::uncompacted(2 * usize::try_from(sales).unwrap());
        let terminal = runtime
            .restore(&config_uncompacted, &uncompacted, now_uncompacted, &PinPad::new())
            .unwrap();
        let bytes: u64 = uncompacted.iter().map(|r| r.len() as u64).sum();
        let budget = plenty + uncompacted.len() as u64 * RESTORE_FUEL_PER_RECORD + bytes * RESTORE_FUEL_PER_BYTE;
        let replay = (budget - terminal.fuel_left()).saturating_sub(compaction);
        println!(
            "{sales} sales never compacted: {} records, {bytes} bytes; replaying them {replay} fuel (their compaction taken off)",
            uncompacted.len()
        );
        println!(
            "{sales} sales: snapshot {snapshot} bytes; restore with 999 records after it {restore} fuel \
             ({:.1} per snapshot byte, the records included); with 1,000 (compacts) {compacting}: the compaction {compaction} \
             ({:.1} per byte)",
            restore as f64 / snapshot as f64,
            compaction as f64 / snapshot as f64
        );
    }
}
