//! A terminal driven by an arbitrary sequence of inputs (commands, the acquirer's frames damaged
//! on the way, timers, journal answers and crashes, restarts, a link that goes down, the card's
//! verdicts, acquirer faults), its invariants checked after every step (`pos_fuzz::World`):
//! nothing leaves behind an unanswered persist; a reversible request leaves only with its
//! reversal durable; no track data or PIN block in a record; every outcome agrees with its
//! guidance; the live state is the journal's.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pos_fuzz::{Step, World};

fuzz_target!(|steps: Vec<Step>| {
    let mut world = World::new();
    for step in steps.into_iter().take(200) {
        world.step(step);
    }
});
