//! Host-driven management (rule 16, docs/profile.md §7): the acquirer's reply header asks for a
//! download; the terminal carries it out after the current transaction, installs a set only when
//! it is complete, and keeps the old one through anything that cuts it short.

use pos_acquirer_sim::Fault;
use pos_kernel::engine::downloads::{ManagementTask, TerminalParameters};
use pos_kernel::engine::{Event, Timer, TransactionKind};
use pos_kernel::{Command, OutcomeResult, Output};

use super::chip::{expect_no_violation, management_code, sent};
use super::{default_config, expect, sale, sign_on, Scenario};
use crate::cards;
use crate::vector::StepInput;
use crate::world::World;

const TID: &str = "10000001";

/// MTI/60.3 of every management request sent, in order.
fn management_trail(w: &World) -> Vec<String> {
    sent(w)
        .iter()
        .filter_map(|m| {
            let code = management_code(m)?;
            ["360", "362", "370", "371", "372", "380", "381", "382"]
                .contains(&code.as_str())
                .then(|| format!("{}/{code}", m.mti))
        })
        .collect()
}

fn management_events(w: &World) -> Vec<String> {
    w.events
        .iter()
        .filter_map(|e| match e {
            Event::Management { step, .. } => Some(step.clone()),
            _ => None,
        })
        .collect()
}

/// The card reader's data the terminal last handed its host.
fn last_card_reader_data(w: &World) -> Option<pos_kernel::engine::CardReaderData> {
    w.steps
        .iter()
        .flat_map(|s| s.expect.iter())
        .rev()
        .find_map(|o| match o {
            Output::CardReaderData(data) => Some(data.clone()),
            _ => None,
        })
}

pub(super) fn downloads() -> Vec<Scenario> {
    vec![
        Scenario {
            id: "parameter-download-changes-the-response-timeout",
            description: "A sale's reply header asks for a parameter download (R = 1): after the sale, 0800 360; the new list (timeout 45 s, merchant name) is installed in one record and the next sale waits 45 s for its reply",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.acquirer.set_parameters(TerminalParameters {
                    response_timeout_s: Some(45),
                    reversal_attempts: Some(2),
                    merchant_name: Some("BRIGHT NOODLES 光明面馆".into()),
                    max_amount: Some(2_000_000),
                    refund_limit: Some(500_000),
                    offline_upload_count: Some(10),
                });
                w.acquirer.ask(TID, ManagementTask::Parameters);
                w.command(sale(1_200, cards::swiped_debit()));
                expect(w, TransactionKind::Sale, OutcomeResult::Approved);
                assert_eq!(management_trail(w), ["0800/360"]);
                let status = w.host.terminal.status();
                let installed = status.downloads.parameters.expect("a parameter set").parameters;
                assert_eq!(installed.response_timeout_s, Some(45));
                assert!(status.management_due.is_empty());
                assert_eq!(w.host.terminal.config().response_timeout_ms, 45_000);
                let before = w.steps.len();
                let now = w.now;
                w.command(sale(3_400, cards::swiped_debit()));
                expect(w, TransactionKind::Sale, OutcomeResult::Approved);
                let armed = w.steps[before..].iter().flat_map(|s| s.expect.iter()).find_map(|o| match o {
                    Output::ArmTimer { timer: Timer::Response, at } => Some(*at),
                    _ => None,
                });
                assert_eq!(armed, Some(now.plus_ms(45_000)), "the reply timer uses the downloaded timeout");
                let receipt = w.last_outcome().and_then(|o| o.receipt.clone()).expect("a receipt");
                assert_eq!(receipt.merchant_name, "BRIGHT NOODLES 光明面馆");
                w.command(sale(2_500_000, cards::swiped_debit()));
                expect(w, TransactionKind::Sale, OutcomeResult::Failed {
                    reason: pos_kernel::engine::FailReason::OverLimit { limit: 2_000_000 },
                });
                assert_eq!(management_trail(w), ["0800/360"], "asked once, downloaded once");
                expect_no_violation(w);
            },
        },
        Scenario {
            id: "ca-key-update-over-two-pages-with-a-bad-check-value",
            description: "The reply header asks for a CA key update (R = 4): two query pages (372) list five keys, each is downloaded (370), one whose DF03 does not verify is refused, the end (371) installs the other four in one record and hands them to the card reader",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.acquirer.corrupt_ca_key(0x08);
                w.acquirer.ask(TID, ManagementTask::CaKeys);
                w.command(Command::Echo);
                expect(w, TransactionKind::Echo, OutcomeResult::Approved);
                w.run_until_quiet();
                assert_eq!(
                    management_trail(w),
                    ["0820/372", "0820/372", "0800/370", "0800/370", "0800/370", "0800/370", "0800/370", "0800/371"]
                );
                let queries: Vec<String> = sent(w)
                    .iter()
                    .filter(|m| management_code(m).as_deref() == Some("372"))
                    .filter_map(|m| m.get(62).map(|f| String::from_utf8_lossy(f).into_owned()))
                    .collect();
                assert_eq!(queries, ["100", "103"], "the second page starts after the three received");
                let keys = w.host.terminal.status().downloads.ca_keys.expect("a key table").keys;
                let names: Vec<String> = keys.iter().map(|k| k.name()).collect();
                assert_eq!(names, ["A000000333/02", "A000000333/03", "A000000333/04", "A000000333/09"]);
                assert!(keys.iter().all(|k| k.verifies()));
                assert!(management_events(w).iter().any(|e| e.contains("A000000333/08 refused") && e.contains("DF03")));
                let reader = last_card_reader_data(w).expect("the card reader got the keys");
                assert_eq!(reader.ca_keys, keys);
                expect_no_violation(w);
            },
        },
        Scenario {
            id: "ic-parameter-update-cut-off-and-restarted",
            description: "An IC parameter update (R = 5) loses the reply to its second AID download: the old (empty) table stays in force; after the retry interval the update starts again from its first query page and installs all four AIDs; nothing is downloaded twice within one update",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.acquirer.ask(TID, ManagementTask::IcParameters);
                w.feed(StepInput::Kernel(pos_kernel::Input::Command(Command::Echo)));
                // Run until the first AID download is sent, then lose the next reply.
                while sent(w).iter().filter(|m| management_code(m).as_deref() == Some("380")).count() < 1 {
                    assert!(w.step_one(), "the update stalled");
                }
                w.acquirer.inject(Fault::DropReply);
                w.run_until_idle();
                assert!(w.outcomes.iter().any(|o| o.transaction == TransactionKind::Echo));
                w.fire_next_timer();
                w.run_until_idle();
                let status = w.host.terminal.status();
                assert_eq!(status.downloads.ic_parameters, None, "no half table");
                assert_eq!(status.management_due, [ManagementTask::IcParameters]);
                w.run_until_quiet();
                let trail = management_trail(w);
                assert_eq!(trail.iter().filter(|t| *t == "0820/382").count(), 4, "two pages, twice: {trail:?}");
                assert_eq!(trail.last().map(String::as_str), Some("0800/381"));
                let aids = w.host.terminal.status().downloads.ic_parameters.expect("a table").aids;
                assert_eq!(aids.len(), 4);
                assert_eq!(last_card_reader_data(w).map(|d| d.aids), Some(aids));
                expect_no_violation(w);
            },
        },
        Scenario {
            id: "status-upload-sends-the-parameters-in-force",
            description: "The reply header asks for a status upload (R = 2): 0820 362 carries the terminal's parameter list as in force (timeout, reversal attempts, merchant name, limits); asked once, sent once",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.acquirer.ask(TID, ManagementTask::StatusUpload);
                w.command(Command::Echo);
                expect(w, TransactionKind::Echo, OutcomeResult::Approved);
                w.command(Command::Echo);
                assert_eq!(management_trail(w), ["0820/362"]);
                let uploads = &w.acquirer.downloads().status_uploads;
                let expected = TerminalParameters::of(w.host.terminal.config(), 0);
                assert_eq!(uploads, &[(TID.to_owned(), expected)]);
                assert!(w.host.terminal.status().management_due.is_empty());
                expect_no_violation(w);
            },
        },
        Scenario {
            id: "header-request-during-a-pending-reversal",
            description: "A sign-on's reply asks for a parameter download while a reversal is pending: the reversal goes first, then the download",
            config: default_config,
            script: |w| {
                sign_on(w);
                w.acquirer.inject(Fault::DropReply);
                w.acquirer.inject(Fault::DropReply);
                w.command(sale(5_000, cards::swiped_debit()));
                // The sale times out, and so does the first reversal attempt: the reversal waits.
                w.fire_next_timer();
                w.run_until_idle();
                w.fire_next_timer();
                w.run_until_idle();
                assert!(w.host.terminal.status().pending_reversal.is_some());
                w.acquirer.ask(TID, ManagementTask::Parameters);
                w.command(Command::SignOn);
                w.run_until_quiet();
                let mtis: Vec<String> = sent(w)
                    .iter()
                    .map(|m| format!("{}/{}", m.mti, management_code(m).unwrap_or_default()))
                    .collect();
                let tail: Vec<&str> = mtis.iter().rev().take(3).rev().map(String::as_str).collect();
                assert_eq!(tail, ["0800/004", "0400/000", "0800/360"], "{mtis:?}");
                assert!(w.host.terminal.status().pending_reversal.is_none());
                assert!(w.host.terminal.status().downloads.parameters.is_some());
                expect_no_violation(w);
            },
        },
    ]
}
