//! Was I paid? (rule 17) and reprint (rule 18) with real processes: sales against a `posterm
//! acquirer` process, one approved by the bank only after the terminal gave up (a late
//! approval), a settlement; the statement fetched with `posterm acquirer-control statement`;
//! `posterm reconcile` finds the late approval (exit 11, in the table and in --json), refuses a
//! statement whose trailer does not add up (exit 12, with the line); `posterm reprint` prints
//! the last receipt, a receipt of the settled batch and the settlement report again, marked.
//! Neither command changes a file.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::fs;
use std::path::Path;

use common::rig::rig;
use common::run;
use pos_kernel::reconcile::{Action, Finding, Report};

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    for entry in walk(dir) {
        files.push((entry.display().to_string(), fs::read(&entry).unwrap()));
    }
    files.sort();
    files
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn the_statement_finds_the_late_approval_and_receipts_print_again() {
    let rig = rig("reconcile");
    let (code, first, _) = run(&mut rig.posterm(&["sale", "--amount", "12.34"]));
    assert_eq!(code, 0, "{first}");
    rig.control("fault late-approval");
    let (code, late, _) = run(&mut rig.posterm(&["sale", "--amount", "385.00"]));
    assert_eq!(
        code, 4,
        "the terminal reversed it (the bank found nothing to reverse): {late}"
    );
    assert_eq!(run(&mut rig.posterm(&["sale", "--amount", "20.00"])).0, 0);
    let (code, settled, _) = run(&mut rig.posterm(&["settle"]));
    assert_eq!(
        code, 8,
        "the bank's totals hold the late approval: unbalanced: {settled}"
    );
    assert!(
        fs::read_dir(rig.dir.join("archive")).unwrap().count() == 1,
        "the settled batch is archived"
    );

    // The bank's statements, as a merchant fetches them.
    let dates = rig.control("statement-dates");
    let mut statements = Vec::new();
    for date in dates.split_whitespace() {
        let mut fetch = std::process::Command::new(env!("CARGO_BIN_EXE_posterm"));
        fetch.args([
            "acquirer-control",
            "--address",
            &rig.address,
            "statement",
            "--date",
            date,
        ]);
        let (code, text, stderr) = run(&mut fetch);
        assert_eq!(code, 0, "{stderr}");
        assert!(text.starts_with(&format!("H|{date}|")), "{text}");
        let path = rig.dir.with_extension(format!("statement-{date}.txt"));
        fs::write(&path, text).unwrap();
        statements.push(path);
    }
    let mut args = vec!["reconcile".to_owned()];
    for path in &statements {
        args.extend(["--statement".to_owned(), path.display().to_string()]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let before = files(&rig.dir);

    let (code, table, stderr) = run(&mut rig.posterm(&args));
    assert_eq!(code, 11, "money to chase: {table}{stderr}");
    assert!(table.contains("after the terminal's timeout (L)"), "{table}");
    assert!(table.contains("STAN 000003") && table.contains("385.00"), "{table}");
    assert!(table.contains("credited 已到账"), "{table}");

    let mut json_args = args.clone();
    json_args.push("--json");
    let (code, json, _) = run(&mut rig.posterm(&json_args));
    assert_eq!(code, 11);
    let report: Report = serde_json::from_str(&json).unwrap();
    assert_eq!(report.action, Action::Chase);
    let late: Vec<_> = report
        .lines
        .iter()
        .filter(|l| l.finding == Finding::LateApproval)
        .collect();
    assert_eq!(late.len(), 1, "{report:?}");
    assert_eq!(late[0].facts.stan, 3);
    assert_eq!(late[0].facts.amount, Some(38_500));
    assert_eq!(report.summary.credited.count, 2, "the two approved sales");

    // A statement altered after it was written is refused whole, with where.
    let altered = rig.dir.with_extension("statement-altered.txt");
    let text = fs::read_to_string(&statements[0]).unwrap();
    fs::write(&altered, text.replacen("|N\n", "|E\n", 1).replacen("T|", "T|9", 1)).unwrap();
    let (code, out, stderr) = run(&mut rig.posterm(&["reconcile", "--statement", altered.to_str().unwrap()]));
    assert_eq!(code, 12, "{out}{stderr}");
    assert!(
        stderr.contains("statement line") && stderr.contains("nothing was matched"),
        "{stderr}"
    );

    // Reprints: marked, otherwise the receipt as printed.
    let (code, last, _) = run(&mut rig.posterm(&["reprint"]));
    assert_eq!(code, 0);
    assert!(last.starts_with("重打印 / REPRINT"), "{last}");
    assert!(last.contains("RMB 20.00"), "the newest approved sale: {last}");
    let (code, old, _) = run(&mut rig.posterm(&["reprint", "--stan", "2"]));
    assert_eq!(code, 0, "from the archive");
    assert!(old.contains("RMB 12.34"), "{old}");
    for line in old.lines().skip(1) {
        assert!(
            first.contains(line.trim()),
            "`{line}` was not on the first receipt:\n{first}"
        );
    }
    let (code, report, _) = run(&mut rig.posterm(&["reprint", "--settlement"]));
    assert_eq!(code, 0);
    assert!(
        report.contains("结算 SETTLEMENT") && report.contains("did not agree"),
        "{report}"
    );
    let (code, _, stderr) = run(&mut rig.posterm(&["reprint", "--stan", "3"]));
    assert_eq!(code, 3, "the late approval was not approved at the terminal: {stderr}");
    assert!(stderr.contains("not approved"), "{stderr}");

    assert_eq!(files(&rig.dir), before, "reconcile and reprint changed a file");
    for path in statements {
        let _ = fs::remove_file(path);
    }
    let _ = fs::remove_file(altered);
}
