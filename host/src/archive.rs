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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

    use pos_kernel::engine::settlement::{SettlementReport, Totals, Verdict};

    use super::*;

    fn batch(number: u32, settled_at: &str) -> Vec<u8> {
        ArchivedBatch {
            terminal_id: "10000001".into(),
            batch: number,
            settled_at: settled_at.into(),
            report: SettlementReport {
                batch: number,
                domestic: Totals::default(),
                foreign: Totals::default(),
                by_type: Vec::new(),
                domestic_result: Verdict::Balanced,
                foreign_result: Verdict::Balanced,
                uploaded: 0,
                tc_uploaded: Vec::new(),
                ic_failures_uploaded: Vec::new(),
                open_exceptions: Vec::new(),
            },
            entries: Vec::new(),
            history: Vec::new(),
        }
        .encode()
        .unwrap()
    }

    #[test]
    fn batches_are_kept_for_their_days_one_copy_each_private() {
        let dir = std::env::temp_dir().join(format!("archive-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let archive = ArchiveDir::new(&dir, 2);
        archive.store(&batch(1, "2026-11-20 18:00:00")).unwrap();
        archive.store(&batch(2, "2026-11-21 18:00:00")).unwrap();
        // Batch 2 archived again a day later (a crash between archiving and compacting): one copy.
        archive.store(&batch(2, "2026-11-22 09:00:00")).unwrap();
        let kept: Vec<(u32, String)> = archive
            .load()
            .unwrap()
            .into_iter()
            .map(|b| (b.batch, b.settled_at))
            .collect();
        assert_eq!(
            kept,
            [
                (1, "2026-11-20 18:00:00".to_owned()),
                (2, "2026-11-22 09:00:00".to_owned())
            ]
        );
        // Three days on, batch 1 (more than 2 days before) goes.
        archive.store(&batch(3, "2026-11-23 18:00:00")).unwrap();
        let kept: Vec<u32> = archive.load().unwrap().into_iter().map(|b| b.batch).collect();
        assert_eq!(kept, [2, 3]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            for entry in std::fs::read_dir(archive.path()).unwrap() {
                let mode = entry.unwrap().metadata().unwrap().permissions().mode() & 0o777;
                assert_eq!(mode, 0o600);
            }
            let mode = std::fs::metadata(archive.path()).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o700);
        }
        // A file that is not an archived batch is an error naming it, not skipped.
        std::fs::write(archive.path().join("20261123-000009.pab"), b"junk").unwrap();
        let error = archive.load().unwrap_err();
        assert!(error.contains("20261123-000009.pab"), "{error}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
