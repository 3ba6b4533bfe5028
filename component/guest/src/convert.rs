//! Conversions between the WIT types (generated under `pos::kernel::types`) and the kernel's Rust
//! types. Each WIT type mirrors one kernel type field by field, so these are plain `From` impls;
//! the only lossy spot is a kernel `usize` count, which saturates at `u32::MAX` (never panics).

mod input;
mod kinds;
mod output;
mod status;

/// A kernel count as a WIT `u32`, saturating (a batch never holds 4 billion entries).
fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests;
