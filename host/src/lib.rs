//! pos-host: the Linux terminal host. It embeds the kernel component with wasmtime
//! ([`runtime`]), converts between the kernel's types and the WIT types ([`convert`]), serves the
//! component's security-module import ([`security_host`]) from the terminal's PKCS#11 token
//! ([`token`]), runs a terminal against its journal and
//! the acquirer ([`driver`]), and provides the operator's commands of `posterm` ([`cli`]; the
//! binary is the `posterm` crate, the tools around the terminal are `pos-tools`). This is what a
//! vendor embeds: it links no test crate (`cargo tree -p pos-host -e normal`).

pub mod archive;
pub mod bindings;
pub mod cli;
pub mod component_file;
/// The mapping between the WIT types and the kernel's, shared with the guest (`wit/rust/`).
#[path = "../../wit/rust/mod.rs"]
pub mod convert;
pub mod driver;
pub mod exit;
pub mod open;
pub mod runtime;
pub mod security_host;
pub mod terminal_dir;
pub mod token;

/// The generated types the shared mapping converts, under the names it expects.
use bindings as wit_bindings;
