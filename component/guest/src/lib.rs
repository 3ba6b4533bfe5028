//! The payment kernel as a WebAssembly component (`wit/kernel.wit`, world `kernel`).
//!
//! The kernel itself stays a plain Rust crate with no knowledge of the component model; this crate
//! is only the boundary: it exports the `terminal` resource over [`pos_kernel::Terminal`] and gives
//! the kernel a security module that forwards to the host's `security` import, so working keys
//! stay in the host's secure element and never enter the sandbox. Every WIT type maps 1:1 to a
//! kernel type (see [`convert`], written once for both sides in `wit/rust/`).
//!
//! The exports themselves are emitted by the cdylib `pos-kernel-component` (in `component/`) with
//! this crate's `export!` macro; build it with `scripts/build-component.sh`. This crate also
//! compiles natively, where the generated import stubs are unreachable, so that the workspace
//! lints, checks and tests it as a whole.

/// The mapping between the WIT types and the kernel's, shared with the host (`wit/rust/`).
#[path = "../../../wit/rust/mod.rs"]
mod convert;
mod security;
mod terminal;

/// The generated types the shared mapping converts, under the names it expects.
mod wit_bindings {
    pub use crate::pos::kernel::{security, types};
}

// The generated code: imports under `pos::kernel`, exports under `exports::pos::kernel`, and the
// `export!` macro, exported for the cdylib.
wit_bindgen::generate!({ path: "../../wit", world: "kernel", pub_export_macro: true });

/// The component: the type the generated exports dispatch to.
#[derive(Debug)]
pub struct Component;

impl exports::pos::kernel::terminal_api::Guest for Component {
    type Terminal = terminal::KernelTerminal;
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use crate::pos::kernel::types as wit;
    use pos_kernel::Config;

    #[test]
    fn a_bad_configuration_names_its_field() {
        let config = wit::Config {
            terminal_id: "short".into(),
            ..Config::default().into()
        };
        let error = pos_kernel::Terminal::new(config.into(), Box::new(crate::security::HostSecurity))
            .map(|_| ())
            .unwrap_err()
            .to_string();
        assert!(error.contains("terminal_id"), "{error}");
    }
}
