//! Reconciliation property test: many seeded runs of terminal days mixing every transaction type
//! (sale, void, refund, pre-auth, cancel, completion, completion void, balance) with random
//! acquirer faults, lost frames, frames that never leave (no connection), journal failures and
//! restarts at random persist points. Every outcome's guidance must agree with its result. Each day
//! ends by settling the books: the acquirer's ledger equals what the journal holds as approved and
//! not reversed (charges left standing only where the terminal listed an unconfirmed reversal),
//! and then the settlement itself, again under faults and crashes, must finish: balanced (207)
//! when the books agree, otherwise with every entry uploaded exactly once (202).
//!
//! `RECONCILE_RUNS` sets the number of runs (default 1000).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::BTreeMap;

use pos_acquirer_sim::Fault;
use pos_harness::cards;
use pos_harness::reconcile::reconcile;
use pos_harness::world::World;
use pos_kernel::engine::settlement::Verdict;
use pos_kernel::engine::{Command, OutcomeResult, TransactionKind};
use pos_kernel::{Card, Config};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

#[derive(Default, Debug)]
struct Counts {
    runs: usize,
    days: usize,
    commands: BTreeMap<String, usize>,
    results: BTreeMap<String, usize>,
    acquirer_faults: usize,
    lost_frames: usize,
    unsent_frames: usize,
    restarts: usize,
    settled_balanced: usize,
    settled_uploaded: usize,
    settlement_attempts: usize,
    on_exceptions: usize,
}

fn random_card(rng: &mut StdRng) -> Card {
    match rng.gen_range(0..10) {
        0..=3 => cards::swiped_debit(),
        4..=6 => cards::chip_debit(),
        7..=8 => cards::tap_credit(),
        _ => cards::small_balance(),
    }
}

/// The same physical card as the one used for `pan`.
/// The test card whose masked PAN the journal shows.
fn card_for(masked: &str) -> Card {
    [
        cards::swiped_debit(),
        cards::chip_debit(),
        cards::tap_credit(),
        cards::small_balance(),
    ]
    .into_iter()
    .find(|c| pos_kernel::pan::mask(&c.pan) == masked)
    .unwrap_or_else(cards::swiped_debit)
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

/// A random command that makes sense for the terminal's journal right now.
fn random_command(rng: &mut StdRng, world: &World) -> Command {
    let state = world.host.terminal.durable_state();
    let sales: Vec<_> = state
        .entries
        .iter()
        .filter(|e| e.transaction == TransactionKind::Sale)
        .collect();
    let completions: Vec<_> = state
        .entries
        .iter()
        .filter(|e| e.transaction == TransactionKind::Completion)
        .collect();
    let open: Vec<_> = state.preauths.iter().filter(|e| e.closed_by.is_none()).collect();
    let amount = rng.gen_range(1..60_000);
    match rng.gen_range(0..100) {
        0..=39 => Command::Sale {
            amount,
            card: random_card(rng),
        },
        40..=49 if !sales.is_empty() => {
            let original = sales[rng.gen_range(0..sales.len())];
            Command::Void {
                original_stan: original.stan,
                card: None,
            }
        }
        50..=59 if !sales.is_empty() => {
            let original = sales[rng.gen_range(0..sales.len())];
            Command::Refund {
                amount: rng.gen_range(1..=original.amount),
                card: card_for(&original.card.masked),
                original_rrn: original.rrn.clone(),
                original_date: original.date.clone(),
            }
        }
        60..=69 => Command::PreAuth {
            amount,
            card: random_card(rng),
        },
        70..=79 if !open.is_empty() => {
            let original = open[rng.gen_range(0..open.len())];
            let most = original.amount * 115 / 100;
            Command::Completion {
                original_stan: original.stan,
                amount: rng.gen_range(1..=most),
                card: card_for(&original.card.masked),
            }
        }
        80..=86 if !open.is_empty() => {
            let original = open[rng.gen_range(0..open.len())];
            Command::PreAuthCancel {
                original_stan: original.stan,
                card: card_for(&original.card.masked),
            }
        }
        87..=92 if !completions.is_empty() => {
            let original = completions[rng.gen_range(0..completions.len())];
            Command::CompletionVoid {
                original_stan: original.stan,
                card: None,
            }
        }
        93..=99 => Command::Balance { card: random_card(rng) },
        _ => Command::Sale {
            amount,
            card: random_card(rng),
        },
    }
}

fn chaos(rng: &mut StdRng, world: &mut World, counts: &mut Counts) {
    if rng.gen_bool(0.25) {
        world.acquirer.inject(Fault::ALL[rng.gen_range(0..Fault::ALL.len())]);
        counts.acquirer_faults += 1;
    }
    if rng.gen_bool(0.03) {
        world.lose_transmits = rng.gen_range(1..4);
        counts.lost_frames += world.lose_transmits;
    }
    if rng.gen_bool(0.03) {
        world.unsent_transmits = rng.gen_range(1..3);
        counts.unsent_frames += world.unsent_transmits;
    }
}

fn tally(world: &World, from: usize, counts: &mut Counts) {
    for outcome in world.outcomes.get(from..).unwrap_or_default() {
        let result = match &outcome.result {
            OutcomeResult::Approved => "approved",
            OutcomeResult::Declined { .. } => "declined",
            OutcomeResult::Failed { .. } => "failed",
            OutcomeResult::Reversed { .. } => "reversed",
            OutcomeResult::ReversalFailed { .. } => "reversal not confirmed",
            OutcomeResult::SettledUnbalanced => "settled unbalanced",
        };
        *counts.results.entry(result.to_owned()).or_default() += 1;
    }
}

/// Resolves everything pending with the faults off: reversals, refunds.
fn quiesce(world: &mut World) {
    world.acquirer.clear_faults();
    world.lose_transmits = 0;
    world.unsent_transmits = 0;
    world.run_until_quiet();
    let status = world.host.terminal.status();
    if status.pending_reversal.is_some() || !status.pending_refunds.is_empty() {
        // Work left behind a lost timer (a restart while it was armed): a restart resumes it.
        world.restart();
        world.run_until_quiet();
    }
}

fn one_day(rng: &mut StdRng, world: &mut World, counts: &mut Counts, seed: u64) {
    let commands = rng.gen_range(5..20);
    for _ in 0..commands {
        ensure_signed_on(world);
        chaos(rng, world, counts);
        let command = random_command(rng, world);
        *counts
            .commands
            .entry(format!("{:?}", command.transaction()))
            .or_default() += 1;
        let before = world.outcomes.len();
        world.command(command);
        if world.card_pending {
            let approved = rng.gen_bool(0.85);
            world.card_verdict(approved, if approved { Vec::new() } else { cards::aac() });
        }
        if rng.gen_bool(0.06) {
            world.restart();
            world.run_until_idle();
        }
        if rng.gen_bool(0.7) {
            world.run_until_quiet();
        }
        tally(world, before, counts);
        world.wait(rng.gen_range(1_000..120_000));
    }
    // Close of day: the books must agree before the settlement.
    world.persist_chaos = None;
    quiesce(world);
    let status = world.host.terminal.status();
    assert_eq!(
        status.pending_reversal, None,
        "seed {seed}: a reversal is still pending"
    );
    assert!(
        status.pending_refunds.is_empty(),
        "seed {seed}: a refund is still pending"
    );
    let tid = world.host.terminal.config().terminal_id.clone();
    let batch = status.batch;
    let entries = world.host.terminal.durable_state().entries.len();
    let books = reconcile(&tid, world.host.terminal.durable_state(), world.acquirer.ledger())
        .unwrap_or_else(|e| panic!("seed {seed}: {e}"));
    counts.on_exceptions += books.on_exceptions;

    // Settlement under faults and crashes at random persist points, until it finishes.
    world.persist_chaos = Some((StdRng::seed_from_u64(seed ^ 0x5e77), 0.1));
    let mut report = None;
    for _ in 0..50 {
        ensure_signed_on(world);
        chaos(rng, world, counts);
        counts.settlement_attempts += 1;
        let before = world.outcomes.len();
        world.command(Command::Settle);
        world.run_until_quiet();
        report = world
            .outcomes
            .get(before..)
            .unwrap_or_default()
            .iter()
            .find_map(|o| o.settlement.clone());
        if report.is_some() || world.host.terminal.status().batch != batch {
            break;
        }
    }
    world.persist_chaos = None;
    quiesce(world);
    assert_ne!(
        world.host.terminal.status().batch,
        batch,
        "seed {seed}: the batch was never settled"
    );
    // A crash right after the compaction can lose the outcome, never the settlement itself.
    if let Some(report) = report {
        let balanced = report.domestic_result == Verdict::Balanced && report.foreign_result == Verdict::Balanced;
        if books.on_exceptions_in_totals == 0 {
            assert!(
                balanced,
                "seed {seed}: books agreed but the settlement was unbalanced: {report:?}"
            );
            counts.settled_balanced += 1;
        } else {
            assert!(
                !balanced,
                "seed {seed}: a charge on the exceptions list must unbalance the totals"
            );
            assert_eq!(report.uploaded, entries);
            counts.settled_uploaded += 1;
        }
    }
    if books.on_exceptions_in_totals > 0 {
        assert_eq!(
            world.acquirer.uploaded(&tid, batch).len(),
            entries,
            "seed {seed}: every entry uploaded once"
        );
    }
    counts.days += 1;
}

fn one_run(seed: u64, counts: &mut Counts) {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut world = World::new(Config::default());
    world.recording = false;
    for _ in 0..rng.gen_range(1..=3) {
        world.persist_chaos = Some((StdRng::seed_from_u64(seed ^ 0x5eed), 0.05));
        one_day(&mut rng, &mut world, counts, seed);
    }
    counts.restarts += world.restarts;
    counts.runs += 1;
}

#[test]
fn ledger_reconciles_with_journal_under_faults_and_restarts() {
    let runs: u64 = std::env::var("RECONCILE_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let mut counts = Counts::default();
    let first: u64 = std::env::var("RECONCILE_FIRST_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    for seed in first..first + runs {
        one_run(seed, &mut counts);
    }
    println!(
        "reconciliation: {} runs, {} settled days, {} restarts (incl. crashes at persist points), {} acquirer faults, {} frames lost, {} frames never sent",
        counts.runs, counts.days, counts.restarts, counts.acquirer_faults, counts.lost_frames, counts.unsent_frames
    );
    println!("  commands: {:?}", counts.commands);
    println!("  outcomes: {:?}", counts.results);
    println!(
        "  settlements: {} balanced (207), {} unbalanced with upload (202), {} Settle commands; {} charges accounted for only by the exceptions list",
        counts.settled_balanced, counts.settled_uploaded, counts.settlement_attempts, counts.on_exceptions
    );
    assert_eq!(counts.runs as u64, runs);
    let reversed = counts.results.get("reversed").copied().unwrap_or_default();
    assert!(
        reversed > 0 && counts.restarts > 0 && counts.days > 0,
        "the faults must actually be exercised: {counts:?}"
    );
    for kind in [
        "Sale",
        "Void",
        "Refund",
        "PreAuth",
        "PreAuthCancel",
        "Completion",
        "CompletionVoid",
        "Balance",
    ] {
        assert!(
            counts.commands.get(kind).copied().unwrap_or_default() > 0,
            "no {kind} was exercised"
        );
    }
}
