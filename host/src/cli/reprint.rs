//! `posterm reprint`: the last receipt, a receipt by STAN (current batch or archive), or the last
//! settlement report, printed again marked 重打印 / REPRINT (docs/architecture.md, rule 18).
//! Reads only.

use std::process::ExitCode;

use pos_kernel::reprint::{reprint, ReprintRequest};

use super::print::{exit, note, out};
use super::reconcile::books;
use super::Globals;
use crate::terminal_dir::TerminalDir;

#[derive(Debug, clap::Args)]
pub struct ReprintArgs {
    /// The receipt of this STAN (trace number), from the current batch or the archive of settled
    /// batches.
    #[arg(long, conflicts_with = "settlement")]
    pub stan: Option<u32>,
    /// The last settlement report.
    #[arg(long)]
    pub settlement: bool,
}

pub fn run(globals: &Globals, args: &ReprintArgs) -> ExitCode {
    let request = match (args.stan, args.settlement) {
        (Some(stan), _) => ReprintRequest::Stan(stan),
        (None, true) => ReprintRequest::Settlement,
        (None, false) => ReprintRequest::Last,
    };
    let (file, state, archive) = match books(&TerminalDir::new(&globals.dir)) {
        Ok(books) => books,
        Err((code, e)) => {
            note!("posterm reprint: {e}");
            return ExitCode::from(code);
        }
    };
    match reprint(&file.terminal, &state, &archive, &request) {
        Ok(reprint) if globals.json => out!("{}", serde_json::to_string(&reprint).unwrap_or_default()),
        Ok(reprint) => out!("{}", reprint.text.trim_end()),
        Err(e) => {
            note!("posterm reprint: {e}");
            return ExitCode::from(exit::FAILED);
        }
    }
    ExitCode::SUCCESS
}
