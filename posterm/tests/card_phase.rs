//! The card side with real processes (docs/architecture.md, rule 19): posterm's simulated card
//! reader answers the kernel's requests as its flags say. Nothing is sent for a card phase that
//! ends without a card; a cut tap, another interface or a chip read failure go on to the card;
//! a chip card pulled out after the approval is reversed; every run reconciles with the ledger.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use common::rig::rig;
use common::run;

#[test]
fn the_card_reader_answers_as_the_flags_say() {
    let rig = rig("card-phase");
    let charged_before = rig.books().standing;

    // A tap cut short: the reader asks to tap again and hold; the second tap is approved.
    let (code, stdout, stderr) =
        run(&mut rig.posterm(&["sale", "--amount", "35.00", "--test-card", "tap", "--tap-cut"]));
    assert_eq!(code, 0, "approved: {stdout}{stderr}");
    assert!(
        stderr.contains("Tap again and hold the card until the beep"),
        "{stderr}"
    );

    // The tapped card asks for another interface: it is inserted and approved.
    let (code, stdout, stderr) =
        run(&mut rig.posterm(&["sale", "--amount", "42.00", "--test-card", "tap", "--wrong-interface"]));
    assert_eq!(code, 0, "approved: {stdout}{stderr}");
    assert!(stderr.contains("This card cannot be tapped"), "{stderr}");

    // No card: 交易超时, failed, nothing charged.
    let (code, stdout, stderr) = run(&mut rig.posterm(&["sale", "--amount", "50.00", "--no-card"]));
    assert_eq!(code, 3, "failed: {stdout}{stderr}");
    assert!(stdout.contains("交易超时"), "{stdout}");

    // An expired card reported by the reader: refused locally.
    let (code, stdout, _) = run(&mut rig.posterm(&["sale", "--amount", "50.00", "--reader", "card-expired"]));
    assert_eq!(code, 3);
    assert!(stdout.contains("The card has expired"), "{stdout}");

    // A tap above the contactless limit (10,000.00): asked to insert or swipe, which this reader
    // cannot do after the tap: nothing sent.
    let (code, stdout, stderr) = run(&mut rig.posterm(&["sale", "--amount", "12000.00", "--test-card", "tap"]));
    assert_eq!(code, 3, "{stdout}{stderr}");
    assert!(stderr.contains("Insert or swipe the card"), "{stderr}");

    // A chip card pulled out after the approval: reversed (06), nothing charged.
    let (code, stdout, stderr) =
        run(&mut rig.posterm(&["sale", "--amount", "77.00", "--test-card", "chip", "--pull-card"]));
    assert_eq!(code, 4, "reversed: {stdout}{stderr}");
    assert!(stdout.contains("removed too early"), "{stdout}");

    // Two sales approved; everything else left nothing charged.
    let books = rig.books();
    assert_eq!(books.standing, charged_before + 2, "{books:?}");
}
