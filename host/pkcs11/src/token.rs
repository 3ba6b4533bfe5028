//! One logged-in session on the terminal's token, shared by every security module the host makes
//! (a restarted kernel instance gets a new module on the same session).

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error, RvError};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::types::AuthPin;

use crate::error::call;
use crate::{TokenError, UserPin};

/// Where the token is and what its keys are called (`[security]` in posterm's `config.toml`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenConfig {
    /// The PKCS#11 library (SoftHSM2: `/usr/lib/softhsm/libsofthsm2.so`).
    pub library: PathBuf,
    /// The token's label.
    pub token_label: String,
    /// The label of the terminal master key object.
    pub tmk_label: String,
    /// The label of the card data key (AES-256) that seals the PANs the journal keeps.
    pub data_key_label: String,
}

/// A logged-in read-write session on the token.
pub struct Token {
    session: Mutex<Session>,
    tmk_label: String,
    data_key_label: String,
}

impl core::fmt::Debug for Token {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Token")
            .field("tmk_label", &self.tmk_label)
            .finish_non_exhaustive()
    }
}

/// The process's one context of the PKCS#11 library at `path`, loaded and initialised on first
/// use. A library is initialised once per process, and finalising it ends every session in the
/// process, so every token and test shares this one and it is never finalised.
pub fn context(path: &Path) -> Result<Pkcs11, TokenError> {
    static CONTEXTS: OnceLock<Mutex<Vec<(PathBuf, Pkcs11)>>> = OnceLock::new();
    let mut contexts = CONTEXTS
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if let Some((_, pkcs11)) = contexts.iter().find(|(p, _)| p == path) {
        return Ok(pkcs11.clone());
    }
    let library = |cause: String| TokenError::Library {
        path: path.display().to_string(),
        cause,
    };
    let pkcs11 = Pkcs11::new(path).map_err(|e| library(e.to_string()))?;
    match pkcs11.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
        Ok(()) | Err(Error::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => {}
        Err(e) => return Err(library(e.to_string())),
    }
    contexts.push((path.to_owned(), pkcs11.clone()));
    Ok(pkcs11)
}

impl Token {
    /// Loads the library, finds the token by its label and logs in as its user.
    pub fn open(config: &TokenConfig, pin: &UserPin) -> Result<Token, TokenError> {
        let pkcs11 = context(&config.library)?;
        let slots = pkcs11
            .get_slots_with_initialized_token()
            .map_err(call("list its slots"))?;
        let mut found = Vec::new();
        let mut slot = None;
        for candidate in slots {
            let info = pkcs11.get_token_info(candidate).map_err(call("describe a token"))?;
            let label = info.label().trim_end().to_owned();
            if label == config.token_label {
                slot = Some(candidate);
                break;
            }
            found.push(label);
        }
        let slot = slot.ok_or_else(|| TokenError::NoToken {
            label: config.token_label.clone(),
            found,
        })?;
        let session = pkcs11.open_rw_session(slot).map_err(call("open a session"))?;
        let auth = AuthPin::from(pin.as_str().to_owned());
        match session.login(UserType::User, Some(&auth)) {
            Ok(()) | Err(Error::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => {}
            Err(Error::Pkcs11(RvError::PinIncorrect | RvError::PinInvalid | RvError::PinLenRange, _)) => {
                return Err(TokenError::Login(format!(
                    "the token `{}` refused the user PIN",
                    config.token_label
                )))
            }
            Err(e) => return Err(TokenError::Login(e.to_string())),
        }
        Ok(Token {
            session: Mutex::new(session),
            tmk_label: config.tmk_label.clone(),
            data_key_label: config.data_key_label.clone(),
        })
    }

    /// Creating or destroying token objects (the TMK, the card data key), one at a time in this
    /// process: SoftHSM2 2.6's file object store fails now and then (`CKR_GENERAL_ERROR`,
    /// `CKR_TEMPLATE_INCONSISTENT`) when sessions of one process create token objects at once
    /// (2 of 30 runs of tests/softhsm.rs, whose tests load TMKs in parallel). Such writes happen
    /// once per key load, so serializing them costs nothing; the lookups that decide them are
    /// inside the same lock.
    pub(crate) fn object_writes() -> MutexGuard<'static, ()> {
        static WRITES: Mutex<()> = Mutex::new(());
        WRITES.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The session, for one operation at a time.
    pub(crate) fn session(&self) -> MutexGuard<'_, Session> {
        // A panic while holding the session leaves a usable session: the token keeps no
        // half-done state across calls that this module relies on.
        self.session.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn tmk_label(&self) -> &str {
        &self.tmk_label
    }

    pub(crate) fn data_key_label(&self) -> &str {
        &self.data_key_label
    }

    /// Generates the card data key in the token unless it is there: AES-256, made by the token
    /// (its value never exists outside it), sensitive, not extractable, for encrypt and decrypt
    /// only. Returns whether it was generated now. A journal's sealed cards can be revealed only
    /// with the key that sealed them: it is never replaced.
    pub fn ensure_data_key(&self) -> Result<bool, TokenError> {
        let _writes = Token::object_writes();
        let session = self.session();
        match Token::key(&session, &self.data_key_label) {
            Ok(_) => return Ok(false),
            Err(TokenError::NoKey { .. }) => {}
            Err(e) => return Err(e),
        }
        let template = [
            Attribute::Class(ObjectClass::SECRET_KEY),
            Attribute::KeyType(KeyType::AES),
            Attribute::ValueLen(32.into()),
            Attribute::Label(self.data_key_label.as_bytes().to_vec()),
            Attribute::Token(true),
            Attribute::Private(true),
            Attribute::Sensitive(true),
            Attribute::Extractable(false),
            Attribute::Encrypt(true),
            Attribute::Decrypt(true),
            Attribute::Wrap(false),
            Attribute::Unwrap(false),
        ];
        session
            .generate_key(&Mechanism::AesKeyGen, &template)
            .map_err(call("generate the card data key"))?;
        Ok(true)
    }

    /// The one secret key labelled `label` among the token's objects.
    pub(crate) fn key(session: &Session, label: &str) -> Result<ObjectHandle, TokenError> {
        let template = [
            Attribute::Class(ObjectClass::SECRET_KEY),
            Attribute::Label(label.as_bytes().to_vec()),
        ];
        let found = session.find_objects(&template).map_err(call("look up a key"))?;
        match found.as_slice() {
            [one] => Ok(*one),
            [] => Err(TokenError::NoKey {
                label: label.to_owned(),
            }),
            _ => Err(TokenError::AmbiguousKey {
                label: label.to_owned(),
            }),
        }
    }

    /// Whether the terminal master key is in the token.
    pub fn has_tmk(&self) -> Result<bool, TokenError> {
        match Token::key(&self.session(), &self.tmk_label) {
            Ok(_) => Ok(true),
            Err(TokenError::NoKey { .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }
}
