//! Opening a terminal directory for writing: what posterm's commands and the C API (host/capi)
//! share. Nothing here prints: what opening repaired comes back as notes, and a refusal as a
//! [`Stop`] with its exit code and what to do.

use pos_journal::{AnchorFound, FileStorage, Journal, JournalError, JournalOptions};
use pos_net::transport::{Transport, TransportConfig};

use crate::archive::ArchiveDir;
use crate::driver::{CardReader, Driver};
use crate::exit;
use crate::runtime::{Backend, SecurityFactory};
use crate::terminal_dir::{ConfigFile, TerminalDir, JOURNAL};
use crate::{component_file, token};

/// Why a command stopped before it reached the kernel, and with which exit code.
#[derive(Debug)]
pub struct Stop {
    pub code: u8,
    pub message: String,
}

impl Stop {
    /// A host error (exit code 6): configuration, files, component.
    pub fn host(message: impl Into<String>) -> Stop {
        Stop {
            code: exit::HOST_ERROR,
            message: message.into(),
        }
    }
}

/// Opens the journal for writing, for the terminal of `file`: refused when the anchor says
/// records were lost, the journal is missing, or it is another terminal's. With it, what opening
/// repaired (a torn tail cut off, an anchor written anew), for the operator or the vendor's log.
pub fn open_journal(dir: &TerminalDir, file: &ConfigFile) -> Result<(Journal<FileStorage>, Vec<String>), Stop> {
    let path = dir.journal_path();
    let storage = FileStorage::open(&dir.path, JOURNAL).map_err(|e| Stop::host(format!("{}: {e}", path.display())))?;
    let options = JournalOptions {
        owner: Some(file.terminal.terminal_id.clone()),
        ..JournalOptions::default()
    };
    let (journal, recovery) = Journal::open_with(storage, options).map_err(|e| match e {
        JournalError::Refused(refusal) => Stop {
            code: exit::JOURNAL_REFUSED,
            message: format!(
                "{}: refused: {refusal}. Nothing was sent. `posterm --dir {} recover` says what can be done (see `posterm recover --help`).",
                path.display(),
                dir.path.display()
            ),
        },
        JournalError::UnsupportedVersion { version } => Stop {
            code: exit::JOURNAL_REFUSED,
            message: format!(
                "{}: {}. Nothing was sent. To start a new journal that carries the STAN and batch on: `posterm --dir {} recover --new-journal`.",
                path.display(),
                JournalError::UnsupportedVersion { version },
                dir.path.display()
            ),
        },
        other => Stop::host(format!("{}: {other}", path.display())),
    })?;
    let mut notes = Vec::new();
    if recovery.dropped_records > 0 || recovery.dropped_bytes > 0 {
        notes.push(format!(
            "journal: cut off a torn tail ({} byte(s)) that a crash left in the middle of an append",
            recovery.dropped_bytes
        ));
    }
    match recovery.anchor {
        AnchorFound::Missing if recovery.records > 0 => notes
            .push("journal: it had no anchor (written by an older posterm, or deleted): one was written now".into()),
        AnchorFound::Unreadable => notes.push("journal: its anchor was damaged: it was written anew".into()),
        _ => {}
    }
    Ok((journal, notes))
}

/// Opens the terminal in `dir` for writing, on `component` run by `backend`: its configuration,
/// journal, archive and acquirer; its security module from `security`, or the PKCS#11 token
/// config.toml names; `card` answers for the chip card. The caller holds the directory's lock.
/// Returns the terminal and what opening its journal repaired ([`open_journal`]).
pub fn open_dir(
    dir: &TerminalDir,
    component: &std::path::Path,
    backend: Backend,
    security: Option<SecurityFactory>,
    card: CardReader,
) -> Result<(Driver<FileStorage>, Vec<String>), Stop> {
    let file: ConfigFile = dir.load().map_err(Stop::host)?;
    dir.check_writable().map_err(Stop::host)?;
    let security = match security {
        Some(security) => security,
        None => token::factory(token::open_with_tmk(dir, &file).map_err(Stop::host)?),
    };
    let (journal, notes) = open_journal(dir, &file)?;
    let runtime = component_file::load(component, backend, security).map_err(Stop::host)?;
    let transport = Transport::new(TransportConfig {
        address: file.host.acquirer.clone(),
        connect_timeout_ms: file.host.connect_timeout_ms,
        read_timeout_ms: file.terminal.response_timeout_ms,
    });
    let archive = ArchiveDir::new(&dir.path, file.host.archive_days);
    let driver =
        Driver::open(runtime, file.terminal, journal, transport, card).map_err(|e| Stop::host(e.to_string()))?;
    Ok((driver.with_archive(archive), notes))
}
