//! Reconciliation property test: many seeded runs of terminal days mixing every transaction type
//! (sale, void, refund, pre-auth, cancel, completion, completion void, balance) with random
//! acquirer faults, lost frames, frames that never leave (no connection), journal failures and
//! restarts at random persist points. Every outcome's guidance must agree with its result. Each day
//! ends by settling the books: the acquirer's ledger equals what the journal holds as approved and
//! not reversed (charges left standing only where the terminal listed an unconfirmed reversal),
//! and then the settlement itself, again under faults and crashes, must finish: balanced (207)
//! when the books agree, otherwise with every entry uploaded exactly once (202).
//!
//! After the last day the acquirer writes its statements (T+1, a cut-off that splits some batches
//! over two files, statement faults on request: an entry dropped, held `E` or with its amount
//! changed, and late approvals from `Fault::LateApproval`), and the kernel's matcher reconciles
//! them with the journal and the archive of settled batches: every entry and every transaction
//! in exactly one bucket, and the buckets as the bank knows what happened (rule 17).
//!
//! `RECONCILE_RUNS` sets the number of runs (default 1000).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::BTreeMap;

use std::collections::BTreeSet;

use pos_acquirer_sim::{Acquirer, AcquirerConfig, Fault, StatementFault};
use pos_harness::cards;
use pos_harness::reconcile::reconcile;
use pos_harness::world::World;
use pos_kernel::engine::downloads::ManagementTask;
use pos_kernel::engine::settlement::Verdict;
use pos_kernel::engine::{Command, OutcomeResult, TransactionKind};
use pos_kernel::reconcile::{match_books, Bucket, EntryStatus, Finding, JournalTransaction, JournalVerdict, Statement};
use pos_kernel::time::CivilDate;
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
    late_booked: usize,
    statements: usize,
    findings: BTreeMap<String, usize>,
    buckets: BTreeMap<String, usize>,
    injected: BTreeMap<&'static str, usize>,
    scripts_sent: usize,
    management_asked: BTreeMap<String, usize>,
    /// Script result advices the bank received, per run (the last count of each run stays).
    script_advices: BTreeMap<u64, usize>,
    tc_uploads: usize,
    ic_failure_uploads: usize,
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
        80..=82 if !open.is_empty() => {
            // Completed offline: a completion advice, resent until answered.
            let original = open[rng.gen_range(0..open.len())];
            let most = original.amount * 115 / 100;
            Command::CompletionAdvice {
                original_stan: original.stan,
                amount: rng.gen_range(1..=most),
                auth_code: None,
            }
        }
        83..=86 if !open.is_empty() => {
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
    if rng.gen_bool(0.15) {
        // The next chip approval carries an issuer script: a script result advice follows.
        world.acquirer.send_script_with_next_approval();
        counts.scripts_sent += 1;
    }
    if rng.gen_bool(0.04) {
        // The acquirer asks, in its replies' header, for a download or the status upload.
        let tasks = [
            ManagementTask::Parameters,
            ManagementTask::StatusUpload,
            ManagementTask::CaKeys,
            ManagementTask::IcParameters,
        ];
        let task = tasks[rng.gen_range(0..tasks.len())];
        let tid = world.host.terminal.config().terminal_id.clone();
        world.acquirer.ask(&tid, task);
        *counts.management_asked.entry(format!("{task:?}")).or_default() += 1;
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
    let pending =
        !status.pending_refunds.is_empty() || !status.pending_advices.is_empty() || !status.management_due.is_empty();
    if status.pending_reversal.is_some() || pending {
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
            if approved {
                world.card_accepts();
            } else {
                world.card_declines();
            }
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
    assert!(
        status.pending_advices.is_empty(),
        "seed {seed}: an advice is still pending"
    );
    assert!(
        status.management_due.is_empty(),
        "seed {seed}: a download is still due: {:?}",
        status.management_due
    );
    let downloads = &status.downloads;
    if let Some(keys) = &downloads.ca_keys {
        assert!(
            keys.keys.iter().all(|k| k.verifies()),
            "seed {seed}: a key whose DF03 fails"
        );
    }
    let ic_failures = world.host.terminal.durable_state().ic_failures.len();
    let tid = world.host.terminal.config().terminal_id.clone();
    let batch = status.batch;
    let entries = world.host.terminal.durable_state().entries.len();
    let books = reconcile(&tid, world.host.terminal.durable_state(), world.acquirer.ledger())
        .unwrap_or_else(|e| panic!("seed {seed}: {e}"));
    counts.on_exceptions += books.on_exceptions;
    counts.late_booked += books.late;

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
        "seed {seed}: the batch was never settled: {:?} {:?}",
        world.outcomes.iter().rev().take(3).collect::<Vec<_>>(),
        world.acquirer.violations()
    );
    // A crash right after the compaction can lose the outcome, never the settlement itself.
    if let Some(report) = report {
        let balanced = report.domestic_result == Verdict::Balanced && report.foreign_result == Verdict::Balanced;
        if books.on_exceptions_in_totals == 0 && books.late_in_totals == 0 {
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
            assert_eq!(report.uploaded + report.tc_uploaded.len(), entries);
            counts.settled_uploaded += 1;
        }
        assert_eq!(
            report.ic_failures_uploaded.len(),
            ic_failures,
            "seed {seed}: every IC failure uploaded"
        );
        counts.tc_uploads += report.tc_uploaded.len();
        counts.ic_failure_uploads += report.ic_failures_uploaded.len();
    }
    // Every chip approval uploaded once (the bank refuses to close a batch without them), and
    // no upload or advice arrived twice.
    assert!(
        world.acquirer.violations().is_empty(),
        "seed {seed}: {:?}",
        world.acquirer.violations()
    );
    counts
        .script_advices
        .insert(seed, world.acquirer.script_results().len());
    if books.on_exceptions_in_totals > 0 || books.late_in_totals > 0 {
        let state_uploads = world.acquirer.uploaded(&tid, batch).len();
        let chip_uploads = world
            .acquirer
            .chip_uploads(&tid, batch)
            .iter()
            .filter(|u| !u.failure)
            .count();
        assert_eq!(
            state_uploads + chip_uploads,
            entries,
            "seed {seed}: every entry uploaded once"
        );
    }
    counts.days += 1;
    // The next business day.
    world.wait(rng.gen_range(18..24) * 3_600_000);
}

/// The acquirer's statements against the journal and the archive (rule 17), checked against
/// what the bank knows happened.
fn statements_reconcile(rng: &mut StdRng, world: &mut World, counts: &mut Counts, seed: u64) {
    let config = world.host.terminal.config().clone();
    let (tid, merchant) = (config.terminal_id.clone(), config.merchant_id.clone());
    let state = world.host.terminal.durable_state().clone();
    let archive = world.host.journal.archive.clone();
    let transactions = pos_kernel::reconcile::transactions(&tid, &state, &archive);
    // Statement faults on entries the terminal approved: the matcher must find each.
    let approved: Vec<&JournalTransaction> = transactions
        .iter()
        .filter(|t| t.verdict == JournalVerdict::Approved)
        .collect();
    let mut injected: BTreeMap<u32, &'static str> = BTreeMap::new();
    if !approved.is_empty() {
        for (name, chance) in [("drop", 0.3), ("hold", 0.2), ("amount", 0.2)] {
            let target = approved[rng.gen_range(0..approved.len())];
            if !rng.gen_bool(chance) || injected.contains_key(&target.stan) {
                continue;
            }
            let stan = target.stan;
            let terminal_id = tid.clone();
            world.acquirer.inject_statement_fault(match name {
                "drop" => StatementFault::Drop { terminal_id, stan },
                "hold" => StatementFault::Hold { terminal_id, stan },
                _ => StatementFault::Amount {
                    terminal_id,
                    stan,
                    amount: target.amount.unwrap_or(0) + 1,
                },
            });
            injected.insert(stan, name);
            *counts.injected.entry(name).or_default() += 1;
        }
    }
    // Every statement date the ledger reaches, and the day after the last (so that nothing is
    // left "pending" by a file not yet written): each through its file format.
    let ledger = world.acquirer.ledger();
    let dates: BTreeSet<CivilDate> = ledger
        .entries()
        .iter()
        .map(|e| world.acquirer.statement_date(e))
        .collect();
    let (Some(first), Some(last)) = (dates.first().copied(), dates.last().copied()) else {
        return;
    };
    let statements: Vec<Statement> = (first.0..=last.0 + 1)
        .map(|day| {
            let text = world.acquirer.statement(&merchant, CivilDate(day)).render();
            Statement::parse(&text, &merchant)
                .unwrap_or_else(|e| panic!("seed {seed}: the bank's statement: {e}\n{text}"))
        })
        .collect();
    counts.statements += statements.len();
    let items = match_books(&statements, &transactions).unwrap_or_else(|e| panic!("seed {seed}: {e}"));

    // Exactly one bucket each.
    let entries: usize = statements.iter().map(|s| s.entries.len()).sum();
    assert_eq!(
        items.iter().filter(|i| i.entry.is_some()).count(),
        entries,
        "seed {seed}"
    );
    let mut paired: Vec<u32> = items.iter().filter_map(|i| i.transaction).collect();
    paired.sort_unstable();
    paired.dedup();
    assert_eq!(
        paired.len(),
        transactions.len(),
        "seed {seed}: a transaction in no bucket or in two"
    );
    assert_eq!(
        items.iter().filter(|i| i.transaction.is_some()).count(),
        transactions.len(),
        "seed {seed}"
    );

    // The buckets agree with what the bank knows.
    for item in &items {
        *counts.findings.entry(finding_name(item.finding)).or_default() += 1;
        *counts
            .buckets
            .entry(format!("{:?}", item.finding.bucket()))
            .or_default() += 1;
        let entry = item
            .entry
            .map(|r| &statements[r.statement as usize].entries[r.index as usize]);
        let t = item.transaction.map(|i| &transactions[i as usize]);
        let booked = entry.and_then(|e| {
            ledger
                .entries()
                .iter()
                .find(|l| l.terminal_id == e.terminal_id && l.batch == e.batch && l.stan == e.stan)
        });
        let stan = entry.map(|e| e.stan).or(t.map(|t| t.stan)).unwrap_or(0);
        let fault = injected.get(&stan).copied();
        let context = || format!("seed {seed}: {item:?}\n entry {entry:?}\n journal {t:?}\n bank {booked:?}");
        match item.finding {
            Finding::Credited => {
                let booked = booked.unwrap_or_else(|| panic!("credited without a ledger entry: {}", context()));
                assert!(
                    !booked.reversed,
                    "matched as credited, reversed at the bank: {}",
                    context()
                );
                assert_eq!(t.map(|t| t.verdict), Some(JournalVerdict::Approved), "{}", context());
                assert_eq!(
                    fault,
                    None,
                    "an injected statement fault matched as credited: {}",
                    context()
                );
            }
            Finding::LateApproval
            | Finding::ChargedAfterUnconfirmedReversal
            | Finding::ChargedWhileNotApproved { .. }
            | Finding::UnknownToTerminal => {
                let booked = booked.unwrap_or_else(|| panic!("charged without a ledger entry: {}", context()));
                assert!(!booked.reversed, "{}", context());
                assert_ne!(t.map(|t| t.verdict), Some(JournalVerdict::Approved), "{}", context());
            }
            Finding::Overdue { .. } => assert_eq!(fault, Some("drop"), "{}", context()),
            Finding::Pending { .. } | Finding::NotCovered { .. } => {
                panic!("every statement was loaded, nothing can be pending: {}", context())
            }
            Finding::Held => assert_eq!(fault, Some("hold"), "{}", context()),
            Finding::AmountDiffers => assert_eq!(fault, Some("amount"), "{}", context()),
            Finding::TypeDiffers | Finding::RrnDiffers | Finding::RrnUnderOtherStan { .. } | Finding::OtherTerminal => {
                panic!("nothing makes these in the simulation: {}", context())
            }
            Finding::Reversed | Finding::ReversedAfterApproval => {
                let booked = booked.unwrap_or_else(|| panic!("reversed without a ledger entry: {}", context()));
                assert!(booked.reversed, "{}", context());
                assert_ne!(t.map(|t| t.verdict), Some(JournalVerdict::Approved), "{}", context());
            }
            Finding::NotCharged => {
                let t = t.unwrap_or_else(|| panic!("{}", context()));
                let standing = ledger
                    .entries()
                    .iter()
                    .any(|l| l.terminal_id == t.terminal_id && l.batch == t.batch && l.stan == t.stan && !l.reversed);
                assert!(!standing, "not charged, but standing at the bank: {}", context());
            }
        }
        // Every late approval that stands, and every unconfirmed reversal that was charged, is
        // found as charged but not approved.
        if let (Some(entry), Some(booked)) = (entry, booked) {
            let unconfirmed = t.is_some_and(|t| t.verdict == JournalVerdict::ReversalNotConfirmed);
            if (booked.late || unconfirmed) && !booked.reversed && fault.is_none() {
                assert_eq!(item.finding.bucket(), Bucket::ChargedNotApproved, "{}", context());
                assert!(matches!(entry.status, EntryStatus::Late | EntryStatus::Normal));
            }
        }
    }
    // Each day: the statement's net less what the journal expects is what the problems explain.
    let (_, days) = pos_kernel::reconcile::report::summarize(&statements, &transactions, &items);
    for (day, statement) in days.iter().zip(&statements) {
        let unexplained: i64 = items
            .iter()
            .filter(|i| i.finding != Finding::Credited)
            .filter_map(|i| i.entry)
            .filter(|r| statements[r.statement as usize].date == statement.date)
            .map(|r| statements[r.statement as usize].entries[r.index as usize].net)
            .sum();
        assert_eq!(
            day.net - day.expected,
            unexplained,
            "seed {seed}: day {}",
            day.date.display()
        );
    }
}

fn finding_name(finding: Finding) -> String {
    let name = format!("{finding:?}");
    name.split([' ', '{', '(']).next().unwrap_or_default().to_owned()
}

fn one_run(seed: u64, counts: &mut Counts) {
    let mut rng = StdRng::seed_from_u64(seed);
    // A cut-off inside the simulated business day in half of the runs: batches span two files.
    let cutoff = if rng.gen_bool(0.5) { "101000" } else { "230000" };
    let acquirer = Acquirer::new(AcquirerConfig {
        statement_cutoff: cutoff.to_owned(),
        ..AcquirerConfig::default()
    });
    let mut world = World::with_acquirer(Config::default(), acquirer);
    world.recording = false;
    for _ in 0..rng.gen_range(1..=3) {
        world.persist_chaos = Some((StdRng::seed_from_u64(seed ^ 0x5eed), 0.05));
        one_day(&mut rng, &mut world, counts, seed);
    }
    statements_reconcile(&mut rng, &mut world, counts, seed);
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
        "  settlements: {} balanced (207), {} unbalanced with upload (202), {} Settle commands; {} charges accounted for only by the exceptions list, {} booked late by the bank",
        counts.settled_balanced, counts.settled_uploaded, counts.settlement_attempts, counts.on_exceptions, counts.late_booked
    );
    println!(
        "  chip: {} TC uploads, {} IC failure uploads, {} issuer scripts asked for, {} script result advices received",
        counts.tc_uploads,
        counts.ic_failure_uploads,
        counts.scripts_sent,
        counts.script_advices.values().sum::<usize>()
    );
    println!(
        "  management tasks asked for by the acquirer: {:?}",
        counts.management_asked
    );
    println!(
        "  statements: {} files; statement faults injected {:?}",
        counts.statements, counts.injected
    );
    println!("  buckets: {:?}", counts.buckets);
    println!("  findings: {:?}", counts.findings);
    for finding in [
        "Credited",
        "LateApproval",
        "ChargedAfterUnconfirmedReversal",
        "Overdue",
        "Held",
        "AmountDiffers",
        "Reversed",
        "NotCharged",
    ] {
        assert!(
            counts.findings.get(finding).copied().unwrap_or_default() > 0,
            "no {finding} was found over the runs: {:?}",
            counts.findings
        );
    }
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
