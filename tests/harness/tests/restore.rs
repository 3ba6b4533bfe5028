//! The journal is the whole durable truth: at every step of every vector, replaying the records
//! the host has synced gives exactly the durable state of the live terminal.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use pos_harness::runner::Host;
use pos_harness::vector::Vector;
use pos_harness::vectors_dir;
use pos_kernel::engine::DurableState;

#[test]
fn replaying_the_journal_gives_the_live_state_at_every_step() {
    let mut checked = 0;
    for entry in std::fs::read_dir(vectors_dir()).expect("tests/vectors") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|x| x != "json") {
            continue;
        }
        let vector = Vector::from_json(&std::fs::read_to_string(&path).expect("read")).expect("parse");
        let mut host = Host::new(vector.config.clone()).expect("config");
        for (index, step) in vector.steps.iter().enumerate() {
            host.play_native(step).expect("step");
            let config = host.terminal.config();
            let replayed = DurableState::new(config.initial_stan, config.initial_batch)
                .replay(host.journal.records.iter().map(Vec::as_slice))
                .expect("the journal replays");
            // Between a Persist output and its acknowledgement the live state has not applied it yet.
            assert_eq!(&replayed, host.terminal.durable_state(), "{} step {index}", vector.id);
            checked += 1;
        }
    }
    assert!(checked > 200, "only {checked} steps checked");
}
