//! The transaction and reversal engine (docs/architecture.md, "The kernel contract").
//!
//! # Run loop
//!
//! 1. Build a [`Terminal`] with [`Terminal::new`] (empty journal) or [`Terminal::restore`]
//!    (from the journal's records).
//! 2. Drain [`Terminal::poll_output`] until it returns `None`, carrying out each output in order:
//!    - [`Output::Persist`]: append the record to the journal and sync it, then call
//!      `handle(now, Input::Persisted)` (or `Input::PersistFailed`). The kernel yields nothing
//!      after a `Persist` until it has that answer, so nothing leaves before its record is durable.
//!    - [`Output::Transmit`]: send the frame; [`Output::ArmTimer`] / [`Output::CancelTimer`]:
//!      keep one deadline per [`Timer`]; [`Output::Event`] and [`Output::Outcome`]: show or log.
//! 3. Feed the next input with [`Terminal::handle`]: an operator command, a received frame, a
//!    timer that fired, the chip card's verdict, a closed connection, a frame that never left
//!    ([`Input::NotSent`]). Go to 2.
//!
//! docs/architecture.md describes the contract, the journal barrier and where each rule lives.

mod archive;
mod batch;
pub mod downloads;
mod hex_bytes;
mod hex_option;
mod hex_or_bytes;
mod input;
mod journal;
mod kinds;
mod messages;
mod outcome;
mod output;
mod postcard_vec;
mod query;
mod reply;
pub mod settlement;
mod status;
mod terminal;

pub use archive::ArchivedBatch;
pub use batch::{BatchEntry, ChipEvidence, ExceptionEntry, SettledBatch};
pub use input::{Begin, Card, CardVerdict, Command, EntryMode, Input, ReaderOutcome};
pub use journal::{
    next_batch, next_stan, DurableState, History, JournalError, LifeStep, PendingResend, PendingReversal, Record,
    COMPACT_AFTER_RECORDS,
};
pub use kinds::{Closes, KindInfo, ReversalReason, Shape, Side, TransactionKind, KINDS};
pub use outcome::{FailReason, InputProblem, OriginalProblem, Outcome, OutcomeResult, Receipt};
pub use output::{CardReaderData, CardRequest, Event, Interfaces, Output, PinRequest, Timer};
pub use query::{query, Charged, Query, TransactionLife};
pub use status::{InFlight, PendingAdviceStatus, PendingRefundStatus, PendingReversalStatus, Status, WaitingFor};
pub use terminal::{RestoreError, Terminal};
