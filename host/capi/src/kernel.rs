//! The kernel alone, for firmware that owns the journal, the network and the clock: inputs in
//! (a command, "persisted", a received frame, a timer that fired), outputs out (a record to make
//! durable, a frame to send, a timer to arm, an event, an outcome), as the kernel's JSON. The
//! firmware carries out each output in order, exactly as docs/architecture.md's contract says
//! (a `persist` is durable before the next input). `examples/c/vectors.c` replays every test
//! vector through it.

use core::ffi::c_char;

use pos_host::component_file;
use pos_host::runtime::{ComponentTerminal, Runtime, SecurityFactory};
use pos_kernel::security::PinPad;
use pos_kernel::{Config, Input, Timestamp};

use crate::codes::*;
use crate::ffi::{boundary, component_and_backend, text, write_string, Failure};
use crate::security::{self, PosSecurityModule};

/// One journal record, as a `persist` output gave it (hex-decoded), for `pos_kernel_open`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct PosRecord {
    pub bytes: *const u8,
    pub length: usize,
}

/// How a kernel is opened. Zero-initialise it and set what differs from the default.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct PosKernelOptions {
    /// The kernel component (`pos_kernel.wasm`, its `.cwasm` for this machine beside it). NULL:
    /// `target/component/pos_kernel.wasm`.
    pub component: *const c_char,
    /// Run the component on Pulley where Cranelift could run it (32-bit ARM always runs Pulley).
    pub pulley: bool,
    /// The security module and PIN pad: required (the kernel alone has no token), unless the
    /// library was built with the `test-keys` feature, where NULL means the software module with
    /// the test TMK (docs/profile.md §6) and the PIN pad `pos_kernel_test_enter_pin` types on.
    pub security: *const PosSecurityModule,
}

/// A kernel instance: the component in its own store.
pub struct PosKernel {
    terminal: ComponentTerminal,
    /// The test PIN pad (`test-keys` only).
    #[cfg_attr(not(feature = "test-keys"), allow(dead_code))]
    pin_pad: PinPad,
}

impl core::fmt::Debug for PosKernel {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PosKernel").finish_non_exhaustive()
    }
}

fn fault(e: impl ToString) -> Failure {
    Failure {
        code: POS_HOST_ERROR,
        message: e.to_string(),
    }
}

#[cfg(feature = "test-keys")]
fn test_keys() -> Result<SecurityFactory, Failure> {
    Ok(component_file::test_keys())
}

#[cfg(not(feature = "test-keys"))]
fn test_keys() -> Result<SecurityFactory, Failure> {
    Err(Failure::usage(
        "options.security is NULL: the kernel alone needs the terminal's security module (only a library built with the `test-keys` feature has the test TMK)",
    ))
}

fn open(options: &PosKernelOptions, config: &str, records: &[Vec<u8>], now: u64) -> Result<PosKernel, Failure> {
    let config: Config = serde_json::from_str(config)
        .map_err(|e| Failure::usage(format!("config: not a kernel configuration ({e})")))?;
    let (component, backend) = component_and_backend(options.component, options.pulley)?;
    let security = match security::factory(options.security).map_err(Failure::usage)? {
        Some(callbacks) => callbacks,
        None => test_keys()?,
    };
    let runtime: Runtime = component_file::load(&component, backend, security).map_err(fault)?;
    let pin_pad = PinPad::new();
    let terminal = if records.is_empty() {
        runtime.create(&config, &pin_pad)
    } else {
        runtime.restore(&config, records, Timestamp(now), &pin_pad)
    }
    .map_err(fault)?;
    Ok(PosKernel { terminal, pin_pad })
}

/// Opens a kernel for `config` (the kernel's configuration as JSON, the `config` of a test
/// vector), fresh when `record_count` is 0, else restored from the journal's records at `now_ms`
/// (milliseconds since 1970). On success `*kernel` is to be closed with `pos_kernel_close`.
///
/// # Safety
/// `options` NULL or a valid `PosKernelOptions`; `config` a NUL-terminated string; `records`
/// valid for `record_count` records, each readable for its length; `kernel` a valid pointer;
/// `error` NULL or a valid pointer.
#[no_mangle]
pub unsafe extern "C" fn pos_kernel_open(
    options: *const PosKernelOptions,
    config: *const c_char,
    records: *const PosRecord,
    record_count: usize,
    now_ms: u64,
    kernel: *mut *mut PosKernel,
    error: *mut *mut c_char,
) -> i32 {
    boundary(error, || {
        if kernel.is_null() {
            return Err(Failure::usage("kernel (where the opened kernel goes) is NULL"));
        }
        let config = text(config, "config")?;
        let defaults = PosKernelOptions {
            component: core::ptr::null(),
            pulley: false,
            security: core::ptr::null(),
        };
        // SAFETY: NULL or a valid `PosKernelOptions` (the contract above).
        let options = unsafe { options.as_ref() }.copied().unwrap_or(defaults);
        let records: Vec<Vec<u8>> = if record_count == 0 {
            Vec::new()
        } else if records.is_null() {
            return Err(Failure::usage("records is NULL but record_count is not 0"));
        } else {
            // SAFETY: `records` is valid for `record_count` entries (the contract above).
            let entries = unsafe { std::slice::from_raw_parts(records, record_count) };
            let mut copied = Vec::with_capacity(entries.len());
            for (i, record) in entries.iter().enumerate() {
                if record.bytes.is_null() && record.length > 0 {
                    return Err(Failure::usage(format!("records[{i}].bytes is NULL")));
                }
                // SAFETY: each record is readable for its length (the contract above).
                let bytes = unsafe { std::slice::from_raw_parts(record.bytes, record.length) };
                copied.push(bytes.to_vec());
            }
            copied
        };
        let opened = Box::new(open(&options, config, &records, now_ms)?);
        // SAFETY: `kernel` is not NULL and points to a `PosKernel *` the caller owns.
        unsafe { *kernel = Box::into_raw(opened) };
        Ok(POS_APPROVED)
    })
}

fn kernel_mut<'a>(kernel: *mut PosKernel) -> Result<&'a mut PosKernel, Failure> {
    // SAFETY: NULL or a kernel from `pos_kernel_open` not yet closed, used by one thread at a time.
    unsafe { kernel.as_mut() }.ok_or_else(|| Failure::usage("kernel is NULL"))
}

/// Gives the kernel one input at `now_ms`: the kernel's input as JSON (`"persisted"`,
/// `{"receive":"<hex frame>"}`, `{"timer":"response"}`, `{"command":...}`, ...). Then take
/// its outputs with `pos_kernel_next_output` until there are none. `POS_HOST_ERROR` is a kernel
/// fault: close the kernel and open it again from the journal's records.
///
/// # Safety
/// `kernel` an open kernel; `input` a NUL-terminated string; `error` NULL or a valid pointer.
#[no_mangle]
pub unsafe extern "C" fn pos_kernel_handle(
    kernel: *mut PosKernel,
    now_ms: u64,
    input: *const c_char,
    error: *mut *mut c_char,
) -> i32 {
    boundary(error, || {
        let kernel = kernel_mut(kernel)?;
        let input: Input = serde_json::from_str(text(input, "input")?)
            .map_err(|e| Failure::usage(format!("input: not a kernel input ({e})")))?;
        kernel.terminal.handle(Timestamp(now_ms), &input).map_err(fault)?;
        Ok(POS_APPROVED)
    })
}

/// The kernel's next output as JSON in `*output` (`{"persist":"<hex record>"}`,
/// `{"transmit":"<hex frame>"}`, `{"arm_timer":...}`, `{"event":...}`, `{"outcome":...}`, ...),
/// or NULL in `*output` when it has nothing more to say.
///
/// # Safety
/// `kernel` an open kernel; `output` a valid pointer; `error` NULL or a valid pointer.
#[no_mangle]
pub unsafe extern "C" fn pos_kernel_next_output(
    kernel: *mut PosKernel,
    output: *mut *mut c_char,
    error: *mut *mut c_char,
) -> i32 {
    boundary(error, || {
        if output.is_null() {
            return Err(Failure::usage("output is NULL"));
        }
        let kernel = kernel_mut(kernel)?;
        match kernel.terminal.poll_output().map_err(fault)? {
            Some(next) => write_string(output, serde_json::to_string(&next).map_err(fault)?),
            // SAFETY: `output` is not NULL and points to a `char *` the caller owns.
            None => unsafe { *output = core::ptr::null_mut() },
        }
        Ok(POS_APPROVED)
    })
}

/// Reconciles the acquirer's statements with the journal and the archive: `request` is
/// `{"statements":["<statement file text>",...],"archive":["<hex archived batch>",...]}`; the
/// reconciled items as JSON in `*items`. A statement the kernel refuses (a bad line) is
/// `POS_FAILED` with the reason in `*error`.
///
/// # Safety
/// `kernel` an open kernel; `request` a NUL-terminated string; `items` and `error` NULL or valid
/// pointers.
#[no_mangle]
pub unsafe extern "C" fn pos_kernel_reconcile(
    kernel: *mut PosKernel,
    request: *const c_char,
    items: *mut *mut c_char,
    error: *mut *mut c_char,
) -> i32 {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Request {
        statements: Vec<String>,
        archive: Vec<String>,
    }
    boundary(error, || {
        let kernel = kernel_mut(kernel)?;
        let request: Request = serde_json::from_str(text(request, "request")?).map_err(|e| {
            Failure::usage(format!(
                "request: expected {{\"statements\":[...],\"archive\":[...]}} ({e})"
            ))
        })?;
        let archive = request
            .archive
            .iter()
            .enumerate()
            .map(|(i, batch)| {
                hex::decode(batch).map_err(|e| Failure::usage(format!("request: archive[{i}] is not hex ({e})")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        match kernel
            .terminal
            .reconcile(&request.statements, &archive)
            .map_err(fault)?
        {
            Ok(reconciled) => {
                write_string(items, serde_json::to_string(&reconciled).map_err(fault)?);
                Ok(POS_APPROVED)
            }
            Err(refused) => Err(Failure {
                code: POS_FAILED,
                message: refused,
            }),
        }
    })
}

/// Types a PIN on the test PIN pad of a kernel opened with the test keys (`test-keys` builds
/// only: a terminal's PIN is typed on its PED, behind the `pin_block` callback).
///
/// # Safety
/// `kernel` an open kernel; `pin` a NUL-terminated string; `error` NULL or a valid pointer.
#[cfg(feature = "test-keys")]
#[no_mangle]
pub unsafe extern "C" fn pos_kernel_test_enter_pin(
    kernel: *mut PosKernel,
    pin: *const c_char,
    error: *mut *mut c_char,
) -> i32 {
    boundary(error, || {
        let kernel = kernel_mut(kernel)?;
        kernel
            .pin_pad
            .enter(text(pin, "pin")?)
            .map_err(|e| Failure::usage(format!("pin: {e}")))?;
        Ok(POS_APPROVED)
    })
}

/// Closes a kernel. NULL is ignored.
///
/// # Safety
/// `kernel` NULL or an open kernel, not used again.
#[no_mangle]
pub unsafe extern "C" fn pos_kernel_close(kernel: *mut PosKernel) {
    if !kernel.is_null() {
        // SAFETY: from `Box::into_raw` in `pos_kernel_open`, closed once.
        drop(unsafe { Box::from_raw(kernel) });
    }
}
