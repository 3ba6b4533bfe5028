//! The token's user PIN: from the environment or from a file only its owner can read, never from
//! `config.toml` (which holds only where to find it).

use core::fmt;
use std::path::Path;

use crate::TokenError;

/// The environment variable that holds the token's user PIN; it wins over the PIN file.
pub const USER_PIN_ENV: &str = "POSTERM_TOKEN_PIN";

/// The token's user PIN. `Debug` never shows it.
#[derive(Clone)]
pub struct UserPin(String);

impl fmt::Debug for UserPin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("UserPin(****)")
    }
}

impl UserPin {
    pub fn new(pin: impl Into<String>) -> UserPin {
        UserPin(pin.into())
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    /// `$POSTERM_TOKEN_PIN` when set, else the first line of `file`, which must be readable by
    /// its owner only (mode 0600 or stricter).
    pub fn from_env_or_file(file: &Path) -> Result<UserPin, TokenError> {
        if let Some(pin) = std::env::var_os(USER_PIN_ENV) {
            let pin = pin
                .into_string()
                .map_err(|_| TokenError::Login(format!("${USER_PIN_ENV} is not UTF-8")))?;
            return Ok(UserPin(pin));
        }
        let shown = file.display();
        let metadata = std::fs::metadata(file).map_err(|e| {
            TokenError::Login(format!(
                "no ${USER_PIN_ENV}, and the user PIN file {shown} cannot be read: {e} (write the token's user PIN \
                 there, mode 0600, or set ${USER_PIN_ENV})"
            ))
        })?;
        check_private(file, &metadata)?;
        let text = std::fs::read_to_string(file).map_err(|e| TokenError::Login(format!("{shown}: {e}")))?;
        let pin = text.lines().next().unwrap_or_default().trim().to_owned();
        if pin.is_empty() {
            return Err(TokenError::Login(format!("the user PIN file {shown} is empty")));
        }
        Ok(UserPin(pin))
    }
}

#[cfg(unix)]
fn check_private(file: &Path, metadata: &std::fs::Metadata) -> Result<(), TokenError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = metadata.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(TokenError::Login(format!(
            "the user PIN file {} is readable by others (mode {mode:04o}): chmod 600 it; nothing was done",
            file.display()
        )));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_file: &Path, _metadata: &std::fs::Metadata) -> Result<(), TokenError> {
    Ok(())
}
