//! Finding the kernel component and its precompiled `.cwasm` (compiled once, cached beside it).

use std::path::{Path, PathBuf};

use pos_kernel::security::crypto::TEST_TMK;
use pos_kernel::security::SoftwareSecurityModule;

use crate::runtime::{Backend, CompileTarget, Limits, Precompiled, Runtime, SecurityFactory};

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

/// The `.cwasm` for `target` beside the component: `pos_kernel.<target>.cwasm`, so that one
/// directory can hold what several kinds of terminal load.
pub fn cwasm_path(component: &Path, target: CompileTarget) -> PathBuf {
    component.with_extension(format!("{target}.cwasm"))
}

/// What this machine runs for `backend`, or what to do instead.
pub fn this_machine(backend: Backend) -> Result<CompileTarget, String> {
    crate::runtime::target_on_this_machine(backend)
}

/// Precompiles `component` for `target` into `output` (written aside, then renamed into place,
/// so a reader sees the old file or the whole new one).
pub fn compile(component: &Path, target: CompileTarget, output: &Path) -> Result<usize, String> {
    let wasm = std::fs::read(component).map_err(|e| {
        format!(
            "{}: {e} (build it with `bash scripts/build-component.sh`)",
            component.display()
        )
    })?;
    let cwasm = precompile(component, target, &wasm)?;
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
fn precompile(_component: &Path, target: CompileTarget, wasm: &[u8]) -> Result<Vec<u8>, String> {
    crate::runtime::precompile_for(target, wasm).map_err(|e| e.to_string())
}

#[cfg(not(feature = "compiler"))]
fn precompile(component: &Path, target: CompileTarget, _wasm: &[u8]) -> Result<Vec<u8>, String> {
    Err(format!(
        "this posterm is runtime-only (built without the `compiler` feature): it cannot compile {}; \
         on the build machine run `posterm compile --target {target}` and copy {} here",
        component.display(),
        cwasm_path(component, target).display()
    ))
}

/// Loads the runtime from the `.cwasm` beside `component`, compiling it first when it is missing,
/// older than the component, or made by another posterm (another wasmtime version or settings:
/// wasmtime refuses it); its instances get their security modules from `security`.
pub fn load(component: &Path, backend: Backend, security: SecurityFactory) -> Result<Runtime, String> {
    let target = this_machine(backend)?;
    let cwasm = cwasm_path(component, target);
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let stale = match (modified(&cwasm), modified(component)) {
        (Some(compiled), Some(source)) => compiled < source,
        (None, _) => true,
        (Some(_), None) => false,
    };
    if stale {
        compile(component, target, &cwasm)?;
    }
    let read = |path: &Path| std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()));
    let precompiled = match Precompiled::deserialize(backend, &read(&cwasm)?) {
        Ok(precompiled) => precompiled,
        Err(refused) if cfg!(feature = "compiler") && !stale => {
            compile(component, target, &cwasm).map_err(|e| format!("{}: {refused}; {e}", cwasm.display()))?;
            Precompiled::deserialize(backend, &read(&cwasm)?).map_err(|e| format!("{}: {e}", cwasm.display()))?
        }
        Err(refused) => {
            return Err(format!(
                "{}: {refused} (compile it anew for this posterm: `posterm compile --target {target}` on the build machine)",
                cwasm.display()
            ))
        }
    };
    Runtime::from_precompiled(precompiled, Limits::default(), security).map_err(|e| e.to_string())
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
