//! The security-module import, served by the host's own module (the PKCS#11 token in posterm; the
//! software module in tests): the calls that differ from the guest's side. The types and errors
//! map in `wit/rust/security.rs`, shared with the guest.

use pos_kernel::security::{SecurityModule, WorkingKeys};

use crate::bindings::security as s;

/// A card data block from the component: exactly 16 bytes.
pub fn block16(bytes: Vec<u8>) -> Result<[u8; 16], s::SecurityError> {
    <[u8; 16]>::try_from(bytes)
        .map_err(|bytes| s::SecurityError::Device(format!("a card data block has {} bytes, expected 16", bytes.len())))
}

pub fn load_working_keys(security: &mut dyn SecurityModule, keys: s::WorkingKeys) -> Result<(), s::SecurityError> {
    let keys = WorkingKeys::try_from(keys)?;
    security.load_working_keys(&keys).map_err(s::SecurityError::from)
}
