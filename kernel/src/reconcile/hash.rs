//! The hash maps of the reconciliation.

use std::collections::HashMap;

/// A multiplicative hasher (Fx-style) for the matcher's keys: the keys are ours (packed numbers,
/// terminal ids of the merchant's own statement), not an attacker's, and SipHash's cost
/// dominated matching millions of entries.
#[derive(Clone, Copy, Default)]
pub struct FastHasher(u64);

impl core::hash::Hasher for FastHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            for (w, b) in word.iter_mut().zip(chunk) {
                *w = *b;
            }
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

pub type FastMap<K, V> = HashMap<K, V, core::hash::BuildHasherDefault<FastHasher>>;
