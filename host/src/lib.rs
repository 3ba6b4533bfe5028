//! pos-host: the Linux terminal host. It embeds the kernel component with wasmtime
//! ([`runtime`]), converts between the kernel's types and the WIT types ([`convert`]), serves the
//! component's security-module import ([`security_host`]) from the terminal's PKCS#11 token
//! ([`token`]), runs a terminal against its journal and
//! the acquirer ([`driver`]), and provides the `posterm` command line ([`cli`]).

pub mod bench;
pub mod bindings;
pub mod cli;
pub mod component_file;
pub mod convert;
pub mod driver;
pub mod farm;
pub mod runtime;
pub mod security_host;
pub mod terminal_dir;
pub mod token;
