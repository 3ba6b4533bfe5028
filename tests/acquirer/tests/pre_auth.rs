//! The pre-authorization family: hold, cancel, completion (≤ 115%), completion void.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use pos_acquirer_sim::cards::{CHIP_DEBIT, CONTACTLESS, SMALL_BALANCE, TEST_PIN};
use pos_acquirer_sim::LedgerKind;
use pos_kernel::codec::Mti;

const OPENING: u64 = 2_000_000;

fn hold(bank: &mut pos_acquirer_sim::Acquirer, terminal: &mut TestTerminal, amount: u64) -> Approval {
    let pre_auth = terminal.pre_auth(CONTACTLESS, amount, None);
    let reply = terminal.exchange(bank, &pre_auth);
    assert_eq!(reply.message.mti, Mti(110));
    let (code, approval) = terminal.transact(bank, &pre_auth); // retransmission: same answer
    assert_eq!(code, "00");
    approval.unwrap()
}

#[test]
fn pre_auth_holds_and_cancel_releases() {
    let (mut bank, mut terminal) = signed_on();
    let pa = hold(&mut bank, &mut terminal, 100_000);
    assert_eq!(bank.ledger().balance(CONTACTLESS), Some(OPENING - 100_000));
    assert_eq!(bank.ledger().held(CONTACTLESS), 100_000);
    assert_eq!(bank.ledger().net_charged(TID), 0, "a hold is not a charge");

    let cancel = terminal.pre_auth_cancel(CONTACTLESS, 90_000, &pa);
    assert_eq!(terminal.transact(&mut bank, &cancel).0, "64");
    let cancel = terminal.pre_auth_cancel(
        CONTACTLESS,
        100_000,
        &Approval {
            auth: "000000".into(),
            ..pa.clone()
        },
    );
    assert_eq!(terminal.transact(&mut bank, &cancel).0, "25");
    let cancel = terminal.pre_auth_cancel(CONTACTLESS, 100_000, &pa);
    assert_eq!(terminal.transact(&mut bank, &cancel).0, "00");
    assert_eq!(bank.ledger().balance(CONTACTLESS), Some(OPENING));
    assert_eq!(bank.ledger().held(CONTACTLESS), 0);
    let cancel = terminal.pre_auth_cancel(CONTACTLESS, 100_000, &pa);
    assert_eq!(terminal.transact(&mut bank, &cancel).0, "12");
    let completion = terminal.completion(CONTACTLESS, 100_000, &pa);
    assert_eq!(terminal.transact(&mut bank, &completion).0, "12");
    assert_books_balance(&bank);
}

#[test]
fn completion_up_to_115_percent_charges_and_releases_the_hold() {
    let (mut bank, mut terminal) = signed_on();
    let pa = hold(&mut bank, &mut terminal, 100_000);
    let completion = terminal.completion(CONTACTLESS, 115_001, &pa);
    assert_eq!(terminal.transact(&mut bank, &completion).0, "13");
    let completion = terminal.completion(CONTACTLESS, 115_000, &pa);
    let (code, approval) = terminal.transact(&mut bank, &completion);
    assert_eq!(code, "00");
    assert_eq!(bank.ledger().balance(CONTACTLESS), Some(OPENING - 115_000));
    assert_eq!(bank.ledger().held(CONTACTLESS), 0);
    assert_eq!(bank.ledger().net_charged(TID), 115_000);
    let entries = bank.ledger().entries();
    assert!(entries[0].completed);
    assert_eq!(
        (entries[1].kind, entries[1].original),
        (LedgerKind::Completion, Some(0))
    );
    assert_eq!(bank.ledger().charged_stans(TID), vec![(1, 4, 115_000)]);

    // A second completion of the same pre-auth.
    let again = terminal.completion(CONTACTLESS, 1_000, &pa);
    assert_eq!(terminal.transact(&mut bank, &again).0, "12");

    // Completion void.
    let completion = approval.unwrap();
    let void = terminal.completion_void(CONTACTLESS, 115_000, &completion);
    assert_eq!(terminal.transact(&mut bank, &void).0, "00");
    assert_eq!(bank.ledger().balance(CONTACTLESS), Some(OPENING));
    assert_eq!(bank.ledger().net_charged(TID), 0);
    assert!(bank.ledger().charged_stans(TID).is_empty());
    let void = terminal.completion_void(CONTACTLESS, 115_000, &completion);
    assert_eq!(terminal.transact(&mut bank, &void).0, "12");
    assert_books_balance(&bank);
}

#[test]
fn pre_auth_needs_funds_and_a_pin_when_the_card_has_one() {
    let (mut bank, mut terminal) = signed_on();
    let pre_auth = terminal.pre_auth(SMALL_BALANCE, 6_000, Some(TEST_PIN));
    assert_eq!(terminal.transact(&mut bank, &pre_auth).0, "51");
    let pre_auth = terminal.pre_auth(CHIP_DEBIT, 6_000, None);
    assert_eq!(terminal.transact(&mut bank, &pre_auth).0, "55");
    let pre_auth = terminal.pre_auth(CHIP_DEBIT, 6_091, Some(TEST_PIN));
    assert_eq!(terminal.transact(&mut bank, &pre_auth).0, "91");
    let pre_auth = terminal.pre_auth(CHIP_DEBIT, 6_000, Some(TEST_PIN));
    assert_eq!(terminal.transact(&mut bank, &pre_auth).0, "00");
}

#[test]
fn completion_needs_balance_plus_hold() {
    let (mut bank, mut terminal) = signed_on();
    let pre_auth = terminal.pre_auth(SMALL_BALANCE, 4_000, Some(TEST_PIN));
    let (_, pa) = terminal.transact(&mut bank, &pre_auth);
    let pa = pa.unwrap();
    let sale = terminal.sale(SMALL_BALANCE, 1_000, Some(TEST_PIN));
    assert_eq!(terminal.transact(&mut bank, &sale).0, "00");
    assert_eq!(bank.ledger().balance(SMALL_BALANCE), Some(0));
    // 46.00 ≤ 115% of 40.00 but only 40.00 (the hold) is available.
    let completion = terminal.completion(SMALL_BALANCE, 4_600, &pa);
    assert_eq!(terminal.transact(&mut bank, &completion).0, "51");
    assert_eq!(bank.ledger().held(SMALL_BALANCE), 4_000, "hold kept after the decline");
    let completion = terminal.completion(SMALL_BALANCE, 4_000, &pa);
    assert_eq!(terminal.transact(&mut bank, &completion).0, "00");
    assert_eq!(bank.ledger().balance(SMALL_BALANCE), Some(0));
    assert_books_balance(&bank);
}

#[test]
fn another_terminal_may_complete_a_pre_auth() {
    let (mut bank, mut first) = signed_on();
    let pa = hold(&mut bank, &mut first, 50_000);
    let mut second = TestTerminal::new("10000002");
    second.sign_on(&mut bank);
    let completion = second.completion(CONTACTLESS, 50_000, &pa);
    assert_eq!(second.transact(&mut bank, &completion).0, "00");
    assert_eq!(bank.ledger().net_charged("10000002"), 50_000);
    assert_eq!(bank.ledger().net_charged(TID), 0);
}
