//! Reconciliation property test: many seeded runs of sales with random acquirer faults, journal
//! failures and restarts at random persist points. Each run ends by settling the books: the
//! acquirer's ledger equals what the journal holds as approved and not reversed (charges left
//! standing only where the terminal listed an unconfirmed reversal for the operator).
//!
//! `RECONCILE_RUNS` sets the number of runs (default 2000).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use pos_acquirer_sim::Fault;
use pos_harness::cards;
use pos_harness::reconcile::reconcile;
use pos_harness::world::World;
use pos_kernel::engine::{Command, OutcomeResult, TransactionKind};
use pos_kernel::Config;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

#[derive(Default, Debug)]
struct Counts {
    runs: usize,
    sales: usize,
    acquirer_faults: usize,
    restarts: usize,
    approved: usize,
    declined: usize,
    reversed: usize,
    reversal_failed: usize,
    failed_before_send: usize,
    card_declines: usize,
    charged_on_exceptions: usize,
}

fn random_card(rng: &mut StdRng) -> pos_kernel::Card {
    match rng.gen_range(0..10) {
        0..=3 => cards::swiped_debit(),
        4..=6 => cards::chip_debit(),
        7..=8 => cards::tap_credit(),
        _ => cards::small_balance(),
    }
}

fn ensure_signed_on(world: &mut World) {
    for _ in 0..5 {
        let status = world.host.terminal.status();
        if status.signed_on && !status.sign_on_required {
            return;
        }
        world.command(Command::SignOn);
        world.run_until_quiet();
    }
}

fn one_run(seed: u64, counts: &mut Counts) {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut world = World::new(Config::default());
    world.recording = false;
    world.persist_chaos = Some((StdRng::seed_from_u64(seed ^ 0x5eed), 0.06));
    let sales = rng.gen_range(5..25);
    for _ in 0..sales {
        ensure_signed_on(&mut world);
        if rng.gen_bool(0.3) {
            let fault = Fault::ALL[rng.gen_range(0..Fault::ALL.len())];
            world.acquirer.inject(fault);
            counts.acquirer_faults += 1;
        }
        let amount = rng.gen_range(1..60_000);
        let before = world.outcomes.len();
        world.command(Command::Sale {
            amount,
            card: random_card(&mut rng),
        });
        counts.sales += 1;
        if world.card_pending {
            let approved = rng.gen_bool(0.85);
            counts.card_declines += usize::from(!approved);
            world.card_verdict(approved, if approved { Vec::new() } else { cards::aac() });
        }
        // Sometimes the power goes while a timeout or a reversal retry is pending.
        if rng.gen_bool(0.08) {
            world.restart();
            world.run_until_idle();
        }
        // Sometimes the next customer comes before the pending work is done.
        if rng.gen_bool(0.7) {
            world.run_until_quiet();
        }
        for outcome in world.outcomes.get(before..).unwrap_or_default() {
            if outcome.transaction != TransactionKind::Sale {
                continue;
            }
            match &outcome.result {
                OutcomeResult::Approved => counts.approved += 1,
                OutcomeResult::Declined { .. } => counts.declined += 1,
                OutcomeResult::Reversed { .. } => counts.reversed += 1,
                OutcomeResult::ReversalFailed { .. } => counts.reversal_failed += 1,
                OutcomeResult::Failed { .. } => counts.failed_before_send += 1,
            }
        }
        world.wait(rng.gen_range(1_000..120_000));
    }
    // Close of day: the faults stop and whatever is pending resolves.
    world.acquirer.clear_faults();
    world.persist_chaos = None;
    world.run_until_quiet();
    if world.host.terminal.status().pending_reversal.is_some() {
        // A reversal waits behind a queued command or a lost timer after a restart: restart once more.
        world.restart();
        world.run_until_quiet();
    }
    assert_eq!(
        world.host.terminal.status().pending_reversal,
        None,
        "seed {seed}: a reversal is still pending"
    );
    let tid = world.host.terminal.config().terminal_id.clone();
    let books = reconcile(&tid, world.host.terminal.durable_state(), world.acquirer.ledger())
        .unwrap_or_else(|e| panic!("seed {seed}: {e}"));
    counts.charged_on_exceptions += books.charged_on_exceptions;
    counts.restarts += world.restarts;
    counts.runs += 1;
}

#[test]
fn ledger_reconciles_with_journal_under_faults_and_restarts() {
    let runs: u64 = std::env::var("RECONCILE_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let mut counts = Counts::default();
    for seed in 0..runs {
        one_run(seed, &mut counts);
    }
    println!(
        "reconciliation: {} runs, {} sales, {} acquirer faults, {} restarts (incl. crashes at persist points); \
         outcomes: {} approved, {} declined, {} reversed, {} reversal not confirmed, {} failed before send; \
         {} card declines after approval; {} charges accounted for only by the exceptions list",
        counts.runs,
        counts.sales,
        counts.acquirer_faults,
        counts.restarts,
        counts.approved,
        counts.declined,
        counts.reversed,
        counts.reversal_failed,
        counts.failed_before_send,
        counts.card_declines,
        counts.charged_on_exceptions
    );
    assert_eq!(counts.runs as u64, runs);
    assert!(
        counts.reversed > 0 && counts.approved > 0 && counts.restarts > 0,
        "the faults must actually be exercised: {counts:?}"
    );
}
