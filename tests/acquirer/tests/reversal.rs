//! Reversals undo approved originals exactly once, answer unknown originals `25`, and are
//! idempotent.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use pos_acquirer_sim::cards::{CHIP_DEBIT, CONTACTLESS, MAGSTRIPE_DEBIT, TEST_PIN};
use pos_acquirer_sim::Fault;
use pos_kernel::codec::Mti;

const OPENING: u64 = 100_000_000;

#[test]
fn reversal_of_an_approved_sale_restores_the_balance_and_is_idempotent() {
    let (mut bank, mut terminal) = signed_on();
    let sale = terminal.sale(MAGSTRIPE_DEBIT, 50_000, Some(TEST_PIN));
    bank.inject(Fault::DropReply); // the terminal never hears the approval
    assert!(bank.handle_frame(NOW, &TestTerminal::frame(&sale)).is_empty());
    assert_eq!(bank.ledger().balance(MAGSTRIPE_DEBIT), Some(OPENING - 50_000));

    let reversal = terminal.reversal(&sale, "98");
    let reply = terminal.exchange(&mut bank, &reversal);
    check_reply(&reversal, &reply);
    assert_eq!(reply.message.mti, Mti(410));
    assert_eq!(code(&reply), "00");
    assert!(terminal.reply_mac_ok(&reply));
    assert_eq!(bank.ledger().balance(MAGSTRIPE_DEBIT), Some(OPENING));
    assert!(bank.ledger().entries()[0].reversed);
    assert_eq!(bank.ledger().net_charged(TID), 0);
    assert!(bank.ledger().charged_stans(TID).is_empty());

    // Retransmitted (e.g. its reply was lost): same answer, no second credit.
    let again = terminal.exchange(&mut bank, &reversal);
    assert_eq!(again, reply);
    assert_eq!(bank.ledger().balance(MAGSTRIPE_DEBIT), Some(OPENING));
    assert_books_balance(&bank);
}

#[test]
fn reversal_of_an_unknown_stan_is_25() {
    let (mut bank, mut terminal) = signed_on();
    // Built but never sent.
    let sale = terminal.sale(MAGSTRIPE_DEBIT, 50_000, Some(TEST_PIN));
    let reversal = terminal.reversal(&sale, "98");
    let reply = terminal.exchange(&mut bank, &reversal);
    assert_eq!(code(&reply), "25");
    assert!(terminal.reply_mac_ok(&reply));
    assert_eq!(bank.ledger().balance(MAGSTRIPE_DEBIT), Some(OPENING));
}

#[test]
fn reversal_must_match_batch_and_processing_code() {
    let (mut bank, mut terminal) = signed_on();
    let sale = terminal.sale(MAGSTRIPE_DEBIT, 50_000, Some(TEST_PIN));
    assert_eq!(terminal.transact(&mut bank, &sale).0, "00");
    // Same STAN in another batch: not the original.
    let mut other_batch = sale.clone();
    other_batch.set(60, "2200000200050");
    let reversal = terminal.reversal(&other_batch, "98");
    assert_eq!(code(&terminal.exchange(&mut bank, &reversal)), "25");
    // Same STAN, pre-auth instead of sale: not the original.
    let mut other_kind = sale.clone();
    other_kind.mti = Mti(100);
    other_kind.set(3, "030000").set(60, "1000000100050");
    let reversal = terminal.reversal(&other_kind, "98");
    assert_eq!(code(&terminal.exchange(&mut bank, &reversal)), "25");
    assert_eq!(bank.ledger().balance(MAGSTRIPE_DEBIT), Some(OPENING - 50_000));
}

#[test]
fn reversal_of_a_declined_sale_is_00_with_nothing_to_undo() {
    let (mut bank, mut terminal) = signed_on();
    let sale = terminal.sale(MAGSTRIPE_DEBIT, 10_051, Some(TEST_PIN));
    assert_eq!(terminal.transact(&mut bank, &sale).0, "51");
    let reversal = terminal.reversal(&sale, "98");
    assert_eq!(code(&terminal.exchange(&mut bank, &reversal)), "00");
    assert_eq!(bank.ledger().balance(MAGSTRIPE_DEBIT), Some(OPENING));
    assert!(bank.ledger().entries().is_empty());
}

#[test]
fn reversal_with_reason_a0_after_a_bad_mac_reply() {
    let (mut bank, mut terminal) = signed_on();
    let sale = terminal.sale(CHIP_DEBIT, 7_000, Some(TEST_PIN));
    bank.inject(Fault::BadMac);
    let reply = terminal.exchange(&mut bank, &sale);
    assert_eq!(code(&reply), "00");
    assert!(!terminal.reply_mac_ok(&reply));
    let reversal = terminal.reversal(&sale, "A0");
    assert_eq!(code(&terminal.exchange(&mut bank, &reversal)), "00");
    assert_eq!(bank.ledger().balance(CHIP_DEBIT), Some(5_000_000));
    assert_eq!(bank.ledger().net_charged(TID), 0);
}

#[test]
fn an_already_reversed_original_is_00_again_without_a_second_credit() {
    let (mut bank, mut terminal) = signed_on();
    let sale = terminal.sale(MAGSTRIPE_DEBIT, 50_000, Some(TEST_PIN));
    assert_eq!(terminal.transact(&mut bank, &sale).0, "00");
    // Without F60 the original is found by STAN alone.
    let mut no_f60 = sale.clone();
    no_f60.remove(60);
    let first = terminal.reversal(&no_f60, "98");
    assert_eq!(code(&terminal.exchange(&mut bank, &first)), "00");
    assert_eq!(bank.ledger().balance(MAGSTRIPE_DEBIT), Some(OPENING));
    // A different reversal message (with F60, so not a retransmission) for the same original.
    let second = terminal.reversal(&sale, "06");
    assert_eq!(code(&terminal.exchange(&mut bank, &second)), "00");
    assert_eq!(bank.ledger().balance(MAGSTRIPE_DEBIT), Some(OPENING));
    assert_books_balance(&bank);
}

#[test]
fn reversal_of_a_void_re_debits_the_sale() {
    let (mut bank, mut terminal) = signed_on();
    let sale = terminal.sale(MAGSTRIPE_DEBIT, 30_000, Some(TEST_PIN));
    let (_, approval) = terminal.transact(&mut bank, &sale);
    let void = terminal.void(MAGSTRIPE_DEBIT, 30_000, &approval.unwrap());
    assert_eq!(terminal.transact(&mut bank, &void).0, "00");
    assert_eq!(bank.ledger().balance(MAGSTRIPE_DEBIT), Some(OPENING));
    assert_eq!(bank.ledger().net_charged(TID), 0);

    let reversal = terminal.reversal(&void, "98");
    assert_eq!(code(&terminal.exchange(&mut bank, &reversal)), "00");
    assert_eq!(bank.ledger().balance(MAGSTRIPE_DEBIT), Some(OPENING - 30_000));
    assert!(!bank.ledger().entries()[0].voided);
    assert_eq!(bank.ledger().net_charged(TID), 30_000);
    assert_eq!(bank.ledger().charged_stans(TID), vec![(1, 2, 30_000)]);
    assert_books_balance(&bank);
}

#[test]
fn reversal_of_a_sale_after_its_void_gives_nothing_twice() {
    let (mut bank, mut terminal) = signed_on();
    let sale = terminal.sale(MAGSTRIPE_DEBIT, 30_000, Some(TEST_PIN));
    let (_, approval) = terminal.transact(&mut bank, &sale);
    let void = terminal.void(MAGSTRIPE_DEBIT, 30_000, &approval.unwrap());
    assert_eq!(terminal.transact(&mut bank, &void).0, "00");
    let reversal = terminal.reversal(&sale, "98");
    assert_eq!(code(&terminal.exchange(&mut bank, &reversal)), "00");
    assert_eq!(bank.ledger().balance(MAGSTRIPE_DEBIT), Some(OPENING));
    assert_eq!(bank.ledger().net_charged(TID), 0);
    // And reversing the void afterwards does not charge the reversed sale again.
    let reversal = terminal.reversal(&void, "98");
    assert_eq!(code(&terminal.exchange(&mut bank, &reversal)), "00");
    assert_eq!(bank.ledger().balance(MAGSTRIPE_DEBIT), Some(OPENING));
    assert_eq!(bank.ledger().net_charged(TID), 0);
    assert_books_balance(&bank);
}

#[test]
fn reversal_of_a_pre_auth_releases_the_hold() {
    let (mut bank, mut terminal) = signed_on();
    let pre_auth = terminal.pre_auth(CONTACTLESS, 100_000, None);
    assert_eq!(terminal.transact(&mut bank, &pre_auth).0, "00");
    assert_eq!(bank.ledger().held(CONTACTLESS), 100_000);
    let reversal = terminal.reversal(&pre_auth, "98");
    assert_eq!(code(&terminal.exchange(&mut bank, &reversal)), "00");
    assert_eq!(bank.ledger().held(CONTACTLESS), 0);
    assert_eq!(bank.ledger().balance(CONTACTLESS), Some(2_000_000));
    assert_books_balance(&bank);
}

#[test]
fn reversal_of_a_completion_restores_the_hold() {
    let (mut bank, mut terminal) = signed_on();
    let pre_auth = terminal.pre_auth(CONTACTLESS, 100_000, None);
    let (_, pa) = terminal.transact(&mut bank, &pre_auth);
    let completion = terminal.completion(CONTACTLESS, 110_000, &pa.unwrap());
    assert_eq!(terminal.transact(&mut bank, &completion).0, "00");
    assert_eq!(bank.ledger().balance(CONTACTLESS), Some(2_000_000 - 110_000));
    let reversal = terminal.reversal(&completion, "98");
    assert_eq!(code(&terminal.exchange(&mut bank, &reversal)), "00");
    assert_eq!(bank.ledger().held(CONTACTLESS), 100_000);
    assert_eq!(bank.ledger().balance(CONTACTLESS), Some(2_000_000 - 100_000));
    assert_eq!(bank.ledger().net_charged(TID), 0);
    assert_books_balance(&bank);
}

#[test]
fn reversal_of_a_pre_auth_cancel_holds_again() {
    let (mut bank, mut terminal) = signed_on();
    let pre_auth = terminal.pre_auth(CONTACTLESS, 100_000, None);
    let (_, pa) = terminal.transact(&mut bank, &pre_auth);
    let cancel = terminal.pre_auth_cancel(CONTACTLESS, 100_000, &pa.unwrap());
    assert_eq!(terminal.transact(&mut bank, &cancel).0, "00");
    assert_eq!(bank.ledger().held(CONTACTLESS), 0);
    let reversal = terminal.reversal(&cancel, "98");
    assert_eq!(code(&terminal.exchange(&mut bank, &reversal)), "00");
    assert_eq!(bank.ledger().held(CONTACTLESS), 100_000);
    assert_books_balance(&bank);
}

#[test]
fn reversal_of_a_refund_is_12() {
    let (mut bank, mut terminal) = signed_on();
    let sale = terminal.sale(MAGSTRIPE_DEBIT, 30_000, Some(TEST_PIN));
    let (_, approval) = terminal.transact(&mut bank, &sale);
    let approval = approval.unwrap();
    let refund = terminal.refund(MAGSTRIPE_DEBIT, 10_000, &approval.rrn, &approval.date);
    assert_eq!(terminal.transact(&mut bank, &refund).0, "00");
    let reversal = terminal.reversal(&refund, "98");
    assert_eq!(code(&terminal.exchange(&mut bank, &reversal)), "12");
    assert_eq!(bank.ledger().balance(MAGSTRIPE_DEBIT), Some(OPENING - 20_000));
}

#[test]
fn reversal_needs_a_valid_mac() {
    let (mut bank, mut terminal) = signed_on();
    let sale = terminal.sale(MAGSTRIPE_DEBIT, 30_000, Some(TEST_PIN));
    assert_eq!(terminal.transact(&mut bank, &sale).0, "00");
    let mut reversal = terminal.reversal(&sale, "98");
    reversal.set(64, b"FFFFFFFF");
    assert_eq!(code(&terminal.exchange(&mut bank, &reversal)), "A0");
    assert_eq!(bank.ledger().balance(MAGSTRIPE_DEBIT), Some(OPENING - 30_000));
}
