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

use std::process::{Command, Output, Stdio};

/// Runs a posterm command: its exit code, stdout and stderr.
pub fn run(command: &mut Command) -> (i32, String, String) {
    let Output { status, stdout, stderr } = command.stdout(Stdio::piped()).stderr(Stdio::piped()).output().unwrap();
    (
        status.code().unwrap_or(-1),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}
