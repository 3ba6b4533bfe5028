//! Statement reconciliation (对账, docs/architecture.md rule 17): "was I paid?".
//!
//! Pure and deterministic, so every host runs the same code on the same inputs:
//! - [`statement`] reads and writes the acquirer's statement (docs/profile.md §8);
//! - [`books`] lists the terminal's money-moving transactions from the journal and the archive
//!   of settled batches ([`crate::engine::ArchivedBatch`]);
//! - [`matcher`] puts every statement entry and every transaction in exactly one [`Bucket`];
//! - [`report`] sums it up for the merchant, with [`guidance`] for each finding.

pub mod books;
pub mod guidance;
mod hash;
pub mod matcher;
pub mod report;
pub mod statement;

pub use books::{transactions, JournalTransaction, JournalVerdict};
pub use matcher::{match_books, Action, Bucket, Finding, Item, SetError};
pub use report::{report, Report, Summary};
pub use statement::{EntryStatus, Statement, StatementEntry, StatementError};

#[cfg(test)]
mod tests;
