//! A terminal directory driven by real `posterm` processes against a `posterm acquirer`
//! process on loopback: what the crash, one-writer and operator-truth tests share.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use pos_acquirer_server::control::send_control;
use pos_acquirer_sim::Ledger;
use pos_harness::reconcile::{reconcile, Books};
use pos_host::terminal_dir::{ConfigFile, HostSettings, TerminalDir};
use pos_journal::inspect_file;
use pos_kernel::engine::{DurableState, Status};
use pos_kernel::Config;

pub struct Rig {
    /// The `posterm acquirer` process and its address.
    pub acquirer: Option<Child>,
    pub address: String,
    pub dir: PathBuf,
    pub config: Config,
}

/// The posterm under test: this build's, or another machine's build run through an emulator
/// (`POSTERM_TEST_BIN`, e.g. "qemu-arm target/armv7-unknown-linux-gnueabihf/debug/posterm":
/// scripts/test-arm.sh). The acquirer is always this build's.
fn posterm_under_test() -> Command {
    match std::env::var("POSTERM_TEST_BIN") {
        Ok(line) if !line.trim().is_empty() => {
            let mut words = line.split_whitespace();
            let mut command = Command::new(words.next().unwrap_or_default());
            command.args(words);
            command
        }
        _ => Command::new(env!("CARGO_BIN_EXE_posterm")),
    }
}

/// Whether the posterm under test is another machine's build (then it is runtime-only: the
/// test script precompiled the component for it).
fn foreign_posterm() -> bool {
    std::env::var("POSTERM_TEST_BIN").is_ok_and(|line| !line.trim().is_empty())
}

/// A free loopback port (bound, then released for the acquirer process to take).
pub fn free_address() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().to_string()
}

/// Starts `posterm acquirer` on a free loopback port and waits until it answers.
pub fn start_acquirer() -> (Child, String) {
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

/// A signed-on terminal with a 1 s response timeout and 200 ms between reversal attempts.
pub fn rig(name: &str) -> Rig {
    rig_with(
        name,
        Config {
            response_timeout_ms: 1_000,
            reversal_retry_interval_ms: 200,
            ..Config::default()
        },
    )
}

/// A signed-on terminal with this configuration, in a fresh temporary directory.
pub fn rig_with(name: &str, config: Config) -> Rig {
    rig_routed(name, config, str::to_owned)
}

/// [`rig_with`], the terminal reaching the acquirer at the address `route` gives for the
/// acquirer's own (a proxy that watches the wire); `Rig::address` stays the acquirer's.
pub fn rig_routed(name: &str, config: Config, route: impl FnOnce(&str) -> String) -> Rig {
    let (acquirer, address) = start_acquirer();
    let dir = std::env::temp_dir().join(format!("posterm-rig-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let host = HostSettings {
        acquirer: route(&address),
        ..HostSettings::default()
    };
    let mut file = ConfigFile {
        terminal: config.clone(),
        host,
        ..ConfigFile::default()
    };
    // The terminal's keys in a SoftHSM2 token of its own, the TMK loaded from its components as
    // the key custodians would (`posterm keys load-tmk`).
    let terminal_dir = TerminalDir::new(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    // An emulated posterm needs its own architecture's PKCS#11 library (`POSTERM_TEST_PKCS11`);
    // the token store it reads is the same files.
    if let Ok(library) = std::env::var("POSTERM_TEST_PKCS11") {
        file.security.pkcs11_library = PathBuf::from(library);
    }
    file.security.softhsm2_conf = Some(pos_host::token::create_softhsm_token(&terminal_dir, &file).unwrap());
    terminal_dir.init(&file).unwrap();
    let rig = Rig {
        acquirer: Some(acquirer),
        address,
        dir,
        config,
    };
    rig.load_test_tmk();
    if !foreign_posterm() {
        assert_eq!(rig.posterm(&["compile"]).status().unwrap().code(), Some(0));
    }
    assert_eq!(rig.posterm(&["sign-on"]).status().unwrap().code(), Some(0), "sign-on");
    rig
}

impl Rig {
    /// `posterm keys load-tmk --from-file` with the test TMK's components, from a file outside the
    /// terminal directory that is deleted afterwards.
    pub fn load_test_tmk(&self) {
        let components = self.dir.with_extension("tmk-components");
        std::fs::write(&components, pos_host::token::TEST_TMK_COMPONENTS.join("\n")).unwrap();
        let loaded = self
            .posterm(&["keys", "load-tmk", "--from-file", components.to_str().unwrap()])
            .output()
            .unwrap();
        std::fs::remove_file(&components).unwrap();
        assert!(loaded.status.success(), "{}", String::from_utf8_lossy(&loaded.stderr));
    }

    /// A control command to the acquirer process.
    pub fn control(&self, command: &str) -> String {
        let answer = send_control(&self.address, command).unwrap();
        assert!(!answer.starts_with("error"), "{command}: {answer}");
        answer
    }

    /// The acquirer process is killed (SIGKILL): its listener and connections are gone.
    pub fn kill_acquirer(&mut self) {
        if let Some(mut child) = self.acquirer.take() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }

    pub fn posterm(&self, args: &[&str]) -> Command {
        let mut command = posterm_under_test();
        command
            .arg("--dir")
            .arg(&self.dir)
            .arg("--component")
            .arg(super::component_path())
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        command
    }

    pub fn status(&self) -> Status {
        let output = self
            .posterm(&["status", "--json"])
            .stdout(Stdio::piped())
            .output()
            .unwrap();
        serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|e| panic!("status: {e}: {}", String::from_utf8_lossy(&output.stdout)))
    }

    /// Runs echo tests until nothing is pending (each start sends a pending reversal first).
    pub fn recover(&self) {
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

    /// The journal's records, read without changing anything.
    pub fn records(&self) -> Vec<Vec<u8>> {
        inspect_file(&self.dir, "journal.pjl", None).unwrap().records
    }

    /// The acquirer's ledger, as its control channel gives it.
    pub fn ledger(&self) -> Ledger {
        serde_json::from_str(&self.control("ledger-json")).unwrap()
    }

    /// How many charges of this terminal stand at the acquirer.
    pub fn standing(&self) -> usize {
        self.ledger().charged_stans(&self.config.terminal_id).len()
    }

    /// The journal reconciled with the acquirer's ledger (panics when they disagree).
    pub fn books(&self) -> Books {
        let records = self.records();
        let state = DurableState::new(self.config.initial_stan, self.config.initial_batch)
            .replay(records.iter().map(Vec::as_slice))
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
