//! WIT → kernel: what the component hands back, as the kernel's own types (so the host and the
//! vectors speak one language).

use pos_kernel::engine::settlement::{SettlementReport, Totals, TypeTotal, Verdict};
use pos_kernel::engine::{
    Charged, Event, ExceptionEntry, FailReason, InFlight, InputProblem, LifeStep, OriginalProblem, Outcome,
    OutcomeResult, PendingRefundStatus, PendingReversalStatus, Receipt, ReversalReason, Status, Timer, TransactionKind,
    TransactionLife, WaitingFor,
};
use pos_kernel::guidance::{Category, Guidance, Text};
use pos_kernel::security::KeyKind;
use pos_kernel::{EntryMode, Output, Timestamp};

use crate::bindings::{security as s, types as w};

fn count(n: u32) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

fn transaction(t: w::TransactionKind) -> TransactionKind {
    use w::TransactionKind as W;
    match t {
        W::SignOn => TransactionKind::SignOn,
        W::SignOff => TransactionKind::SignOff,
        W::Echo => TransactionKind::Echo,
        W::Sale => TransactionKind::Sale,
        W::Balance => TransactionKind::Balance,
        W::Void => TransactionKind::Void,
        W::Refund => TransactionKind::Refund,
        W::PreAuth => TransactionKind::PreAuth,
        W::PreAuthCancel => TransactionKind::PreAuthCancel,
        W::Completion => TransactionKind::Completion,
        W::CompletionVoid => TransactionKind::CompletionVoid,
        W::Settlement => TransactionKind::Settlement,
        W::AcknowledgeException => TransactionKind::AcknowledgeException,
    }
}

fn reason(r: w::ReversalReason) -> ReversalReason {
    match r {
        w::ReversalReason::NoReply => ReversalReason::NoReply,
        w::ReversalReason::MacFailure => ReversalReason::MacFailure,
        w::ReversalReason::CardDeclined => ReversalReason::CardDeclined,
    }
}

fn timer(t: w::Timer) -> Timer {
    match t {
        w::Timer::Response => Timer::Response,
        w::Timer::Retry => Timer::Retry,
        w::Timer::Card => Timer::Card,
    }
}

fn entry_mode(e: w::EntryMode) -> EntryMode {
    match e {
        w::EntryMode::Manual => EntryMode::Manual,
        w::EntryMode::Magstripe => EntryMode::Magstripe,
        w::EntryMode::Chip => EntryMode::Chip,
        w::EntryMode::Contactless => EntryMode::Contactless,
    }
}

fn key_kind(k: s::KeyKind) -> KeyKind {
    match k {
        s::KeyKind::Pin => KeyKind::Pin,
        s::KeyKind::Mac => KeyKind::Mac,
        s::KeyKind::TrackData => KeyKind::TrackData,
    }
}

fn event(e: w::Event) -> Event {
    match e {
        w::Event::Sending(x) => Event::Sending {
            transaction: transaction(x.transaction),
            stan: x.stan,
        },
        w::Event::ReplyIgnored(reason) => Event::ReplyIgnored { reason },
        w::Event::OutcomeUnknown(x) => Event::OutcomeUnknown {
            transaction: transaction(x.transaction),
            stan: x.stan,
            reason: reason(x.reason),
        },
        w::Event::ReversalSent(x) => Event::ReversalSent {
            stan: x.stan,
            attempt: x.attempt,
        },
        w::Event::CardVerdictRequired(x) => Event::CardVerdictRequired {
            stan: x.stan,
            issuer_data: x.data,
        },
        w::Event::SignOnRequired => Event::SignOnRequired,
        w::Event::JournalFailed(reason) => Event::JournalFailed { reason },
        w::Event::RefundPending(stan) => Event::RefundPending { stan },
        w::Event::SettlementStep(phase) => Event::SettlementStep { phase },
        w::Event::NotSent(x) => Event::NotSent {
            stan: x.stan,
            cause: x.cause,
        },
    }
}

fn fail_reason(f: w::FailReason) -> FailReason {
    use w::FailReason as W;
    match f {
        W::NotSignedOn => FailReason::NotSignedOn,
        W::OverLimit(limit) => FailReason::OverLimit { limit },
        W::InvalidInput(problem) => FailReason::InvalidInput {
            problem: input_problem(problem),
        },
        W::Busy => FailReason::Busy,
        W::JournalUnavailable(cause) => FailReason::JournalUnavailable { cause },
        W::SecurityModule(reason) => FailReason::SecurityModule { reason },
        W::KeyCheckFailed(key) => FailReason::KeyCheckFailed { key: key_kind(key) },
        W::TerminalFailed => FailReason::TerminalFailed,
        W::NoReply => FailReason::NoReply,
        W::Original(problem) => FailReason::Original {
            problem: match problem {
                w::OriginalProblem::NotFound => OriginalProblem::NotFound,
                w::OriginalProblem::PreviousBatch => OriginalProblem::PreviousBatch,
                w::OriginalProblem::AlreadyClosed => OriginalProblem::AlreadyClosed,
                w::OriginalProblem::WrongType => OriginalProblem::WrongType,
                w::OriginalProblem::AmountTooHigh => OriginalProblem::AmountTooHigh,
                w::OriginalProblem::OtherCard => OriginalProblem::OtherCard,
            },
        },
        W::SettlementInProgress => FailReason::SettlementInProgress,
        W::RefundPending(stan) => FailReason::RefundPending { stan },
        W::AcquirerUnreachable(cause) => FailReason::AcquirerUnreachable { cause },
        W::UnreadableReply(detail) => FailReason::UnreadableReply { detail },
        W::Internal(detail) => FailReason::Internal { detail },
    }
}

fn input_problem(p: w::InputProblem) -> InputProblem {
    use w::InputProblem as W;
    match p {
        W::ZeroAmount => InputProblem::ZeroAmount,
        W::Pan => InputProblem::Pan,
        W::Expiry => InputProblem::Expiry,
        W::CardSequence => InputProblem::CardSequence,
        W::Track2 => InputProblem::Track2,
        W::Track3 => InputProblem::Track3,
        W::ChipData => InputProblem::ChipData,
        W::Pin => InputProblem::Pin,
        W::OriginalRrn => InputProblem::OriginalRrn,
        W::OriginalDate => InputProblem::OriginalDate,
        W::NoOpenException => InputProblem::NoOpenException,
    }
}

fn result(r: w::OutcomeResult) -> OutcomeResult {
    match r {
        w::OutcomeResult::Approved => OutcomeResult::Approved,
        w::OutcomeResult::Declined(response_code) => OutcomeResult::Declined { response_code },
        w::OutcomeResult::Failed(f) => OutcomeResult::Failed { reason: fail_reason(f) },
        w::OutcomeResult::Reversed(r) => OutcomeResult::Reversed { reason: reason(r) },
        w::OutcomeResult::ReversalFailed(r) => OutcomeResult::ReversalFailed { reason: reason(r) },
        w::OutcomeResult::SettledUnbalanced => OutcomeResult::SettledUnbalanced,
    }
}

fn text(t: w::Text) -> Text {
    Text { zh: t.zh, en: t.en }
}

fn guidance(g: w::Guidance) -> Guidance {
    use w::Category as W;
    let category = match g.category {
        W::Approved => Category::Approved,
        W::CardholderAction => Category::CardholderAction,
        W::ReferToIssuer => Category::ReferToIssuer,
        W::RetryLater => Category::RetryLater,
        W::SignOnRequired => Category::SignOnRequired,
        W::TerminalProblem => Category::TerminalProblem,
        W::Reversed => Category::Reversed,
        W::ContactAcquirer => Category::ContactAcquirer,
    };
    Guidance {
        category,
        cardholder: text(g.cardholder),
        merchant: text(g.merchant),
    }
}

fn receipt(r: w::Receipt) -> Receipt {
    Receipt {
        merchant_name: r.merchant_name,
        merchant_id: r.merchant_id,
        terminal_id: r.terminal_id,
        transaction: transaction(r.transaction),
        card: r.card,
        entry: entry_mode(r.entry),
        amount: r.amount,
        currency: r.currency,
        batch: r.batch,
        stan: r.stan,
        rrn: r.rrn,
        auth_code: r.auth_code,
        date_time: r.date_time,
    }
}

fn totals(t: w::Totals) -> Totals {
    Totals {
        debit_amount: t.debit_amount,
        debit_count: t.debit_count,
        credit_amount: t.credit_amount,
        credit_count: t.credit_count,
    }
}

fn verdict(v: w::Verdict) -> Verdict {
    match v {
        w::Verdict::Balanced => Verdict::Balanced,
        w::Verdict::Unbalanced => Verdict::Unbalanced,
        w::Verdict::Error => Verdict::Error,
    }
}

fn exception(e: w::ExceptionEntry) -> ExceptionEntry {
    ExceptionEntry {
        stan: e.stan,
        transaction: transaction(e.transaction),
        amount: e.amount,
        card: e.card,
        reason: reason(e.reason),
        acknowledged: e.acknowledged,
    }
}

fn report(r: w::SettlementReport) -> SettlementReport {
    SettlementReport {
        batch: r.batch,
        domestic: totals(r.domestic),
        foreign: totals(r.foreign),
        by_type: r
            .by_type
            .into_iter()
            .map(|t| TypeTotal {
                transaction: transaction(t.transaction),
                count: t.count,
                amount: t.amount,
            })
            .collect(),
        domestic_result: verdict(r.domestic_result),
        foreign_result: verdict(r.foreign_result),
        uploaded: count(r.uploaded),
        open_exceptions: r.open_exceptions.into_iter().map(exception).collect(),
    }
}

fn outcome(o: w::Outcome) -> Outcome {
    Outcome {
        transaction: transaction(o.transaction),
        stan: o.stan,
        result: result(o.result),
        guidance: guidance(o.guidance),
        receipt: o.receipt.map(receipt),
        balance: o.balance,
        settlement: o.settlement.map(report),
    }
}

pub fn output(o: w::Output) -> Output {
    match o {
        w::Output::Persist(record) => Output::Persist(record),
        w::Output::Compact(snapshot) => Output::Compact(snapshot),
        w::Output::Transmit(frame) => Output::Transmit(frame),
        w::Output::ArmTimer(d) => Output::ArmTimer {
            timer: timer(d.timer),
            at: Timestamp(d.at),
        },
        w::Output::CancelTimer(t) => Output::CancelTimer(timer(t)),
        w::Output::Event(e) => Output::Event(event(e)),
        w::Output::Outcome(o) => Output::Outcome(Box::new(outcome(o))),
    }
}

pub fn status(s: w::Status) -> Status {
    Status {
        signed_on: s.signed_on,
        sign_on_required: s.sign_on_required,
        batch: s.batch,
        last_stan: s.last_stan,
        busy: s.busy,
        in_flight: s.in_flight.map(|f| InFlight {
            transaction: transaction(f.transaction),
            stan: f.stan,
            waiting_for: match f.waiting_for {
                w::WaitingFor::Acquirer => WaitingFor::Acquirer,
                w::WaitingFor::Card => WaitingFor::Card,
            },
        }),
        pending_reversal: s.pending_reversal.map(|r| PendingReversalStatus {
            stan: r.stan,
            transaction: transaction(r.transaction),
            amount: r.amount,
            card: r.card,
            reason: reason(r.reason),
        }),
        exceptions: s.exceptions.into_iter().map(exception).collect(),
        pending_refunds: s
            .pending_refunds
            .into_iter()
            .map(|r| PendingRefundStatus {
                stan: r.stan,
                amount: r.amount,
                card: r.card,
            })
            .collect(),
        settlement_in_progress: s.settlement_in_progress,
        approved_count: count(s.approved_count),
        approved_total: s.approved_total,
        debit_total: s.debit_total,
        credit_total: s.credit_total,
        open_preauths: count(s.open_preauths),
    }
}

fn life_step(step: w::LifeStep) -> LifeStep {
    match step {
        w::LifeStep::Sent => LifeStep::Sent,
        w::LifeStep::Approved(a) => LifeStep::Approved {
            rrn: a.rrn,
            auth_code: a.auth_code,
        },
        w::LifeStep::Declined(response_code) => LifeStep::Declined { response_code },
        w::LifeStep::ReversalReason(r) => LifeStep::ReversalReason { reason: reason(r) },
        w::LifeStep::Reversed(response_code) => LifeStep::Reversed { response_code },
        w::LifeStep::ReversalNotConfirmed => LifeStep::ReversalNotConfirmed,
        w::LifeStep::ExceptionAcknowledged => LifeStep::ExceptionAcknowledged,
        w::LifeStep::ClosedBy(x) => LifeStep::ClosedBy {
            stan: x.stan,
            transaction: transaction(x.transaction),
        },
        w::LifeStep::NeverSent => LifeStep::NeverSent,
    }
}

pub fn transaction_life(l: w::TransactionLife) -> TransactionLife {
    TransactionLife {
        stan: l.stan,
        transaction: transaction(l.transaction),
        amount: l.amount,
        card: l.card,
        rrn: l.rrn,
        steps: l.steps.into_iter().map(life_step).collect(),
        charged: match l.charged {
            w::Charged::Yes => Charged::Yes,
            w::Charged::Closed => Charged::Closed,
            w::Charged::No => Charged::No,
            w::Charged::Pending => Charged::Pending,
            w::Charged::Unknown => Charged::Unknown,
        },
    }
}
