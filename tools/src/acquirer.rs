//! `posterm acquirer` and `posterm acquirer-control`: the simulated acquirer over TCP.

use std::process::ExitCode;

use pos_acquirer_server::control::send_control;
use pos_acquirer_server::server::{AcquirerServer, ServerConfig};
use pos_acquirer_sim::AcquirerConfig;

use pos_host::cli::print::{exit, note, out};

pub fn serve(
    listen: &str,
    faults: &[String],
    late_reply_ms: u64,
    balance_factor: u64,
    cutoff: &str,
    fee_bp: u32,
) -> ExitCode {
    let config = ServerConfig {
        listen: listen.to_owned(),
        late_reply_delay_ms: late_reply_ms,
        acquirer: AcquirerConfig {
            cards: pos_acquirer_sim::cards::test_cards_with_balances_times(balance_factor),
            statement_cutoff: cutoff.to_owned(),
            fee_rate_bp: fee_bp,
            ..AcquirerConfig::default()
        },
    };
    let server = match AcquirerServer::bind(config) {
        Ok(server) => server,
        Err(e) => {
            note!("posterm acquirer: cannot listen on {listen}: {e}");
            return ExitCode::from(exit::HOST_ERROR);
        }
    };
    for fault in faults {
        if let Err(e) = server.control(&format!("fault {fault}")) {
            note!("posterm acquirer: {e}");
            return ExitCode::from(exit::USAGE);
        }
    }
    out!("simulated acquirer listening on {}", server.local_addr());
    out!(
        "control: posterm acquirer-control --address {} ledger | fault <name> | faults clear | statement --date YYYYMMDD | help",
        server.local_addr()
    );
    let bank = server.acquirer();
    let handle = match server.spawn() {
        Ok(handle) => handle,
        Err(e) => {
            note!("posterm acquirer: {e}");
            return ExitCode::from(exit::HOST_ERROR);
        }
    };
    // The ledger as it changes, until the process is stopped: each new entry as a table row, and
    // an entry again when a reversal, void, refund or completion changes it. Only the changes:
    // the whole ledger (which a fleet run makes long) is one `ledger` control command away, and
    // the bank is locked only to collect them.
    out!("{}", pos_acquirer_sim::Ledger::table_header());
    let mut printed: Vec<pos_acquirer_sim::EntryFlags> = Vec::new();
    loop {
        std::thread::sleep(std::time::Duration::from_millis(500));
        let rows = {
            let Ok(bank) = bank.lock() else { break };
            ledger_changes(bank.ledger().entries(), &mut printed)
        };
        for row in rows {
            out!("{row}");
        }
    }
    drop(handle);
    ExitCode::from(exit::HOST_ERROR)
}

/// Rows for the entries that are new or whose flags changed since `printed` (updated).
fn ledger_changes(
    entries: &[pos_acquirer_sim::LedgerEntry],
    printed: &mut Vec<pos_acquirer_sim::EntryFlags>,
) -> Vec<String> {
    let mut rows = Vec::new();
    for (index, entry) in entries.iter().enumerate() {
        match printed.get_mut(index) {
            Some(flags) if *flags == entry.flags() => {}
            Some(flags) => {
                *flags = entry.flags();
                rows.push(entry.table_row(index));
            }
            None => {
                printed.push(entry.flags());
                rows.push(entry.table_row(index));
            }
        }
    }
    rows
}

pub fn control(address: &str, words: &[String]) -> ExitCode {
    if words.is_empty() {
        note!("posterm acquirer-control: give a command: ledger | fault <name> | faults clear | statement --date YYYYMMDD | help");
        return ExitCode::from(exit::USAGE);
    }
    match send_control(address, &words.join(" ")) {
        Ok(answer) => match answer.strip_prefix(pos_acquirer_server::control::ERROR_PREFIX) {
            Some(error) => {
                note!("posterm acquirer-control: {error}");
                ExitCode::from(exit::USAGE)
            }
            None => {
                out!("{answer}");
                ExitCode::SUCCESS
            }
        },
        Err(e) => {
            note!("posterm acquirer-control: {e}");
            ExitCode::from(exit::HOST_ERROR)
        }
    }
}
