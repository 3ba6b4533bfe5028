//! A whole posterm day with its keys in SoftHSM2 (every transaction type, a wrong PIN, a lost
//! reply and its reversal, a bad MAC, a late reply, a refund, pre-authorizations, a settlement),
//! watched on the wire by a proxy. Afterwards every byte the project wrote (every file in the
//! terminal directory, the token store included, and everything every command printed) is
//! searched for every PAN, track, PIN block, PIN and key that crossed the wire, in every
//! encoding (pos_harness::clear_data). None may be there; the books must balance.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::sync::{Arc, Mutex};

use common::rig::{rig_routed, Rig};
use pos_harness::clear_data::Secrets;
use pos_kernel::{Config, Outcome};

type Wire = Arc<Mutex<Vec<Vec<u8>>>>;

/// Copies frames (2-byte length + body) from `from` to `to`, keeping each on the wire log.
fn pump(mut from: TcpStream, mut to: TcpStream, wire: Wire) {
    loop {
        let mut length = [0u8; 2];
        if from.read_exact(&mut length).is_err() {
            break;
        }
        let mut body = vec![0u8; usize::from(u16::from_be_bytes(length))];
        if from.read_exact(&mut body).is_err() {
            break;
        }
        let mut frame = length.to_vec();
        frame.extend_from_slice(&body);
        wire.lock().unwrap().push(frame.clone());
        if to.write_all(&frame).is_err() {
            break;
        }
    }
    let _ = to.shutdown(std::net::Shutdown::Both);
}

/// A proxy in front of `upstream` that logs every frame both ways; returns its address.
fn proxy(upstream: String, wire: Wire) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let Ok(server) = TcpStream::connect(&upstream) else {
                continue;
            };
            let (c2, s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
            let (w1, w2) = (wire.clone(), wire.clone());
            std::thread::spawn(move || pump(client, server, w1));
            std::thread::spawn(move || pump(s2, c2, w2));
        }
    });
    address
}

/// What the day's commands printed, each command's stdout and stderr.
#[derive(Default)]
struct Printed(Vec<(String, Vec<u8>)>);

impl Printed {
    fn run(&mut self, rig: &Rig, args: &[&str]) -> (i32, String) {
        let Output { status, stdout, stderr } = rig
            .posterm(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&stdout).into_owned();
        self.0.push((format!("stdout of posterm {}", args.join(" ")), stdout));
        self.0.push((format!("stderr of posterm {}", args.join(" ")), stderr));
        (status.code().unwrap_or(-1), text)
    }

    /// A transaction with `--json`: its outcome (the last line).
    fn outcome(&mut self, rig: &Rig, args: &[&str]) -> Outcome {
        let mut with_json = vec!["--json"];
        with_json.extend_from_slice(args);
        let (_, out) = self.run(rig, &with_json);
        let line = out.lines().last().unwrap_or_default().to_owned();
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("posterm {}: {e}: {out}", args.join(" ")))
    }
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn a_posterm_day_writes_no_clear_card_data_pin_or_key() {
    let wire: Wire = Arc::default();
    let config = Config {
        response_timeout_ms: 1_000,
        reversal_retry_interval_ms: 200,
        ..Config::default()
    };
    let routed = wire.clone();
    let rig = rig_routed("cleardata", config, move |acquirer| proxy(acquirer.to_owned(), routed));
    let mut printed = Printed::default();
    let approved = |o: &Outcome| assert_eq!(o.result, pos_kernel::OutcomeResult::Approved, "{o:?}");

    let swiped = printed.outcome(&rig, &["sale", "--amount", "12.80"]);
    approved(&swiped);
    let chip = printed.outcome(&rig, &["sale", "--amount", "45.60", "--test-card", "chip"]);
    approved(&chip);
    approved(&printed.outcome(&rig, &["sale", "--amount", "23.50", "--test-card", "tap"]));
    approved(&printed.outcome(&rig, &["balance", "--test-card", "chip"]));
    let wrong_pin = printed.outcome(&rig, &["sale", "--amount", "9.00", "--pin", "739154"]);
    assert!(
        matches!(wrong_pin.result, pos_kernel::OutcomeResult::Declined { .. }),
        "{wrong_pin:?}"
    );
    rig.control("fault drop-reply");
    printed.outcome(&rig, &["sale", "--amount", "30.00"]);
    rig.control("fault bad-mac");
    printed.outcome(&rig, &["sale", "--amount", "31.00", "--test-card", "chip"]);
    rig.control("fault delay-reply");
    printed.outcome(&rig, &["sale", "--amount", "32.00"]);
    let stan = swiped.stan.unwrap().to_string();
    approved(&printed.outcome(&rig, &["void", "--stan", &stan]));
    let receipt = chip.receipt.clone().unwrap();
    let date = receipt.date_time[5..10].replace('-', "");
    approved(&printed.outcome(
        &rig,
        &[
            "refund",
            "--amount",
            "5.60",
            "--rrn",
            &receipt.rrn,
            "--date",
            &date,
            "--test-card",
            "chip",
        ],
    ));
    let hold = printed.outcome(&rig, &["preauth", "--amount", "50.00"]);
    approved(&hold);
    let hold_stan = hold.stan.unwrap().to_string();
    let completed = printed.outcome(&rig, &["complete", "--stan", &hold_stan, "--amount", "52.00"]);
    approved(&completed);
    approved(&printed.outcome(&rig, &["complete-void", "--stan", &completed.stan.unwrap().to_string()]));
    let cancel = printed.outcome(&rig, &["preauth", "--amount", "20.00", "--test-card", "chip"]);
    approved(&printed.outcome(
        &rig,
        &[
            "preauth-cancel",
            "--stan",
            &cancel.stan.unwrap().to_string(),
            "--test-card",
            "chip",
        ],
    ));
    for args in [
        &["status"][..],
        &["journal"],
        &["query", "--stan", &stan],
        &["keys", "status"],
    ] {
        printed.run(&rig, args);
    }
    rig.recover();
    // Money first: the journal and the acquirer's ledger agree (reconcile panics if not).
    let books = rig.books();
    printed.outcome(&rig, &["settle"]);
    // The settled batch went to archive/, which the search below covers like every other file.
    assert_eq!(
        std::fs::read_dir(rig.dir.join("archive")).unwrap().count(),
        1,
        "the batch is archived"
    );
    printed.run(&rig, &["reprint", "--stan", "2"]);
    printed.run(&rig, &["journal"]);
    printed.run(&rig, &["status", "--json"]);

    // What crossed the wire, and the PINs typed on the PIN pad.
    let frames = wire.lock().unwrap().clone();
    let mut secrets = Secrets::from_wire(frames.iter().map(Vec::as_slice));
    for pan in [
        pos_acquirer_sim::cards::MAGSTRIPE_DEBIT,
        pos_acquirer_sim::cards::CHIP_DEBIT,
    ] {
        secrets.pin(pos_acquirer_sim::cards::TEST_PIN, pan);
        secrets.pin("739154", pan);
    }
    secrets.digits("a typed PIN", "739154");
    assert!(
        frames.len() > 30 && secrets.len() > 15,
        "{} frames, {} secrets",
        frames.len(),
        secrets.len()
    );

    let mut searched = 0;
    for path in files(&rig.dir) {
        let bytes = std::fs::read(&path).unwrap();
        searched += bytes.len();
        let found = secrets.find(&bytes);
        assert!(found.is_empty(), "{} holds {found:?}", path.display());
    }
    for (what, bytes) in &printed.0 {
        searched += bytes.len();
        let found = secrets.find(bytes);
        assert!(
            found.is_empty(),
            "{what} holds {found:?}: {}",
            String::from_utf8_lossy(bytes)
        );
    }
    println!(
        "no clear data: {} frames on the wire, {} secrets in every encoding, {searched} bytes searched ({} files, {} outputs)",
        frames.len(),
        secrets.len(),
        files(&rig.dir).len(),
        printed.0.len()
    );
    println!(
        "books before the settlement: {} approved in the journal, {} standing at the acquirer, {} on the exceptions list",
        books.approved, books.standing, books.on_exceptions
    );
}
