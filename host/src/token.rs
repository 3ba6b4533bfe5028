//! A terminal directory's security module: the PKCS#11 token its `config.toml` names
//! (`[security]`), logged in with the user PIN from `$POSTERM_TOKEN_PIN` or the PIN file.

use std::sync::Arc;

use pos_pkcs11::{softhsm, Pkcs11SecurityModule, Token, TokenConfig, UserPin};

use crate::runtime::SecurityFactory;
use crate::terminal_dir::{ConfigFile, TerminalDir};

/// The token's configuration as `config.toml` gives it.
pub fn token_config(file: &ConfigFile) -> TokenConfig {
    TokenConfig {
        library: file.security.pkcs11_library.clone(),
        token_label: file.security.token.clone(),
        tmk_label: file.security.tmk_label.clone(),
        data_key_label: file.security.data_key_label.clone(),
    }
}

/// Opens and logs in to the terminal's token.
pub fn open(dir: &TerminalDir, file: &ConfigFile) -> Result<Token, String> {
    let softhsm = file.security.softhsm2_conf.as_ref().map(|conf| dir.path.join(conf));
    if let Some(conf) = &softhsm {
        // Read by SoftHSM2 when the library is loaded, which happens after this, once per process.
        std::env::set_var("SOFTHSM2_CONF", conf);
        let repaired = softhsm::repair(conf).map_err(|e| format!("{}: {e}", conf.display()))?;
        for token in repaired {
            eprintln!(
                "posterm: SoftHSM2 token store {}: token.object was cut short by a process killed while logging in; \
                 put back from the copy taken at the last login",
                token.display()
            );
        }
    }
    let pin = UserPin::from_env_or_file(&dir.user_pin_path(file)).map_err(|e| e.to_string())?;
    let token = Token::open(&token_config(file), &pin).map_err(|e| e.to_string())?;
    if let Some(conf) = &softhsm {
        softhsm::keep_copies(conf).map_err(|e| format!("{}: {e}", conf.display()))?;
    }
    Ok(token)
}

/// Opens the token and checks that it holds the terminal master key (a sign-on needs it).
pub fn open_with_tmk(dir: &TerminalDir, file: &ConfigFile) -> Result<Arc<Token>, String> {
    let token = open(dir, file)?;
    if !token.has_tmk().map_err(|e| e.to_string())? {
        return Err(format!(
            "the token `{}` holds no terminal master key `{}`: load it once with `posterm keys load-tmk --dir {}`",
            file.security.token,
            file.security.tmk_label,
            dir.path.display()
        ));
    }
    if token.ensure_data_key().map_err(|e| e.to_string())? {
        eprintln!(
            "posterm: generated the card data key `{}` in the token (the journal keeps card numbers sealed under it)",
            file.security.data_key_label
        );
    }
    Ok(Arc::new(token))
}

/// Security modules on `token`, one per kernel instance, each on the terminal's PIN pad.
pub fn factory(token: Arc<Token>) -> SecurityFactory {
    Box::new(move |pin_pad| Box::new(Pkcs11SecurityModule::new(Arc::clone(&token), pin_pad)))
}

/// The test TMK of docs/profile.md §6 as the two components its custodians would type (their
/// XOR is the key). For test and demo tokens only.
pub const TEST_TMK_COMPONENTS: [&str; 2] = [
    "1111 2222 3333 4444 5555 6666 7777 8888",
    "1032 6745 BA98 89AB AB89 DCFE 0123 BA98",
];

/// Loads the test TMK into `token` from [`TEST_TMK_COMPONENTS`], as `posterm keys load-tmk` does.
pub fn load_test_tmk(token: &Token) -> Result<pos_pkcs11::TmkLoaded, String> {
    let components = TEST_TMK_COMPONENTS
        .iter()
        .map(|c| pos_pkcs11::parse_component(c))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    let loaded = token.load_tmk(&components, false).map_err(|e| e.to_string())?;
    token.ensure_data_key().map_err(|e| e.to_string())?;
    Ok(loaded)
}

/// A throwaway terminal directory in `dir` with a SoftHSM2 token holding the test TMK (the demo
/// and the benchmarks): the token, opened.
pub fn test_token(dir: &std::path::Path) -> Result<(Token, pos_pkcs11::TmkLoaded), String> {
    let terminal = TerminalDir::new(dir);
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut file = ConfigFile::default();
    file.security.softhsm2_conf = Some(create_softhsm_token(&terminal, &file)?);
    terminal.init(&file)?;
    let token = open(&terminal, &file)?;
    let loaded = load_test_tmk(&token)?;
    Ok((token, loaded))
}

/// A SoftHSM2 token of the terminal's own, for tests and the demo: its store in `softhsm/` in
/// the terminal directory, the label `config.toml` names, and a user PIN in the PIN file (mode
/// 0600). Returns the configuration file's path relative to the directory, for
/// `security.softhsm2_conf`. The TMK is not loaded (`posterm keys load-tmk`).
pub fn create_softhsm_token(dir: &TerminalDir, file: &ConfigFile) -> Result<std::path::PathBuf, String> {
    // Not a secret worth guarding (a test token), but not a constant in the code either.
    let pin = format!("{:08}", std::process::id().wrapping_mul(2_654_435_761) % 100_000_000);
    let hsm = pos_pkcs11::softhsm::SoftHsm::create(&dir.path.join("softhsm"), &file.security.token, &pin)
        .map_err(|e| e.to_string())?;
    crate::terminal_dir::write_private(&dir.user_pin_path(file), format!("{pin}\n").as_bytes())?;
    Ok(hsm
        .conf
        .strip_prefix(&dir.path)
        .map(std::path::Path::to_path_buf)
        .unwrap_or(hsm.conf))
}
