//! Crash and fault tests with real processes, both on loopback: `posterm` is killed with SIGKILL at
//! random moments during sales against a `posterm acquirer` process, restarted, lets the kernel
//! recover from its journal, and the acquirer's ledger (read over its control protocol) is
//! reconciled with the journal. Also: the acquirer process is killed in the middle of a reply,
//! resets the connection, or answers after the timeout.
//!
//! `CRASH_ROUNDS` sets the number of killed sales (default 100); `CRASH_KILL_WITHIN_MS` how long
//! after its start a sale may be killed (default 120 ms; an emulated posterm starts slower).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::time::{Duration, Instant};

use common::rig::{rig, Rig};

/// A small deterministic generator (no extra crates for one test).
struct XorShift(u64);

impl XorShift {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

#[test]
fn sigkill_during_sales_then_recover_and_reconcile() {
    let rounds: u64 = std::env::var("CRASH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let kill_within: u64 = std::env::var("CRASH_KILL_WITHIN_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(120);
    let rig = rig("kill");
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let (mut killed, mut finished, mut faults) = (0, 0, 0);
    let started = Instant::now();
    for round in 0..rounds {
        if rng.below(10) < 3 {
            let fault = ["drop-reply", "delay-reply", "close", "bad-mac"][usize::try_from(rng.below(4)).unwrap()];
            rig.control(&format!("fault {fault}"));
            faults += 1;
        }
        let amount = format!("{}.{:02}", 1 + round, rng.below(50));
        let mut child = rig.posterm(&["sale", "--amount", &amount]).spawn().unwrap();
        std::thread::sleep(Duration::from_millis(rng.below(kill_within)));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL
            killed += 1;
        } else {
            finished += 1;
        }
        child.wait().unwrap();
    }
    rig.control("faults clear");
    rig.recover();
    let books = rig.books();
    println!(
        "crash test: {rounds} sales in {:.1} s, {killed} posterm processes killed with SIGKILL mid-flight, {finished} finished, {faults} acquirer faults; books: {} approved in the journal, {} standing at the acquirer, {} on the exceptions list",
        started.elapsed().as_secs_f64(),
        books.approved,
        books.standing,
        books.on_exceptions
    );
    assert!(killed > 0, "no process was killed mid-flight");
}

fn sale(rig: &Rig, amount: &str) -> i32 {
    rig.posterm(&["sale", "--amount", amount])
        .status()
        .unwrap()
        .code()
        .unwrap_or(-1)
}

#[test]
fn slow_reply_past_the_timeout_is_reversed() {
    let rig = rig("slow");
    rig.control("fault delay-reply");
    assert_eq!(sale(&rig, "12.00"), 4, "unknown, then reversed");
    assert_eq!(sale(&rig, "13.00"), 0, "the next sale is approved");
    let books = rig.books();
    assert_eq!((books.approved, books.standing), (1, 1));
}

#[test]
fn connection_reset_is_no_reply_and_reversed() {
    let rig = rig("reset");
    rig.control("fault close");
    assert_eq!(sale(&rig, "14.00"), 4, "unknown, then reversed");
    rig.books();
}

#[test]
fn acquirer_killed_mid_reply_leaves_an_exception_not_a_charge() {
    let mut rig = rig("acquirer-dies");
    // The reply is held back; the bank dies before sending it.
    rig.control("fault delay-reply");
    let mut child = rig.posterm(&["sale", "--amount", "15.00"]).spawn().unwrap();
    // Until the bank has the request (booked, its reply held back): an emulated posterm takes
    // a second to start.
    let asked = Instant::now();
    while rig.standing() == 0 && asked.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(50));
    }
    rig.kill_acquirer();
    let code = child.wait().unwrap().code();
    assert_eq!(
        code,
        Some(5),
        "the reversal cannot reach a dead acquirer: reversal not confirmed"
    );
    let status = rig.status();
    assert_eq!(
        status.exceptions.len(),
        1,
        "the operator is told the card may have been charged"
    );
    assert_eq!(status.approved_count, 0);
}
