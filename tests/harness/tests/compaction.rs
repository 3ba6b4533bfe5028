//! A long batch does not make a long journal: once `COMPACT_AFTER_RECORDS` records follow the
//! last snapshot, the terminal compacts the journal to one snapshot of its state as soon as it has
//! nothing else to do, so a restart replays one snapshot and a bounded tail (docs/architecture.md,
//! "The journal"). The batch stays: it settles with the acquirer's totals.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use pos_harness::cards;
use pos_harness::reconcile::reconcile;
use pos_harness::vector::StepInput;
use pos_harness::world::{PersistFault, World};
use pos_kernel::engine::{DurableState, Event, Record, COMPACT_AFTER_RECORDS};
use pos_kernel::{Command, Config, Input, OutcomeResult, Output};

const TID: &str = "10000001";

fn signed_on() -> World {
    let mut world = World::new(Config::default());
    world.recording = false;
    world.command(Command::SignOn);
    world
}

fn sale(world: &mut World, n: u64) {
    world.command(Command::Sale {
        amount: 1_000 + 100 * (n % 50),
        card: cards::swiped_debit(),
    });
    world.run_until_quiet();
    let outcome = world.outcomes.last().expect("an outcome");
    assert_eq!(outcome.result, OutcomeResult::Approved, "sale {n}");
}

/// Sales until `records` journal records have been written since sign-on.
fn sales_writing(world: &mut World, records: usize, mut each: impl FnMut(&mut World)) -> u64 {
    let mut n = 0;
    while (world.host.terminal.durable_state().last_stan as usize) * 2 < records {
        sale(world, n);
        each(world);
        n += 1;
    }
    n
}

fn starts_with_snapshot(world: &World) -> bool {
    let first = world.host.journal.records.first().expect("a record");
    matches!(Record::decode(first), Ok(Record::Snapshot(_)))
}

fn replayed(world: &World) -> DurableState {
    let config = world.host.terminal.config();
    DurableState::new(config.initial_stan, config.initial_batch)
        .replay(world.host.journal.records.iter().map(Vec::as_slice))
        .expect("the journal replays")
}

/// Settles, and checks the terminal's books against the acquirer's ledger and the settlement's
/// totals.
fn settle_balanced(world: &mut World, sales: u64) {
    let books = reconcile(TID, world.host.terminal.durable_state(), world.acquirer.ledger()).expect("books");
    assert_eq!(books.approved as u64, sales, "every sale is in the batch");
    assert_eq!(books.approved, books.standing);
    world.command(Command::Settle);
    world.run_until_quiet();
    let settled = world.outcomes.last().expect("the settlement's outcome");
    assert_eq!(settled.result, OutcomeResult::Approved, "balanced: {settled:?}");
}

#[test]
fn a_long_batch_is_compacted_when_the_terminal_is_free_and_still_settles() {
    let mut world = signed_on();
    world.recording = true;
    let mut longest = 0;
    let mut compactions = 0;
    let sales = sales_writing(&mut world, 5 * COMPACT_AFTER_RECORDS / 2, |world| {
        longest = longest.max(world.host.journal.records.len());
        if world.host.journal.records.len() == 1 {
            compactions += 1;
            assert!(starts_with_snapshot(world));
        }
    });
    assert_eq!(compactions, 2, "{sales} sales");
    assert!(longest <= COMPACT_AFTER_RECORDS, "the journal held {longest} records");
    assert_eq!(&replayed(&world), world.host.terminal.durable_state());

    // Each compaction came right after a sale's outcome, nothing after it in its step: never
    // between a request and its answer.
    let steps: Vec<&[Output]> = world
        .steps
        .iter()
        .map(|s| s.expect.as_slice())
        .filter(|out| out.iter().any(|o| matches!(o, Output::Compact(_))))
        .collect();
    assert_eq!(steps.len(), 2);
    for outputs in steps {
        assert!(matches!(outputs.last(), Some(Output::Compact(_))), "{outputs:?}");
        let outcome = outputs.iter().rev().find_map(|o| match o {
            Output::Outcome(outcome) => Some(outcome),
            _ => None,
        });
        assert!(outcome.is_some_and(|o| o.result == OutcomeResult::Approved));
    }
    world.steps.clear();

    // A restart from the compacted journal has the whole batch, and its queries.
    let before = world.host.terminal.durable_state().clone();
    world.restart();
    world.run_until_quiet();
    assert_eq!(world.host.terminal.durable_state(), &before);
    assert_eq!(before.entries.len() as u64, sales);
    assert_eq!(before.history.len() as u64, sales + 1, "the sign-on's life too");
    settle_balanced(&mut world, sales);
}

/// A compaction the host could not make leaves its journal as it was, which holds the same
/// state: the terminal goes on (no halt), tries again after as many records, and a restart with
/// the long journal compacts it at once.
#[test]
fn a_failed_compaction_does_not_stop_the_terminal_and_a_restart_compacts() {
    let mut world = signed_on();
    let mut refused = 0;
    let sales = sales_writing(&mut world, 5 * COMPACT_AFTER_RECORDS / 2, |_| {});
    // The compactions above succeeded; now every one fails for a while.
    let mut more = 0usize;
    while refused < 2 {
        assert!(more < COMPACT_AFTER_RECORDS, "{more} sales and no compaction was tried");
        world.feed(StepInput::Kernel(Input::Command(Command::Sale {
            amount: 2_000,
            card: cards::swiped_debit(),
        })));
        loop {
            if world.host.journal.compaction_pending() {
                world.persist_faults.push_back(PersistFault::Fail);
                refused += 1;
            }
            if !world.step_one() {
                break;
            }
        }
        world.run_until_quiet();
        assert_eq!(
            world.outcomes.last().map(|o| o.result.clone()),
            Some(OutcomeResult::Approved)
        );
        more += 1;
    }
    assert!(
        !world.events.iter().any(|e| matches!(e, Event::JournalFailed { .. })),
        "a failed compaction halted the terminal"
    );
    let long = world.host.journal.records.len();
    assert!(long > COMPACT_AFTER_RECORDS, "{long} records: nothing was compacted");
    assert_eq!(&replayed(&world), world.host.terminal.durable_state());

    world.restart();
    world.run_until_quiet();
    assert_eq!(world.host.journal.records.len(), 1, "compacted at the restart");
    assert!(starts_with_snapshot(&world));
    assert_eq!(&replayed(&world), world.host.terminal.durable_state());
    settle_balanced(&mut world, sales + more as u64);
}
