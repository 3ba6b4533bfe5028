//! Sizes of what ships: the component, its `.cwasm`, the wasm-bindgen modules (raw and gzipped,
//! when built: web/pkg-kernel is the kernel alone, web/pkg has the simulated acquirer compiled in
//! for the demo) and this `posterm` executable.

use std::path::Path;

/// `(what, bytes)` for every artifact that exists; `None` for the missing ones.
pub fn artifacts(component: &Path, cwasm: &Path, pulley_cwasm: &Path, root: &Path) -> Vec<(String, Option<u64>)> {
    let size = |p: &Path| std::fs::metadata(p).ok().map(|m| m.len());
    let raw_component = component.with_file_name("pos_kernel.raw.wasm");
    let web = root.join("web").join("pkg").join("pos_kernel_web_bg.wasm");
    let web_kernel = root.join("web").join("pkg-kernel").join("pos_kernel_web_bg.wasm");
    let exe = std::env::current_exe().ok();
    vec![
        ("component (wasm-opt -Os)".into(), size(component)),
        ("component before wasm-opt".into(), size(&raw_component)),
        ("component .cwasm (Cranelift, x86_64)".into(), size(cwasm)),
        ("component .cwasm (Pulley)".into(), size(pulley_cwasm)),
        ("wasm-bindgen module, kernel alone".into(), size(&web_kernel)),
        (
            "wasm-bindgen module, kernel alone, gzip -9".into(),
            gzipped(&web_kernel),
        ),
        (
            "wasm-bindgen module with the simulated acquirer (demo)".into(),
            size(&web),
        ),
        ("wasm-bindgen module with the acquirer, gzip -9".into(), gzipped(&web)),
        ("posterm (this executable)".into(), exe.as_deref().and_then(size)),
    ]
}

/// The size of `path` compressed with `gzip -9` (the system's gzip), if both exist.
fn gzipped(path: &Path) -> Option<u64> {
    let output = std::process::Command::new("gzip")
        .arg("-9")
        .arg("-c")
        .arg(path)
        .output()
        .ok()?;
    output.status.success().then_some(output.stdout.len() as u64)
}
