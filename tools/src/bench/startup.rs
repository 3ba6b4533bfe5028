//! Start-up: a new instance from the `KernelPre`, and a cold start from the `.cwasm` file to the
//! first transaction ready, restoring a day's journal: compacted as it went, or never compacted.

use std::path::Path;
use std::time::{Duration, Instant};

use pos_harness::cards;
use pos_harness::vector::StepInput;
use pos_harness::world::{PersistFault, World};
use pos_kernel::security::PinPad;
use pos_kernel::{Command, Config, Input, Output, Timestamp};

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

/// A journal as a host keeps it, and the configuration and time to restore it with.
pub type Journal = (Config, Vec<Vec<u8>>, Timestamp);

/// A terminal day, sign-on and `sales` sales, as its journal stands at the end: compacted as the
/// terminal went (one snapshot and the records after it).
pub fn day(sales: u64) -> Journal {
    day_with_tail(sales, 0)
}

/// Like [`day`], then more sales with every compaction refused until at least `tail` records
/// follow the journal's first record (its snapshot, after a day long enough to compact).
pub fn day_with_tail(sales: u64, tail: usize) -> Journal {
    let mut world = signed_on();
    let mut n = 0;
    while n < sales {
        sell(&mut world, n, false);
        n += 1;
    }
    while world.host.journal.records.len() <= tail {
        sell(&mut world, n, true);
        n += 1;
    }
    (Config::default(), world.host.journal.records.clone(), world.now)
}

/// The first `records` records of a day whose compactions all failed: the journal of a terminal
/// that never compacted (a journal from before mid-batch compaction, decision 71).
pub fn uncompacted(records: usize) -> Journal {
    let mut world = signed_on();
    let mut n = 0;
    while world.host.journal.records.len() < records {
        sell(&mut world, n, true);
        n += 1;
    }
    let mut records_out = world.host.journal.records.clone();
    records_out.truncate(records);
    (Config::default(), records_out, world.now)
}

fn signed_on() -> World {
    let mut world = World::new(Config::default());
    world.recording = false;
    world.command(Command::SignOn);
    world
}

/// One approved sale; with `refuse_compaction`, the host answers every `Compact` with a failure.
fn sell(world: &mut World, n: u64, refuse_compaction: bool) {
    world.feed(StepInput::Kernel(Input::Command(Command::Sale {
        amount: 1_000 + 100 * (n % 50),
        card: cards::swiped_debit(),
    })));
    loop {
        if refuse_compaction && world.host.journal.compaction_pending() {
            world.persist_faults.push_back(PersistFault::Fail);
        }
        if !world.step_one() {
            break;
        }
    }
    world.run_until_quiet();
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
        // A journal with a long tail after its snapshot is compacted at once: the host stores
        // the snapshot (not timed here: that is the file system's) and answers.
        while let Some(output) = terminal.poll_output().map_err(|e| e.to_string())? {
            if matches!(output, Output::Compact(_) | Output::Persist(_)) {
                terminal.handle(now, &Input::Persisted).map_err(|e| e.to_string())?;
            }
        }
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
