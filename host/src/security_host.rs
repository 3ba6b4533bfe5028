//! The security-module import, served by the host's own module (software here; a vendor's secure
//! element in production): WIT types to the kernel's trait and back.

use pos_kernel::security::{EncryptedKey, KeyKind, SecurityError, SecurityModule, WorkingKeys};

use crate::bindings::security as s;

fn key_kind(k: KeyKind) -> s::KeyKind {
    match k {
        KeyKind::Pin => s::KeyKind::Pin,
        KeyKind::Mac => s::KeyKind::Mac,
        KeyKind::TrackData => s::KeyKind::TrackData,
    }
}

/// The kernel's error as the WIT error.
pub fn error(e: SecurityError) -> s::SecurityError {
    match e {
        SecurityError::CheckValueMismatch(k) => s::SecurityError::CheckValueMismatch(key_kind(k)),
        SecurityError::KeysNotLoaded => s::SecurityError::KeysNotLoaded,
        SecurityError::BadKeyBlock { length } => {
            s::SecurityError::BadKeyBlock(u32::try_from(length).unwrap_or(u32::MAX))
        }
        SecurityError::InvalidPin => s::SecurityError::InvalidPin,
        SecurityError::PinNotEntered => s::SecurityError::PinNotEntered,
        SecurityError::InvalidPan => s::SecurityError::InvalidPan,
        other => s::SecurityError::Device(other.to_string()),
    }
}

fn key(k: &s::EncryptedKey) -> Result<EncryptedKey, s::SecurityError> {
    let bad = |length: usize| s::SecurityError::BadKeyBlock(u32::try_from(length).unwrap_or(u32::MAX));
    Ok(EncryptedKey {
        key: k.key.as_slice().try_into().map_err(|_| bad(k.key.len()))?,
        check_value: k
            .check_value
            .as_slice()
            .try_into()
            .map_err(|_| bad(k.check_value.len()))?,
    })
}

/// A card data block from the component: exactly 16 bytes.
pub fn block16(bytes: Vec<u8>) -> Result<[u8; 16], s::SecurityError> {
    <[u8; 16]>::try_from(bytes)
        .map_err(|bytes| s::SecurityError::Device(format!("a card data block has {} bytes, expected 16", bytes.len())))
}

pub fn load_working_keys(security: &mut dyn SecurityModule, keys: s::WorkingKeys) -> Result<(), s::SecurityError> {
    let keys = WorkingKeys {
        pik: key(&keys.pik)?,
        mak: key(&keys.mak)?,
        tdk: key(&keys.tdk)?,
    };
    security.load_working_keys(&keys).map_err(error)
}
