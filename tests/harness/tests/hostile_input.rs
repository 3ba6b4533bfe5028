//! Whatever arrives from the network, the kernel does not panic, and the transaction still ends
//! in exactly one outcome with the books balanced.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use pos_acquirer_sim::Fault;
use pos_harness::cards;
use pos_harness::reconcile::reconcile;
use pos_harness::vector::StepInput;
use pos_harness::world::World;
use pos_kernel::engine::{Command, TransactionKind};
use pos_kernel::{Config, Input, Output};
use proptest::prelude::*;

/// A signed-on terminal whose sale is outstanding (the acquirer charged it; its reply is held back
/// until after the timeout).
fn awaiting_reply() -> World {
    let mut world = World::new(Config::default());
    world.recording = false;
    world.command(Command::SignOn);
    world.acquirer.inject(Fault::DelayReply);
    world.command(Command::Sale {
        amount: 4_200,
        card: cards::swiped_debit(),
    });
    let pending = world
        .host
        .terminal
        .durable_state()
        .reversal
        .clone()
        .expect("the reversal stands while the sale is outstanding");
    assert_eq!(pending.stan, 2);
    let status = world.host.terminal.status();
    assert_eq!(status.pending_reversal, None, "in flight, not pending");
    assert_eq!(status.in_flight.and_then(|f| f.stan), Some(2));
    world
}

fn finish(mut world: World) {
    world.run_until_quiet();
    let sales: Vec<_> = world
        .outcomes
        .iter()
        .filter(|o| o.transaction == TransactionKind::Sale)
        .collect();
    assert_eq!(sales.len(), 1, "exactly one outcome for the sale: {sales:?}");
    let tid = world.host.terminal.config().terminal_id.clone();
    reconcile(&tid, world.host.terminal.durable_state(), world.acquirer.ledger()).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_bytes_while_awaiting_a_reply(frames in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..300), 1..4)) {
        let mut world = awaiting_reply();
        for frame in frames {
            world.feed(StepInput::Kernel(Input::Receive(frame)));
        }
        finish(world);
    }

    #[test]
    fn mutated_replies_while_awaiting_a_reply(position in 0usize..200, value in any::<u8>(), truncate in any::<bool>()) {
        // Record a real approval frame from a twin world, then mutate it.
        let mut twin = World::new(Config::default());
        twin.command(Command::SignOn);
        twin.feed(StepInput::Kernel(Input::Command(Command::Sale { amount: 4_200, card: cards::swiped_debit() })));
        twin.feed(StepInput::Kernel(Input::Persisted));
        let reply = twin.steps.iter().rev().flat_map(|s| s.expect.iter()).find_map(|o| match o {
            Output::Transmit(frame) => Some(frame.clone()),
            _ => None,
        });
        let mut frame = reply.expect("the sale was transmitted");
        let replies = twin.acquirer.handle_frame(twin.now.0, &frame);
        let Some(pos_acquirer_sim::AcquirerOutput::Reply(real)) = replies.into_iter().next() else { panic!("a reply") };
        frame = real;
        let at = position % frame.len();
        if truncate { frame.truncate(at) } else { frame[at] = value }
        let mut world = awaiting_reply();
        world.feed(StepInput::Kernel(Input::Receive(frame)));
        finish(world);
    }
}
