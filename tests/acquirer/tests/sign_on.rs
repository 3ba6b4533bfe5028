//! Sign-on issues working keys that decrypt under the TMK with matching check values; echo and
//! sign-off; financial requests need a signed-on terminal.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use pos_acquirer_sim::cards::{MAGSTRIPE_DEBIT, TEST_PIN};
use pos_acquirer_sim::{Acquirer, AcquirerConfig, AcquirerOutput};
use pos_kernel::codec::{Frame, Header, Mti, Tpdu};
use pos_kernel::security::crypto::{check_value, decrypt_key, TEST_TMK};
use pos_kernel::security::{KeyKind, SecurityError, WorkingKeys};

#[test]
fn sign_on_keys_decrypt_and_check_values_match() {
    let mut bank = bank();
    let mut terminal = TestTerminal::new(TID);
    terminal.batch = 42;
    let request = terminal.sign_on_request();
    let reply = terminal.exchange(&mut bank, &request);
    assert_eq!(reply.message.mti, Mti(810));
    assert_eq!(code(&reply), "00");
    assert_eq!(reply.tpdu, Tpdu::TERMINAL_DEFAULT.swapped());
    assert_eq!(
        reply.header,
        Header {
            status: 0,
            requirement: 0
        }
    );
    assert_eq!(reply.message.get_str(11), request.get_str(11));
    assert_eq!(reply.message.get_str(41), Some(TID));
    assert_eq!(reply.message.get_str(42), Some(MID));
    assert_eq!(reply.message.get_str(60), Some("00000042004"), "batch kept");
    assert_eq!(reply.message.get_str(32), Some("48020000"));
    assert_eq!(reply.message.get_str(12), Some("003005"));
    assert_eq!(reply.message.get_str(13), Some(TODAY));
    assert!(!reply.message.has(64));

    let f62 = reply.message.get(62).unwrap();
    assert_eq!(f62.len(), WorkingKeys::F62_LENGTH);
    let keys = WorkingKeys::from_f62(f62).unwrap();
    let pik = decrypt_key(&TEST_TMK, &keys.pik, KeyKind::Pin).unwrap();
    let mak = decrypt_key(&TEST_TMK, &keys.mak, KeyKind::Mac).unwrap();
    let tdk = decrypt_key(&TEST_TMK, &keys.tdk, KeyKind::TrackData).unwrap();
    assert_eq!(check_value(&mak), keys.mak.check_value);
    assert!(pik != mak && mak != tdk && pik != tdk);
    assert!(bank.is_signed_on(TID));
    assert_eq!(bank.terminal_batch(TID), Some(42));
}

#[test]
fn every_sign_on_issues_new_keys_and_the_old_mak_stops_working() {
    let (mut bank, mut terminal) = signed_on();
    let old = terminal.clone();
    terminal.sign_on(&mut bank);
    assert_ne!(old.mak, terminal.mak);
    // A request MACed with the old MAK is refused.
    let mut stale = old;
    stale.stan = terminal.stan;
    let request = stale.sale(MAGSTRIPE_DEBIT, 1000, Some(TEST_PIN));
    let reply = terminal.exchange(&mut bank, &request);
    assert_eq!(code(&reply), "A0");
    // With the new keys it works.
    let request = terminal.sale(MAGSTRIPE_DEBIT, 1000, Some(TEST_PIN));
    assert_eq!(terminal.transact(&mut bank, &request).0, "00");
}

#[test]
fn keys_are_deterministic() {
    let run = || {
        let mut bank = bank();
        let mut terminal = TestTerminal::new(TID);
        let request = terminal.sign_on_request();
        bank.handle_frame(NOW, &TestTerminal::frame(&request))
    };
    assert_eq!(run(), run());
}

#[test]
fn corrupted_check_value_is_rejected_by_the_terminal() {
    let mut bank = bank();
    let mut terminal = TestTerminal::new(TID);
    bank.corrupt_next_sign_on_check_value();
    let request = terminal.sign_on_request();
    let reply = terminal.exchange(&mut bank, &request);
    assert_eq!(code(&reply), "00");
    assert_eq!(
        terminal.install_keys(&reply),
        Err(SecurityError::CheckValueMismatch(KeyKind::Mac))
    );
    // One-shot: the next sign-on is good again.
    terminal.sign_on(&mut bank);
}

#[test]
fn echo_and_sign_off() {
    let (mut bank, mut terminal) = signed_on();
    let echo = terminal.echo();
    let reply = terminal.exchange(&mut bank, &echo);
    assert_eq!((reply.message.mti, code(&reply)), (Mti(830), "00"));
    assert!(bank.is_signed_on(TID));

    let off = terminal.sign_off();
    let reply = terminal.exchange(&mut bank, &off);
    assert_eq!((reply.message.mti, code(&reply)), (Mti(830), "00"));
    assert!(!bank.is_signed_on(TID));

    let sale = terminal.sale(MAGSTRIPE_DEBIT, 1000, Some(TEST_PIN));
    let reply = terminal.exchange(&mut bank, &sale);
    assert_eq!(code(&reply), "A0");
    assert_eq!(reply.header.requirement, Header::SIGN_ON_AGAIN);
}

#[test]
fn financial_request_before_sign_on_is_a0_with_sign_on_again_header() {
    let mut bank = bank();
    let mut terminal = TestTerminal::new(TID);
    // Keys the bank never issued.
    terminal.mak = Some([0x11; 16]);
    terminal.pik = Some([0x22; 16]);
    let sale = terminal.sale(MAGSTRIPE_DEBIT, 1000, Some(TEST_PIN));
    let reply = terminal.exchange(&mut bank, &sale);
    check_reply(&sale, &reply);
    assert_eq!(code(&reply), "A0");
    assert_eq!(reply.header.requirement, Header::SIGN_ON_AGAIN);
    assert!(!reply.message.has(64));
    assert!(bank.ledger().entries().is_empty());
    assert_eq!(bank.ledger().balance(MAGSTRIPE_DEBIT), Some(100_000_000));
}

#[test]
fn keys_travel_under_the_configured_tmk() {
    let tmk = [0x5A; 16];
    let mut bank = Acquirer::new(AcquirerConfig {
        tmk,
        ..AcquirerConfig::default()
    });
    let mut terminal = TestTerminal::new(TID);
    let request = terminal.sign_on_request();
    let outputs = bank.handle_frame(NOW, &TestTerminal::frame(&request));
    let [AcquirerOutput::Reply(bytes)] = outputs.as_slice() else {
        panic!("one reply, got {outputs:?}")
    };
    let reply = Frame::decode(bytes).unwrap();
    let keys = WorkingKeys::from_f62(reply.message.get(62).unwrap()).unwrap();
    assert!(decrypt_key(&tmk, &keys.mak, KeyKind::Mac).is_ok());
    assert!(decrypt_key(&TEST_TMK, &keys.mak, KeyKind::Mac).is_err());
}

#[test]
fn unknown_network_code_is_a_format_error() {
    let mut bank = bank();
    let mut terminal = TestTerminal::new(TID);
    let mut request = terminal.echo();
    request.set(60, "00000001999");
    let reply = terminal.exchange(&mut bank, &request);
    assert_eq!((reply.message.mti, code(&reply)), (Mti(830), "30"));
}
