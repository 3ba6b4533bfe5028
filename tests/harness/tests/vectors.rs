//! Every committed vector replays exactly through the native Rust API, and every scenario still
//! generates its committed vector (no drift).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use pos_harness::vector::Vector;
use pos_harness::{runner, scenarios, vectors_dir};

fn committed() -> Vec<Vector> {
    let mut paths: Vec<_> = std::fs::read_dir(vectors_dir())
        .expect("tests/vectors exists")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| {
            Vector::from_json(&std::fs::read_to_string(p).expect("readable"))
                .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        })
        .collect()
}

#[test]
fn every_vector_replays_natively() {
    let vectors = committed();
    assert!(
        vectors.len() >= 25,
        "expected the full scenario set, found {}",
        vectors.len()
    );
    let mut failures = Vec::new();
    for vector in &vectors {
        if let Err(failure) = runner::run(vector) {
            failures.push(failure.to_string());
        }
    }
    println!(
        "native: {} passed, {} failed",
        vectors.len() - failures.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn committed_vectors_match_the_scenarios() {
    let committed = committed();
    for scenario in scenarios::all() {
        let generated = scenario.generate();
        let found = committed.iter().find(|v| v.id == generated.id);
        assert_eq!(
            found,
            Some(&generated),
            "vector {} drifted: run `cargo run -p pos-harness --bin gen-vectors`",
            scenario.id
        );
    }
    assert_eq!(
        committed.len(),
        scenarios::all().len(),
        "a committed vector has no scenario"
    );
}

#[test]
fn a_changed_output_is_caught() {
    // The runner must fail when any expected output differs: flip one byte of one transmit.
    let mut vector = committed()
        .into_iter()
        .find(|v| v.id == "sale-approved-magstripe-pin")
        .expect("vector");
    let frame = vector
        .steps
        .iter_mut()
        .flat_map(|s| s.expect.iter_mut())
        .find_map(|o| match o {
            pos_kernel::Output::Transmit(frame) => Some(frame),
            _ => None,
        })
        .expect("a transmit");
    let last = frame.len() - 1;
    frame[last] ^= 1;
    assert!(runner::run(&vector).is_err());
}

/// Every outcome a vector expects agrees with its guidance (docs/architecture.md, "Operator
/// truth"): the same check the hosts inherit, since they must produce these outcomes exactly.
#[test]
fn every_vector_outcome_agrees_with_its_guidance() {
    let mut outcomes = 0;
    for vector in committed() {
        for (index, step) in vector.steps.iter().enumerate() {
            for output in &step.expect {
                if let pos_kernel::Output::Outcome(outcome) = output {
                    assert!(
                        outcome.is_consistent(),
                        "{} step {index}: {:?} with {:?}",
                        vector.id,
                        outcome.result,
                        outcome.guidance.category
                    );
                    outcomes += 1;
                }
            }
        }
    }
    assert!(outcomes > 100, "only {outcomes} outcomes in the vectors");
}
