//! The payment kernel as a WebAssembly component (`wit/kernel.wit`, world `kernel`).
//!
//! The kernel itself stays a plain Rust crate with no knowledge of the component model; this crate
//! is only the boundary: it exports the `terminal` resource over [`pos_kernel::Terminal`] and gives
//! the kernel a security module that forwards to the host's `security` import, so working keys
//! stay in the host's secure element and never enter the sandbox. Every WIT type maps 1:1 to a
//! kernel type (see [`convert`]).
//!
//! The exports themselves are emitted by the cdylib `pos-kernel-component` (in `component/`) with
//! this crate's `export!` macro; build it with `scripts/build-component.sh`. This crate also
//! compiles natively, where the generated import stubs are unreachable, so that the workspace
//! lints, checks and tests it as a whole.

mod convert;
mod security;
mod terminal;

// The generated code: imports under `pos::kernel`, exports under `exports::pos::kernel`, and the
// `export!` macro, exported for the cdylib.
wit_bindgen::generate!({ path: "../../wit", world: "kernel", pub_export_macro: true });

/// The component: the type the generated exports dispatch to.
#[derive(Debug)]
pub struct Component;

impl exports::pos::kernel::terminal_api::Guest for Component {
    type Terminal = terminal::KernelTerminal;
}
