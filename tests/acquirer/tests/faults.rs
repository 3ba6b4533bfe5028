//! Each fault changes only what comes back: the request is always processed first.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use pos_acquirer_sim::cards::{MAGSTRIPE_DEBIT, TEST_PIN};
use pos_acquirer_sim::faults::GARBAGE;
use pos_acquirer_sim::{Acquirer, AcquirerOutput, Fault};
use pos_kernel::codec::{Frame, Header, Message, Mti};

const OPENING: u64 = 100_000_000;

/// A signed-on terminal sends a sale under `fault`; returns the outputs, the request and the
/// reply the same sale gets from a fault-free bank.
fn sale_under(fault: Fault) -> (Acquirer, TestTerminal, Message, Vec<AcquirerOutput>, Frame) {
    let (mut clean_bank, mut clean_terminal) = signed_on();
    let sale = clean_terminal.sale(MAGSTRIPE_DEBIT, 10_000, Some(TEST_PIN));
    let clean = clean_terminal.exchange(&mut clean_bank, &sale);

    let (mut bank, terminal) = signed_on();
    bank.inject(fault);
    let outputs = bank.handle_frame(NOW, &TestTerminal::frame(&sale));
    // Processed regardless of the fault.
    assert_eq!(
        bank.ledger().balance(MAGSTRIPE_DEBIT),
        Some(OPENING - 10_000),
        "{fault}"
    );
    assert_eq!(bank.ledger().entries().len(), 1);
    // One fault per reply: the next reply is clean.
    assert_eq!(bank.pending_faults().count(), 0);
    (bank, terminal, sale, outputs, clean)
}

fn one_reply(outputs: &[AcquirerOutput]) -> Frame {
    match outputs {
        [AcquirerOutput::Reply(bytes)] => Frame::decode(bytes).unwrap(),
        other => panic!("expected one reply, got {other:?}"),
    }
}

#[test]
fn no_fault_reply_is_clean() {
    let (_, terminal, sale, outputs, clean) = {
        let (mut bank, mut terminal) = signed_on();
        let sale = terminal.sale(MAGSTRIPE_DEBIT, 10_000, Some(TEST_PIN));
        let outputs = bank.handle_frame(NOW, &TestTerminal::frame(&sale));
        let clean = one_reply(&outputs);
        (bank, terminal, sale, outputs, clean)
    };
    assert_eq!(one_reply(&outputs), clean);
    check_reply(&sale, &clean);
    assert!(terminal.reply_mac_ok(&clean));
}

#[test]
fn drop_reply_charges_but_answers_nothing() {
    let (_, _, _, outputs, _) = sale_under(Fault::DropReply);
    assert!(outputs.is_empty());
}

#[test]
fn delay_reply_is_a_late_reply() {
    let (_, _, _, outputs, clean) = sale_under(Fault::DelayReply);
    let [AcquirerOutput::LateReply(bytes)] = outputs.as_slice() else {
        panic!("{outputs:?}")
    };
    assert_eq!(Frame::decode(bytes).unwrap(), clean);
}

#[test]
fn bad_mac_corrupts_only_f64() {
    let (_, terminal, sale, outputs, clean) = sale_under(Fault::BadMac);
    let reply = one_reply(&outputs);
    check_reply(&sale, &reply);
    assert_eq!(code(&reply), "00");
    assert!(!terminal.reply_mac_ok(&reply));
    let mut fixed = reply.message.clone();
    fixed.set(64, clean.message.get(64).unwrap());
    assert_eq!(fixed, clean.message);
}

fn only_field_differs(reply: &Frame, clean: &Frame, field: u8, terminal: &TestTerminal) {
    assert!(terminal.reply_mac_ok(reply), "MAC recomputed");
    assert_ne!(reply.message.get(field), clean.message.get(field));
    let mut fixed = reply.message.clone();
    fixed.set(field, clean.message.get(field).unwrap());
    fixed.set(64, clean.message.get(64).unwrap());
    assert_eq!(fixed, clean.message);
}

#[test]
fn wrong_stan() {
    let (_, terminal, _, outputs, clean) = sale_under(Fault::WrongStan);
    let reply = one_reply(&outputs);
    only_field_differs(&reply, &clean, 11, &terminal);
}

#[test]
fn wrong_terminal_id() {
    let (_, terminal, _, outputs, clean) = sale_under(Fault::WrongTerminalId);
    let reply = one_reply(&outputs);
    only_field_differs(&reply, &clean, 41, &terminal);
}

#[test]
fn wrong_amount() {
    let (_, terminal, _, outputs, clean) = sale_under(Fault::WrongAmount);
    let reply = one_reply(&outputs);
    only_field_differs(&reply, &clean, 4, &terminal);
}

#[test]
fn wrong_mti() {
    let (_, terminal, _, outputs, clean) = sale_under(Fault::WrongMti);
    let reply = one_reply(&outputs);
    assert_eq!(reply.message.mti, Mti(200));
    assert!(terminal.reply_mac_ok(&reply));
    let mut fixed = reply.message.clone();
    fixed.mti = Mti(210);
    fixed.set(64, clean.message.get(64).unwrap());
    assert_eq!(fixed, clean.message);
}

#[test]
fn answer_twice() {
    let (_, _, _, outputs, clean) = sale_under(Fault::AnswerTwice);
    let [AcquirerOutput::Reply(a), AcquirerOutput::Reply(b)] = outputs.as_slice() else {
        panic!("{outputs:?}")
    };
    assert_eq!(a, b);
    assert_eq!(Frame::decode(a).unwrap(), clean);
}

#[test]
fn garbage_is_framed_but_undecodable() {
    let (_, _, _, outputs, _) = sale_under(Fault::Garbage);
    assert_eq!(outputs, vec![AcquirerOutput::Reply(GARBAGE.to_vec())]);
    assert!(Frame::decode(&GARBAGE).is_err());
    let length = usize::from(u16::from_be_bytes([GARBAGE[0], GARBAGE[1]]));
    assert_eq!(length + 2, GARBAGE.len());
}

#[test]
fn close() {
    let (_, _, _, outputs, _) = sale_under(Fault::Close);
    assert_eq!(outputs, vec![AcquirerOutput::Close]);
}

#[test]
fn sign_on_again_header() {
    let (_, terminal, _, outputs, clean) = sale_under(Fault::SignOnAgainHeader);
    let reply = one_reply(&outputs);
    assert_eq!(reply.header.requirement, Header::SIGN_ON_AGAIN);
    assert_eq!(reply.message, clean.message);
    assert!(terminal.reply_mac_ok(&reply));
}

#[test]
fn faults_apply_in_order_one_per_reply_and_can_be_cleared() {
    let (mut bank, mut terminal) = signed_on();
    bank.inject(Fault::DropReply);
    bank.inject(Fault::AnswerTwice);
    bank.inject(Fault::Close);
    // Undecodable input produces no reply and consumes no fault.
    assert!(bank.handle_frame(NOW, &[0x00, 0x01, 0x02]).is_empty());
    assert_eq!(
        bank.pending_faults().collect::<Vec<_>>(),
        [Fault::DropReply, Fault::AnswerTwice, Fault::Close]
    );
    let echo = terminal.echo();
    assert!(bank.handle_frame(NOW, &TestTerminal::frame(&echo)).is_empty());
    let echo = terminal.echo();
    assert_eq!(bank.handle_frame(NOW, &TestTerminal::frame(&echo)).len(), 2);
    bank.clear_faults();
    let echo = terminal.echo();
    assert_eq!(code(&terminal.exchange(&mut bank, &echo)), "00");
}

#[test]
fn faults_apply_to_non_financial_replies_too() {
    let mut bank = bank();
    let mut terminal = TestTerminal::new(TID);
    bank.inject(Fault::WrongStan);
    let request = terminal.sign_on_request();
    let reply = one_reply(&bank.handle_frame(NOW, &TestTerminal::frame(&request)));
    assert_ne!(reply.message.get(11), request.get(11));
    assert!(!reply.message.has(64));
    // BadMac on a reply without F64 adds a wrong one.
    bank.inject(Fault::BadMac);
    let echo = terminal.echo();
    let reply = one_reply(&bank.handle_frame(NOW, &TestTerminal::frame(&echo)));
    assert!(reply.message.has(64));
    assert!(bank.is_signed_on(TID));
}

#[test]
fn fault_names_parse() {
    let names = [
        ("drop-reply", Fault::DropReply),
        ("delay-reply", Fault::DelayReply),
        ("bad-mac", Fault::BadMac),
        ("wrong-stan", Fault::WrongStan),
        ("wrong-tid", Fault::WrongTerminalId),
        ("wrong-amount", Fault::WrongAmount),
        ("wrong-mti", Fault::WrongMti),
        ("answer-twice", Fault::AnswerTwice),
        ("garbage", Fault::Garbage),
        ("close", Fault::Close),
        ("sign-on-again", Fault::SignOnAgainHeader),
    ];
    for (name, fault) in names {
        assert_eq!(name.parse::<Fault>().unwrap(), fault);
        assert_eq!(fault.to_string(), name);
    }
    let error = "explode".parse::<Fault>().unwrap_err();
    assert!(error.to_string().contains("drop-reply"));
}
