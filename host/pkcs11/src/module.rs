//! [`SecurityModule`] on the token: working keys installed under the TMK, MAC and PIN block
//! computed by the token.

use std::sync::Arc;

use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::Session;
use pos_kernel::security::crypto::{self, Key};
use pos_kernel::security::{EncryptedKey, KeyKind, PinPad, SecurityError, SecurityModule, WorkingKeys};

use crate::{Token, TokenError};

/// How the last working keys got into the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyInstall {
    /// `C_UnwrapKey` under the TMK: the clear key never left the token (a secure element).
    Unwrapped,
    /// The token has no DES unwrap (SoftHSM 2.6): decrypted under the TMK with `CKM_DES3_ECB`
    /// and created with `C_CreateObject`; the clear key passed through host memory once.
    DecryptedAndCreated,
}

/// The installed working keys: session objects of the token, gone when the session ends.
#[derive(Debug, Clone, Copy)]
struct Installed {
    pik: ObjectHandle,
    mak: ObjectHandle,
    tdk: ObjectHandle,
}

impl Installed {
    fn all(self) -> [ObjectHandle; 3] {
        [self.pik, self.mak, self.tdk]
    }
}

/// The terminal's security module on a PKCS#11 token. Its PIN pad is the terminal's (the host
/// types on it); the module takes a PIN from it for each PIN block.
pub struct Pkcs11SecurityModule {
    token: Arc<Token>,
    pin_pad: PinPad,
    keys: Option<Installed>,
    installed_by: Option<KeyInstall>,
    /// The card data key's handle, once looked up.
    data_key: Option<ObjectHandle>,
}

impl core::fmt::Debug for Pkcs11SecurityModule {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Pkcs11SecurityModule")
            .field("keys_loaded", &self.keys.is_some())
            .field("installed_by", &self.installed_by)
            .finish_non_exhaustive()
    }
}

impl Pkcs11SecurityModule {
    pub fn new(token: Arc<Token>, pin_pad: PinPad) -> Pkcs11SecurityModule {
        Pkcs11SecurityModule {
            token,
            pin_pad,
            keys: None,
            installed_by: None,
            data_key: None,
        }
    }

    /// How the working keys in use were installed (None before a sign-on).
    pub fn installed_by(&self) -> Option<KeyInstall> {
        self.installed_by
    }

    /// One card data block encrypted (or decrypted) with the token's data key, AES-256 ECB.
    fn card_data(&mut self, block: [u8; 16], seal: bool) -> Result<[u8; 16], SecurityError> {
        let session = self.token.session();
        let key = match self.data_key {
            Some(key) => key,
            None => *self
                .data_key
                .insert(Token::key(&session, self.token.data_key_label()).map_err(device)?),
        };
        let out = if seal {
            session.encrypt(&Mechanism::AesEcb, key, &block)
        } else {
            session.decrypt(&Mechanism::AesEcb, key, &block)
        }
        .map_err(|e| SecurityError::Device(format!("the token failed to use the card data key: {e}")))?;
        <[u8; 16]>::try_from(out.as_slice())
            .map_err(|_| SecurityError::Device(format!("the token returned {} bytes for one block", out.len())))
    }

    /// One 8-byte block, 3DES-ECB-encrypted in the token with `key`.
    fn encrypt_block(session: &Session, key: ObjectHandle, block: [u8; 8]) -> Result<[u8; 8], SecurityError> {
        let out = session
            .encrypt(&Mechanism::Des3Ecb, key, &block)
            .map_err(|e| SecurityError::Device(format!("the token failed to encrypt: {e}")))?;
        <[u8; 8]>::try_from(out.as_slice())
            .map_err(|_| SecurityError::Device(format!("the token returned {} bytes for one block", out.len())))
    }
}

impl Drop for Pkcs11SecurityModule {
    fn drop(&mut self) {
        if let Some(keys) = self.keys.take() {
            let session = self.token.session();
            for key in keys.all() {
                // Session objects die with the session anyway; this only frees them sooner.
                let _ = session.destroy_object(key);
            }
        }
    }
}

fn device(e: TokenError) -> SecurityError {
    SecurityError::Device(e.to_string())
}

/// The template of a working key: a session object that can only encrypt (and, for the TDK,
/// decrypt), never be read or wrapped.
fn working_key_template(kind: KeyKind) -> Vec<Attribute> {
    let label = match kind {
        KeyKind::Pin => "PIK",
        KeyKind::Mac => "MAK",
        KeyKind::TrackData => "TDK",
    };
    vec![
        Attribute::Class(ObjectClass::SECRET_KEY),
        Attribute::KeyType(KeyType::DES2),
        Attribute::Label(label.as_bytes().to_vec()),
        Attribute::Token(false),
        Attribute::Private(true),
        Attribute::Sensitive(true),
        Attribute::Extractable(false),
        Attribute::Encrypt(true),
        Attribute::Decrypt(kind == KeyKind::TrackData),
        Attribute::Wrap(false),
        Attribute::Unwrap(false),
    ]
}

/// Installs one working key under the TMK: `C_UnwrapKey` first (a secure element supports it);
/// where the token has no DES unwrap (SoftHSM 2.6), the one fallback: decrypt with
/// `CKM_DES3_ECB` under the TMK, create the object with the clear value, wipe the value. Then
/// the token checks the key's check value; a mismatch destroys it.
fn install(
    session: &Session,
    tmk: ObjectHandle,
    encrypted: &EncryptedKey,
    kind: KeyKind,
) -> Result<(ObjectHandle, KeyInstall), SecurityError> {
    let template = working_key_template(kind);
    let (key, how) = match session.unwrap_key(&Mechanism::Des3Ecb, tmk, &encrypted.key, &template) {
        Ok(key) => (key, KeyInstall::Unwrapped),
        Err(_) => {
            let decrypted = session
                .decrypt(&Mechanism::Des3Ecb, tmk, &encrypted.key)
                .map_err(|e| SecurityError::Device(format!("the token failed to decrypt a working key: {e}")))?;
            let mut clear: Key =
                <[u8; 16]>::try_from(decrypted.as_slice()).map_err(|_| SecurityError::BadKeyBlock {
                    length: decrypted.len(),
                })?;
            let mut with_value = template;
            with_value.push(Attribute::Value(clear.to_vec()));
            let created = session.create_object(&with_value);
            clear = [0; 16];
            core::hint::black_box(&clear);
            let key =
                created.map_err(|e| SecurityError::Device(format!("the token failed to create a working key: {e}")))?;
            (key, KeyInstall::DecryptedAndCreated)
        }
    };
    let check = Pkcs11SecurityModule::encrypt_block(session, key, [0; 8]);
    match check {
        Ok([a, b, c, d, ..]) if [a, b, c, d] == encrypted.check_value => Ok((key, how)),
        other => {
            let _ = session.destroy_object(key);
            other.and(Err(SecurityError::CheckValueMismatch(kind)))
        }
    }
}

impl SecurityModule for Pkcs11SecurityModule {
    fn load_working_keys(&mut self, keys: &WorkingKeys) -> Result<(), SecurityError> {
        let session = self.token.session();
        let tmk = Token::key(&session, self.token.tmk_label()).map_err(device)?;
        // All three, checked, before any replaces the keys in use (all-or-nothing).
        let mut installed: Vec<ObjectHandle> = Vec::with_capacity(3);
        let mut how = KeyInstall::Unwrapped;
        for (encrypted, kind) in [
            (&keys.pik, KeyKind::Pin),
            (&keys.mak, KeyKind::Mac),
            (&keys.tdk, KeyKind::TrackData),
        ] {
            match install(&session, tmk, encrypted, kind) {
                Ok((key, by)) => {
                    installed.push(key);
                    if by == KeyInstall::DecryptedAndCreated {
                        how = by;
                    }
                }
                Err(e) => {
                    for key in installed {
                        let _ = session.destroy_object(key);
                    }
                    return Err(e);
                }
            }
        }
        let [pik, mak, tdk] = <[ObjectHandle; 3]>::try_from(installed)
            .map_err(|_| SecurityError::Device("three working keys were expected".into()))?;
        if let Some(old) = self.keys.replace(Installed { pik, mak, tdk }) {
            for key in old.all() {
                let _ = session.destroy_object(key);
            }
        }
        self.installed_by = Some(how);
        Ok(())
    }

    fn mac(&mut self, mac_block: &[u8]) -> Result<[u8; 8], SecurityError> {
        let mak = self.keys.ok_or(SecurityError::KeysNotLoaded)?.mak;
        // The MAC's two encryptions are 3DES-CBC with a zero IV over the two expanded blocks:
        // one call to the token instead of two.
        let (first, last) = crypto::cup_mac_input(mac_block);
        let mut input = [0u8; 16];
        for (slot, byte) in input.iter_mut().zip(first.into_iter().chain(last)) {
            *slot = byte;
        }
        let session = self.token.session();
        let out = session
            .encrypt(&Mechanism::Des3Cbc([0; 8]), mak, &input)
            .map_err(|e| SecurityError::Device(format!("the token failed to MAC: {e}")))?;
        let last_block = out
            .get(8..16)
            .and_then(|b| <[u8; 8]>::try_from(b).ok())
            .ok_or_else(|| SecurityError::Device(format!("the token returned {} bytes for two blocks", out.len())))?;
        Ok(crypto::cup_mac_output(last_block))
    }

    fn seal(&mut self, block: [u8; 16]) -> Result<[u8; 16], SecurityError> {
        self.card_data(block, true)
    }

    fn unseal(&mut self, sealed: [u8; 16]) -> Result<[u8; 16], SecurityError> {
        self.card_data(sealed, false)
    }

    fn pin_block(&mut self, pan: &str) -> Result<[u8; 8], SecurityError> {
        // Taken first: a PIN typed for a transaction that failed must not serve the next one.
        let pin = self.pin_pad.take()?;
        let pik = self.keys.ok_or(SecurityError::KeysNotLoaded)?.pik;
        let mut clear = crypto::clear_pin_block(pin.digits(), pan)?;
        drop(pin);
        let session = self.token.session();
        let block = Pkcs11SecurityModule::encrypt_block(&session, pik, clear);
        clear = [0; 8];
        core::hint::black_box(&clear);
        block
    }
}
