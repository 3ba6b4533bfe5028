//! Terminal security: working keys, MAC and PIN blocks for the `cup-pos` profile
//! (docs/profile.md §5 and §6).
//!
//! On real terminals the master key and the working keys usually live inside a vendor secure
//! element (a PCI PTS certified PIN pad or crypto chip) and never leave it: the application
//! hands the device an encrypted key block, a MAC block or a PIN entry request and gets back
//! only the result. That is why the kernel talks to a [`SecurityModule`] trait object rather
//! than to key bytes: a vendor driver implements the trait on top of its device, and
//! [`SoftwareSecurityModule`] implements it in memory for tests, demos and the simulated
//! acquirer. The pure algorithms shared by both sides (terminal and acquirer) are in
//! [`crypto`].
//!
//! The key hierarchy is the usual two-level one: a double-length 3DES terminal master key
//! (TMK) is loaded out of band; at sign-on the acquirer sends three working keys (PIK for PIN
//! blocks, MAK for MACs, TDK for track data) encrypted under the TMK in F62, each followed by
//! a 4-byte check value of the clear key.

use core::fmt;

use serde::{Deserialize, Serialize};

pub mod card_data;
pub mod crypto;
pub mod pin_pad;
pub mod software;

pub use card_data::{ClearCard, StoredCard};
pub use pin_pad::{Pin, PinPad};
pub use software::SoftwareSecurityModule;

/// Which working key an operation or error is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub enum KeyKind {
    /// PIN encryption key (PIK).
    Pin,
    /// MAC key (MAK).
    Mac,
    /// Track data key (TDK).
    TrackData,
}

impl fmt::Display for KeyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Pin => "PIN key (PIK)",
            Self::Mac => "MAC key (MAK)",
            Self::TrackData => "track data key (TDK)",
        })
    }
}

/// Errors of the security module.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SecurityError {
    /// The check value sent with a working key does not match the decrypted key.
    CheckValueMismatch(KeyKind),
    /// A MAC or PIN block was requested before working keys were loaded.
    KeysNotLoaded,
    /// The F62 key block does not have [`WorkingKeys::F62_LENGTH`] bytes.
    BadKeyBlock {
        /// The length that was received.
        length: usize,
    },
    /// The PIN is not 4 to 12 decimal digits (or a PIN block does not decode to one).
    InvalidPin,
    /// A PIN block was asked for but no PIN was typed on the PIN pad.
    PinNotEntered,
    /// The PAN is not 13 to 19 decimal digits.
    InvalidPan,
    /// A hardware security device reported an error.
    Device(String),
}

impl fmt::Display for SecurityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::CheckValueMismatch(kind) => write!(f, "check value mismatch for the {kind}"),
            Self::KeysNotLoaded => f.write_str("working keys are not loaded (sign on first)"),
            Self::BadKeyBlock { length } => write!(
                f,
                "working key block has {length} bytes, expected {}",
                WorkingKeys::F62_LENGTH
            ),
            Self::InvalidPin => f.write_str("PIN must be 4 to 12 decimal digits"),
            Self::PinNotEntered => f.write_str("no PIN was entered on the PIN pad"),
            Self::InvalidPan => f.write_str("PAN must be 13 to 19 decimal digits"),
            Self::Device(message) => write!(f, "security device error: {message}"),
        }
    }
}

impl std::error::Error for SecurityError {}

/// A double-length key encrypted under a key-encryption key (3DES ECB, two blocks), with the
/// check value of the clear key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct EncryptedKey {
    /// The key encrypted under the TMK.
    pub key: [u8; 16],
    /// First 4 bytes of 3DES-encrypting 8 zero bytes with the clear key.
    pub check_value: [u8; 4],
}

/// The three working keys sent by the acquirer in the sign-on reply (0810 F62).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct WorkingKeys {
    /// PIN encryption key.
    pub pik: EncryptedKey,
    /// MAC key.
    pub mak: EncryptedKey,
    /// Track data key.
    pub tdk: EncryptedKey,
}

/// Bytes of one F62 entry: encrypted key (16) + check value (4).
const F62_ENTRY_LENGTH: usize = 20;

impl WorkingKeys {
    /// Length of F62 in the sign-on reply.
    pub const F62_LENGTH: usize = 3 * F62_ENTRY_LENGTH;

    /// Parses F62: PIK (16) + check value (4), MAK (16) + check value (4), TDK (16) + check
    /// value (4). Any other length is [`SecurityError::BadKeyBlock`]. Check values are not
    /// verified here (that needs the TMK); see [`SecurityModule::load_working_keys`].
    pub fn from_f62(bytes: &[u8]) -> Result<Self, SecurityError> {
        let bad = SecurityError::BadKeyBlock { length: bytes.len() };
        if bytes.len() != Self::F62_LENGTH {
            return Err(bad);
        }
        let mut entries = bytes.chunks_exact(F62_ENTRY_LENGTH).map(parse_f62_entry);
        let mut next = || entries.next().flatten().ok_or_else(|| bad.clone());
        Ok(Self {
            pik: next()?,
            mak: next()?,
            tdk: next()?,
        })
    }

    /// Encodes F62 (the inverse of [`WorkingKeys::from_f62`]); always
    /// [`WorkingKeys::F62_LENGTH`] bytes.
    pub fn to_f62(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(Self::F62_LENGTH);
        for entry in [&self.pik, &self.mak, &self.tdk] {
            out.extend_from_slice(&entry.key);
            out.extend_from_slice(&entry.check_value);
        }
        out
    }
}

fn parse_f62_entry(entry: &[u8]) -> Option<EncryptedKey> {
    let (key, check_value) = entry.split_at_checked(16)?;
    Some(EncryptedKey {
        key: key.try_into().ok()?,
        check_value: check_value.try_into().ok()?,
    })
}

/// The terminal's security module. Object-safe; the kernel holds a `Box<dyn SecurityModule>`.
pub trait SecurityModule {
    /// Decrypts each working key under the TMK, verifies its check value, and only then installs all three.
    fn load_working_keys(&mut self, keys: &WorkingKeys) -> Result<(), SecurityError>;
    /// CUP "ECB" MAC of the MAC block with the MAK: returns the 8 ASCII bytes that go into F64.
    fn mac(&mut self, mac_block: &[u8]) -> Result<[u8; 8], SecurityError>;
    /// ISO 9564 format-0 PIN block for `pan` (digits, 13..=19), encrypted under the PIK, of the
    /// PIN the cardholder typed on the module's PIN pad ([`PinPad`]); the kernel never sees it.
    /// [`SecurityError::PinNotEntered`] when nothing was typed.
    fn pin_block(&mut self, pan: &str) -> Result<[u8; 8], SecurityError>;
    /// Encrypts one card data block ([`card_data::pack`]) under the module's data key, which
    /// never leaves the module; deterministic (the journal must be). AES-256, one block (ECB).
    fn seal(&mut self, block: [u8; 16]) -> Result<[u8; 16], SecurityError>;
    /// Decrypts what [`SecurityModule::seal`] returned, to build a message.
    fn unseal(&mut self, sealed: [u8; 16]) -> Result<[u8; 16], SecurityError>;
}
