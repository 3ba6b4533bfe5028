//! Known-answer and round-trip tests for `pos_kernel::security` (docs/profile.md §5, §6).
//!
//! Every expected value below was computed independently of the code under test, with Python 3
//! and pycryptodome 4.4.0 (`pip install pycryptodome`), using this reference implementation
//! written from docs/profile.md §5 (referred to as "the reference helpers" in the comments):
//!
//! ```python
//! from Crypto.Cipher import DES3
//! H = bytes.fromhex
//! def enc(k, b): return DES3.new(k, DES3.MODE_ECB).encrypt(b)   # 16-byte key = K1 K2 K1
//! def dec(k, b): return DES3.new(k, DES3.MODE_ECB).decrypt(b)
//! def kcv(k): return enc(k, bytes(8))[:4]
//! def cup_mac(mak, mab):
//!     mab = mab + bytes(-len(mab) % 8)                 # zero-pad to a multiple of 8
//!     x = bytes(8)
//!     for i in range(0, len(mab), 8):                 # XOR all blocks
//!         x = bytes(a ^ b for a, b in zip(x, mab[i:i+8]))
//!     h = x.hex().upper().encode()                     # 16 upper-case ASCII chars
//!     e = enc(mak, h[:8])                              # encrypt the first 8
//!     e = enc(mak, bytes(a ^ b for a, b in zip(e, h[8:])))  # XOR last 8, encrypt again
//!     return e.hex().upper().encode()[:8]              # hex-expand, first 8 chars
//! def pinblock(pin, pan):                              # ISO 9564 format 0
//!     pf = H(("%02d" % len(pin) + pin).ljust(16, "F"))  # 0L PPPP... FFF
//!     af = H("0000" + pan[:-1][-12:])                  # rightmost 12 digits without check digit
//!     return bytes(a ^ b for a, b in zip(pf, af))
//! TMK = H("0123456789ABCDEFFEDCBA9876543210")
//! PIK = H("11223344556677888877665544332211")
//! MAK = H("A1B2C3D4E5F60718293A4B5C6D7E8F90")
//! TDK = H("0F1E2D3C4B5A69788796A5B4C3D2E1F0")
//! ```
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::expect_used, clippy::panic)]

use pos_kernel::security::crypto::{
    check_value, clear_pin_block, cup_mac, decrypt_key, encrypt_key, pin_from_clear_block, tdes_decrypt_block,
    tdes_encrypt_block, Key, TEST_TMK,
};
use pos_kernel::security::{EncryptedKey, KeyKind, SecurityError, SecurityModule, SoftwareSecurityModule, WorkingKeys};
use wasm_bindgen_test::wasm_bindgen_test;

/// The cardholder types `pin` on the module's PIN pad, then the kernel asks for the block.
fn typed(module: &mut SoftwareSecurityModule, pin: &str, pan: &str) -> Result<[u8; 8], SecurityError> {
    module.pin_pad().enter(pin)?;
    module.pin_block(pan)
}

fn h<const N: usize>(s: &str) -> [u8; N] {
    hex::decode(s).unwrap().try_into().unwrap()
}

const PIK: &str = "11223344556677888877665544332211";
const MAK: &str = "A1B2C3D4E5F60718293A4B5C6D7E8F90";
const TDK: &str = "0F1E2D3C4B5A69788796A5B4C3D2E1F0";

// The F62 of the three keys above under the test TMK. Python:
//   f62 = b"".join(enc(TMK, k) + kcv(k) for k in (PIK, MAK, TDK)); f62.hex().upper()
const F62_HEX: &str = "3EB3B72576BBBE832532DF5DD75880D3491510CA\
                       FD7AF640961CDB8B5CCFBE13B358FE6E76CDB553\
                       BDBE59C77CF56415BAB6EAD19B49AD8C819DB114";

fn f62() -> Vec<u8> {
    hex::decode(F62_HEX).unwrap()
}

fn loaded_module() -> SoftwareSecurityModule {
    let mut module = SoftwareSecurityModule::with_test_keys();
    module
        .load_working_keys(&WorkingKeys::from_f62(&f62()).unwrap())
        .unwrap();
    module
}

// ---------------------------------------------------------------------------------------------
// Known answers
// ---------------------------------------------------------------------------------------------

#[wasm_bindgen_test(unsupported = test)]
fn test_tmk_constant_matches_profile() {
    assert_eq!(TEST_TMK, h::<16>("0123456789ABCDEFFEDCBA9876543210"));
}

// Python: enc(TMK, bytes(8)).hex().upper()              -> '08D7B4FB629D0885'
//         enc(TMK, H("0123456789ABCDEF")).hex().upper() -> '1A4D672DCA6CB335'
#[wasm_bindgen_test(unsupported = test)]
fn kat_tdes_encrypt_with_test_tmk() {
    assert_eq!(tdes_encrypt_block(&TEST_TMK, [0; 8]), h("08D7B4FB629D0885"));
    assert_eq!(
        tdes_encrypt_block(&TEST_TMK, h("0123456789ABCDEF")),
        h("1A4D672DCA6CB335")
    );
}

// Python: dec(TMK, H("0123456789ABCDEF")).hex().upper() -> 'AC80CF3A96F3104A'
//         dec(TMK, H("08D7B4FB629D0885")).hex()         -> '0000000000000000'
#[wasm_bindgen_test(unsupported = test)]
fn kat_tdes_decrypt_with_test_tmk() {
    assert_eq!(
        tdes_decrypt_block(&TEST_TMK, h("0123456789ABCDEF")),
        h("AC80CF3A96F3104A")
    );
    assert_eq!(tdes_decrypt_block(&TEST_TMK, h("08D7B4FB629D0885")), [0; 8]);
}

// Python: kcv(TMK).hex().upper() -> '08D7B4FB'   (also the widely published KCV 08D7B4 of this key)
//         kcv(PIK).hex().upper() -> '491510CA'
//         kcv(MAK).hex().upper() -> '76CDB553'
//         kcv(TDK).hex().upper() -> '819DB114'
#[wasm_bindgen_test(unsupported = test)]
fn kat_check_values() {
    assert_eq!(check_value(&TEST_TMK), h("08D7B4FB"));
    assert_eq!(check_value(&h(PIK)), h("491510CA"));
    assert_eq!(check_value(&h(MAK)), h("76CDB553"));
    assert_eq!(check_value(&h(TDK)), h("819DB114"));
}

// Python: (enc(TMK, PIK) + kcv(PIK)).hex().upper()
//         -> '3EB3B72576BBBE832532DF5DD75880D3' + '491510CA'
//         (enc(TMK, MAK) + kcv(MAK)).hex().upper()
//         -> 'FD7AF640961CDB8B5CCFBE13B358FE6E' + '76CDB553'
#[wasm_bindgen_test(unsupported = test)]
fn kat_encrypt_key_under_test_tmk() {
    assert_eq!(
        encrypt_key(&TEST_TMK, &h(PIK)),
        EncryptedKey {
            key: h("3EB3B72576BBBE832532DF5DD75880D3"),
            check_value: h("491510CA"),
        }
    );
    assert_eq!(
        encrypt_key(&TEST_TMK, &h(MAK)),
        EncryptedKey {
            key: h("FD7AF640961CDB8B5CCFBE13B358FE6E"),
            check_value: h("76CDB553"),
        }
    );
}

// F62_HEX above (Python: b"".join(enc(TMK, k) + kcv(k) for k in (PIK, MAK, TDK))) decrypts to
// the three clear keys.
#[wasm_bindgen_test(unsupported = test)]
fn kat_f62_decrypts_to_clear_keys() {
    let keys = WorkingKeys::from_f62(&f62()).unwrap();
    assert_eq!(decrypt_key(&TEST_TMK, &keys.pik, KeyKind::Pin), Ok(h(PIK)));
    assert_eq!(decrypt_key(&TEST_TMK, &keys.mak, KeyKind::Mac), Ok(h(MAK)));
    assert_eq!(decrypt_key(&TEST_TMK, &keys.tdk, KeyKind::TrackData), Ok(h(TDK)));
    assert_eq!(encrypt_key(&TEST_TMK, &h(TDK)), keys.tdk);
}

// Python: cup_mac(MAK, H("0200302004"))  -> b'D61D7AA1'
//   (by hand: XOR of the padded block = 02 00 30 20 04 00 00 00, hex-expanded "0200302004000000")
#[wasm_bindgen_test(unsupported = test)]
fn kat_cup_mac_short_block() {
    assert_eq!(cup_mac(&h(MAK), &h::<5>("0200302004")), *b"D61D7AA1");
}

// Python: mab = H("020070200580") + b"6225760012345678" + H("000000000000010000000123")
//         len(mab) -> 34 (4 full blocks + 2 bytes);  cup_mac(MAK, mab) -> b'46151DD3'
#[wasm_bindgen_test(unsupported = test)]
fn kat_cup_mac_multi_block_unaligned() {
    let mut mab = hex::decode("020070200580").unwrap();
    mab.extend_from_slice(b"6225760012345678");
    mab.extend_from_slice(&hex::decode("000000000000010000000123").unwrap());
    assert_eq!(mab.len(), 34);
    assert_eq!(cup_mac(&h(MAK), &mab), *b"46151DD3");
}

// Python: cup_mac(MAK, H("02003020048020C098110000000000000001000000014631")) -> b'B504CEC7'
//         (24 bytes, exactly 3 blocks: no padding)
//         cup_mac(MAK, b"") -> b'CEE1405A'
#[wasm_bindgen_test(unsupported = test)]
fn kat_cup_mac_aligned_and_empty() {
    let mab = hex::decode("02003020048020C098110000000000000001000000014631").unwrap();
    assert_eq!(cup_mac(&h(MAK), &mab), *b"B504CEC7");
    assert_eq!(cup_mac(&h(MAK), &[]), *b"CEE1405A");
}

// Hand-computed classic example: PIN 1234, PAN 4111111111111111
//   PIN field 04 12 34 FF FF FF FF FF, PAN field 00 00 11 11 11 11 11 11 -> 041225EEEEEEEEEE
// Python: pinblock("123456", "6225760012345678").hex().upper()    -> '06126336FEDCBA98'
//   (by hand: 06123456FFFFFFFF xor 0000576001234567)
//         pinblock("123456", "6210981234567890123").hex().upper() -> '06122662A9876FED'
//   (by hand: 06123456FFFFFFFF xor 0000123456789012: "621098123456789012", last 12 digits)
#[wasm_bindgen_test(unsupported = test)]
fn kat_clear_pin_block() {
    assert_eq!(clear_pin_block("1234", "4111111111111111"), Ok(h("041225EEEEEEEEEE")));
    assert_eq!(clear_pin_block("123456", "6225760012345678"), Ok(h("06126336FEDCBA98")));
    assert_eq!(
        clear_pin_block("123456", "6210981234567890123"),
        Ok(h("06122662A9876FED"))
    );
}

// Python: enc(PIK, pinblock("123456", "6225760012345678")).hex().upper()    -> '34A32F9A868D86D2'
//         enc(PIK, pinblock("123456", "6210981234567890123")).hex().upper() -> '5B1C6693FCEA1913'
#[wasm_bindgen_test(unsupported = test)]
fn kat_encrypted_pin_block() {
    let pik: Key = h(PIK);
    assert_eq!(
        tdes_encrypt_block(&pik, clear_pin_block("123456", "6225760012345678").unwrap()),
        h("34A32F9A868D86D2")
    );
    assert_eq!(
        tdes_encrypt_block(&pik, clear_pin_block("123456", "6210981234567890123").unwrap()),
        h("5B1C6693FCEA1913")
    );
}

// End to end through the software module: load F62_HEX under the test TMK, then the MAC and
// encrypted PIN blocks must equal the Python values from the tests above.
#[wasm_bindgen_test(unsupported = test)]
fn kat_software_module_after_sign_on() {
    let mut module = loaded_module();
    assert_eq!(module.mac(&h::<5>("0200302004")), Ok(*b"D61D7AA1"));
    assert_eq!(module.mac(&[]), Ok(*b"CEE1405A"));
    assert_eq!(
        typed(&mut module, "123456", "6225760012345678"),
        Ok(h("34A32F9A868D86D2"))
    );
    assert_eq!(
        typed(&mut module, "123456", "6210981234567890123"),
        Ok(h("5B1C6693FCEA1913"))
    );
}

// ---------------------------------------------------------------------------------------------
// Round trips and properties
// ---------------------------------------------------------------------------------------------

#[wasm_bindgen_test(unsupported = test)]
fn tdes_block_round_trip() {
    for seed in 0u8..=255 {
        let block = [seed, seed ^ 0x5A, 1, 2, 3, seed, 0xFF, seed.wrapping_mul(7)];
        let key: Key = core::array::from_fn(|i| seed.wrapping_add(u8::try_from(i).unwrap()).wrapping_mul(31));
        assert_eq!(tdes_decrypt_block(&key, tdes_encrypt_block(&key, block)), block);
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn encrypt_decrypt_key_round_trip() {
    let kek: Key = h("00112233445566778899AABBCCDDEEFF");
    for (clear, kind) in [
        (h(PIK), KeyKind::Pin),
        (h(MAK), KeyKind::Mac),
        (h(TDK), KeyKind::TrackData),
        (TEST_TMK, KeyKind::Mac),
    ] {
        let wrapped = encrypt_key(&kek, &clear);
        assert_ne!(wrapped.key, clear);
        assert_eq!(wrapped.check_value, check_value(&clear));
        assert_eq!(decrypt_key(&kek, &wrapped, kind), Ok(clear));
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn decrypt_key_rejects_wrong_check_value_with_kind() {
    for kind in [KeyKind::Pin, KeyKind::Mac, KeyKind::TrackData] {
        let mut wrapped = encrypt_key(&TEST_TMK, &h(MAK));
        wrapped.check_value[3] ^= 0x01;
        assert_eq!(
            decrypt_key(&TEST_TMK, &wrapped, kind),
            Err(SecurityError::CheckValueMismatch(kind))
        );
    }
    // A corrupted key (correct check value for the original) is rejected too.
    let mut wrapped = encrypt_key(&TEST_TMK, &h(PIK));
    wrapped.key[15] ^= 0x80;
    assert_eq!(
        decrypt_key(&TEST_TMK, &wrapped, KeyKind::Pin),
        Err(SecurityError::CheckValueMismatch(KeyKind::Pin))
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn f62_round_trip() {
    let bytes = f62();
    let keys = WorkingKeys::from_f62(&bytes).unwrap();
    assert_eq!(keys.pik.key, h::<16>("3EB3B72576BBBE832532DF5DD75880D3"));
    assert_eq!(keys.pik.check_value, h::<4>("491510CA"));
    assert_eq!(keys.mak.check_value, h::<4>("76CDB553"));
    assert_eq!(keys.tdk.check_value, h::<4>("819DB114"));
    assert_eq!(keys.to_f62(), bytes);
    assert_eq!(keys.to_f62().len(), WorkingKeys::F62_LENGTH);

    let built = WorkingKeys {
        pik: encrypt_key(&TEST_TMK, &h(PIK)),
        mak: encrypt_key(&TEST_TMK, &h(MAK)),
        tdk: encrypt_key(&TEST_TMK, &h(TDK)),
    };
    assert_eq!(built, keys);
    assert_eq!(WorkingKeys::from_f62(&built.to_f62()), Ok(built));
}

#[wasm_bindgen_test(unsupported = test)]
fn f62_wrong_length_is_bad_key_block() {
    assert_eq!(WorkingKeys::F62_LENGTH, 60);
    let bytes = f62();
    for length in [0, 1, 20, 40, 59] {
        assert_eq!(
            WorkingKeys::from_f62(&bytes[..length]),
            Err(SecurityError::BadKeyBlock { length })
        );
    }
    let mut long = bytes.clone();
    long.push(0);
    assert_eq!(
        WorkingKeys::from_f62(&long),
        Err(SecurityError::BadKeyBlock { length: 61 })
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn working_keys_serde_round_trip() {
    let keys = WorkingKeys::from_f62(&f62()).unwrap();
    let json = serde_json::to_string(&keys).unwrap();
    assert_eq!(serde_json::from_str::<WorkingKeys>(&json).unwrap(), keys);
    let kind = serde_json::to_string(&KeyKind::TrackData).unwrap();
    assert_eq!(serde_json::from_str::<KeyKind>(&kind).unwrap(), KeyKind::TrackData);
}

#[wasm_bindgen_test(unsupported = test)]
fn cup_mac_pads_with_zeros() {
    let mak: Key = h(MAK);
    let mab = b"0200 some message bytes".to_vec(); // 23 bytes
    let mut padded = mab.clone();
    padded.push(0);
    assert_eq!(cup_mac(&mak, &mab), cup_mac(&mak, &padded));
    // Any changed byte changes the MAC.
    let mut changed = mab.clone();
    changed[0] ^= 1;
    assert_ne!(cup_mac(&mak, &mab), cup_mac(&mak, &changed));
    // Output is 8 upper-case hex ASCII characters.
    assert!(cup_mac(&mak, &mab)
        .iter()
        .all(|c| c.is_ascii_digit() || (b'A'..=b'F').contains(c)));
}

#[wasm_bindgen_test(unsupported = test)]
fn pin_from_clear_block_is_inverse() {
    let pans = [
        "6225760012345",
        "62257600123456",
        "622576001234567",
        "6225760012345678",
        "62257600123456789",
        "622576001234567890",
        "6210981234567890123",
    ];
    let pins = [
        "1234",
        "00000",
        "123456",
        "9876543",
        "11111111",
        "999999999",
        "0123456789",
        "01234567890",
        "987654321098",
    ];
    for pan in pans {
        for pin in pins {
            let block = clear_pin_block(pin, pan).unwrap();
            assert_eq!(pin_from_clear_block(block, pan).unwrap(), pin);
        }
    }
    assert_eq!(
        pin_from_clear_block(h("06126336FEDCBA98"), "6225760012345678").unwrap(),
        "123456"
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn pin_from_clear_block_rejects_malformed_blocks() {
    let pan = "6225760012345678";
    let good = clear_pin_block("123456", pan).unwrap();
    // The block checked against a different PAN does not decode.
    assert_eq!(
        pin_from_clear_block(good, "6225760099999998"),
        Err(SecurityError::InvalidPin)
    );
    let pan_field = h::<8>("0000576001234567");
    let xor = |field: [u8; 8]| -> [u8; 8] { core::array::from_fn(|i| field[i] ^ pan_field[i]) };
    for field in [
        "16123456FFFFFFFF", // control nibble not 0
        "03123FFFFFFFFFFF", // length 3
        "0D1234567890123F", // length 13
        "0612345AFFFFFFFF", // non-digit in the PIN
        "06123456FFFFFFFE", // filler not F
        "06123456FFFF0FFF", // filler not F
    ] {
        assert_eq!(
            pin_from_clear_block(xor(h(field)), pan),
            Err(SecurityError::InvalidPin),
            "{field}"
        );
    }
    assert_eq!(pin_from_clear_block(good, "12345"), Err(SecurityError::InvalidPan));
}

#[wasm_bindgen_test(unsupported = test)]
fn invalid_pin_and_pan_rejected() {
    let pan = "6225760012345678";
    for pin in ["", "123", "1234567890123", "12a4", "12 34", "１２３４"] {
        assert_eq!(clear_pin_block(pin, pan), Err(SecurityError::InvalidPin), "{pin}");
    }
    for bad_pan in [
        "",
        "622576001234",
        "62257600123456789012",
        "622576001234567X",
        "6225-7600-1234-5678",
    ] {
        assert_eq!(
            clear_pin_block("1234", bad_pan),
            Err(SecurityError::InvalidPan),
            "{bad_pan}"
        );
    }
    let mut module = loaded_module();
    assert_eq!(typed(&mut module, "12", pan), Err(SecurityError::InvalidPin));
    assert_eq!(typed(&mut module, "1234", "4111"), Err(SecurityError::InvalidPan));
}

// ---------------------------------------------------------------------------------------------
// Software module behaviour
// ---------------------------------------------------------------------------------------------

#[wasm_bindgen_test(unsupported = test)]
fn keys_not_loaded_before_sign_on() {
    let mut module = SoftwareSecurityModule::with_test_keys();
    assert_eq!(module.mac(b"0200"), Err(SecurityError::KeysNotLoaded));
    assert_eq!(
        typed(&mut module, "123456", "6225760012345678"),
        Err(SecurityError::KeysNotLoaded)
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn failed_first_load_leaves_keys_not_loaded() {
    let mut module = SoftwareSecurityModule::with_test_keys();
    let mut keys = WorkingKeys::from_f62(&f62()).unwrap();
    keys.tdk.check_value[0] ^= 0xFF;
    assert_eq!(
        module.load_working_keys(&keys),
        Err(SecurityError::CheckValueMismatch(KeyKind::TrackData))
    );
    assert_eq!(module.mac(b"0200"), Err(SecurityError::KeysNotLoaded));
}

#[wasm_bindgen_test(unsupported = test)]
fn load_reports_the_failing_key_kind() {
    let good = WorkingKeys::from_f62(&f62()).unwrap();
    type Corrupt = fn(&mut WorkingKeys);
    let cases: [(Corrupt, KeyKind); 3] = [
        (|k| k.pik.check_value[0] ^= 1, KeyKind::Pin),
        (|k| k.mak.check_value[1] ^= 1, KeyKind::Mac),
        (|k| k.tdk.key[0] ^= 1, KeyKind::TrackData),
    ];
    for (corrupt, kind) in cases {
        let mut keys = good;
        corrupt(&mut keys);
        let mut module = SoftwareSecurityModule::with_test_keys();
        assert_eq!(
            module.load_working_keys(&keys),
            Err(SecurityError::CheckValueMismatch(kind))
        );
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn load_with_wrong_tmk_fails() {
    let mut module = SoftwareSecurityModule::new(h("00112233445566778899AABBCCDDEEFF"));
    assert_eq!(
        module.load_working_keys(&WorkingKeys::from_f62(&f62()).unwrap()),
        Err(SecurityError::CheckValueMismatch(KeyKind::Pin))
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn load_is_all_or_nothing() {
    let mut module = loaded_module();
    let mab = h::<5>("0200302004");
    let old_mac = module.mac(&mab).unwrap();
    let old_pin = typed(&mut module, "123456", "6225760012345678").unwrap();
    assert_eq!(old_mac, *b"D61D7AA1");

    // New keys: PIK and TDK valid, MAK with a bad check value.
    let new_pik: Key = h("0102030405060708090A0B0C0D0E0F10");
    let new_mak: Key = h("F0E0D0C0B0A090807060504030201000");
    let mut new_keys = WorkingKeys {
        pik: encrypt_key(&TEST_TMK, &new_pik),
        mak: encrypt_key(&TEST_TMK, &new_mak),
        tdk: encrypt_key(&TEST_TMK, &h("00FF00FF00FF00FF11EE11EE11EE11EE")),
    };
    new_keys.mak.check_value = [0; 4];
    assert_eq!(
        module.load_working_keys(&new_keys),
        Err(SecurityError::CheckValueMismatch(KeyKind::Mac))
    );
    // The previous PIK and MAK are still in place.
    assert_eq!(module.mac(&mab), Ok(old_mac));
    assert_eq!(typed(&mut module, "123456", "6225760012345678"), Ok(old_pin));

    // Same with a bad TDK (the last key checked): still nothing installed.
    new_keys.mak = encrypt_key(&TEST_TMK, &new_mak);
    new_keys.tdk.check_value[2] ^= 0x10;
    assert_eq!(
        module.load_working_keys(&new_keys),
        Err(SecurityError::CheckValueMismatch(KeyKind::TrackData))
    );
    assert_eq!(module.mac(&mab), Ok(old_mac));

    // Once all three verify, the new keys replace the old ones.
    new_keys.tdk = encrypt_key(&TEST_TMK, &h("00FF00FF00FF00FF11EE11EE11EE11EE"));
    module.load_working_keys(&new_keys).unwrap();
    assert_eq!(module.mac(&mab), Ok(cup_mac(&new_mak, &mab)));
    assert_ne!(module.mac(&mab), Ok(old_mac));
    assert_eq!(
        typed(&mut module, "123456", "6225760012345678"),
        Ok(tdes_encrypt_block(
            &new_pik,
            clear_pin_block("123456", "6225760012345678").unwrap()
        ))
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn module_is_object_safe() {
    let mut boxed: Box<dyn SecurityModule> = Box::new(SoftwareSecurityModule::with_test_keys());
    boxed
        .load_working_keys(&WorkingKeys::from_f62(&f62()).unwrap())
        .unwrap();
    assert_eq!(boxed.mac(&h::<5>("0200302004")), Ok(*b"D61D7AA1"));
}

#[wasm_bindgen_test(unsupported = test)]
fn debug_does_not_print_key_material() {
    let module = loaded_module();
    let debug = format!("{module:?} {module:#?}");
    assert!(debug.contains("SoftwareSecurityModule"));
    for key in [TEST_TMK, h(PIK), h(MAK), h(TDK)] {
        let upper = hex::encode_upper(key);
        let lower = hex::encode(key);
        let decimal = format!("{:?}", key);
        let first_bytes = format!("{}, {}, {}", key[0], key[1], key[2]);
        for needle in [&upper[..8], &lower[..8], &decimal, &first_bytes] {
            assert!(!debug.contains(needle), "{debug} contains {needle}");
        }
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn errors_display() {
    let errors = [
        SecurityError::CheckValueMismatch(KeyKind::Mac),
        SecurityError::KeysNotLoaded,
        SecurityError::BadKeyBlock { length: 59 },
        SecurityError::InvalidPin,
        SecurityError::InvalidPan,
        SecurityError::Device("timeout".into()),
    ];
    for error in errors {
        let boxed: Box<dyn std::error::Error> = Box::new(error.clone());
        assert!(!boxed.to_string().is_empty());
    }
    assert!(SecurityError::BadKeyBlock { length: 59 }.to_string().contains("59"));
    assert!(SecurityError::CheckValueMismatch(KeyKind::Mac)
        .to_string()
        .contains("MAK"));
}

/// The card data block of the test card and its seal under the test data key. Expected values
/// from outside this code: the block by the layout in card_data.rs, the seal by
/// `openssl enc -aes-256-ecb -nopad -K $(printf 'pos-kernel test card data key 01' | xxd -p -c 64)`.
#[test]
fn kat_card_data_seal() {
    use pos_kernel::security::card_data::pack;
    let block = pack("6222020000000007", Some("3012")).unwrap();
    assert_eq!(block, h::<16>("166222020000000007FFF3012FFFFFFF"));
    let mut module = SoftwareSecurityModule::with_test_keys();
    let sealed = module.seal(block).unwrap();
    assert_eq!(sealed, h::<16>("5d3668df778ec9df9c7906822dfd81fd"));
    assert_eq!(module.unseal(sealed).unwrap(), block);
}
