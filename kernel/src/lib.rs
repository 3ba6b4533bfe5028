//! pos-kernel: the transaction and reversal logic of a card terminal, sans-IO.
//!
//! The kernel contains no networking code and reads no clock: every input carries `now`, and
//! the host carries out the outputs (persist, transmit, timers, outcomes) in order. See the
//! [`Terminal`] docs for the run loop.

pub mod codec;
pub mod security;
