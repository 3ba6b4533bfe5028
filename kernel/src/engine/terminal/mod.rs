//! The terminal state machine. See the module docs of [`crate::engine`] for the run loop.

mod original;
mod reversal;
mod settle;

use std::collections::VecDeque;

use original::CardSpec;

use super::journal::{next_stan, BatchEntry, DurableState, JournalError, PendingRefund, PendingReversal, Record};
use super::messages::{self, CardRequest};
use super::outcome::{FailReason, Outcome, OutcomeResult, Receipt};
use super::output::{Event, Output, Timer};
use super::reply::{self, Mismatch};
use super::status::{PendingRefundStatus, PendingReversalStatus, Status};
use super::{Card, CardVerdict, Command, EntryMode, Input, ReversalReason, TransactionKind};
use crate::codec::{Frame, Header, Message};
use crate::config::{Config, ConfigError};
use crate::guidance;
use crate::pan;
use crate::security::{SecurityError, SecurityModule, WorkingKeys};
use crate::time::Timestamp;

/// A POS terminal's transaction logic, sans-IO.
pub struct Terminal {
    config: Config,
    security: Box<dyn SecurityModule>,
    /// Changed only by applying journal records the host has made durable.
    state: DurableState,
    activity: Activity,
    /// A command waiting for the pending reversal to resolve (DESIGN.md rule 3).
    queued: Option<Command>,
    outputs: VecDeque<Output>,
    /// A record awaiting durability, and what follows it.
    barrier: Option<Barrier>,
    /// Inputs that arrived while a record awaited durability.
    deferred: VecDeque<(Timestamp, Input)>,
    /// Attempts of the pending reversal since it became pending (or since the restart).
    reversal_attempts: u32,
    /// The acquirer asked for a new sign-on (header R = 3, F39 `A0` / `99`).
    sign_on_required: bool,
    /// A journal write failed after the point of no return: only a restart helps.
    halted: bool,
    /// Pending refunds are due for a resend (after the retry timer, and after a restart).
    refunds_due: bool,
    /// A settlement step went unanswered: it resumes on the next `Settle`, not by itself.
    settlement_paused: bool,
}

impl core::fmt::Debug for Terminal {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Terminal")
            .field("terminal_id", &self.config.terminal_id)
            .field("status", &self.status())
            .finish_non_exhaustive()
    }
}

/// What the terminal waits for.
enum Activity {
    Idle,
    AwaitingReply(Box<Outstanding>),
    /// A chip approval waits for the card's second GENERATE AC.
    AwaitingCard(Box<ChipApproval>),
    /// A reversal or refund attempt failed; the retry timer is armed.
    Backoff,
}

struct Outstanding {
    /// The request as sent, to validate the reply against.
    request: Message,
    deadline: Timestamp,
    purpose: Purpose,
}

enum Purpose {
    Reversal,
    Settlement,
    Transaction(Txn),
}

/// A request in flight, in memory only (the journal keeps what must survive).
struct Txn {
    kind: TransactionKind,
    stan: u32,
    amount: Option<u64>,
    pan: String,
    entry: EntryMode,
    await_card: bool,
    /// For a void, cancel or completion: the STAN of the transaction it refers to.
    original_stan: Option<u32>,
}

struct ChipApproval {
    txn: Txn,
    reply: Message,
}

struct Barrier {
    record: Record,
    /// Outputs released once the record is durable.
    then: Vec<Output>,
    /// The activity once the record is durable (`None`: unchanged).
    next: Option<Activity>,
    on_fail: OnPersistFail,
}

enum OnPersistFail {
    /// Nothing was sent yet: end the command as failed, the journal being unavailable (the
    /// outcome is built only then: persisting almost always succeeds).
    Abort {
        transaction: TransactionKind,
        stan: Option<u32>,
    },
    /// Past the point of no return: stop and wait for a restart from the journal.
    Halt,
}

/// A journal or configuration that cannot start a terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RestoreError {
    Config(ConfigError),
    Journal(JournalError),
}

impl core::fmt::Display for RestoreError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            RestoreError::Config(e) => e.fmt(f),
            RestoreError::Journal(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for RestoreError {}

impl Terminal {
    /// A brand-new terminal with an empty journal.
    pub fn new(config: Config, security: Box<dyn SecurityModule>) -> Result<Terminal, ConfigError> {
        config.validate()?;
        let state = DurableState::new(config.initial_stan, config.initial_batch);
        Ok(Terminal::with_state(config, security, state))
    }

    /// Rebuilds a terminal from its journal records, reloads its working keys into the security
    /// module, and resumes what was in flight: a pending reversal is sent first.
    pub fn restore<'a>(
        config: Config,
        security: Box<dyn SecurityModule>,
        records: impl IntoIterator<Item = &'a [u8]>,
        now: Timestamp,
    ) -> Result<Terminal, RestoreError> {
        config.validate().map_err(RestoreError::Config)?;
        let state = DurableState::new(config.initial_stan, config.initial_batch)
            .replay(records)
            .map_err(RestoreError::Journal)?;
        let mut terminal = Terminal::with_state(config, security, state);
        terminal.refunds_due = true;
        if let Some(keys) = terminal.state.keys.filter(|_| terminal.state.signed_on) {
            if terminal.security.load_working_keys(&keys).is_err() {
                terminal.request_sign_on();
            }
        }
        terminal.drive(now);
        Ok(terminal)
    }

    fn with_state(config: Config, security: Box<dyn SecurityModule>, state: DurableState) -> Terminal {
        Terminal {
            config,
            security,
            state,
            activity: Activity::Idle,
            queued: None,
            outputs: VecDeque::new(),
            barrier: None,
            deferred: VecDeque::new(),
            reversal_attempts: 0,
            sign_on_required: false,
            halted: false,
            refunds_due: false,
            settlement_paused: false,
        }
    }

    /// The next output to carry out, in order.
    pub fn poll_output(&mut self) -> Option<Output> {
        self.outputs.pop_front()
    }

    /// Feeds one input at time `now`.
    pub fn handle(&mut self, now: Timestamp, input: Input) {
        self.dispatch(now, input);
        while self.barrier.is_none() {
            let Some((then, input)) = self.deferred.pop_front() else {
                break;
            };
            self.dispatch(then, input);
        }
    }

    /// The durable state, as the journal holds it.
    pub fn durable_state(&self) -> &DurableState {
        &self.state
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The life of one transaction: "was this customer charged?".
    pub fn query(&self, query: &super::Query) -> Option<super::TransactionLife> {
        super::query(&self.state, query)
    }

    /// What an operator needs to know now.
    pub fn status(&self) -> Status {
        Status {
            signed_on: self.state.signed_on,
            sign_on_required: self.sign_on_required,
            batch: self.state.batch,
            last_stan: self.state.last_stan,
            busy: !matches!(self.activity, Activity::Idle) || self.barrier.is_some(),
            pending_reversal: self.state.reversal.as_ref().map(|r| PendingReversalStatus {
                stan: r.stan,
                transaction: r.transaction,
                amount: r.amount,
                card: r.card.clone(),
                reason: r.reason,
            }),
            exceptions: self.state.exceptions.clone(),
            pending_refunds: self
                .state
                .pending_refunds
                .iter()
                .map(|r| PendingRefundStatus {
                    stan: r.stan,
                    amount: r.amount,
                    card: r.card.clone(),
                })
                .collect(),
            settlement_in_progress: self.state.settlement.is_some(),
            approved_count: self.state.entries.len(),
            approved_total: self.state.entries.iter().map(|e| e.amount).sum(),
            debit_total: self
                .state
                .entries
                .iter()
                .filter(|e| e.transaction.is_debit())
                .map(|e| e.amount)
                .sum(),
            credit_total: self
                .state
                .entries
                .iter()
                .filter(|e| e.transaction.is_credit())
                .map(|e| e.amount)
                .sum(),
            open_preauths: self.state.preauths.iter().filter(|e| e.closed_by.is_none()).count(),
        }
    }

    fn dispatch(&mut self, now: Timestamp, input: Input) {
        match input {
            Input::Persisted => self.on_persisted(now),
            Input::PersistFailed(reason) => self.on_persist_failed(now, reason),
            other if self.barrier.is_some() => self.deferred.push_back((now, other)),
            Input::Command(command) => self.on_command(now, command),
            Input::Receive(bytes) => self.on_receive(now, &bytes),
            Input::Timer(timer) => self.on_timer(now, timer),
            Input::CardVerdict(verdict) => self.on_card_verdict(now, verdict),
            Input::ConnectionClosed => self.on_connection_closed(now),
        }
    }

    // ---- outputs and the journal barrier ----

    fn push(&mut self, output: Output) {
        self.outputs.push_back(output);
    }

    fn persist(&mut self, record: Record, then: Vec<Output>, next: Option<Activity>, on_fail: OnPersistFail) {
        self.push(Output::Persist(record.encode()));
        self.barrier = Some(Barrier {
            record,
            then,
            next,
            on_fail,
        });
    }

    /// Like `persist`, but the record (a snapshot) replaces the whole journal.
    fn compact(&mut self, state: DurableState, then: Vec<Output>) {
        let record = Record::Snapshot(Box::new(state));
        self.push(Output::Compact(record.encode()));
        self.barrier = Some(Barrier {
            record,
            then,
            next: None,
            on_fail: OnPersistFail::Halt,
        });
    }

    fn on_persisted(&mut self, now: Timestamp) {
        let Some(barrier) = self.barrier.take() else { return };
        if let Err(e) = self.state.apply(barrier.record) {
            return self.halt(e.to_string());
        }
        self.outputs.extend(barrier.then);
        if let Some(next) = barrier.next {
            self.activity = next;
        }
        self.drive(now);
    }

    fn on_persist_failed(&mut self, now: Timestamp, reason: String) {
        let Some(barrier) = self.barrier.take() else { return };
        match barrier.on_fail {
            OnPersistFail::Abort { transaction, stan } => {
                self.fail(transaction, stan, FailReason::JournalUnavailable);
                self.drive(now);
            }
            OnPersistFail::Halt => self.halt(reason),
        }
    }

    fn halt(&mut self, reason: String) {
        self.halted = true;
        self.activity = Activity::Idle;
        self.push(Output::Event(Event::JournalFailed { reason }));
        if let Some(command) = self.queued.take() {
            self.fail(command.transaction(), None, FailReason::TerminalFailed);
        }
    }

    /// Starts whatever is due when the terminal is free: a pending reversal first, then a
    /// queued command.
    fn drive(&mut self, now: Timestamp) {
        if self.barrier.is_some() || self.halted {
            return;
        }
        match self.activity {
            Activity::Idle => {
                if self.state.reversal.is_some() {
                    self.send_reversal(now);
                } else if self.state.settlement.is_some() && !self.settlement_paused && self.queued.is_none() {
                    self.resend_settlement(now);
                } else if matches!(self.queued, Some(Command::Settle)) && !self.state.pending_refunds.is_empty() {
                    // Settlement resolves pending refunds first (DESIGN.md rule 10).
                    self.resend_refund(now);
                } else if let Some(command) = self.queued.take() {
                    self.start(now, command);
                } else if self.refunds_due && !self.state.pending_refunds.is_empty() {
                    self.resend_refund(now);
                }
            }
            Activity::Backoff if self.queued.is_some() => {
                self.push(Output::CancelTimer(Timer::Retry));
                self.activity = Activity::Idle;
                self.drive(now);
            }
            _ => {}
        }
    }

    // ---- outcomes ----

    fn outcome(&self, transaction: TransactionKind, stan: Option<u32>, result: OutcomeResult) -> Box<Outcome> {
        let guidance = match &result {
            // Approvals that print a receipt.
            OutcomeResult::Approved if transaction.is_financial() && transaction != TransactionKind::Balance => {
                guidance::for_response_code("00")
            }
            OutcomeResult::Approved => guidance::done(),
            OutcomeResult::Declined { response_code } => guidance::for_response_code(response_code),
            OutcomeResult::Failed { reason } => guidance::local(reason),
            OutcomeResult::Reversed {
                reason: ReversalReason::CardDeclined,
            } => guidance::declined_by_card(),
            OutcomeResult::Reversed { .. } => guidance::reversed(),
            OutcomeResult::ReversalFailed { .. } => guidance::reversal_not_confirmed(),
        };
        Box::new(Outcome {
            transaction,
            stan,
            result,
            guidance,
            receipt: None,
            balance: None,
            settlement: None,
        })
    }

    fn fail(&mut self, transaction: TransactionKind, stan: Option<u32>, reason: FailReason) {
        let outcome = self.outcome(transaction, stan, OutcomeResult::Failed { reason });
        self.push(Output::Outcome(outcome));
    }

    fn ignore(&mut self, reason: String) {
        self.push(Output::Event(Event::ReplyIgnored { reason }));
    }

    fn request_sign_on(&mut self) {
        if !self.sign_on_required {
            self.sign_on_required = true;
            self.push(Output::Event(Event::SignOnRequired));
        }
    }

    // ---- commands ----

    fn on_command(&mut self, now: Timestamp, command: Command) {
        let kind = command.transaction();
        if self.halted {
            return self.fail(kind, None, FailReason::TerminalFailed);
        }
        if let Command::AcknowledgeException { stan } = command {
            return self.acknowledge_exception(stan);
        }
        let busy = !matches!(self.activity, Activity::Idle | Activity::Backoff);
        if busy || self.queued.is_some() {
            return self.fail(kind, None, FailReason::Busy);
        }
        if let Err(reason) = self.check(&command) {
            return self.fail(kind, None, reason);
        }
        // Sign-on may be what a stuck reversal needs (fresh keys), so it does not wait for it.
        if self.state.reversal.is_some() && kind != TransactionKind::SignOn {
            self.queued = Some(command);
            return self.drive(now);
        }
        if matches!(self.activity, Activity::Backoff) {
            self.push(Output::CancelTimer(Timer::Retry));
            self.activity = Activity::Idle;
        }
        self.start(now, command);
    }

    /// Local checks: nothing is sent for a command that fails them.
    fn check(&self, command: &Command) -> Result<(), FailReason> {
        let kind = command.transaction();
        if kind.needs_sign_on() && (!self.state.signed_on || self.sign_on_required) {
            return Err(FailReason::NotSignedOn);
        }
        if self.state.settlement.is_some() && kind != TransactionKind::Settlement && kind != TransactionKind::SignOn {
            return Err(FailReason::SettlementInProgress);
        }
        let amount = |amount: u64, limit: u64| {
            if amount == 0 {
                Err(invalid("amount must be positive"))
            } else if amount > limit {
                Err(FailReason::OverLimit { limit })
            } else {
                Ok(())
            }
        };
        let max = self.config.max_amount;
        match command {
            Command::Sale { amount: a, card } | Command::PreAuth { amount: a, card } => {
                amount(*a, max)?;
                check_card(card)
            }
            Command::Completion { amount: a, card, .. } => {
                amount(*a, max)?;
                check_card(card)
            }
            Command::Refund {
                amount: a,
                card,
                original_rrn,
                original_date,
            } => {
                amount(*a, self.config.refund_limit.min(max))?;
                if original_rrn.len() != 12 || !original_rrn.bytes().all(|b| b.is_ascii_alphanumeric()) {
                    return Err(invalid("original RRN must be 12 characters"));
                }
                if original_date.len() != 4 || !digits(original_date) {
                    return Err(invalid("original date must be MMDD"));
                }
                check_card(card)
            }
            Command::Balance { card } | Command::PreAuthCancel { card, .. } => check_card(card),
            Command::Void { card: Some(card), .. } | Command::CompletionVoid { card: Some(card), .. } => {
                check_card(card)
            }
            _ => Ok(()),
        }
    }

    fn acknowledge_exception(&mut self, stan: u32) {
        let kind = TransactionKind::AcknowledgeException;
        let open = self.state.exceptions.iter().any(|e| e.stan == stan && !e.acknowledged);
        if !open {
            return self.fail(kind, Some(stan), invalid("no open exception with this STAN"));
        }
        let done = self.outcome(kind, Some(stan), OutcomeResult::Approved);
        self.persist(
            Record::ExceptionAcknowledged { stan },
            vec![Output::Outcome(done)],
            None,
            OnPersistFail::Abort {
                transaction: kind,
                stan: Some(stan),
            },
        );
    }

    fn start(&mut self, now: Timestamp, command: Command) {
        let stan = next_stan(self.state.last_stan);
        let batch = self.state.batch;
        let kind = command.transaction();
        let network = |kind| Txn {
            kind,
            stan,
            amount: None,
            pan: String::new(),
            entry: EntryMode::Manual,
            await_card: false,
            original_stan: None,
        };
        let spec = match command {
            Command::SignOn => {
                let request = messages::sign_on(&self.config, stan, batch);
                return self.send_request(now, network(kind), request, None, None);
            }
            Command::SignOff | Command::Echo => {
                let request = messages::network(&self.config, stan, batch, kind);
                return self.send_request(now, network(kind), request, None, None);
            }
            Command::Settle => return self.start_settlement(now),
            Command::AcknowledgeException { stan } => return self.acknowledge_exception(stan),
            Command::Sale { amount, card } => CardSpec::new(kind, card, Some(amount)),
            Command::Balance { card } => CardSpec::new(kind, card, None),
            Command::PreAuth { amount, card } => CardSpec::new(kind, card, Some(amount)),
            other => match self.referencing_spec(other) {
                Ok(spec) => spec,
                Err(reason) => return self.fail(kind, None, reason),
            },
        };
        self.send_card_request(now, stan, spec);
    }

    fn send_card_request(&mut self, now: Timestamp, stan: u32, spec: CardSpec) {
        let kind = spec.kind;
        let card = &spec.card;
        // Refunds carry neither PIN block nor chip data (PROFILE.md §3).
        let pin_block = match (&card.pin, kind) {
            (Some(pin), k) if k != TransactionKind::Refund => match self.security.pin_block(pin, &card.pan) {
                Ok(block) => Some(block),
                Err(e) => return self.fail(kind, None, security_failure(&e)),
            },
            _ => None,
        };
        let shape = messages::shape(kind);
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
                card: pan::mask(&card.pan),
                message: messages::reversal_body(&request),
                reason: ReversalReason::NoReply,
                auth_code: None,
                icc_data: None,
            })
        });
        let resend = (kind == TransactionKind::Refund).then(|| {
            Box::new(PendingRefund {
                stan,
                amount: spec.amount.unwrap_or_default(),
                card: pan::mask(&card.pan),
                entry: card.entry,
                message: messages::resend_body(&request),
            })
        });
        let txn = Txn {
            kind,
            stan,
            amount: spec.amount,
            pan: card.pan.clone(),
            entry: card.entry,
            await_card: card.entry == EntryMode::Chip
                && matches!(kind, TransactionKind::Sale | TransactionKind::PreAuth),
            original_stan: spec.original_stan,
        };
        self.send_request(now, txn, request, reversal, resend);
    }

    /// Journals the request (and its reversal) and sends it once that is durable.
    fn send_request(
        &mut self,
        now: Timestamp,
        txn: Txn,
        mut request: Message,
        reversal: Option<Box<PendingReversal>>,
        resend: Option<Box<PendingRefund>>,
    ) {
        let (kind, stan) = (txn.kind, txn.stan);
        if kind.is_financial() {
            if let Err(reason) = self.add_mac(&mut request) {
                return self.fail(kind, None, reason);
            }
        }
        let event = Event::Sending {
            transaction: kind,
            stan,
        };
        let on_fail = OnPersistFail::Abort {
            transaction: kind,
            stan: None,
        };
        let record = Record::RequestSent {
            stan,
            transaction: kind,
            reversal,
            resend,
        };
        if let Err(reason) = self.journal_then_send(now, record, request, Purpose::Transaction(txn), event, on_fail) {
            self.fail(kind, None, reason);
        }
    }

    /// Journals `record`, then, once it is durable, sends `request` and waits for its reply.
    fn journal_then_send(
        &mut self,
        now: Timestamp,
        record: Record,
        request: Message,
        purpose: Purpose,
        event: Event,
        on_fail: OnPersistFail,
    ) -> Result<(), FailReason> {
        let frame = self.frame(&request)?;
        let deadline = now.plus_ms(self.config.response_timeout_ms);
        let then = vec![
            Output::Event(event),
            Output::Transmit(frame),
            Output::ArmTimer {
                timer: Timer::Response,
                at: deadline,
            },
        ];
        let next = Activity::AwaitingReply(Box::new(Outstanding {
            request,
            deadline,
            purpose,
        }));
        self.persist(record, then, Some(next), on_fail);
        Ok(())
    }

    /// Sends `request` now (no journal write: it is already journaled) and waits for its reply.
    fn transmit(
        &mut self,
        now: Timestamp,
        mut request: Message,
        purpose: Purpose,
        mac: bool,
    ) -> Result<(), FailReason> {
        if mac {
            self.add_mac(&mut request)?;
        }
        let frame = self.frame(&request)?;
        let deadline = now.plus_ms(self.config.response_timeout_ms);
        self.push(Output::Transmit(frame));
        self.push(Output::ArmTimer {
            timer: Timer::Response,
            at: deadline,
        });
        self.activity = Activity::AwaitingReply(Box::new(Outstanding {
            request,
            deadline,
            purpose,
        }));
        Ok(())
    }

    fn add_mac(&mut self, message: &mut Message) -> Result<(), FailReason> {
        let block = message.mac_block().map_err(|e| invalid(&e.to_string()))?;
        let mac = self.security.mac(&block).map_err(|e| security_failure(&e))?;
        message.set(64, mac);
        Ok(())
    }

    fn frame(&self, message: &Message) -> Result<Vec<u8>, FailReason> {
        let header = Header {
            status: self.config.header_status,
            requirement: 0,
        };
        Frame::encode_parts(self.config.tpdu, header, message).map_err(|e| invalid(&e.to_string()))
    }

    // ---- replies ----

    fn on_receive(&mut self, now: Timestamp, bytes: &[u8]) {
        let frame = match Frame::decode(bytes) {
            Ok(frame) => frame,
            Err(e) => return self.ignore(format!("undecodable frame: {e}")),
        };
        let check = match &self.activity {
            Activity::AwaitingReply(out) => {
                let financial = match &out.purpose {
                    Purpose::Reversal => true,
                    Purpose::Settlement => false,
                    Purpose::Transaction(txn) => txn.kind.is_financial(),
                };
                let security = &mut self.security;
                reply::validate(&out.request, &frame.message, financial, |reply| {
                    reply.mac_block().ok().and_then(|block| security.mac(&block).ok())
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
        if frame.header.requirement == Header::SIGN_ON_AGAIN {
            self.request_sign_on();
        }
        let Some(out) = self.take_outstanding() else { return };
        match out.purpose {
            Purpose::Reversal => self.on_reversal_reply(now, &frame.message),
            Purpose::Settlement => self.on_settlement_reply(now, &frame.message),
            Purpose::Transaction(txn) => self.on_transaction_reply(now, txn, frame.message),
        }
    }

    fn take_outstanding(&mut self) -> Option<Outstanding> {
        match core::mem::replace(&mut self.activity, Activity::Idle) {
            Activity::AwaitingReply(out) => Some(*out),
            other => {
                self.activity = other;
                None
            }
        }
    }

    fn on_transaction_reply(&mut self, now: Timestamp, txn: Txn, reply: Message) {
        let code = reply.get_str(39).unwrap_or_default().to_owned();
        if code == "A0" || code == "99" {
            self.request_sign_on();
        }
        let approved = reply::is_approval(&code);
        let (kind, stan) = (txn.kind, Some(txn.stan));
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
                self.activity = Activity::AwaitingCard(Box::new(ChipApproval { txn, reply }));
            }
            // Card transactions with a journal entry: approvals are recorded, declines clear
            // the reversal (or the pending refund).
            k if k.is_financial() && approved => self.finish_approved(now, txn, &reply),
            k if k.is_financial() => {
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

    fn on_sign_on_approved(&mut self, now: Timestamp, txn: Txn, reply: &Message) {
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
                other => security_failure(&other),
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

    fn finish_approved(&mut self, now: Timestamp, txn: Txn, reply: &Message) {
        let amount = reply
            .get_str(4)
            .and_then(|a| a.parse::<u64>().ok())
            .or(txn.amount)
            .unwrap_or_default();
        let local = now.local(self.config.utc_offset_minutes);
        let entry = BatchEntry {
            stan: txn.stan,
            batch: self.state.batch,
            transaction: txn.kind,
            entry: txn.entry,
            pan: txn.pan,
            amount,
            rrn: reply.get_str(37).unwrap_or_default().to_owned(),
            auth_code: reply.get_str(38).unwrap_or_default().to_owned(),
            date_time: local.display(),
            date: local.mmdd(),
            original_stan: txn.original_stan,
            closed_by: None,
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

    fn receipt(&self, entry: &BatchEntry) -> Receipt {
        Receipt {
            merchant_name: self.config.merchant_name.clone(),
            merchant_id: self.config.merchant_id.clone(),
            terminal_id: self.config.terminal_id.clone(),
            transaction: entry.transaction,
            card: pan::mask(&entry.pan),
            entry: entry.entry,
            amount: entry.amount,
            currency: self.config.currency.clone(),
            batch: entry.batch,
            stan: entry.stan,
            rrn: entry.rrn.clone(),
            auth_code: entry.auth_code.clone(),
            date_time: entry.date_time.clone(),
        }
    }

    fn on_card_verdict(&mut self, now: Timestamp, verdict: CardVerdict) {
        let approval = match core::mem::replace(&mut self.activity, Activity::Idle) {
            Activity::AwaitingCard(approval) => *approval,
            other => {
                self.activity = other;
                return self.ignore("card verdict while no chip approval is waiting".into());
            }
        };
        if verdict.approved {
            return self.finish_approved(now, approval.txn, &approval.reply);
        }
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
            icc_data: Some(verdict.icc_data),
        };
        self.persist(record, Vec::new(), None, OnPersistFail::Halt);
    }

    // ---- no reply: timeouts, closed connections, bad MACs ----

    fn on_timer(&mut self, now: Timestamp, timer: Timer) {
        match timer {
            Timer::Response => {
                let due = matches!(&self.activity, Activity::AwaitingReply(out) if now >= out.deadline);
                if let Some(out) = due.then(|| self.take_outstanding()).flatten() {
                    self.no_reply(now, out, ReversalReason::NoReply, None);
                }
            }
            Timer::Retry => {
                if matches!(self.activity, Activity::Backoff) {
                    self.activity = Activity::Idle;
                    self.refunds_due = true;
                    self.drive(now);
                }
            }
        }
    }

    fn on_connection_closed(&mut self, now: Timestamp) {
        if let Some(out) = self.take_outstanding() {
            self.push(Output::CancelTimer(Timer::Response));
            self.no_reply(now, out, ReversalReason::NoReply, None);
        }
    }

    /// The outstanding request will get no valid answer.
    fn no_reply(&mut self, now: Timestamp, out: Outstanding, reason: ReversalReason, auth_code: Option<String>) {
        let txn = match out.purpose {
            Purpose::Reversal => return self.reversal_attempt_failed(now),
            Purpose::Settlement => return self.settlement_unanswered(now),
            Purpose::Transaction(txn) => txn,
        };
        if txn.kind == TransactionKind::Refund {
            return self.refund_unanswered(now, txn.stan);
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
}

fn invalid(reason: &str) -> FailReason {
    FailReason::InvalidInput {
        reason: reason.to_owned(),
    }
}

fn security_failure(e: &SecurityError) -> FailReason {
    FailReason::SecurityModule { reason: e.to_string() }
}

fn digits(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit())
}

fn track(s: &str, max: usize) -> bool {
    !s.is_empty() && s.len() <= max && s.bytes().all(|b| b.is_ascii_digit() || b == b'=')
}

/// Card data the codec could not encode is refused before anything is journaled.
fn check_card(card: &Card) -> Result<(), FailReason> {
    if !pan::is_valid_pan(&card.pan) {
        return Err(invalid("PAN must be 12 to 19 digits"));
    }
    if card.expiry.as_deref().is_some_and(|e| e.len() != 4 || !digits(e)) {
        return Err(invalid("expiry must be YYMM"));
    }
    if card.sequence.as_deref().is_some_and(|s| s.len() != 3 || !digits(s)) {
        return Err(invalid("card sequence number must be 3 digits"));
    }
    if card.track2.as_deref().is_some_and(|t| !track(t, 37)) {
        return Err(invalid("track 2 must be up to 37 digits and '='"));
    }
    if card.track3.as_deref().is_some_and(|t| !track(t, 104)) {
        return Err(invalid("track 3 must be up to 104 digits and '='"));
    }
    if card.icc_data.as_ref().is_some_and(|icc| icc.len() > 255) {
        return Err(invalid("chip data (F55) must be at most 255 bytes"));
    }
    if card
        .pin
        .as_deref()
        .is_some_and(|p| !(4..=12).contains(&p.len()) || !digits(p))
    {
        return Err(invalid("PIN must be 4 to 12 digits"));
    }
    Ok(())
}
