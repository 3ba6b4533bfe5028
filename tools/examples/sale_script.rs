//! Writes the benchmark's sale script (sign-on, then SALES approved sales recorded against the
//! simulated acquirer) as JSON, for `web/bench/kernel.mjs` without a whole `posterm bench`:
//! scripts/test-web.sh replays one past a mid-batch compaction on the JavaScript hosts.
//! `cargo run -p pos-tools --example sale_script -- SALES OUT.json`

fn main() -> Result<(), String> {
    let usage = "usage: sale_script SALES OUT.json";
    let mut args = std::env::args().skip(1);
    let sales: usize = args
        .next()
        .ok_or(usage)?
        .parse()
        .map_err(|e| format!("SALES: a number ({e})"))?;
    let out = std::path::PathBuf::from(args.next().ok_or(usage)?);
    let script = pos_tools::bench::cycles::record(sales)?;
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let json = serde_json::to_vec(&script).map_err(|e| e.to_string())?;
    std::fs::write(&out, json).map_err(|e| format!("{}: {e}", out.display()))
}
