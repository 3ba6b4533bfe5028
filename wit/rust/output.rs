// What the kernel hands back: outputs, events, and the outcome with its guidance, receipt and
// settlement report.

use pos_kernel::engine::settlement::SettlementReport;
use pos_kernel::engine::{CardReaderData, CardRequest, Event, FailReason, Interfaces, Output, PinRequest, Receipt};
use pos_kernel::guidance::Guidance;
use pos_kernel::{Outcome, OutcomeResult, Timestamp};

use super::{two_way_record, wit};

two_way_record!(Outcome <=> wit::Outcome {
    transaction: into, stan, result: into, guidance: into, receipt: option, balance, settlement: option,
});
two_way_record!(CardRequest <=> wit::CardRequest {
    transaction: into, amount, interfaces: into, fallback, prompt: into, deadline: timestamp,
});
two_way_record!(Interfaces <=> wit::Interfaces { magstripe, chip, contactless });
two_way_record!(CardReaderData <=> wit::CardReaderData { ca_keys: list, aids: list });
two_way_record!(PinRequest <=> wit::PinRequest { transaction: into, amount, prompt: into, deadline: timestamp });
two_way_record!(Guidance <=> wit::Guidance { category: into, cardholder: into, merchant: into });
two_way_record!(Receipt <=> wit::Receipt {
    merchant_name, merchant_id, terminal_id, transaction: into, card, entry: into, amount, currency, batch, stan,
    rrn, auth_code, date_time,
});
two_way_record!(SettlementReport <=> wit::SettlementReport {
    batch, domestic: into, foreign: into, by_type: list, domestic_result: into, foreign_result: into,
    uploaded: count, tc_uploaded, ic_failures_uploaded, open_exceptions: list,
});

impl From<Output> for wit::Output {
    fn from(output: Output) -> Self {
        use wit::Output as W;
        match output {
            Output::Persist(record) => W::Persist(record),
            Output::Compact(snapshot) => W::Compact(snapshot),
            Output::Archive(batch) => W::Archive(batch),
            Output::Transmit(frame) => W::Transmit(frame),
            Output::ArmTimer { timer, at } => W::ArmTimer(wit::TimerDeadline {
                timer: timer.into(),
                at: at.0,
            }),
            Output::CancelTimer(timer) => W::CancelTimer(timer.into()),
            Output::Event(event) => W::Event(event.into()),
            Output::Outcome(outcome) => W::Outcome((*outcome).into()),
            Output::CardRequired(request) => W::CardRequired(request.into()),
            Output::PinRequired(request) => W::PinRequired(request.into()),
            Output::CardReaderData(data) => W::CardReaderData(data.into()),
        }
    }
}

impl From<wit::Output> for Output {
    fn from(output: wit::Output) -> Self {
        use wit::Output as W;
        match output {
            W::Persist(record) => Output::Persist(record),
            W::Compact(snapshot) => Output::Compact(snapshot),
            W::Archive(batch) => Output::Archive(batch),
            W::Transmit(frame) => Output::Transmit(frame),
            W::ArmTimer(deadline) => Output::ArmTimer {
                timer: deadline.timer.into(),
                at: Timestamp(deadline.at),
            },
            W::CancelTimer(timer) => Output::CancelTimer(timer.into()),
            W::Event(event) => Output::Event(event.into()),
            W::Outcome(outcome) => Output::Outcome(Box::new(outcome.into())),
            W::CardRequired(request) => Output::CardRequired(request.into()),
            W::PinRequired(request) => Output::PinRequired(request.into()),
            W::CardReaderData(data) => Output::CardReaderData(data.into()),
        }
    }
}

impl From<Event> for wit::Event {
    fn from(event: Event) -> Self {
        use wit::Event as W;
        match event {
            Event::Sending { transaction, stan } => W::Sending(wit::StanOf {
                transaction: transaction.into(),
                stan,
            }),
            Event::ReplyIgnored { reason } => W::ReplyIgnored(reason),
            Event::OutcomeUnknown {
                transaction,
                stan,
                reason,
            } => W::OutcomeUnknown(wit::OutcomeUnknown {
                transaction: transaction.into(),
                stan,
                reason: reason.into(),
            }),
            Event::ReversalSent { stan, attempt } => W::ReversalSent(wit::ReversalSent { stan, attempt }),
            Event::CardVerdictRequired { stan, issuer_data } => W::CardVerdictRequired(wit::IssuerData {
                stan,
                data: issuer_data,
            }),
            Event::SignOnRequired => W::SignOnRequired,
            Event::JournalFailed { reason } => W::JournalFailed(reason),
            Event::RefundPending { stan } => W::RefundPending(stan),
            Event::AdvicePending { transaction, stan } => W::AdvicePending(wit::StanOf {
                transaction: transaction.into(),
                stan,
            }),
            Event::AdviceAnswered {
                transaction,
                stan,
                response_code,
            } => W::AdviceAnswered(wit::AdviceAnswered {
                transaction: transaction.into(),
                stan,
                response_code,
            }),
            Event::SettlementStep { phase } => W::SettlementStep(phase),
            Event::NotSent { stan, cause } => W::NotSent(wit::NotSent { stan, cause }),
            Event::Management { task, step } => W::Management(wit::ManagementStep {
                task: task.into(),
                step,
            }),
            Event::HeaderRequestIgnored { digit } => W::HeaderRequestIgnored(digit),
        }
    }
}

impl From<wit::Event> for Event {
    fn from(event: wit::Event) -> Self {
        use wit::Event as W;
        match event {
            W::Sending(x) => Event::Sending {
                transaction: x.transaction.into(),
                stan: x.stan,
            },
            W::ReplyIgnored(reason) => Event::ReplyIgnored { reason },
            W::OutcomeUnknown(x) => Event::OutcomeUnknown {
                transaction: x.transaction.into(),
                stan: x.stan,
                reason: x.reason.into(),
            },
            W::ReversalSent(x) => Event::ReversalSent {
                stan: x.stan,
                attempt: x.attempt,
            },
            W::CardVerdictRequired(x) => Event::CardVerdictRequired {
                stan: x.stan,
                issuer_data: x.data,
            },
            W::SignOnRequired => Event::SignOnRequired,
            W::JournalFailed(reason) => Event::JournalFailed { reason },
            W::RefundPending(stan) => Event::RefundPending { stan },
            W::AdvicePending(x) => Event::AdvicePending {
                transaction: x.transaction.into(),
                stan: x.stan,
            },
            W::AdviceAnswered(x) => Event::AdviceAnswered {
                transaction: x.transaction.into(),
                stan: x.stan,
                response_code: x.response_code,
            },
            W::SettlementStep(phase) => Event::SettlementStep { phase },
            W::NotSent(x) => Event::NotSent {
                stan: x.stan,
                cause: x.cause,
            },
            W::Management(x) => Event::Management {
                task: x.task.into(),
                step: x.step,
            },
            W::HeaderRequestIgnored(digit) => Event::HeaderRequestIgnored { digit },
        }
    }
}

impl From<OutcomeResult> for wit::OutcomeResult {
    fn from(result: OutcomeResult) -> Self {
        use wit::OutcomeResult as W;
        match result {
            OutcomeResult::Approved => W::Approved,
            OutcomeResult::Declined { response_code } => W::Declined(response_code),
            OutcomeResult::Failed { reason } => W::Failed(reason.into()),
            OutcomeResult::Reversed { reason } => W::Reversed(reason.into()),
            OutcomeResult::ReversalFailed { reason } => W::ReversalFailed(reason.into()),
            OutcomeResult::SettledUnbalanced => W::SettledUnbalanced,
        }
    }
}

impl From<wit::OutcomeResult> for OutcomeResult {
    fn from(result: wit::OutcomeResult) -> Self {
        use wit::OutcomeResult as W;
        match result {
            W::Approved => OutcomeResult::Approved,
            W::Declined(response_code) => OutcomeResult::Declined { response_code },
            W::Failed(reason) => OutcomeResult::Failed { reason: reason.into() },
            W::Reversed(reason) => OutcomeResult::Reversed { reason: reason.into() },
            W::ReversalFailed(reason) => OutcomeResult::ReversalFailed { reason: reason.into() },
            W::SettledUnbalanced => OutcomeResult::SettledUnbalanced,
        }
    }
}

impl From<FailReason> for wit::FailReason {
    fn from(reason: FailReason) -> Self {
        use wit::FailReason as W;
        match reason {
            FailReason::NotSignedOn => W::NotSignedOn,
            FailReason::OverLimit { limit } => W::OverLimit(limit),
            FailReason::InvalidInput { problem } => W::InvalidInput(problem.into()),
            FailReason::Busy => W::Busy,
            FailReason::JournalUnavailable { cause } => W::JournalUnavailable(cause),
            FailReason::SecurityModule { reason } => W::SecurityModule(reason),
            FailReason::KeyCheckFailed { key } => W::KeyCheckFailed(key.into()),
            FailReason::TerminalFailed => W::TerminalFailed,
            FailReason::NoReply => W::NoReply,
            FailReason::Original { problem } => W::Original(problem.into()),
            FailReason::SettlementInProgress => W::SettlementInProgress,
            FailReason::RefundPending { stan } => W::RefundPending(stan),
            FailReason::AdvicePending { stan } => W::AdvicePending(stan),
            FailReason::AcquirerUnreachable { cause } => W::AcquirerUnreachable(cause),
            FailReason::UnreadableReply { detail } => W::UnreadableReply(detail),
            FailReason::Internal { detail } => W::Internal(detail),
            FailReason::Card { outcome } => W::Card(outcome.into()),
        }
    }
}

impl From<wit::FailReason> for FailReason {
    fn from(reason: wit::FailReason) -> Self {
        use wit::FailReason as W;
        match reason {
            W::NotSignedOn => FailReason::NotSignedOn,
            W::OverLimit(limit) => FailReason::OverLimit { limit },
            W::InvalidInput(problem) => FailReason::InvalidInput {
                problem: problem.into(),
            },
            W::Busy => FailReason::Busy,
            W::JournalUnavailable(cause) => FailReason::JournalUnavailable { cause },
            W::SecurityModule(reason) => FailReason::SecurityModule { reason },
            W::KeyCheckFailed(key) => FailReason::KeyCheckFailed { key: key.into() },
            W::TerminalFailed => FailReason::TerminalFailed,
            W::NoReply => FailReason::NoReply,
            W::Original(problem) => FailReason::Original {
                problem: problem.into(),
            },
            W::SettlementInProgress => FailReason::SettlementInProgress,
            W::RefundPending(stan) => FailReason::RefundPending { stan },
            W::AdvicePending(stan) => FailReason::AdvicePending { stan },
            W::AcquirerUnreachable(cause) => FailReason::AcquirerUnreachable { cause },
            W::UnreadableReply(detail) => FailReason::UnreadableReply { detail },
            W::Internal(detail) => FailReason::Internal { detail },
            W::Card(outcome) => FailReason::Card {
                outcome: outcome.into(),
            },
        }
    }
}
