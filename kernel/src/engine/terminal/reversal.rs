//! Reversals (docs/architecture.md, rule 3) and resends of refunds (rule 6) and advices (rule 16):
//! the terminal's own work, which goes on until the acquirer confirms it.

use super::{InFlightRequest, OnPersistFail, Purpose, Terminal};
use crate::codec::Message;
use crate::engine::journal::{PendingResend, Record};
use crate::engine::messages;
use crate::engine::outcome::{FailReason, OutcomeResult};
use crate::engine::output::{Event, Output};
use crate::engine::{Command, TransactionKind};
use crate::time::Timestamp;

impl Terminal {
    pub(super) fn send_reversal(&mut self, now: Timestamp) {
        let Some(pending) = &self.state.reversal else { return };
        let stan = pending.stan;
        let mut request = match pending.card.reveal(self.security.as_mut()) {
            Ok(card) => messages::with_card(&pending.message, &card),
            Err(e) => {
                // The data key is gone or the record damaged: the reversal cannot be built. It
                // stays pending (an attempt), and the operator sees why.
                self.ignore(format!("reversal {stan:06}: the card cannot be revealed: {e}"));
                return self.reversal_attempt_failed(now);
            }
        };
        if let Some(auth_code) = &pending.auth_code {
            request.set(38, auth_code.as_bytes());
        }
        request.set(39, pending.reason.code());
        if let Some(icc) = &pending.icc_data {
            request.set(55, icc);
        }
        self.reversal_attempts = self.reversal_attempts.saturating_add(1);
        let attempt = self.reversal_attempts;
        self.push(Output::Event(Event::ReversalSent { stan, attempt }));
        match self.transmit(now, request, Purpose::Reversal, true) {
            Ok(()) => {}
            Err(reason) => {
                self.ignore(format!("reversal {stan:06} could not be built: {reason:?}"));
                self.reversal_attempt_failed(now);
            }
        }
    }

    pub(super) fn on_reversal_reply(&mut self, now: Timestamp, reply: &Message) {
        let code = reply.get_str(39).unwrap_or_default();
        if code == "A0" || code == "99" {
            self.request_sign_on();
        }
        let Some(pending) = &self.state.reversal else { return };
        if !matches!(code, "00" | "12" | "25") {
            return self.reversal_attempt_failed(now);
        }
        let (kind, stan, reason) = (pending.transaction, pending.stan, pending.reason);
        self.reversal_attempts = 0;
        let done = self.outcome(kind, Some(stan), OutcomeResult::Reversed { reason });
        let record = Record::ReversalCleared {
            stan,
            response_code: code.to_owned(),
        };
        self.persist(record, vec![Output::Outcome(done)], None, OnPersistFail::Halt);
    }

    pub(super) fn reversal_attempt_failed(&mut self, now: Timestamp) {
        let Some(pending) = &self.state.reversal else { return };
        if self.reversal_attempts >= self.config.reversal_max_attempts {
            let (kind, stan, reason) = (pending.transaction, pending.stan, pending.reason);
            self.reversal_attempts = 0;
            let failed = self.outcome(kind, Some(stan), OutcomeResult::ReversalFailed { reason });
            self.persist(
                Record::ReversalException { stan },
                vec![Output::Outcome(failed)],
                None,
                OnPersistFail::Halt,
            );
        } else if self.queued.is_some() {
            // Someone is waiting at the counter: try again at once.
            self.drive(now);
        } else {
            self.back_off(now);
        }
    }
}

impl Terminal {
    /// Resends the first pending refund, with its own STAN (the acquirer de-duplicates it).
    pub(super) fn resend_refund(&mut self, now: Timestamp) {
        self.refunds_due = false;
        if let Some(refund) = self.state.pending_refunds.first().cloned() {
            self.send_resend(now, &refund);
        }
    }

    /// Sends a journaled refund or advice again, with its own STAN and a fresh MAC.
    pub(super) fn send_resend(&mut self, now: Timestamp, pending: &PendingResend) {
        let (kind, stan) = (pending.transaction, pending.stan);
        let txn = InFlightRequest {
            kind,
            stan,
            amount: Some(pending.amount),
            card: Some(pending.card.clone()),
            entry: pending.entry,
            await_card: false,
            original_stan: None,
            resend: true,
            chip: None,
        };
        let mut request = match pending.card.reveal(self.security.as_mut()) {
            Ok(card) => messages::with_card(&pending.message, &card),
            Err(e) => {
                self.ignore(format!("{kind:?} {stan:06}: the card cannot be revealed: {e}"));
                return self.resend_unanswered(now, kind, stan);
            }
        };
        if kind == TransactionKind::ScriptAdvice {
            // A script result advice carries the card number but not its expiry (§7).
            request.unset(14);
        }
        self.push(Output::Event(Event::Sending {
            transaction: kind,
            stan,
        }));
        if let Err(reason) = self.transmit(now, request, Purpose::Transaction(txn), true) {
            self.ignore(format!("{kind:?} {stan:06} could not be resent: {reason:?}"));
            self.resend_unanswered(now, kind, stan);
        }
    }

    /// A refund or advice got no answer: it stays pending and is resent after the retry
    /// interval. A settlement waiting for it fails, since they must be resolved first; another
    /// command waiting for an advice goes on (the advice is resent later, and before settlement).
    pub(super) fn resend_unanswered(&mut self, now: Timestamp, kind: TransactionKind, stan: u32) {
        if kind.is_advice() {
            self.advices_due = false;
            self.push(Output::Event(Event::AdvicePending {
                transaction: kind,
                stan,
            }));
            if matches!(self.queued, Some(Command::Settle)) {
                self.queued = None;
                self.fail(TransactionKind::Settlement, None, FailReason::AdvicePending { stan });
            } else if self.queued.is_some() {
                // The waiting command goes first; the retry timer brings the advice back.
                self.arm_retry(now);
                return self.drive(now);
            }
            return self.back_off(now);
        }
        self.push(Output::Event(Event::RefundPending { stan }));
        if matches!(self.queued, Some(Command::Settle)) {
            self.queued = None;
            self.fail(TransactionKind::Settlement, None, FailReason::RefundPending { stan });
        }
        self.back_off(now);
    }
}
