//! A SoftHSM2 token in a directory of its own, for the tests and the demo: its configuration
//! file (what `SOFTHSM2_CONF` names), its token store, and an initialised token.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::TokenError;

/// Where Debian's softhsm2 puts its PKCS#11 library.
const LIBRARY_CANDIDATES: [&str; 3] = [
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
];

/// SoftHSM2's PKCS#11 library on this machine, if it is installed.
pub fn library() -> Option<PathBuf> {
    LIBRARY_CANDIDATES.iter().map(PathBuf::from).find(|p| p.exists())
}

/// A SoftHSM2 configuration in `dir`: set `SOFTHSM2_CONF` to [`SoftHsm::conf`] before the
/// library is loaded (in this process or a child).
#[derive(Debug, Clone)]
pub struct SoftHsm {
    pub conf: PathBuf,
    pub library: PathBuf,
}

impl SoftHsm {
    /// Writes the configuration and token store under `dir` and initialises a token labelled
    /// `label` with user PIN `user_pin` (and the same as SO PIN: a test token), with
    /// `softhsm2-util`.
    pub fn create(dir: &Path, label: &str, user_pin: &str) -> Result<SoftHsm, TokenError> {
        let library = library().ok_or_else(|| TokenError::Library {
            path: LIBRARY_CANDIDATES.join(" or "),
            cause: "SoftHSM2 is not installed (apt-get install softhsm2)".into(),
        })?;
        let io = |what: &'static str| {
            move |e: std::io::Error| TokenError::Call {
                what,
                cause: e.to_string(),
            }
        };
        let tokens = dir.join("tokens");
        std::fs::create_dir_all(&tokens).map_err(io("create the SoftHSM2 token store"))?;
        let conf = dir.join("softhsm2.conf");
        let text = format!(
            "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n",
            tokens.display()
        );
        std::fs::write(&conf, text).map_err(io("write softhsm2.conf"))?;
        let output = Command::new("softhsm2-util")
            .env("SOFTHSM2_CONF", &conf)
            .args([
                "--init-token",
                "--free",
                "--label",
                label,
                "--so-pin",
                user_pin,
                "--pin",
                user_pin,
            ])
            .output()
            .map_err(io("run softhsm2-util"))?;
        if !output.status.success() {
            return Err(TokenError::Call {
                what: "initialise the SoftHSM2 token",
                cause: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
            });
        }
        Ok(SoftHsm { conf, library })
    }
}
