//! The host's recovery: when the kernel traps or runs out of fuel, the host drops the instance,
//! re-instantiates it from the journal, reports the fault, and nothing durable is lost.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use pos_acquirer_server::server::{AcquirerServer, ServerConfig, ServerHandle};
use pos_acquirer_sim::cards::TEST_PIN;
use pos_harness::cards;
use pos_host::driver::{CardReader, Driver, HostError};
use pos_host::runtime::{Backend, Limits, Runtime};
use pos_journal::{Journal, ModelStorage, Storage};
use pos_kernel::engine::{Command, Timer};
use pos_kernel::{CardVerdict, Config, OutcomeResult};
use pos_net::transport::{Transport, TransportConfig};

/// A terminal host on `storage`, signed on against an acquirer on loopback (kept alive by the
/// returned handle), with a chip card that answers `icc_data` at the second GENERATE AC.
fn signed_on<S: Storage>(
    runtime: impl Into<std::sync::Arc<Runtime>>,
    storage: S,
    icc_data: Vec<u8>,
) -> (ServerHandle, Driver<S>) {
    let server = AcquirerServer::bind(ServerConfig {
        listen: "127.0.0.1:0".into(),
        ..ServerConfig::default()
    })
    .unwrap()
    .spawn()
    .unwrap();
    let (journal, _) = Journal::open(storage).unwrap();
    let mut host = reopen(runtime, &server, journal, icc_data);
    assert_eq!(host.run(Command::SignOn).unwrap().result, OutcomeResult::Approved);
    (server, host)
}

/// A terminal host on `journal`, against `server`.
fn reopen<S: Storage>(
    runtime: impl Into<std::sync::Arc<Runtime>>,
    server: &ServerHandle,
    journal: Journal<S>,
    icc_data: Vec<u8>,
) -> Driver<S> {
    let transport = Transport::new(TransportConfig {
        address: server.local_addr().to_string(),
        connect_timeout_ms: 1_000,
        read_timeout_ms: 1_000,
    });
    let card: CardReader = Box::new(move |_, _| CardVerdict {
        approved: true,
        icc_data: icc_data.clone(),
    });
    let config = Config {
        response_timeout_ms: 2_000,
        ..Config::default()
    };
    Driver::open(runtime, config, journal, transport, card).unwrap()
}

/// The cardholder types the test PIN on the host's PIN pad when `command` asks for one.
fn typed<S: Storage>(host: &Driver<S>, command: Command) -> Command {
    if command.takes_pin() {
        host.pin_pad().enter(TEST_PIN).unwrap();
    }
    command
}

fn sale() -> Command {
    Command::Sale {
        amount: 1_200,
        card: cards::swiped_debit(),
    }
}

#[test]
fn a_fault_restores_the_terminal_from_its_journal() {
    let runtime = common::runtime(Backend::Cranelift, Limits::default());
    let (server, mut host) = signed_on(runtime, ModelStorage::new(), Vec::new());
    assert_eq!(host.run(typed(&host, sale())).unwrap().result, OutcomeResult::Approved);

    // The next call runs out of fuel: the host reports the fault, rebuilds the instance from the
    // journal (with its full fuel) and carries on; nothing durable is lost. Which call starves
    // first depends on the build: if it is the command itself, the command is lost and says so
    // (decision 28), and the operator runs it again.
    host.kernel_mut().set_fuel_per_call(1_000);
    match host.run(typed(&host, sale())) {
        Ok(outcome) => assert_eq!(outcome.result, OutcomeResult::Approved),
        Err(HostError::CommandLost(fault)) => {
            assert!(fault.contains("fuel"), "{fault}");
            assert_eq!(host.run(typed(&host, sale())).unwrap().result, OutcomeResult::Approved);
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

/// A fault while the host carries out a batch of outputs: the rest of that batch came from the
/// instance that faulted, and must not be carried out for the one restored from the journal.
/// Here the card reader hands back a verdict too large for the sandbox's memory: feeding it traps,
/// and the faulted instance's card deadline (armed after the verdict request) must not survive.
#[test]
fn outputs_of_a_faulted_instance_are_dropped() {
    let limits = Limits {
        memory_bytes: 8 << 20,
        ..Limits::default()
    };
    let runtime = common::runtime(Backend::Cranelift, limits);
    let (_server, mut host) = signed_on(runtime, ModelStorage::new(), vec![0; 16 << 20]);
    let sale = typed(
        &host,
        Command::Sale {
            amount: 4_200,
            card: cards::chip_debit(),
        },
    );
    let outcome = host.run(sale).unwrap();
    assert_eq!(host.faults.len(), 1, "the oversized verdict trapped: {:?}", host.faults);
    // The restored instance reversed the approval the card never confirmed.
    assert!(matches!(outcome.result, OutcomeResult::Reversed { .. }), "{outcome:?}");
    let timers = host.armed_timers();
    assert!(
        !timers.iter().any(|(timer, _)| *timer == Timer::Card),
        "a timer of the faulted instance is still armed: {timers:?}"
    );
}

/// A disk that refuses replacements (a read-only directory, a full disk): appends work, the
/// compaction at the end of a settlement does not.
struct NoReplace(ModelStorage);

impl pos_journal::Storage for NoReplace {
    fn len(&self) -> std::io::Result<u64> {
        self.0.len()
    }
    fn read_all(&mut self) -> std::io::Result<Vec<u8>> {
        self.0.read_all()
    }
    fn append(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.0.append(bytes)
    }
    fn truncate(&mut self, len: u64) -> std::io::Result<()> {
        self.0.truncate(len)
    }
    fn sync(&mut self) -> std::io::Result<()> {
        self.0.sync()
    }
    fn replace(&mut self, _: &[u8]) -> std::io::Result<()> {
        Err(std::io::Error::from(std::io::ErrorKind::PermissionDenied))
    }
    fn read_anchor(&mut self) -> std::io::Result<Option<Vec<u8>>> {
        self.0.read_anchor()
    }
    fn write_anchor(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.0.write_anchor(bytes)
    }
}

/// The settlement's last journal write fails: the command reports the journal's error (not a
/// silent "busy", not a lost command), and once the disk is fixed one `Settle` finishes it.
#[test]
fn a_failed_compaction_is_reported_and_the_next_settle_finishes() {
    let runtime = std::sync::Arc::new(common::runtime(Backend::Cranelift, Limits::default()));
    let (server, mut host) = signed_on(runtime.clone(), NoReplace(ModelStorage::new()), Vec::new());
    assert_eq!(host.run(typed(&host, sale())).unwrap().result, OutcomeResult::Approved);
    match host.run(Command::Settle) {
        Err(HostError::JournalFailed(cause)) => {
            assert!(
                cause.contains("replace") && cause.contains("permission denied"),
                "{cause}"
            )
        }
        other => panic!("expected the journal's failure, got {other:?}"),
    }
    // The disk is fixed; the terminal restarts from what is durable.
    let disk = host.journal().storage().0.crash();
    let (journal, _) = Journal::open(disk).unwrap();
    let mut host = reopen(runtime, &server, journal, Vec::new());
    let settled = host.run(Command::Settle).unwrap();
    assert_eq!(settled.result, OutcomeResult::Approved, "{settled:?}");
    assert_eq!(host.status().unwrap().batch, 2);
}
