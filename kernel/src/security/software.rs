//! An in-memory [`SecurityModule`] for tests, demos and terminals without a secure element.

use core::fmt;

use aes::cipher::{BlockDecrypt, BlockEncrypt, KeyInit};
use aes::Aes256;

use super::crypto::{self, Key, PreparedKey, TEST_DATA_KEY, TEST_TMK};
use super::{KeyKind, PinPad, SecurityError, SecurityModule, WorkingKeys};

/// The clear working keys after a successful load, with the PIK's and MAK's key schedules.
struct ClearKeys {
    pik: Key,
    mak: Key,
    pik_schedule: PreparedKey,
    mak_schedule: PreparedKey,
    /// Track data key; installed with the others, not used by the current profile.
    tdk: Key,
}

impl Drop for ClearKeys {
    fn drop(&mut self) {
        // Best-effort wipe (no volatile writes without `unsafe`).
        self.pik = [0; 16];
        self.mak = [0; 16];
        self.tdk = [0; 16];
        core::hint::black_box(&*self);
    }
}

/// Software implementation of [`SecurityModule`]: holds the TMK and, after
/// [`SecurityModule::load_working_keys`], the clear PIK, MAK and TDK in memory.
///
/// Its `Debug` output never shows key material.
pub struct SoftwareSecurityModule {
    tmk: Key,
    keys: Option<ClearKeys>,
    pin_pad: PinPad,
    /// The card data key: [`TEST_DATA_KEY`] (this module is for tests and demos).
    data_key: Aes256,
}

impl SoftwareSecurityModule {
    /// A module with the given clear terminal master key, no working keys and a PIN pad of its
    /// own ([`SoftwareSecurityModule::pin_pad`]).
    pub fn new(tmk: Key) -> Self {
        Self::with_pin_pad(tmk, PinPad::new())
    }

    /// A module that takes PINs from `pin_pad`, a pad the host also holds.
    pub fn with_pin_pad(tmk: Key, pin_pad: PinPad) -> Self {
        Self {
            tmk,
            keys: None,
            pin_pad,
            data_key: Aes256::new(&TEST_DATA_KEY.into()),
        }
    }

    /// A module with the test TMK [`TEST_TMK`] (docs/profile.md §6). For tests and demos only.
    pub fn with_test_keys() -> Self {
        Self::new(TEST_TMK)
    }

    /// A handle to the module's PIN pad, for the host to type PINs on.
    pub fn pin_pad(&self) -> PinPad {
        self.pin_pad.clone()
    }

    fn keys(&self) -> Result<&ClearKeys, SecurityError> {
        self.keys.as_ref().ok_or(SecurityError::KeysNotLoaded)
    }
}

impl Drop for SoftwareSecurityModule {
    fn drop(&mut self) {
        // Best-effort wipe (no volatile writes without `unsafe`).
        self.tmk = [0; 16];
        core::hint::black_box(&self.tmk);
    }
}

impl fmt::Debug for SoftwareSecurityModule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SoftwareSecurityModule")
            .field("keys_loaded", &self.keys.is_some())
            .finish_non_exhaustive()
    }
}

impl SecurityModule for SoftwareSecurityModule {
    fn load_working_keys(&mut self, keys: &WorkingKeys) -> Result<(), SecurityError> {
        // Decrypt and verify all three before touching the installed keys (all-or-nothing).
        let pik = crypto::decrypt_key(&self.tmk, &keys.pik, KeyKind::Pin)?;
        let mak = crypto::decrypt_key(&self.tmk, &keys.mak, KeyKind::Mac)?;
        let tdk = crypto::decrypt_key(&self.tmk, &keys.tdk, KeyKind::TrackData)?;
        self.keys = Some(ClearKeys {
            pik_schedule: PreparedKey::new(&pik),
            mak_schedule: PreparedKey::new(&mak),
            pik,
            mak,
            tdk,
        });
        Ok(())
    }

    fn mac(&mut self, mac_block: &[u8]) -> Result<[u8; 8], SecurityError> {
        let keys = self.keys()?;
        Ok(crypto::cup_mac_prepared(&keys.mak_schedule, mac_block))
    }

    fn pin_block(&mut self, pan: &str) -> Result<[u8; 8], SecurityError> {
        // The PIN is taken (the pad is empty afterwards) even when the keys are missing: a PIN
        // typed for a transaction that failed must not serve the next one.
        let pin = self.pin_pad.take()?;
        let keys = self.keys()?;
        let clear = crypto::clear_pin_block(pin.digits(), pan)?;
        Ok(keys.pik_schedule.encrypt_block(clear))
    }

    fn seal(&mut self, block: [u8; 16]) -> Result<[u8; 16], SecurityError> {
        let mut block = block.into();
        self.data_key.encrypt_block(&mut block);
        Ok(block.into())
    }

    fn unseal(&mut self, sealed: [u8; 16]) -> Result<[u8; 16], SecurityError> {
        let mut block = sealed.into();
        self.data_key.decrypt_block(&mut block);
        Ok(block.into())
    }
}
