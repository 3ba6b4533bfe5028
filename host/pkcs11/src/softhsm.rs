//! A SoftHSM2 token in a directory of its own, for the tests and the demo: its configuration
//! file (what `SOFTHSM2_CONF` names), its token store, and an initialised token.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::TokenError;

/// Where Debian's softhsm2 puts its PKCS#11 library: this architecture's directory first (a
/// machine that emulates ARM may also hold the x86 library under the generic path).
const LIBRARY_CANDIDATES: [&str; 2] = [
    if cfg!(target_arch = "aarch64") {
        "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so"
    } else if cfg!(target_arch = "arm") {
        "/usr/lib/arm-linux-gnueabihf/softhsm/libsofthsm2.so"
    } else {
        "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"
    },
    "/usr/lib/softhsm/libsofthsm2.so",
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
        #[cfg(unix)]
        for private in [dir, tokens.as_path()] {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(private, std::fs::Permissions::from_mode(0o700))
                .map_err(io("make the SoftHSM2 token store private"))?;
        }
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

/// SoftHSM 2.6's file store rewrites each token's `token.object` in place on every `C_Login`
/// (truncate, then write: `ObjectFile::store`). A process killed between the two leaves it empty
/// or short, and the token is gone with it (its user PIN blob and token key are in that file).
/// A secure element has no such window. For SoftHSM tokens posterm keeps a copy,
/// `token.object.posterm-copy`, taken after each successful login ([`keep_copies`]), and puts it
/// back before the library is loaded when `token.object` is shorter than the copy
/// ([`repair`]). Both hold SoftHSM's own lock on the file (an `fcntl` write lock), so a login in
/// another process is never overwritten half-way.
pub const COPY_SUFFIX: &str = "posterm-copy";

/// Token directories of the SoftHSM2 configuration `conf` (its `directories.tokendir`).
fn token_dirs(conf: &Path) -> std::io::Result<Vec<PathBuf>> {
    let text = std::fs::read_to_string(conf)?;
    let Some(root) = text.lines().find_map(|line| {
        let (key, value) = line.split_once('=')?;
        (key.trim() == "directories.tokendir").then(|| PathBuf::from(value.trim()))
    }) else {
        return Ok(Vec::new());
    };
    let mut dirs = Vec::new();
    for entry in std::fs::read_dir(root)? {
        let path = entry?.path();
        if path.join("token.object").exists() {
            dirs.push(path);
        }
    }
    Ok(dirs)
}

/// Puts back the copy of every `token.object` that a killed login left shorter than the copy;
/// returns the token directories repaired.
pub fn repair(conf: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut repaired = Vec::new();
    for dir in token_dirs(conf)? {
        let object = dir.join("token.object");
        let copy = dir.join(format!("token.object.{COPY_SUFFIX}"));
        let Ok(kept) = std::fs::read(&copy) else { continue };
        let file = std::fs::OpenOptions::new().read(true).write(true).open(&object)?;
        let _lock = lock::write(&file)?;
        if file.metadata()?.len() < u64::try_from(kept.len()).unwrap_or(u64::MAX) {
            use std::io::{Seek, Write};
            let mut file = &file;
            file.set_len(0)?;
            file.seek(std::io::SeekFrom::Start(0))?;
            file.write_all(&kept)?;
            file.sync_all()?;
            repaired.push(dir);
        }
    }
    Ok(repaired)
}

/// Takes a copy of every token's `token.object` (after a successful login).
pub fn keep_copies(conf: &Path) -> std::io::Result<()> {
    for dir in token_dirs(conf)? {
        let object = dir.join("token.object");
        let file = std::fs::OpenOptions::new().read(true).write(true).open(&object)?;
        let bytes = {
            let _lock = lock::write(&file)?;
            std::fs::read(&object)?
        };
        if bytes.is_empty() {
            continue;
        }
        let copy = dir.join(format!("token.object.{COPY_SUFFIX}"));
        let tmp = dir.join(format!("token.object.{COPY_SUFFIX}.tmp"));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        {
            use std::io::Write;
            let mut out = options.open(&tmp)?;
            out.write_all(&bytes)?;
            out.sync_all()?;
        }
        std::fs::rename(&tmp, &copy)?;
    }
    Ok(())
}

/// SoftHSM's file lock: a POSIX record lock (`fcntl`) on the whole file, released when the guard
/// is dropped (or the process ends).
mod lock {
    use std::fs::File;
    use std::os::fd::AsRawFd;

    pub struct Held<'a>(&'a File);

    impl Drop for Held<'_> {
        fn drop(&mut self) {
            let _ = set(self.0, libc::F_UNLCK, libc::F_SETLK);
        }
    }

    pub fn write(file: &File) -> std::io::Result<Held<'_>> {
        set(file, libc::F_WRLCK, libc::F_SETLKW)?;
        Ok(Held(file))
    }

    fn set(file: &File, kind: libc::c_int, command: libc::c_int) -> std::io::Result<()> {
        // SAFETY: `flock` is a plain C struct for which all zeroes is a valid value; `fcntl` with
        // F_SETLK/F_SETLKW reads it and touches nothing else; the descriptor is open for as long
        // as `file` is borrowed.
        #[allow(unsafe_code)]
        let result = unsafe {
            let mut request: libc::flock = std::mem::zeroed();
            request.l_type = libc::c_short::try_from(kind).unwrap_or(0);
            request.l_whence = libc::c_short::try_from(libc::SEEK_SET).unwrap_or(0);
            libc::fcntl(file.as_raw_fd(), command, &request)
        };
        if result == 0 {
            Ok(())
        } else {
            Err(std::io::Error::last_os_error())
        }
    }
}
