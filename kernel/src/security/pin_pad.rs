//! A simulated PIN pad (PED): where the cardholder's PIN is typed, outside the kernel.
//!
//! On a real terminal the PIN never leaves the PIN entry device: the application asks the
//! device for a PIN block and gets only the encrypted block. Here the host's user interface
//! (posterm's `--pin`, the browser's keypad, a test step) types the PIN into a [`PinPad`]; the
//! security module that was given a handle to the same pad takes it when the kernel asks for a
//! PIN block, and the pad is empty again. The kernel only says that a PIN was entered
//! (`Card::pin_entered`), so no PIN crosses into the sandbox (docs/architecture.md, "Keys, PIN
//! and card data").

use core::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use super::SecurityError;

const PIN_DIGITS: core::ops::RangeInclusive<usize> = 4..=12;

/// Whether `pin` is something a PIN pad accepts: 4 to 12 decimal digits.
pub fn is_valid_pin(pin: &str) -> bool {
    PIN_DIGITS.contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit())
}

/// A PIN as typed on the pad: 4 to 12 digits. `Debug` never shows it; wiped when dropped.
pub struct Pin(String);

impl Pin {
    /// The digits, for the security module's PIN block and nothing else.
    pub fn digits(&self) -> &str {
        &self.0
    }
}

impl Drop for Pin {
    fn drop(&mut self) {
        // Best-effort wipe (no volatile writes without `unsafe`).
        let len = self.0.len();
        self.0.clear();
        self.0.extend(core::iter::repeat_n('0', len));
        core::hint::black_box(&self.0);
    }
}

impl fmt::Debug for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pin(****)")
    }
}

/// A handle to one simulated PIN pad; clones share the pad. It holds at most one PIN, the one
/// typed for the transaction under way.
#[derive(Clone, Default)]
pub struct PinPad(Arc<Mutex<Option<Pin>>>);

impl PinPad {
    /// An empty pad.
    pub fn new() -> PinPad {
        PinPad::default()
    }

    /// The cardholder types `pin` and presses Enter. Anything but 4 to 12 decimal digits is
    /// refused ([`SecurityError::InvalidPin`]) and the pad is left empty.
    pub fn enter(&self, pin: &str) -> Result<(), SecurityError> {
        let valid = is_valid_pin(pin);
        *self.slot() = valid.then(|| Pin(pin.to_owned()));
        if valid {
            Ok(())
        } else {
            Err(SecurityError::InvalidPin)
        }
    }

    /// Takes the PIN typed for this transaction: the pad is empty afterwards.
    /// [`SecurityError::PinNotEntered`] when nothing was typed.
    pub fn take(&self) -> Result<Pin, SecurityError> {
        self.slot().take().ok_or(SecurityError::PinNotEntered)
    }

    /// Forgets a PIN that was typed but not used (the transaction ended without a PIN block).
    pub fn clear(&self) {
        *self.slot() = None;
    }

    /// Whether a PIN waits on the pad.
    pub fn has_pin(&self) -> bool {
        self.slot().is_some()
    }

    fn slot(&self) -> std::sync::MutexGuard<'_, Option<Pin>> {
        // A panic elsewhere while holding the lock leaves a plain Option behind: still usable.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl fmt::Debug for PinPad {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PinPad").field("has_pin", &self.has_pin()).finish()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_pin_is_taken_once() {
        let pad = PinPad::new();
        let security_side = pad.clone();
        pad.enter("123456").unwrap();
        assert_eq!(security_side.take().unwrap().digits(), "123456");
        assert!(matches!(security_side.take(), Err(SecurityError::PinNotEntered)));
    }

    #[test]
    fn a_malformed_pin_is_refused_and_leaves_the_pad_empty() {
        let pad = PinPad::new();
        pad.enter("1234").unwrap();
        for bad in ["", "123", "1234567890123", "12a4", "１２３４"] {
            assert_eq!(pad.enter(bad), Err(SecurityError::InvalidPin), "{bad}");
            assert!(!pad.has_pin());
        }
    }

    #[test]
    fn debug_never_shows_the_pin() {
        let pad = PinPad::new();
        pad.enter("987654").unwrap();
        assert!(!format!("{pad:?}").contains("987654"));
        assert!(!format!("{:?}", pad.take().unwrap()).contains("987654"));
    }
}
