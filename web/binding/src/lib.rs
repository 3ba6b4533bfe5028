//! The pos-kernel for JavaScript, built with wasm-bindgen: for the browser virtual terminal and
//! for Node.
//!
//! - [`Terminal`]: the kernel (sans-IO) with the software security module. Inputs and outputs are
//!   plain JS values in the kernel's serde shapes, exactly as `tests/vectors/*.json` hold them:
//!   byte strings as lowercase hex, amounts and timestamps as plain numbers (milliseconds since
//!   the Unix epoch; amounts in minor units), absent options as `null`.
//! - [`Acquirer`]: the simulated acquirer (bank), compiled in for the demo (feature `acquirer`,
//!   on by default; without it the module is the kernel alone).
//! - [`decode_frame`]: a frame as a person may see it in a message trace, secrets masked;
//!   [`decode_record`]: a journal record for display, PANs masked.
//! - [`test_cards`] / [`present_card`]: the bank's test cards as a card reader presents them
//!   (feature `acquirer`).
//!
//! Every function that takes input from JavaScript returns an error (a thrown `Error`) for bad
//! input; nothing here panics on it.

#[cfg(feature = "acquirer")]
mod acquirer;
#[cfg(feature = "acquirer")]
mod cards;
#[cfg(feature = "journal")]
mod journal;
mod js;
mod terminal;
mod trace;
mod types;

#[cfg(feature = "acquirer")]
pub use acquirer::Acquirer;
#[cfg(feature = "acquirer")]
pub use cards::{present_card, test_cards};
#[cfg(feature = "journal")]
pub use journal::check_journal;
pub use terminal::{default_config, Terminal};
pub use trace::{decode_frame, decode_record};
