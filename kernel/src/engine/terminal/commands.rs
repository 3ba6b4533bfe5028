//! Operator commands: whether the terminal can take one now, the local checks that refuse it
//! before anything is sent, and the request journaled (with its write-ahead reversal) and then
//! sent.

use super::original::CardSpec;
use super::{Activity, InFlightRequest, OnPersistFail, Outgoing, Purpose, Terminal};
use crate::codec::{tlv, Message};
use crate::engine::batch::ChipEvidence;
use crate::engine::journal::{next_stan, PendingResend, PendingReversal, Record};
use crate::engine::messages::{self, CardRequest};
use crate::engine::outcome::{FailReason, InputProblem, OutcomeResult};
use crate::engine::output::Event;
use crate::engine::{Card, Command, EntryMode, ReversalReason, TransactionKind};
use crate::pan;
use crate::security::{SecurityError, StoredCard};
use crate::time::Timestamp;

impl Terminal {
    pub(super) fn on_command(&mut self, now: Timestamp, command: Command) {
        let kind = command.transaction();
        if self.halted {
            return self.fail(kind, None, FailReason::TerminalFailed);
        }
        if let Command::AcknowledgeException { stan } = command {
            return self.acknowledge_exception(stan);
        }
        if self.queued.is_some() || self.serving_operator() {
            return self.fail(kind, None, FailReason::Busy);
        }
        if command == Command::Settle && self.settling_by_itself() {
            // The step in flight (resumed after a restart) is this settlement: its outcome is
            // the answer to this command.
            if let Activity::AwaitingReply(out) = &mut self.activity {
                out.purpose = Purpose::Settlement { for_operator: true };
            }
            return;
        }
        // Refused at once rather than after waiting (not signed on, over a limit, bad data).
        if let Err(reason) = self.check(&command) {
            return self.fail(kind, None, reason);
        }
        // The terminal's own work goes first: a pending reversal (before any online request; a
        // sign-on does not wait, as fresh keys may be what the reversal needs), or a resend in
        // flight. The command waits for it and then runs.
        let reversal_first = self.state.reversal.is_some() && kind != TransactionKind::SignOn;
        // Advices go before the next online request (docs/profile.md §7): each is tried once.
        let advices_first = !self.state.pending_advices.is_empty() && kind.is_online();
        if advices_first {
            self.advices_due = true;
        }
        if reversal_first || advices_first || matches!(self.activity, Activity::AwaitingReply(_)) {
            self.queued = Some(command);
            return self.drive(now);
        }
        if matches!(self.activity, Activity::Backoff) {
            self.leave_backoff();
        }
        self.start(now, command);
    }

    /// Whether an operator's transaction is in flight: then another command is "busy". The
    /// terminal's own work (a reversal, a refund resend, a settlement step resumed after a
    /// restart) is not: a command waits for it instead.
    fn serving_operator(&self) -> bool {
        match &self.activity {
            Activity::AwaitingVerdict(_) | Activity::AwaitingCard(_) => true,
            Activity::AwaitingReply(out) => match &out.purpose {
                Purpose::Reversal | Purpose::Management(_) => false,
                Purpose::Settlement { for_operator } => *for_operator,
                Purpose::Transaction(txn) => !txn.resend,
            },
            Activity::Idle | Activity::Backoff => false,
        }
    }

    fn settling_by_itself(&self) -> bool {
        matches!(&self.activity, Activity::AwaitingReply(out)
            if matches!(out.purpose, Purpose::Settlement { for_operator: false }))
    }

    /// A command that waited for the terminal's own work: checked again (the work may have
    /// changed what it can do), then started.
    pub(super) fn begin(&mut self, now: Timestamp, command: Command) {
        match self.check(&command) {
            Ok(()) => self.start(now, command),
            Err(reason) => {
                self.fail(command.transaction(), None, reason);
                self.drive(now);
            }
        }
    }

    /// Local checks: nothing is sent for a command that fails them.
    pub(super) fn check(&self, command: &Command) -> Result<(), FailReason> {
        let kind = command.transaction();
        let amount = match command {
            Command::Sale { amount, .. }
            | Command::PreAuth { amount, .. }
            | Command::Completion { amount, .. }
            | Command::CompletionAdvice { amount, .. }
            | Command::Refund { amount, .. } => Some(*amount),
            _ => None,
        };
        self.check_before_card(kind, amount)?;
        if let Command::CompletionAdvice {
            original_stan,
            amount,
            auth_code,
        } = command
        {
            if auth_code
                .as_deref()
                .is_some_and(|a| a.len() != 6 || !a.bytes().all(|b| b.is_ascii_alphanumeric()))
            {
                return Err(invalid(InputProblem::AuthCode));
            }
            return self.open_preauth_before_card(*original_stan, Some(*amount));
        }
        if let Command::Begin(begin) = command {
            return self.check_begin(begin);
        }
        if let Command::Refund {
            original_rrn,
            original_date,
            ..
        } = command
        {
            if original_rrn.len() != 12 || !original_rrn.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err(invalid(InputProblem::OriginalRrn));
            }
            if original_date.len() != 4 || !digits(original_date) {
                return Err(invalid(InputProblem::OriginalDate));
            }
        }
        command.card().map_or(Ok(()), check_card)
    }

    /// A `begin`: the fields its kind needs, and the original it refers to as far as it can be
    /// checked without the card (the card's PAN is compared once it is read).
    fn check_begin(&self, begin: &crate::engine::Begin) -> Result<(), FailReason> {
        use crate::engine::Begin;
        let kind = begin.transaction;
        self.check_before_card(kind, begin.amount)?;
        // A placeholder card only shows whether the fields are there; it is never used.
        if begin.with_card(Card::keyed("0")).is_none() {
            return Err(invalid(InputProblem::TransactionFields));
        }
        let Begin {
            original_stan,
            original_rrn,
            original_date,
            amount,
            ..
        } = begin;
        if let (Some(rrn), Some(date)) = (original_rrn, original_date) {
            if rrn.len() != 12 || !rrn.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err(invalid(InputProblem::OriginalRrn));
            }
            if date.len() != 4 || !digits(date) {
                return Err(invalid(InputProblem::OriginalDate));
            }
        }
        match (kind, original_stan) {
            (TransactionKind::Void, Some(stan)) => self.batch_original(*stan, TransactionKind::Sale).map(|_| ()),
            (TransactionKind::CompletionVoid, Some(stan)) => {
                self.batch_original(*stan, TransactionKind::Completion).map(|_| ())
            }
            (TransactionKind::PreAuthCancel | TransactionKind::Completion, Some(stan)) => {
                self.open_preauth_before_card(*stan, *amount)
            }
            _ => Ok(()),
        }
    }

    /// What can be checked before a card is asked for: signed on, no settlement in progress,
    /// the amount within the limits. A host calls this before it asks for the card, so that a
    /// sale before sign-on or over the limit is refused before the customer presents one.
    pub fn check_before_card(&self, kind: TransactionKind, amount: Option<u64>) -> Result<(), FailReason> {
        if kind.needs_sign_on() && (!self.state.signed_on || self.sign_on_required) {
            return Err(FailReason::NotSignedOn);
        }
        if self.state.settlement.is_some() && kind != TransactionKind::Settlement && kind != TransactionKind::SignOn {
            return Err(FailReason::SettlementInProgress);
        }
        let limit = match kind {
            TransactionKind::Refund => self.config.refund_limit.min(self.config.max_amount),
            _ => self.config.max_amount,
        };
        match amount {
            Some(0) => Err(invalid(InputProblem::ZeroAmount)),
            Some(amount) if amount > limit => Err(FailReason::OverLimit { limit }),
            _ => Ok(()),
        }
    }

    fn acknowledge_exception(&mut self, stan: u32) {
        let kind = TransactionKind::AcknowledgeException;
        let open = self.state.exceptions.iter().any(|e| e.stan == stan && !e.acknowledged);
        if !open {
            return self.fail(kind, Some(stan), invalid(InputProblem::NoOpenException));
        }
        let done = self.outcome(kind, Some(stan), OutcomeResult::Approved);
        self.persist(
            Record::ExceptionAcknowledged { stan },
            vec![crate::engine::Output::Outcome(done)],
            None,
            OnPersistFail::Abort {
                transaction: kind,
                stan: Some(stan),
            },
        );
    }

    pub(super) fn start(&mut self, now: Timestamp, command: Command) {
        let stan = next_stan(self.state.last_stan);
        let batch = self.state.batch;
        let kind = command.transaction();
        let network = |kind| InFlightRequest {
            kind,
            stan,
            amount: None,
            card: None,
            entry: EntryMode::Manual,
            await_card: false,
            original_stan: None,
            resend: false,
            chip: None,
        };
        match command {
            Command::SignOn => {
                let request = messages::sign_on(&self.config, stan, batch);
                self.send_request(now, network(kind), request, None, None);
            }
            Command::SignOff | Command::Echo => {
                let request = messages::network(&self.config, stan, batch, kind);
                self.send_request(now, network(kind), request, None, None);
            }
            Command::Settle => self.start_settlement(now),
            Command::CompletionAdvice { .. } => self.complete_offline(now, command),
            Command::AcknowledgeException { stan } => self.acknowledge_exception(stan),
            // A card transaction: its card phase first (nothing is sent until a card is read).
            card_command => self.enter_card_phase(now, card_command),
        }
    }

    /// A card transaction with its card read (or a void keying in the journaled card).
    pub(super) fn start_card_command(&mut self, now: Timestamp, command: Command) {
        let stan = next_stan(self.state.last_stan);
        let kind = command.transaction();
        let spec = match command {
            Command::Sale { amount, card } => CardSpec::new(kind, card, Some(amount)),
            Command::Balance { card } => CardSpec::new(kind, card, None),
            Command::PreAuth { amount, card } => CardSpec::new(kind, card, Some(amount)),
            other => match self.referencing_spec(other) {
                Ok(spec) => spec,
                Err(reason) => {
                    self.fail(kind, None, reason);
                    return self.drive(now);
                }
            },
        };
        self.send_card_request(now, stan, spec);
    }

    fn send_card_request(&mut self, now: Timestamp, stan: u32, spec: CardSpec) {
        let kind = spec.kind;
        let card = &spec.card;
        // Refunds carry neither PIN block nor chip data (docs/profile.md, "Messages"); the same
        // rule as `Command::takes_pin`, which hosts read to know when to type a PIN.
        let pin_block = match (card.pin_entered, kind) {
            (true, k) if k != TransactionKind::Refund => match self.security.pin_block(&card.pan) {
                Ok(block) => Some(block),
                Err(SecurityError::PinNotEntered | SecurityError::InvalidPin) => {
                    let problem = InputProblem::Pin;
                    return self.fail(kind, None, FailReason::InvalidInput { problem });
                }
                Err(e) => return self.fail(kind, None, super::security_failure(&e)),
            },
            _ => None,
        };
        // The card as the journal keeps it: sealed by the security module's data key.
        let stored = match StoredCard::seal(self.security.as_mut(), &card.pan, card.expiry.as_deref()) {
            Ok(stored) => stored,
            Err(e) => return self.fail(kind, None, super::security_failure(&e)),
        };
        let Some(shape) = kind.card_shape() else {
            let detail = format!("{kind:?} is not a card transaction");
            return self.fail(kind, None, FailReason::Internal { detail });
        };
        let request = messages::card_request(
            &self.config,
            stan,
            self.state.batch,
            &CardRequest {
                shape,
                amount: spec.amount,
                card,
                pin_block,
                extra: &spec.extra,
            },
        );
        let reversal = kind.is_reversible().then(|| {
            Box::new(PendingReversal {
                stan,
                transaction: kind,
                amount: spec.amount,
                card: stored.clone(),
                message: messages::reversal_body(&request),
                reason: ReversalReason::NoReply,
                auth_code: None,
                icc_data: None,
            })
        });
        let resend = (kind == TransactionKind::Refund).then(|| {
            Box::new(PendingResend {
                stan,
                transaction: kind,
                amount: spec.amount.unwrap_or_default(),
                card: stored.clone(),
                entry: card.entry,
                message: messages::resend_body(&request),
            })
        });
        let txn = InFlightRequest {
            kind,
            stan,
            amount: spec.amount,
            card: Some(stored),
            entry: card.entry,
            await_card: card.entry == EntryMode::Chip
                && matches!(kind, TransactionKind::Sale | TransactionKind::PreAuth),
            original_stan: spec.original_stan,
            resend: false,
            chip: chip_evidence(&request, card.entry),
        };
        self.send_request(now, txn, request, reversal, resend);
    }

    /// Journals the request (and its reversal) and sends it once that is durable.
    fn send_request(
        &mut self,
        now: Timestamp,
        txn: InFlightRequest,
        request: Message,
        reversal: Option<Box<PendingReversal>>,
        resend: Option<Box<PendingResend>>,
    ) {
        let (kind, stan) = (txn.kind, txn.stan);
        let event = Event::Sending {
            transaction: kind,
            stan,
        };
        let on_fail = OnPersistFail::Abort {
            transaction: kind,
            stan: None,
        };
        let record = Record::AboutToSend {
            stan,
            transaction: kind,
            reversal,
            resend,
        };
        let outgoing = Outgoing {
            request,
            purpose: Purpose::Transaction(txn),
            mac: kind.is_card_transaction(),
        };
        if let Err(reason) = self.journal_then_send(now, record, outgoing, event, on_fail) {
            self.fail(kind, None, reason);
        }
    }
}

/// The evidence a chip or contactless request gives its approval: F22, F23, F55.
fn chip_evidence(request: &Message, entry: EntryMode) -> Option<ChipEvidence> {
    if !matches!(entry, EntryMode::Chip | EntryMode::Contactless) {
        return None;
    }
    Some(ChipEvidence {
        pos_entry: request.get_str(22)?.to_owned(),
        sequence: request.get_str(23).map(str::to_owned),
        // Kept in the journal: without the card data a card's F55 may carry (rule 15).
        icc: tlv::without(request.get(55)?, &tlv::CARD_DATA_TAGS),
    })
}

fn invalid(problem: InputProblem) -> FailReason {
    FailReason::InvalidInput { problem }
}

fn digits(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit())
}

fn track(s: &str, max: usize) -> bool {
    !s.is_empty() && s.len() <= max && s.bytes().all(|b| b.is_ascii_digit() || b == b'=')
}

/// Card data the codec could not encode is refused before anything is journaled.
pub(super) fn check_card(card: &Card) -> Result<(), FailReason> {
    let bad = |problem| Err(invalid(problem));
    if !pan::is_valid_pan(&card.pan) {
        return bad(InputProblem::Pan);
    }
    if card.expiry.as_deref().is_some_and(|e| e.len() != 4 || !digits(e)) {
        return bad(InputProblem::Expiry);
    }
    if card.sequence.as_deref().is_some_and(|s| s.len() != 3 || !digits(s)) {
        return bad(InputProblem::CardSequence);
    }
    if card.track2.as_deref().is_some_and(|t| !track(t, 37)) {
        return bad(InputProblem::Track2);
    }
    if card.track3.as_deref().is_some_and(|t| !track(t, 104)) {
        return bad(InputProblem::Track3);
    }
    if card.icc_data.as_ref().is_some_and(|icc| icc.len() > 255) {
        return bad(InputProblem::ChipData);
    }
    Ok(())
}
