//! Native checks of the conversions (the host-side tests exercise the component end to end).
#![allow(clippy::unwrap_used, clippy::panic)]

use pos_kernel::engine::settlement::{SettlementReport, Totals, Verdict};
use pos_kernel::engine::{Event, Output, Query, Status, Timer, TransactionKind};
use pos_kernel::{Config, Timestamp};

use super::count;
use crate::pos::kernel::types as wit;

#[test]
fn config_round_trips() {
    let config = Config::default();
    let there: wit::Config = config.clone().into();
    assert_eq!(Config::from(there), config);
}

#[test]
fn counts_saturate_instead_of_panicking() {
    assert_eq!(count(7), 7);
    assert_eq!(count(usize::MAX), u32::MAX);
}

#[test]
fn events_keep_their_payloads() {
    let sending = wit::Event::from(Event::Sending {
        transaction: TransactionKind::Sale,
        stan: 12,
    });
    assert!(matches!(
        sending,
        wit::Event::Sending(wit::StanOf {
            transaction: wit::TransactionKind::Sale,
            stan: 12
        })
    ));
    let verdict = wit::Event::from(Event::CardVerdictRequired {
        stan: 3,
        issuer_data: vec![0x91, 0x00],
    });
    assert!(
        matches!(verdict, wit::Event::CardVerdictRequired(wit::IssuerData { stan: 3, ref data }) if data == &[0x91, 0x00])
    );
    let step = wit::Event::from(Event::SettlementStep {
        phase: "upload 1/2".into(),
    });
    assert!(matches!(step, wit::Event::SettlementStep(ref p) if p == "upload 1/2"));
}

#[test]
fn timers_carry_their_deadline() {
    let armed = wit::Output::from(Output::ArmTimer {
        timer: Timer::Retry,
        at: Timestamp(1_700_000_000_000),
    });
    assert!(matches!(
        armed,
        wit::Output::ArmTimer(wit::TimerDeadline {
            timer: wit::Timer::Retry,
            at: 1_700_000_000_000
        })
    ));
    assert_eq!(Timer::from(wit::Timer::Response), Timer::Response);
}

#[test]
fn settlement_report_uploaded_saturates() {
    let report = SettlementReport {
        batch: 2,
        domestic: Totals::default(),
        foreign: Totals::default(),
        by_type: Vec::new(),
        domestic_result: Verdict::Unbalanced,
        foreign_result: Verdict::Balanced,
        uploaded: usize::MAX,
        open_exceptions: Vec::new(),
    };
    let report = wit::SettlementReport::from(report);
    assert_eq!(report.uploaded, u32::MAX);
    assert_eq!(report.domestic_result, wit::Verdict::Unbalanced);
}

#[test]
fn status_counts_convert() {
    let status = Status {
        signed_on: true,
        sign_on_required: false,
        batch: 5,
        last_stan: 41,
        busy: false,
        in_flight: None,
        pending_reversal: None,
        exceptions: Vec::new(),
        pending_refunds: Vec::new(),
        settlement_in_progress: false,
        approved_count: 3,
        approved_total: 300,
        debit_total: 400,
        credit_total: 100,
        open_preauths: 1,
    };
    let status = wit::Status::from(status);
    assert_eq!(
        (status.approved_count, status.open_preauths, status.last_stan),
        (3, 1, 41)
    );
}

#[test]
fn queries_convert() {
    assert_eq!(Query::from(wit::Query::Stan(9)), Query::Stan(9));
    assert_eq!(
        Query::from(wit::Query::Rrn("123456789012".into())),
        Query::Rrn("123456789012".into())
    );
}

#[test]
fn a_bad_configuration_names_its_field() {
    let config = wit::Config {
        terminal_id: "short".into(),
        ..Config::default().into()
    };
    let error = pos_kernel::Terminal::new(config.into(), Box::new(crate::security::HostSecurity))
        .map(|_| ())
        .unwrap_err()
        .to_string();
    assert!(error.contains("terminal_id"), "{error}");
}
