//! A terminal directory: `config.toml` (the kernel's configuration and the host's settings) and
//! the journal file `journal.pjl`.

use std::path::{Path, PathBuf};

use pos_kernel::Config;
use serde::{Deserialize, Serialize};

/// The host's own settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HostSettings {
    /// Where the acquirer listens.
    pub acquirer: String,
    pub connect_timeout_ms: u64,
    /// The terminal master key, 32 hex digits (the software security module's; a terminal with a
    /// secure element keeps it there instead). Default: the test TMK of PROFILE.md §6.
    pub tmk: String,
}

impl Default for HostSettings {
    fn default() -> Self {
        HostSettings {
            acquirer: "127.0.0.1:5000".into(),
            connect_timeout_ms: 3_000,
            tmk: "0123456789ABCDEFFEDCBA9876543210".into(),
        }
    }
}

/// `config.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct TerminalFile {
    pub terminal: Config,
    pub host: HostSettings,
}

impl TerminalFile {
    /// The TMK as a key.
    pub fn tmk(&self) -> Result<[u8; 16], String> {
        let bytes = hex::decode(&self.host.tmk).map_err(|e| format!("host.tmk: {e}"))?;
        bytes
            .as_slice()
            .try_into()
            .map_err(|_| "host.tmk: must be 32 hex digits (a double-length key)".to_owned())
    }
}

#[derive(Debug, Clone)]
pub struct TerminalDir {
    pub path: PathBuf,
}

impl TerminalDir {
    pub fn new(path: impl Into<PathBuf>) -> TerminalDir {
        TerminalDir { path: path.into() }
    }

    pub fn config_path(&self) -> PathBuf {
        self.path.join("config.toml")
    }

    pub fn journal_path(&self) -> PathBuf {
        self.path.join("journal.pjl")
    }

    /// Creates the directory with a default configuration (unless one exists).
    pub fn init(&self, file: &TerminalFile) -> Result<bool, String> {
        std::fs::create_dir_all(&self.path).map_err(|e| format!("{}: {e}", self.path.display()))?;
        if self.config_path().exists() {
            return Ok(false);
        }
        let text = toml::to_string_pretty(file).map_err(|e| e.to_string())?;
        let header = "# posterm terminal configuration. [terminal] is the kernel's configuration (every field has a\n# documented default), [host] the host's: acquirer address, timeouts, the terminal master key.\n\n";
        std::fs::write(self.config_path(), format!("{header}{text}")).map_err(|e| e.to_string())?;
        Ok(true)
    }

    pub fn load(&self) -> Result<TerminalFile, String> {
        let path = self.config_path();
        let text = std::fs::read_to_string(&path).map_err(|e| {
            format!(
                "{}: {e} (create it with `posterm init --dir {}`)",
                path.display(),
                self.path.display()
            )
        })?;
        let file: TerminalFile = toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        file.terminal
            .validate()
            .map_err(|e| format!("{}: {e}", path.display()))?;
        file.tmk()?;
        Ok(file)
    }

    pub fn exists(path: &Path) -> bool {
        path.join("config.toml").exists()
    }
}
