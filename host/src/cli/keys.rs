//! `posterm keys`: the terminal master key into the terminal's token, once; what the token holds.

use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use pos_pkcs11::{check_value_hex, parse_component};

use super::print::{exit, note, out};
use super::Globals;
use crate::terminal_dir::TerminalDir;
use crate::token;

#[derive(Debug, Args)]
pub struct KeysArgs {
    #[command(subcommand)]
    pub command: KeysCommand,
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Load the terminal master key (TMK) into the token named in config.toml, once. Its key
    /// custodians type their components (32 hex digits each; spaces allowed) when asked; posterm
    /// shows the check value of each and of the TMK, to compare with the key sheets. The key
    /// goes into the token only (sensitive, not extractable) and is never written to a file.
    LoadTmk {
        /// Read the components from this file (one per line) instead of asking: for tests and
        /// scripted set-ups. Keep the file private and delete it afterwards.
        #[arg(long, value_name = "FILE")]
        from_file: Option<PathBuf>,
        /// How many components are typed (ignored with --from-file).
        #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u8).range(1..=9))]
        components: u8,
        /// Replace a TMK already in the token (after a key change at the acquirer).
        #[arg(long)]
        replace: bool,
    },
    /// What the token holds: whether the TMK is loaded.
    Status,
}

pub fn run(globals: &Globals, args: &KeysArgs) -> ExitCode {
    match keys(globals, args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            note!("posterm keys: {e}");
            ExitCode::from(exit::HOST_ERROR)
        }
    }
}

fn keys(globals: &Globals, args: &KeysArgs) -> Result<(), String> {
    let dir = TerminalDir::new(&globals.dir);
    let file = dir.load()?;
    let token = token::open(&dir, &file)?;
    match &args.command {
        KeysCommand::Status => {
            let loaded = token.has_tmk().map_err(|e| e.to_string())?;
            out!(
                "token `{}` ({}): terminal master key `{}` {}",
                file.security.token,
                file.security.pkcs11_library.display(),
                file.security.tmk_label,
                if loaded {
                    "loaded"
                } else {
                    "NOT loaded: posterm keys load-tmk"
                }
            );
            Ok(())
        }
        KeysCommand::LoadTmk {
            from_file,
            components,
            replace,
        } => {
            let lines = match from_file {
                Some(path) => std::fs::read_to_string(path)
                    .map_err(|e| format!("{}: {e}", path.display()))?
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty() && !l.starts_with('#'))
                    .map(str::to_owned)
                    .collect(),
                None => typed(*components)?,
            };
            let mut keys = Vec::with_capacity(lines.len());
            for (i, line) in lines.iter().enumerate() {
                let key = parse_component(line).map_err(|e| format!("component {}: {e}", i + 1))?;
                keys.push(key);
            }
            let loaded = token.load_tmk(&keys, *replace).map_err(|e| e.to_string())?;
            if token.ensure_data_key().map_err(|e| e.to_string())? {
                out!(
                    "card data key `{}` generated in token `{}` (AES-256; the journal keeps card numbers sealed under it)",
                    file.security.data_key_label,
                    file.security.token
                );
            }
            for (i, check) in loaded.components.iter().enumerate() {
                out!("component {}: check value {}", i + 1, check_value_hex(check));
            }
            out!(
                "terminal master key `{}` {} in token `{}`: check value {} (compare it with the key sheet)",
                file.security.tmk_label,
                if loaded.replaced { "replaced" } else { "loaded" },
                file.security.token,
                check_value_hex(&loaded.tmk)
            );
            Ok(())
        }
    }
}

/// Asks for `count` components on standard input, one line each.
fn typed(count: u8) -> Result<Vec<String>, String> {
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    (1..=count)
        .map(|i| {
            note!("component {i} of {count} (32 hex digits): ");
            match lines.next() {
                Some(Ok(line)) => Ok(line),
                Some(Err(e)) => Err(format!("component {i}: {e}")),
                None => Err(format!(
                    "component {i}: standard input ended; type the components, or use --from-file"
                )),
            }
        })
        .collect()
}
