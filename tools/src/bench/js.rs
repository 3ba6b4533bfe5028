//! The JavaScript hosts (wasm-bindgen and jco in Node), run by `web/bench/kernel.mjs` on the same
//! script; it prints one JSON object of per-cycle medians in microseconds.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// Runs the Node benchmark on `script` (a JSON [`super::cycles::SaleScript`]); `host name →
/// median µs`, or why it could not run.
pub fn run(root: &Path, script: &Path) -> Result<BTreeMap<String, f64>, String> {
    let web = root.join("web");
    let bench = web.join("bench").join("kernel.mjs");
    if !web.join("pkg").join("pos_kernel_web.js").is_file() {
        return Err("web/pkg not built (bash scripts/build-web.sh)".into());
    }
    if !web.join("jco").join("generated").is_dir() {
        return Err("web/jco/generated missing (bash web/jco/install.sh && bash web/jco/transpile.sh)".into());
    }
    let output = Command::new("node")
        .arg(&bench)
        .arg(script)
        .output()
        .map_err(|e| format!("node: {e}"))?;
    if !output.status.success() {
        // One line for the table: Node's error line, not its stack trace.
        let stderr = String::from_utf8_lossy(&output.stderr);
        let reason = stderr
            .lines()
            .find(|line| line.contains("Error"))
            .or_else(|| stderr.lines().rfind(|line| !line.trim().is_empty()))
            .unwrap_or("no message");
        return Err(format!("web/bench/kernel.mjs failed: {}", reason.trim()));
    }
    serde_json::from_slice(&output.stdout).map_err(|e| format!("{}: unreadable result: {e}", bench.display()))
}
