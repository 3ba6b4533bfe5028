//! Finding the kernel component and its precompiled `.cwasm` (compiled once, cached beside it).

use std::path::{Path, PathBuf};

use pos_kernel::security::crypto::TEST_TMK;
use pos_kernel::security::SoftwareSecurityModule;

use crate::runtime::{Backend, Limits, Runtime, SecurityFactory};

/// `target/component/pos_kernel.wasm` relative to this executable (target/<profile>/posterm).
pub fn default_component() -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_default();
    let target = exe
        .parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let beside_target = target.join("component").join("pos_kernel.wasm");
    if beside_target.exists() {
        return beside_target;
    }
    PathBuf::from("target/component/pos_kernel.wasm")
}

/// The `.cwasm` path for a backend.
pub fn cwasm_path(component: &Path, backend: Backend) -> PathBuf {
    let suffix = match backend {
        Backend::Cranelift => "cwasm",
        Backend::Pulley => "pulley.cwasm",
    };
    component.with_extension(suffix)
}

/// Precompiles `component` for `backend` into `output` (written aside, then renamed into place,
/// so a reader sees the old file or the whole new one).
pub fn compile(component: &Path, backend: Backend, output: &Path) -> Result<usize, String> {
    let wasm = std::fs::read(component).map_err(|e| {
        format!(
            "{}: {e} (build it with `bash scripts/build-component.sh`)",
            component.display()
        )
    })?;
    let cwasm = precompile(component, backend, &wasm)?;
    // A temporary name of this process and call: several posterm processes starting at once
    // each compile, and must not rename one another's half-written file.
    static CALLS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = output.with_extension(format!("tmp.{}.{call}", std::process::id()));
    std::fs::write(&tmp, &cwasm).map_err(|e| format!("{}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, output).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!("{}: {e}", output.display())
    })?;
    Ok(cwasm.len())
}

#[cfg(feature = "compiler")]
fn precompile(_component: &Path, backend: Backend, wasm: &[u8]) -> Result<Vec<u8>, String> {
    crate::runtime::precompile(backend, wasm).map_err(|e| e.to_string())
}

#[cfg(not(feature = "compiler"))]
fn precompile(component: &Path, _backend: Backend, _wasm: &[u8]) -> Result<Vec<u8>, String> {
    Err(format!(
        "this posterm is runtime-only (built without the `compiler` feature): it cannot compile {}; \
         copy the .cwasm from a full build (`posterm compile`)",
        component.display()
    ))
}

/// Loads the runtime from the `.cwasm` beside `component`, compiling it first when it is missing
/// or older than the component; its instances get their security modules from `security`.
pub fn load(component: &Path, backend: Backend, security: SecurityFactory) -> Result<Runtime, String> {
    let cwasm = cwasm_path(component, backend);
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let stale = match (modified(&cwasm), modified(component)) {
        (Some(compiled), Some(source)) => compiled < source,
        (None, _) => true,
        (Some(_), None) => false,
    };
    if stale {
        compile(component, backend, &cwasm)?;
    }
    let bytes = std::fs::read(&cwasm).map_err(|e| format!("{}: {e}", cwasm.display()))?;
    runtime_from_cwasm(&bytes, backend, security)
}

/// The runtime from `.cwasm` bytes.
pub fn runtime_from_cwasm(cwasm: &[u8], backend: Backend, security: SecurityFactory) -> Result<Runtime, String> {
    Runtime::from_cwasm(backend, cwasm, Limits::default(), security).map_err(|e| e.to_string())
}

/// The software security module with the test TMK (docs/profile.md §6): for the vectors, the
/// benchmarks and `posterm farm`, never for a terminal directory (posterm's terminals keep
/// their keys in a PKCS#11 token).
pub fn test_keys() -> SecurityFactory {
    Box::new(|pad| Box::new(SoftwareSecurityModule::with_pin_pad(TEST_TMK, pad)))
}
