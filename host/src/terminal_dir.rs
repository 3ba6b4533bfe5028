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
    /// The terminal master key, 32 hex digits (the software security module's; a terminal with a
    /// secure element keeps it there instead). Default: the test TMK of docs/profile.md §6.
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
        check_address(&file.host.acquirer).map_err(|e| format!("{}: host.acquirer: {e}", path.display()))?;
        Ok(file)
    }

    pub fn exists(path: &Path) -> bool {
        path.join("config.toml").exists()
    }
}
