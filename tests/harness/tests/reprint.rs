//! Reprint (rule 18): the last receipt, a receipt by STAN from the current batch or the archive,
//! the last settlement report; marked 重打印 / REPRINT and otherwise what was printed first.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use pos_acquirer_sim::Fault;
use pos_harness::cards;
use pos_harness::world::World;
use pos_kernel::engine::Command;
use pos_kernel::reprint::{reprint, ReprintError, ReprintRequest, MARK};
use pos_kernel::Config;

fn state(world: &World) -> pos_kernel::engine::DurableState {
    world.host.terminal.durable_state().clone()
}

fn sale(world: &mut World, amount: u64) -> pos_kernel::Outcome {
    world.command(Command::Sale {
        amount,
        card: cards::swiped_debit(),
    });
    world.run_until_quiet();
    world.outcomes.last().cloned().unwrap()
}

#[test]
fn receipts_and_reports_print_again_marked_and_otherwise_identical() {
    let config = Config::default();
    let mut world = World::new(config.clone());
    world.command(Command::SignOn);
    let first = sale(&mut world, 1_000);
    let second = sale(&mut world, 2_000);
    world.acquirer.inject(Fault::DropReply);
    let lost = sale(&mut world, 3_000);
    assert!(lost.receipt.is_none(), "a reversed sale has no receipt");

    let last = reprint(&config, &state(&world), &[], &ReprintRequest::Last).unwrap();
    let printed = second.receipt.clone().unwrap();
    assert_eq!(
        last.receipt.as_ref(),
        Some(&printed),
        "the last receipt, not the reversed sale"
    );
    assert_eq!(last.text, format!("{MARK}\n{}", printed.render()));
    assert_eq!(
        reprint(&config, &state(&world), &[], &ReprintRequest::Stan(lost.stan.unwrap())),
        Err(ReprintError::NotApproved {
            stan: lost.stan.unwrap()
        })
    );
    assert_eq!(
        reprint(&config, &state(&world), &[], &ReprintRequest::Settlement),
        Err(ReprintError::NoSettlement)
    );

    world.command(Command::Settle);
    world.run_until_quiet();
    let settled = world.outcomes.last().cloned().unwrap();
    let report = settled.settlement.clone().expect("a settlement report");
    let archive = world.host.journal.archive.clone();
    assert_eq!(archive.len(), 1, "the settled batch is archived");
    let third = sale(&mut world, 4_000);

    // From the archive, by STAN; the current batch's newest for `Last`.
    let old = reprint(
        &config,
        &state(&world),
        &archive,
        &ReprintRequest::Stan(first.stan.unwrap()),
    )
    .unwrap();
    assert_eq!(old.receipt, first.receipt);
    assert_eq!(old.archived_batch, Some(report.batch));
    let last = reprint(&config, &state(&world), &archive, &ReprintRequest::Last).unwrap();
    assert_eq!(last.receipt, third.receipt);
    let again = reprint(&config, &state(&world), &archive, &ReprintRequest::Settlement).unwrap();
    assert_eq!(again.settlement.as_ref(), Some(&report));
    assert!(again.text.starts_with(MARK));
    assert!(again.text.ends_with(&report.render()), "{}", again.text);
    assert_eq!(
        reprint(&config, &state(&world), &archive, &ReprintRequest::Stan(999_999)),
        Err(ReprintError::NoSuchStan { stan: 999_999 })
    );
}
