//! Advices and management tasks in corners the vectors do not visit (rule 16).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use pos_acquirer_sim::Fault;
use pos_harness::cards;
use pos_harness::vector::StepInput;
use pos_harness::world::World;
use pos_kernel::engine::downloads::ManagementTask;
use pos_kernel::engine::{Event, TransactionKind};
use pos_kernel::{Command, Config, Input, OutcomeResult};

const TID: &str = "10000001";

fn signed_on() -> World {
    let mut world = World::new(Config::default());
    world.command(Command::SignOn);
    world
}

/// An advice's `00` answer must carry a valid MAC like a financial approval's: one whose MAC
/// does not verify is not an answer, and the advice stays pending until a good one comes.
#[test]
fn an_advice_answer_whose_mac_fails_is_not_an_answer() {
    let mut world = signed_on();
    world.acquirer.send_script_with_next_approval();
    world.command(Command::Sale {
        amount: 1_000,
        card: cards::chip_debit(),
    });
    world.acquirer.inject(Fault::BadMac);
    world.card_accepts();
    let ignored = world
        .events
        .iter()
        .any(|e| matches!(e, Event::ReplyIgnored { reason } if reason.contains("MAC")));
    assert!(ignored, "{:?}", world.events);
    assert_eq!(world.host.terminal.status().pending_advices.len(), 1, "still pending");
    world.run_until_quiet();
    assert!(world.host.terminal.status().pending_advices.is_empty());
    assert_eq!(world.acquirer.script_results().len(), 1);
    assert!(
        world.acquirer.violations().is_empty(),
        "{:?}",
        world.acquirer.violations()
    );
}

/// An advice waiting for its answer is the terminal's own work: `status` shows it pending, not
/// as an operator's request in flight.
#[test]
fn an_advice_waiting_for_its_answer_is_not_in_flight() {
    let mut world = signed_on();
    world.acquirer.send_script_with_next_approval();
    world.command(Command::Sale {
        amount: 1_000,
        card: cards::chip_debit(),
    });
    world.acquirer.inject(Fault::DropReply);
    world.card_accepts();
    let status = world.host.terminal.status();
    assert!(world.has_timers(), "the advice waits for its answer");
    assert_eq!(status.pending_advices.len(), 1);
    assert_eq!(status.in_flight, None, "{status:?}");
}

/// A task asked for in the reply to a sign-off waits for the next sign-on (its requests need
/// the working keys), then runs; nothing is sent meanwhile.
#[test]
fn a_task_asked_for_at_sign_off_runs_after_the_next_sign_on() {
    let mut world = signed_on();
    world.acquirer.ask(TID, ManagementTask::Parameters);
    world.command(Command::SignOff);
    world.run_until_quiet();
    let status = world.host.terminal.status();
    assert_eq!(status.management_due, [ManagementTask::Parameters]);
    assert!(status.downloads.parameters.is_none());
    let failed = world
        .events
        .iter()
        .any(|e| matches!(e, Event::Management { step, .. } if step.contains("could not")));
    assert!(!failed, "no attempt without keys: {:?}", world.events);
    world.command(Command::SignOn);
    world.run_until_quiet();
    let status = world.host.terminal.status();
    assert!(status.management_due.is_empty());
    assert!(status.downloads.parameters.is_some());
}

/// A step that gets no answer while an operator's command waits: the command goes first, and
/// the task comes back by itself (the retry timer, or the acquirer asking again).
#[test]
fn a_failed_task_comes_back_after_the_command_that_waited() {
    let mut world = signed_on();
    world.acquirer.ask(TID, ManagementTask::Parameters);
    world.feed(StepInput::Kernel(Input::Command(Command::Echo)));
    // The echo's reply asks for the download; its first request (360) is lost on the way.
    world.step_one();
    world.lose_transmits = 1;
    while world.step_one() {}
    assert!(world
        .host
        .terminal
        .status()
        .management_due
        .contains(&ManagementTask::Parameters));
    // A sale arrives while the 360 waits for its answer: it waits, then goes first.
    world.command(Command::Sale {
        amount: 700,
        card: cards::swiped_debit(),
    });
    world.run_until_quiet();
    let sale = world
        .outcomes
        .iter()
        .position(|o| o.transaction == TransactionKind::Sale);
    assert!(sale.is_some_and(|i| world.outcomes[i].result == OutcomeResult::Approved));
    let status = world.host.terminal.status();
    assert!(status.management_due.is_empty(), "{:?}", status.management_due);
    assert!(status.downloads.parameters.is_some());
}
