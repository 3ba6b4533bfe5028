// Checks of the conversions, run on both sides (the guest's and the host's native tests); the
// host's tests also run the component end to end.
#![allow(clippy::unwrap_used, clippy::panic)]

use pos_kernel::engine::settlement::{SettlementReport, Totals, Verdict};
use pos_kernel::engine::{Event, Output, Query, Status, Timer, TransactionKind};
use pos_kernel::{Config, Timestamp};

use super::{count_from_wit, count_to_wit, wit};

#[test]
fn config_round_trips() {
    let config = Config::default();
    let there: wit::Config = config.clone().into();
    assert_eq!(Config::from(there), config);
}

#[test]
fn counts_saturate_instead_of_panicking() {
    assert_eq!(count_to_wit(7), 7);
    assert_eq!(count_to_wit(usize::MAX), u32::MAX);
    assert_eq!(count_from_wit(u32::MAX), u32::MAX as usize);
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
        tc_uploaded: vec![3, 4],
        ic_failures_uploaded: Vec::new(),
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
        pending_advices: Vec::new(),
        settlement_in_progress: false,
        approved_count: 3,
        net_total: 300,
        debit_total: 400,
        credit_total: 100,
        open_preauths: 1,
        downloads: Default::default(),
        management_due: Vec::new(),
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
fn status_and_outputs_come_back_the_same() {
    let status = Status {
        signed_on: true,
        sign_on_required: true,
        batch: 5,
        last_stan: 41,
        busy: true,
        in_flight: None,
        pending_reversal: None,
        exceptions: Vec::new(),
        pending_refunds: Vec::new(),
        pending_advices: Vec::new(),
        settlement_in_progress: true,
        approved_count: 3,
        net_total: -250,
        debit_total: 100,
        credit_total: 350,
        open_preauths: 1,
        downloads: Default::default(),
        management_due: Vec::new(),
    };
    assert_eq!(Status::from(wit::Status::from(status.clone())), status);
    let event = Output::Event(Event::NotSent {
        stan: 7,
        cause: "connection refused".into(),
    });
    assert_eq!(Output::from(wit::Output::from(event.clone())), event);
}
