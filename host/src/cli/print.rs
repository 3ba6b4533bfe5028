//! How outcomes look to an operator, and what exit code they give.

use pos_kernel::engine::{Outcome, OutcomeResult, ReversalReason};

/// Exit codes: distinct for approved, declined, failed and usage errors.
pub mod exit {
    pub const APPROVED: u8 = 0;
    pub const DECLINED: u8 = 1;
    /// clap's usage errors exit with 2.
    pub const USAGE: u8 = 2;
    /// Nothing was charged: failed before sending, or a non-financial request failed.
    pub const FAILED: u8 = 3;
    /// The outcome was unknown and the reversal was confirmed: nothing was charged.
    pub const REVERSED: u8 = 4;
    /// The reversal was not confirmed: the card may have been charged; contact the acquirer.
    pub const REVERSAL_NOT_CONFIRMED: u8 = 5;
    /// The host itself failed (configuration, journal, component).
    pub const HOST_ERROR: u8 = 6;
}

pub fn exit_code(outcome: &Outcome) -> u8 {
    match outcome.result {
        OutcomeResult::Approved => exit::APPROVED,
        OutcomeResult::Declined { .. } => exit::DECLINED,
        OutcomeResult::Failed { .. } => exit::FAILED,
        OutcomeResult::Reversed { .. } => exit::REVERSED,
        OutcomeResult::ReversalFailed { .. } => exit::REVERSAL_NOT_CONFIRMED,
    }
}

pub fn money(minor: u64) -> String {
    format!("{}.{:02}", minor / 100, minor % 100)
}

pub fn outcome(outcome: &Outcome) {
    let (zh, en) = outcome.transaction.label();
    let stan = outcome.stan.map(|s| format!(" {s:06}")).unwrap_or_default();
    let result = match &outcome.result {
        OutcomeResult::Approved => "APPROVED".to_owned(),
        OutcomeResult::Declined { response_code } => format!("DECLINED {response_code}"),
        OutcomeResult::Failed { reason } => format!("FAILED {}", serde_json::to_string(reason).unwrap_or_default()),
        OutcomeResult::Reversed {
            reason: ReversalReason::CardDeclined,
        } => "DECLINED BY THE CARD, REVERSED (06)".into(),
        OutcomeResult::Reversed { reason } => format!("UNKNOWN, REVERSED ({})", reason.code()),
        OutcomeResult::ReversalFailed { reason } => format!("UNKNOWN, REVERSAL NOT CONFIRMED ({})", reason.code()),
    };
    println!("== {en} {zh}{stan}: {result}");
    let g = &outcome.guidance;
    println!("   cardholder: {} / {}", g.cardholder.en, g.cardholder.zh);
    println!("   merchant:   {} / {}", g.merchant.en, g.merchant.zh);
    if let Some(balance) = &outcome.balance {
        println!("   balance: {balance}");
    }
    if let Some(receipt) = &outcome.receipt {
        println!("   ---- receipt ----");
        for line in receipt.render().lines() {
            println!("   {line}");
        }
    }
    if let Some(report) = &outcome.settlement {
        println!(
            "   batch {:06}: domestic {:?}, foreign {:?}",
            report.batch, report.domestic_result, report.foreign_result
        );
        for line in &report.by_type {
            println!(
                "   {:<16} {:>3}  RMB {:>12}",
                format!("{:?}", line.transaction),
                line.count,
                money(line.amount)
            );
        }
        println!(
            "   uploaded: {}, open exceptions: {}",
            report.uploaded,
            report.open_exceptions.len()
        );
    }
}
