//! `posterm init` and `posterm compile`: a terminal directory, and the component precompiled for
//! this machine.

use std::path::PathBuf;
use std::process::ExitCode;

use pos_kernel::Config;

use super::print::{exit, note, out};
use super::Globals;
use crate::component_file;
use crate::runtime::CompileTarget;
use crate::terminal_dir::{ConfigFile, HostSettings, SecuritySettings, TerminalDir};
use crate::token;

pub fn init(globals: &Globals, acquirer: &str, softhsm: bool, pkcs11_library: Option<PathBuf>) -> ExitCode {
    if let Err(e) = crate::terminal_dir::check_address(acquirer) {
        note!("posterm init: --acquirer: {e}");
        return ExitCode::from(exit::USAGE);
    }
    let dir = TerminalDir::new(&globals.dir);
    if TerminalDir::exists(&dir.path) {
        out!("{} already exists; left as it is", dir.config_path().display());
        return ExitCode::SUCCESS;
    }
    let file = ConfigFile {
        terminal: Config::default(),
        host: HostSettings {
            acquirer: acquirer.to_owned(),
            ..HostSettings::default()
        },
        security: SecuritySettings {
            pkcs11_library: pkcs11_library.unwrap_or_else(|| SecuritySettings::default().pkcs11_library),
            ..SecuritySettings::default()
        },
    };
    match create(&dir, file, softhsm) {
        Ok(file) => {
            out!("created {}", dir.config_path().display());
            if !softhsm {
                out!(
                    "its keys go in the PKCS#11 token `{}` of {} ([security] in config.toml; the user PIN from \
                     ${} or {}, mode 0600); for a SoftHSM2 token of this terminal's own: posterm init --softhsm",
                    file.security.token,
                    file.security.pkcs11_library.display(),
                    pos_pkcs11::USER_PIN_ENV,
                    dir.user_pin_path(&file).display()
                );
            }
            out!(
                "next: load the terminal master key into the token: posterm keys load-tmk --dir {}",
                dir.path.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            note!("posterm init: {e}");
            ExitCode::from(exit::HOST_ERROR)
        }
    }
}

/// Creates a terminal directory with `file`, and with `softhsm` a SoftHSM2 token of its own that
/// `config.toml` points to.
pub fn create(dir: &TerminalDir, mut file: ConfigFile, softhsm: bool) -> Result<ConfigFile, String> {
    if softhsm {
        std::fs::create_dir_all(&dir.path).map_err(|e| format!("{}: {e}", dir.path.display()))?;
        file.security.softhsm2_conf = Some(token::create_softhsm_token(dir, &file)?);
    }
    dir.init(&file)?;
    Ok(file)
}

pub fn compile(globals: &Globals, target: Option<CompileTarget>, output: Option<PathBuf>) -> ExitCode {
    let component = globals
        .component
        .clone()
        .unwrap_or_else(component_file::default_component);
    let target = match target {
        Some(target) => target,
        None => match component_file::this_machine(super::terminal::backend(globals)) {
            Ok(target) => target,
            Err(e) => {
                note!("posterm compile: {e}");
                return ExitCode::from(exit::USAGE);
            }
        },
    };
    let output = output.unwrap_or_else(|| component_file::cwasm_path(&component, target));
    match component_file::compile(&component, target, &output) {
        Ok(size) => {
            out!(
                "{} ({size} bytes, for {target}) from {}",
                output.display(),
                component.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            note!("posterm compile: {e}");
            ExitCode::from(exit::HOST_ERROR)
        }
    }
}
