//! The kernel component's core module: the exports of [`pos_kernel_guest`], and nothing else.
//!
//! Why two crates: the workspace lints reject `unsafe_code`, and the functions `export!` generates
//! (`#[unsafe(export_name)]`, raw ABI glue) count as this crate's own code when the macro is
//! defined in the same crate. Defined in `pos-kernel-guest` (which holds the bindings,
//! conversions and the resource), the macro is foreign here, like any library's generated code.
//!
//! The exports exist on wasm32 only: their names (`pos:kernel/terminal-api@0.5.0#...`) are not
//! valid in a native linker's export list, and natively this crate only needs to build, so that
//! the whole workspace builds, lints and tests.

#[cfg(target_arch = "wasm32")]
pos_kernel_guest::export!(Component with_types_in pos_kernel_guest);

#[cfg(target_arch = "wasm32")]
use pos_kernel_guest::Component;
