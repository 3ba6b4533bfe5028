//! pos-kernel: the transaction and reversal logic of a card terminal, sans-IO.
//!
//! The kernel contains no networking code and reads no clock: every input carries `now`, and
//! the host carries out the outputs (persist, transmit, timers, outcomes) in order. See
//! [`engine`] for the run loop, [`codec`] for the cup-pos wire format (docs/profile.md) and
//! [`security`] for the security-module interface.

pub mod codec;
pub mod config;
pub mod digits;
pub mod engine;
pub mod guidance;
pub mod pan;
pub mod reconcile;
pub mod reprint;
pub mod security;
pub mod time;

pub use config::Config;
pub use engine::{Card, CardVerdict, Command, EntryMode, Input, Outcome, OutcomeResult, Output, Terminal};
pub use time::Timestamp;
