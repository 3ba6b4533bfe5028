//! Sales and balance inquiries are approved or declined by the documented rules.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use pos_acquirer_sim::cards::{
    CHIP_DEBIT, CONTACTLESS, EXPIRED, FOREIGN, MAGSTRIPE_DEBIT, SMALL_BALANCE, TEST_PIN, UNKNOWN,
};
use pos_acquirer_sim::{Fault, LedgerKind};
use pos_kernel::codec::{Header, Mti};

#[test]
fn approved_sale_debits_the_card_and_is_fully_formed() {
    let (mut bank, mut terminal) = signed_on();
    let sale = terminal.sale(MAGSTRIPE_DEBIT, 12_345, Some(TEST_PIN));
    let reply = terminal.exchange(&mut bank, &sale);
    check_reply(&sale, &reply);
    assert_eq!(
        reply.header,
        Header {
            status: 0,
            requirement: 0
        }
    );
    assert_eq!(code(&reply), "00");
    assert!(terminal.reply_mac_ok(&reply));
    let m = &reply.message;
    assert_eq!(m.mti, Mti(210));
    assert_eq!(m.get_str(2), Some(MAGSTRIPE_DEBIT));
    assert_eq!(m.get_str(12), Some("003005"));
    assert_eq!(m.get_str(13), Some(TODAY));
    assert_eq!(m.get_str(15), Some(TODAY));
    assert_eq!(m.get_str(32), Some("48020000"));
    assert_eq!(m.get_str(37), Some("000000000001"));
    let auth = m.get_str(38).unwrap();
    assert_eq!(auth.len(), 6);
    assert_eq!(m.get_str(49), Some("156"));
    assert_eq!(m.get(60), sale.get(60));

    assert_eq!(bank.ledger().balance(MAGSTRIPE_DEBIT), Some(100_000_000 - 12_345));
    let [entry] = bank.ledger().entries() else { panic!() };
    assert_eq!(entry.kind, LedgerKind::Sale);
    assert_eq!(
        (entry.terminal_id.as_str(), entry.batch, entry.stan, entry.amount),
        (TID, 1, 2, 12_345)
    );
    assert_eq!((entry.rrn.as_str(), entry.auth_code.as_str()), ("000000000001", auth));
    assert_eq!(bank.ledger().net_charged(TID), 12_345);
    assert_eq!(bank.ledger().charged_stans(TID), vec![(1, 2, 12_345)]);
}

#[test]
fn rrns_and_auth_codes_are_unique() {
    let (mut bank, mut terminal) = signed_on();
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..20 {
        let sale = terminal.sale(CHIP_DEBIT, 100, Some(TEST_PIN));
        let (code, approval) = terminal.transact(&mut bank, &sale);
        assert_eq!(code, "00");
        let approval = approval.unwrap();
        assert!(seen.insert(approval.rrn));
        assert!(seen.insert(approval.auth));
    }
}

#[test]
fn amount_suffixes_force_response_codes() {
    let (mut bank, mut terminal) = signed_on();
    for (amount, expected) in [
        (10_051, "51"),
        (10_005, "05"),
        (5, "05"),
        (10_061, "61"),
        (10_091, "91"),
        (10_096, "96"),
        (10_012, "12"),
        (112, "12"),
        (12, "00"), // suffix 12 only from 1.00 up
        (10_000, "00"),
        (10_099, "00"),
    ] {
        let sale = terminal.sale(MAGSTRIPE_DEBIT, amount, Some(TEST_PIN));
        let (code, approval) = terminal.transact(&mut bank, &sale);
        assert_eq!(code, expected, "amount {amount}");
        assert_eq!(approval.is_some(), expected == "00");
    }
    assert_eq!(bank.ledger().entries().len(), 3);
    assert_eq!(bank.ledger().net_charged(TID), 12 + 10_000 + 10_099);
}

#[test]
fn declines_carry_no_auth_code_and_change_nothing() {
    let (mut bank, mut terminal) = signed_on();
    let sale = terminal.sale(MAGSTRIPE_DEBIT, 10_051, Some(TEST_PIN));
    let reply = terminal.exchange(&mut bank, &sale);
    assert_eq!(code(&reply), "51");
    assert!(!reply.message.has(38));
    assert!(reply.message.has(37));
    assert!(terminal.reply_mac_ok(&reply));
    assert!(bank.ledger().entries().is_empty());
    assert_eq!(bank.ledger().balance(MAGSTRIPE_DEBIT), Some(100_000_000));
}

#[test]
fn card_rules() {
    let (mut bank, mut terminal) = signed_on();
    let cases = [
        (UNKNOWN, Some(TEST_PIN), 1000, "14"),
        ("6222020000000008", Some(TEST_PIN), 1000, "14"), // Luhn-invalid
        (EXPIRED, Some(TEST_PIN), 1000, "54"),
        (MAGSTRIPE_DEBIT, Some("654321"), 1000, "55"),
        (MAGSTRIPE_DEBIT, None, 1000, "55"),       // PIN required
        (CONTACTLESS, Some(TEST_PIN), 1000, "55"), // card has no PIN
        (CONTACTLESS, None, 1000, "00"),
        (FOREIGN, None, 1000, "00"),
        (CHIP_DEBIT, Some(TEST_PIN), 1000, "00"),
        (SMALL_BALANCE, Some(TEST_PIN), 5_001, "51"), // balance 50.00
        (SMALL_BALANCE, Some(TEST_PIN), 5_000, "00"),
        (SMALL_BALANCE, Some(TEST_PIN), 1, "51"), // now empty
    ];
    for (pan, pin, amount, expected) in cases {
        let sale = terminal.sale(pan, amount, pin);
        assert_eq!(
            terminal.transact(&mut bank, &sale).0,
            expected,
            "{pan} {pin:?} {amount}"
        );
    }
    assert_eq!(bank.ledger().balance(SMALL_BALANCE), Some(0));
}

#[test]
fn undecodable_pin_block_is_99() {
    let (mut bank, mut terminal) = signed_on();
    let mut sale = terminal.sale(MAGSTRIPE_DEBIT, 1000, Some(TEST_PIN));
    sale.set(52, vec![0u8; 8]); // decrypts to noise
    let sale = terminal.mac(sale);
    assert_eq!(terminal.transact(&mut bank, &sale).0, "99");
}

#[test]
fn bad_request_mac_is_a0_and_has_no_effect() {
    let (mut bank, mut terminal) = signed_on();
    let mut sale = terminal.sale(MAGSTRIPE_DEBIT, 1000, Some(TEST_PIN));
    sale.set(4, "000000002000"); // altered after MACing
    let reply = terminal.exchange(&mut bank, &sale);
    check_reply(&sale, &reply);
    assert_eq!(code(&reply), "A0");
    assert!(!reply.message.has(64));
    assert_eq!(reply.header.requirement, 0);

    let mut sale = terminal.sale(MAGSTRIPE_DEBIT, 1000, Some(TEST_PIN));
    sale.remove(64);
    assert_eq!(code(&terminal.exchange(&mut bank, &sale)), "A0");
    assert!(bank.ledger().entries().is_empty());
}

#[test]
fn a0_is_not_remembered_so_the_same_stan_can_succeed_afterwards() {
    let (mut bank, mut terminal) = signed_on();
    let good = terminal.sale(MAGSTRIPE_DEBIT, 1000, Some(TEST_PIN));
    let mut bad = good.clone();
    bad.set(64, b"00000000");
    assert_eq!(code(&terminal.exchange(&mut bank, &bad)), "A0");
    assert_eq!(terminal.transact(&mut bank, &good).0, "00");
}

#[test]
fn balance_inquiry_reports_f54_and_leaves_no_entry() {
    let (mut bank, mut terminal) = signed_on();
    let inquiry = terminal.balance(SMALL_BALANCE, Some(TEST_PIN));
    let reply = terminal.exchange(&mut bank, &inquiry);
    check_reply(&inquiry, &reply);
    assert_eq!(code(&reply), "00");
    assert!(terminal.reply_mac_ok(&reply));
    assert_eq!(reply.message.get_str(54), Some("1002156C000000005000"));
    assert!(!reply.message.has(4));
    assert!(bank.ledger().entries().is_empty());

    let inquiry = terminal.balance(SMALL_BALANCE, Some("000000"));
    assert_eq!(terminal.transact(&mut bank, &inquiry).0, "55");
}

#[test]
fn undefined_processing_code_or_mti_is_30() {
    let (mut bank, mut terminal) = signed_on();
    let mut sale = terminal.sale(MAGSTRIPE_DEBIT, 1000, Some(TEST_PIN));
    sale.set(3, "400000");
    let sale = terminal.mac(sale);
    let reply = terminal.exchange(&mut bank, &sale);
    check_reply(&sale, &reply);
    assert_eq!(code(&reply), "30");

    let mut odd = terminal.sale(MAGSTRIPE_DEBIT, 1000, Some(TEST_PIN));
    odd.mti = Mti(600);
    let reply = terminal.exchange(&mut bank, &odd);
    assert_eq!((reply.message.mti, code(&reply)), (Mti(610), "30"));

    let mut no_amount = terminal.sale(MAGSTRIPE_DEBIT, 1000, Some(TEST_PIN));
    no_amount.remove(4);
    let no_amount = terminal.mac(no_amount);
    assert_eq!(code(&terminal.exchange(&mut bank, &no_amount)), "30");
    assert!(bank.ledger().entries().is_empty());
}

#[test]
fn retransmitted_sale_gets_the_same_reply_and_no_second_debit() {
    let (mut bank, mut terminal) = signed_on();
    let sale = terminal.sale(MAGSTRIPE_DEBIT, 1000, Some(TEST_PIN));
    bank.inject(Fault::DropReply);
    assert!(bank.handle_frame(NOW, &TestTerminal::frame(&sale)).is_empty());
    let first = bank.handle_frame(NOW + 60_000, &TestTerminal::frame(&sale));
    let second = bank.handle_frame(NOW + 120_000, &TestTerminal::frame(&sale));
    assert_eq!(first, second, "same reply, same F12/F13");
    assert_eq!(bank.ledger().entries().len(), 1);
    assert_eq!(bank.ledger().balance(MAGSTRIPE_DEBIT), Some(100_000_000 - 1000));
}

#[test]
fn same_stan_with_different_content_is_94() {
    let (mut bank, mut terminal) = signed_on();
    let sale = terminal.sale(MAGSTRIPE_DEBIT, 1000, Some(TEST_PIN));
    assert_eq!(terminal.transact(&mut bank, &sale).0, "00");
    terminal.stan -= 1;
    let other = terminal.sale(MAGSTRIPE_DEBIT, 2000, Some(TEST_PIN));
    assert_eq!(terminal.transact(&mut bank, &other).0, "94");
    assert_eq!(bank.ledger().entries().len(), 1);
}

#[test]
fn terminals_are_independent() {
    let mut bank = bank();
    let mut a = TestTerminal::new("10000001");
    let mut b = TestTerminal::new("10000002");
    a.sign_on(&mut bank);
    b.sign_on(&mut bank);
    // Same batch and STAN on both terminals: not a duplicate.
    a.stan = 10;
    b.stan = 10;
    let sale_a = a.sale(MAGSTRIPE_DEBIT, 1000, Some(TEST_PIN));
    let sale_b = b.sale(MAGSTRIPE_DEBIT, 2000, Some(TEST_PIN));
    assert_eq!(a.transact(&mut bank, &sale_a).0, "00");
    assert_eq!(b.transact(&mut bank, &sale_b).0, "00");
    assert_eq!(bank.ledger().net_charged("10000001"), 1000);
    assert_eq!(bank.ledger().net_charged("10000002"), 2000);
    // A's MAK does not authenticate B's requests.
    let mut forged = a.sale(MAGSTRIPE_DEBIT, 1000, Some(TEST_PIN));
    forged.set(41, "10000002");
    let forged = a.mac(forged);
    assert_eq!(code(&a.exchange(&mut bank, &forged)), "A0");
}
