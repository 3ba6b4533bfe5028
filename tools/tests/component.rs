//! The kernel component in wasmtime: every vector replays through it, on Cranelift and on the
//! Pulley interpreter, with the same outputs as the native kernel; the precompiled form loads;
//! a call that runs out of fuel is a fault after which the journal restores the terminal.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

#[path = "../../host/tests/common/mod.rs"]
mod common;

use pos_harness::runner::{self, Host};
use pos_harness::vectors_dir;
use pos_host::component_file;
use pos_host::runtime::{self as rt, Backend, Limits, Runtime};
use pos_kernel::engine::Command;
use pos_kernel::security::crypto::TEST_TMK;
use pos_kernel::security::{PinPad, SoftwareSecurityModule};
use pos_kernel::{Config, Input, Timestamp};
use pos_tools::vectors::ComponentFactory;

fn replay_all(backend: Backend) -> (usize, Vec<String>) {
    let runtime = common::runtime(backend, Limits::default());
    let factory = ComponentFactory::new(&runtime);
    let vectors = runner::load_vectors(&vectors_dir()).unwrap();
    let failures: Vec<String> = vectors
        .iter()
        .filter_map(|v| runner::run_with(v, &factory).err())
        .map(|f| f.to_string())
        .collect();
    (vectors.len(), failures)
}

#[test]
fn every_vector_replays_through_the_component_on_cranelift() {
    let (total, failures) = replay_all(Backend::Cranelift);
    println!(
        "component (wasmtime, Cranelift): {} passed, {} failed",
        total - failures.len(),
        failures.len()
    );
    assert!(total >= 48);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_vector_replays_through_the_component_on_pulley() {
    let (total, failures) = replay_all(Backend::Pulley);
    println!(
        "component (wasmtime, Pulley): {} passed, {} failed",
        total - failures.len(),
        failures.len()
    );
    assert!(total >= 48);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_precompiled_component_loads_and_runs() {
    let cwasm = rt::precompile(Backend::Cranelift, &common::component_bytes()).unwrap();
    let security = Box::new(|pad| Box::new(SoftwareSecurityModule::with_pin_pad(TEST_TMK, pad)) as Box<_>);
    let runtime = Runtime::from_cwasm(Backend::Cranelift, &cwasm, Limits::default(), security).unwrap();
    let mut terminal = runtime.create(&Config::default(), &PinPad::new()).unwrap();
    terminal.handle(Timestamp(1), &Input::Command(Command::SignOn)).unwrap();
    let outputs = terminal.drain().unwrap();
    assert!(
        matches!(outputs.as_slice(), [pos_kernel::Output::Persist(_)]),
        "{outputs:?}"
    );
    // A .cwasm for another backend is refused, not run.
    let pulley = rt::precompile(Backend::Pulley, &common::component_bytes()).unwrap();
    let security = Box::new(|pad| Box::new(SoftwareSecurityModule::with_pin_pad(TEST_TMK, pad)) as Box<_>);
    assert!(Runtime::from_cwasm(Backend::Cranelift, &pulley, Limits::default(), security).is_err());
}

#[test]
fn a_cwasm_this_posterm_cannot_load_is_compiled_anew() {
    // A directory as a terminal has it after an upgrade: the component, and beside it a .cwasm
    // newer than the component that this posterm's wasmtime refuses (here: compiled for another
    // target, as a file from other settings or another wasmtime version is refused).
    let dir = std::env::temp_dir().join(format!("posterm-cwasm-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let component = dir.join("pos_kernel.wasm");
    std::fs::write(&component, common::component_bytes()).unwrap();
    let target = component_file::this_machine(Backend::Cranelift).unwrap();
    let cwasm = component_file::cwasm_path(&component, target);
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(
        &cwasm,
        rt::precompile(Backend::Pulley, &common::component_bytes()).unwrap(),
    )
    .unwrap();
    let refused = std::fs::read(&cwasm).unwrap();
    let runtime = component_file::load(&component, Backend::Cranelift, component_file::test_keys()).unwrap();
    assert_ne!(std::fs::read(&cwasm).unwrap(), refused, "the .cwasm was compiled anew");
    runtime.create(&Config::default(), &PinPad::new()).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn out_of_fuel_is_a_fault_and_the_journal_restores_the_terminal() {
    let runtime = common::runtime(Backend::Cranelift, Limits::default());
    let factory = ComponentFactory::new(&runtime);
    let vector = runner::load_vectors(&vectors_dir())
        .unwrap()
        .into_iter()
        .find(|v| v.id == "sale-approved-magstripe-pin")
        .unwrap();
    let mut host = Host::with(&factory, vector.config.clone()).unwrap();
    for step in &vector.steps {
        host.play(&factory, step).unwrap();
    }
    let before = host.terminal.0.status().unwrap();
    assert_eq!(before.approved_count, 1);
    // Starve the next call: it traps, and the instance is useless afterwards.
    host.terminal.0.set_fuel_per_call(1_000);
    let sale = Command::Sale {
        amount: 100,
        card: pos_harness::cards::swiped_debit(),
    };
    let fault = host
        .terminal
        .0
        .handle(Timestamp(1_795_226_500_000), &Input::Command(sale))
        .unwrap_err();
    assert!(fault.to_string().to_lowercase().contains("fuel"), "{fault}");
    // A new instance from the journal has everything that was durable.
    let mut restored = runtime
        .restore(
            &vector.config,
            &host.journal.records,
            Timestamp(1_795_226_600_000),
            &PinPad::new(),
        )
        .unwrap();
    assert_eq!(restored.status().unwrap(), before);
}
