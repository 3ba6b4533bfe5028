//! Shared by the host's integration tests.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::PathBuf;

use pos_host::runtime::{Backend, Limits, Runtime};
use pos_kernel::security::crypto::TEST_TMK;
use pos_kernel::security::SoftwareSecurityModule;

/// The component built by `scripts/build-component.sh`.
pub fn component_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/component/pos_kernel.wasm")
}

pub fn component_bytes() -> Vec<u8> {
    let path = component_path();
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}: build it first with `bash scripts/build-component.sh`",
            path.display()
        )
    })
}

pub fn runtime(backend: Backend, limits: Limits) -> Runtime {
    Runtime::from_wasm(
        backend,
        &component_bytes(),
        limits,
        Box::new(|pad| Box::new(SoftwareSecurityModule::with_pin_pad(TEST_TMK, pad))),
    )
    .expect("the component instantiates")
}
