//! A terminal's day with real processes against a `posterm acquirer` process: sign-on (the rig),
//! a chip sale, a contactless sale, a settlement with its TC uploads, every answer checked and the
//! journal reconciled with the acquirer's ledger. scripts/test-arm.sh runs it with the ARM builds
//! of posterm under qemu (`POSTERM_TEST_BIN`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use common::rig::rig;
use common::run;

#[test]
fn sign_on_sales_and_a_balanced_settlement() {
    let rig = rig("day");
    for (amount, card) in [("12.34", "chip"), ("5.00", "tap")] {
        let (code, stdout, stderr) = run(&mut rig.posterm(&["sale", "--amount", amount, "--test-card", card]));
        assert_eq!(code, 0, "{card} sale: {stdout}{stderr}");
        assert!(stdout.contains(": APPROVED"), "{card} sale: {stdout}");
    }
    // Panics when the journal and the acquirer's ledger disagree.
    let before = rig.books();
    assert_eq!((before.approved, before.standing), (2, 2), "{before:?}");
    let (code, stdout, stderr) = run(&mut rig.posterm(&["settle"]));
    assert_eq!(code, 0, "settle: {stdout}{stderr}");
    let tc_uploads = stdout.lines().find(|l| l.trim_start().starts_with("TC uploads"));
    assert_eq!(
        tc_uploads.map(|l| l
            .split_whitespace()
            .filter(|w| w.chars().all(|c| c.is_ascii_digit()))
            .count()),
        Some(2),
        "a TC upload for each sale: {stdout}"
    );
    assert!(stdout.contains("domestic totals balanced"), "balanced: {stdout}");
    let status = rig.status();
    assert_eq!(status.approved_count, 0, "the batch is settled: {status:?}");
    assert_eq!(status.batch, rig.config.initial_batch + 1, "a new batch: {status:?}");
    let after = rig.books();
    println!(
        "terminal day: books before the settlement: {} approved in the journal, {} standing at the acquirer; settled balanced with 2 TC uploads; after: {} and {}",
        before.approved, before.standing, after.approved, after.standing
    );
}
