//! The host's recovery: when the kernel traps or runs out of fuel, the host drops the instance,
//! re-instantiates it from the journal, reports the fault, and nothing durable is lost.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use pos_harness::cards;
use pos_host::driver::{CardReader, HostError, TerminalHost};
use pos_host::runtime::{Backend, Limits};
use pos_journal::{Journal, ModelStorage};
use pos_kernel::engine::Command;
use pos_kernel::{CardVerdict, Config, OutcomeResult};
use pos_net::server::{AcquirerServer, ServerConfig};
use pos_net::transport::{Transport, TransportConfig};

#[test]
fn a_fault_restores_the_terminal_from_its_journal() {
    let server = AcquirerServer::bind(ServerConfig {
        listen: "127.0.0.1:0".into(),
        ..ServerConfig::default()
    })
    .unwrap()
    .spawn()
    .unwrap();
    let runtime = common::runtime(Backend::Cranelift, Limits::default());
    let (journal, _) = Journal::open(ModelStorage::new()).unwrap();
    let transport = Transport::new(TransportConfig {
        address: server.local_addr().to_string(),
        connect_timeout_ms: 1_000,
        read_timeout_ms: 1_000,
    });
    let card: CardReader = Box::new(|_| CardVerdict {
        approved: true,
        icc_data: Vec::new(),
    });
    let config = Config {
        response_timeout_ms: 2_000,
        ..Config::default()
    };
    let mut host = TerminalHost::open(runtime, config, journal, transport, card).unwrap();

    assert_eq!(host.run(Command::SignOn).unwrap().result, OutcomeResult::Approved);
    let sale = || Command::Sale {
        amount: 1_200,
        card: cards::swiped_debit(),
    };
    assert_eq!(host.run(sale()).unwrap().result, OutcomeResult::Approved);

    // The next call runs out of fuel: the host reports the fault, rebuilds the instance from the
    // journal (with its full fuel) and carries on; nothing durable is lost. Which call starves
    // first depends on the build: if it is the command itself, the command is lost and says so
    // (decision 28), and the operator runs it again.
    host.kernel_mut().set_fuel_per_call(1_000);
    match host.run(sale()) {
        Ok(outcome) => assert_eq!(outcome.result, OutcomeResult::Approved),
        Err(HostError::CommandLost(fault)) => {
            assert!(fault.contains("fuel"), "{fault}");
            assert_eq!(host.run(sale()).unwrap().result, OutcomeResult::Approved);
        }
        Err(other) => panic!("unexpected host error: {other}"),
    }
    assert_eq!(host.faults.len(), 1);
    assert!(host.faults[0].contains("fuel"), "{:?}", host.faults);
    let status = host.status().unwrap();
    assert!(status.signed_on, "the sign-on survived in the journal");
    assert_eq!(
        status.approved_count, 2,
        "the earlier sale survived, the new one went through"
    );

    let bank = server.acquirer();
    assert_eq!(
        bank.lock().unwrap().ledger().charged_stans("10000001").len(),
        2,
        "nothing charged twice"
    );
}
