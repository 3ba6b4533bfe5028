//! Sale voids and refunds: found by their references, applied once, de-duplicated.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use pos_acquirer_sim::cards::{CHIP_DEBIT, MAGSTRIPE_DEBIT, TEST_PIN};
use pos_acquirer_sim::{Fault, LedgerKind};
use pos_kernel::codec::Mti;

const OPENING: u64 = 100_000_000;

fn approved_sale(bank: &mut pos_acquirer_sim::Acquirer, terminal: &mut TestTerminal, amount: u64) -> Approval {
    let sale = terminal.sale(MAGSTRIPE_DEBIT, amount, Some(TEST_PIN));
    let (code, approval) = terminal.transact(bank, &sale);
    assert_eq!(code, "00");
    approval.unwrap()
}

#[test]
fn void_credits_the_sale_back_once() {
    let (mut bank, mut terminal) = signed_on();
    let original = approved_sale(&mut bank, &mut terminal, 20_000);
    let void = terminal.void(MAGSTRIPE_DEBIT, 20_000, &original);
    let (code, approval) = terminal.transact(&mut bank, &void);
    assert_eq!(code, "00");
    assert_ne!(approval.unwrap().rrn, original.rrn, "a void gets its own RRN");
    assert_eq!(bank.ledger().balance(MAGSTRIPE_DEBIT), Some(OPENING));
    let entries = bank.ledger().entries();
    assert!(entries[0].voided);
    assert_eq!((entries[1].kind, entries[1].original), (LedgerKind::Void, Some(0)));
    assert_eq!(bank.ledger().net_charged(TID), 0);
    assert!(bank.ledger().charged_stans(TID).is_empty());

    // A second void (new STAN) of the same sale.
    let again = terminal.void(MAGSTRIPE_DEBIT, 20_000, &original);
    assert_eq!(terminal.transact(&mut bank, &again).0, "12");
    assert_eq!(bank.ledger().balance(MAGSTRIPE_DEBIT), Some(OPENING));
    assert_books_balance(&bank);
}

#[test]
fn void_rules() {
    let (mut bank, mut terminal) = signed_on();
    let original = approved_sale(&mut bank, &mut terminal, 20_000);
    let unknown = Approval {
        stan: 999,
        ..original.clone()
    };
    let void = terminal.void(MAGSTRIPE_DEBIT, 20_000, &unknown);
    assert_eq!(terminal.transact(&mut bank, &void).0, "25");
    let wrong_rrn = Approval {
        rrn: "999999999999".into(),
        ..original.clone()
    };
    let void = terminal.void(MAGSTRIPE_DEBIT, 20_000, &wrong_rrn);
    assert_eq!(terminal.transact(&mut bank, &void).0, "25");
    let void = terminal.void(CHIP_DEBIT, 20_000, &original);
    assert_eq!(terminal.transact(&mut bank, &void).0, "25", "other card");
    let void = terminal.void(MAGSTRIPE_DEBIT, 10_000, &original);
    assert_eq!(terminal.transact(&mut bank, &void).0, "64", "partial void");
    // After the batch moved on, a void is refused (a refund is the way).
    terminal.batch = 2;
    let void = terminal.void(MAGSTRIPE_DEBIT, 20_000, &original);
    assert_eq!(terminal.transact(&mut bank, &void).0, "12");
    assert_eq!(bank.ledger().balance(MAGSTRIPE_DEBIT), Some(OPENING - 20_000));
}

#[test]
fn refund_credits_up_to_what_is_left() {
    let (mut bank, mut terminal) = signed_on();
    let original = approved_sale(&mut bank, &mut terminal, 20_000);
    terminal.batch = 2; // refunds work across batches
    let refund = terminal.refund(MAGSTRIPE_DEBIT, 15_000, &original.rrn, &original.date);
    let reply = terminal.exchange(&mut bank, &refund);
    assert_eq!(reply.message.mti, Mti(230));
    assert_eq!(code(&reply), "00");
    assert!(terminal.reply_mac_ok(&reply));
    let refund = terminal.refund(MAGSTRIPE_DEBIT, 5_001, &original.rrn, &original.date);
    assert_eq!(terminal.transact(&mut bank, &refund).0, "13");
    let refund = terminal.refund(MAGSTRIPE_DEBIT, 5_000, &original.rrn, &original.date);
    assert_eq!(terminal.transact(&mut bank, &refund).0, "00");
    assert_eq!(bank.ledger().balance(MAGSTRIPE_DEBIT), Some(OPENING));
    assert_eq!(bank.ledger().entries()[0].refunded, 20_000);
    assert_eq!(bank.ledger().net_charged(TID), 0);
    // A refunded sale stays charged (it was not voided or reversed).
    assert_eq!(bank.ledger().charged_stans(TID), vec![(1, 2, 20_000)]);
    // Now it cannot be voided either.
    terminal.batch = 1;
    let void = terminal.void(MAGSTRIPE_DEBIT, 20_000, &original);
    assert_eq!(terminal.transact(&mut bank, &void).0, "12");
    assert_books_balance(&bank);
}

#[test]
fn refund_rules() {
    let (mut bank, mut terminal) = signed_on();
    let original = approved_sale(&mut bank, &mut terminal, 20_000);
    let cases = [
        (MAGSTRIPE_DEBIT, "999999999999", original.date.as_str(), "25"),
        (MAGSTRIPE_DEBIT, original.rrn.as_str(), "0101", "25"),
        (CHIP_DEBIT, original.rrn.as_str(), original.date.as_str(), "25"),
        (MAGSTRIPE_DEBIT, original.rrn.as_str(), "0000", "00"),
    ];
    for (pan, rrn, date, expected) in cases {
        let refund = terminal.refund(pan, 1_000, rrn, date);
        assert_eq!(terminal.transact(&mut bank, &refund).0, expected, "{pan} {rrn} {date}");
    }
    // Amount suffix rules apply to refunds too.
    let refund = terminal.refund(MAGSTRIPE_DEBIT, 1_096, &original.rrn, &original.date);
    assert_eq!(terminal.transact(&mut bank, &refund).0, "96");
    // A voided sale cannot be refunded.
    let second = approved_sale(&mut bank, &mut terminal, 30_000);
    let void = terminal.void(MAGSTRIPE_DEBIT, 30_000, &second);
    assert_eq!(terminal.transact(&mut bank, &void).0, "00");
    let refund = terminal.refund(MAGSTRIPE_DEBIT, 1_000, &second.rrn, &second.date);
    assert_eq!(terminal.transact(&mut bank, &refund).0, "12");
}

#[test]
fn refund_retransmission_is_answered_again_without_a_second_credit() {
    let (mut bank, mut terminal) = signed_on();
    let original = approved_sale(&mut bank, &mut terminal, 20_000);
    let refund = terminal.refund(MAGSTRIPE_DEBIT, 8_000, &original.rrn, &original.date);
    // The first two attempts are lost on the way back; the terminal resends the same STAN.
    bank.inject(Fault::DropReply);
    bank.inject(Fault::Close);
    assert!(bank.handle_frame(NOW, &TestTerminal::frame(&refund)).is_empty());
    assert_eq!(
        bank.handle_frame(NOW + 30_000, &TestTerminal::frame(&refund)),
        vec![pos_acquirer_sim::AcquirerOutput::Close]
    );
    let (code, approval) = terminal.transact(&mut bank, &refund);
    assert_eq!(code, "00");
    let (code_again, approval_again) = terminal.transact(&mut bank, &refund);
    assert_eq!((code_again, approval_again), ("00".to_owned(), approval));
    assert_eq!(bank.ledger().balance(MAGSTRIPE_DEBIT), Some(OPENING - 12_000));
    assert_eq!(bank.ledger().entries().len(), 2);
    assert_eq!(bank.ledger().entries()[0].refunded, 8_000);
    // After signing on again, the retransmission still gets the same answer, MACed with the new key.
    terminal.sign_on(&mut bank);
    let (code, _) = terminal.transact(&mut bank, &terminal.mac(refund.clone()));
    assert_eq!(code, "00");
    assert_eq!(bank.ledger().entries().len(), 2);
}
