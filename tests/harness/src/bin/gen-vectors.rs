//! Writes tests/vectors/*.json from the scenarios, or with `--check` fails when the committed
//! vectors differ from what the code generates now (drift).

use std::process::ExitCode;

use pos_harness::{scenarios, vectors_dir};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let check = match args.as_slice() {
        [] => false,
        [flag] if flag == "--check" => true,
        _ => {
            eprintln!("usage: gen-vectors [--check]\n\nWrites tests/vectors/<id>.json for every scenario, driving the kernel\nagainst the simulated acquirer. With --check, writes nothing and exits 1\nwhen a committed vector differs from the generated one or is missing.");
            return ExitCode::from(2);
        }
    };
    let dir = vectors_dir();
    let mut drift = Vec::new();
    let scenarios = scenarios::all();
    for scenario in &scenarios {
        let text = scenario.generate().to_json();
        let path = dir.join(format!("{}.json", scenario.id));
        if check {
            if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
                drift.push(scenario.id);
            }
        } else if let Err(e) = std::fs::write(&path, text) {
            eprintln!("cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    }
    let known: Vec<String> = scenarios.iter().map(|s| format!("{}.json", s.id)).collect();
    let stale: Vec<String> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".json") && !known.contains(name))
        .collect();
    if !stale.is_empty() {
        eprintln!("vectors with no scenario: {}", stale.join(", "));
        return ExitCode::FAILURE;
    }
    if !drift.is_empty() {
        eprintln!(
            "vectors out of date: {} (run `cargo run -p pos-harness --bin gen-vectors`)",
            drift.join(", ")
        );
        return ExitCode::FAILURE;
    }
    println!(
        "{} vectors {}",
        scenarios.len(),
        if check { "up to date" } else { "written" }
    );
    ExitCode::SUCCESS
}
