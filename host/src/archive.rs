//! The archive of settled batches in a terminal directory (docs/architecture.md, rule 17):
//! `archive/<settlement date>-<batch>.pab`, one file per batch, each written aside, synced and
//! renamed into place (so a file is whole or absent), private to the owner. Files older than the
//! configured number of days are removed when a new batch is archived.

use std::path::{Path, PathBuf};

use pos_kernel::engine::ArchivedBatch;
use pos_kernel::time::CivilDate;

use crate::terminal_dir::{private, write_private};

/// At least a day is kept; the default is a week (a statement comes the day after, T+1, or the
/// day after that; a week leaves room for late statements and questions).
pub const DEFAULT_KEEP_DAYS: u32 = 7;

/// A file of the archive, its settlement date and batch.
type ArchiveFile = (PathBuf, (CivilDate, u32));

#[derive(Debug, Clone)]
pub struct ArchiveDir {
    dir: PathBuf,
    keep_days: u32,
}

/// `YYYYMMDD-NNNNNN.pab`.
fn file_name(batch: &ArchivedBatch) -> Option<String> {
    let date = CivilDate::of_date_time(&batch.settled_at)?;
    Some(format!("{}-{:06}.pab", date.yyyymmdd(), batch.batch))
}

/// The settlement date and batch of an archive file name.
fn parse_name(name: &str) -> Option<(CivilDate, u32)> {
    let stem = name.strip_suffix(".pab")?;
    let (date, batch) = stem.split_once('-')?;
    Some((CivilDate::parse_yyyymmdd(date)?, batch.parse().ok()?))
}

impl ArchiveDir {
    /// The archive of the terminal directory `terminal_dir`, keeping `keep_days` days (at least 1).
    pub fn new(terminal_dir: &Path, keep_days: u32) -> ArchiveDir {
        ArchiveDir {
            dir: terminal_dir.join("archive"),
            keep_days: keep_days.max(1),
        }
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Stores one archived batch durably (the kernel's `Output::Archive`), replacing an earlier
    /// copy of the same batch, then removes batches settled more than `keep_days` before it.
    pub fn store(&self, bytes: &[u8]) -> Result<(), String> {
        let batch = ArchivedBatch::decode(bytes).map_err(|e| format!("archive: the kernel's batch: {e}"))?;
        let name =
            file_name(&batch).ok_or_else(|| format!("archive: unreadable settlement time `{}`", batch.settled_at))?;
        if !self.dir.exists() {
            std::fs::create_dir_all(&self.dir).map_err(|e| format!("{}: {e}", self.dir.display()))?;
            private(&self.dir, 0o700)?;
        }
        let path = self.dir.join(&name);
        let aside = self.dir.join(format!(".{name}.tmp"));
        write_private(&aside, bytes)?;
        sync(&aside)?;
        std::fs::rename(&aside, &path).map_err(|e| format!("{}: {e}", path.display()))?;
        sync(&self.dir)?;
        let today = CivilDate::of_date_time(&batch.settled_at).unwrap_or(CivilDate(0));
        for (file, (date, number)) in self.files()? {
            let older = date < today.plus_days(-i64::from(self.keep_days));
            let same_batch_elsewhere = number == batch.batch && file != path;
            if older || same_batch_elsewhere {
                std::fs::remove_file(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            }
        }
        Ok(())
    }

    /// The archive's files with their date and batch, oldest first.
    fn files(&self) -> Result<Vec<ArchiveFile>, String> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(format!("{}: {e}", self.dir.display())),
        };
        let mut files: Vec<_> = entries
            .filter_map(Result::ok)
            .filter_map(|e| {
                let name = e.file_name().to_str()?.to_owned();
                Some((e.path(), parse_name(&name)?))
            })
            .collect();
        files.sort_by_key(|(_, key)| *key);
        Ok(files)
    }

    /// Every archived batch, oldest first. A file that does not decode is an error naming it.
    pub fn load(&self) -> Result<Vec<ArchivedBatch>, String> {
        self.files()?
            .into_iter()
            .map(|(path, _)| {
                let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
                ArchivedBatch::decode(&bytes).map_err(|e| format!("{}: {e}", path.display()))
            })
            .collect()
    }
}

fn sync(path: &Path) -> Result<(), String> {
    std::fs::File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(|e| format!("{}: sync: {e}", path.display()))
}
