//! Statement reconciliation (rule 17): each vector drives the terminal and the simulated bank,
//! has the bank write its statements, and ends with a `reconcile` step whose items every host
//! must return alike. One vector per bucket of docs/architecture.md's list.

use pos_acquirer_sim::{Acquirer, AcquirerConfig, Fault, StatementFault};
use pos_kernel::time::CivilDate;
use pos_kernel::{Command, OutcomeResult};

use super::{default_config, expect, lost_sale, sale, settle, sign_on, Scenario};
use crate::cards;
use crate::vector::Reconciled;
use crate::world::World;
use pos_kernel::engine::{ReversalReason, TransactionKind};

/// The statement files of these dates (`YYYYMMDD`), as the bank writes them.
fn statements(w: &World, dates: &[&str]) -> Vec<String> {
    let merchant = w.host.terminal.config().merchant_id.clone();
    dates
        .iter()
        .map(|d| {
            let date = CivilDate::parse_yyyymmdd(d).expect("a date");
            w.acquirer.statement(&merchant, date).render()
        })
        .collect()
}

/// The findings of a reconciliation, by STAN (entries and transactions), sorted.
#[track_caller]
fn findings(answer: &Reconciled) -> Vec<(u32, String)> {
    let Reconciled::Items(items) = answer else {
        panic!("refused: {answer:?}")
    };
    let mut out: Vec<(u32, String)> = items.iter().map(|i| (i.stan.unwrap_or(0), i.finding.clone())).collect();
    out.sort();
    out
}

#[track_caller]
fn assert_findings(answer: &Reconciled, expected: &[(u32, &str)]) {
    let expected: Vec<(u32, String)> = expected.iter().map(|(s, f)| (*s, (*f).to_owned())).collect();
    assert_eq!(findings(answer), expected);
}

const DAY_MS: u64 = 24 * 3_600_000;

pub(super) fn statement_reconciliation() -> Vec<Scenario> {
    vec![
        Scenario {
            id: "reconcile-credited-late-approval-reversed",
            description: "The next day's statement: a sale credited; a sale the bank approved only after the terminal's timeout (its reversal found nothing) is L, charged but not approved; a sale reversed is R",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.command(sale(1_234, cards::swiped_debit()));
                expect(w, TransactionKind::Sale, OutcomeResult::Approved);
                w.acquirer.inject(Fault::LateApproval);
                w.command(sale(38_500, cards::swiped_debit()));
                w.run_until_quiet();
                expect(w, TransactionKind::Sale, OutcomeResult::Reversed { reason: ReversalReason::NoReply });
                w.acquirer.inject(Fault::DropReply);
                w.command(sale(2_000, cards::swiped_debit()));
                w.run_until_quiet();
                expect(w, TransactionKind::Sale, OutcomeResult::Reversed { reason: ReversalReason::NoReply });
                settle(w);
                let answer = w.reconcile(statements(w, &["20261122"]));
                assert_findings(&answer, &[(2, "credited"), (3, "late_approval"), (4, "reversed")]);
            },
        },
        Scenario {
            id: "reconcile-dropped-held-amount-changed",
            description: "The bank's statements leave one sale off (overdue once its two statement dates are in: contact the acquirer), hold one as E (差错), and change one's amount (differs); the rest credited",
            config: default_config,
            script: |w| {
                sign_on(w);
                for amount in [100, 200, 300, 400] {
                    w.command(sale(amount, cards::swiped_debit()));
                    expect(w, TransactionKind::Sale, OutcomeResult::Approved);
                }
                settle(w);
                let tid = w.host.terminal.config().terminal_id.clone();
                w.acquirer.inject_statement_fault(StatementFault::Drop { terminal_id: tid.clone(), stan: 2 });
                w.acquirer.inject_statement_fault(StatementFault::Hold { terminal_id: tid.clone(), stan: 3 });
                w.acquirer.inject_statement_fault(StatementFault::Amount { terminal_id: tid, stan: 4, amount: 399 });
                let answer = w.reconcile(statements(w, &["20261122", "20261123"]));
                assert_findings(
                    &answer,
                    &[(2, "overdue 2026-11-23"), (3, "held"), (4, "amount_differs"), (5, "credited")],
                );
            },
        },
        Scenario {
            id: "reconcile-after-cutoff-pending",
            description: "Sales after the acquirer's cut-off are on the statement of the day after next (T+2): with only the next day's statement loaded they are pending (wait), not missing",
            config: default_config,
            script: |w| {
                // The simulated day starts at 10:00; a 09:00 cut-off puts it all on T+2.
                w.acquirer = Acquirer::new(AcquirerConfig {
                    statement_cutoff: "090000".into(),
                    ..AcquirerConfig::default()
                });
                sign_on(w);
                w.command(sale(1_500, cards::tap_credit()));
                expect(w, TransactionKind::Sale, OutcomeResult::Approved);
                settle(w);
                let answer = w.reconcile(statements(w, &["20261122"]));
                assert_findings(&answer, &[(2, "pending 2026-11-23")]);
                let answer = w.reconcile(statements(w, &["20261122", "20261123"]));
                assert_findings(&answer, &[(2, "credited")]);
            },
        },
        Scenario {
            id: "reconcile-unconfirmed-reversal-charged",
            description: "An approval whose MAC failed and whose reversal never got through (on the exceptions list) stands at the bank: the statement's N line is charged after an unconfirmed reversal; a reply lost the same way is L",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.acquirer.inject(Fault::BadMac);
                w.lose_reversals = 3;
                w.command(sale(6_600, cards::swiped_debit()));
                w.run_until_quiet();
                expect(
                    w,
                    TransactionKind::Sale,
                    OutcomeResult::ReversalFailed { reason: ReversalReason::MacFailure },
                );
                lost_sale(w, 7_700);
                settle(w);
                let answer = w.reconcile(statements(w, &["20261122"]));
                assert_findings(&answer, &[(2, "charged_after_unconfirmed_reversal"), (3, "late_approval")]);
            },
        },
        Scenario {
            id: "reconcile-archive-void-refund-across-days",
            description: "Day one's sale, settled and archived; day two a void and a refund of it: both statements reconcile against the archive and the journal, every line credited",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.command(sale(5_000, cards::chip_debit()));
                w.card_accepts();
                expect(w, TransactionKind::Sale, OutcomeResult::Approved);
                let (rrn, date) = super::last_receipt_rrn_date(w);
                settle(w);
                w.wait(DAY_MS);
                w.command(sale(800, cards::swiped_debit()));
                expect(w, TransactionKind::Sale, OutcomeResult::Approved);
                let stan = w.last_outcome().and_then(|o| o.stan).expect("a STAN");
                w.command(Command::Void { original_stan: stan, card: None });
                expect(w, TransactionKind::Void, OutcomeResult::Approved);
                w.command(Command::Refund {
                    amount: 2_000,
                    card: cards::chip_debit(),
                    original_rrn: rrn,
                    original_date: date,
                });
                w.run_until_quiet();
                expect(w, TransactionKind::Refund, OutcomeResult::Approved);
                let answer = w.reconcile(statements(w, &["20261122", "20261123"]));
                assert_findings(&answer, &[(2, "credited"), (6, "credited"), (7, "credited"), (8, "credited")]);
            },
        },
        Scenario {
            id: "reconcile-rrn-under-another-stan",
            description: "A statement line carries the RRN of the terminal's STAN 2 under another STAN: reported as such and not paired; STAN 2 is then missing from the statement (pending)",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.command(sale(900, cards::swiped_debit()));
                expect(w, TransactionKind::Sale, OutcomeResult::Approved);
                let texts = statements(w, &["20261122"]);
                let edited = texts[0].replace("|000002|1121|", "|000009|1121|");
                assert_ne!(edited, texts[0]);
                let answer = w.reconcile(vec![edited]);
                assert_findings(&answer, &[(2, "pending 2026-11-23"), (9, "rrn_under_other_stan 000002")]);
            },
        },
        Scenario {
            id: "reconcile-statement-refused-whole",
            description: "A statement whose trailer does not add up is refused whole, with its line and field; nothing is matched",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.command(sale(500, cards::swiped_debit()));
                expect(w, TransactionKind::Sale, OutcomeResult::Approved);
                let texts = statements(w, &["20261122"]);
                let altered = texts[0].replace("T|1|", "T|2|");
                let answer = w.reconcile(vec![altered]);
                let Reconciled::Refused(reason) = &answer else { panic!("accepted: {answer:?}") };
                assert!(reason.contains("line 3") && reason.contains("entry count"), "{reason}");
            },
        },
    ]
}
