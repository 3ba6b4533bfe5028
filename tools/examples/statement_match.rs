//! Statement reconciliation at scale (issue 13, docs/PERFORMANCE.md): a merchant with
//! TERMINALS terminals × SALES transactions a day over DAYS days, against one statement set,
//! and one terminal's day. Prints time and peak memory for reading the statements (the file
//! format), listing the terminal's transactions from its archive, matching, and summing up.
//! Figures, not pass/fail.
//!
//! `cargo run --release -p pos-tools --example statement_match [TERMINALS SALES DAYS]`
//! (default 1000 500 7: 3.5 million entries).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation,
    clippy::needless_range_loop
)]

use std::time::{Duration, Instant};

use pos_kernel::engine::{LifeStep, TransactionKind};
use pos_kernel::reconcile::report::summarize;
use pos_kernel::reconcile::{match_books, EntryStatus, JournalTransaction, JournalVerdict, Statement, StatementEntry};
use pos_kernel::time::CivilDate;

const MERCHANT: &str = "123456789012345";

/// Peak resident memory of the process since the last reset, in MiB (Linux `VmHWM`).
fn peak_mib() -> f64 {
    status_mib("VmHWM:")
}

/// Resident memory now, in MiB.
fn resident_mib() -> f64 {
    status_mib("VmRSS:")
}

fn status_mib(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Resets the peak to the current size, so the next figure is the step's own.
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn timed<T>(label: &str, per: usize, f: impl FnOnce() -> T) -> T {
    reset_peak();
    let before = resident_mib();
    let start = Instant::now();
    let value = f();
    let elapsed = start.elapsed();
    let peak = peak_mib();
    println!(
        "  {label:<40} {:>8.3} s  {:>7.1} ns/item  peak RSS {:>7.1} MiB (+{:.1} MiB for the step)",
        elapsed.as_secs_f64(),
        ns_per(elapsed, per),
        peak,
        (peak - before).max(0.0)
    );
    value
}

fn ns_per(elapsed: Duration, n: usize) -> f64 {
    elapsed.as_secs_f64() * 1e9 / n.max(1) as f64
}

/// The books of a merchant: every terminal's approved sales, one statement per day listing them
/// (a few reversed, late or missing, so every path of the matcher runs).
fn books(terminals: usize, sales: usize, days: usize) -> (Vec<JournalTransaction>, Vec<Statement>) {
    let first = CivilDate::parse_yyyymmdd("20261121").unwrap();
    let mut transactions = Vec::with_capacity(terminals * sales * days);
    let mut statements: Vec<Statement> = (0..days)
        .map(|d| Statement {
            date: first.plus_days(d as i64 + 1),
            acquirer_id: "48020000".into(),
            merchant_id: MERCHANT.into(),
            entries: Vec::with_capacity(terminals * sales),
        })
        .collect();
    let mut rrn = 0u64;
    for day in 0..days {
        let date = first.plus_days(day as i64);
        let (_, month, dom) = date.ymd();
        for terminal in 0..terminals {
            let terminal_id = format!("{:08}", 10_000_000 + terminal);
            let batch = day as u32 + 1;
            for n in 0..sales {
                rrn += 1;
                let stan = (day * sales + n) as u32 % 999_999 + 1;
                let amount = 100 + (rrn % 50_000);
                let time = format!("{:02}{:02}{:02}", 9 + n / 60 % 12, n % 60, (n * 7) % 60);
                let rrn_text = format!("{rrn:012}");
                let auth = format!("{:06}", rrn % 1_000_000);
                let late = rrn.is_multiple_of(10_007);
                let missing = rrn.is_multiple_of(20_011);
                let reversed = rrn.is_multiple_of(997);
                let fee = (amount * 60 + 5_000) / 10_000;
                let status = if reversed {
                    EntryStatus::Reversed
                } else if late {
                    EntryStatus::Late
                } else {
                    EntryStatus::Normal
                };
                let approved = !reversed && !late;
                transactions.push(JournalTransaction {
                    terminal_id: terminal_id.clone(),
                    batch,
                    stan,
                    transaction: TransactionKind::Sale,
                    amount: Some(amount),
                    card: Some("622202******0007".into()),
                    verdict: if approved {
                        JournalVerdict::Approved
                    } else {
                        JournalVerdict::NotApproved
                    },
                    rrn: approved.then(|| rrn_text.clone()),
                    auth_code: approved.then(|| auth.clone()),
                    date_time: approved.then(|| {
                        format!(
                            "{}-{month:02}-{dom:02} {}:{}:{}",
                            date.ymd().0,
                            &time[0..2],
                            &time[2..4],
                            &time[4..6]
                        )
                    }),
                    settled: true,
                    steps: vec![LifeStep::Sent],
                });
                if missing {
                    continue;
                }
                statements[day].entries.push(StatementEntry {
                    line: 0,
                    terminal_id: terminal_id.clone(),
                    batch,
                    stan,
                    date: format!("{month:02}{dom:02}"),
                    time,
                    card: "622202******0007".into(),
                    transaction: TransactionKind::Sale,
                    amount,
                    fee,
                    net: if reversed { 0 } else { (amount - fee) as i64 },
                    rrn: rrn_text,
                    auth_code: auth,
                    status,
                });
            }
        }
    }
    (transactions, statements)
}

fn run(terminals: usize, sales: usize, days: usize) {
    println!("\n{terminals} terminal(s) × {sales} transactions a day × {days} day(s):");
    let (transactions, statements) = books(terminals, sales, days);
    let entries: usize = statements.iter().map(|s| s.entries.len()).sum();
    println!(
        "  {} statement entries, {} journal transactions",
        entries,
        transactions.len()
    );
    let texts: Vec<String> = statements.iter().map(Statement::render).collect();
    let bytes: usize = texts.iter().map(String::len).sum();
    println!("  statement files: {:.1} MB", bytes as f64 / 1e6);
    drop(statements);
    let parsed: Vec<Statement> = timed("read the statements (parse, check)", entries, || {
        texts.iter().map(|t| Statement::parse(t, MERCHANT).unwrap()).collect()
    });
    drop(texts);
    // Three rounds of matching: a shared machine's noise only adds time, so the best counts.
    let mut items = Vec::new();
    for round in 1..=3 {
        drop(items);
        items = timed(&format!("match (round {round})"), entries + transactions.len(), || {
            match_books(&parsed, &transactions).unwrap()
        });
    }
    let (summary, _) = timed("sum up (buckets, days)", items.len(), || {
        summarize(&parsed, &transactions, &items)
    });
    println!(
        "  credited {}, pending {}, to chase {} (of {} items)",
        summary.credited.count,
        summary.pending.count,
        summary.to_chase.count,
        items.len()
    );
}

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let (terminals, sales, days) = match args.as_slice() {
        [t, s, d] => (*t, *s, *d),
        _ => (1000, 500, 7),
    };
    println!(
        "statement reconciliation (release build, one core; ns per item: per statement line for reading, per line + transaction for matching, per bucket item for summing up)"
    );
    run(1, sales, 1);
    run(terminals, sales, days);
}
