//! The kernel's security module, forwarded to the host's `security` import: the keys live in the
//! host (its secure element), the kernel only ever sees MACs and encrypted PIN blocks.

use pos_kernel::security::{SecurityError, SecurityModule, WorkingKeys};

use crate::pos::kernel::security as host;

/// Forwards every operation to the host. Stateless: the host holds the keys.
#[derive(Debug)]
pub struct HostSecurity;

impl SecurityModule for HostSecurity {
    fn load_working_keys(&mut self, keys: &WorkingKeys) -> Result<(), SecurityError> {
        host::load_working_keys(&(*keys).into()).map_err(SecurityError::from)
    }

    fn mac(&mut self, mac_block: &[u8]) -> Result<[u8; 8], SecurityError> {
        host::mac(mac_block)
            .map_err(SecurityError::from)
            .and_then(|mac| eight_bytes("MAC", mac))
    }

    fn pin_block(&mut self, pan: &str) -> Result<[u8; 8], SecurityError> {
        host::pin_block(pan)
            .map_err(SecurityError::from)
            .and_then(|block| eight_bytes("PIN block", block))
    }

    fn seal(&mut self, block: [u8; 16]) -> Result<[u8; 16], SecurityError> {
        host::seal(&block)
            .map_err(SecurityError::from)
            .and_then(|sealed| sixteen_bytes("sealed card data", sealed))
    }

    fn unseal(&mut self, sealed: [u8; 16]) -> Result<[u8; 16], SecurityError> {
        host::unseal(&sealed)
            .map_err(SecurityError::from)
            .and_then(|block| sixteen_bytes("card data", block))
    }
}

/// A card data block from the host must be exactly 16 bytes.
fn sixteen_bytes(what: &str, bytes: Vec<u8>) -> Result<[u8; 16], SecurityError> {
    <[u8; 16]>::try_from(bytes)
        .map_err(|bytes| SecurityError::Device(format!("the {what} has {} bytes, expected 16", bytes.len())))
}

/// The host's answer must be exactly 8 bytes; anything else is a faulty device, not a panic.
fn eight_bytes(what: &str, bytes: Vec<u8>) -> Result<[u8; 8], SecurityError> {
    <[u8; 8]>::try_from(bytes)
        .map_err(|bytes| SecurityError::Device(format!("the {what} has {} bytes, expected 8", bytes.len())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use pos_kernel::security::{EncryptedKey, KeyKind};

    #[test]
    fn a_wrong_length_from_the_host_is_a_device_error() {
        assert_eq!(eight_bytes("MAC", vec![1; 8]), Ok([1; 8]));
        assert!(matches!(eight_bytes("MAC", vec![1; 7]), Err(SecurityError::Device(m)) if m.contains("7 bytes")));
    }

    #[test]
    fn host_errors_map_to_kernel_errors() {
        let mismatch = host::SecurityError::CheckValueMismatch(host::KeyKind::TrackData);
        assert_eq!(
            SecurityError::from(mismatch),
            SecurityError::CheckValueMismatch(KeyKind::TrackData)
        );
        assert_eq!(
            SecurityError::from(host::SecurityError::BadKeyBlock(59)),
            SecurityError::BadKeyBlock { length: 59 }
        );
    }

    #[test]
    fn keys_go_to_the_host_with_their_lengths() {
        let key = EncryptedKey {
            key: [7; 16],
            check_value: [9; 4],
        };
        let keys = host::WorkingKeys::from(WorkingKeys {
            pik: key,
            mak: key,
            tdk: key,
        });
        assert_eq!((keys.tdk.key.len(), keys.tdk.check_value.len()), (16, 4));
    }
}
