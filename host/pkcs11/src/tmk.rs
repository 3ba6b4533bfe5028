//! Importing the terminal master key: key components (each held by one custodian) are combined
//! by XOR and the result is created in the token as a key that cannot be read back.

use cryptoki::object::{Attribute, KeyType, ObjectClass};
use pos_kernel::security::crypto::{self, Key};

use crate::error::call;
use crate::{Token, TokenError};

/// What was loaded: the check values the custodians compare with their key sheets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TmkLoaded {
    /// The check value of each component, in the order given.
    pub components: Vec<[u8; 4]>,
    /// The check value of the combined TMK (what the acquirer's key sheet shows).
    pub tmk: [u8; 4],
    /// A key with the same label was replaced.
    pub replaced: bool,
}

/// A check value as the key sheets print it: 8 upper-case hex digits.
pub fn check_value_hex(check_value: &[u8; 4]) -> String {
    check_value.iter().map(|b| format!("{b:02X}")).collect()
}

/// One key component: 32 hex digits (spaces between groups allowed, as key sheets print them).
pub fn parse_component(text: &str) -> Result<Key, TokenError> {
    let digits: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let bad = || {
        TokenError::BadComponent(format!(
            "a TMK component is 32 hex digits (a double-length key), got {} characters",
            digits.chars().count()
        ))
    };
    if digits.len() != 32 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad());
    }
    let mut key = [0u8; 16];
    for (byte, pair) in key.iter_mut().zip(digits.as_bytes().chunks_exact(2)) {
        let pair = core::str::from_utf8(pair).map_err(|_| bad())?;
        *byte = u8::from_str_radix(pair, 16).map_err(|_| bad())?;
    }
    Ok(key)
}

impl Token {
    /// Combines `components` (XOR) into the TMK and creates it in the token under the configured
    /// label: sensitive, not extractable, usable only to decrypt and unwrap working keys. An
    /// existing key with that label is kept unless `replace`.
    pub fn load_tmk(&self, components: &[Key], replace: bool) -> Result<TmkLoaded, TokenError> {
        if components.is_empty() {
            return Err(TokenError::BadComponent("no TMK component was given".into()));
        }
        let mut tmk = [0u8; 16];
        for component in components {
            for (t, c) in tmk.iter_mut().zip(component) {
                *t ^= c;
            }
        }
        if tmk == [0; 16] || components.windows(2).any(|pair| pair.first() == pair.get(1)) {
            return Err(TokenError::BadComponent(
                "the components cancel out or repeat: each custodian's component must be different".into(),
            ));
        }
        let loaded = TmkLoaded {
            components: components.iter().map(crypto::check_value).collect(),
            tmk: crypto::check_value(&tmk),
            replaced: false,
        };
        let _writes = Token::object_writes();
        let session = self.session();
        let label = self.tmk_label().to_owned();
        let existing = match Token::key(&session, &label) {
            Ok(handle) => Some(handle),
            Err(TokenError::NoKey { .. }) => None,
            Err(e) => return Err(e),
        };
        if existing.is_some() && !replace {
            return Err(TokenError::KeyExists { label });
        }
        let template = [
            Attribute::Class(ObjectClass::SECRET_KEY),
            Attribute::KeyType(KeyType::DES2),
            Attribute::Label(label.into_bytes()),
            Attribute::Token(true),
            Attribute::Private(true),
            Attribute::Sensitive(true),
            Attribute::Extractable(false),
            Attribute::Decrypt(true),
            Attribute::Unwrap(true),
            Attribute::Encrypt(false),
            Attribute::Wrap(false),
            Attribute::Value(tmk.to_vec()),
        ];
        let created = session.create_object(&template).map_err(call("create the TMK"));
        // The clear key was needed only for the template.
        tmk = [0; 16];
        core::hint::black_box(&tmk);
        created?;
        let replaced = match existing {
            Some(old) => {
                session.destroy_object(old).map_err(call("remove the old TMK"))?;
                true
            }
            None => false,
        };
        Ok(TmkLoaded { replaced, ..loaded })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn components_are_32_hex_digits_with_optional_spaces() {
        assert_eq!(
            parse_component("0123 4567 89AB CDEF FEDC BA98 7654 3210").unwrap(),
            crypto::TEST_TMK
        );
        for bad in [
            "",
            "0123",
            "0123456789ABCDEFFEDCBA987654321G",
            "0123456789ABCDEFFEDCBA98765432100",
        ] {
            assert!(parse_component(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn check_values_print_as_on_a_key_sheet() {
        assert_eq!(check_value_hex(&[0x08, 0xD7, 0xB4, 0xFB]), "08D7B4FB");
    }
}
