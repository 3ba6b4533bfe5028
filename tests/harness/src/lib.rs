//! The test harness: drives the kernel against the simulated acquirer.
//!
//! - [`vector`]: the vector file format; [`runner`]: the native runner that replays them.
//! - [`world`]: a simulated terminal, host and acquirer with simulated time and fault injection.
//! - [`scenarios`]: the scripts that generate tests/vectors; [`reconcile`]: the ledger check.

// A harness failure is a test failure: panicking with a message is the right behaviour here.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]
// Harness types hold whole terminals and banks; nobody prints them.
#![allow(missing_debug_implementations)]

pub use pos_acquirer_sim::reader as cards;
pub mod clear_data;
pub mod reconcile;
pub mod runner;
pub mod scenarios;
pub mod vector;
pub mod world;

/// The directory of the committed vectors.
pub fn vectors_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../vectors")
}
