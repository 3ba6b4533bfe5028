//! Settlement totals from the ledger, balanced and unbalanced; batch upload and its end.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use pos_acquirer_sim::cards::{CONTACTLESS, FOREIGN, MAGSTRIPE_DEBIT, TEST_PIN};
use pos_acquirer_sim::{Acquirer, UploadEntry};
use pos_kernel::codec::Mti;

fn half(debit: u64, debits: u32, credit: u64, credits: u32) -> String {
    format!("{debit:012}{debits:03}{credit:012}{credits:03}")
}

/// A batch: two domestic sales (one voided), one reversed sale, a declined sale, a foreign
/// sale, and a refund of the foreign sale; the pre-auth and its completion are domestic.
fn day() -> (Acquirer, TestTerminal) {
    let (mut bank, mut terminal) = signed_on();
    let sale = terminal.sale(MAGSTRIPE_DEBIT, 10_000, Some(TEST_PIN));
    assert_eq!(terminal.transact(&mut bank, &sale).0, "00");
    let sale = terminal.sale(MAGSTRIPE_DEBIT, 20_000, Some(TEST_PIN));
    let (_, voided) = terminal.transact(&mut bank, &sale);
    let void = terminal.void(MAGSTRIPE_DEBIT, 20_000, &voided.unwrap());
    assert_eq!(terminal.transact(&mut bank, &void).0, "00");
    let sale = terminal.sale(MAGSTRIPE_DEBIT, 40_000, Some(TEST_PIN));
    assert_eq!(terminal.transact(&mut bank, &sale).0, "00");
    let reversal = terminal.reversal(&sale, "98");
    assert_eq!(code(&terminal.exchange(&mut bank, &reversal)), "00");
    let sale = terminal.sale(MAGSTRIPE_DEBIT, 10_051, Some(TEST_PIN));
    assert_eq!(terminal.transact(&mut bank, &sale).0, "51");
    let sale = terminal.sale(FOREIGN, 7_000, None);
    let (_, foreign) = terminal.transact(&mut bank, &sale);
    let foreign = foreign.unwrap();
    let refund = terminal.refund(FOREIGN, 2_000, &foreign.rrn, &foreign.date);
    assert_eq!(terminal.transact(&mut bank, &refund).0, "00");
    let pre_auth = terminal.pre_auth(CONTACTLESS, 5_000, None);
    let (_, pa) = terminal.transact(&mut bank, &pre_auth);
    let completion = terminal.completion(CONTACTLESS, 5_500, &pa.unwrap());
    assert_eq!(terminal.transact(&mut bank, &completion).0, "00");
    (bank, terminal)
}

/// Domestic: debit 100.00 + 200.00 + 55.00 (3), credit 200.00 (1). Foreign: debit 70.00 (1),
/// credit 20.00 (1).
fn bank_domestic() -> String {
    half(35_500, 3, 20_000, 1)
}
fn bank_foreign() -> String {
    half(7_000, 1, 2_000, 1)
}

#[test]
fn balanced_settlement() {
    let (mut bank, mut terminal) = day();
    let settlement = terminal.settlement(&bank_domestic(), &bank_foreign());
    let reply = terminal.exchange(&mut bank, &settlement);
    check_reply(&settlement, &reply);
    assert_eq!(reply.message.mti, Mti(510));
    assert_eq!(code(&reply), "00");
    assert_eq!(
        reply.message.get_str(48).unwrap(),
        format!("{}1{}1", bank_domestic(), bank_foreign())
    );
    assert_eq!(reply.message.get_str(15), Some(TODAY));
}

#[test]
fn unbalanced_settlement_then_batch_upload_and_end() {
    let (mut bank, mut terminal) = day();
    // The terminal missed the refund: foreign half unbalanced, domestic balanced.
    let theirs_foreign = half(7_000, 1, 0, 0);
    let settlement = terminal.settlement(&bank_domestic(), &theirs_foreign);
    let reply = terminal.exchange(&mut bank, &settlement);
    let f48 = reply.message.get_str(48).unwrap().to_owned();
    assert_eq!(f48, format!("{}1{theirs_foreign}2", bank_domestic()));
    assert_eq!(&f48[30..31], "1");
    assert_eq!(&f48[61..62], "2");

    let upload = terminal.batch_upload(&[(false, 2, MAGSTRIPE_DEBIT, 10_000), (true, 12, FOREIGN, 7_000)]);
    let reply = terminal.exchange(&mut bank, &upload);
    check_reply(&upload, &reply);
    assert_eq!((reply.message.mti, code(&reply)), (Mti(330), "00"));
    // A retransmitted upload is not recorded twice.
    assert_eq!(code(&terminal.exchange(&mut bank, &upload)), "00");
    assert_eq!(
        bank.uploaded(TID, 1),
        [
            UploadEntry {
                foreign: false,
                stan: 2,
                pan: MAGSTRIPE_DEBIT.into(),
                amount: 10_000
            },
            UploadEntry {
                foreign: true,
                stan: 12,
                pan: FOREIGN.into(),
                amount: 7_000
            },
        ]
    );
    assert!(!bank.batch_closed(TID, 1));
    let end = terminal.batch_upload_end("202", 2);
    assert_eq!(code(&terminal.exchange(&mut bank, &end)), "00");
    assert!(bank.batch_closed(TID, 1));

    // A new settlement of the closed batch is an error in both halves.
    let settlement = terminal.settlement(&bank_domestic(), &bank_foreign());
    let reply = terminal.exchange(&mut bank, &settlement);
    assert_eq!(
        reply.message.get_str(48).unwrap(),
        format!("{}3{}3", bank_domestic(), bank_foreign())
    );

    // The next batch starts empty.
    terminal.batch = 2;
    let settlement = terminal.settlement(&half(0, 0, 0, 0), &half(0, 0, 0, 0));
    let reply = terminal.exchange(&mut bank, &settlement);
    assert_eq!(
        reply.message.get_str(48).unwrap(),
        format!("{}1{}1", half(0, 0, 0, 0), half(0, 0, 0, 0))
    );
    assert_eq!(bank.terminal_batch(TID), Some(2));
}

#[test]
fn settlement_counts_only_this_terminal_and_batch() {
    let (mut bank, mut terminal) = day();
    let mut other = TestTerminal::new("10000002");
    other.sign_on(&mut bank);
    let sale = other.sale(MAGSTRIPE_DEBIT, 99_900, Some(TEST_PIN));
    assert_eq!(other.transact(&mut bank, &sale).0, "00");
    terminal.batch = 2;
    let sale = terminal.sale(MAGSTRIPE_DEBIT, 99_900, Some(TEST_PIN));
    assert_eq!(terminal.transact(&mut bank, &sale).0, "00");
    terminal.batch = 1;
    let settlement = terminal.settlement(&bank_domestic(), &bank_foreign());
    let reply = terminal.exchange(&mut bank, &settlement);
    assert_eq!(
        reply.message.get_str(48).unwrap(),
        format!("{}1{}1", bank_domestic(), bank_foreign())
    );
}

#[test]
fn malformed_settlement_and_upload_are_format_errors() {
    let (mut bank, mut terminal) = signed_on();
    let mut settlement = terminal.settlement(&half(0, 0, 0, 0), &half(0, 0, 0, 0));
    settlement.set(48, "0".repeat(60));
    assert_eq!(code(&terminal.exchange(&mut bank, &settlement)), "30");
    let mut upload = terminal.batch_upload(&[(false, 2, MAGSTRIPE_DEBIT, 10_000)]);
    upload.set(48, format!("02{}", "0".repeat(40)));
    assert_eq!(code(&terminal.exchange(&mut bank, &upload)), "30");
    let mut end = terminal.batch_upload_end("207", 0);
    end.set(60, "00000001203");
    assert_eq!(code(&terminal.exchange(&mut bank, &end)), "30");
    assert!(bank.uploaded(TID, 1).is_empty());
    assert!(!bank.batch_closed(TID, 1));
}

#[test]
fn balanced_end_207_closes_the_batch() {
    let (mut bank, mut terminal) = day();
    let settlement = terminal.settlement(&bank_domestic(), &bank_foreign());
    terminal.exchange(&mut bank, &settlement);
    let end = terminal.batch_upload_end("207", 0);
    assert_eq!(code(&terminal.exchange(&mut bank, &end)), "00");
    assert!(bank.batch_closed(TID, 1));
    // Settlement replies and upload replies carry no MAC.
    assert!(!terminal.exchange(&mut bank, &end).message.has(64));
}

/// A chip sale (F22 `05`) must be TC-uploaded before the batch closes: an end without it is
/// refused `95` and recorded as a violation; after the upload the end closes the batch; the
/// same upload again under a new STAN is a violation answered `94`.
#[test]
fn a_batch_with_a_chip_approval_closes_only_after_its_tc_upload() {
    let (mut bank, mut terminal) = signed_on();
    let sale = terminal.sale(MAGSTRIPE_DEBIT, 12_000, Some(TEST_PIN)).with(22, "051");
    let sale = terminal.mac(sale);
    let (code_, approval) = terminal.transact(&mut bank, &sale);
    assert_eq!(code_, "00");
    let approval = approval.unwrap();
    let settlement = terminal.settlement(&half(12_000, 1, 0, 0), &half(0, 0, 0, 0));
    let reply = terminal.exchange(&mut bank, &settlement);
    assert_eq!(reply.message.get_str(48).unwrap().as_bytes()[30], b'1', "balanced");
    let end = terminal.batch_upload_end("207", 0);
    assert_eq!(code(&terminal.exchange(&mut bank, &end)), "95");
    assert!(!bank.batch_closed(TID, 1));
    assert!(
        bank.violations()[0].contains("without the TC upload of"),
        "{:?}",
        bank.violations()
    );
    let upload = terminal.chip_upload("203", MAGSTRIPE_DEBIT, 12_000, &approval, 0x40);
    let reply = terminal.exchange(&mut bank, &upload);
    assert_eq!(code(&reply), "00");
    assert!(reply.message.get(64).is_none(), "a chip upload's reply has no MAC");
    let again = terminal.chip_upload("203", MAGSTRIPE_DEBIT, 12_000, &approval, 0x40);
    assert_eq!(code(&terminal.exchange(&mut bank, &again)), "94");
    assert_eq!(bank.violations().len(), 2);
    let end = terminal.batch_upload_end("207", 1);
    assert_eq!(code(&terminal.exchange(&mut bank, &end)), "00");
    assert!(bank.batch_closed(TID, 1));
    assert_eq!(bank.chip_uploads(TID, 1).len(), 1);
}

/// A TC upload must carry the card's cryptogram and a TC (or an ARQC for a tap); an IC failure
/// upload an AAC; otherwise `30`.
#[test]
fn a_chip_upload_without_the_right_cryptogram_is_a_format_error() {
    let (mut bank, mut terminal) = signed_on();
    let sale = terminal.sale(MAGSTRIPE_DEBIT, 5_000, Some(TEST_PIN)).with(22, "051");
    let sale = terminal.mac(sale);
    let approval = terminal.transact(&mut bank, &sale).1.unwrap();
    let aac_as_tc = terminal.chip_upload("203", MAGSTRIPE_DEBIT, 5_000, &approval, 0x00);
    assert_eq!(code(&terminal.exchange(&mut bank, &aac_as_tc)), "30");
    let tc_as_failure = terminal.chip_upload("204", MAGSTRIPE_DEBIT, 5_000, &approval, 0x40);
    assert_eq!(code(&terminal.exchange(&mut bank, &tc_as_failure)), "30");
    let failure = terminal.chip_upload("204", MAGSTRIPE_DEBIT, 5_000, &approval, 0x00);
    assert_eq!(code(&terminal.exchange(&mut bank, &failure)), "00");
}
