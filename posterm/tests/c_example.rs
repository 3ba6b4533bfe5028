//! The C example (examples/c/terminal.c, on libposkernel) against a `posterm acquirer` process:
//! a chip sale, a contactless sale, a sale whose reply comes after the timeout (reversed), a
//! settlement; then the journal reconciled with the acquirer's ledger. scripts/test-c.sh builds
//! the example (natively, and for armv7 run under qemu-arm) and runs this test with
//! `C_EXAMPLE_BIN` naming it; hence ignored in a plain `cargo test`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use common::rig::rig;
use pos_acquirer_sim::reader;
use pos_kernel::engine::{Command as KernelCommand, Outcome};

#[test]
#[ignore = "run by scripts/test-c.sh, which builds the C example"]
fn c_example_sells_reverses_and_settles() {
    let line = std::env::var("C_EXAMPLE_BIN").expect("C_EXAMPLE_BIN: the C example to run (scripts/test-c.sh)");
    let rig = rig("c-example");
    let mut words = line.split_whitespace();
    let mut example = Command::new(words.next().unwrap());
    let mut child = example
        .args(words)
        .arg(&rig.dir)
        .arg(common::component_path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut run = |command: KernelCommand| -> (i32, Outcome) {
        writeln!(stdin, "{}", serde_json::to_string(&command).unwrap()).unwrap();
        let mut answer = String::new();
        stdout.read_line(&mut answer).unwrap();
        let (code, json) = answer.trim_end().split_once(' ').unwrap();
        let outcome = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {answer}"));
        (code.parse().unwrap(), outcome)
    };

    // A credit card read by its chip, no PIN (debit cards need one: the PED is the vendor's).
    let chip = reader::chip(pos_acquirer_sim::cards::CONTACTLESS, false);
    let (code, outcome) = run(KernelCommand::Sale {
        amount: 1200,
        card: chip,
    });
    assert_eq!(code, 0, "chip sale approved: {outcome:?}");
    let (code, outcome) = run(KernelCommand::Sale {
        amount: 500,
        card: reader::tap_credit(),
    });
    assert_eq!(code, 0, "contactless sale approved: {outcome:?}");
    rig.control("fault delay-reply");
    let (code, outcome) = run(KernelCommand::Sale {
        amount: 700,
        card: reader::tap_credit(),
    });
    assert_eq!(code, 4, "no reply in time: reversed: {outcome:?}");
    // Panics when the journal and the acquirer's ledger disagree.
    let before = rig.books();
    assert_eq!((before.approved, before.standing), (2, 2), "{before:?}");
    let (code, outcome) = run(KernelCommand::Settle);
    assert_eq!(code, 0, "settled balanced: {outcome:?}");
    let report = outcome.settlement.expect("a settlement report");
    assert_eq!(report.tc_uploaded.len(), 2, "{report:?}");
    drop(stdin);
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    assert!(rest.starts_with("status {"), "the status at the end: {rest}");
    assert!(child.wait().unwrap().success());
    rig.books();
    println!(
        "C example: chip sale and contactless sale approved, a late reply reversed; books: {} approved in the journal, {} standing at the acquirer; settled balanced with {} TC uploads",
        before.approved,
        before.standing,
        report.tc_uploaded.len()
    );
}
