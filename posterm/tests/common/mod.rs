//! Shared by posterm's tests: the host's test helpers, and a terminal directory with an acquirer.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../../../host/tests/common/mod.rs"]
mod host_common;
pub mod rig;

pub use host_common::*;
