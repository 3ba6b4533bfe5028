//! The C API (host/capi) called as C calls it, from Rust: the codes are posterm's exit codes;
//! bad arguments are refused with a message naming them; a terminal directory has one writer;
//! the vendor's security callbacks carry the terminal's keys (here backed by the software module
//! with the test TMK, as a secure element would be), and a callback's refusal reaches the
//! operator.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    unsafe_code
)]

mod common;

use core::ffi::{c_char, c_void};
use std::ffi::{CStr, CString};
use std::ptr::{null, null_mut};

use common::rig::rig;
use pos_host::exit;
use pos_kernel::security::crypto::TEST_TMK;
use pos_kernel::security::{EncryptedKey, SecurityModule, SoftwareSecurityModule, WorkingKeys};
use poskernel::*;

/// Takes a string the library returned.
fn take(text: *mut c_char) -> String {
    assert!(!text.is_null(), "a string was returned");
    let owned = unsafe { CStr::from_ptr(text) }.to_string_lossy().into_owned();
    unsafe { pos_string_free(text) };
    owned
}

fn open(dir: &CStr, options: *const PosOptions) -> Result<*mut PosTerminal, (i32, String)> {
    let mut terminal = null_mut();
    let mut error = null_mut();
    match unsafe { pos_terminal_open(dir.as_ptr(), options, &mut terminal, &mut error) } {
        POS_APPROVED => Ok(terminal),
        code => Err((code, take(error))),
    }
}

fn run(terminal: *mut PosTerminal, command: &str) -> (i32, String) {
    let command = CString::new(command).unwrap();
    let (mut outcome, mut error) = (null_mut(), null_mut());
    let code = unsafe { pos_terminal_run(terminal, command.as_ptr(), &mut outcome, &mut error) };
    (code, take(if outcome.is_null() { error } else { outcome }))
}

/// Options for a terminal on `component` with the directory's own token (no C callbacks).
fn token_options(component: &CStr) -> PosOptions {
    PosOptions {
        component: component.as_ptr(),
        pulley: false,
        security: null(),
        card_reader: None,
        card_reader_context: null_mut(),
    }
}

fn component() -> CString {
    CString::new(common::component_path().to_str().unwrap()).unwrap()
}

#[test]
fn the_codes_are_posterms_exit_codes() {
    let pairs = [
        (POS_APPROVED, exit::APPROVED),
        (POS_DECLINED, exit::DECLINED),
        (POS_USAGE, exit::USAGE),
        (POS_FAILED, exit::FAILED),
        (POS_REVERSED, exit::REVERSED),
        (POS_REVERSAL_NOT_CONFIRMED, exit::REVERSAL_NOT_CONFIRMED),
        (POS_HOST_ERROR, exit::HOST_ERROR),
        (POS_IN_USE, exit::IN_USE),
        (POS_SETTLED_UNBALANCED, exit::SETTLED_UNBALANCED),
        (POS_JOURNAL_REFUSED, exit::JOURNAL_REFUSED),
    ];
    for (c, posterm) in pairs {
        assert_eq!(c, i32::from(posterm));
    }
    let version = unsafe { CStr::from_ptr(pos_version()) }.to_str().unwrap();
    assert!(version.ends_with(&format!("C API {POS_API_VERSION}")), "{version}");
}

#[test]
fn bad_arguments_are_refused_with_what_to_fix() {
    let mut terminal = null_mut();
    let mut error = null_mut();
    let code = unsafe { pos_terminal_open(null(), null(), &mut terminal, &mut error) };
    assert_eq!((code, take(error).as_str()), (POS_USAGE, "dir is NULL"));
    assert!(terminal.is_null());

    let missing = CString::new("/nonexistent/terminal").unwrap();
    let (code, message) = open(&missing, null()).unwrap_err();
    assert_eq!(code, POS_HOST_ERROR);
    assert!(message.contains("posterm init"), "says how to make one: {message}");

    let not_utf8 = CString::new(vec![0xff, 0xfe]).unwrap();
    let (code, message) = open(&not_utf8, null()).unwrap_err();
    assert_eq!(code, POS_USAGE);
    assert!(message.contains("dir is not UTF-8"), "{message}");

    // Calls on no terminal, and a NULL error pointer, do not crash.
    let command = CString::new("\"sign_on\"").unwrap();
    let code = unsafe { pos_terminal_run(null_mut(), command.as_ptr(), null_mut(), null_mut()) };
    assert_eq!(code, POS_USAGE);
    unsafe { pos_terminal_close(null_mut()) };
    unsafe { pos_string_free(null_mut()) };
}

#[test]
fn one_writer_and_commands_that_do_not_parse() {
    let rig = rig("c-api-writer");
    let dir = CString::new(rig.dir.to_str().unwrap()).unwrap();
    let component = component();
    let options = token_options(&component);
    let terminal = open(&dir, &options).unwrap();
    // A second writer, in this process or a posterm, is refused while it is open.
    let (code, message) = open(&dir, &options).unwrap_err();
    assert_eq!(code, POS_IN_USE, "{message}");
    let status = rig.posterm(&["echo"]).status().unwrap();
    assert_eq!(status.code(), Some(i32::from(exit::IN_USE)));

    let (code, message) = run(terminal, "{\"sale\":{\"amount\":\"12.34\"}}");
    assert_eq!(code, POS_USAGE);
    assert!(message.starts_with("command: not a kernel command"), "{message}");
    let (code, outcome) = run(terminal, "\"echo\"");
    assert_eq!(code, POS_APPROVED, "{outcome}");
    assert!(outcome.contains("\"transaction\":\"echo\""), "{outcome}");
    let mut status = null_mut();
    assert_eq!(
        unsafe { pos_terminal_status(terminal, &mut status, null_mut()) },
        POS_APPROVED
    );
    assert!(take(status).contains("\"signed_on\":true"));
    unsafe { pos_terminal_close(terminal) };
    // Closed: the directory is free again.
    assert_eq!(rig.posterm(&["echo"]).status().unwrap().code(), Some(0));
}

#[test]
fn what_opening_repaired_is_in_the_status_not_on_stderr() {
    let rig = rig("c-api-notes");
    assert_eq!(rig.posterm(&["echo"]).status().unwrap().code(), Some(0));
    // A torn tail, as a crash during an append leaves it.
    let journal = rig.dir.join("journal.pjl");
    let mut bytes = std::fs::read(&journal).unwrap();
    bytes.extend_from_slice(&[90, 0, 0, 0, 1, 2, 3]);
    std::fs::write(&journal, &bytes).unwrap();
    let dir = CString::new(rig.dir.to_str().unwrap()).unwrap();
    let component = component();
    let options = token_options(&component);
    let terminal = open(&dir, &options).unwrap();
    let mut status = null_mut();
    assert_eq!(
        unsafe { pos_terminal_status(terminal, &mut status, null_mut()) },
        POS_APPROVED
    );
    let status: serde_json::Value = serde_json::from_str(&take(status)).unwrap();
    let notes = status["journal_notes"]
        .as_array()
        .expect("journal_notes after a repair");
    assert!(
        notes
            .iter()
            .any(|n| n.as_str().unwrap_or_default().contains("cut off a torn tail")),
        "{notes:?}"
    );
    unsafe { pos_terminal_close(terminal) };
    // Opened again, there is nothing to repair and no notes.
    let terminal = open(&dir, &options).unwrap();
    let mut status = null_mut();
    unsafe { pos_terminal_status(terminal, &mut status, null_mut()) };
    assert!(!take(status).contains("journal_notes"));
    unsafe { pos_terminal_close(terminal) };
}

/// A secure element for the test: the software module with the test TMK, counting calls, and
/// refusing the PIN key's check value when told to.
struct Element {
    module: SoftwareSecurityModule,
    calls: usize,
    refuse_keys: bool,
}

fn element(context: *mut c_void) -> &'static mut Element {
    unsafe { &mut *context.cast::<Element>() }
}

fn code(result: Result<(), pos_kernel::security::SecurityError>) -> i32 {
    match result {
        Ok(()) => POS_SECURITY_OK,
        Err(_) => 99,
    }
}

unsafe extern "C" fn load_working_keys(context: *mut c_void, keys: *const PosWorkingKeys) -> i32 {
    let element = element(context);
    element.calls += 1;
    if element.refuse_keys {
        return POS_SECURITY_PIK_CHECK_VALUE;
    }
    let keys = unsafe { &*keys };
    let key = |key, check_value| EncryptedKey { key, check_value };
    code(element.module.load_working_keys(&WorkingKeys {
        pik: key(keys.pik, keys.pik_check_value),
        mak: key(keys.mak, keys.mak_check_value),
        tdk: key(keys.tdk, keys.tdk_check_value),
    }))
}

unsafe extern "C" fn mac(context: *mut c_void, block: *const u8, length: usize, out: *mut u8) -> i32 {
    let element = element(context);
    element.calls += 1;
    let block = unsafe { std::slice::from_raw_parts(block, length) };
    match element.module.mac(block) {
        Ok(mac) => {
            unsafe { out.copy_from_nonoverlapping(mac.as_ptr(), 8) };
            POS_SECURITY_OK
        }
        Err(_) => POS_SECURITY_KEYS_NOT_LOADED,
    }
}

unsafe extern "C" fn pin_block(context: *mut c_void, _pan: *const c_char, _out: *mut u8) -> i32 {
    element(context).calls += 1;
    POS_SECURITY_PIN_NOT_ENTERED
}

unsafe extern "C" fn seal(context: *mut c_void, block: *const u8, out: *mut u8) -> i32 {
    let element = element(context);
    element.calls += 1;
    let block: [u8; 16] = unsafe { std::slice::from_raw_parts(block, 16) }.try_into().unwrap();
    let sealed = element.module.seal(block).unwrap();
    unsafe { out.copy_from_nonoverlapping(sealed.as_ptr(), 16) };
    POS_SECURITY_OK
}

unsafe extern "C" fn unseal(context: *mut c_void, sealed: *const u8, out: *mut u8) -> i32 {
    let element = element(context);
    element.calls += 1;
    let sealed: [u8; 16] = unsafe { std::slice::from_raw_parts(sealed, 16) }.try_into().unwrap();
    let block = element.module.unseal(sealed).unwrap();
    unsafe { out.copy_from_nonoverlapping(block.as_ptr(), 16) };
    POS_SECURITY_OK
}

#[test]
fn the_vendors_security_callbacks_carry_the_keys() {
    let rig = rig("c-api-security");
    let dir = CString::new(rig.dir.to_str().unwrap()).unwrap();
    let component = component();
    let mut secure_element = Element {
        module: SoftwareSecurityModule::new(TEST_TMK),
        calls: 0,
        refuse_keys: true,
    };
    let security = PosSecurityModule {
        context: (&raw mut secure_element).cast(),
        load_working_keys: Some(load_working_keys),
        mac: Some(mac),
        pin_block: Some(pin_block),
        seal: Some(seal),
        unseal: Some(unseal),
    };
    let options = PosOptions {
        component: component.as_ptr(),
        pulley: false,
        security: &security,
        card_reader: None,
        card_reader_context: null_mut(),
    };
    // The secure element refuses the PIN key: the sign-on fails and says so.
    let terminal = open(&dir, &options).unwrap();
    let (code, outcome) = run(terminal, "\"sign_on\"");
    assert_eq!(code, POS_FAILED, "{outcome}");
    assert!(outcome.contains("PIN key"), "{outcome}");
    unsafe { pos_terminal_close(terminal) };

    // It takes them: sign-on, and a sale MACed by it, its card sealed by it.
    secure_element.refuse_keys = false;
    let terminal = open(&dir, &options).unwrap();
    let (code, outcome) = run(terminal, "\"sign_on\"");
    assert_eq!(code, POS_APPROVED, "{outcome}");
    let calls = secure_element.calls;
    let sale = pos_kernel::engine::Command::Sale {
        amount: 500,
        card: pos_acquirer_sim::reader::tap_credit(),
    };
    let (code, outcome) = run(terminal, &serde_json::to_string(&sale).unwrap());
    assert_eq!(code, POS_APPROVED, "{outcome}");
    assert!(secure_element.calls > calls + 1, "MAC and seal went to the callbacks");
    // A card that needs a PIN: the PED (the `pin_block` callback) reports none entered.
    let debit = pos_kernel::engine::Command::Sale {
        amount: 500,
        card: pos_acquirer_sim::reader::chip_debit(),
    };
    let (code, outcome) = run(terminal, &serde_json::to_string(&debit).unwrap());
    assert_eq!(code, POS_FAILED, "{outcome}");
    unsafe { pos_terminal_close(terminal) };
    rig.books();
}

#[test]
fn the_kernel_alone_refuses_bad_arguments() {
    let open_kernel = |config: &str, records: *const PosRecord, count: usize| {
        let config = CString::new(config).unwrap();
        let (mut kernel, mut error) = (null_mut(), null_mut());
        let code = unsafe { pos_kernel_open(null(), config.as_ptr(), records, count, 0, &mut kernel, &mut error) };
        assert!(kernel.is_null());
        (code, take(error))
    };
    let (code, message) = open_kernel("{\"terminal_id\":1}", null(), 0);
    assert_eq!(code, POS_USAGE);
    assert!(message.starts_with("config: not a kernel configuration"), "{message}");

    let config = serde_json::to_string(&pos_kernel::Config::default()).unwrap();
    let (code, message) = open_kernel(&config, null(), 2);
    assert_eq!(code, POS_USAGE);
    assert_eq!(message, "records is NULL but record_count is not 0");

    // This library is built without the test keys, as a terminal's is: a security module is
    // required.
    let (code, message) = open_kernel(&config, null(), 0);
    assert_eq!(code, POS_USAGE);
    assert!(message.starts_with("options.security is NULL"), "{message}");

    let input = CString::new("\"persisted\"").unwrap();
    let mut error = null_mut();
    let code = unsafe { pos_kernel_handle(null_mut(), 0, input.as_ptr(), &mut error) };
    assert_eq!((code, take(error).as_str()), (POS_USAGE, "kernel is NULL"));
    unsafe { pos_kernel_close(null_mut()) };
}
