//! Host bindings generated from `wit/kernel.wit` (world `kernel`).

wasmtime::component::bindgen!({
    path: "../wit",
    world: "kernel",
});

pub use exports::pos::kernel::terminal_api;
pub use pos::kernel::{security, types};
