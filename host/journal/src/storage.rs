//! Where the journal's bytes live: a real file ([`FileStorage`]) or a model of a disk
//! ([`ModelStorage`]) that loses everything not synced when it "crashes".

use std::fmt;
use std::fs::{self, File, OpenOptions};

/// Files the journal creates are its owner's only (mode 0600 on unix): they hold card data.
fn private(options: &mut OpenOptions) -> &mut OpenOptions {
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(options, 0o600);
    options
}
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// One journal file.
///
/// The [`Journal`](crate::Journal) only appends, truncates (to cut a damaged tail or roll back a
/// failed append), syncs and replaces. What each call guarantees is in the crate docs,
/// "Assumptions about the disk".
pub trait Storage {
    /// Current length in bytes (as the storage shows it, synced or not).
    fn len(&self) -> io::Result<u64>;
    /// Whether the storage holds no byte.
    fn is_empty(&self) -> io::Result<bool> {
        Ok(self.len()? == 0)
    }
    /// The whole content.
    fn read_all(&mut self) -> io::Result<Vec<u8>>;
    /// Appends `bytes` at the end. Not durable until [`Storage::sync`].
    fn append(&mut self, bytes: &[u8]) -> io::Result<()>;
    /// Cuts the content to `len` bytes. Not durable until [`Storage::sync`].
    fn truncate(&mut self, len: u64) -> io::Result<()>;
    /// Everything written so far becomes durable.
    fn sync(&mut self) -> io::Result<()>;
    /// Atomically replaces the whole content with `bytes`, durably: after a crash the storage holds
    /// either the old content or `bytes`, and after `Ok` it holds `bytes`. (Real file: write
    /// `<name>.tmp`, fsync it, rename it over `<name>`, fsync the directory.)
    fn replace(&mut self, bytes: &[u8]) -> io::Result<()>;
    /// The anchor kept beside the journal (crate docs, "The anchor"); `None` when there is none.
    /// A storage without one never refuses a journal.
    fn read_anchor(&mut self) -> io::Result<Option<Vec<u8>>> {
        Ok(None)
    }
    /// Writes the anchor over the one there; it need not be durable, and a crash may tear it
    /// (the anchor's CRC then says it is damaged). (Real file: one write at offset 0 of
    /// `<name>.anchor`, kept open.)
    fn write_anchor(&mut self, bytes: &[u8]) -> io::Result<()> {
        let _ = bytes;
        Ok(())
    }
}

/// A borrowed storage is a storage: `Journal::open(&mut model)` keeps the model with the caller
/// (to read its images after the journal is dropped, even when `open` fails).
impl<S: Storage + ?Sized> Storage for &mut S {
    fn len(&self) -> io::Result<u64> {
        (**self).len()
    }
    fn is_empty(&self) -> io::Result<bool> {
        (**self).is_empty()
    }
    fn read_all(&mut self) -> io::Result<Vec<u8>> {
        (**self).read_all()
    }
    fn append(&mut self, bytes: &[u8]) -> io::Result<()> {
        (**self).append(bytes)
    }
    fn truncate(&mut self, len: u64) -> io::Result<()> {
        (**self).truncate(len)
    }
    fn sync(&mut self) -> io::Result<()> {
        (**self).sync()
    }
    fn replace(&mut self, bytes: &[u8]) -> io::Result<()> {
        (**self).replace(bytes)
    }
    fn read_anchor(&mut self) -> io::Result<Option<Vec<u8>>> {
        (**self).read_anchor()
    }
    fn write_anchor(&mut self, bytes: &[u8]) -> io::Result<()> {
        (**self).write_anchor(bytes)
    }
}

// ---------------------------------------------------------------------------------------------
// FileStorage

/// A journal file in a directory, through `std::fs`.
///
/// - `sync` is `fdatasync` (`File::sync_data`; `F_FULLFSYNC` on Apple platforms), which also
///   makes the new file length durable.
/// - `replace` writes `<name>.tmp`, `fsync`s it, renames it over `<name>` and `fsync`s the
///   directory (on Unix; elsewhere the directory is not synced).
/// - Creating the file `fsync`s the directory, so the new name survives a crash.
/// - Opening removes a `<name>.tmp` left by a replacement that a crash interrupted.
/// - The anchor is `<name>.anchor`, kept open and overwritten in place, not synced (a rename
///   per record cost a fifth of a terminal's throughput; the anchor's CRC catches a torn one).
#[derive(Debug)]
pub struct FileStorage {
    dir: PathBuf,
    path: PathBuf,
    tmp: PathBuf,
    anchor: PathBuf,
    /// The anchor file, opened at its first write, and the length last written to it.
    anchor_file: Option<(File, u64)>,
    file: File,
    fsyncs: u64,
}

/// The anchor file of journal `name` in `dir`.
pub fn anchor_path(dir: impl AsRef<Path>, name: &str) -> PathBuf {
    dir.as_ref().join(format!("{name}.anchor"))
}

impl FileStorage {
    /// Opens `dir/name`, creating the file if it does not exist. The directory must exist; `name`
    /// must be a plain file name.
    pub fn open(dir: impl AsRef<Path>, name: &str) -> io::Result<FileStorage> {
        let plain = Path::new(name).file_name().is_some_and(|n| n == name);
        if !plain {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("journal name {name:?} is not a plain file name"),
            ));
        }
        let dir = dir.as_ref().to_path_buf();
        let path = dir.join(name);
        let tmp = dir.join(format!("{name}.tmp"));
        match fs::remove_file(&tmp) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
        let mut fsyncs = 0;
        let file = match private(OpenOptions::new().read(true).write(true).create_new(true)).open(&path) {
            Ok(file) => {
                sync_dir(&dir, &mut fsyncs)?;
                file
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                OpenOptions::new().read(true).write(true).open(&path)?
            }
            Err(e) => return Err(e),
        };
        Ok(FileStorage {
            anchor: anchor_path(&dir, name),
            anchor_file: None,
            dir,
            path,
            tmp,
            file,
            fsyncs,
        })
    }

    /// The journal file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How many `fsync`-family calls this storage made (file and directory): what a benchmark of
    /// "fsyncs per sale" counts. A `sync` is one, a `replace` two.
    pub fn fsyncs(&self) -> u64 {
        self.fsyncs
    }
}

fn sync_dir(dir: &Path, fsyncs: &mut u64) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()?;
        *fsyncs += 1;
    }
    #[cfg(not(unix))]
    {
        let _ = (dir, fsyncs);
    }
    Ok(())
}

impl Storage for FileStorage {
    fn len(&self) -> io::Result<u64> {
        Ok(self.file.metadata()?.len())
    }

    fn read_all(&mut self) -> io::Result<Vec<u8>> {
        self.file.seek(SeekFrom::Start(0))?;
        let mut out = Vec::new();
        self.file.read_to_end(&mut out)?;
        Ok(out)
    }

    fn append(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.file.seek(SeekFrom::End(0))?;
        self.file.write_all(bytes)
    }

    fn truncate(&mut self, len: u64) -> io::Result<()> {
        self.file.set_len(len)
    }

    fn sync(&mut self) -> io::Result<()> {
        self.fsyncs += 1;
        self.file.sync_data()
    }

    fn replace(&mut self, bytes: &[u8]) -> io::Result<()> {
        let mut tmp = private(OpenOptions::new().read(true).write(true).create(true).truncate(true)).open(&self.tmp)?;
        tmp.write_all(bytes)?;
        self.fsyncs += 1;
        tmp.sync_all()?;
        fs::rename(&self.tmp, &self.path)?;
        // The renamed file is the journal now; the old handle points at the unlinked inode.
        self.file = tmp;
        sync_dir(&self.dir, &mut self.fsyncs)
    }

    fn read_anchor(&mut self) -> io::Result<Option<Vec<u8>>> {
        match fs::read(&self.anchor) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn write_anchor(&mut self, bytes: &[u8]) -> io::Result<()> {
        let (file, written) = match &mut self.anchor_file {
            Some(open) => open,
            empty => {
                let file = private(OpenOptions::new().write(true).create(true).truncate(false)).open(&self.anchor)?;
                let len = file.metadata()?.len();
                empty.insert((file, len))
            }
        };
        file.seek(SeekFrom::Start(0))?;
        file.write_all(bytes)?;
        // A shorter anchor (after a compaction) is cut to its length so an operator reading the
        // file sees only it; a crash before the cut leaves a tail after the CRC line, ignored.
        let len = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
        if len < *written {
            file.set_len(len)?;
        }
        *written = len;
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// ModelStorage

/// When a [`ModelStorage`] told to crash at a sync point stops.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CrashTiming {
    /// The machine stops just before the sync (or replacement) completes: it has no effect.
    BeforeSync,
    /// The machine stops just after the sync (or replacement) completed, before the caller
    /// learns it: the effect is durable, but the call still fails.
    AfterSync,
}

/// A model of one file on a disk, in memory, for testing what survives a crash.
///
/// It keeps two images: `live` (what reads see) and `durable` (what a crash would leave). Only
/// [`Storage::sync`] (`durable = live`) and [`Storage::replace`] (both become the new bytes)
/// change `durable`. [`ModelStorage::crash`] gives the storage as it is after power loss. The
/// anchor is kept whole across a crash, the newest one written: the hardest case for the rule
/// that it never claims more than is durable.
///
/// Syncs and replacements are *sync points*, numbered from 1 in call order; appends are numbered
/// too. The model can be told to
/// - fail the Nth sync point ([`ModelStorage::fail_sync`]): it returns an error and makes nothing
///   durable (a failed replacement changes nothing);
/// - fail the Nth append ([`ModelStorage::fail_append`]): it writes the first half of the bytes (a
///   short write) and returns an error;
/// - crash at the Nth sync point ([`ModelStorage::crash_at_sync`]): the sync takes effect or not
///   according to [`CrashTiming`], returns an error, and from then on every call fails and
///   nothing changes, so `durable` is frozen as the machine left it.
#[derive(Clone, Default)]
pub struct ModelStorage {
    live: Vec<u8>,
    durable: Vec<u8>,
    anchor: Option<Vec<u8>>,
    syncs: u64,
    appends: u64,
    fail_sync: Option<u64>,
    fail_append: Option<u64>,
    crash_at: Option<(u64, CrashTiming)>,
    crashed: bool,
}

impl fmt::Debug for ModelStorage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ModelStorage")
            .field("live_len", &self.live.len())
            .field("durable_len", &self.durable.len())
            .field("syncs", &self.syncs)
            .field("appends", &self.appends)
            .field("fail_sync", &self.fail_sync)
            .field("fail_append", &self.fail_append)
            .field("crash_at", &self.crash_at)
            .field("crashed", &self.crashed)
            .finish()
    }
}

impl ModelStorage {
    /// An empty file.
    pub fn new() -> ModelStorage {
        ModelStorage::default()
    }

    /// A file whose durable (and live) content is `bytes`, as found after a restart.
    pub fn from_durable(bytes: impl Into<Vec<u8>>) -> ModelStorage {
        let durable = bytes.into();
        ModelStorage {
            live: durable.clone(),
            durable,
            ..ModelStorage::default()
        }
    }

    /// Fails the `n`th sync point (1-based, counting syncs and replacements).
    #[must_use]
    pub fn fail_sync(mut self, n: u64) -> ModelStorage {
        self.fail_sync = Some(n);
        self
    }

    /// Fails the `n`th append (1-based) after writing half of its bytes.
    #[must_use]
    pub fn fail_append(mut self, n: u64) -> ModelStorage {
        self.fail_append = Some(n);
        self
    }

    /// Crashes at the `n`th sync point (1-based, counting syncs and replacements).
    #[must_use]
    pub fn crash_at_sync(mut self, n: u64, timing: CrashTiming) -> ModelStorage {
        self.crash_at = Some((n, timing));
        self
    }

    /// What reads see now.
    pub fn live(&self) -> &[u8] {
        &self.live
    }

    /// What would survive a crash now.
    pub fn durable(&self) -> &[u8] {
        &self.durable
    }

    /// Sync points reached so far (syncs and replacements, failed ones included).
    pub fn syncs(&self) -> u64 {
        self.syncs
    }

    /// Appends attempted so far.
    pub fn appends(&self) -> u64 {
        self.appends
    }

    /// Whether the crash point was reached.
    pub fn has_crashed(&self) -> bool {
        self.crashed
    }

    /// The storage after power loss and restart: live == durable; everything not synced is lost.
    /// Counters and failure plans start afresh; the anchor stays.
    pub fn crash(&self) -> ModelStorage {
        ModelStorage::from_durable(self.durable.clone()).with_anchor(self.anchor.clone())
    }

    /// The same storage with this anchor (or none).
    #[must_use]
    pub fn with_anchor(mut self, anchor: Option<Vec<u8>>) -> ModelStorage {
        self.anchor = anchor;
        self
    }

    /// The anchor as last written.
    pub fn anchor(&self) -> Option<&[u8]> {
        self.anchor.as_deref()
    }

    /// Bytes appended since the last sync that a crash may leave partly written: `live` beyond
    /// `durable`, when `live` extends `durable` (otherwise none).
    pub fn pending(&self) -> &[u8] {
        match self.live.strip_prefix(self.durable.as_slice()) {
            Some(pending) => pending,
            None => &[],
        }
    }

    /// Like [`ModelStorage::crash`], but the disk had also written the first `keep` bytes of
    /// [`ModelStorage::pending`] (a torn write: a prefix of the unsynced appends survives).
    pub fn crash_keeping(&self, keep: usize) -> ModelStorage {
        let mut image = self.durable.clone();
        let pending = self.pending();
        image.extend_from_slice(pending.get(..keep).unwrap_or(pending));
        ModelStorage::from_durable(image).with_anchor(self.anchor.clone())
    }

    fn check_crashed(&self) -> io::Result<()> {
        if self.crashed {
            Err(io::Error::other("model storage: the machine has crashed"))
        } else {
            Ok(())
        }
    }

    /// Numbers a sync point and says whether to carry it out; `Err` if it must fail.
    fn sync_point(&mut self) -> io::Result<SyncPoint> {
        self.check_crashed()?;
        self.syncs += 1;
        if let Some((n, timing)) = self.crash_at {
            if n == self.syncs {
                self.crashed = true;
                return Ok(SyncPoint::Crash(timing));
            }
        }
        if self.fail_sync == Some(self.syncs) {
            return Err(io::Error::other(format!("model storage: sync {} failed", self.syncs)));
        }
        Ok(SyncPoint::Normal)
    }
}

enum SyncPoint {
    Normal,
    Crash(CrashTiming),
}

fn crashed_during_sync() -> io::Error {
    io::Error::other("model storage: the machine crashed during a sync")
}

impl Storage for ModelStorage {
    fn len(&self) -> io::Result<u64> {
        self.check_crashed()?;
        Ok(self.live.len() as u64)
    }

    fn read_all(&mut self) -> io::Result<Vec<u8>> {
        self.check_crashed()?;
        Ok(self.live.clone())
    }

    fn append(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.check_crashed()?;
        self.appends += 1;
        if self.fail_append == Some(self.appends) {
            let half = bytes.get(..bytes.len() / 2).unwrap_or_default();
            self.live.extend_from_slice(half);
            return Err(io::Error::other(format!(
                "model storage: append {} failed after {} of {} bytes",
                self.appends,
                half.len(),
                bytes.len()
            )));
        }
        self.live.extend_from_slice(bytes);
        Ok(())
    }

    fn truncate(&mut self, len: u64) -> io::Result<()> {
        self.check_crashed()?;
        let len = usize::try_from(len).map_err(io::Error::other)?;
        if len > self.live.len() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "model storage: truncate beyond the end",
            ));
        }
        self.live.truncate(len);
        Ok(())
    }

    fn sync(&mut self) -> io::Result<()> {
        match self.sync_point()? {
            SyncPoint::Normal => {
                self.durable.clone_from(&self.live);
                Ok(())
            }
            SyncPoint::Crash(timing) => {
                if timing == CrashTiming::AfterSync {
                    self.durable.clone_from(&self.live);
                }
                Err(crashed_during_sync())
            }
        }
    }

    fn replace(&mut self, bytes: &[u8]) -> io::Result<()> {
        match self.sync_point()? {
            SyncPoint::Normal => {
                self.live = bytes.to_vec();
                self.durable = bytes.to_vec();
                Ok(())
            }
            SyncPoint::Crash(timing) => {
                if timing == CrashTiming::AfterSync {
                    self.live = bytes.to_vec();
                    self.durable = bytes.to_vec();
                }
                Err(crashed_during_sync())
            }
        }
    }

    fn read_anchor(&mut self) -> io::Result<Option<Vec<u8>>> {
        self.check_crashed()?;
        Ok(self.anchor.clone())
    }

    fn write_anchor(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.check_crashed()?;
        self.anchor = Some(bytes.to_vec());
        Ok(())
    }
}
