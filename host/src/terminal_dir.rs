//! A terminal directory: `config.toml` (the kernel's configuration and the host's settings), the
//! journal file `journal.pjl` and its anchor `journal.pjl.anchor`. One process at a time writes
//! to it: [`TerminalDir::lock`] (docs/architecture.md, "One writer per terminal").

use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use pos_kernel::Config;
use serde::{Deserialize, Serialize};

/// The host's own settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HostSettings {
    /// Where the acquirer listens.
    pub acquirer: String,
    pub connect_timeout_ms: u64,
    /// A clear terminal master key, as configuration files before the token held it. Read only
    /// to refuse it with what to do ([`TerminalDir::load`]); never written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tmk: Option<String>,
    /// Days a settled batch stays in `archive/` for statement reconciliation and reprint (at
    /// least 1).
    pub archive_days: u32,
}

impl Default for HostSettings {
    fn default() -> Self {
        HostSettings {
            acquirer: "127.0.0.1:5000".into(),
            connect_timeout_ms: 3_000,
            tmk: None,
            archive_days: crate::archive::DEFAULT_KEEP_DAYS,
        }
    }
}

/// Where the terminal's keys are: a PKCS#11 token (`host/pkcs11/README.md`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecuritySettings {
    /// The token's PKCS#11 library.
    pub pkcs11_library: PathBuf,
    /// The token's label.
    pub token: String,
    /// The label of the terminal master key in the token (`posterm keys load-tmk` creates it).
    pub tmk_label: String,
    /// The label of the card data key in the token (AES-256, generated there by `posterm keys
    /// load-tmk`): the journal keeps PANs sealed under it.
    pub data_key_label: String,
    /// The file holding the token's user PIN, relative to the terminal directory, mode 0600.
    /// `$POSTERM_TOKEN_PIN`, when set, is used instead.
    pub user_pin_file: PathBuf,
    /// SoftHSM2 only: its configuration file (relative to the terminal directory), which posterm
    /// hands the library as `SOFTHSM2_CONF` (`posterm init --softhsm` makes one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub softhsm2_conf: Option<PathBuf>,
}

impl Default for SecuritySettings {
    fn default() -> Self {
        SecuritySettings {
            pkcs11_library: pos_pkcs11::softhsm::library()
                .unwrap_or_else(|| PathBuf::from("/usr/lib/softhsm/libsofthsm2.so")),
            token: "posterm".into(),
            tmk_label: "posterm-tmk".into(),
            data_key_label: "posterm-card-data".into(),
            user_pin_file: PathBuf::from("token-pin"),
            softhsm2_conf: None,
        }
    }
}

/// `config.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct ConfigFile {
    pub terminal: Config,
    pub host: HostSettings,
    pub security: SecuritySettings,
}

/// The journal's file name in a terminal directory.
pub const JOURNAL: &str = "journal.pjl";

/// `host:port` with a port number: "127.0.0.1:5000", "acquirer.example:5000", "[::1]:5000".
pub fn check_address(address: &str) -> Result<(), String> {
    let port = address.rsplit_once(':').map(|(host, port)| (host, port.parse::<u16>()));
    match port {
        Some((host, Ok(port))) if !host.is_empty() && port > 0 => Ok(()),
        _ => Err(format!(
            "`{address}` is not an address: expected host:port, e.g. 127.0.0.1:5000"
        )),
    }
}

/// The exclusive lock on a terminal directory, held until dropped (or the process ends).
#[derive(Debug)]
pub struct DirLock {
    _dir: File,
}

/// Why the lock could not be taken.
#[derive(Debug)]
pub enum LockError {
    /// Another process held it for all of the wait.
    InUse {
        waited: Duration,
    },
    Io(String),
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
        self.path.join(JOURNAL)
    }

    /// Takes the terminal's exclusive lock (an OS file lock on the directory itself, released
    /// when the process ends, however it ends), waiting up to `wait` while another process holds
    /// it; `waiting` is called once if it has to wait.
    pub fn lock(&self, wait: Duration, waiting: impl FnOnce()) -> Result<DirLock, LockError> {
        let dir = File::open(&self.path).map_err(|e| LockError::Io(format!("{}: {e}", self.path.display())))?;
        let started = Instant::now();
        let mut waiting = Some(waiting);
        loop {
            match dir.try_lock() {
                Ok(()) => return Ok(DirLock { _dir: dir }),
                Err(TryLockError::WouldBlock) if started.elapsed() < wait => {
                    if let Some(waiting) = waiting.take() {
                        waiting();
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(TryLockError::WouldBlock) => {
                    return Err(LockError::InUse {
                        waited: started.elapsed(),
                    })
                }
                Err(TryLockError::Error(e)) => {
                    return Err(LockError::Io(format!("{}: cannot lock: {e}", self.path.display())))
                }
            }
        }
    }

    /// Whether another process holds the exclusive lock now (for read-only commands, which do
    /// not take it: what they show may be changing).
    pub fn in_use(&self) -> bool {
        File::open(&self.path).is_ok_and(|dir| match dir.try_lock_shared() {
            Ok(()) => {
                let _ = dir.unlock();
                false
            }
            Err(_) => true,
        })
    }

    /// Checks that files can be created in the directory (the journal's anchor and compaction
    /// need it), so that a read-only directory is reported before anything is sent rather than
    /// when a settlement wants to compact the journal.
    pub fn check_writable(&self) -> Result<(), String> {
        let probe = self.path.join(".posterm-write-check");
        std::fs::write(&probe, b"")
            .and_then(|()| std::fs::remove_file(&probe))
            .map_err(|e| {
                format!(
                    "cannot create files in the terminal directory {}: {e}; posterm writes its journal there: give this user write permission on it (and on its files), then run the command again",
                    self.path.display()
                )
            })
    }

    /// The token's user PIN file named in `file` (relative paths are in this directory).
    pub fn user_pin_path(&self, file: &ConfigFile) -> PathBuf {
        self.path.join(&file.security.user_pin_file)
    }

    /// Creates the directory (private to its owner: mode 0700) with a default configuration
    /// (mode 0600), unless one exists.
    pub fn init(&self, file: &ConfigFile) -> Result<bool, String> {
        std::fs::create_dir_all(&self.path).map_err(|e| format!("{}: {e}", self.path.display()))?;
        private(&self.path, 0o700)?;
        if self.config_path().exists() {
            return Ok(false);
        }
        let text = toml::to_string_pretty(file).map_err(|e| e.to_string())?;
        let header = "# posterm terminal configuration. [terminal] is the kernel's configuration (every field has a\n# documented default), [host] the host's (acquirer address, timeouts), [security] where the\n# terminal's keys are: a PKCS#11 token. No key or PIN is ever written here.\n\n";
        write_private(&self.config_path(), format!("{header}{text}").as_bytes())?;
        Ok(true)
    }

    pub fn load(&self) -> Result<ConfigFile, String> {
        let path = self.config_path();
        let text = std::fs::read_to_string(&path).map_err(|e| {
            format!(
                "{}: {e} (create it with `posterm init --dir {}`)",
                path.display(),
                self.path.display()
            )
        })?;
        let file: ConfigFile = toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        file.terminal
            .validate()
            .map_err(|e| format!("{}: {e}", path.display()))?;
        if file.host.tmk.is_some() {
            return Err(format!(
                "{}: host.tmk holds the terminal master key in clear, which posterm no longer reads: load it into the \
                 token once (`posterm keys load-tmk --dir {}`, typing its components, or --from-file with a file of \
                 mode 0600 that you delete afterwards), then delete the host.tmk line",
                path.display(),
                self.path.display()
            ));
        }
        check_address(&file.host.acquirer).map_err(|e| format!("{}: host.acquirer: {e}", path.display()))?;
        if file.host.archive_days == 0 {
            return Err(format!(
                "{}: host.archive_days is 0: settled batches must be kept at least 1 day (7 is the default) for the acquirer's statement to be reconciled",
                path.display()
            ));
        }
        Ok(file)
    }

    pub fn exists(path: &Path) -> bool {
        path.join("config.toml").exists()
    }
}

/// Sets `path`'s mode (unix): terminal directories are 0700, their files 0600.
pub fn private(path: &Path, mode: u32) -> Result<(), String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
            .map_err(|e| format!("{}: cannot make it private: {e}", path.display()))?;
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
    Ok(())
}

/// Writes a file only its owner can read or write (0600 from its creation on).
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<(), String> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut out = options.open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    out.write_all(bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    private(path, 0o600)
}
