#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use super::matcher::{Bucket, Finding};
use super::*;
use crate::engine::{LifeStep, TransactionKind};
use crate::time::CivilDate;

const MERCHANT: &str = "123456789012345";

fn statement(date: &str, lines: &[&str]) -> String {
    let mut text = format!("H|{date}|48020000|{MERCHANT}|1\n");
    let mut count = 0u64;
    let (mut debits, mut credits, mut net) = (0u64, 0u64, 0i64);
    for line in lines {
        let f: Vec<&str> = line.split('|').collect();
        let amount: u64 = f[8].parse().unwrap_or(0);
        if ["23", "25", "21"].contains(&f[7]) {
            credits += amount;
        } else {
            debits += amount;
        }
        net += f[10].parse::<i64>().unwrap_or(0);
        count += 1;
        text.push_str(line);
        text.push('\n');
    }
    text.push_str(&format!("T|{count}|{debits}|{credits}|{net}\n"));
    text
}

const SALE: &str = "D|12345678|000001|000001|1121|100000|622202******0007|22|10000|60|9940|000000000001|000001|N";

fn parse(text: &str) -> Result<Statement, StatementError> {
    Statement::parse(text, MERCHANT)
}

#[test]
fn a_statement_round_trips() {
    let text = statement(
        "20261122",
        &[
            SALE,
            "D|12345678|000001|000002|1121|100100|622202******0007|23|10000|60|-9940|000000000002|000002|N",
            "D|12345678|000001|000003|1121|100200|622588******0001|22|5000|30|0|000000000003|000003|R",
            "D|12345678|000001|000004|1121|100300|622588******0001|22|5000|30|0|000000000004|000004|E",
        ],
    );
    let parsed = parse(&text).unwrap();
    assert_eq!(parsed.entries.len(), 4);
    assert_eq!(parsed.date, CivilDate::parse_yyyymmdd("20261122").unwrap());
    assert_eq!(parsed.entries[1].net, -9940);
    assert_eq!(parsed.entries[2].status, EntryStatus::Reversed);
    assert_eq!(parsed.render(), text);
}

#[test]
fn bad_statements_say_where_and_what() {
    let cases: Vec<(String, u32, Option<u32>, &str)> = vec![
        (String::new(), 1, None, "header"),
        ("X|20261122\n".into(), 1, Some(1), "header"),
        (
            format!("H|20261131|48020000|{MERCHANT}|1\nT|0|0|0|0\n"),
            1,
            Some(3),
            "settlement date",
        ),
        (
            "H|20261122|48020000|999999999999999|1\nT|0|0|0|0\n".into(),
            1,
            Some(21),
            "merchant id",
        ),
        (
            format!("H|20261122|48020000|{MERCHANT}|2\nT|0|0|0|0\n"),
            1,
            Some(37),
            "format version",
        ),
        (
            format!("H|20261122|48020000|{MERCHANT}|1\n{SALE}\n"),
            0,
            None,
            "trailer",
        ),
        (
            statement("20261122", &[&SALE.replace("|10000|60|9940|", "|1000a|60|9940|")]),
            2,
            Some(58),
            "amount",
        ),
        (
            statement("20261122", &[&SALE.replace("|22|", "|99|")]),
            2,
            Some(55),
            "type",
        ),
        (
            statement("20261122", &[&SALE.replace("|N", "|X")]),
            2,
            Some(92),
            "status",
        ),
        (
            statement("20261122", &[&SALE.replace("|9940|", "|9999|")]),
            2,
            Some(67),
            "net",
        ),
        (
            statement("20261122", &[&SALE.replace("622202******0007", "6222020000000007")]),
            2,
            Some(38),
            "card",
        ),
        (statement("20261122", &[SALE, SALE]), 3, None, "entry"),
        (
            statement("20261122", &[SALE]).replace("T|1|10000|0|9940", "T|2|10000|0|9940"),
            3,
            None,
            "trailer entry count (field 2)",
        ),
        (
            statement("20261122", &[SALE]).replace("T|1|10000|0|9940", "T|1|10000|0|9941"),
            3,
            None,
            "trailer net (field 5)",
        ),
        (
            format!("{}D|x\n", statement("20261122", &[SALE])),
            4,
            Some(1),
            "trailer",
        ),
        (
            statement("20261122", &[&SALE.replace("|000001|N", "|000001|N|extra")]),
            2,
            None,
            "entry",
        ),
    ];
    for (text, line, column, field) in cases {
        let error = parse(&text).expect_err(&text);
        assert_eq!(
            (error.line, error.column, error.field.as_str()),
            (line, column, field),
            "{error}"
        );
        assert!(!error.to_string().is_empty());
    }
}

fn transaction(stan: u32, kind: TransactionKind, amount: u64, steps: Vec<LifeStep>, date: &str) -> JournalTransaction {
    let approved = steps.iter().any(|s| matches!(s, LifeStep::Approved { .. }));
    JournalTransaction {
        terminal_id: "12345678".into(),
        batch: 1,
        stan,
        transaction: kind,
        amount: Some(amount),
        card: Some("622202******0007".into()),
        verdict: books::verdict(&steps),
        rrn: approved.then(|| format!("{stan:012}")),
        auth_code: approved.then(|| format!("{stan:06}")),
        date_time: approved.then(|| format!("{date} 10:00:00")),
        settled: true,
        steps,
    }
}

fn approved(stan: u32) -> Vec<LifeStep> {
    vec![
        LifeStep::Sent,
        LifeStep::Approved {
            rrn: format!("{stan:012}"),
            auth_code: format!("{stan:06}"),
        },
    ]
}

fn entry(stan: u32, kind: &str, amount: u64, status: char) -> String {
    let fee = amount * 6 / 1000;
    let net = match status {
        'R' => 0,
        _ if ["23", "25", "21"].contains(&kind) => -((amount - fee) as i64),
        _ => (amount - fee) as i64,
    };
    format!("D|12345678|000001|{stan:06}|1121|100000|622202******0007|{kind}|{amount}|{fee}|{net}|{stan:012}|{stan:06}|{status}")
}

#[test]
fn every_entry_and_transaction_lands_in_one_bucket() {
    use LifeStep::*;
    let sale = TransactionKind::Sale;
    let transactions = vec![
        transaction(1, sale, 10000, approved(1), "2026-11-21"), // credited
        transaction(2, sale, 20000, approved(2), "2026-11-21"), // not on the statement: overdue
        transaction(3, sale, 30000, approved(3), "2026-11-22"), // pending
        transaction(
            4,
            sale,
            40000,
            vec![
                Sent,
                ReversalReason {
                    reason: crate::engine::ReversalReason::NoReply,
                },
                Reversed {
                    response_code: "00".into(),
                },
            ],
            "2026-11-21",
        ), // L
        transaction(
            5,
            sale,
            50000,
            vec![
                Sent,
                ReversalReason {
                    reason: crate::engine::ReversalReason::NoReply,
                },
                ReversalNotConfirmed,
            ],
            "2026-11-21",
        ), // charged
        transaction(6, sale, 60000, approved(6), "2026-11-21"), // amount differs
        transaction(
            7,
            sale,
            70000,
            vec![
                Sent,
                Declined {
                    response_code: "51".into(),
                },
            ],
            "2026-11-21",
        ), // not charged
        transaction(8, sale, 80000, approved(8), "2026-11-21"), // R after approval
        transaction(9, sale, 90000, approved(9), "2026-11-21"), // held
        transaction(10, sale, 10000, approved(10), "2026-11-21"), // its RRN under STAN 11
        transaction(12, sale, 12000, approved(12), "2026-11-10"), // not covered
    ];
    let day1 = statement(
        "20261122",
        &[
            &entry(1, "22", 10000, 'N'),
            &entry(4, "22", 40000, 'L'),
            &entry(5, "22", 50000, 'N'),
            &entry(6, "22", 60001, 'N'),
            &entry(8, "22", 80000, 'R'),
            &entry(9, "22", 90000, 'E'),
            &entry(11, "22", 10000, 'N').replace("|000000000011|", "|000000000010|"),
            &entry(13, "22", 1300, 'N'),
            &entry(14, "22", 1400, 'N').replace("D|12345678|", "D|87654321|"),
        ],
    );
    let day2 = statement("20261123", &[]);
    let statements = vec![parse(&day1).unwrap(), parse(&day2).unwrap()];
    let items = match_books(&statements, &transactions).unwrap();
    // Each entry once, each transaction once.
    let entries: usize = statements.iter().map(|s| s.entries.len()).sum();
    assert_eq!(items.iter().filter(|i| i.entry.is_some()).count(), entries);
    let mut seen: Vec<u32> = items.iter().filter_map(|i| i.transaction).collect();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), transactions.len());
    let finding_of_stan = |stan: u32| {
        items
            .iter()
            .filter(|i| {
                i.transaction.map(|t| transactions[t as usize].stan) == Some(stan)
                    || i.entry
                        .is_some_and(|e| statements[e.statement as usize].entries[e.index as usize].stan == stan)
            })
            .map(|i| i.finding)
            .collect::<Vec<_>>()
    };
    let day = |s: &str| CivilDate::parse_yyyymmdd(s).unwrap();
    assert_eq!(finding_of_stan(1), [Finding::Credited]);
    assert_eq!(finding_of_stan(2), [Finding::Overdue { due: day("20261123") }]);
    assert_eq!(finding_of_stan(3), [Finding::Pending { due: day("20261124") }]);
    assert_eq!(finding_of_stan(4), [Finding::LateApproval]);
    assert_eq!(finding_of_stan(5), [Finding::ChargedAfterUnconfirmedReversal]);
    assert_eq!(finding_of_stan(6), [Finding::AmountDiffers]);
    assert_eq!(finding_of_stan(7), [Finding::NotCharged]);
    assert_eq!(finding_of_stan(8), [Finding::ReversedAfterApproval]);
    assert_eq!(finding_of_stan(9), [Finding::Held]);
    assert_eq!(finding_of_stan(11), [Finding::RrnUnderOtherStan { stan: 10 }]);
    assert_eq!(
        finding_of_stan(10),
        [Finding::Overdue { due: day("20261123") }],
        "an RRN under another STAN is reported, not used to pair"
    );
    assert_eq!(
        finding_of_stan(12),
        [Finding::NotCovered {
            first: day("20261111"),
            last: day("20261112")
        }]
    );
    assert_eq!(finding_of_stan(13), [Finding::UnknownToTerminal]);
    assert_eq!(finding_of_stan(14), [Finding::OtherTerminal]);

    let report = report(&statements, &transactions, &items, false);
    assert_eq!(report.action, Action::Chase);
    assert_eq!(report.summary.credited.count, 1);
    assert_eq!(report.summary.pending.count, 2, "pending and not covered");
    let bucket = |b: Bucket| report.summary.buckets.iter().find(|(x, _)| *x == b).unwrap().1;
    assert_eq!(bucket(Bucket::ChargedNotApproved).count, 3);
    assert_eq!(bucket(Bucket::ChargedNotApproved).amount, 40000 + 50000 + 1300);
    // The day: the credited sale's expected net equals the statement's; the rest explains the gap.
    let sales = &report.days[0].by_type[0];
    assert_eq!(sales.expected, 10000 - 60);
    assert_eq!(report.days[0].net, statements[0].totals().net);
    // Guidance names what the acquirer needs.
    let overdue = report.lines.iter().find(|l| l.facts.stan == 2).unwrap();
    assert!(
        overdue.guidance.en.contains("RRN 000000000002"),
        "{}",
        overdue.guidance.en
    );
    assert!(overdue.guidance.zh.contains("参考号 000000000002"));
    assert!(overdue.guidance.en.contains("terminal 12345678"));
}

#[test]
fn an_inconsistent_set_is_refused_whole() {
    let one = parse(&statement("20261122", &[SALE])).unwrap();
    let again = parse(&statement("20261123", &[SALE])).unwrap();
    assert!(matches!(
        match_books(&[one.clone(), again], &[]),
        Err(SetError::Duplicate { stan: 1, .. })
    ));
    assert!(matches!(
        match_books(&[one.clone(), one], &[]),
        Err(SetError::SameDate(_))
    ));
}
