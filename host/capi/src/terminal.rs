//! A terminal directory opened by the firmware: commands in, outcomes out.

use core::ffi::{c_char, c_void};

use pos_host::driver::{CardReader, Driver};
use pos_host::exit::exit_code;
use pos_host::open::{open_dir, Stop};
use pos_host::terminal_dir::{DirLock, LockError, TerminalDir};
use pos_journal::FileStorage;
use pos_kernel::engine::Command;
use pos_kernel::CardVerdict;

use crate::codes::*;
use crate::ffi::{boundary, component_and_backend, free_string, text, write_string, Failure};
use crate::security::{self, PosSecurityModule};

/// The chip card's second GENERATE AC, after an online approval: the card reader hands the card
/// the issuer's data (`issuer_data`, F55 of the reply, with any issuer scripts) and writes what
/// the card answers (its TLV data, at most `icc_capacity` bytes) to `icc_data`, its length to
/// `*icc_length`. Returns true when the card accepts (TC), false when it declines (AAC: the
/// kernel reverses the approval).
pub type PosCardReader = Option<
    unsafe extern "C" fn(
        context: *mut c_void,
        stan: u32,
        issuer_data: *const u8,
        issuer_length: usize,
        icc_data: *mut u8,
        icc_capacity: usize,
        icc_length: *mut usize,
    ) -> bool,
>;

/// The most card data a card reader callback may write.
const ICC_CAPACITY: usize = 1024;

/// How a terminal is opened. Zero-initialise it (`PosOptions options = {0};`) and set what
/// differs from the default; or pass NULL for all defaults.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct PosOptions {
    /// The kernel component (`pos_kernel.wasm`); its `.cwasm` for this machine is loaded from
    /// beside it (`posterm compile --target`). NULL: `target/component/pos_kernel.wasm`.
    pub component: *const c_char,
    /// Run the component on Pulley where Cranelift could run it (32-bit ARM always runs Pulley).
    pub pulley: bool,
    /// The vendor's security module and PIN pad. NULL: the PKCS#11 token config.toml names.
    pub security: *const PosSecurityModule,
    /// The chip card reader. NULL: no reader of the vendor's: the card accepts every approval
    /// with no data (as posterm without a card reader does).
    pub card_reader: PosCardReader,
    /// Passed back to `card_reader`.
    pub card_reader_context: *mut c_void,
}

/// An open terminal: the directory's lock (one writer) and the running kernel. Use it from one
/// thread at a time.
pub struct PosTerminal {
    driver: Driver<FileStorage>,
    /// What opening the journal repaired (a torn tail cut off, an anchor written anew): shown
    /// by `pos_terminal_status` as `journal_notes`, since a library prints nothing.
    notes: Vec<String>,
    /// Held until `pos_terminal_close`: no posterm process writes meanwhile.
    _lock: DirLock,
}

impl core::fmt::Debug for PosTerminal {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PosTerminal").finish_non_exhaustive()
    }
}

fn stopped(stop: Stop) -> Failure {
    Failure {
        code: i32::from(stop.code),
        message: stop.message,
    }
}

fn host_error(message: impl Into<String>) -> Failure {
    Failure {
        code: POS_HOST_ERROR,
        message: message.into(),
    }
}

/// The card reader callback as the host's card reader.
fn card_reader(options: &PosOptions) -> CardReader {
    let Some(callback) = options.card_reader else {
        return Box::new(|_stan, _issuer_data| CardVerdict {
            approved: true,
            icc_data: Vec::new(),
        });
    };
    let context = options.card_reader_context;
    Box::new(move |stan, issuer_data| {
        let mut icc = vec![0u8; ICC_CAPACITY];
        let mut length = 0usize;
        // SAFETY: the vendor's callback with its context; `issuer_data` is readable and `icc`
        // writable for the lengths passed, during the call.
        let approved = unsafe {
            callback(
                context,
                stan,
                issuer_data.as_ptr(),
                issuer_data.len(),
                icc.as_mut_ptr(),
                icc.len(),
                &mut length,
            )
        };
        icc.truncate(length.min(ICC_CAPACITY));
        CardVerdict {
            approved,
            icc_data: icc,
        }
    })
}

fn open(dir: &str, options: &PosOptions) -> Result<PosTerminal, Failure> {
    let dir = TerminalDir::new(dir);
    if !TerminalDir::exists(&dir.path) {
        dir.load().map_err(host_error)?;
    }
    let lock = dir
        .lock(std::time::Duration::ZERO, || {})
        .map_err(|e| match e {
            LockError::InUse { .. } => Failure {
                code: POS_IN_USE,
                message: format!(
                    "the terminal in {} is in use by another process (a posterm command, or another program using libposkernel): nothing was done; open it again when that has finished",
                    dir.path.display()
                ),
            },
            LockError::Io(e) => host_error(e),
        })?;
    let (component, backend) = component_and_backend(options.component, options.pulley)?;
    let security = security::factory(options.security).map_err(Failure::usage)?;
    let (driver, notes) = open_dir(&dir, &component, backend, security, card_reader(options)).map_err(stopped)?;
    Ok(PosTerminal {
        driver,
        notes,
        _lock: lock,
    })
}

/// Opens the terminal directory `dir` (made by `posterm init`, its TMK loaded) and restores the
/// terminal from its journal; a reversal or advice left pending is sent by the next call that
/// talks to the acquirer. On success `*terminal` is the terminal, to be closed with
/// `pos_terminal_close`. Holds the directory until then: a posterm command meanwhile gets "in
/// use" (read-only ones such as `posterm status` work).
///
/// # Safety
/// `dir` is a NUL-terminated string; `options` is NULL or a valid `PosOptions`; `terminal` a
/// valid pointer; `error` NULL or a valid pointer (on failure it receives a message to free with
/// `pos_string_free`).
#[no_mangle]
pub unsafe extern "C" fn pos_terminal_open(
    dir: *const c_char,
    options: *const PosOptions,
    terminal: *mut *mut PosTerminal,
    error: *mut *mut c_char,
) -> i32 {
    boundary(error, || {
        if terminal.is_null() {
            return Err(Failure::usage("terminal (where the opened terminal goes) is NULL"));
        }
        let dir = text(dir, "dir")?;
        let defaults = PosOptions {
            component: core::ptr::null(),
            pulley: false,
            security: core::ptr::null(),
            card_reader: None,
            card_reader_context: core::ptr::null_mut(),
        };
        // SAFETY: NULL or a valid `PosOptions` (the contract above).
        let options = unsafe { options.as_ref() }.copied().unwrap_or(defaults);
        let opened = Box::new(open(dir, &options)?);
        // SAFETY: `terminal` is not NULL and points to a `PosTerminal *` the caller owns.
        unsafe { *terminal = Box::into_raw(opened) };
        Ok(POS_APPROVED)
    })
}

/// The terminal behind a pointer from C.
fn terminal_mut<'a>(terminal: *mut PosTerminal) -> Result<&'a mut PosTerminal, Failure> {
    // SAFETY: NULL or a terminal from `pos_terminal_open` not yet closed, used by one thread at
    // a time (the contract of every function taking `PosTerminal *`).
    unsafe { terminal.as_mut() }.ok_or_else(|| Failure::usage("terminal is NULL"))
}

/// Runs one command to its outcome: `command` is the kernel's command as JSON (the form of the
/// test vectors, docs/embedding.md), e.g. `"sign_on"`, `{"sale":{"amount":1234,"card":{...}}}`,
/// `"settle"`. Carries out everything in between (journal, acquirer, reversal) and returns the
/// outcome's code (`POS_APPROVED` … `POS_SETTLED_UNBALANCED`) with the outcome as JSON in
/// `*outcome` (guidance for the cardholder and the merchant, the receipt with the card masked,
/// the settlement report), or a failure code with `*error`.
///
/// # Safety
/// `terminal` is an open terminal; `command` a NUL-terminated string; `outcome` and `error`
/// NULL or valid pointers (what they receive is freed with `pos_string_free`).
#[no_mangle]
pub unsafe extern "C" fn pos_terminal_run(
    terminal: *mut PosTerminal,
    command: *const c_char,
    outcome: *mut *mut c_char,
    error: *mut *mut c_char,
) -> i32 {
    boundary(error, || {
        let terminal = terminal_mut(terminal)?;
        let json = text(command, "command")?;
        let command: Command = serde_json::from_str(json)
            .map_err(|e| Failure::usage(format!("command: not a kernel command ({e}); e.g. \"sign_on\" or {{\"sale\":{{\"amount\":1234,\"card\":{{...}}}}}}")))?;
        let result = terminal.driver.run(command);
        terminal.driver.log.clear();
        let ran = result.map_err(|e| host_error(e.to_string()))?;
        terminal.driver.note_counters();
        let json = serde_json::to_string(&ran).map_err(|e| host_error(e.to_string()))?;
        write_string(outcome, json);
        Ok(i32::from(exit_code(&ran)))
    })
}

/// Carries out what is pending (a reversal or an advice to resend) without a new command: for
/// an idle loop, e.g. after `pos_terminal_open` or every minute.
///
/// # Safety
/// `terminal` is an open terminal; `error` NULL or a valid pointer.
#[no_mangle]
pub unsafe extern "C" fn pos_terminal_resume(terminal: *mut PosTerminal, error: *mut *mut c_char) -> i32 {
    boundary(error, || {
        let terminal = terminal_mut(terminal)?;
        let result = terminal.driver.settle_pending();
        terminal.driver.log.clear();
        result.map_err(|e| host_error(e.to_string()))?;
        Ok(POS_APPROVED)
    })
}

/// The terminal's status as JSON in `*status`: signed on, batch and last STAN, the transaction
/// in flight, the pending reversal, exceptions, pending refunds and advices, totals, downloads;
/// and `journal_notes` when opening repaired the journal (a torn tail a crash left, an anchor
/// written anew: a list of sentences for the vendor's log).
///
/// # Safety
/// `terminal` is an open terminal; `status` and `error` NULL or valid pointers.
#[no_mangle]
pub unsafe extern "C" fn pos_terminal_status(
    terminal: *mut PosTerminal,
    status: *mut *mut c_char,
    error: *mut *mut c_char,
) -> i32 {
    boundary(error, || {
        let terminal = terminal_mut(terminal)?;
        let now = terminal.driver.status().map_err(|e| host_error(e.to_string()))?;
        let mut value = serde_json::to_value(&now).map_err(|e| host_error(e.to_string()))?;
        if let (Some(fields), false) = (value.as_object_mut(), terminal.notes.is_empty()) {
            fields.insert("journal_notes".into(), terminal.notes.clone().into());
        }
        let json = value.to_string();
        write_string(status, json);
        Ok(POS_APPROVED)
    })
}

/// Closes the terminal: the journal is already durable; the directory is released. NULL is
/// ignored.
///
/// # Safety
/// `terminal` is NULL or an open terminal, not used again.
#[no_mangle]
pub unsafe extern "C" fn pos_terminal_close(terminal: *mut PosTerminal) {
    if !terminal.is_null() {
        // SAFETY: from `Box::into_raw` in `pos_terminal_open`, closed once.
        drop(unsafe { Box::from_raw(terminal) });
    }
}

/// Frees a string this library returned. NULL is ignored.
///
/// # Safety
/// `text` is NULL or a string from this library, not freed before.
#[no_mangle]
pub unsafe extern "C" fn pos_string_free(text: *mut c_char) {
    free_string(text);
}

/// This library's version ("poskernel 0.1.0, C API 1"): a static string, not to be freed.
#[no_mangle]
pub extern "C" fn pos_version() -> *const c_char {
    concat!("poskernel ", env!("CARGO_PKG_VERSION"), ", C API 1\0")
        .as_ptr()
        .cast()
}
