//! Whatever arrives, the bank does not panic; undecodable input gets no reply and is counted.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use pos_acquirer_sim::cards::{MAGSTRIPE_DEBIT, TEST_PIN};
use pos_acquirer_sim::AcquirerOutput;
use pos_kernel::codec::Frame;

#[test]
fn undecodable_frames_get_no_reply_and_are_counted() {
    let mut bank = bank();
    let cases: [&[u8]; 6] = [
        &[],
        &[0x00],
        &[0x00, 0x05, 0x60, 0x00],                         // shorter than announced
        &[0x00, 0x02, 0x60, 0x00, 0x00],                   // longer than announced
        &[0x00, 0x08, 0xDE, 0xAD, 0xBE, 0xEF, 0, 0, 0, 0], // bad TPDU
        &[
            0x00, 0x0B, 0x60, 0x00, 0x03, 0x00, 0x00, 0x60, 0x31, 0x00, 0x31, 0x00, 0x01,
        ], // bad header
    ];
    for (i, bytes) in cases.iter().enumerate() {
        assert!(bank.handle_frame(NOW, bytes).is_empty(), "case {i}");
        assert_eq!(bank.rejected(), i + 1);
    }
    assert!(bank.ledger().entries().is_empty());
}

#[test]
fn every_truncation_of_a_sale_is_rejected() {
    let (mut bank, mut terminal) = signed_on();
    let sale = TestTerminal::frame(&terminal.sale(MAGSTRIPE_DEBIT, 1000, Some(TEST_PIN)));
    for cut in 0..sale.len() {
        assert!(bank.handle_frame(NOW, &sale[..cut]).is_empty(), "cut at {cut}");
    }
    assert_eq!(bank.rejected(), sale.len());
    // Consistently truncated (length prefix adjusted) bodies do not decode either.
    let mut rejected = bank.rejected();
    for cut in 13..sale.len() - 1 {
        let mut bytes = sale[..cut].to_vec();
        let length = u16::try_from(cut - 2).unwrap().to_be_bytes();
        bytes[0] = length[0];
        bytes[1] = length[1];
        let outputs = bank.handle_frame(NOW, &bytes);
        if outputs.is_empty() {
            rejected += 1;
        }
        assert_eq!(bank.rejected(), rejected);
    }
    assert!(bank.ledger().entries().is_empty());
}

#[test]
fn bit_flips_never_panic_and_never_charge_without_a_valid_mac() {
    let (mut bank, mut terminal) = signed_on();
    let sale = TestTerminal::frame(&terminal.sale(MAGSTRIPE_DEBIT, 1000, Some(TEST_PIN)));
    for i in 0..sale.len() {
        for bit in 0..8 {
            let mut bytes = sale.clone();
            bytes[i] ^= 1 << bit;
            for output in bank.handle_frame(NOW, &bytes) {
                if let AcquirerOutput::Reply(reply) = output {
                    assert!(Frame::decode(&reply).is_ok());
                }
            }
        }
    }
    // Flips in the TPDU or header are not covered by the MAC: those sales are genuine (the
    // first charges, the rest are retransmissions of it). Any other flip fails to decode or
    // fails the MAC.
    assert!(bank.ledger().entries().len() <= 1);
    assert!(bank.rejected() > 0);
}

#[test]
fn pseudo_random_bytes_never_panic() {
    let mut bank = bank();
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for round in 0..2_000 {
        let len = usize::try_from(next() % 80).unwrap();
        let mut bytes: Vec<u8> = (0..len).map(|_| next().to_le_bytes()[0]).collect();
        if round % 2 == 0 && bytes.len() >= 13 {
            // Make the envelope valid so the body parser is exercised.
            let length = u16::try_from(bytes.len() - 2).unwrap().to_be_bytes();
            bytes[..13].copy_from_slice(&[length[0], length[1], 0x60, 0, 3, 0, 0, 0x60, 0x31, 0x00, 0x31, 0, 0]);
        }
        let _ = bank.handle_frame(NOW, &bytes);
    }
    assert!(bank.rejected() > 0);
}
