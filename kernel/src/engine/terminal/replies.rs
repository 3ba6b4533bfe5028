//! Answers: frames from the acquirer (validated against the request in flight, docs/profile.md
//! "Reply validation"), and the chip card's verdict on an online approval.

use super::{Activity, ChipApproval, InFlightRequest, OnPersistFail, Purpose, Terminal};
use crate::codec::{tlv, Frame, Header, Message};
use crate::engine::batch::BatchEntry;
use crate::engine::downloads::ManagementTask;
use crate::engine::journal::Record;
use crate::engine::outcome::{FailReason, OutcomeResult, Receipt};
use crate::engine::output::{Event, Output, Timer};
use crate::engine::reply::{self, Mismatch};
use crate::engine::{CardVerdict, ReversalReason, TransactionKind};
use crate::security::{SecurityError, WorkingKeys};
use crate::time::Timestamp;

impl Terminal {
    pub(super) fn on_receive(&mut self, now: Timestamp, bytes: &[u8]) {
        let frame = match Frame::decode(bytes) {
            Ok(frame) => frame,
            Err(e) => return self.ignore(format!("undecodable frame: {e}")),
        };
        let check = match &self.activity {
            Activity::AwaitingReply(out) => {
                let financial = match &out.purpose {
                    Purpose::Reversal | Purpose::Management(_) => true,
                    Purpose::Settlement { .. } => false,
                    // An advice's `00` answer carries a MAC too (docs/profile.md §7).
                    Purpose::Transaction(txn) => txn.kind.is_card_transaction() || txn.kind.is_advice(),
                };
                let security = &mut self.security;
                reply::validate(&out.request, &frame.message, financial, |reply| {
                    // Only a reply with F64 has its MAC block as received.
                    let block = Frame::received_mac_block(bytes).filter(|_| reply.has(64))?;
                    security.mac(block).ok()
                })
            }
            _ => {
                let stan = frame.message.get_str(11).unwrap_or("?").to_owned();
                return self.ignore(format!(
                    "no request outstanding: late or unsolicited {} with STAN {stan}",
                    frame.message.mti
                ));
            }
        };
        match check {
            Err(Mismatch::NotTheAnswer(why)) => return self.ignore(why),
            Err(Mismatch::BadMac) => {
                self.ignore("approval whose MAC does not verify: treated as unanswered".into());
                self.push(Output::CancelTimer(Timer::Response));
                let auth_code = frame.message.get_str(38).map(str::to_owned);
                if let Some(out) = self.take_outstanding() {
                    self.no_reply(now, out, ReversalReason::MacFailure, auth_code);
                }
                return;
            }
            Ok(()) => {}
        }
        self.push(Output::CancelTimer(Timer::Response));
        match frame.header.requirement {
            0 => {}
            Header::SIGN_ON_AGAIN => self.request_sign_on(),
            digit => match ManagementTask::from_requirement(digit) {
                Some(task) => self.management_requested(task),
                None => self.push(Output::Event(Event::HeaderRequestIgnored { digit })),
            },
        }
        let Some(out) = self.take_outstanding() else { return };
        match out.purpose {
            Purpose::Reversal => self.on_reversal_reply(now, &frame.message),
            Purpose::Management(run) => self.on_management_reply(now, run, &frame.message),
            Purpose::Settlement { .. } => self.on_settlement_reply(now, &frame.message),
            Purpose::Transaction(txn) => self.on_transaction_reply(now, txn, frame.message),
        }
    }

    fn on_transaction_reply(&mut self, now: Timestamp, txn: InFlightRequest, reply: Message) {
        let code = reply.get_str(39).unwrap_or_default().to_owned();
        if code == "A0" || code == "99" {
            self.request_sign_on();
        }
        let approved = reply::is_approval(&code);
        let (kind, stan) = (txn.kind, Some(txn.stan));
        if kind.is_advice() {
            return self.on_advice_answered(txn.stan, kind, &reply);
        }
        match kind {
            TransactionKind::SignOn if approved => self.on_sign_on_approved(now, txn, &reply),
            TransactionKind::SignOff if approved => {
                let done = self.outcome(kind, stan, OutcomeResult::Approved);
                self.persist(
                    Record::SignedOff,
                    vec![Output::Outcome(done)],
                    None,
                    OnPersistFail::Halt,
                );
            }
            TransactionKind::Balance if approved => {
                let mut done = self.outcome(kind, stan, OutcomeResult::Approved);
                done.balance = reply.get_str(54).map(str::to_owned);
                self.push(Output::Outcome(done));
                self.drive(now);
            }
            _ if approved && txn.await_card => {
                let issuer_data = reply.get(55).unwrap_or_default().to_vec();
                self.push(Output::Event(Event::CardVerdictRequired {
                    stan: txn.stan,
                    issuer_data,
                }));
                // A card pulled out (or a reader that never answers) must not hold the approval
                // forever: past the deadline the card counts as having declined.
                let deadline = now.plus_ms(self.config.card_verdict_timeout_ms);
                self.push(Output::ArmTimer {
                    timer: Timer::Card,
                    at: deadline,
                });
                self.activity = Activity::AwaitingVerdict(Box::new(ChipApproval { txn, reply, deadline }));
            }
            // Card transactions with a journal entry: approvals are recorded, declines clear
            // the reversal (or the pending refund).
            k if k.is_card_transaction() && approved => self.finish_approved(now, txn, &reply),
            k if k.is_card_transaction() => {
                let declined = self.outcome(
                    kind,
                    stan,
                    OutcomeResult::Declined {
                        response_code: code.clone(),
                    },
                );
                let record = Record::Declined {
                    stan: txn.stan,
                    response_code: code,
                };
                self.persist(record, vec![Output::Outcome(declined)], None, OnPersistFail::Halt);
            }
            _ if approved => {
                self.push(Output::Outcome(self.outcome(kind, stan, OutcomeResult::Approved)));
                self.drive(now);
            }
            _ => {
                let declined = self.outcome(kind, stan, OutcomeResult::Declined { response_code: code });
                self.push(Output::Outcome(declined));
                self.drive(now);
            }
        }
    }

    fn on_sign_on_approved(&mut self, now: Timestamp, txn: InFlightRequest, reply: &Message) {
        let (kind, stan) = (txn.kind, Some(txn.stan));
        let keys = match reply.get(62).map(WorkingKeys::from_f62) {
            Some(Ok(keys)) => keys,
            _ => {
                self.fail(
                    kind,
                    stan,
                    FailReason::SecurityModule {
                        reason: "sign-on reply without valid working keys (F62)".into(),
                    },
                );
                return self.drive(now);
            }
        };
        if let Err(e) = self.security.load_working_keys(&keys) {
            let reason = match e {
                SecurityError::CheckValueMismatch(key) => FailReason::KeyCheckFailed { key },
                other => super::security_failure(&other),
            };
            self.fail(kind, stan, reason);
            return self.drive(now);
        }
        // 60.2 of the reply is the batch the acquirer assigns.
        let batch = reply
            .get_str(60)
            .and_then(|f| f.get(2..8))
            .and_then(|b| b.parse::<u32>().ok())
            .filter(|b| (1..=999_999).contains(b))
            .unwrap_or(self.state.batch);
        self.sign_on_required = false;
        let done = self.outcome(kind, stan, OutcomeResult::Approved);
        let record = Record::SignedOn {
            batch,
            keys: keys.to_f62(),
        };
        self.persist(record, vec![Output::Outcome(done)], None, OnPersistFail::Halt);
    }

    fn finish_approved(&mut self, now: Timestamp, txn: InFlightRequest, reply: &Message) {
        let Some(entry) = self.batch_entry(now, txn, reply) else {
            return;
        };
        let mut done = self.outcome(entry.transaction, Some(entry.stan), OutcomeResult::Approved);
        done.receipt = Some(self.receipt(&entry));
        self.persist(
            Record::Approved(entry),
            vec![Output::Outcome(done)],
            None,
            OnPersistFail::Halt,
        );
    }

    /// The batch entry of an approved card request.
    fn batch_entry(&mut self, now: Timestamp, txn: InFlightRequest, reply: &Message) -> Option<BatchEntry> {
        let Some(card) = txn.card else {
            // Only card transactions are approved into the batch; a network message never is.
            self.ignore(format!("an approval of {:?} {:06} without a card", txn.kind, txn.stan));
            return None;
        };
        let amount = reply
            .get_str(4)
            .and_then(|a| a.parse::<u64>().ok())
            .or(txn.amount)
            .unwrap_or_default();
        let local = now.local(self.config.utc_offset_minutes);
        Some(BatchEntry {
            stan: txn.stan,
            batch: self.state.batch,
            transaction: txn.kind,
            entry: txn.entry,
            card,
            amount,
            rrn: reply.get_str(37).unwrap_or_default().to_owned(),
            auth_code: reply.get_str(38).unwrap_or_default().to_owned(),
            date_time: local.display(),
            date: local.mmdd(),
            original_stan: txn.original_stan,
            closed_by: None,
            chip: txn.chip,
        })
    }

    pub(super) fn receipt(&self, entry: &BatchEntry) -> Receipt {
        Receipt::of(entry, &self.config)
    }

    /// The card's second GENERATE AC: its data goes over the request's as the approval's
    /// evidence; issuer scripts in the approval get their result advice, journaled with it.
    pub(super) fn on_card_verdict(&mut self, now: Timestamp, verdict: CardVerdict) {
        let Some(approval) = self.take_chip_approval() else {
            return self.ignore("card verdict while no chip approval is waiting".into());
        };
        self.push(Output::CancelTimer(Timer::Card));
        let ChipApproval { mut txn, reply, .. } = approval;
        if let Some(chip) = &mut txn.chip {
            let merged = tlv::merge(&chip.icc, &verdict.icc_data);
            chip.icc = tlv::without(&merged, &tlv::CARD_DATA_TAGS);
        }
        let (kind, stan) = (txn.kind, txn.stan);
        let Some(entry) = self.batch_entry(now, txn, &reply) else {
            return;
        };
        let script_advice = match self.script_advice(&entry, &reply) {
            Ok(advice) => advice,
            Err(reason) => {
                // The advice cannot be built (the card cannot be sealed again): the verdict
                // still stands; the acquirer does without the script result.
                self.ignore(format!("script result advice for {stan:06} not built: {reason:?}"));
                None
            }
        };
        let mut then = Vec::new();
        if verdict.approved {
            let mut done = self.outcome(kind, Some(stan), OutcomeResult::Approved);
            done.receipt = Some(self.receipt(&entry));
            then.push(Output::Outcome(done));
        } else {
            // The card refused the issuer's approval: the reversal (reason `06`, with the card's
            // data) goes out next, and the approval's IC failure upload waits for settlement.
            let reason = ReversalReason::CardDeclined;
            self.push(Output::Event(Event::OutcomeUnknown {
                transaction: kind,
                stan,
                reason,
            }));
        }
        if script_advice.is_some() {
            self.advices_due = true;
        }
        let record = Record::ChipVerdict {
            entry,
            accepted: verdict.approved,
            script_advice,
        };
        self.persist(record, then, None, OnPersistFail::Halt);
    }

    /// No verdict by the deadline: the card was pulled out or the reader failed. The approval is
    /// reversed as a card decline (reason `06`), as terminals do when the card is removed.
    pub(super) fn card_verdict_overdue(&mut self) {
        if let Some(approval) = self.take_chip_approval() {
            self.card_declined(approval);
        }
    }

    fn take_chip_approval(&mut self) -> Option<ChipApproval> {
        match core::mem::replace(&mut self.activity, Activity::Idle) {
            Activity::AwaitingVerdict(approval) => Some(*approval),
            other => {
                self.activity = other;
                None
            }
        }
    }

    /// The card was pulled out (or the reader failed) before its verdict: the reversal
    /// becomes a card decline (reason `06`) and goes out next. No second GENERATE AC, so no IC
    /// failure upload.
    fn card_declined(&mut self, approval: ChipApproval) {
        let (kind, stan) = (approval.txn.kind, approval.txn.stan);
        let reason = ReversalReason::CardDeclined;
        self.push(Output::Event(Event::OutcomeUnknown {
            transaction: kind,
            stan,
            reason,
        }));
        let record = Record::ReversalUpdated {
            stan,
            reason,
            auth_code: approval.reply.get_str(38).map(str::to_owned),
            icc_data: None,
        };
        self.persist(record, Vec::new(), None, OnPersistFail::Halt);
    }
}
