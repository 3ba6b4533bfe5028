//! A terminal whose journal holds a big batch restores within its fuel budget (the budget grows
//! with the journal's records and bytes), in the same state as the native kernel: whether the
//! journal was compacted as the terminal went (one large snapshot) or never (one record at a time).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use pos_host::runtime::{Backend, ComponentTerminal, Limits, Runtime};
use pos_kernel::engine::Record;
use pos_kernel::engine::Status;
use pos_kernel::security::crypto::TEST_TMK;
use pos_kernel::security::{PinPad, SoftwareSecurityModule};
use pos_kernel::{Input, Output, Terminal};
use pos_tools::bench::startup::{self, Journal};

fn runtime(limits: Limits) -> Runtime {
    let wasm = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../target/component/pos_kernel.wasm"
    ))
    .expect("build the component first: bash scripts/build-component.sh");
    Runtime::from_wasm(
        Backend::Cranelift,
        &wasm,
        limits,
        Box::new(|pad| Box::new(SoftwareSecurityModule::with_pin_pad(TEST_TMK, pad))),
    )
    .unwrap()
}

fn native(journal: &Journal) -> Terminal {
    let (config, records, now) = journal;
    Terminal::restore(
        config.clone(),
        Box::new(SoftwareSecurityModule::with_test_keys()),
        records.iter().map(Vec::as_slice),
        *now,
    )
    .unwrap()
}

/// Answers every record the restored terminal asks to store; returns how many were compactions.
fn store_what_it_asks(terminal: &mut ComponentTerminal, journal: &Journal) -> usize {
    let mut compactions = 0;
    while let Some(output) = terminal.poll_output().unwrap() {
        if matches!(output, Output::Compact(_)) {
            compactions += 1;
        }
        if matches!(output, Output::Compact(_) | Output::Persist(_)) {
            terminal.handle(journal.2, &Input::Persisted).unwrap();
        }
    }
    compactions
}

fn ready(status: &Status) {
    assert!(!status.busy, "{status:?}");
    assert!(status.approved_count >= 4_999, "{status:?}");
}

#[test]
fn ten_thousand_records_never_compacted_restore_through_the_component_and_are_compacted() {
    let journal = startup::uncompacted(10_000);
    assert_eq!(journal.1.len(), 10_000);
    let (config, records, now) = &journal;
    let mut component = runtime(Limits::default())
        .restore(config, records, *now, &PinPad::new())
        .unwrap();
    assert_eq!(component.status().unwrap(), native(&journal).status());
    assert_eq!(store_what_it_asks(&mut component, &journal), 1);
    ready(&component.status().unwrap());
}

#[test]
fn a_day_compacted_into_one_large_snapshot_restores_through_the_component() {
    let journal = startup::day(5_000);
    let (config, records, now) = &journal;
    assert!(matches!(Record::decode(&records[0]), Ok(Record::Snapshot(_))));
    assert!(records.len() < 1_000, "{} records", records.len());
    // A tenth of the usual allowance per call: a day of 5,000 sales here stands for one of 40,000
    // with the default, whose snapshot alone costs more to decode than one call's fuel. Restore
    // must grow its budget with the journal's bytes, not only its records.
    let limits = Limits {
        fuel_per_call: Limits::default().fuel_per_call / 10,
        ..Limits::default()
    };
    let mut component = runtime(limits).restore(config, records, *now, &PinPad::new()).unwrap();
    let status = component.status().unwrap();
    assert_eq!(status, native(&journal).status());
    assert_eq!(store_what_it_asks(&mut component, &journal), 0);
    ready(&status);
}
