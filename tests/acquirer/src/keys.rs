//! Deterministic working keys: each sign-on gets the next counter value, and each key is the
//! 3DES encryption of (key kind, half, counter) under a fixed generator key, with DES odd
//! parity set. Nothing random, so every run of a scenario issues the same keys.

use pos_kernel::security::crypto::{tdes_encrypt_block, Key};

use crate::terminal::ClearKeys;

/// The generator key (the ASCII bytes of `pos-acquirer-sim`). Test infrastructure only.
const GENERATOR: Key = *b"pos-acquirer-sim";

fn odd_parity(byte: u8) -> u8 {
    let high = byte & 0xFE;
    if high.count_ones().is_multiple_of(2) {
        high | 1
    } else {
        high
    }
}

fn derive(counter: u64, kind: u8) -> Key {
    let counter = counter.to_be_bytes();
    let half = |which: u8| {
        let mut block = [kind, which, 0, 0, 0, 0, 0, 0];
        for (dst, src) in block.iter_mut().skip(2).zip(counter.iter().skip(2)) {
            *dst = *src;
        }
        tdes_encrypt_block(&GENERATOR, block)
    };
    let mut key = [0u8; 16];
    for (dst, src) in key.iter_mut().zip(half(0).into_iter().chain(half(1))) {
        *dst = odd_parity(src);
    }
    key
}

/// The working keys of sign-on number `counter`.
pub(crate) fn working_keys(counter: u64) -> ClearKeys {
    ClearKeys {
        pik: derive(counter, 1),
        mak: derive(counter, 2),
        tdk: derive(counter, 3),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_differ_and_have_odd_parity() {
        let a = working_keys(1);
        let b = working_keys(2);
        assert_ne!(a.pik, a.mak);
        assert_ne!(a.mak, a.tdk);
        assert_ne!(a.mak, b.mak);
        assert_eq!(a, working_keys(1));
        assert!(a.pik.iter().all(|b| b.count_ones() % 2 == 1));
    }
}
