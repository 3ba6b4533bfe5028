//! Crash and fault tests with real processes, both on loopback: `posterm` is killed with SIGKILL at
//! random moments during sales against a `posterm acquirer` process, restarted, lets the kernel
//! recover from its journal, and the acquirer's ledger (read over its control protocol) is
//! reconciled with the journal. Also: the acquirer process is killed in the middle of a reply,
//! resets the connection, or answers after the timeout.
//!
//! `CRASH_ROUNDS` sets the number of killed sales (default 100).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use pos_acquirer_sim::Ledger;
use pos_harness::reconcile::{reconcile, Books};
use pos_host::terminal_dir::{HostSettings, TerminalDir, TerminalFile};
use pos_journal::{FileStorage, Journal};
use pos_kernel::engine::{DurableState, Status};
use pos_kernel::Config;
use pos_net::control::send_control;

struct Rig {
    /// The `posterm acquirer` process and its address.
    acquirer: Option<Child>,
    address: String,
    dir: PathBuf,
    config: Config,
}

/// A free loopback port (bound, then released for the acquirer process to take).
fn free_address() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().to_string()
}

/// Starts `posterm acquirer` on a free loopback port and waits until it answers.
fn start_acquirer() -> (Child, String) {
    for _ in 0..5 {
        let address = free_address();
        let mut child = Command::new(env!("CARGO_BIN_EXE_posterm"))
            .args(["acquirer", "--listen", &address, "--late-reply-ms", "1500"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(10) {
            if send_control(&address, "help").is_ok() {
                return (child, address);
            }
            if child.try_wait().unwrap().is_some() {
                break; // the port was taken meanwhile: try another
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
    panic!("posterm acquirer did not start");
}

fn rig(name: &str) -> Rig {
    let (acquirer, address) = start_acquirer();
    let dir = std::env::temp_dir().join(format!("posterm-crash-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let config = Config {
        response_timeout_ms: 1_000,
        reversal_retry_interval_ms: 200,
        ..Config::default()
    };
    let host = HostSettings {
        acquirer: address.clone(),
        ..HostSettings::default()
    };
    let file = TerminalFile {
        terminal: config.clone(),
        host,
    };
    TerminalDir::new(&dir).init(&file).unwrap();
    let rig = Rig {
        acquirer: Some(acquirer),
        address,
        dir,
        config,
    };
    assert_eq!(rig.posterm(&["compile"]).status().unwrap().code(), Some(0));
    assert_eq!(rig.posterm(&["sign-on"]).status().unwrap().code(), Some(0), "sign-on");
    rig
}

impl Rig {
    /// A control command to the acquirer process.
    fn control(&self, command: &str) -> String {
        let answer = send_control(&self.address, command).unwrap();
        assert!(!answer.starts_with("error"), "{command}: {answer}");
        answer
    }

    /// The acquirer process is killed (SIGKILL): its listener and connections are gone.
    fn kill_acquirer(&mut self) {
        if let Some(mut child) = self.acquirer.take() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }

    fn posterm(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_posterm"));
        command
            .arg("--dir")
            .arg(&self.dir)
            .arg("--component")
            .arg(common::component_path())
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        command
    }

    fn status(&self) -> Status {
        let output = self
            .posterm(&["status", "--json"])
            .stdout(Stdio::piped())
            .output()
            .unwrap();
        serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|e| panic!("status: {e}: {}", String::from_utf8_lossy(&output.stdout)))
    }

    /// Runs echo tests until nothing is pending (each start sends a pending reversal first).
    fn recover(&self) {
        for _ in 0..20 {
            let status = self.status();
            if status.pending_reversal.is_none() && status.pending_refunds.is_empty() {
                return;
            }
            let _ = self.posterm(&["echo"]).status();
            std::thread::sleep(Duration::from_millis(250));
        }
        panic!("the terminal did not recover: {:?}", self.status());
    }

    fn books(&self) -> Books {
        let storage = FileStorage::open(&self.dir, "journal.pjl").unwrap();
        let (journal, _) = Journal::open(storage).unwrap();
        let state = DurableState::new(self.config.initial_stan, self.config.initial_batch)
            .replay(journal.iter())
            .unwrap();
        let ledger: Ledger = serde_json::from_str(&self.control("ledger-json")).unwrap();
        reconcile(&self.config.terminal_id, &state, &ledger).unwrap_or_else(|e| panic!("{e}\n{ledger}"))
    }
}

impl Drop for Rig {
    fn drop(&mut self) {
        self.kill_acquirer();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

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
        std::thread::sleep(Duration::from_millis(rng.below(120)));
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
    std::thread::sleep(Duration::from_millis(300));
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
