//! libposkernel: the payment kernel for C terminal firmware (docs/embedding.md).
//!
//! A thin C surface over pos-host, the same host posterm is: a terminal directory made by
//! `posterm init` (config.toml, the journal, the archive), the kernel component run by wasmtime,
//! the acquirer over TCP, the clock. Commands go in and outcomes come out as the kernel's JSON
//! (the form of the test vectors); every function returns a code ([`codes`]: posterm's exit
//! codes) and, on failure, a message; nothing allocated here is freed by the caller other than
//! with [`pos_string_free`] or [`pos_terminal_close`]. The security module and the PIN pad can
//! be the vendor's ([`security`]: C callbacks to its secure element), the chip card reader too.
//! Firmware that owns the journal, the network and the clock itself opens the kernel alone
//! ([`kernel`]): inputs in, outputs out.
//!
//! `include/poskernel.h` is generated from this crate by cbindgen (`host/capi/cbindgen.toml`).

// FFI: the functions take raw pointers from C and call C callbacks. Pointers from C are read
// only in `ffi.rs` (checked for NULL); callbacks are called only in `security.rs` and
// `terminal.rs`; every unsafe block says why it is sound.
#![allow(unsafe_code)]

pub mod codes;
mod ffi;
pub mod kernel;
pub mod security;
pub mod terminal;

pub use codes::*;
#[cfg(feature = "test-keys")]
pub use kernel::pos_kernel_test_enter_pin;
pub use kernel::{
    pos_kernel_close, pos_kernel_handle, pos_kernel_next_output, pos_kernel_open, pos_kernel_reconcile, PosKernel,
    PosKernelOptions, PosRecord,
};
pub use security::{PosSecurityModule, PosWorkingKeys};
pub use terminal::{
    pos_string_free, pos_terminal_close, pos_terminal_open, pos_terminal_resume, pos_terminal_run, pos_terminal_status,
    pos_version, PosCardReader, PosOptions, PosTerminal,
};
