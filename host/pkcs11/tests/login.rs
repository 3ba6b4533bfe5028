//! A wrong user PIN is refused. In a test process of its own: the token's login state is the
//! whole process's, so once another test has logged in, a second login cannot fail.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use pos_pkcs11::softhsm::SoftHsm;
use pos_pkcs11::{Token, TokenConfig, UserPin};

#[test]
fn a_wrong_user_pin_is_refused_and_the_right_one_logs_in() {
    let dir = std::env::temp_dir().join(format!("pos-pkcs11-login-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let hsm = SoftHsm::create(&dir, "pos-login", "135790").expect("a SoftHSM2 token (apt-get install softhsm2)");
    std::env::set_var("SOFTHSM2_CONF", &hsm.conf);
    let config = TokenConfig {
        library: hsm.library.clone(),
        token_label: "pos-login".into(),
        tmk_label: "tmk".into(),
        data_key_label: "data-key".into(),
    };
    let refused = Token::open(&config, &UserPin::new("999999")).unwrap_err();
    assert!(refused.to_string().contains("refused the user PIN"), "{refused}");
    let token = Token::open(&config, &UserPin::new("135790")).unwrap();
    assert!(!token.has_tmk().unwrap());
    let _ = std::fs::remove_dir_all(&dir);
}
