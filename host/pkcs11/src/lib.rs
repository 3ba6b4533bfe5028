//! The terminal's security module on a PKCS#11 token: SoftHSM2 in the tests and the demo, a
//! vendor's secure element in production (docs/architecture.md, "Keys, PIN and card data").
//!
//! - The terminal master key (TMK) is imported once ([`Token::load_tmk`], `posterm keys
//!   load-tmk`) as a token object that cannot be read back (`CKA_SENSITIVE`, not
//!   `CKA_EXTRACTABLE`); no file ever holds it.
//! - At sign-on the three working keys of F62 are unwrapped under the TMK into session objects
//!   of the token ([`Pkcs11SecurityModule`]); their check values are verified in the token before
//!   any of them replaces the keys in use.
//! - The MAC and the PIN block are computed in the token (`CKM_DES3_ECB` with the MAK and the
//!   PIK). The PIN comes from the terminal's PIN pad ([`pos_kernel::security::PinPad`]), never
//!   from the kernel.
//!
//! What a vendor's secure element must support is listed in this crate's README.

mod error;
mod module;
pub mod softhsm;
mod tmk;
mod token;
mod user_pin;

pub use error::TokenError;
pub use module::{KeyInstall, Pkcs11SecurityModule};
pub use tmk::{check_value_hex, parse_component, TmkLoaded};
pub use token::{context, Token, TokenConfig};
pub use user_pin::{UserPin, USER_PIN_ENV};
