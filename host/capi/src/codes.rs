//! What every function returns: posterm's exit codes (`pos_host::exit`, checked
//! equal by a test), and one more for a bug caught at the boundary. docs/embedding.md says what
//! to do on each.

/// Approved (for a settlement: settled, the totals agree); for calls without an outcome: done.
pub const POS_APPROVED: i32 = 0;
/// Declined by the issuer or the acquirer: nothing was charged.
pub const POS_DECLINED: i32 = 1;
/// A bad argument: a NULL pointer, text that is not UTF-8, a command that does not parse. The
/// message names it; nothing was done.
pub const POS_USAGE: i32 = 2;
/// Nothing was charged: failed before sending, or a non-financial request failed.
pub const POS_FAILED: i32 = 3;
/// The outcome was unknown and the reversal was confirmed: nothing was charged.
pub const POS_REVERSED: i32 = 4;
/// The reversal was not confirmed: the card may have been charged; it is on the exceptions list.
pub const POS_REVERSAL_NOT_CONFIRMED: i32 = 5;
/// The host failed: configuration, token, journal file, component, or a kernel fault the journal
/// could not recover from. The message says what to fix.
pub const POS_HOST_ERROR: i32 = 6;
/// Another process (a posterm) holds the terminal directory: nothing was done.
pub const POS_IN_USE: i32 = 7;
/// Settled, but the totals did not agree: every transaction was uploaded.
pub const POS_SETTLED_UNBALANCED: i32 = 8;
/// The journal is shorter than what was durable, missing, or another terminal's: nothing was
/// sent; `posterm recover --help` says what can be done.
pub const POS_JOURNAL_REFUSED: i32 = 9;
/// A bug in the library, caught at the boundary (it panicked): close the terminal and open it
/// again (it restarts from its journal), and report the message.
pub const POS_INTERNAL_ERROR: i32 = 10;

/// Security callbacks return this when they did what was asked.
pub const POS_SECURITY_OK: i32 = 0;
/// `load_working_keys`: the PIN key's check value does not match.
pub const POS_SECURITY_PIK_CHECK_VALUE: i32 = 1;
/// `load_working_keys`: the MAC key's check value does not match.
pub const POS_SECURITY_MAK_CHECK_VALUE: i32 = 2;
/// `load_working_keys`: the track data key's check value does not match.
pub const POS_SECURITY_TDK_CHECK_VALUE: i32 = 3;
/// `mac` or `pin_block` before working keys were loaded.
pub const POS_SECURITY_KEYS_NOT_LOADED: i32 = 4;
/// `pin_block`: the cardholder entered no PIN (cancelled on the PED).
pub const POS_SECURITY_PIN_NOT_ENTERED: i32 = 5;
// Any other value: the secure element failed (reported with the value).

/// The version of this C API: 1. A header and a library of different versions do not mix.
pub const POS_API_VERSION: u32 = 1;
