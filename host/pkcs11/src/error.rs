//! What can go wrong with the token, in words an operator or a vendor can act on.

use core::fmt;

/// An error of the token or of its configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenError {
    /// The PKCS#11 library could not be loaded or initialised.
    Library { path: String, cause: String },
    /// No slot holds a token with this label.
    NoToken { label: String, found: Vec<String> },
    /// The user PIN was refused, or could not be read.
    Login(String),
    /// The token has no key with this label.
    NoKey { label: String },
    /// More than one key has this label: which one is meant cannot be told.
    AmbiguousKey { label: String },
    /// A key with this label is already in the token.
    KeyExists { label: String },
    /// A TMK component is not 32 hex digits, or the components are unusable.
    BadComponent(String),
    /// Any other failure of a PKCS#11 call: which call, and what the token said.
    Call { what: &'static str, cause: String },
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenError::Library { path, cause } => write!(
                f,
                "cannot load the PKCS#11 library {path}: {cause} (security.pkcs11_library in config.toml; \
                 SoftHSM2's is /usr/lib/softhsm/libsofthsm2.so, from Debian's softhsm2)"
            ),
            TokenError::NoToken { label, found } if found.is_empty() => write!(
                f,
                "no token labelled `{label}`: the library shows no initialised token (for SoftHSM2: \
                 softhsm2-util --init-token --free --label {label}, with SOFTHSM2_CONF set as for posterm)"
            ),
            TokenError::NoToken { label, found } => write!(
                f,
                "no token labelled `{label}` (tokens found: {}); set security.token in config.toml",
                found.join(", ")
            ),
            TokenError::Login(cause) => write!(f, "cannot log in to the token: {cause}"),
            TokenError::NoKey { label } => write!(
                f,
                "the token has no key labelled `{label}`: load the terminal master key first (posterm keys load-tmk)"
            ),
            TokenError::AmbiguousKey { label } => write!(
                f,
                "the token holds more than one key labelled `{label}`: remove the extra ones with the token's own tool"
            ),
            TokenError::KeyExists { label } => write!(
                f,
                "the token already holds a key labelled `{label}`; nothing was changed (posterm keys load-tmk --replace \
                 replaces it)"
            ),
            TokenError::BadComponent(what) => f.write_str(what),
            TokenError::Call { what, cause } => write!(f, "the token failed to {what}: {cause}"),
        }
    }
}

impl std::error::Error for TokenError {}

/// Wraps a cryptoki error with what was being done.
pub(crate) fn call(what: &'static str) -> impl FnOnce(cryptoki::error::Error) -> TokenError {
    move |e| TokenError::Call {
        what,
        cause: e.to_string(),
    }
}
