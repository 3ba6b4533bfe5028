//! One writer per terminal (docs/architecture.md, "One writer per terminal"), with real
//! processes: concurrent `posterm sale` on one terminal directory take turns on its lock; the
//! acquirer's ledger equals the journal, and no process reports an approval that the acquirer
//! reversed. A process that cannot wait long enough says the terminal is in use and sends nothing.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::process::{Child, Stdio};
use std::time::Duration;

use common::rig::{rig_with, Rig};
use pos_kernel::{Config, Outcome, OutcomeResult};

fn config() -> Config {
    Config {
        response_timeout_ms: 1_000,
        reversal_retry_interval_ms: 200,
        ..Config::default()
    }
}

fn sale(rig: &Rig, amount: &str, lock_wait: &str) -> Child {
    rig.posterm(&["--json", "--lock-wait", lock_wait, "sale", "--amount", amount])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Exit code, outcomes printed (JSON lines) and stderr of a finished process.
fn finish(child: Child) -> (i32, Vec<Outcome>, String) {
    let output = child.wait_with_output().unwrap();
    let outcomes = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output.status.code().unwrap_or(-1), outcomes, stderr)
}

fn concurrent_sales(n: usize) {
    let rig = rig_with(&format!("writers-{n}"), config());
    // The first reply comes after the timeout: that sale is reversed while the others wait.
    rig.control("fault delay-reply");
    let children: Vec<Child> = (0..n)
        .map(|i| {
            let child = sale(&rig, &format!("{}.2{}", 60 + i, i), "120");
            std::thread::sleep(Duration::from_millis(50));
            child
        })
        .collect();
    let results: Vec<_> = children.into_iter().map(finish).collect();
    let ledger = rig.ledger();
    let mut approved = 0;
    for (code, outcomes, stderr) in &results {
        assert!(matches!(code, 0 | 4), "exit {code}: {outcomes:?} {stderr}");
        let ours = outcomes.last().unwrap_or_else(|| panic!("no outcome: {stderr}"));
        if ours.result == OutcomeResult::Approved {
            approved += 1;
            let stan = ours.stan.unwrap();
            let entry = ledger
                .entries()
                .iter()
                .find(|e| e.terminal_id == rig.config.terminal_id && e.stan == stan)
                .unwrap_or_else(|| panic!("approved STAN {stan} is not in the ledger"));
            assert!(
                !entry.reversed,
                "STAN {stan} was reported approved but the acquirer reversed it"
            );
        }
    }
    let books = rig.books();
    assert_eq!(books.approved, approved);
    assert_eq!(books.standing, approved);
    assert_eq!(approved, n - 1, "all but the one whose reply came late");
    println!("{n} concurrent sales on one terminal: {approved} approved, 1 reversed; the ledger equals the journal");
}

#[test]
fn two_concurrent_sales_take_turns() {
    concurrent_sales(2);
}

#[test]
fn ten_concurrent_sales_take_turns() {
    concurrent_sales(10);
}

#[test]
fn a_process_that_cannot_wait_says_the_terminal_is_in_use_and_sends_nothing() {
    let rig = rig_with("in-use", config());
    rig.control("fault delay-reply");
    let first = sale(&rig, "66.00", "30");
    std::thread::sleep(Duration::from_millis(400));
    let (code, outcomes, stderr) = finish(sale(&rig, "7.00", "0.2"));
    assert_eq!(code, 7, "{stderr}");
    assert!(outcomes.is_empty());
    assert!(stderr.contains("in use by another process"), "{stderr}");
    let (code, _, stderr) = finish(first);
    assert_eq!(code, 4, "the first sale's reply came late: reversed; {stderr}");
    let ledger = rig.ledger();
    let amounts: Vec<u64> = ledger.entries().iter().map(|e| e.amount).collect();
    assert!(!amounts.contains(&700), "the second process sent nothing: {amounts:?}");
    rig.books();
}
