//! Durability cost: one journal append + fsync on this disk, and fsyncs and journal bytes per
//! approved sale and per settled batch through the real host (component, file journal, TCP to an
//! in-process acquirer on loopback).

use std::path::Path;
use std::time::{Duration, Instant};

use pos_acquirer_server::{AcquirerServer, ServerConfig};
use pos_harness::cards;
use pos_journal::{FileStorage, Journal};
use pos_kernel::{CardVerdict, Command, Config, OutcomeResult};
use pos_net::{Transport, TransportConfig};

use super::median;
use pos_host::driver::{CardReader, Driver};
use pos_host::runtime::Runtime;

/// Median time of appending a 100-byte record to a journal in `dir` and syncing it.
pub fn fsync(dir: &Path, runs: usize) -> Result<Duration, String> {
    // The journal and its anchor: an anchor left by an earlier run would refuse the new journal.
    let remove = || {
        let _ = std::fs::remove_file(dir.join("fsync-bench.pjl"));
        let _ = std::fs::remove_file(pos_journal::anchor_path(dir, "fsync-bench.pjl"));
    };
    remove();
    let storage = FileStorage::open(dir, "fsync-bench.pjl").map_err(|e| e.to_string())?;
    let (mut journal, _) = Journal::open(storage).map_err(|e| e.to_string())?;
    let record = [0x5a_u8; 100];
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        journal.append(&record).map_err(|e| e.to_string())?;
        times.push(started.elapsed());
    }
    drop(journal);
    remove();
    Ok(median(&mut times))
}

/// What durability costs a terminal.
#[derive(Debug, Clone, Copy)]
pub struct Costs {
    pub sales: u64,
    pub fsyncs_per_sale: f64,
    pub journal_bytes_per_sale: f64,
    pub fsyncs_per_settlement: u64,
    /// The journal after the settlement's compaction.
    pub journal_bytes_after_settlement: u64,
}

/// Runs sign-on, `sales` approved sales and a settlement through `runtime` with a file journal in
/// `dir`, counting the storage's fsyncs (file and directory) and the journal's bytes.
pub fn costs(runtime: Runtime, dir: &Path, sales: u64) -> Result<Costs, String> {
    let server = AcquirerServer::bind(ServerConfig {
        listen: "127.0.0.1:0".into(),
        ..ServerConfig::default()
    })
    .map_err(|e| format!("cannot start the acquirer: {e}"))?;
    let acquirer = server.spawn().map_err(|e| e.to_string())?;
    let journal_dir = dir.join("durability-bench");
    let _ = std::fs::remove_dir_all(&journal_dir);
    std::fs::create_dir_all(&journal_dir).map_err(|e| e.to_string())?;
    let storage = FileStorage::open(&journal_dir, "journal.pjl").map_err(|e| e.to_string())?;
    let (journal, _) = Journal::open(storage).map_err(|e| e.to_string())?;
    let config = Config::default();
    let transport = Transport::new(TransportConfig {
        address: acquirer.local_addr().to_string(),
        connect_timeout_ms: 2_000,
        read_timeout_ms: config.response_timeout_ms,
    });
    let card: CardReader = Box::new(|_, issuer_data| CardVerdict {
        approved: true,
        icc_data: pos_acquirer_sim::reader::second_generate_ac(true, issuer_data),
    });
    let mut host = Driver::open(runtime, config, journal, transport, card).map_err(|e| e.to_string())?;
    let fsyncs = |host: &Driver<FileStorage>| host.journal().storage().fsyncs();
    let bytes = |host: &Driver<FileStorage>| host.journal().file_len();

    host.run(Command::SignOn).map_err(|e| e.to_string())?;
    let (fsyncs_before, bytes_before) = (fsyncs(&host), bytes(&host));
    for _ in 0..sales {
        host.pin_pad()
            .enter(pos_acquirer_sim::cards::TEST_PIN)
            .map_err(|e| e.to_string())?;
        let outcome = host
            .run(Command::Sale {
                amount: 1_234,
                card: cards::swiped_debit(),
            })
            .map_err(|e| e.to_string())?;
        if outcome.result != OutcomeResult::Approved {
            return Err(format!("a benchmark sale was not approved: {:?}", outcome.result));
        }
    }
    let per_sale = |delta: u64| delta as f64 / sales.max(1) as f64;
    let fsyncs_per_sale = per_sale(fsyncs(&host).saturating_sub(fsyncs_before));
    let journal_bytes_per_sale = per_sale(bytes(&host).saturating_sub(bytes_before));
    let before_settlement = fsyncs(&host);
    host.run(Command::Settle).map_err(|e| e.to_string())?;
    let costs = Costs {
        sales,
        fsyncs_per_sale,
        journal_bytes_per_sale,
        fsyncs_per_settlement: fsyncs(&host).saturating_sub(before_settlement),
        journal_bytes_after_settlement: bytes(&host),
    };
    let _ = std::fs::remove_dir_all(&journal_dir);
    Ok(costs)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn the_fsync_figure_can_be_measured_twice_in_one_directory() {
        let dir = std::env::temp_dir().join(format!("posterm-fsync-bench-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        fsync(&dir, 3).unwrap();
        fsync(&dir, 3).unwrap();
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0, "nothing left behind");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
