//! The ledger's reconciliation helpers and its printable form.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use pos_acquirer_sim::cards::{CHIP_DEBIT, CONTACTLESS, MAGSTRIPE_DEBIT, TEST_PIN};
use pos_acquirer_sim::Fault;

#[test]
fn reconciliation_after_a_mixed_day_with_faults() {
    let (mut bank, mut terminal) = signed_on();
    let mut approved_by_terminal = Vec::new();

    // 1. approved
    let sale = terminal.sale(MAGSTRIPE_DEBIT, 10_000, Some(TEST_PIN));
    let (_, a) = terminal.transact(&mut bank, &sale);
    approved_by_terminal.push((1, a.unwrap().stan, 10_000));
    // 2. reply dropped → the terminal reverses it
    let sale = terminal.sale(CHIP_DEBIT, 20_000, Some(TEST_PIN));
    bank.inject(Fault::DropReply);
    assert!(bank.handle_frame(NOW, &TestTerminal::frame(&sale)).is_empty());
    let reversal = terminal.reversal(&sale, "98");
    assert_eq!(code(&terminal.exchange(&mut bank, &reversal)), "00");
    // 3. wrong STAN in the reply → invalid answer → reversal
    let sale = terminal.sale(CHIP_DEBIT, 30_000, Some(TEST_PIN));
    bank.inject(Fault::WrongStan);
    let reply = terminal.exchange(&mut bank, &sale);
    assert_ne!(reply.message.get(11), sale.get(11));
    let reversal = terminal.reversal(&sale, "98");
    bank.inject(Fault::DelayReply); // the reversal's reply is late: resend it
    assert!(matches!(
        bank.handle_frame(NOW, &TestTerminal::frame(&reversal)).as_slice(),
        [pos_acquirer_sim::AcquirerOutput::LateReply(_)]
    ));
    assert_eq!(code(&terminal.exchange(&mut bank, &reversal)), "00");
    // 4. completion of a pre-auth
    let pre_auth = terminal.pre_auth(CONTACTLESS, 5_000, None);
    let (_, pa) = terminal.transact(&mut bank, &pre_auth);
    let completion = terminal.completion(CONTACTLESS, 5_750, &pa.unwrap());
    let (_, c) = terminal.transact(&mut bank, &completion);
    approved_by_terminal.push((1, c.unwrap().stan, 5_750));

    assert_eq!(bank.ledger().charged_stans(TID), approved_by_terminal);
    assert_eq!(bank.ledger().net_charged(TID), 15_750);
    assert_books_balance(&bank);
}

#[test]
fn display_masks_pans() {
    let (mut bank, mut terminal) = signed_on();
    let sale = terminal.sale(MAGSTRIPE_DEBIT, 12_345, Some(TEST_PIN));
    let (_, approval) = terminal.transact(&mut bank, &sale);
    let void = terminal.void(MAGSTRIPE_DEBIT, 12_345, &approval.unwrap());
    terminal.transact(&mut bank, &void);
    let text = bank.ledger().to_string();
    assert!(!text.contains(MAGSTRIPE_DEBIT), "{text}");
    assert!(!text.contains(CHIP_DEBIT), "{text}");
    assert!(text.contains("622202******0007"), "{text}");
    assert!(text.contains("621700*********0012"), "{text}");
    assert!(text.contains("123.45"), "{text}");
    assert!(text.contains("voided"), "{text}");
    assert!(text.contains("of #0"), "{text}");
    assert!(text.contains("1000000.00"), "{text}");
}

#[test]
fn unknown_card_has_no_balance() {
    let bank = bank();
    assert_eq!(bank.ledger().balance("6222999999999990"), None);
    assert_eq!(bank.ledger().balance(MAGSTRIPE_DEBIT), Some(100_000_000));
    assert_eq!(bank.ledger().net_charged("nobody"), 0);
}
