//! A bank restored from its snapshot behaves exactly like the bank it was taken from: same
//! replies, same de-duplication of retransmissions, same ledger. No track data or PIN block is in it.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use pos_acquirer_sim::cards::{MAGSTRIPE_DEBIT, TEST_PIN};
use pos_acquirer_sim::{Acquirer, Fault};

#[test]
fn a_restored_bank_answers_like_the_original() {
    let (mut bank, mut terminal) = signed_on();
    let first = terminal.sale(MAGSTRIPE_DEBIT, 10_000, Some(TEST_PIN));
    let first_frame = TestTerminal::frame(&first);
    bank.handle_frame(NOW, &first_frame);
    bank.inject(Fault::DropReply);

    let snapshot = bank.snapshot();
    let mut restored = Acquirer::from_snapshot(&snapshot).unwrap();
    assert_eq!(restored.ledger(), bank.ledger());
    assert_eq!(restored.pending_faults().collect::<Vec<_>>(), vec![Fault::DropReply]);

    // A new sale (the queued fault applies on both) and a retransmission of the first.
    let second = TestTerminal::frame(&terminal.sale(MAGSTRIPE_DEBIT, 2_000, Some(TEST_PIN)));
    for frame in [&second, &first_frame] {
        assert_eq!(
            restored.handle_frame(NOW + 1_000, frame),
            bank.handle_frame(NOW + 1_000, frame)
        );
    }
    assert_eq!(restored.ledger(), bank.ledger());
    assert_eq!(
        restored.ledger().entries().len(),
        2,
        "the retransmission charged nothing"
    );

    // The request's PIN block and track 2 are not kept.
    let pin_block = first.get(52).unwrap();
    assert!(!snapshot.windows(pin_block.len()).any(|w| w == pin_block));
    assert!(Acquirer::from_snapshot(b"not cbor").is_err());
}
