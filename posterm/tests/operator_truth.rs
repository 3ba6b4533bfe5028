//! Operator truth with real processes (docs/architecture.md, "Operator truth"): what never left
//! is "failed, nothing charged" with its cause; a command after a crash waits for the pending
//! reversal instead of answering "busy"; a closed output pipe is not a failure; read-only commands
//! change no file; a read-only directory is reported and, once fixed, one `settle` finishes; a
//! journal that lost records, went missing or belongs to another terminal id is refused until
//! the operator chooses (`posterm recover`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::fs;
use std::path::Path;
use std::time::Duration;

use common::rig::{free_address, rig, Rig};
use common::run;
use pos_kernel::OutcomeResult;
use std::process::{Command, Stdio};

/// Points the terminal's config.toml at another acquirer address.
fn set_acquirer(rig: &Rig, from: &str, to: &str) {
    let path = rig.dir.join("config.toml");
    let text = fs::read_to_string(&path).unwrap();
    let changed = text.replace(&format!("acquirer = \"{from}\""), &format!("acquirer = \"{to}\""));
    assert_ne!(text, changed);
    fs::write(path, changed).unwrap();
}

#[test]
fn an_unreachable_acquirer_is_failed_nothing_charged_with_the_cause() {
    let rig = rig("unreachable");
    let nobody = free_address();
    set_acquirer(&rig, &rig.address, &nobody);
    let (code, stdout, stderr) = run(&mut rig.posterm(&["sale", "--amount", "66.00"]));
    assert_eq!(code, 3, "failed, nothing charged: {stdout}{stderr}");
    assert!(
        stdout.contains(&format!("cannot reach the acquirer at {nobody}")),
        "{stdout}"
    );
    assert!(stdout.contains("Nothing was sent, nothing was charged"), "{stdout}");
    assert!(!stdout.contains("may have been charged"), "{stdout}");
    set_acquirer(&rig, &nobody, &rig.address);
    let status = rig.status();
    assert_eq!(status.pending_reversal, None, "no reversal for what never left");
    assert!(status.exceptions.is_empty(), "no exception for what never left");
    assert_eq!(rig.books().standing, 0);
}

#[test]
fn an_address_that_is_not_one_is_refused_with_its_field() {
    let rig = rig("bad-address");
    set_acquirer(&rig, &rig.address, "localhost-5900");
    let (code, _, stderr) = run(&mut rig.posterm(&["sale", "--amount", "1.00"]));
    assert_eq!(code, 6, "{stderr}");
    assert!(
        stderr.contains("host.acquirer") && stderr.contains("host:port"),
        "{stderr}"
    );
}

#[test]
fn after_a_crash_the_next_sale_waits_for_the_reversal_and_is_not_busy() {
    let rig = rig("not-busy");
    for round in 0..3 {
        rig.control("fault delay-reply");
        let mut child = rig.posterm(&["sale", "--amount", "30.00"]).spawn().unwrap();
        std::thread::sleep(Duration::from_millis(400));
        child.kill().unwrap(); // SIGKILL with the sale in flight
        child.wait().unwrap();
        let (code, stdout, stderr) = run(&mut rig.posterm(&["sale", "--amount", "7.00"]));
        assert!(!stdout.contains("busy"), "round {round}: {stdout}");
        assert_eq!(code, 0, "round {round}: {stdout}{stderr}");
        assert!(
            stderr.contains("sending the reversal"),
            "round {round}: the reversal went first: {stderr}"
        );
    }
    let books = rig.books();
    assert_eq!(books.standing, 3);
}

#[test]
fn a_closed_output_pipe_is_not_a_failure() {
    let rig = rig("epipe");
    let mut child = rig
        .posterm(&["sale", "--amount", "12.00"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // nobody reads what posterm prints
    drop(child.stderr.take());
    let code = child.wait().unwrap().code();
    assert_eq!(code, Some(0), "the approved sale's exit code, not a panic (101)");
    assert_eq!(rig.books().standing, 1);
}

fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                fs::read(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

#[test]
fn read_only_commands_change_no_file_even_on_a_damaged_journal() {
    let rig = rig("read-only");
    for amount in ["1.00", "2.00", "3.00"] {
        assert_eq!(run(&mut rig.posterm(&["sale", "--amount", amount])).0, 0);
    }
    let journal = rig.dir.join("journal.pjl");
    // A torn tail, as a crash during an append leaves it.
    let mut bytes = fs::read(&journal).unwrap();
    bytes.extend_from_slice(&[90, 0, 0, 0, 1, 2, 3]);
    fs::write(&journal, &bytes).unwrap();
    let before = snapshot(&rig.dir);
    for args in [&["status"][..], &["query", "--stan", "2"], &["journal"]] {
        let (code, stdout, stderr) = run(&mut rig.posterm(args));
        assert_eq!(code, 0, "{args:?}: {stdout}{stderr}");
        assert!(stderr.contains("damaged tail"), "{args:?} reports the damage: {stderr}");
        assert_eq!(snapshot(&rig.dir), before, "{args:?} changed a file");
    }
    // Hand-truncated: refused, reported, still untouched.
    fs::write(&journal, &bytes[..bytes.len() - 200]).unwrap();
    let before = snapshot(&rig.dir);
    for args in [&["status"][..], &["query", "--stan", "2"], &["journal"]] {
        let (code, _, stderr) = run(&mut rig.posterm(args));
        assert_eq!(code, 9, "{args:?}: {stderr}");
        assert!(stderr.contains("refused"), "{args:?}: {stderr}");
        assert_eq!(snapshot(&rig.dir), before, "{args:?} changed a file");
    }
}

#[test]
fn a_lost_journal_is_refused_until_the_operator_chooses() {
    let rig = rig("lost");
    for i in 0..6 {
        assert_eq!(run(&mut rig.posterm(&["sale", "--amount", &format!("{i}.50")])).0, 0);
    }
    let journal = rig.dir.join("journal.pjl");
    let full = fs::read(&journal).unwrap();
    let last_stan = rig.status().last_stan;

    // Truncated to 1000 bytes: more than a torn tail is gone.
    fs::write(&journal, &full[..1000]).unwrap();
    let (code, stdout, stderr) = run(&mut rig.posterm(&["sale", "--amount", "9.00"]));
    assert_eq!(code, 9, "{stdout}{stderr}");
    assert!(stderr.contains("refused") && stderr.contains("recover"), "{stderr}");
    assert_eq!(fs::read(&journal).unwrap(), &full[..1000], "not cut");
    assert_eq!(
        rig.standing(),
        6,
        "nothing was sent: the acquirer still has the six sales"
    );

    // Deleted: refused, never a new terminal at STAN 000001.
    fs::remove_file(&journal).unwrap();
    let (code, _, stderr) = run(&mut rig.posterm(&["sign-on"]));
    assert_eq!(code, 9, "{stderr}");
    assert!(stderr.contains("missing"), "{stderr}");

    // The real journal comes back: accepted.
    fs::write(&journal, &full).unwrap();
    assert_eq!(run(&mut rig.posterm(&["sale", "--amount", "9.00"])).0, 0);

    // terminal_id changed under the journal: refused.
    let config = rig.dir.join("config.toml");
    let text = fs::read_to_string(&config).unwrap();
    fs::write(
        &config,
        text.replace("terminal_id = \"10000001\"", "terminal_id = \"10000002\""),
    )
    .unwrap();
    let (code, _, stderr) = run(&mut rig.posterm(&["sale", "--amount", "9.00"]));
    assert_eq!(code, 9, "{stderr}");
    assert!(stderr.contains("10000001") && stderr.contains("10000002"), "{stderr}");
    fs::write(&config, &text).unwrap();

    // Lost again, and this time the operator starts a new journal above every STAN used.
    let full = fs::read(&journal).unwrap();
    fs::write(&journal, &full[..1000]).unwrap();
    let (code, stdout, _) = run(&mut rig.posterm(&["recover"]));
    assert_eq!(code, 9, "recover alone only explains: {stdout}");
    assert!(stdout.contains("--new-journal"), "{stdout}");
    let (code, stdout, stderr) = run(&mut rig.posterm(&["recover", "--new-journal"]));
    assert_eq!(code, 0, "{stdout}{stderr}");
    let aside = fs::read_dir(&rig.dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("refused-"))
        .expect("the refused journal kept aside");
    assert_eq!(fs::read(aside.join("journal.pjl")).unwrap(), &full[..1000]);
    let status = rig.status();
    assert!(!status.signed_on, "a new journal starts signed off");
    assert!(
        status.last_stan > last_stan,
        "STAN {} reused (last was {last_stan})",
        status.last_stan
    );
    assert_eq!(run(&mut rig.posterm(&["sign-on"])).0, 0);
    let (code, stdout, _) = run(&mut rig.posterm(&["--json", "sale", "--amount", "4.00"]));
    assert_eq!(code, 0);
    let outcome: pos_kernel::Outcome = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert_eq!(outcome.result, OutcomeResult::Approved);
    assert!(outcome.stan.unwrap() > last_stan + 1);
}

/// Runs as the unprivileged user `nobody` when the tests run as root (root writes anywhere).
fn as_user(rig: &Rig, args: &[&str]) -> Command {
    let root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0"));
    let mut command = rig.posterm(args);
    if root {
        let program = command.get_program().to_owned();
        let arguments: Vec<_> = command.get_args().map(ToOwned::to_owned).collect();
        command = Command::new("setpriv");
        command
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(program)
            .args(arguments)
            .stdin(Stdio::null());
    }
    command
}

#[test]
fn a_read_only_directory_is_reported_and_one_settle_finishes_once_fixed() {
    use std::os::unix::fs::PermissionsExt;
    let rig = rig("read-only-dir");
    assert_eq!(run(&mut rig.posterm(&["sale", "--amount", "5.00"])).0, 0);
    // The terminal directory belongs to the user posterm runs as, who then loses write access.
    let chown = |dir: &Path| {
        let _ = Command::new("chown").args(["-R", "65534"]).arg(dir).status();
    };
    chown(&rig.dir);
    fs::set_permissions(&rig.dir, fs::Permissions::from_mode(0o555)).unwrap();
    let (code, stdout, stderr) = run(&mut as_user(&rig, &["settle"]));
    assert_eq!(code, 6, "{stdout}{stderr}");
    assert!(
        stderr.contains("cannot create files in the terminal directory"),
        "{stderr}"
    );
    assert!(stderr.contains("Permission denied"), "the cause: {stderr}");
    fs::set_permissions(&rig.dir, fs::Permissions::from_mode(0o755)).unwrap();
    let (code, stdout, stderr) = run(&mut as_user(&rig, &["settle"]));
    assert_eq!(code, 0, "one settle finishes: {stdout}{stderr}");
    assert!(stdout.contains("SETTLED"), "{stdout}");
}
