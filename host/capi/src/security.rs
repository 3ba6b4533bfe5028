//! The vendor's security module and PIN pad as C callbacks: the kernel asks for a MAC, a PIN
//! block, working keys installed, card data sealed; the vendor routes each to its secure element
//! and PED. No key, PIN or clear PIN block crosses this interface: keys arrive encrypted under the
//! TMK, PIN blocks leave encrypted under the PIK.

use core::ffi::{c_char, c_void};
use std::ffi::CString;

use pos_host::runtime::SecurityFactory;
use pos_kernel::security::{KeyKind, SecurityError, SecurityModule, WorkingKeys};

use crate::codes::*;

/// The three working keys of a sign-on reply (F62), each encrypted under the terminal master key
/// with the first 4 bytes of its check value (3DES of 8 zero bytes under the clear key).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct PosWorkingKeys {
    pub pik: [u8; 16],
    pub pik_check_value: [u8; 4],
    pub mak: [u8; 16],
    pub mak_check_value: [u8; 4],
    pub tdk: [u8; 16],
    pub tdk_check_value: [u8; 4],
}

/// The security module and PIN pad of the terminal, as C callbacks (each returns a
/// `POS_SECURITY_*` code). Called on the thread that calls `pos_terminal_run` (or another
/// `pos_terminal_*` function), one call at a time; `context` is passed back to each.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct PosSecurityModule {
    pub context: *mut c_void,
    /// Decrypts each working key under the TMK, verifies its check value, and only then
    /// installs all three.
    pub load_working_keys: Option<unsafe extern "C" fn(context: *mut c_void, keys: *const PosWorkingKeys) -> i32>,
    /// The CUP "ECB" MAC of `block` (`length` bytes) under the MAK: 8 ASCII bytes into `mac`.
    pub mac: Option<unsafe extern "C" fn(context: *mut c_void, block: *const u8, length: usize, mac: *mut u8) -> i32>,
    /// The PED takes the cardholder's PIN and returns the ISO 9564 format-0 PIN block for `pan`
    /// (13 to 19 digits, NUL-terminated) encrypted under the PIK: 8 bytes into `pin_block`.
    pub pin_block: Option<unsafe extern "C" fn(context: *mut c_void, pan: *const c_char, pin_block: *mut u8) -> i32>,
    /// Encrypts one 16-byte card data block under the module's data key (AES-256, ECB:
    /// deterministic), which never leaves the module: 16 bytes into `sealed`.
    pub seal: Option<unsafe extern "C" fn(context: *mut c_void, block: *const u8, sealed: *mut u8) -> i32>,
    /// Decrypts what `seal` returned: 16 bytes into `block`.
    pub unseal: Option<unsafe extern "C" fn(context: *mut c_void, sealed: *const u8, block: *mut u8) -> i32>,
}

/// The callbacks as the kernel's [`SecurityModule`].
#[derive(Debug, Clone, Copy)]
struct CallbackSecurity(PosSecurityModule);

// SAFETY (Send and Sync): the module, and the factory that makes one for each restart of the
// kernel, are used only by the terminal that owns them, on the thread that calls into the
// terminal, one call at a time; the vendor's contract (docs/embedding.md) is that its callbacks
// and context may be called from the threads it calls `pos_terminal_*` functions on.
unsafe impl Send for CallbackSecurity {}
unsafe impl Sync for CallbackSecurity {}

impl CallbackSecurity {
    /// The callbacks, all of them present.
    fn new(module: PosSecurityModule) -> Result<CallbackSecurity, String> {
        let missing = [
            ("load_working_keys", module.load_working_keys.is_none()),
            ("mac", module.mac.is_none()),
            ("pin_block", module.pin_block.is_none()),
            ("seal", module.seal.is_none()),
            ("unseal", module.unseal.is_none()),
        ];
        match missing.iter().find(|(_, none)| *none) {
            Some((name, _)) => Err(format!(
                "security: the `{name}` callback is NULL: every callback is required"
            )),
            None => Ok(CallbackSecurity(module)),
        }
    }
}

/// The vendor's callbacks as the runtime's security factory (each kernel instance, after a
/// restart too, gets a copy); `None` when `module` is NULL.
pub(crate) fn factory(module: *const PosSecurityModule) -> Result<Option<SecurityFactory>, String> {
    if module.is_null() {
        return Ok(None);
    }
    // SAFETY: not NULL; the caller passes a `PosSecurityModule` readable during the call (it is
    // copied: the struct need not outlive the call, the callbacks and context must).
    let module = CallbackSecurity::new(unsafe { *module })?;
    Ok(Some(Box::new(move |_pin_pad| Box::new(module))))
}

/// A callback's code as the kernel's error.
fn checked(callback: &str, code: i32) -> Result<(), SecurityError> {
    match code {
        POS_SECURITY_OK => Ok(()),
        POS_SECURITY_PIK_CHECK_VALUE => Err(SecurityError::CheckValueMismatch(KeyKind::Pin)),
        POS_SECURITY_MAK_CHECK_VALUE => Err(SecurityError::CheckValueMismatch(KeyKind::Mac)),
        POS_SECURITY_TDK_CHECK_VALUE => Err(SecurityError::CheckValueMismatch(KeyKind::TrackData)),
        POS_SECURITY_KEYS_NOT_LOADED => Err(SecurityError::KeysNotLoaded),
        POS_SECURITY_PIN_NOT_ENTERED => Err(SecurityError::PinNotEntered),
        other => Err(SecurityError::Device(format!(
            "the secure element's `{callback}` callback returned {other}"
        ))),
    }
}

fn absent(callback: &str) -> SecurityError {
    SecurityError::Device(format!("the `{callback}` callback is NULL"))
}

impl SecurityModule for CallbackSecurity {
    fn load_working_keys(&mut self, keys: &WorkingKeys) -> Result<(), SecurityError> {
        let callback = self.0.load_working_keys.ok_or_else(|| absent("load_working_keys"))?;
        let keys = PosWorkingKeys {
            pik: keys.pik.key,
            pik_check_value: keys.pik.check_value,
            mak: keys.mak.key,
            mak_check_value: keys.mak.check_value,
            tdk: keys.tdk.key,
            tdk_check_value: keys.tdk.check_value,
        };
        // SAFETY: a callback the vendor gave with this context; `keys` lives across the call.
        let code = unsafe { callback(self.0.context, &keys) };
        checked("load_working_keys", code)
    }

    fn mac(&mut self, mac_block: &[u8]) -> Result<[u8; 8], SecurityError> {
        let callback = self.0.mac.ok_or_else(|| absent("mac"))?;
        let mut mac = [0u8; 8];
        // SAFETY: `mac_block` is readable for its length, `mac` writable for 8 bytes, during the call.
        let code = unsafe { callback(self.0.context, mac_block.as_ptr(), mac_block.len(), mac.as_mut_ptr()) };
        checked("mac", code).map(|()| mac)
    }

    fn pin_block(&mut self, pan: &str) -> Result<[u8; 8], SecurityError> {
        let callback = self.0.pin_block.ok_or_else(|| absent("pin_block"))?;
        let pan = CString::new(pan).map_err(|_| SecurityError::InvalidPan)?;
        let mut block = [0u8; 8];
        // SAFETY: `pan` is NUL-terminated and `block` writable for 8 bytes during the call.
        let code = unsafe { callback(self.0.context, pan.as_ptr(), block.as_mut_ptr()) };
        checked("pin_block", code).map(|()| block)
    }

    fn seal(&mut self, block: [u8; 16]) -> Result<[u8; 16], SecurityError> {
        let callback = self.0.seal.ok_or_else(|| absent("seal"))?;
        let mut sealed = [0u8; 16];
        // SAFETY: both buffers are 16 bytes and live across the call.
        let code = unsafe { callback(self.0.context, block.as_ptr(), sealed.as_mut_ptr()) };
        checked("seal", code).map(|()| sealed)
    }

    fn unseal(&mut self, sealed: [u8; 16]) -> Result<[u8; 16], SecurityError> {
        let callback = self.0.unseal.ok_or_else(|| absent("unseal"))?;
        let mut block = [0u8; 16];
        // SAFETY: both buffers are 16 bytes and live across the call.
        let code = unsafe { callback(self.0.context, sealed.as_ptr(), block.as_mut_ptr()) };
        checked("unseal", code).map(|()| block)
    }
}
