//! Start-up: a new instance from the `KernelPre`, and a cold start from the `.cwasm` file to the
//! first transaction ready, restoring a journal of 10,000 records.

use std::path::Path;
use std::time::{Duration, Instant};

use pos_harness::cards;
use pos_harness::world::World;
use pos_kernel::security::PinPad;
use pos_kernel::{Command, Config, Timestamp};

use super::median;
use pos_host::component_file;
use pos_host::runtime::{Backend, Runtime};

/// Median time of `runs` instantiations (a new store and instance) from the runtime's `KernelPre`.
pub fn instantiate(runtime: &Runtime, runs: usize) -> Result<Duration, String> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        let instance = runtime.instantiate(&PinPad::new()).map_err(|e| e.to_string())?;
        times.push(started.elapsed());
        drop(instance);
    }
    Ok(median(&mut times))
}

/// A journal of at least `records` records from a real terminal day (sign-on and sales).
pub fn journal(records: usize) -> (Config, Vec<Vec<u8>>, Timestamp) {
    let config = Config::default();
    let mut world = World::new(config.clone());
    world.recording = false;
    world.command(Command::SignOn);
    let mut sale = 0u64;
    while world.host.journal.records.len() < records {
        world.command(Command::Sale {
            amount: 1_000 + 100 * (sale % 50),
            card: cards::swiped_debit(),
        });
        world.run_until_quiet();
        sale += 1;
    }
    let mut records_out = world.host.journal.records.clone();
    records_out.truncate(records);
    (config, records_out, world.now)
}

/// What a cold start took: reading and loading the `.cwasm`, then restoring the journal.
#[derive(Debug, Clone, Copy)]
pub struct ColdStart {
    pub load: Duration,
    pub restore: Duration,
}

/// Median of `runs` cold starts: read the `.cwasm`, deserialize, link, build the `KernelPre`,
/// instantiate and restore `records` until the terminal is ready for its next command.
pub fn cold_start(
    cwasm: &Path,
    backend: Backend,
    config: &Config,
    records: &[Vec<u8>],
    now: Timestamp,
    runs: usize,
) -> Result<ColdStart, String> {
    let mut loads = Vec::with_capacity(runs);
    let mut restores = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        let bytes = std::fs::read(cwasm).map_err(|e| format!("{}: {e}", cwasm.display()))?;
        let runtime = component_file::runtime_from_cwasm(&bytes, backend, component_file::test_keys())?;
        let loaded = started.elapsed();
        let mut terminal = runtime
            .restore(config, records, now, &PinPad::new())
            .map_err(|e| e.to_string())?;
        let status = terminal.status().map_err(|e| e.to_string())?;
        let total = started.elapsed();
        if status.busy {
            return Err("the restored terminal is not ready for a command".into());
        }
        loads.push(loaded);
        restores.push(total.saturating_sub(loaded));
    }
    Ok(ColdStart {
        load: median(&mut loads),
        restore: median(&mut restores),
    })
}
