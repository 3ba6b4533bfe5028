//! Requests that get no answer: the reply timer, a connection closed after the frame left, an
//! approval whose MAC fails, and a request that never left the terminal at all.
//!
//! The difference matters to the customer (docs/architecture.md, "Operator truth"): a reversible
//! request that may have reached the acquirer is reversed, and its outcome is unknown until the
//! reversal is confirmed; a request that provably never left is "failed, nothing charged", with
//! the host's cause, and needs no reversal.

use super::{Activity, InFlightRequest, OnPersistFail, Outstanding, Purpose, Terminal};
use crate::engine::journal::Record;
use crate::engine::outcome::{FailReason, OutcomeResult};
use crate::engine::output::{Event, Output, Timer};
use crate::engine::{ReversalReason, TransactionKind};
use crate::time::Timestamp;

impl Terminal {
    pub(super) fn on_timer(&mut self, now: Timestamp, timer: Timer) {
        match timer {
            Timer::Response => {
                let due = matches!(&self.activity, Activity::AwaitingReply(out) if now >= out.deadline);
                if let Some(out) = due.then(|| self.take_outstanding()).flatten() {
                    self.no_reply(now, out, ReversalReason::NoReply, None);
                }
            }
            Timer::Retry => {
                // Refunds and advices become due even when the terminal is busy: they go out
                // once it is free.
                self.refunds_due = true;
                self.advices_due = true;
                self.management_now = true;
                if matches!(self.activity, Activity::Backoff) {
                    self.activity = Activity::Idle;
                }
                self.drive(now);
            }
            Timer::CardEntry => self.card_entry_overdue(now),
            Timer::Card => {
                // Only at the deadline, as for the response timer: a stale or early timer is no
                // reason to reverse an approval the card may still accept.
                if matches!(&self.activity, Activity::AwaitingVerdict(approval) if now >= approval.deadline) {
                    self.card_verdict_overdue();
                }
            }
        }
    }

    pub(super) fn on_connection_closed(&mut self, now: Timestamp) {
        if let Some(out) = self.take_outstanding() {
            self.push(Output::CancelTimer(Timer::Response));
            self.no_reply(now, out, ReversalReason::NoReply, None);
        }
    }

    /// The outstanding request will get no valid answer, but it may have reached the acquirer.
    pub(super) fn no_reply(
        &mut self,
        now: Timestamp,
        out: Outstanding,
        reason: ReversalReason,
        auth_code: Option<String>,
    ) {
        let txn = match out.purpose {
            Purpose::Reversal => return self.reversal_attempt_failed(now),
            Purpose::Management(run) => return self.management_failed(now, run.task(), "no reply".into()),
            Purpose::Settlement { .. } => return self.settlement_unanswered(now, FailReason::NoReply),
            Purpose::Transaction(txn) => txn,
        };
        if txn.kind == TransactionKind::Refund || txn.kind.is_advice() {
            return self.resend_unanswered(now, txn.kind, txn.stan);
        }
        if !txn.kind.is_reversible() {
            self.fail(txn.kind, Some(txn.stan), FailReason::NoReply);
            return self.drive(now);
        }
        self.push(Output::Event(Event::OutcomeUnknown {
            transaction: txn.kind,
            stan: txn.stan,
            reason,
        }));
        if reason == ReversalReason::NoReply {
            // The journal already holds this reversal with reason 98.
            return self.drive(now);
        }
        let record = Record::ReversalUpdated {
            stan: txn.stan,
            reason,
            auth_code,
            icc_data: None,
        };
        self.persist(record, Vec::new(), None, OnPersistFail::Halt);
    }

    /// The last transmit never left the terminal (`Input::NotSent`).
    pub(super) fn on_not_sent(&mut self, now: Timestamp, cause: String) {
        let Some(out) = self.take_outstanding() else {
            return self.ignore(format!("not sent, but no request was outstanding: {cause}"));
        };
        self.push(Output::CancelTimer(Timer::Response));
        let unreachable = || FailReason::AcquirerUnreachable { cause: cause.clone() };
        match out.purpose {
            Purpose::Reversal => {
                // The original request may have reached the acquirer: the reversal's delivery is
                // bounded by the configured attempts as always (docs/architecture.md, rule 3),
                // and one that could not leave counts as an attempt.
                let stan = self.state.reversal.as_ref().map(|r| r.stan).unwrap_or_default();
                self.push(Output::Event(Event::NotSent { stan, cause }));
                self.reversal_attempt_failed(now);
            }
            Purpose::Settlement { .. } => {
                let stan = self.state.settlement.as_ref().and_then(|s| s.in_flight_stan);
                self.push(Output::Event(Event::NotSent {
                    stan: stan.unwrap_or_default(),
                    cause: cause.clone(),
                }));
                self.settlement_unanswered(now, unreachable());
            }
            Purpose::Transaction(txn) => self.transaction_not_sent(now, txn, cause),
            Purpose::Management(run) => {
                let why = format!("not sent: {cause}");
                self.management_failed(now, run.task(), why);
            }
        }
    }

    fn transaction_not_sent(&mut self, now: Timestamp, txn: InFlightRequest, cause: String) {
        let (kind, stan) = (txn.kind, txn.stan);
        self.push(Output::Event(Event::NotSent {
            stan,
            cause: cause.clone(),
        }));
        if txn.resend {
            // A refund or advice resent: its first send may have arrived, so it stays pending.
            self.advices_due = false;
            if let Some(command) = self.queued.take() {
                let cause = cause.clone();
                self.fail(command.transaction(), None, FailReason::AcquirerUnreachable { cause });
            }
            return self.back_off(now);
        }
        let failed = self.outcome(
            kind,
            Some(stan),
            OutcomeResult::Failed {
                reason: FailReason::AcquirerUnreachable { cause },
            },
        );
        if kind.is_reversible() || kind == TransactionKind::Refund {
            // Its write-ahead reversal (or refund resend) is journaled: drop it, durably. Should
            // that write fail, the reversal stays and is sent: harmless for a request that never
            // arrived (the acquirer answers "original not found").
            self.persist(
                Record::NeverSent { stan },
                vec![Output::Outcome(failed)],
                None,
                OnPersistFail::Halt,
            );
        } else {
            self.push(Output::Outcome(failed));
            self.drive(now);
        }
    }

    /// Waits for the retry timer before the next attempt of the terminal's own work.
    pub(super) fn back_off(&mut self, now: Timestamp) {
        self.activity = Activity::Backoff;
        self.arm_retry(now);
    }

    /// Arms the retry timer: what is pending becomes due again when it fires.
    pub(super) fn arm_retry(&mut self, now: Timestamp) {
        let at = now.plus_ms(self.config.reversal_retry_interval_ms);
        self.push(Output::ArmTimer {
            timer: Timer::Retry,
            at,
        });
    }
}
