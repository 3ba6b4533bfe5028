//! Exit codes: distinct for every way a command can end. posterm exits with them and the C API
//! (host/capi) returns them, so a vendor's firmware and a script read one table.

use pos_kernel::engine::{Outcome, OutcomeResult};

pub const APPROVED: u8 = 0;
pub const DECLINED: u8 = 1;
/// clap's usage errors exit with 2.
pub const USAGE: u8 = 2;
/// Nothing was charged: failed before sending, or a non-financial request failed.
pub const FAILED: u8 = 3;
/// The outcome was unknown and the reversal was confirmed: nothing was charged.
pub const REVERSED: u8 = 4;
/// The reversal was not confirmed: the card may have been charged; contact the acquirer.
pub const REVERSAL_NOT_CONFIRMED: u8 = 5;
/// The host itself failed (configuration, journal file, component).
pub const HOST_ERROR: u8 = 6;
/// Another process (posterm, or a program using libposkernel) holds the terminal directory.
pub const IN_USE: u8 = 7;
/// Settled, but the totals did not agree: every transaction was uploaded; compare the
/// report with the acquirer's statement.
pub const SETTLED_UNBALANCED: u8 = 8;
/// The journal is shorter than what was durable, missing, or another terminal's: nothing
/// was sent; see `posterm recover --help`.
pub const JOURNAL_REFUSED: u8 = 9;

/// The exit code of a command that ended in `outcome`.
pub fn exit_code(outcome: &Outcome) -> u8 {
    match outcome.result {
        OutcomeResult::Approved => APPROVED,
        OutcomeResult::Declined { .. } => DECLINED,
        OutcomeResult::Failed { .. } => FAILED,
        OutcomeResult::Reversed { .. } => REVERSED,
        OutcomeResult::ReversalFailed { .. } => REVERSAL_NOT_CONFIRMED,
        OutcomeResult::SettledUnbalanced => SETTLED_UNBALANCED,
    }
}
