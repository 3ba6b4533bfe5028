//! `posterm acquirer` and `posterm acquirer-control`: the simulated acquirer over TCP.

use std::process::ExitCode;

use pos_net::control::send_control;
use pos_net::server::{AcquirerServer, ServerConfig};

use super::print::exit;

pub fn serve(listen: &str, faults: &[String], late_reply_ms: u64) -> ExitCode {
    let config = ServerConfig {
        listen: listen.to_owned(),
        late_reply_delay_ms: late_reply_ms,
        ..ServerConfig::default()
    };
    let server = match AcquirerServer::bind(config) {
        Ok(server) => server,
        Err(e) => {
            eprintln!("posterm acquirer: cannot listen on {listen}: {e}");
            return ExitCode::from(exit::HOST_ERROR);
        }
    };
    for fault in faults {
        if let Err(e) = server.control(&format!("fault {fault}")) {
            eprintln!("posterm acquirer: {e}");
            return ExitCode::from(exit::USAGE);
        }
    }
    println!("simulated acquirer listening on {}", server.local_addr());
    println!(
        "control: posterm acquirer-control --address {} ledger | fault <name> | faults clear",
        server.local_addr()
    );
    let bank = server.acquirer();
    let handle = match server.spawn() {
        Ok(handle) => handle,
        Err(e) => {
            eprintln!("posterm acquirer: {e}");
            return ExitCode::from(exit::HOST_ERROR);
        }
    };
    // Print the ledger whenever it changes, until the process is stopped.
    let mut seen = None;
    loop {
        std::thread::sleep(std::time::Duration::from_millis(500));
        let Ok(bank) = bank.lock() else { break };
        let ledger = bank.ledger().to_string();
        if seen.as_ref() != Some(&ledger) {
            println!("{ledger}");
            seen = Some(ledger);
        }
    }
    drop(handle);
    ExitCode::from(exit::HOST_ERROR)
}

pub fn control(address: &str, words: &[String]) -> ExitCode {
    if words.is_empty() {
        eprintln!("posterm acquirer-control: give a command: ledger | fault <name> | faults clear");
        return ExitCode::from(exit::USAGE);
    }
    match send_control(address, &words.join(" ")) {
        Ok(answer) => {
            println!("{answer}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("posterm acquirer-control: {e}");
            ExitCode::from(exit::HOST_ERROR)
        }
    }
}
