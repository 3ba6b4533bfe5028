//! A terminal whose journal holds a big batch restores within its fuel budget (the budget grows
//! with the journal), in the same state as the native kernel.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use pos_host::runtime::{Backend, Limits, Runtime};
use pos_kernel::security::crypto::TEST_TMK;
use pos_kernel::security::{PinPad, SoftwareSecurityModule};
use pos_tools::bench::startup;

#[test]
fn ten_thousand_records_restore_through_the_component() {
    let wasm = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../target/component/pos_kernel.wasm"
    ))
    .expect("build the component first: bash scripts/build-component.sh");
    let runtime = Runtime::from_wasm(
        Backend::Cranelift,
        &wasm,
        Limits::default(),
        Box::new(|pad| Box::new(SoftwareSecurityModule::with_pin_pad(TEST_TMK, pad))),
    )
    .unwrap();
    let (config, records, now) = startup::journal(10_000);
    assert_eq!(records.len(), 10_000);
    let native = pos_kernel::Terminal::restore(
        config.clone(),
        Box::new(SoftwareSecurityModule::with_test_keys()),
        records.iter().map(Vec::as_slice),
        now,
    )
    .unwrap();
    let mut component = runtime.restore(&config, &records, now, &PinPad::new()).unwrap();
    let status = component.status().unwrap();
    assert_eq!(status, native.status());
    assert!(status.approved_count >= 4_999, "{status:?}");
}
