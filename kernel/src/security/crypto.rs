//! Pure cryptographic functions of the `cup-pos` profile (docs/profile.md §5): 3DES with
//! double-length keys, key wrapping and check values, the CUP "ECB" MAC and ISO 9564 format-0
//! PIN blocks.
//!
//! These are used by [`SoftwareSecurityModule`](super::SoftwareSecurityModule) on the terminal
//! side and by the simulated acquirer on the bank side. The cipher itself is RustCrypto's
//! `des::TdesEde2` (EDE with K1 K2 K1).

use des::cipher::{BlockDecrypt, BlockEncrypt, KeyInit};
use des::TdesEde2;

use super::{EncryptedKey, KeyKind, SecurityError};

/// A double-length 3DES key (K1 || K2, used as K1 K2 K1).
pub type Key = [u8; 16];

/// The clear test terminal master key `0123456789ABCDEFFEDCBA9876543210` (docs/profile.md §6).
/// For tests and demos only.
pub const TEST_TMK: Key = [
    0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF, 0xFE, 0xDC, 0xBA, 0x98, 0x76, 0x54, 0x32, 0x10,
];

/// The software module's card data key (AES-256), for the vectors, the unit tests and the
/// browser demo only: a key in the code protects nothing, it only makes those journals hold no
/// clear card data. posterm's data key is generated in its token and never leaves it.
pub const TEST_DATA_KEY: [u8; 32] = *b"pos-kernel test card data key 01";

const PIN_MIN_DIGITS: usize = 4;
const PIN_MAX_DIGITS: usize = 12;
const PAN_MIN_DIGITS: usize = 13;
const PAN_MAX_DIGITS: usize = 19;

fn cipher(key: &Key) -> TdesEde2 {
    TdesEde2::new(key.into())
}

/// A double-length key with its 3DES key schedule computed once (a terminal MACs and encrypts
/// PIN blocks with the same working keys for a whole day). `Debug` shows no key material.
#[derive(Clone)]
pub struct PreparedKey(TdesEde2);

impl PreparedKey {
    pub fn new(key: &Key) -> PreparedKey {
        PreparedKey(cipher(key))
    }

    /// 3DES-encrypts one 8-byte block (ECB).
    pub fn encrypt_block(&self, block: [u8; 8]) -> [u8; 8] {
        let mut block = block.into();
        self.0.encrypt_block(&mut block);
        block.into()
    }
}

impl core::fmt::Debug for PreparedKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("PreparedKey(..)")
    }
}

/// 3DES-encrypts one 8-byte block (ECB) with a double-length key.
pub fn tdes_encrypt_block(key: &Key, block: [u8; 8]) -> [u8; 8] {
    let mut block = block.into();
    cipher(key).encrypt_block(&mut block);
    block.into()
}

/// 3DES-decrypts one 8-byte block (ECB) with a double-length key.
pub fn tdes_decrypt_block(key: &Key, block: [u8; 8]) -> [u8; 8] {
    let mut block = block.into();
    cipher(key).decrypt_block(&mut block);
    block.into()
}

/// Splits a double-length key into its two 8-byte halves.
fn halves(key: &Key) -> ([u8; 8], [u8; 8]) {
    let mut left = [0u8; 8];
    let mut right = [0u8; 8];
    for (dst, src) in left.iter_mut().chain(right.iter_mut()).zip(key) {
        *dst = *src;
    }
    (left, right)
}

/// Joins two 8-byte halves into a double-length key.
fn join(left: [u8; 8], right: [u8; 8]) -> Key {
    let mut key = [0u8; 16];
    for (dst, src) in key.iter_mut().zip(left.into_iter().chain(right)) {
        *dst = src;
    }
    key
}

fn xor8(a: [u8; 8], b: [u8; 8]) -> [u8; 8] {
    let mut out = a;
    for (o, b) in out.iter_mut().zip(b) {
        *o ^= b;
    }
    out
}

/// Check value of a clear key: the first 4 bytes of 3DES-encrypting 8 zero bytes with it.
pub fn check_value(key: &Key) -> [u8; 4] {
    let [a, b, c, d, ..] = tdes_encrypt_block(key, [0; 8]);
    [a, b, c, d]
}

/// Encrypts a clear double-length key under `kek` (3DES ECB, both halves) and attaches the
/// check value of the clear key.
pub fn encrypt_key(kek: &Key, clear: &Key) -> EncryptedKey {
    let (left, right) = halves(clear);
    EncryptedKey {
        key: join(tdes_encrypt_block(kek, left), tdes_encrypt_block(kek, right)),
        check_value: check_value(clear),
    }
}

/// Decrypts a key encrypted under `kek` and verifies its check value; a mismatch is
/// [`SecurityError::CheckValueMismatch`] with `kind`.
pub fn decrypt_key(kek: &Key, encrypted: &EncryptedKey, kind: KeyKind) -> Result<Key, SecurityError> {
    let (left, right) = halves(&encrypted.key);
    let clear = join(tdes_decrypt_block(kek, left), tdes_decrypt_block(kek, right));
    if check_value(&clear) == encrypted.check_value {
        Ok(clear)
    } else {
        Err(SecurityError::CheckValueMismatch(kind))
    }
}

/// Upper-case ASCII hex digit of the low nibble of `n`.
fn hex_digit(n: u8) -> u8 {
    let n = n & 0x0F;
    if n < 10 {
        b'0' + n
    } else {
        b'A' + (n - 10)
    }
}

/// Hex-expands 8 bytes to 16 upper-case ASCII characters, split into the first and last 8.
fn hex_expand(bytes: [u8; 8]) -> ([u8; 8], [u8; 8]) {
    let mut chars = [0u8; 16];
    for (pair, byte) in chars.chunks_exact_mut(2).zip(bytes) {
        if let [hi, lo] = pair {
            *hi = hex_digit(byte >> 4);
            *lo = hex_digit(byte);
        }
    }
    halves(&chars)
}

/// The CUP "ECB" MAC (docs/profile.md §5) of `mac_block` with `mak`: zero-pad to a multiple of 8,
/// XOR all 8-byte blocks, hex-expand to 16 upper-case ASCII characters, 3DES-encrypt the first
/// 8 characters, XOR with the last 8 characters, 3DES-encrypt again, hex-expand, and return the
/// first 8 ASCII characters (the content of F64).
pub fn cup_mac(mak: &Key, mac_block: &[u8]) -> [u8; 8] {
    cup_mac_prepared(&PreparedKey::new(mak), mac_block)
}

/// [`cup_mac`] with the MAK's key schedule already computed.
pub fn cup_mac_prepared(mak: &PreparedKey, mac_block: &[u8]) -> [u8; 8] {
    let encrypted: Result<[u8; 8], core::convert::Infallible> =
        cup_mac_with(|block| Ok(mak.encrypt_block(block)), mac_block);
    match encrypted {
        Ok(mac) => mac,
        Err(never) => match never {},
    }
}

/// [`cup_mac`] with the two 3DES encryptions under the MAK done by `encrypt_with_mak` (a token
/// that holds the MAK: the key never leaves it). Everything else is done here, so every security
/// module computes the same MAC.
pub fn cup_mac_with<E>(
    mut encrypt_with_mak: impl FnMut([u8; 8]) -> Result<[u8; 8], E>,
    mac_block: &[u8],
) -> Result<[u8; 8], E> {
    let (first, last) = cup_mac_input(mac_block);
    let step = xor8(encrypt_with_mak(first)?, last);
    Ok(cup_mac_output(encrypt_with_mak(step)?))
}

/// The two 8-byte blocks the CUP MAC encrypts: the XOR of every 8-byte block of `mac_block`
/// (zero-padded), hex-expanded. The MAC's two encryptions are 3DES-CBC with a zero IV over
/// these 16 bytes, which a token does in one call ([`cup_mac_output`] of its last block).
pub fn cup_mac_input(mac_block: &[u8]) -> ([u8; 8], [u8; 8]) {
    let mut folded = [0u8; 8];
    for chunk in mac_block.chunks(8) {
        // A short last chunk is implicitly zero-padded: missing bytes XOR as zeros.
        for (acc, byte) in folded.iter_mut().zip(chunk) {
            *acc ^= byte;
        }
    }
    hex_expand(folded)
}

/// F64 from the last encrypted block: its first 4 bytes hex-expanded to 8 ASCII characters.
pub fn cup_mac_output(last: [u8; 8]) -> [u8; 8] {
    let (mac, _) = hex_expand(last);
    mac
}

fn all_digits(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit())
}

fn validate_pin(pin: &str) -> Result<(), SecurityError> {
    if (PIN_MIN_DIGITS..=PIN_MAX_DIGITS).contains(&pin.len()) && all_digits(pin) {
        Ok(())
    } else {
        Err(SecurityError::InvalidPin)
    }
}

fn validate_pan(pan: &str) -> Result<(), SecurityError> {
    if (PAN_MIN_DIGITS..=PAN_MAX_DIGITS).contains(&pan.len()) && all_digits(pan) {
        Ok(())
    } else {
        Err(SecurityError::InvalidPan)
    }
}

/// Packs 16 nibbles into 8 bytes.
fn pack(nibbles: [u8; 16]) -> [u8; 8] {
    let mut out = [0u8; 8];
    for (byte, pair) in out.iter_mut().zip(nibbles.chunks_exact(2)) {
        if let [hi, lo] = pair {
            *byte = (hi << 4) | (lo & 0x0F);
        }
    }
    out
}

/// Unpacks 8 bytes into 16 nibbles.
fn unpack(bytes: [u8; 8]) -> [u8; 16] {
    let mut out = [0u8; 16];
    for (pair, byte) in out.chunks_exact_mut(2).zip(bytes) {
        if let [hi, lo] = pair {
            *hi = byte >> 4;
            *lo = byte & 0x0F;
        }
    }
    out
}

/// The format-0 PAN field: `0000` followed by the rightmost 12 PAN digits excluding the check
/// digit. `pan` must already be validated.
fn pan_field(pan: &str) -> [u8; 8] {
    let mut nibbles = [0u8; 16];
    let digits = pan.bytes().rev().skip(1).take(12).map(|d| d & 0x0F);
    for (slot, digit) in nibbles.iter_mut().rev().zip(digits) {
        *slot = digit;
    }
    pack(nibbles)
}

/// The clear ISO 9564 format-0 PIN block: PIN field `0L PPPP…FFF` (L = number of PIN digits)
/// XOR PAN field `0000` + rightmost 12 PAN digits excluding the check digit.
///
/// `pin` must be 4..=12 decimal digits ([`SecurityError::InvalidPin`]) and `pan` 13..=19
/// decimal digits ([`SecurityError::InvalidPan`]).
pub fn clear_pin_block(pin: &str, pan: &str) -> Result<[u8; 8], SecurityError> {
    validate_pin(pin)?;
    validate_pan(pan)?;
    let length = u8::try_from(pin.len()).map_err(|_| SecurityError::InvalidPin)?;
    let mut nibbles = [0x0Fu8; 16];
    let field = [0, length].into_iter().chain(pin.bytes().map(|d| d & 0x0F));
    for (slot, nibble) in nibbles.iter_mut().zip(field) {
        *slot = nibble;
    }
    Ok(xor8(pack(nibbles), pan_field(pan)))
}

/// Recovers the PIN from a clear format-0 PIN block and the PAN (the inverse of
/// [`clear_pin_block`]), as the acquirer does to verify a PIN. A block that does not decode to
/// a well-formed format-0 PIN field (control nibble 0, length 4..=12, decimal digits, `F`
/// padding) is [`SecurityError::InvalidPin`].
pub fn pin_from_clear_block(block: [u8; 8], pan: &str) -> Result<String, SecurityError> {
    validate_pan(pan)?;
    let nibbles = unpack(xor8(block, pan_field(pan)));
    let mut iter = nibbles.into_iter();
    let (Some(0), Some(length)) = (iter.next(), iter.next()) else {
        return Err(SecurityError::InvalidPin);
    };
    let length = usize::from(length);
    if !(PIN_MIN_DIGITS..=PIN_MAX_DIGITS).contains(&length) {
        return Err(SecurityError::InvalidPin);
    }
    let mut pin = String::with_capacity(length);
    for digit in iter.by_ref().take(length) {
        if digit > 9 {
            return Err(SecurityError::InvalidPin);
        }
        pin.push(char::from(b'0' + digit));
    }
    if iter.all(|filler| filler == 0x0F) {
        Ok(pin)
    } else {
        Err(SecurityError::InvalidPin)
    }
}
