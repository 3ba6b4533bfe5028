// The security interface's types: the key kinds, the encrypted working keys of a sign-on, and the
// security module's errors. The calls themselves differ by side (the guest calls the import, the
// host serves it: component/guest/src/security.rs, host/src/security_host.rs).

use pos_kernel::security::{EncryptedKey, KeyKind, SecurityError, WorkingKeys};

use super::two_way_enum;
use crate::wit_bindings::security as sec;

two_way_enum!(KeyKind <=> sec::KeyKind { Pin, Mac, TrackData });

impl From<EncryptedKey> for sec::EncryptedKey {
    fn from(key: EncryptedKey) -> Self {
        sec::EncryptedKey {
            key: key.key.to_vec(),
            check_value: key.check_value.to_vec(),
        }
    }
}

/// An encrypted key from the other side: exactly 16 key bytes and 4 check-value bytes.
impl TryFrom<sec::EncryptedKey> for EncryptedKey {
    type Error = sec::SecurityError;

    fn try_from(key: sec::EncryptedKey) -> Result<Self, Self::Error> {
        let bad = |length: usize| sec::SecurityError::BadKeyBlock(super::count_to_wit(length));
        Ok(EncryptedKey {
            key: key.key.as_slice().try_into().map_err(|_| bad(key.key.len()))?,
            check_value: key
                .check_value
                .as_slice()
                .try_into()
                .map_err(|_| bad(key.check_value.len()))?,
        })
    }
}

impl From<WorkingKeys> for sec::WorkingKeys {
    fn from(keys: WorkingKeys) -> Self {
        sec::WorkingKeys {
            pik: keys.pik.into(),
            mak: keys.mak.into(),
            tdk: keys.tdk.into(),
        }
    }
}

impl TryFrom<sec::WorkingKeys> for WorkingKeys {
    type Error = sec::SecurityError;

    fn try_from(keys: sec::WorkingKeys) -> Result<Self, Self::Error> {
        Ok(WorkingKeys {
            pik: keys.pik.try_into()?,
            mak: keys.mak.try_into()?,
            tdk: keys.tdk.try_into()?,
        })
    }
}

impl From<SecurityError> for sec::SecurityError {
    fn from(error: SecurityError) -> Self {
        use sec::SecurityError as W;
        match error {
            SecurityError::CheckValueMismatch(kind) => W::CheckValueMismatch(kind.into()),
            SecurityError::KeysNotLoaded => W::KeysNotLoaded,
            SecurityError::BadKeyBlock { length } => W::BadKeyBlock(super::count_to_wit(length)),
            SecurityError::InvalidPin => W::InvalidPin,
            SecurityError::PinNotEntered => W::PinNotEntered,
            SecurityError::InvalidPan => W::InvalidPan,
            // Every other failure of a device is its message.
            other => W::Device(other.to_string()),
        }
    }
}

impl From<sec::SecurityError> for SecurityError {
    fn from(error: sec::SecurityError) -> Self {
        use sec::SecurityError as W;
        match error {
            W::CheckValueMismatch(kind) => SecurityError::CheckValueMismatch(kind.into()),
            W::KeysNotLoaded => SecurityError::KeysNotLoaded,
            W::BadKeyBlock(length) => SecurityError::BadKeyBlock {
                length: super::count_from_wit(length),
            },
            W::InvalidPin => SecurityError::InvalidPin,
            W::PinNotEntered => SecurityError::PinNotEntered,
            W::InvalidPan => SecurityError::InvalidPan,
            W::Device(message) => SecurityError::Device(message),
        }
    }
}
