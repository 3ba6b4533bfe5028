//! Kernel to host: the operator's status screen and the life of one transaction.

use pos_kernel::engine::{
    Charged, InFlight, LifeStep, PendingRefundStatus, PendingReversalStatus, Status, TransactionLife, WaitingFor,
};

use super::count;
use crate::pos::kernel::types as wit;

impl From<Status> for wit::Status {
    fn from(s: Status) -> Self {
        wit::Status {
            signed_on: s.signed_on,
            sign_on_required: s.sign_on_required,
            batch: s.batch,
            last_stan: s.last_stan,
            busy: s.busy,
            in_flight: s.in_flight.map(wit::InFlight::from),
            pending_reversal: s.pending_reversal.map(wit::PendingReversalStatus::from),
            exceptions: s.exceptions.into_iter().map(wit::ExceptionEntry::from).collect(),
            pending_refunds: s
                .pending_refunds
                .into_iter()
                .map(wit::PendingRefundStatus::from)
                .collect(),
            settlement_in_progress: s.settlement_in_progress,
            approved_count: count(s.approved_count),
            approved_total: s.approved_total,
            debit_total: s.debit_total,
            credit_total: s.credit_total,
            open_preauths: count(s.open_preauths),
        }
    }
}

impl From<InFlight> for wit::InFlight {
    fn from(f: InFlight) -> Self {
        wit::InFlight {
            transaction: f.transaction.into(),
            stan: f.stan,
            waiting_for: match f.waiting_for {
                WaitingFor::Acquirer => wit::WaitingFor::Acquirer,
                WaitingFor::Card => wit::WaitingFor::Card,
            },
        }
    }
}

impl From<PendingReversalStatus> for wit::PendingReversalStatus {
    fn from(p: PendingReversalStatus) -> Self {
        wit::PendingReversalStatus {
            stan: p.stan,
            transaction: p.transaction.into(),
            amount: p.amount,
            card: p.card,
            reason: p.reason.into(),
        }
    }
}

impl From<PendingRefundStatus> for wit::PendingRefundStatus {
    fn from(p: PendingRefundStatus) -> Self {
        wit::PendingRefundStatus {
            stan: p.stan,
            amount: p.amount,
            card: p.card,
        }
    }
}

impl From<TransactionLife> for wit::TransactionLife {
    fn from(l: TransactionLife) -> Self {
        wit::TransactionLife {
            stan: l.stan,
            transaction: l.transaction.into(),
            amount: l.amount,
            card: l.card,
            rrn: l.rrn,
            steps: l.steps.into_iter().map(wit::LifeStep::from).collect(),
            charged: l.charged.into(),
        }
    }
}

impl From<LifeStep> for wit::LifeStep {
    fn from(step: LifeStep) -> Self {
        use wit::LifeStep as W;
        match step {
            LifeStep::Sent => W::Sent,
            LifeStep::Approved { rrn, auth_code } => W::Approved(wit::Approval { rrn, auth_code }),
            LifeStep::Declined { response_code } => W::Declined(response_code),
            LifeStep::ReversalReason { reason } => W::ReversalReason(reason.into()),
            LifeStep::Reversed { response_code } => W::Reversed(response_code),
            LifeStep::ReversalNotConfirmed => W::ReversalNotConfirmed,
            LifeStep::ExceptionAcknowledged => W::ExceptionAcknowledged,
            LifeStep::ClosedBy { stan, transaction } => W::ClosedBy(wit::StanOf {
                transaction: transaction.into(),
                stan,
            }),
            LifeStep::NeverSent => W::NeverSent,
        }
    }
}

impl From<Charged> for wit::Charged {
    fn from(charged: Charged) -> Self {
        match charged {
            Charged::Yes => wit::Charged::Yes,
            Charged::Closed => wit::Charged::Closed,
            Charged::No => wit::Charged::No,
            Charged::Pending => wit::Charged::Pending,
            Charged::Unknown => wit::Charged::Unknown,
        }
    }
}
