//! The scenarios behind tests/vectors: each drives the kernel against the simulated acquirer,
//! asserts what it claims to prove, and is recorded step by step as a vector.

use pos_acquirer_sim::Fault;
use pos_kernel::engine::settlement::{SettlementReport, Verdict};
use pos_kernel::engine::Timer;
use pos_kernel::engine::{
    Begin, CardRequest, Charged, Event, FailReason, InputProblem, LifeStep, OriginalProblem, Query, ReaderOutcome,
    ReversalReason, TransactionKind, WaitingFor,
};
use pos_kernel::security::KeyKind;
use pos_kernel::{Command, Config, Input, OutcomeResult};

#[path = "scenarios_statements.rs"]
mod statements;

#[path = "scenarios_chip.rs"]
mod chip;

#[path = "scenarios_downloads.rs"]
mod downloads;

use crate::cards;
use crate::vector::{StepInput, Vector};
use crate::world::{NextPin, World};

/// One scenario: a stable id, what it proves, its configuration and the script.
pub struct Scenario {
    pub id: &'static str,
    pub description: &'static str,
    pub config: fn() -> Config,
    pub script: fn(&mut World),
}

impl Scenario {
    /// Runs the script against a fresh world and records it.
    pub fn generate(&self) -> Vector {
        let config = (self.config)();
        let mut world = World::new(config.clone());
        (self.script)(&mut world);
        Vector {
            id: self.id.into(),
            description: self.description.into(),
            config,
            steps: world.steps,
        }
    }
}

fn default_config() -> Config {
    Config::default()
}

fn sale(amount: u64, card: pos_kernel::Card) -> Command {
    Command::Sale { amount, card }
}

/// The last outcome must be `expected`.
#[track_caller]
fn expect(world: &World, transaction: TransactionKind, expected: OutcomeResult) {
    let outcome = world.last_outcome().expect("an outcome");
    assert_eq!(outcome.transaction, transaction, "transaction of the last outcome");
    assert_eq!(outcome.result, expected, "result of the last outcome");
}

#[track_caller]
fn expect_declined(world: &World, code: &str) {
    expect(
        world,
        TransactionKind::Sale,
        OutcomeResult::Declined {
            response_code: code.into(),
        },
    );
    assert_eq!(
        world.host.terminal.status().pending_reversal,
        None,
        "a decline leaves no reversal"
    );
}

#[track_caller]
fn sign_on(world: &mut World) {
    world.command(Command::SignOn);
    expect(world, TransactionKind::SignOn, OutcomeResult::Approved);
}

/// Every transmitted frame's MTI (4 digits after the 2-byte length, TPDU and header).
fn transmitted_mtis(world: &World) -> Vec<String> {
    world
        .steps
        .iter()
        .flat_map(|s| s.expect.iter())
        .filter_map(|o| match o {
            pos_kernel::Output::Transmit(frame) => frame.get(13..15).map(hex::encode),
            _ => None,
        })
        .collect()
}

#[track_caller]
fn expect_no_money_moved(world: &World) {
    let charged = world
        .acquirer
        .ledger()
        .charged_stans(&world.host.terminal.config().terminal_id);
    assert!(charged.is_empty(), "the acquirer's ledger still charges {charged:?}");
}

#[track_caller]
fn expect_ignored(world: &World, needle: &str) {
    let found = world
        .events
        .iter()
        .any(|e| matches!(e, Event::ReplyIgnored { reason } if reason.contains(needle)));
    assert!(found, "no ignored reply mentioning {needle:?} in {:?}", world.events);
}

/// A sale the acquirer charges but whose reply never reaches the terminal in a valid form,
/// for each way a reply can be wrong; it ends reversed (98) and nothing stays charged.
fn wrong_reply_then_timeout(world: &mut World, fault: Fault, needle: &str) {
    sign_on(world);
    world.acquirer.inject(fault);
    world.command(sale(12_300, cards::swiped_debit()));
    expect_ignored(world, needle);
    assert!(
        world.host.terminal.status().busy,
        "the request stays outstanding until its timeout"
    );
    world.run_until_quiet();
    expect(
        world,
        TransactionKind::Sale,
        OutcomeResult::Reversed {
            reason: ReversalReason::NoReply,
        },
    );
    expect_no_money_moved(world);
}

/// The last approved outcome's receipt: (STAN, RRN).
/// The last receipt's RRN and its date `MMDD` (what a refund refers to).
fn last_receipt_rrn_date(world: &World) -> (String, String) {
    let receipt = world
        .outcomes
        .iter()
        .rev()
        .find_map(|o| o.receipt.clone())
        .expect("a receipt");
    let date = receipt.date_time.get(5..10).unwrap_or_default().replace('-', "");
    (receipt.rrn, date)
}

fn last_receipt(world: &World) -> (u32, String) {
    let receipt = world
        .outcomes
        .iter()
        .rev()
        .find_map(|o| o.receipt.clone())
        .expect("a receipt");
    (receipt.stan, receipt.rrn)
}

#[track_caller]
fn expect_original_problem(world: &World, transaction: TransactionKind, problem: OriginalProblem) {
    expect(
        world,
        transaction,
        OutcomeResult::Failed {
            reason: FailReason::Original { problem },
        },
    );
}

/// Settles and returns the report; the settlement must complete, as "settled" when the totals
/// agreed and as "settled, totals did not agree" when they did not.
#[track_caller]
fn settle(world: &mut World) -> SettlementReport {
    world.command(Command::Settle);
    world.run_until_quiet();
    let report = world
        .last_outcome()
        .and_then(|o| o.settlement.clone())
        .expect("a settlement report");
    let balanced = report.domestic_result == Verdict::Balanced && report.foreign_result == Verdict::Balanced;
    let result = if balanced {
        OutcomeResult::Approved
    } else {
        OutcomeResult::SettledUnbalanced
    };
    expect(world, TransactionKind::Settlement, result);
    report
}

/// Sales of 1.00, 2.00, ... on the swiped card.
fn sales(world: &mut World, count: u64) {
    for i in 1..=count {
        world.command(sale(i * 100, cards::swiped_debit()));
        expect(world, TransactionKind::Sale, OutcomeResult::Approved);
    }
}

/// A sale the acquirer charges while neither its reply nor any reversal gets through (the link
/// loses the three reversals): it ends on the exceptions list, and the acquirer's totals differ
/// from the terminal's.
fn lost_sale(world: &mut World, amount: u64) {
    world.acquirer.inject(Fault::DropReply);
    world.command(sale(amount, cards::swiped_debit()));
    world.lose_transmits = 3;
    world.run_until_quiet();
    expect(
        world,
        TransactionKind::Sale,
        OutcomeResult::ReversalFailed {
            reason: ReversalReason::NoReply,
        },
    );
}

fn frames_with_mti(world: &World, mti: &str) -> usize {
    transmitted_mtis(world).iter().filter(|m| *m == mti).count()
}

fn issue_three() -> Vec<Scenario> {
    vec![
        Scenario {
            id: "void-approved",
            description: "Void of an approved sale in the batch: full amount, F37/F38/F61 from the original; the sale is marked voided",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.command(sale(25_800, cards::swiped_debit()));
                let (stan, _) = last_receipt(w);
                w.command(Command::Void { original_stan: stan, card: Some(cards::swiped_debit()) });
                expect(w, TransactionKind::Void, OutcomeResult::Approved);
                let status = w.host.terminal.status();
                assert_eq!((status.debit_total, status.credit_total), (25_800, 25_800));
                let balance = w.acquirer.ledger().balance(pos_acquirer_sim::cards::MAGSTRIPE_DEBIT);
                assert_eq!(balance, Some(100_000_000), "the void credits the sale back");
            },
        },
        Scenario {
            id: "void-of-voided-sale",
            description: "A second void of the same sale is rejected locally (already voided); nothing is sent",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.command(sale(25_800, cards::swiped_debit()));
                let (stan, _) = last_receipt(w);
                w.command(Command::Void { original_stan: stan, card: None });
                expect(w, TransactionKind::Void, OutcomeResult::Approved);
                let sent = transmitted_mtis(w).len();
                w.command(Command::Void { original_stan: stan, card: None });
                expect_original_problem(w, TransactionKind::Void, OriginalProblem::AlreadyClosed);
                assert_eq!(transmitted_mtis(w).len(), sent);
                w.command(Command::Void { original_stan: 424_242, card: None });
                expect_original_problem(w, TransactionKind::Void, OriginalProblem::NotFound);
            },
        },
        Scenario {
            id: "void-previous-batch",
            description: "A sale settled in the previous batch cannot be voided: clear local answer (use a refund)",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.command(sale(9_900, cards::swiped_debit()));
                let (stan, _) = last_receipt(w);
                settle(w);
                w.command(Command::Void { original_stan: stan, card: None });
                expect_original_problem(w, TransactionKind::Void, OriginalProblem::PreviousBatch);
            },
        },
        Scenario {
            id: "void-timeout-reversal",
            description: "A void without reply is reversed (98); the original sale stays approved and charged",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.command(sale(31_400, cards::swiped_debit()));
                let (stan, _) = last_receipt(w);
                w.acquirer.inject(Fault::DropReply);
                w.command(Command::Void { original_stan: stan, card: None });
                w.run_until_quiet();
                expect(w, TransactionKind::Void, OutcomeResult::Reversed { reason: ReversalReason::NoReply });
                let charged = w.acquirer.ledger().charged_stans(&w.host.terminal.config().terminal_id);
                assert_eq!(charged, [(1, stan, 31_400)], "the sale stands at the acquirer");
                w.command(Command::Void { original_stan: stan, card: None });
                expect(w, TransactionKind::Void, OutcomeResult::Approved);
            },
        },
        Scenario {
            id: "refund-approved",
            description: "Refund by original RRN and date (0220, F61 000000000000+MMDD, F63 CUP, no PIN block)",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.command(sale(50_000, cards::swiped_debit()));
                let (_, rrn) = last_receipt(w);
                let card = cards::swiped_debit();
                w.command(Command::Refund { amount: 20_000, card, original_rrn: rrn, original_date: "1121".into() });
                expect(w, TransactionKind::Refund, OutcomeResult::Approved);
                assert_eq!(frames_with_mti(w, "0220"), 1);
                let balance = w.acquirer.ledger().balance(pos_acquirer_sim::cards::MAGSTRIPE_DEBIT);
                assert_eq!(balance, Some(100_000_000 - 30_000));
            },
        },
        Scenario {
            id: "refund-over-limit",
            description: "A refund above the refund limit (10,000.00) is declined locally (超限); nothing is sent",
            config: default_config,
            script: |w| {
                sign_on(w);
                let card = cards::swiped_debit();
                let original_rrn = "000000000001".to_owned();
                w.command(Command::Refund { amount: 1_000_001, card, original_rrn, original_date: "1121".into() });
                expect(w, TransactionKind::Refund, OutcomeResult::Failed { reason: FailReason::OverLimit { limit: 1_000_000 } });
                assert_eq!(transmitted_mtis(w), ["0800"]);
            },
        },
        Scenario {
            id: "refund-timeout-resent",
            description: "An unanswered refund stays pending and is resent with the same STAN; the ledger refunds once",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.command(sale(50_000, cards::swiped_debit()));
                let (_, rrn) = last_receipt(w);
                w.acquirer.inject(Fault::DropReply);
                let card = cards::swiped_debit();
                w.command(Command::Refund { amount: 20_000, card, original_rrn: rrn, original_date: "1121".into() });
                w.fire_next_timer();
                w.run_until_idle();
                let pending = w.host.terminal.status().pending_refunds;
                assert_eq!(pending.len(), 1, "the refund is shown as pending");
                w.run_until_quiet();
                expect(w, TransactionKind::Refund, OutcomeResult::Approved);
                assert_eq!(frames_with_mti(w, "0220"), 2, "sent, then resent once");
                let stans: Vec<String> = w.steps.iter().flat_map(|s| s.expect.iter()).filter_map(|o| match o {
                    pos_kernel::Output::Transmit(f) if f.get(13..15) == Some(&[0x02, 0x20]) => {
                        pos_kernel::codec::Frame::decode(f).ok().and_then(|f| f.message.get_str(11).map(str::to_owned))
                    }
                    _ => None,
                }).collect();
                assert_eq!(stans[0], stans[1], "resent with the same STAN");
                let balance = w.acquirer.ledger().balance(pos_acquirer_sim::cards::MAGSTRIPE_DEBIT);
                assert_eq!(balance, Some(100_000_000 - 30_000), "refunded once");
                assert!(w.host.terminal.status().pending_refunds.is_empty());
            },
        },
        Scenario {
            id: "preauth-completion",
            description: "Pre-authorization, then completion for 115% of it (the most allowed)",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.command(Command::PreAuth { amount: 100_000, card: cards::swiped_debit() });
                expect(w, TransactionKind::PreAuth, OutcomeResult::Approved);
                let (stan, _) = last_receipt(w);
                w.command(Command::Completion { original_stan: stan, amount: 115_000, card: cards::swiped_debit() });
                expect(w, TransactionKind::Completion, OutcomeResult::Approved);
                assert_eq!(w.host.terminal.status().open_preauths, 0);
            },
        },
        Scenario {
            id: "completion-over-115",
            description: "A completion above 115% of the pre-authorization is rejected locally; nothing is sent",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.command(Command::PreAuth { amount: 100_000, card: cards::swiped_debit() });
                let (stan, _) = last_receipt(w);
                let sent = transmitted_mtis(w).len();
                w.command(Command::Completion { original_stan: stan, amount: 115_001, card: cards::swiped_debit() });
                expect_original_problem(w, TransactionKind::Completion, OriginalProblem::AmountTooHigh);
                assert_eq!(transmitted_mtis(w).len(), sent);
            },
        },
        Scenario {
            id: "preauth-cancel",
            description: "Pre-authorization cancelled (0100 200000, F38 and F61 of the pre-auth); a completion afterwards is refused",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.command(Command::PreAuth { amount: 60_000, card: cards::swiped_debit() });
                let (stan, _) = last_receipt(w);
                w.command(Command::PreAuthCancel { original_stan: stan, card: cards::swiped_debit() });
                expect(w, TransactionKind::PreAuthCancel, OutcomeResult::Approved);
                assert_eq!(w.acquirer.ledger().held(pos_acquirer_sim::cards::MAGSTRIPE_DEBIT), 0);
                w.command(Command::Completion { original_stan: stan, amount: 60_000, card: cards::swiped_debit() });
                expect_original_problem(w, TransactionKind::Completion, OriginalProblem::AlreadyClosed);
            },
        },
        Scenario {
            id: "completion-void",
            description: "Completion void (0200 200000, F25 06, 60.1 21) of a completion in the batch",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.command(Command::PreAuth { amount: 40_000, card: cards::swiped_debit() });
                let (preauth, _) = last_receipt(w);
                w.command(Command::Completion { original_stan: preauth, amount: 42_000, card: cards::swiped_debit() });
                let (completion, _) = last_receipt(w);
                w.command(Command::CompletionVoid { original_stan: completion, card: None });
                expect(w, TransactionKind::CompletionVoid, OutcomeResult::Approved);
                w.command(Command::Void { original_stan: completion, card: None });
                expect_original_problem(w, TransactionKind::Void, OriginalProblem::WrongType);
            },
        },
        Scenario {
            id: "balance-timeout-no-reversal",
            description: "A balance inquiry without reply fails with no reply and is never reversed",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.acquirer.inject(Fault::DropReply);
                w.command(Command::Balance { card: cards::swiped_debit() });
                w.run_until_quiet();
                expect(w, TransactionKind::Balance, OutcomeResult::Failed { reason: FailReason::NoReply });
                assert_eq!(frames_with_mti(w, "0400"), 0);
            },
        },
        Scenario {
            id: "settlement-balanced",
            description: "Sales, a void and a refund, then settlement: totals balance, batch-upload end 207, batch advances, journal compacted",
            config: default_config,
            script: |w| {
                sign_on(w);
                sales(w, 1);
                let (_, rrn) = last_receipt(w);
                sales(w, 2);
                let (stan, _) = last_receipt(w);
                w.command(Command::Void { original_stan: stan, card: None });
                let card = cards::swiped_debit();
                w.command(Command::Refund { amount: 100, card, original_rrn: rrn, original_date: "1121".into() });
                let report = settle(w);
                assert_eq!(report.domestic_result, Verdict::Balanced);
                assert_eq!((report.domestic.debit_count, report.domestic.credit_count), (3, 2));
                assert_eq!(report.uploaded, 0);
                assert_eq!(&transmitted_mtis(w)[transmitted_mtis(w).len() - 2..], ["0500", "0320"]);
                assert_eq!(w.host.terminal.status().batch, 2);
                assert_eq!(w.host.journal.records.len(), 1, "compacted to one snapshot");
            },
        },
        Scenario {
            id: "settlement-unbalanced-upload",
            description: "17 transactions and a sale the acquirer charged but the terminal could not reverse: unbalanced, three 0320 uploads, end 202",
            config: default_config,
            script: |w| {
                sign_on(w);
                sales(w, 17);
                lost_sale(w, 7_700);
                let report = settle(w);
                assert_eq!(report.domestic_result, Verdict::Unbalanced);
                assert_eq!(report.uploaded, 17);
                assert_eq!(report.open_exceptions.len(), 1, "the report shows the open exception");
                let tail: Vec<String> = transmitted_mtis(w).into_iter().rev().take(5).collect();
                assert_eq!(tail, ["0320", "0320", "0320", "0320", "0500"], "0500, three uploads, end");
                assert_eq!(w.acquirer.uploaded("10000001", 1).len(), 17);
                assert!(w.acquirer.batch_closed("10000001", 1));
            },
        },
        Scenario {
            id: "settlement-crash-mid-upload",
            description: "The terminal dies during the batch upload: after restore it resends the chunk in flight with its STAN; nothing uploaded twice or skipped",
            config: default_config,
            script: |w| {
                sign_on(w);
                sales(w, 17);
                lost_sale(w, 7_700);
                w.feed(StepInput::Kernel(pos_kernel::Input::Command(Command::Settle)));
                // Stop after the second upload chunk is journaled and sent, before its reply.
                while frames_with_mti(w, "0320") < 2 {
                    assert!(w.step_one(), "the settlement stalled");
                }
                w.restart();
                w.run_until_quiet();
                expect(w, TransactionKind::Settlement, OutcomeResult::SettledUnbalanced);
                assert_eq!(w.acquirer.uploaded("10000001", 1).len(), 17, "every entry once");
                assert_eq!(frames_with_mti(w, "0320"), 5, "chunk 2 resent once, then chunk 3 and the end");
            },
        },
        Scenario {
            id: "settlement-pending-reversal-first",
            description: "Settlement with a pending reversal: the reversal is sent and cleared before the 0500",
            config: default_config,
            script: |w| {
                sign_on(w);
                sales(w, 2);
                w.acquirer.inject(Fault::DropReply);
                w.acquirer.inject(Fault::DropReply);
                w.command(sale(5_000, cards::swiped_debit()));
                // The sale times out, and so does the first reversal attempt: the reversal waits.
                w.fire_next_timer();
                w.run_until_idle();
                w.fire_next_timer();
                w.run_until_idle();
                assert!(w.host.terminal.status().pending_reversal.is_some());
                let report = settle(w);
                assert_eq!(report.domestic_result, Verdict::Balanced);
                let mtis = transmitted_mtis(w);
                let last_reversal = mtis.iter().rposition(|m| m == "0400").expect("a reversal");
                let settlement = mtis.iter().position(|m| m == "0500").expect("a settlement");
                assert!(last_reversal < settlement, "reversal before settlement: {mtis:?}");
            },
        },
        Scenario {
            id: "operator-status-and-query",
            description: "Status shows the batch, totals, pending refunds and exceptions; the query answers 'was this customer charged?' by STAN or RRN",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.command(sale(10_000, cards::swiped_debit()));
                let (charged, rrn) = last_receipt(w);
                w.command(sale(20_000, cards::swiped_debit()));
                let (voided, _) = last_receipt(w);
                w.command(Command::Void { original_stan: voided, card: None });
                w.acquirer.inject(Fault::DropReply);
                w.command(sale(30_000, cards::swiped_debit()));
                let reversed = w.host.terminal.status().last_stan;
                w.run_until_quiet();
                lost_sale(w, 40_000);
                let lost = w.host.terminal.status().last_stan;
                w.acquirer.inject(Fault::DropReply);
                let card = cards::swiped_debit();
                w.command(Command::Refund { amount: 500, card, original_rrn: rrn.clone(), original_date: "1121".into() });
                w.fire_next_timer();
                w.run_until_idle();
                let refund = w.host.terminal.status().last_stan;

                let status = w.host.terminal.status();
                assert_eq!((status.batch, status.debit_total, status.credit_total), (1, 30_000, 20_000));
                assert_eq!(status.pending_refunds.len(), 1);
                assert_eq!(status.exceptions.len(), 1);
                let answer = |q: Query| w.host.terminal.query(&q).map(|life| life.charged);
                assert_eq!(answer(Query::Stan(charged)), Some(Charged::Yes));
                assert_eq!(answer(Query::Rrn(rrn.clone())), Some(Charged::Yes));
                assert_eq!(answer(Query::Stan(voided)), Some(Charged::Closed));
                assert_eq!(answer(Query::Stan(reversed)), Some(Charged::No));
                assert_eq!(answer(Query::Stan(lost)), Some(Charged::Unknown));
                assert_eq!(answer(Query::Stan(refund)), Some(Charged::Pending));
                assert_eq!(answer(Query::Stan(999_999)), None);
                let life = w.host.terminal.query(&Query::Stan(reversed)).expect("the reversed sale");
                assert_eq!(life.steps, [LifeStep::Sent, LifeStep::Reversed { response_code: "00".into() }]);
                w.run_until_quiet();
                assert!(w.host.terminal.status().pending_refunds.is_empty());
            },
        },
        Scenario {
            id: "batch-number-wrap",
            description: "The batch after 999999 is 000001",
            config: || Config { initial_batch: 999_999, ..Config::default() },
            script: |w| {
                sign_on(w);
                assert_eq!(w.host.terminal.status().batch, 999_999);
                sales(w, 1);
                settle(w);
                assert_eq!(w.host.terminal.status().batch, 1);
                sales(w, 1);
                let receipt = w.last_outcome().and_then(|o| o.receipt.clone()).expect("receipt");
                assert_eq!(receipt.batch, 1);
            },
        },
    ]
}

pub fn all() -> Vec<Scenario> {
    let mut all = issue_two();
    all.extend(issue_three());
    all.extend(operator_truth());
    all.extend(card_side());
    all.extend(statements::statement_reconciliation());
    all.extend(chip::chip_obligations());
    all.extend(downloads::downloads());
    all
}

/// A card transaction begun before its card: `amount` for a sale.
fn begin_sale(amount: u64) -> Command {
    Command::Begin(Begin {
        transaction: TransactionKind::Sale,
        amount: Some(amount),
        original_stan: None,
        original_rrn: None,
        original_date: None,
    })
}

/// The last card (or PIN) request the kernel made.
fn last_request(world: &World) -> Option<pos_kernel::Output> {
    world
        .steps
        .iter()
        .flat_map(|s| s.expect.iter())
        .rfind(|o| {
            matches!(
                o,
                pos_kernel::Output::CardRequired(_) | pos_kernel::Output::PinRequired(_)
            )
        })
        .cloned()
}

/// The last request was for a card on exactly these interfaces (magstripe, chip, contactless).
#[track_caller]
fn expect_card_asked(world: &World, interfaces: (bool, bool, bool)) -> CardRequest {
    match last_request(world) {
        Some(pos_kernel::Output::CardRequired(request)) => {
            let i = request.interfaces;
            assert_eq!((i.magstripe, i.chip, i.contactless), interfaces, "interfaces offered");
            request
        }
        other => panic!("expected a card request, got {other:?}"),
    }
}

#[track_caller]
fn expect_card_failure(world: &World, outcome: ReaderOutcome) {
    expect(
        world,
        TransactionKind::Sale,
        OutcomeResult::Failed {
            reason: FailReason::Card { outcome },
        },
    );
}

/// Rule 19: the card side of a transaction, where it ends before anything reaches the bank.
fn card_side() -> Vec<Scenario> {
    vec![
        Scenario {
            id: "card-begin-before-sign-on-asks-for-no-card",
            description: "A sale begun before sign-on is refused at once: no card is asked for, nothing sent",
            config: default_config,
            script: |w| {
                w.command(begin_sale(1_000));
                expect(w, TransactionKind::Sale, OutcomeResult::Failed { reason: FailReason::NotSignedOn });
                assert!(last_request(w).is_none(), "no card was asked for");
                assert!(transmitted_mtis(w).is_empty());
            },
        },
        Scenario {
            id: "card-tap-cut-short-then-tapped-again",
            description: "A tap cut short (EMV Try Again): the card is asked for again with \"tap again and hold it\"; the second tap is approved; one 0200",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.command(begin_sale(3_500));
                expect_card_asked(w, (true, true, true));
                w.reader(ReaderOutcome::TryAgain);
                let again = expect_card_asked(w, (true, true, true));
                assert!(again.prompt.en.starts_with("Tap again"), "{:?}", again.prompt);
                assert_eq!(transmitted_mtis(w), ["0800"], "nothing sent for the cut tap");
                w.present(cards::tap_credit());
                expect(w, TransactionKind::Sale, OutcomeResult::Approved);
                assert_eq!(transmitted_mtis(w), ["0800", "0200"]);
            },
        },
        Scenario {
            id: "card-another-interface-then-chip",
            description: "The tapped card asks for another interface: a tap is no longer offered, the card is inserted, and the chip sale is approved",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.command(begin_sale(4_200));
                w.reader(ReaderOutcome::TryAnotherInterface);
                expect_card_asked(w, (true, true, false));
                w.present(cards::chip_debit());
                assert!(w.card_pending);
                w.card_accepts();
                expect(w, TransactionKind::Sale, OutcomeResult::Approved);
            },
        },
        Scenario {
            id: "card-chip-read-failure-then-fallback-swipe",
            description: "The chip cannot be read: only a swipe is offered, and the swiped sale carries the fallback flag (60.5 = 2)",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.command(begin_sale(5_100));
                w.reader(ReaderOutcome::ChipReadFailed);
                let request = expect_card_asked(w, (true, false, false));
                assert!(request.fallback);
                w.present(cards::swiped_debit());
                expect(w, TransactionKind::Sale, OutcomeResult::Approved);
                let sale = sent_request(w, "0200");
                let f60 = sale.get_str(60).unwrap_or_default().to_owned();
                assert!(f60.ends_with('2'), "60.5 fallback in {f60}");
            },
        },
        Scenario {
            id: "card-no-card-within-the-deadline",
            description: "No card by the card entry deadline: 交易超时, nothing sent, start again when the customer is ready",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.command(begin_sale(6_000));
                expect_card_asked(w, (true, true, true));
                assert!(w.fire_next_timer());
                w.run_until_idle();
                expect_card_failure(w, ReaderOutcome::NoCard);
                assert_eq!(transmitted_mtis(w), ["0800"]);
                let status = w.host.terminal.status();
                assert_eq!(status.in_flight, None);
            },
        },
        Scenario {
            id: "card-customer-cancels-at-the-pin-pad",
            description: "A tap above the CVM limit asks the PIN pad; the customer cancels there: nothing sent",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.command(begin_sale(150_000));
                w.present(cards::contactless(pos_acquirer_sim::cards::CHIP_DEBIT));
                assert!(matches!(last_request(w), Some(pos_kernel::Output::PinRequired(_))));
                let waiting = w.host.terminal.status().in_flight.map(|f| f.waiting_for);
                assert_eq!(waiting, Some(WaitingFor::Pin));
                w.reader(ReaderOutcome::Cancelled);
                expect_card_failure(w, ReaderOutcome::Cancelled);
                assert_eq!(transmitted_mtis(w), ["0800"]);
            },
        },
        Scenario {
            id: "card-contactless-over-the-cvm-limit-asks-for-the-pin",
            description: "A tap of 1,500.00 (above the 1,000.00 CVM limit) asks the PIN pad; with the PIN the sale carries a PIN block and is approved; a tap below the limit asks for none",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.command(begin_sale(150_000));
                w.present(cards::contactless(pos_acquirer_sim::cards::CHIP_DEBIT));
                assert!(matches!(last_request(w), Some(pos_kernel::Output::PinRequired(_))));
                w.pin();
                expect(w, TransactionKind::Sale, OutcomeResult::Approved);
                assert!(sent_request(w, "0200").get(52).is_some(), "a PIN block");
                w.command(begin_sale(9_900));
                w.present(cards::tap_credit());
                expect(w, TransactionKind::Sale, OutcomeResult::Approved);
                assert!(sent_request(w, "0200").get(52).is_none(), "no PIN below the CVM limit");
            },
        },
        Scenario {
            id: "card-contactless-over-the-contactless-limit",
            description: "A tap of 12,000.00 (above the 10,000.00 contactless limit) is refused before anything is sent and the card is asked for on insert or swipe; inserted, the sale is approved",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.command(sale(1_200_000, cards::tap_credit()));
                expect_card_asked(w, (true, true, false));
                assert_eq!(transmitted_mtis(w), ["0800"], "nothing sent for the tap");
                w.present(cards::chip_debit());
                w.card_accepts();
                expect(w, TransactionKind::Sale, OutcomeResult::Approved);
            },
        },
        Scenario {
            id: "card-expired-and-blocked-refused-locally",
            description: "The reader reports an expired card, then a blocked one: each ends the sale locally, nothing sent, with guidance to use another card",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.command(begin_sale(2_000));
                w.reader(ReaderOutcome::CardExpired);
                expect_card_failure(w, ReaderOutcome::CardExpired);
                w.command(begin_sale(2_000));
                w.reader(ReaderOutcome::CardBlocked);
                expect_card_failure(w, ReaderOutcome::CardBlocked);
                assert_eq!(transmitted_mtis(w), ["0800"]);
                let outcome = w.last_outcome().expect("an outcome");
                assert!(outcome.guidance.merchant.en.contains("another card"), "{:?}", outcome.guidance);
            },
        },
        Scenario {
            id: "card-removed-after-an-online-approval",
            description: "A chip card taken out after the online approval, before its verdict: the approval is reversed (06), nothing charged, and the guidance says the card was removed too early",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.command(sale(7_700, cards::chip_debit()));
                assert!(w.card_pending);
                w.reader(ReaderOutcome::CardRemoved);
                w.run_until_quiet();
                let reason = ReversalReason::CardDeclined;
                expect(w, TransactionKind::Sale, OutcomeResult::Reversed { reason });
                assert_eq!(frames_with_mti(w, "0400"), 1);
                let outcome = w.last_outcome().expect("an outcome");
                assert!(outcome.guidance.cardholder.en.contains("removed too early"), "{:?}", outcome.guidance);
                expect_no_money_moved(w);
            },
        },
    ]
}

/// The last request sent with this MTI, decoded.
#[track_caller]
fn sent_request(world: &World, mti: &str) -> pos_kernel::codec::Message {
    let frame = world
        .steps
        .iter()
        .flat_map(|s| s.expect.iter())
        .filter_map(|o| match o {
            pos_kernel::Output::Transmit(frame) if frame.get(13..15).map(hex::encode).as_deref() == Some(mti) => {
                Some(frame.clone())
            }
            _ => None,
        })
        .next_back()
        .expect("a request with that MTI");
    pos_kernel::codec::Frame::decode(&frame).expect("a frame").message
}

/// The request never left: failed, nothing charged, no reversal, no exception.
#[track_caller]
fn expect_unreachable(world: &World, transaction: TransactionKind) {
    let outcome = world.last_outcome().expect("an outcome");
    assert_eq!(outcome.transaction, transaction);
    assert!(
        matches!(&outcome.result, OutcomeResult::Failed { reason: FailReason::AcquirerUnreachable { cause } } if cause.contains("127.0.0.1:5000")),
        "{:?}",
        outcome.result
    );
}

fn refund_of_last_sale(world: &World, amount: u64) -> Command {
    let (_, rrn) = last_receipt(world);
    Command::Refund {
        amount,
        card: cards::swiped_debit(),
        original_rrn: rrn,
        original_date: "1121".into(),
    }
}

/// Operator truth and money safety (docs/architecture.md, "Operator truth"): what never left is
/// not charged, the terminal's own work is waited for rather than "busy", outcomes agree with
/// their guidance, a card that never answers is a card decline.
fn operator_truth() -> Vec<Scenario> {
    vec![
        Scenario {
            id: "sale-not-sent-nothing-charged",
            description: "The acquirer cannot be reached (connection refused): the sale fails with the cause, nothing charged, no reversal sent, no exception",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.unsent_transmits = 1;
                w.command(sale(6_600, cards::swiped_debit()));
                expect_unreachable(w, TransactionKind::Sale);
                w.run_until_quiet();
                let status = w.host.terminal.status();
                assert_eq!(status.pending_reversal, None);
                assert!(status.exceptions.is_empty());
                assert_eq!(w.host.terminal.durable_state().reversal, None, "the write-ahead reversal is dropped, durably");
                assert_eq!(frames_with_mti(w, "0400"), 0, "no reversal of what never left");
                expect_no_money_moved(w);
                let life = w.host.terminal.query(&Query::Stan(2)).expect("the sale's life");
                assert_eq!(life.charged, Charged::No);
                assert_eq!(life.steps, [LifeStep::Sent, LifeStep::NeverSent]);
                // The next sale gets through.
                w.command(sale(6_600, cards::swiped_debit()));
                expect(w, TransactionKind::Sale, OutcomeResult::Approved);
            },
        },
        Scenario {
            id: "refund-not-sent-nothing-refunded",
            description: "A refund that never leaves fails with the cause and is not left pending: nothing was refunded",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.command(sale(5_000, cards::swiped_debit()));
                let refund = refund_of_last_sale(w, 2_000);
                w.unsent_transmits = 1;
                w.command(refund);
                expect_unreachable(w, TransactionKind::Refund);
                assert!(w.host.terminal.status().pending_refunds.is_empty());
                w.run_until_quiet();
                assert_eq!(frames_with_mti(w, "0220"), 1, "the one that never left, and no resend");
            },
        },
        Scenario {
            id: "reversal-not-sent-is-an-attempt",
            description: "A reversal that cannot leave (no connection) is an attempt like any other; the next sale waits for the reversal (not \"busy\"), whose third attempt gets through, then runs",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.acquirer.inject(Fault::DropReply);
                w.command(sale(6_600, cards::swiped_debit()));
                // The link goes down as the sale times out: the first reversal cannot leave.
                w.unsent_transmits = 1;
                w.fire_next_timer();
                w.run_until_idle();
                let status = w.host.terminal.status();
                assert_eq!(status.pending_reversal.map(|r| r.stan), Some(2));
                // The next customer's sale waits for the reversal: the second attempt cannot
                // leave either, the third gets through, then the sale runs.
                w.unsent_transmits = 1;
                w.command(sale(700, cards::swiped_debit()));
                let not_sent = w.events.iter().filter(|e| matches!(e, Event::NotSent { stan: 2, cause } if cause.contains("127.0.0.1:5000"))).count();
                assert_eq!(not_sent, 2);
                let results: Vec<_> = w.outcomes.iter().map(|o| (o.stan, o.result.clone())).collect();
                assert!(results.contains(&(Some(2), OutcomeResult::Reversed { reason: ReversalReason::NoReply })), "{results:?}");
                expect(w, TransactionKind::Sale, OutcomeResult::Approved);
                assert!(w.host.terminal.status().exceptions.is_empty());
                assert_eq!(w.acquirer.ledger().charged_stans("10000001").len(), 1, "only the second sale stands");
            },
        },
        Scenario {
            id: "command-waits-for-reversal-after-restart",
            description: "After a crash mid-sale the restarted terminal sends the pending reversal; the next sale waits for it (not \"busy\") and then runs",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.acquirer.inject(Fault::DropReply);
                w.feed(StepInput::Kernel(pos_kernel::Input::Command(sale(6_600, cards::swiped_debit()))));
                w.run_until_idle();
                w.restart();
                // The reversal is on its way; the next customer's sale arrives meanwhile.
                w.command(sale(700, cards::swiped_debit()));
                let results: Vec<_> = w.outcomes.iter().map(|o| (o.transaction, o.result.clone())).collect();
                assert!(!results.iter().any(|(_, r)| matches!(r, OutcomeResult::Failed { reason: FailReason::Busy })), "{results:?}");
                expect(w, TransactionKind::Sale, OutcomeResult::Approved);
                assert_eq!(transmitted_mtis(w), ["0800", "0200", "0400", "0200"]);
                assert_eq!(w.acquirer.ledger().charged_stans("10000001").len(), 1, "only the second sale stands");
            },
        },
        Scenario {
            id: "refund-resent-after-another-command",
            description: "A pending refund waiting for its retry is resent by itself after an operator's sale, without a restart",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.command(sale(5_000, cards::swiped_debit()));
                let refund = refund_of_last_sale(w, 2_000);
                w.acquirer.inject(Fault::DropReply);
                w.command(refund);
                w.fire_next_timer(); // no reply: the refund is pending, the retry timer armed
                w.run_until_idle();
                assert_eq!(w.host.terminal.status().pending_refunds.len(), 1);
                w.command(sale(300, cards::swiped_debit()));
                assert_eq!(frames_with_mti(w, "0220"), 2, "resent right after the sale");
                assert!(w.host.terminal.status().pending_refunds.is_empty());
            },
        },
        Scenario {
            id: "chip-card-verdict-overdue",
            description: "A chip approval whose card never gives its second GENERATE AC (pulled out): past the deadline the approval is reversed as a card decline (06)",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.command(sale(88_800, cards::chip_debit()));
                assert!(w.card_pending);
                w.run_until_quiet();
                expect(w, TransactionKind::Sale, OutcomeResult::Reversed { reason: ReversalReason::CardDeclined });
                assert_eq!(frames_with_mti(w, "0400"), 1);
                expect_no_money_moved(w);
            },
        },
        Scenario {
            id: "chip-card-timer-before-its-deadline-is-ignored",
            description: "A card timer delivered before the card's deadline (a host's stale or early timer) changes nothing: the approval still waits for the card, whose TC then completes the sale",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.command(sale(88_800, cards::chip_debit()));
                assert!(w.card_pending);
                w.feed(StepInput::Kernel(Input::Timer(Timer::Card)));
                assert!(w.card_pending, "the approval still waits for the card");
                assert_eq!(frames_with_mti(w, "0400"), 0, "no reversal");
                w.card_accepts();
                expect(w, TransactionKind::Sale, OutcomeResult::Approved);
            },
        },
        Scenario {
            id: "status-in-flight-is-not-pending-reversal",
            description: "While a sale waits for its reply the status says \"waiting for the acquirer\"; only once the outcome is unknown is a reversal pending",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.acquirer.inject(Fault::DropReply);
                w.acquirer.inject(Fault::DropReply);
                w.command(sale(6_600, cards::swiped_debit()));
                let status = w.host.terminal.status();
                assert_eq!(status.pending_reversal, None);
                assert_eq!(status.in_flight.map(|f| (f.stan, f.waiting_for)), Some((Some(2), WaitingFor::Acquirer)));
                w.fire_next_timer(); // the sale times out; the first reversal gets no reply either
                w.run_until_idle();
                w.fire_next_timer();
                w.run_until_idle();
                let status = w.host.terminal.status();
                assert_eq!(status.in_flight, None);
                assert_eq!(status.pending_reversal.map(|r| r.stan), Some(2));
                w.run_until_quiet();
                assert_eq!(w.host.terminal.status().pending_reversal, None);
            },
        },
        Scenario {
            id: "settlement-reply-unreadable",
            description: "A 0510 whose F48 result digits are not 1/2/3 is not \"declined 00\" with approval guidance: the settlement is not completed, and settles on the next attempt",
            config: default_config,
            script: |w| {
                sign_on(w);
                sales(w, 2);
                w.acquirer.inject(Fault::UnreadableSettlement);
                w.command(Command::Settle);
                w.run_until_quiet();
                let outcome = w.last_outcome().expect("an outcome").clone();
                assert!(matches!(outcome.result, OutcomeResult::Failed { reason: FailReason::UnreadableReply { .. } }), "{outcome:?}");
                assert_ne!(outcome.guidance.category, pos_kernel::guidance::Category::Approved);
                assert!(w.host.terminal.status().settlement_in_progress);
                let report = settle(w);
                assert_eq!(report.domestic_result, Verdict::Balanced);
            },
        },
        Scenario {
            id: "settlement-refused",
            description: "The acquirer refuses the settlement (96): the outcome says the batch is still open, and the next Settle settles it",
            config: default_config,
            script: |w| {
                sign_on(w);
                sales(w, 2);
                w.acquirer.inject(Fault::RefuseSettlement);
                w.command(Command::Settle);
                w.run_until_quiet();
                expect(w, TransactionKind::Settlement, OutcomeResult::Declined { response_code: "96".into() });
                let guidance = &w.last_outcome().expect("an outcome").guidance;
                assert!(guidance.merchant.en.contains("still open"), "{guidance:?}");
                let report = settle(w);
                assert_eq!(report.domestic_result, Verdict::Balanced);
            },
        },
        Scenario {
            id: "settle-joins-resumed-settlement",
            description: "After a crash during settlement the restarted terminal resumes the step in flight; the operator's Settle joins it (not \"busy\") and gets its outcome",
            config: default_config,
            script: |w| {
                sign_on(w);
                sales(w, 3);
                w.feed(StepInput::Kernel(pos_kernel::Input::Command(Command::Settle)));
                while frames_with_mti(w, "0500") < 1 {
                    assert!(w.step_one(), "the settlement stalled");
                }
                w.restart();
                w.command(Command::Settle);
                w.run_until_quiet();
                let settlements: Vec<_> = w.outcomes.iter().filter(|o| o.transaction == TransactionKind::Settlement).collect();
                assert_eq!(settlements.len(), 1, "{settlements:?}");
                expect(w, TransactionKind::Settlement, OutcomeResult::Approved);
                assert_eq!(w.host.terminal.status().batch, 2);
            },
        },
    ]
}

fn issue_two() -> Vec<Scenario> {
    vec![
        Scenario {
            id: "sign-on-ok",
            description: "Sign-on loads the three working keys (check values verified) and the batch number",
            config: default_config,
            script: |w| {
                sign_on(w);
                let status = w.host.terminal.status();
                assert!(status.signed_on);
                assert_eq!(status.last_stan, 1);
            },
        },
        Scenario {
            id: "sign-on-wrong-key-check-value",
            description: "A sign-on reply whose MAK check value does not match is rejected: not signed on, sales refused",
            config: default_config,
            script: |w| {
                w.acquirer.corrupt_next_sign_on_check_value();
                w.command(Command::SignOn);
                expect(w, TransactionKind::SignOn, OutcomeResult::Failed { reason: FailReason::KeyCheckFailed { key: KeyKind::Mac } });
                assert!(!w.host.terminal.status().signed_on);
                w.command(sale(1_000, cards::swiped_debit()));
                expect(w, TransactionKind::Sale, OutcomeResult::Failed { reason: FailReason::NotSignedOn });
            },
        },
        Scenario {
            id: "echo-and-sign-off",
            description: "Echo test and sign-off are answered; after sign-off a sale is refused locally",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.command(Command::Echo);
                expect(w, TransactionKind::Echo, OutcomeResult::Approved);
                w.command(Command::SignOff);
                expect(w, TransactionKind::SignOff, OutcomeResult::Approved);
                w.command(sale(1_000, cards::swiped_debit()));
                expect(w, TransactionKind::Sale, OutcomeResult::Failed { reason: FailReason::NotSignedOn });
            },
        },
        Scenario {
            id: "not-signed-on",
            description: "A sale on a terminal that never signed on fails with a clear error and sends nothing",
            config: default_config,
            script: |w| {
                w.command(sale(1_000, cards::swiped_debit()));
                expect(w, TransactionKind::Sale, OutcomeResult::Failed { reason: FailReason::NotSignedOn });
                assert!(transmitted_mtis(w).is_empty());
            },
        },
        Scenario {
            id: "sale-approved-magstripe-pin",
            description: "Magstripe sale with PIN: F35, F52/F53, F26 12, MAC; approved with a receipt showing the masked PAN",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.command(sale(12_345, cards::swiped_debit()));
                expect(w, TransactionKind::Sale, OutcomeResult::Approved);
                let receipt = w.last_outcome().and_then(|o| o.receipt.clone()).expect("receipt");
                assert_eq!(receipt.card, "622202******0007");
                assert_eq!(w.host.terminal.status().pending_reversal, None);
            },
        },
        Scenario {
            id: "sale-approved-chip",
            description: "Contact chip sale with F55: online approval, then the card accepts at the second GENERATE AC",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.command(sale(88_800, cards::chip_debit()));
                assert!(w.events.iter().any(|e| matches!(e, Event::CardVerdictRequired { .. })));
                // The write-ahead reversal stands until the card accepts, but the operator sees
                // "waiting for the card", not "reversal pending".
                assert!(w.host.terminal.durable_state().reversal.is_some(), "the reversal stands until the card accepts");
                let status = w.host.terminal.status();
                assert_eq!(status.pending_reversal, None);
                assert_eq!(status.in_flight.map(|f| f.waiting_for), Some(WaitingFor::Card));
                w.card_accepts();
                expect(w, TransactionKind::Sale, OutcomeResult::Approved);
                assert_eq!(w.host.terminal.status().pending_reversal, None);
            },
        },
        Scenario {
            id: "sale-approved-contactless",
            description: "Contactless sale without PIN (F22 072, F55): approved",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.command(sale(3_500, cards::tap_credit()));
                expect(w, TransactionKind::Sale, OutcomeResult::Approved);
            },
        },
        Scenario {
            id: "balance-inquiry",
            description: "Balance inquiry (310000) shows F54 and is never reversible",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.command(Command::Balance { card: cards::swiped_debit() });
                expect(w, TransactionKind::Balance, OutcomeResult::Approved);
                assert!(w.last_outcome().and_then(|o| o.balance.clone()).is_some());
            },
        },
        Scenario {
            id: "decline-51-insufficient-funds",
            description: "Declined 51 (small-balance card): guidance to use another card, no reversal",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.command(sale(10_000, cards::small_balance()));
                expect_declined(w, "51");
            },
        },
        Scenario {
            id: "decline-54-expired-card",
            description: "Declined 54 (expired card): guidance to use another card, no reversal",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.command(sale(10_000, cards::expired()));
                expect_declined(w, "54");
            },
        },
        Scenario {
            id: "decline-55-wrong-pin",
            description: "Declined 55 (wrong PIN): guidance to re-enter the PIN, no reversal",
            config: default_config,
            script: |w| {
                sign_on(w);
                // The cardholder types a PIN that is not the card's.
                w.next_pin = NextPin::Typed("999999".into());
                w.command(sale(10_000, cards::swiped_debit()));
                expect_declined(w, "55");
            },
        },
        Scenario {
            id: "decline-14-invalid-card",
            description: "Declined 14 (unknown card number): no reversal",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.command(sale(10_000, cards::unknown()));
                expect_declined(w, "14");
            },
        },
        Scenario {
            id: "sale-timeout-reversal",
            description: "No reply to a sale: at the timeout a reversal 98 with the original STAN is sent and cleared",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.acquirer.inject(Fault::DropReply);
                w.command(sale(20_000, cards::swiped_debit()));
                assert!(w.last_outcome().is_some_and(|o| o.transaction == TransactionKind::SignOn));
                w.run_until_quiet();
                expect(w, TransactionKind::Sale, OutcomeResult::Reversed { reason: ReversalReason::NoReply });
                assert_eq!(transmitted_mtis(w), ["0800", "0200", "0400"]);
                expect_no_money_moved(w);
            },
        },
        Scenario {
            id: "reversal-exhausted-exception",
            description: "A reversal unanswered 3 times moves to the exceptions list; the next sale then proceeds",
            config: default_config,
            script: |w| {
                sign_on(w);
                for _ in 0..4 {
                    w.acquirer.inject(Fault::DropReply);
                }
                w.command(sale(20_000, cards::swiped_debit()));
                w.run_until_quiet();
                expect(w, TransactionKind::Sale, OutcomeResult::ReversalFailed { reason: ReversalReason::NoReply });
                let status = w.host.terminal.status();
                assert_eq!(status.exceptions.len(), 1);
                assert_eq!(status.pending_reversal, None);
                w.wait(60_000);
                w.command(sale(5_000, cards::swiped_debit()));
                expect(w, TransactionKind::Sale, OutcomeResult::Approved);
                assert_eq!(transmitted_mtis(w), ["0800", "0200", "0400", "0400", "0400", "0200"]);
                let stan = status.exceptions.first().map(|e| e.stan).unwrap_or_default();
                w.command(Command::AcknowledgeException { stan });
                expect(w, TransactionKind::AcknowledgeException, OutcomeResult::Approved);
            },
        },
        Scenario {
            id: "reversal-before-next-sale",
            description: "A pending reversal waiting for its retry goes out first when the next sale is entered",
            config: default_config,
            script: |w| {
                sign_on(w);
                // The sale and the first reversal attempt go unanswered.
                w.acquirer.inject(Fault::DropReply);
                w.acquirer.inject(Fault::DropReply);
                w.command(sale(20_000, cards::swiped_debit()));
                w.fire_next_timer();
                w.run_until_idle();
                w.fire_next_timer();
                w.run_until_idle();
                assert!(w.host.terminal.status().pending_reversal.is_some());
                w.command(sale(7_000, cards::swiped_debit()));
                assert_eq!(transmitted_mtis(w), ["0800", "0200", "0400", "0400", "0200"]);
                expect(w, TransactionKind::Sale, OutcomeResult::Approved);
                let reversed = w.outcomes.iter().any(|o| o.result == OutcomeResult::Reversed { reason: ReversalReason::NoReply });
                assert!(reversed, "the first sale ends reversed before the second is sent");
                w.run_until_quiet();
            },
        },
        Scenario {
            id: "crash-after-send",
            description: "The terminal dies after sending a sale: after restore the reversal is sent first",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.feed(StepInput::Kernel(pos_kernel::Input::Command(sale(30_000, cards::swiped_debit()))));
                w.feed(StepInput::Kernel(pos_kernel::Input::Persisted));
                // The acquirer approved and charged; the reply dies with the process.
                w.restart();
                w.run_until_quiet();
                expect(w, TransactionKind::Sale, OutcomeResult::Reversed { reason: ReversalReason::NoReply });
                assert_eq!(transmitted_mtis(w), ["0800", "0200", "0400"]);
                expect_no_money_moved(w);
            },
        },
        Scenario {
            id: "persist-failure-nothing-sent",
            description: "The reversal record cannot be written: the sale fails before sending and nothing is transmitted",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.persist_faults.push_back(crate::world::PersistFault::Fail);
                w.command(sale(30_000, cards::swiped_debit()));
                expect(w, TransactionKind::Sale, OutcomeResult::Failed { reason: FailReason::JournalUnavailable { cause: "disk full (simulated)".into() } });
                assert_eq!(transmitted_mtis(w), ["0800"]);
                w.command(sale(30_000, cards::swiped_debit()));
                expect(w, TransactionKind::Sale, OutcomeResult::Approved);
            },
        },
        Scenario {
            id: "approval-bad-mac-reversal-a0",
            description: "An approval whose MAC fails is treated as unanswered: reversal with reason A0",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.acquirer.inject(Fault::BadMac);
                w.command(sale(40_000, cards::swiped_debit()));
                w.run_until_quiet();
                expect(w, TransactionKind::Sale, OutcomeResult::Reversed { reason: ReversalReason::MacFailure });
                expect_no_money_moved(w);
            },
        },
        Scenario {
            id: "reply-wrong-stan-ignored",
            description: "A reply with another STAN is not an answer: ignored, then timeout and reversal",
            config: default_config,
            script: |w| wrong_reply_then_timeout(w, Fault::WrongStan, "STAN"),
        },
        Scenario {
            id: "reply-wrong-terminal-id-ignored",
            description: "A reply for another terminal id is not an answer: ignored, then timeout and reversal",
            config: default_config,
            script: |w| wrong_reply_then_timeout(w, Fault::WrongTerminalId, "terminal id"),
        },
        Scenario {
            id: "reply-wrong-amount-ignored",
            description: "A reply with another amount is not an answer: ignored, then timeout and reversal",
            config: default_config,
            script: |w| wrong_reply_then_timeout(w, Fault::WrongAmount, "amount"),
        },
        Scenario {
            id: "reply-wrong-mti-ignored",
            description: "A reply with the wrong MTI is not an answer: ignored, then timeout and reversal",
            config: default_config,
            script: |w| wrong_reply_then_timeout(w, Fault::WrongMti, "MTI"),
        },
        Scenario {
            id: "garbage-is-no-reply",
            description: "Garbage from the acquirer is ignored; the sale times out and is reversed",
            config: default_config,
            script: |w| wrong_reply_then_timeout(w, Fault::Garbage, "undecodable"),
        },
        Scenario {
            id: "closed-connection-is-no-reply",
            description: "The acquirer closes the connection instead of answering: no reply, so the sale is reversed",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.acquirer.inject(Fault::Close);
                w.command(sale(12_300, cards::swiped_debit()));
                w.run_until_quiet();
                expect(w, TransactionKind::Sale, OutcomeResult::Reversed { reason: ReversalReason::NoReply });
                expect_no_money_moved(w);
            },
        },
        Scenario {
            id: "answer-twice",
            description: "The acquirer answers twice: the first answer counts, the duplicate is ignored",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.acquirer.inject(Fault::AnswerTwice);
                w.command(sale(12_300, cards::swiped_debit()));
                expect(w, TransactionKind::Sale, OutcomeResult::Approved);
                expect_ignored(w, "no request outstanding");
            },
        },
        Scenario {
            id: "late-approval-after-timeout",
            description: "An approval arriving after the timeout never becomes an approval: the reversal goes ahead",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.acquirer.inject(Fault::DelayReply);
                w.command(sale(50_000, cards::swiped_debit()));
                w.run_until_quiet();
                expect_ignored(w, "expected MTI 0410, got 0210");
                expect(w, TransactionKind::Sale, OutcomeResult::Reversed { reason: ReversalReason::NoReply });
                assert!(!w.outcomes.iter().any(|o| o.transaction == TransactionKind::Sale && o.result == OutcomeResult::Approved));
                expect_no_money_moved(w);
            },
        },
        Scenario {
            id: "card-declines-after-approval",
            description: "The chip card declines at the second GENERATE AC after an online approval: reversal 06 with the card's DE55",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.command(sale(66_600, cards::chip_debit()));
                w.card_declines();
                expect(w, TransactionKind::Sale, OutcomeResult::Reversed { reason: ReversalReason::CardDeclined });
                let reversal = w.steps.iter().flat_map(|s| s.expect.iter()).filter_map(|o| match o {
                    pos_kernel::Output::Transmit(frame) if frame.get(13..15) == Some(&[0x04, 0x00]) => Some(hex::encode(frame)),
                    _ => None,
                }).next().expect("a reversal was sent");
                // The card's AAC (9F26) and 9F27 `00` over the request's chip data.
                assert!(reversal.contains("9f2608c0ffee00c0ffee00") && reversal.contains("9f270100"), "the reversal carries the card's TLV in F55");
                expect_no_money_moved(w);
            },
        },
        Scenario {
            id: "header-asks-sign-on",
            description: "An approval whose header asks for sign-on: the sale stands, the next sale requires a new sign-on",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.acquirer.inject(Fault::SignOnAgainHeader);
                w.command(sale(10_000, cards::swiped_debit()));
                expect(w, TransactionKind::Sale, OutcomeResult::Approved);
                assert!(w.host.terminal.status().sign_on_required);
                w.command(sale(10_000, cards::swiped_debit()));
                expect(w, TransactionKind::Sale, OutcomeResult::Failed { reason: FailReason::NotSignedOn });
                sign_on(w);
                w.command(sale(10_000, cards::swiped_debit()));
                expect(w, TransactionKind::Sale, OutcomeResult::Approved);
            },
        },
        Scenario {
            id: "over-limit-sale",
            description: "A sale above the configured maximum is declined locally (超限 / over limit); nothing is sent",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.command(sale(5_000_001, cards::swiped_debit()));
                expect(w, TransactionKind::Sale, OutcomeResult::Failed { reason: FailReason::OverLimit { limit: 5_000_000 } });
                assert_eq!(transmitted_mtis(w), ["0800"]);
            },
        },
        Scenario {
            id: "pin-pad-empty-nothing-sent",
            description: "A card that says a PIN was entered while the PIN pad holds none: refused locally (the PIN is asked for again); nothing is sent",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.next_pin = NextPin::Nothing;
                w.command(sale(10_000, cards::swiped_debit()));
                let problem = InputProblem::Pin;
                expect(w, TransactionKind::Sale, OutcomeResult::Failed { reason: FailReason::InvalidInput { problem } });
                assert_eq!(transmitted_mtis(w), ["0800"]);
                // Typed this time: the same sale goes through.
                w.command(sale(10_000, cards::swiped_debit()));
                expect(w, TransactionKind::Sale, OutcomeResult::Approved);
            },
        },
        Scenario {
            id: "stan-wrap",
            description: "The STAN after 999999 is 000001",
            config: || Config { initial_stan: 999_998, ..Config::default() },
            script: |w| {
                sign_on(w);
                assert_eq!(w.host.terminal.status().last_stan, 999_998);
                w.command(sale(1_000, cards::swiped_debit()));
                expect(w, TransactionKind::Sale, OutcomeResult::Approved);
                w.command(sale(2_000, cards::swiped_debit()));
                expect(w, TransactionKind::Sale, OutcomeResult::Approved);
                assert_eq!(w.last_outcome().and_then(|o| o.stan), Some(1));
            },
        },
    ]
}
