//! A whole terminal day crashed at every sync point of the real journal (redb style), end to end:
//! the kernel writes its records through `pos_journal::Journal` onto a `ModelStorage` that keeps
//! only what was synced; the machine stops at sync point N (just before it takes effect, or just
//! after, before the host learns it); the terminal restarts from what the durable image holds,
//! recovers (a pending reversal goes first), finishes the day and settles; then the acquirer's
//! ledger must agree with the journal. Every sync point of the day, both timings.
//!
//! The day: sign-on, two sales, a sale whose reply is lost (timeout, reversal), a decline, a void,
//! a refund, settlement (with its compaction to a snapshot).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::VecDeque;

use pos_acquirer_sim::cards::TEST_PIN;
use pos_acquirer_sim::{Acquirer, AcquirerConfig, AcquirerOutput, Fault};
use pos_harness::cards;
use pos_harness::reconcile::reconcile;
use pos_harness::world::START;
use pos_journal::{CrashTiming, Journal, JournalError, ModelStorage};
use pos_kernel::engine::settlement::Verdict;
use pos_kernel::engine::{Event, Timer};
use pos_kernel::security::crypto::TEST_TMK;
use pos_kernel::security::{PinPad, SoftwareSecurityModule};
use pos_kernel::{Command, Config, Input, Outcome, OutcomeResult, Output, Terminal, Timestamp};

const LATENCY_MS: u64 = 150;

/// The operator's next command, given what the day has produced so far (a void needs the STAN
/// of an approved sale, a refund its RRN and date).
type Step = fn(&[Outcome]) -> Option<Command>;

fn day() -> Vec<(&'static str, Option<Fault>, Step)> {
    fn approved_sale(outcomes: &[Outcome], nth: usize) -> Option<&Outcome> {
        outcomes
            .iter()
            .filter(|o| o.transaction == pos_kernel::engine::TransactionKind::Sale)
            .filter(|o| o.result == OutcomeResult::Approved)
            .nth(nth)
    }
    vec![
        ("sign-on", None, |_| Some(Command::SignOn)),
        ("sale 100.00", None, |_| {
            Some(Command::Sale {
                amount: 10_000,
                card: cards::swiped_debit(),
            })
        }),
        ("sale 56.00", None, |_| {
            Some(Command::Sale {
                amount: 5_600,
                card: cards::swiped_debit(),
            })
        }),
        ("sale 23.00, reply lost", Some(Fault::DropReply), |_| {
            Some(Command::Sale {
                amount: 2_300,
                card: cards::swiped_debit(),
            })
        }),
        ("sale 80.00 on a card with 50.00", None, |_| {
            Some(Command::Sale {
                amount: 8_000,
                card: cards::small_balance(),
            })
        }),
        ("void of the first sale", None, |outcomes| {
            let stan = approved_sale(outcomes, 0)?.stan?;
            Some(Command::Void {
                original_stan: stan,
                card: None,
            })
        }),
        ("refund 20.00 of the second sale", None, |outcomes| {
            let receipt = approved_sale(outcomes, 1)?.receipt.as_ref()?;
            let date = receipt.date_time.get(5..10)?.replace('-', "");
            Some(Command::Refund {
                amount: 2_000,
                card: cards::swiped_debit(),
                original_rrn: receipt.rrn.clone(),
                original_date: date,
            })
        }),
        ("settlement", None, |_| Some(Command::Settle)),
    ]
}

/// The machine stopped: the journal's storage crashed at its sync point.
#[derive(Debug)]
struct Crashed;

/// One terminal process on a journal, against the (surviving) bank.
struct Process<'a> {
    kernel: Terminal,
    journal: Journal<ModelStorage>,
    bank: &'a mut Acquirer,
    now: &'a mut Timestamp,
    timers: Vec<(Timer, Timestamp)>,
    inbox: VecDeque<Vec<u8>>,
    outcomes: Vec<Outcome>,
}

impl Process<'_> {
    fn journal_error(e: &JournalError, storage_crashed: bool) -> Crashed {
        assert!(storage_crashed, "the journal failed without a crash: {e}");
        Crashed
    }

    /// Carries out outputs and delivers replies and timers until nothing is left to do.
    fn run_until_quiet(&mut self) -> Result<(), Crashed> {
        for _ in 0..10_000 {
            if let Some(output) = self.kernel.poll_output() {
                self.carry_out(output)?;
            } else if let Some(reply) = self.inbox.pop_front() {
                *self.now = self.now.plus_ms(LATENCY_MS);
                self.kernel.handle(*self.now, Input::Receive(reply));
            } else if let Some(index) = (0..self.timers.len()).min_by_key(|&i| self.timers[i].1) {
                let (timer, at) = self.timers.remove(index);
                *self.now = (*self.now).max(at);
                self.kernel.handle(*self.now, Input::Timer(timer));
            } else {
                return Ok(());
            }
        }
        panic!("the terminal never went quiet");
    }

    fn carry_out(&mut self, output: Output) -> Result<(), Crashed> {
        match output {
            Output::Persist(record) => {
                self.journal
                    .append(&record)
                    .map_err(|e| Self::journal_error(&e, self.journal.storage().has_crashed()))?;
                self.kernel.handle(*self.now, Input::Persisted);
            }
            // This test is about the journal file; the archive is host/src/archive.rs's.
            Output::Archive(_) | Output::CardReaderData(_) => {}
            Output::Compact(snapshot) => {
                self.journal
                    .compact(&snapshot)
                    .map_err(|e| Self::journal_error(&e, self.journal.storage().has_crashed()))?;
                self.kernel.handle(*self.now, Input::Persisted);
            }
            Output::Transmit(frame) => {
                for action in self.bank.handle_frame(self.now.0, &frame) {
                    match action {
                        AcquirerOutput::Reply(reply) => self.inbox.push_back(reply),
                        // Past the terminal's timeout: as good as lost.
                        AcquirerOutput::LateReply(_) => {}
                        AcquirerOutput::Close => self.kernel.handle(*self.now, Input::ConnectionClosed),
                    }
                }
            }
            Output::ArmTimer { timer, at } => {
                self.timers.retain(|(t, _)| *t != timer);
                self.timers.push((timer, at));
            }
            Output::CancelTimer(timer) => self.timers.retain(|(t, _)| *t != timer),
            Output::Event(Event::CardVerdictRequired { .. }) => panic!("the day uses no chip card"),
            Output::Event(_) => {}
            Output::CardRequired(_) | Output::PinRequired(_) => panic!("the day's cards are all read at once"),
            Output::Outcome(outcome) => self.outcomes.push(*outcome),
        }
        Ok(())
    }
}

fn config() -> Config {
    Config::default()
}

/// The software module on the terminal's PIN pad (which outlives a crash of the process).
fn security(pin_pad: &PinPad) -> Box<SoftwareSecurityModule> {
    Box::new(SoftwareSecurityModule::with_pin_pad(TEST_TMK, pin_pad.clone()))
}

/// What one run of the day did.
struct Run {
    /// Sync points the journal went through (before a crash, if there was one).
    syncs: u64,
    crashed: bool,
    /// The journal against the ledger just before the settlement (both ways: every approved
    /// transaction in the journal stands at the bank, everything standing there is in the
    /// journal or on its exceptions list).
    books_before_settlement: Result<pos_harness::reconcile::Books, String>,
    bank: Acquirer,
    kernel: Terminal,
    outcomes: Vec<Outcome>,
}

/// Runs the day on a storage that crashes as `crash` says; after a crash, restarts from the
/// durable image on a storage that does not crash again and carries on with the next command.
fn run_day(crash: Option<(u64, CrashTiming)>) -> Run {
    let mut storage = ModelStorage::new();
    if let Some((n, timing)) = crash {
        storage = storage.crash_at_sync(n, timing);
    }
    let mut bank = Acquirer::new(AcquirerConfig::default());
    let mut now = START;
    // Creating the journal (its header) is the first sync point: a crash there leaves an empty
    // disk, and the terminal starts again.
    let mut crashed = false;
    let mut syncs = 0;
    let journal = match Journal::open(&mut storage) {
        Ok(_) => Journal::open(storage).unwrap().0,
        Err(_) => {
            assert!(storage.has_crashed());
            crashed = true;
            syncs = storage.syncs();
            Journal::open(storage.crash()).unwrap().0
        }
    };
    let pin_pad = PinPad::new();
    let mut process = Process {
        kernel: Terminal::new(config(), security(&pin_pad)).unwrap(),
        journal,
        bank: &mut bank,
        now: &mut now,
        timers: Vec::new(),
        inbox: VecDeque::new(),
        outcomes: Vec::new(),
    };
    let mut books_before_settlement = Err("the day never reached its settlement".to_owned());
    for (_, fault, step) in day() {
        let Some(command) = step(&process.outcomes) else {
            continue;
        };
        if command == Command::Settle {
            books_before_settlement = reconcile(
                &config().terminal_id,
                process.kernel.durable_state(),
                process.bank.ledger(),
            );
        }
        if let Some(fault) = fault {
            process.bank.inject(fault);
        }
        *process.now = process.now.plus_ms(60_000);
        let now = *process.now;
        if command.takes_pin() {
            pin_pad.enter(TEST_PIN).unwrap();
        }
        process.kernel.handle(now, Input::Command(command));
        if process.run_until_quiet().is_ok() {
            continue;
        }
        // The machine stopped. What the disk holds is what a restart gets; the bank lives on.
        crashed = true;
        syncs = process.journal.storage().syncs();
        let image = process.journal.storage().crash();
        let (journal, _) = Journal::open(image).unwrap();
        *process.now = process.now.plus_ms(5_000);
        let records: Vec<&[u8]> = journal.records().iter().map(Vec::as_slice).collect();
        process.kernel = Terminal::restore(config(), security(&pin_pad), records, *process.now).unwrap();
        process.journal = journal;
        process.timers.clear();
        process.inbox.clear();
        process
            .run_until_quiet()
            .expect("the restarted terminal's storage does not crash");
        // The operator checks the terminal after the restart: signed off means sign on again.
        if !process.kernel.status().signed_on {
            *process.now = process.now.plus_ms(1_000);
            let now = *process.now;
            process.kernel.handle(now, Input::Command(Command::SignOn));
            process.run_until_quiet().expect("no second crash");
        }
    }
    // A crash before the settlement's first record was durable sent nothing and showed no
    // outcome: the operator settles again.
    if process.kernel.status().batch == 1 {
        books_before_settlement = reconcile(
            &config().terminal_id,
            process.kernel.durable_state(),
            process.bank.ledger(),
        );
        *process.now = process.now.plus_ms(60_000);
        let now = *process.now;
        process.kernel.handle(now, Input::Command(Command::Settle));
        process.run_until_quiet().expect("no second crash");
    }
    if !crashed {
        syncs = process.journal.storage().syncs();
    }
    let Process { kernel, outcomes, .. } = process;
    Run {
        syncs,
        crashed,
        books_before_settlement,
        bank,
        kernel,
        outcomes,
    }
}

/// The day's books: they agreed with the bank before the settlement, nothing is left pending,
/// the batch is settled (balanced, when the report survived the crash), and every approval the
/// operator was shown stands at the bank.
fn check_books(run: &Run, label: &str) {
    let books = run
        .books_before_settlement
        .as_ref()
        .unwrap_or_else(|e| panic!("{label}: the journal and the ledger disagree: {e}"));
    assert_eq!(books.on_exceptions, 0, "{label}: {books:?}");
    assert_eq!(books.approved, books.standing, "{label}: {books:?}");
    let status = run.kernel.status();
    assert_eq!(status.pending_reversal, None, "{label}: a reversal is still pending");
    assert!(status.pending_refunds.is_empty(), "{label}: a refund is still pending");
    assert!(
        status.exceptions.is_empty(),
        "{label}: exceptions {:?}",
        status.exceptions
    );
    assert!(!status.settlement_in_progress, "{label}: settlement unfinished");
    assert_eq!(status.batch, 2, "{label}: the batch was not settled");
    // A crash right after the compaction can lose the settlement's outcome, never the settlement.
    if let Some(report) = run.outcomes.iter().find_map(|o| o.settlement.as_ref()) {
        assert_eq!(report.domestic_result, Verdict::Balanced, "{label}: {report:?}");
        assert_eq!(report.foreign_result, Verdict::Balanced, "{label}: {report:?}");
    }
    // What the operator saw approved stands at the bank (a crash can swallow an outcome, which
    // then stands without having been shown; the reconciliation above covers those).
    let tid = &config().terminal_id;
    let standing: Vec<(u32, u64)> = run
        .bank
        .ledger()
        .entries()
        .iter()
        .filter(|e| &e.terminal_id == tid && e.batch == 1 && !e.reversed)
        .map(|e| (e.stan, e.amount))
        .collect();
    for outcome in run.outcomes.iter().filter(|o| o.result == OutcomeResult::Approved) {
        if let Some(receipt) = &outcome.receipt {
            assert!(
                standing.contains(&(receipt.stan, receipt.amount)),
                "{label}: approved STAN {:06} {} does not stand at the bank: {standing:?}",
                receipt.stan,
                receipt.amount
            );
        }
    }
}

#[test]
fn the_day_without_a_crash() {
    let run = run_day(None);
    assert!(!run.crashed);
    check_books(&run, "no crash");
    let results: Vec<_> = run.outcomes.iter().map(|o| (o.transaction, o.result.clone())).collect();
    use pos_kernel::engine::TransactionKind::*;
    assert_eq!(results.len(), 8, "{results:?}");
    assert_eq!(
        results[3].1,
        OutcomeResult::Reversed {
            reason: pos_kernel::engine::ReversalReason::NoReply
        }
    );
    assert!(matches!(results[4].1, OutcomeResult::Declined { .. }), "{results:?}");
    assert_eq!(results[5], (Void, OutcomeResult::Approved));
    assert_eq!(results[6], (Refund, OutcomeResult::Approved));
    assert_eq!(results[7], (Settlement, OutcomeResult::Approved));
    assert!(run.syncs > 15, "{} sync points", run.syncs);
}

#[test]
fn the_day_crashed_at_every_sync_point_recovers_and_the_books_agree() {
    let total = run_day(None).syncs;
    let mut crashes = 0;
    for n in 1..=total {
        for timing in [CrashTiming::BeforeSync, CrashTiming::AfterSync] {
            let label = format!("crash at sync point {n} of {total} ({timing:?})");
            let run = run_day(Some((n, timing)));
            assert!(run.crashed, "{label}: no crash");
            assert_eq!(run.syncs, n, "{label}");
            check_books(&run, &label);
            crashes += 1;
        }
    }
    println!(
        "journal day: {total} sync points, {crashes} crashes (just before and just after each), every one restarted from the durable image, recovered, reconciled and settled"
    );
    assert_eq!(crashes, 2 * total);
}
