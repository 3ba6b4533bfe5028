// The operator's status screen and the life of one transaction.

use pos_kernel::engine::{
    InFlight, LifeStep, PendingAdviceStatus, PendingRefundStatus, PendingReversalStatus, Status, TransactionLife,
};

use pos_kernel::reconcile::ReconciledItem;

use super::{two_way_record, wit};

two_way_record!(Status <=> wit::Status {
    signed_on, sign_on_required, batch, last_stan, busy, in_flight: option, pending_reversal: option,
    exceptions: list, pending_refunds: list, pending_advices: list, settlement_in_progress, approved_count: count, net_total,
    debit_total, credit_total, open_preauths: count, downloads: into, management_due: list,
});
two_way_record!(InFlight <=> wit::InFlight { transaction: into, stan, waiting_for: into });
two_way_record!(PendingReversalStatus <=> wit::PendingReversalStatus {
    stan, transaction: into, amount, card, reason: into,
});
two_way_record!(PendingRefundStatus <=> wit::PendingRefundStatus { stan, amount, card });
two_way_record!(PendingAdviceStatus <=> wit::PendingAdviceStatus { stan, transaction: into, amount, card });
two_way_record!(TransactionLife <=> wit::TransactionLife {
    stan, transaction: into, amount, card, rrn, steps: list, charged: into,
});
two_way_record!(ReconciledItem <=> wit::ReconciledItem { finding, statement, line, stan });

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
            LifeStep::AdviceAnswered { response_code } => W::AdviceAnswered(response_code),
        }
    }
}

impl From<wit::LifeStep> for LifeStep {
    fn from(step: wit::LifeStep) -> Self {
        use wit::LifeStep as W;
        match step {
            W::Sent => LifeStep::Sent,
            W::Approved(a) => LifeStep::Approved {
                rrn: a.rrn,
                auth_code: a.auth_code,
            },
            W::Declined(response_code) => LifeStep::Declined { response_code },
            W::ReversalReason(reason) => LifeStep::ReversalReason { reason: reason.into() },
            W::Reversed(response_code) => LifeStep::Reversed { response_code },
            W::ReversalNotConfirmed => LifeStep::ReversalNotConfirmed,
            W::ExceptionAcknowledged => LifeStep::ExceptionAcknowledged,
            W::ClosedBy(x) => LifeStep::ClosedBy {
                stan: x.stan,
                transaction: x.transaction.into(),
            },
            W::NeverSent => LifeStep::NeverSent,
            W::AdviceAnswered(response_code) => LifeStep::AdviceAnswered { response_code },
        }
    }
}
