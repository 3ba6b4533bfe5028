//! Kernel to host: outputs, events, and the outcome with its guidance, receipt and settlement report.

use pos_kernel::engine::settlement::{SettlementReport, Totals, TypeTotal, Verdict};
use pos_kernel::engine::{Event, ExceptionEntry, FailReason, InputProblem, OriginalProblem, Output, Receipt};
use pos_kernel::guidance::{Category, Guidance, Text};
use pos_kernel::{Outcome, OutcomeResult};

use super::count;
use crate::pos::kernel::types as wit;

impl From<Output> for wit::Output {
    fn from(output: Output) -> Self {
        match output {
            Output::Persist(record) => wit::Output::Persist(record),
            Output::Compact(snapshot) => wit::Output::Compact(snapshot),
            Output::Transmit(frame) => wit::Output::Transmit(frame),
            Output::ArmTimer { timer, at } => wit::Output::ArmTimer(wit::TimerDeadline {
                timer: timer.into(),
                at: at.0,
            }),
            Output::CancelTimer(timer) => wit::Output::CancelTimer(timer.into()),
            Output::Event(event) => wit::Output::Event(event.into()),
            Output::Outcome(outcome) => wit::Output::Outcome((*outcome).into()),
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
            Event::SettlementStep { phase } => W::SettlementStep(phase),
            Event::NotSent { stan, cause } => W::NotSent(wit::NotSent { stan, cause }),
        }
    }
}

impl From<Outcome> for wit::Outcome {
    fn from(o: Outcome) -> Self {
        wit::Outcome {
            transaction: o.transaction.into(),
            stan: o.stan,
            result: o.result.into(),
            guidance: o.guidance.into(),
            receipt: o.receipt.map(wit::Receipt::from),
            balance: o.balance,
            settlement: o.settlement.map(wit::SettlementReport::from),
        }
    }
}

impl From<OutcomeResult> for wit::OutcomeResult {
    fn from(result: OutcomeResult) -> Self {
        match result {
            OutcomeResult::Approved => wit::OutcomeResult::Approved,
            OutcomeResult::Declined { response_code } => wit::OutcomeResult::Declined(response_code),
            OutcomeResult::Failed { reason } => wit::OutcomeResult::Failed(reason.into()),
            OutcomeResult::Reversed { reason } => wit::OutcomeResult::Reversed(reason.into()),
            OutcomeResult::ReversalFailed { reason } => wit::OutcomeResult::ReversalFailed(reason.into()),
            OutcomeResult::SettledUnbalanced => wit::OutcomeResult::SettledUnbalanced,
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
            FailReason::AcquirerUnreachable { cause } => W::AcquirerUnreachable(cause),
            FailReason::UnreadableReply { detail } => W::UnreadableReply(detail),
            FailReason::Internal { detail } => W::Internal(detail),
        }
    }
}

impl From<OriginalProblem> for wit::OriginalProblem {
    fn from(problem: OriginalProblem) -> Self {
        use wit::OriginalProblem as W;
        match problem {
            OriginalProblem::NotFound => W::NotFound,
            OriginalProblem::PreviousBatch => W::PreviousBatch,
            OriginalProblem::AlreadyClosed => W::AlreadyClosed,
            OriginalProblem::WrongType => W::WrongType,
            OriginalProblem::AmountTooHigh => W::AmountTooHigh,
            OriginalProblem::OtherCard => W::OtherCard,
        }
    }
}

impl From<InputProblem> for wit::InputProblem {
    fn from(problem: InputProblem) -> Self {
        use wit::InputProblem as W;
        match problem {
            InputProblem::ZeroAmount => W::ZeroAmount,
            InputProblem::Pan => W::Pan,
            InputProblem::Expiry => W::Expiry,
            InputProblem::CardSequence => W::CardSequence,
            InputProblem::Track2 => W::Track2,
            InputProblem::Track3 => W::Track3,
            InputProblem::ChipData => W::ChipData,
            InputProblem::Pin => W::Pin,
            InputProblem::OriginalRrn => W::OriginalRrn,
            InputProblem::OriginalDate => W::OriginalDate,
            InputProblem::NoOpenException => W::NoOpenException,
        }
    }
}

impl From<Guidance> for wit::Guidance {
    fn from(g: Guidance) -> Self {
        wit::Guidance {
            category: g.category.into(),
            cardholder: g.cardholder.into(),
            merchant: g.merchant.into(),
        }
    }
}

impl From<Category> for wit::Category {
    fn from(category: Category) -> Self {
        use wit::Category as W;
        match category {
            Category::Approved => W::Approved,
            Category::CardholderAction => W::CardholderAction,
            Category::ReferToIssuer => W::ReferToIssuer,
            Category::RetryLater => W::RetryLater,
            Category::SignOnRequired => W::SignOnRequired,
            Category::TerminalProblem => W::TerminalProblem,
            Category::Reversed => W::Reversed,
            Category::ContactAcquirer => W::ContactAcquirer,
        }
    }
}

impl From<Text> for wit::Text {
    fn from(t: Text) -> Self {
        wit::Text { zh: t.zh, en: t.en }
    }
}

impl From<Receipt> for wit::Receipt {
    fn from(r: Receipt) -> Self {
        wit::Receipt {
            merchant_name: r.merchant_name,
            merchant_id: r.merchant_id,
            terminal_id: r.terminal_id,
            transaction: r.transaction.into(),
            card: r.card,
            entry: r.entry.into(),
            amount: r.amount,
            currency: r.currency,
            batch: r.batch,
            stan: r.stan,
            rrn: r.rrn,
            auth_code: r.auth_code,
            date_time: r.date_time,
        }
    }
}

impl From<SettlementReport> for wit::SettlementReport {
    fn from(r: SettlementReport) -> Self {
        wit::SettlementReport {
            batch: r.batch,
            domestic: r.domestic.into(),
            foreign: r.foreign.into(),
            by_type: r.by_type.into_iter().map(wit::TypeTotal::from).collect(),
            domestic_result: r.domestic_result.into(),
            foreign_result: r.foreign_result.into(),
            uploaded: count(r.uploaded),
            open_exceptions: r.open_exceptions.into_iter().map(wit::ExceptionEntry::from).collect(),
        }
    }
}

impl From<Totals> for wit::Totals {
    fn from(t: Totals) -> Self {
        wit::Totals {
            debit_amount: t.debit_amount,
            debit_count: t.debit_count,
            credit_amount: t.credit_amount,
            credit_count: t.credit_count,
        }
    }
}

impl From<Verdict> for wit::Verdict {
    fn from(verdict: Verdict) -> Self {
        match verdict {
            Verdict::Balanced => wit::Verdict::Balanced,
            Verdict::Unbalanced => wit::Verdict::Unbalanced,
            Verdict::Error => wit::Verdict::Error,
        }
    }
}

impl From<TypeTotal> for wit::TypeTotal {
    fn from(t: TypeTotal) -> Self {
        wit::TypeTotal {
            transaction: t.transaction.into(),
            count: t.count,
            amount: t.amount,
        }
    }
}

impl From<ExceptionEntry> for wit::ExceptionEntry {
    fn from(e: ExceptionEntry) -> Self {
        wit::ExceptionEntry {
            stan: e.stan,
            transaction: e.transaction.into(),
            amount: e.amount,
            card: e.card,
            reason: e.reason.into(),
            acknowledged: e.acknowledged,
        }
    }
}
