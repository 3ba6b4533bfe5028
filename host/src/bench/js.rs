//! The JavaScript hosts (wasm-bindgen and jco in Node), run by `web/bench/kernel.mjs` on the same
//! script; it prints one JSON object of per-cycle medians in microseconds.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// Runs the Node benchmark on `script` (a JSON [`super::cycles::SaleScript`]); `host name →
/// median µs`, or why it could not run.
pub fn run(root: &Path, script: &Path) -> Result<BTreeMap<String, f64>, String> {
    let bench = root.join("web").join("bench").join("kernel.mjs");
    let output = Command::new("node")
        .arg(&bench)
        .arg(script)
        .output()
        .map_err(|e| format!("node: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "{} failed: {}",
            bench.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    serde_json::from_slice(&output.stdout).map_err(|e| format!("{}: unreadable result: {e}", bench.display()))
}
