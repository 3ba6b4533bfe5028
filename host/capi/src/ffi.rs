//! Reading what C passes in, writing what goes back, and the boundary every function crosses:
//! a bad pointer or text is a `POS_USAGE` with a message, a panic a `POS_INTERNAL_ERROR`.

use core::ffi::c_char;
use std::ffi::{CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

use pos_host::runtime::Backend;

use crate::codes::{POS_INTERNAL_ERROR, POS_USAGE};

/// Why a call failed: its code and what to tell the vendor.
#[derive(Debug)]
pub(crate) struct Failure {
    pub code: i32,
    pub message: String,
}

impl Failure {
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure {
            code: POS_USAGE,
            message: message.into(),
        }
    }
}

/// Runs `call` at the boundary: its code, with the message of a failure written to `error`
/// (when not NULL); a panic becomes `POS_INTERNAL_ERROR`.
pub(crate) fn boundary(error: *mut *mut c_char, call: impl FnOnce() -> Result<i32, Failure>) -> i32 {
    let failure = match catch_unwind(AssertUnwindSafe(call)) {
        Ok(Ok(code)) => return code,
        Ok(Err(failure)) => failure,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Failure {
                code: POS_INTERNAL_ERROR,
                message: format!("internal error (please report it): {what}; close the terminal and open it again"),
            }
        }
    };
    write_string(error, failure.message);
    failure.code
}

/// The text at `ptr`, a NUL-terminated UTF-8 string from C, for the argument `name`.
pub(crate) fn text<'a>(ptr: *const c_char, name: &str) -> Result<&'a str, Failure> {
    if ptr.is_null() {
        return Err(Failure::usage(format!("{name} is NULL")));
    }
    // SAFETY: not NULL; the C caller passes a NUL-terminated string that outlives the call
    // (the contract of every function taking `const char *`).
    let text = unsafe { CStr::from_ptr(ptr) };
    text.to_str()
        .map_err(|e| Failure::usage(format!("{name} is not UTF-8 ({e})")))
}

/// `text` for an argument that may be NULL.
pub(crate) fn optional_text<'a>(ptr: *const c_char, name: &str) -> Result<Option<&'a str>, Failure> {
    if ptr.is_null() {
        Ok(None)
    } else {
        text(ptr, name).map(Some)
    }
}

/// The component an option names (NULL: `target/component/pos_kernel.wasm`) and the back end
/// that runs it here.
pub(crate) fn component_and_backend(component: *const c_char, pulley: bool) -> Result<(PathBuf, Backend), Failure> {
    let component = optional_text(component, "options.component")?
        .map_or_else(|| PathBuf::from("target/component/pos_kernel.wasm"), PathBuf::from);
    Ok((component, Backend::on_this_machine(pulley)))
}

/// Writes a new string to `*out` (freed by the caller with `pos_string_free`); nothing when
/// `out` is NULL.
pub(crate) fn write_string(out: *mut *mut c_char, text: String) {
    if out.is_null() {
        return;
    }
    // A NUL inside would cut the text short in C: it is dropped rather than the text lost.
    let text = CString::new(text.replace('\0', "")).unwrap_or_default();
    // SAFETY: `out` is not NULL and points to a `char *` the caller owns.
    unsafe { *out = text.into_raw() };
}

/// Takes back a string made by [`write_string`].
pub(crate) fn free_string(ptr: *mut c_char) {
    if !ptr.is_null() {
        // SAFETY: `ptr` came from `CString::into_raw` in `write_string` (the contract of
        // `pos_string_free`), and is freed once.
        drop(unsafe { CString::from_raw(ptr) });
    }
}
