//! What a UnionPay acquirer requires around the transactions (rule 16, docs/profile.md §7): TC
//! and IC failure uploads at settlement, script result advices, completion advices. Each vector
//! ends with the bank's word that nothing arrived twice or against the profile.

use pos_acquirer_sim::Fault;
use pos_kernel::codec::{Frame, Message};
use pos_kernel::engine::{Event, ReversalReason, TransactionKind};
use pos_kernel::{Command, OutcomeResult, Output};

use super::{default_config, expect, lost_sale, sale, settle, sign_on, Scenario};
use crate::cards;
use crate::vector::StepInput;
use crate::world::World;

/// Every request the terminal transmitted, decoded, in order.
pub(super) fn sent(w: &World) -> Vec<Message> {
    w.steps
        .iter()
        .flat_map(|s| s.expect.iter())
        .filter_map(|o| match o {
            Output::Transmit(frame) => Frame::decode(frame).ok().map(|f| f.message),
            _ => None,
        })
        .collect()
}

/// 60.3 of a request (its network management code), if it has one.
pub(super) fn management_code(m: &Message) -> Option<String> {
    m.get_str(60).and_then(|f| f.get(8..11)).map(str::to_owned)
}

/// The settlement's requests from its 0500 on: MTI and 60.3, e.g. `0320/203`.
fn settlement_trail(w: &World) -> Vec<String> {
    let sent = sent(w);
    let start = sent.iter().rposition(|m| m.mti.0 == 500).expect("a 0500");
    sent.iter()
        .skip(start)
        .map(|m| format!("{}/{}", m.mti, management_code(m).unwrap_or_default()))
        .collect()
}

/// F48 of the last end message (0320 `202` / `207`).
fn end_count(w: &World) -> String {
    sent(w)
        .iter()
        .rev()
        .find(|m| m.mti.0 == 320 && matches!(management_code(m).as_deref(), Some("202" | "207")))
        .and_then(|m| m.get_str(48).map(str::to_owned))
        .expect("an end message")
}

#[track_caller]
pub(super) fn expect_no_violation(w: &World) {
    assert!(w.acquirer.violations().is_empty(), "{:?}", w.acquirer.violations());
}

/// A chip sale the card accepts.
#[track_caller]
fn chip_sale(w: &mut World, amount: u64) {
    w.command(sale(amount, cards::chip_debit()));
    w.card_accepts();
    expect(w, TransactionKind::Sale, OutcomeResult::Approved);
}

/// Requests of an MTI sent so far.
fn count_mti(w: &World, mti: u16) -> usize {
    sent(w).iter().filter(|m| m.mti.0 == mti).count()
}

pub(super) fn chip_obligations() -> Vec<Scenario> {
    vec![
        Scenario {
            id: "settlement-balanced-three-tc-uploads",
            description: "Two chip sales and a tap, balanced totals: a TC upload (0320 203) for each, with the card's TC in F55, then the end 207 counting three",
            config: default_config,
            script: |w| {
                sign_on(w);
                chip_sale(w, 12_000);
                chip_sale(w, 3_400);
                w.command(sale(2_500, cards::tap_credit()));
                expect(w, TransactionKind::Sale, OutcomeResult::Approved);
                w.command(sale(1_000, cards::swiped_debit()));
                expect(w, TransactionKind::Sale, OutcomeResult::Approved);
                let report = settle(w);
                assert_eq!(report.tc_uploaded, vec![2, 3, 4]);
                assert_eq!(report.uploaded, 0, "balanced: no magstripe upload");
                assert_eq!(settlement_trail(w), ["0500/201", "0320/203", "0320/203", "0320/203", "0320/207"]);
                assert_eq!(end_count(w), "0003");
                let uploads = sent(w).into_iter().filter(|m| management_code(m).as_deref() == Some("203"));
                for upload in uploads {
                    let icc = upload.get(55).expect("F55");
                    let tc = pos_kernel::codec::tlv::find(icc, &[0x9f, 0x27]);
                    let tap = upload.get_str(22).is_some_and(|f| f.starts_with("07"));
                    assert_eq!(tc, Some(if tap { &[0x80][..] } else { &[0x40][..] }), "9F27 of {upload:?}");
                    assert!(upload.get(64).is_none(), "a TC upload has no MAC");
                }
                assert_eq!(w.acquirer.chip_uploads("10000001", 1).len(), 3);
                assert!(w.acquirer.batch_closed("10000001", 1));
                expect_no_violation(w);
            },
        },
        Scenario {
            id: "settlement-unbalanced-magstripe-tc-and-ic-failure-uploads",
            description: "Unbalanced totals with a swiped sale, a chip sale and a chip approval the card declined: the magstripe upload (201), the TC upload (205), the IC failure upload (206) with the AAC, then the end 202 counting all three",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.command(sale(1_500, cards::swiped_debit()));
                expect(w, TransactionKind::Sale, OutcomeResult::Approved);
                chip_sale(w, 8_800);
                w.command(sale(4_400, cards::chip_debit()));
                w.card_declines();
                w.run_until_quiet();
                expect(w, TransactionKind::Sale, OutcomeResult::Reversed { reason: ReversalReason::CardDeclined });
                lost_sale(w, 7_700);
                let report = settle(w);
                assert_eq!(report.uploaded, 1, "the swiped sale");
                assert_eq!(report.tc_uploaded, vec![3]);
                assert_eq!(report.ic_failures_uploaded, vec![4]);
                assert_eq!(settlement_trail(w), ["0500/201", "0320/201", "0320/205", "0320/206", "0320/202"]);
                assert_eq!(end_count(w), "0003");
                let failure = sent(w).into_iter().find(|m| management_code(m).as_deref() == Some("206")).expect("206");
                let icc = failure.get(55).expect("F55");
                assert_eq!(pos_kernel::codec::tlv::find(icc, &[0x9f, 0x27]), Some(&[0x00][..]), "an AAC");
                assert_eq!(failure.get_str(61).map(|f| &f[6..12]), Some("000004"), "61.2 is the declined approval's STAN");
                expect_no_violation(w);
            },
        },
        Scenario {
            id: "settlement-crash-mid-tc-uploads",
            description: "The terminal dies after the second of three TC uploads is journaled and sent: after restore it resends that upload with its STAN; the bank records each once",
            config: default_config,
            script: |w| {
                sign_on(w);
                chip_sale(w, 1_100);
                chip_sale(w, 2_200);
                chip_sale(w, 3_300);
                w.feed(StepInput::Kernel(pos_kernel::Input::Command(Command::Settle)));
                while count_mti(w, 320) < 2 {
                    assert!(w.step_one(), "the settlement stalled");
                }
                w.restart();
                w.run_until_quiet();
                expect(w, TransactionKind::Settlement, OutcomeResult::Approved);
                assert_eq!(count_mti(w, 320), 5, "upload 2 resent once, then upload 3 and the end");
                let stans: Vec<String> = sent(w)
                    .iter()
                    .filter(|m| management_code(m).as_deref() == Some("203"))
                    .filter_map(|m| m.get_str(11).map(str::to_owned))
                    .collect();
                assert_eq!(stans[1], stans[2], "the upload in flight is resent with its STAN");
                assert_eq!(w.acquirer.chip_uploads("10000001", 1).len(), 3);
                assert!(w.acquirer.batch_closed("10000001", 1));
                expect_no_violation(w);
            },
        },
        Scenario {
            id: "script-advice-before-the-next-sale",
            description: "An approval carries an issuer script: the card's DF31 goes into a script result advice (0620 951), journaled with the verdict and sent before the next sale",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.acquirer.send_script_with_next_approval();
                w.command(sale(9_900, cards::chip_debit()));
                w.card_accepts();
                expect(w, TransactionKind::Sale, OutcomeResult::Approved);
                w.command(sale(100, cards::swiped_debit()));
                expect(w, TransactionKind::Sale, OutcomeResult::Approved);
                let mtis: Vec<u16> = sent(w).iter().map(|m| m.mti.0).collect();
                assert_eq!(mtis, [800, 200, 620, 200], "sign-on, sale, advice, sale");
                let advice = sent(w).into_iter().find(|m| m.mti.0 == 620).expect("0620");
                let icc = advice.get(55).expect("F55");
                assert!(pos_kernel::codec::tlv::find(icc, &[0xdf, 0x31]).is_some(), "DF31 in the advice");
                assert_eq!(advice.get_str(61).map(|f| &f[6..12]), Some("000002"));
                assert_eq!(w.acquirer.script_results(), [("10000001".to_owned(), 1, 2)]);
                assert!(w.host.terminal.status().pending_advices.is_empty());
                expect_no_violation(w);
            },
        },
        Scenario {
            id: "script-advice-pending-across-a-restart",
            description: "The script result advice gets no answer, the terminal restarts: the advice is resent with its STAN first thing, once answered the acquirer has it once",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.acquirer.send_script_with_next_approval();
                w.command(sale(9_900, cards::chip_debit()));
                w.acquirer.inject(Fault::DropReply);
                w.card_accepts();
                expect(w, TransactionKind::Sale, OutcomeResult::Approved);
                w.fire_next_timer();
                w.run_until_idle();
                assert!(w.events.iter().any(|e| matches!(e, Event::AdvicePending { stan: 3, .. })));
                assert_eq!(w.host.terminal.status().pending_advices.len(), 1);
                w.restart();
                w.run_until_quiet();
                assert!(w.host.terminal.status().pending_advices.is_empty());
                let advices: Vec<String> = sent(w)
                    .iter()
                    .filter(|m| m.mti.0 == 620)
                    .filter_map(|m| m.get_str(11).map(str::to_owned))
                    .collect();
                assert_eq!(advices, ["000003", "000003"], "the same STAN again");
                assert_eq!(w.acquirer.script_results().len(), 1);
                expect_no_violation(w);
            },
        },
        Scenario {
            id: "completion-advice-unanswered-then-resent",
            description: "A pre-authorization completed offline (completion advice, 0220 type 24): approved at once, its advice unanswered, resent with the same STAN, counted in the settlement, and it cannot be voided",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.command(Command::PreAuth {
                    amount: 10_000,
                    card: cards::swiped_debit(),
                });
                expect(w, TransactionKind::PreAuth, OutcomeResult::Approved);
                w.acquirer.inject(Fault::DropReply);
                w.command(Command::CompletionAdvice {
                    original_stan: 2,
                    amount: 11_000,
                    auth_code: None,
                });
                expect(w, TransactionKind::CompletionAdvice, OutcomeResult::Approved);
                w.fire_next_timer();
                w.run_until_idle();
                assert!(w.events.iter().any(|e| matches!(e, Event::AdvicePending { stan: 3, .. })));
                w.command(Command::CompletionVoid {
                    original_stan: 3,
                    card: None,
                });
                expect(w, TransactionKind::CompletionVoid, OutcomeResult::Failed {
                    reason: pos_kernel::engine::FailReason::Original {
                        problem: pos_kernel::engine::OriginalProblem::WrongType,
                    },
                });
                let report = settle(w);
                assert_eq!(report.domestic.debit_amount, 11_000);
                let advices: Vec<String> = sent(w)
                    .iter()
                    .filter(|m| m.mti.0 == 220)
                    .filter_map(|m| m.get_str(11).map(str::to_owned))
                    .collect();
                assert_eq!(advices, ["000003", "000003"], "resent with the same STAN");
                let charged = w.acquirer.ledger().charged_stans("10000001");
                assert_eq!(charged, [(1, 3, 11_000)], "the bank booked the completion once");
                expect_no_violation(w);
            },
        },
    ]
}
