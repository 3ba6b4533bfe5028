//! The PKCS#11 security module against a SoftHSM2 token made for this test run: it computes
//! exactly what the software module computes, installs working keys all-or-nothing, and keeps
//! the TMK and the working keys unreadable.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use cryptoki::object::{Attribute, AttributeType};
use pos_kernel::security::crypto::{self, TEST_TMK};
use pos_kernel::security::{KeyKind, PinPad, SecurityError, SecurityModule, SoftwareSecurityModule, WorkingKeys};
use pos_pkcs11::softhsm::SoftHsm;
use pos_pkcs11::{KeyInstall, Pkcs11SecurityModule, Token, TokenConfig, TokenError, UserPin};

const TOKEN: &str = "pos-test";
const USER_PIN: &str = "246810";

/// One SoftHSM2 token per test process: the library reads SOFTHSM2_CONF once, when loaded.
fn softhsm() -> &'static SoftHsm {
    static HSM: OnceLock<SoftHsm> = OnceLock::new();
    HSM.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("pos-pkcs11-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let hsm = SoftHsm::create(&dir, TOKEN, USER_PIN).expect("a SoftHSM2 token (apt-get install softhsm2)");
        std::env::set_var("SOFTHSM2_CONF", &hsm.conf);
        hsm
    })
}

fn config(tmk_label: &str) -> TokenConfig {
    TokenConfig {
        library: softhsm().library.clone(),
        token_label: TOKEN.into(),
        tmk_label: tmk_label.into(),
        data_key_label: "data-key".into(),
    }
}

/// A token with the test TMK loaded under `tmk_label`, from two components.
fn token_with_tmk(tmk_label: &str) -> Arc<Token> {
    let token = Token::open(&config(tmk_label), &UserPin::new(USER_PIN)).unwrap();
    let first = [0x5Au8; 16];
    let mut second = TEST_TMK;
    second.iter_mut().zip(first).for_each(|(s, f)| *s ^= f);
    let loaded = token.load_tmk(&[first, second], false).unwrap();
    assert_eq!(loaded.tmk, crypto::check_value(&TEST_TMK));
    Arc::new(token)
}

/// Working keys as the acquirer sends them in F62, encrypted under the test TMK.
fn working_keys() -> WorkingKeys {
    WorkingKeys {
        pik: crypto::encrypt_key(&TEST_TMK, &[0x11; 16]),
        mak: crypto::encrypt_key(&TEST_TMK, &hex_key("0123456789ABCDEF1032547698BADCFE")),
        tdk: crypto::encrypt_key(&TEST_TMK, &[0x33; 16]),
    }
}

fn hex_key(text: &str) -> [u8; 16] {
    hex::decode(text).unwrap().try_into().unwrap()
}

#[test]
fn the_token_computes_what_the_software_module_computes() {
    let pad = PinPad::new();
    let mut token = Pkcs11SecurityModule::new(token_with_tmk("tmk-same"), pad.clone());
    let mut software = SoftwareSecurityModule::with_test_keys();
    token.load_working_keys(&working_keys()).unwrap();
    software.load_working_keys(&working_keys()).unwrap();
    for block in [&b""[..], b"0200302004", &[0xA5; 61][..], &[7; 800][..]] {
        assert_eq!(
            token.mac(block).unwrap(),
            software.mac(block).unwrap(),
            "MAC of {} bytes",
            block.len()
        );
    }
    for (pin, pan) in [("123456", "6222020000000007"), ("1234", "6217000000000000012")] {
        pad.enter(pin).unwrap();
        software.pin_pad().enter(pin).unwrap();
        assert_eq!(token.pin_block(pan).unwrap(), software.pin_block(pan).unwrap(), "{pan}");
    }
    // SoftHSM 2.6 has no DES unwrap: the one fallback was taken (a secure element unwraps).
    assert_eq!(token.installed_by(), Some(KeyInstall::DecryptedAndCreated));
}

#[test]
fn a_pin_block_takes_the_pin_from_the_pad_once() {
    let pad = PinPad::new();
    let mut token = Pkcs11SecurityModule::new(token_with_tmk("tmk-pad"), pad.clone());
    token.load_working_keys(&working_keys()).unwrap();
    assert_eq!(token.pin_block("6222020000000007"), Err(SecurityError::PinNotEntered));
    pad.enter("123456").unwrap();
    assert!(token.pin_block("6222020000000007").is_ok());
    assert_eq!(token.pin_block("6222020000000007"), Err(SecurityError::PinNotEntered));
}

#[test]
fn a_wrong_check_value_installs_nothing_and_keeps_the_keys_in_use() {
    let mut token = Pkcs11SecurityModule::new(token_with_tmk("tmk-check"), PinPad::new());
    let mut bad = working_keys();
    bad.mak.check_value[0] ^= 1;
    assert_eq!(
        token.load_working_keys(&bad),
        Err(SecurityError::CheckValueMismatch(KeyKind::Mac))
    );
    assert_eq!(token.mac(b"0200"), Err(SecurityError::KeysNotLoaded));
    token.load_working_keys(&working_keys()).unwrap();
    let mac = token.mac(b"0200").unwrap();
    let mut bad = working_keys();
    bad.tdk.check_value[3] ^= 0x80;
    assert_eq!(
        token.load_working_keys(&bad),
        Err(SecurityError::CheckValueMismatch(KeyKind::TrackData))
    );
    assert_eq!(token.mac(b"0200").unwrap(), mac, "the keys in use stay");
}

#[test]
fn the_tmk_cannot_be_read_back_or_loaded_twice() {
    let token = token_with_tmk("tmk-secret");
    let found = {
        let pkcs11 = pos_pkcs11::context(&softhsm().library).unwrap();
        let slot = pkcs11
            .get_slots_with_initialized_token()
            .unwrap()
            .into_iter()
            .find(|s| pkcs11.get_token_info(*s).unwrap().label().trim_end() == TOKEN)
            .unwrap();
        let session = pkcs11.open_ro_session(slot).unwrap();
        let _ = session.login(cryptoki::session::UserType::User, Some(&USER_PIN.to_owned().into()));
        let key = session
            .find_objects(&[Attribute::Label(b"tmk-secret".to_vec())])
            .unwrap()
            .pop()
            .unwrap();
        session
            .get_attributes(
                key,
                &[
                    AttributeType::Sensitive,
                    AttributeType::Extractable,
                    AttributeType::Value,
                ],
            )
            .unwrap()
    };
    assert!(found.contains(&Attribute::Sensitive(true)), "{found:?}");
    assert!(found.contains(&Attribute::Extractable(false)), "{found:?}");
    assert!(
        !found.iter().any(|a| matches!(a, Attribute::Value(_))),
        "the TMK's value was readable"
    );
    let again = token.load_tmk(&[[1; 16], [2; 16]], false);
    assert!(matches!(again, Err(TokenError::KeyExists { .. })), "{again:?}");
    assert!(token.load_tmk(&[[1; 16], [2; 16]], true).unwrap().replaced);
}

#[test]
fn a_wrong_token_label_or_a_missing_tmk_is_refused_with_what_to_do() {
    let mut other = config("tmk-any");
    other.token_label = "no-such-token".into();
    let no_token = Token::open(&other, &UserPin::new(USER_PIN)).unwrap_err();
    assert!(
        no_token.to_string().contains("no token labelled `no-such-token`"),
        "{no_token}"
    );
    let token = Token::open(&config("tmk-never-loaded"), &UserPin::new(USER_PIN)).unwrap();
    let mut module = Pkcs11SecurityModule::new(Arc::new(token), PinPad::new());
    let no_tmk = module.load_working_keys(&working_keys()).unwrap_err();
    assert!(no_tmk.to_string().contains("posterm keys load-tmk"), "{no_tmk}");
}

#[test]
fn the_user_pin_file_must_be_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir: PathBuf = std::env::temp_dir().join(format!("pos-pkcs11-pin-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("token-pin");
    std::fs::write(&file, format!("{USER_PIN}\n")).unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    if std::env::var_os(pos_pkcs11::USER_PIN_ENV).is_none() {
        let open = UserPin::from_env_or_file(&file).unwrap_err();
        assert!(open.to_string().contains("chmod 600"), "{open}");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        let pin = UserPin::from_env_or_file(&file).unwrap();
        assert!(!format!("{pin:?}").contains(USER_PIN));
        Token::open(&config("tmk-any"), &pin).unwrap();
    }
}

/// Terminals of one process loading their TMKs into one token at the same time: every load
/// succeeds (SoftHSM2's object store fails now and then on concurrent token writes unless they
/// are serialized: `Token::object_writes`).
#[test]
fn tmks_loaded_at_the_same_time_all_load() {
    let threads: Vec<_> = (0..8)
        .map(|i| {
            std::thread::spawn(move || {
                for round in 0..4 {
                    let token =
                        Token::open(&config(&format!("tmk-race-{i}-{round}")), &UserPin::new(USER_PIN)).unwrap();
                    let first = [0x5Au8; 16];
                    let mut second = TEST_TMK;
                    second.iter_mut().zip(first).for_each(|(s, f)| *s ^= f);
                    token.load_tmk(&[first, second], false).unwrap();
                    token.ensure_data_key().unwrap();
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("every load succeeds");
    }
}
