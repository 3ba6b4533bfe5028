//! The terminal state machine. See the module docs of [`crate::engine`] for the run loop and
//! docs/architecture.md for the rules it keeps. By concern:
//!
//! - `outbox`: the journal barrier, the one place outputs leave from;
//! - `commands`: operator commands, their local checks, requests journaled and then sent;
//! - `card_phase`: asking for the card and the PIN, the card reader's outcomes, contactless limits;
//! - `replies`: answers from the acquirer, and the chip card's verdict;
//! - `unanswered`: timeouts, closed connections, requests that never left;
//! - `reversal`: reversals and resends of refunds and advices, the work that goes on by itself;
//! - `advice`: script result and completion advices;
//! - `manage`: the downloads and uploads the acquirer asks for in the reply header;
//! - `original`: what voids, refunds, cancels and completions refer to;
//! - `settle`: settlement.

mod advice;
mod card_phase;
mod commands;
mod manage;
mod original;
mod outbox;
mod replies;
mod reversal;
mod settle;
mod unanswered;

use outbox::{Barrier, Outbox, Unjournaled};

use super::batch::ChipEvidence;
use super::downloads::ManagementTask;
use super::journal::{DurableState, JournalError, Record, COMPACT_AFTER_RECORDS};
use super::outcome::{FailReason, Outcome, OutcomeResult};
use super::output::{Event, Output, Timer};
use super::status::{InFlight, PendingAdviceStatus, PendingRefundStatus, PendingReversalStatus, Status, WaitingFor};
use super::{Command, EntryMode, Input, TransactionKind};
use crate::codec::{Frame, Header, MacedFrameError, Message};
use crate::config::{Config, ConfigError};
use crate::guidance;
use crate::security::{SecurityError, SecurityModule, StoredCard};
use crate::time::Timestamp;

/// A POS terminal's transaction logic, sans-IO.
pub struct Terminal {
    /// The configuration in force: the host's, with the acquirer's downloaded parameters over it.
    config: Config,
    /// The host's configuration, as given.
    base_config: Config,
    security: Box<dyn SecurityModule>,
    /// Changed only by applying journal records the host has made durable.
    state: DurableState,
    activity: Activity,
    /// An operator command waiting for the terminal's own work (a pending reversal, a refund
    /// resend, a resumed settlement step) to finish.
    queued: Option<Command>,
    outbox: Outbox,
    /// Attempts of the pending reversal since it became pending (or since the restart).
    reversal_attempts: u32,
    /// The acquirer asked for a new sign-on (header R = 3, F39 `A0` / `99`).
    sign_on_required: bool,
    /// A journal write failed after the point of no return: only a restart helps.
    halted: bool,
    /// Pending refunds are due for a resend (after the retry timer, and after a restart).
    refunds_due: bool,
    /// Pending advices are due: each is tried once before the terminal goes on (after one is
    /// journaled, the retry timer, a restart, and before an operator's online request).
    advices_due: bool,
    /// A settlement step went unanswered: it resumes on the next `Settle`, not by itself.
    settlement_paused: bool,
    /// Management tasks the reply header asked for, not yet journaled.
    requested: Vec<ManagementTask>,
    /// The management tasks due may run now (not while waiting out a failed attempt).
    management_now: bool,
    /// Records in the journal after its last snapshot: at `COMPACT_AFTER_RECORDS` the terminal
    /// compacts the journal when it has nothing else to do.
    journal_tail: usize,
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
    AwaitingVerdict(Box<ChipApproval>),
    /// A card transaction waits for its card (or its PIN) before anything is sent.
    AwaitingCard(Box<card_phase::CardPhase>),
    /// A reversal or refund attempt failed; the retry timer is armed.
    Backoff,
}

/// A request about to be journaled and sent: what its reply is for, and whether it carries a
/// MAC (computed when it is framed).
struct Outgoing {
    request: Message,
    purpose: Purpose,
    mac: bool,
}

struct Outstanding {
    /// The request as sent, to validate the reply against.
    request: Message,
    deadline: Timestamp,
    purpose: Purpose,
}

enum Purpose {
    Reversal,
    /// A settlement step; `for_operator` when an operator's `Settle` waits for its outcome (a
    /// step resumed by the terminal itself after a restart is not).
    Settlement {
        for_operator: bool,
    },
    Transaction(InFlightRequest),
    /// A step of a management task the acquirer asked for.
    Management(Box<manage::ManagementRun>),
}

/// A request in flight (the operator's transaction, or a refund resent by the terminal itself),
/// in memory only: the journal keeps what must survive.
struct InFlightRequest {
    kind: TransactionKind,
    stan: u32,
    amount: Option<u64>,
    /// The card, sealed (None for network messages).
    card: Option<StoredCard>,
    entry: EntryMode,
    await_card: bool,
    /// For a void, cancel or completion: the STAN of the transaction it refers to.
    original_stan: Option<u32>,
    /// A pending refund or advice sent again by the terminal itself (no operator waits for it).
    resend: bool,
    /// A chip or contactless request's F22, F23 and F55: the approval's evidence (the card's
    /// second GENERATE AC goes over it).
    chip: Option<ChipEvidence>,
}

struct ChipApproval {
    txn: InFlightRequest,
    reply: Message,
    /// When the card's verdict is overdue: a card timer before it (stale, or early) is ignored.
    deadline: Timestamp,
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
    /// Nothing depends on the record (a compaction of a batch that stays): the journal the host
    /// kept holds the same state, so go on, and try again after as many records.
    Continue,
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
        let (state, tail) = DurableState::new(config.initial_stan, config.initial_batch)
            .replay_counting(records)
            .map_err(RestoreError::Journal)?;
        let mut terminal = Terminal::with_state(config, security, state);
        terminal.journal_tail = tail;
        terminal.refunds_due = true;
        terminal.advices_due = true;
        terminal.management_now = true;
        let downloads = &terminal.state.downloads;
        if downloads.ca_keys.is_some() || downloads.ic_parameters.is_some() {
            let data = manage::card_reader_data(downloads);
            terminal.push(Output::CardReaderData(data));
        }
        if let Some(keys) = terminal.state.keys.filter(|_| terminal.state.signed_on) {
            if terminal.security.load_working_keys(&keys).is_err() {
                terminal.request_sign_on();
            }
        }
        terminal.drive(now);
        Ok(terminal)
    }

    fn with_state(config: Config, security: Box<dyn SecurityModule>, state: DurableState) -> Terminal {
        let in_force = in_force(&config, &state);
        Terminal {
            config: in_force,
            base_config: config,
            security,
            state,
            activity: Activity::Idle,
            queued: None,
            outbox: Outbox::default(),
            reversal_attempts: 0,
            sign_on_required: false,
            halted: false,
            refunds_due: false,
            advices_due: false,
            settlement_paused: false,
            requested: Vec::new(),
            management_now: false,
            journal_tail: 0,
        }
    }

    /// The next output to carry out, in order.
    pub fn poll_output(&mut self) -> Option<Output> {
        self.outbox.poll()
    }

    /// Feeds one input at time `now`.
    pub fn handle(&mut self, now: Timestamp, input: Input) {
        self.dispatch(now, input);
        while let Some((then, input)) = self.outbox.next_deferred() {
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
        let in_flight = self.in_flight();
        // The write-ahead reversal of the request in flight is not pending: it stands only in
        // case the outcome becomes unknown, which is then shown.
        let in_flight_stan = in_flight.as_ref().and_then(|f| f.stan);
        let entries = &self.state.entries;
        let total = |side: fn(TransactionKind) -> bool| -> u64 {
            entries.iter().filter(|e| side(e.transaction)).map(|e| e.amount).sum()
        };
        let (debit_total, credit_total) = (total(TransactionKind::is_debit), total(TransactionKind::is_credit));
        let signed = |amount: u64| i64::try_from(amount).unwrap_or(i64::MAX);
        Status {
            signed_on: self.state.signed_on,
            sign_on_required: self.sign_on_required,
            batch: self.state.batch,
            last_stan: self.state.last_stan,
            busy: !matches!(self.activity, Activity::Idle) || self.outbox.is_waiting(),
            in_flight,
            pending_reversal: self
                .state
                .reversal
                .as_ref()
                .filter(|r| Some(r.stan) != in_flight_stan)
                .map(|r| PendingReversalStatus {
                    stan: r.stan,
                    transaction: r.transaction,
                    amount: r.amount,
                    card: r.card.masked.clone(),
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
                    card: r.card.masked.clone(),
                })
                .collect(),
            pending_advices: self
                .state
                .pending_advices
                .iter()
                .map(|a| PendingAdviceStatus {
                    stan: a.stan,
                    transaction: a.transaction,
                    amount: a.amount,
                    card: a.card.masked.clone(),
                })
                .collect(),
            settlement_in_progress: self.state.settlement.is_some(),
            approved_count: entries.len(),
            net_total: signed(debit_total).saturating_sub(signed(credit_total)),
            debit_total,
            credit_total,
            open_preauths: self.state.preauths.iter().filter(|e| e.closed_by.is_none()).count(),
            downloads: self.state.downloads.clone(),
            management_due: self.state.management_due.clone(),
        }
    }

    /// The operator's request the terminal is waiting on, if any.
    fn in_flight(&self) -> Option<InFlight> {
        match &self.activity {
            Activity::AwaitingReply(out) => match &out.purpose {
                // A refund or advice the terminal resends by itself is not the operator's.
                Purpose::Transaction(txn) if txn.resend => None,
                Purpose::Transaction(txn) => Some(InFlight {
                    transaction: txn.kind,
                    stan: Some(txn.stan),
                    waiting_for: WaitingFor::Acquirer,
                }),
                Purpose::Settlement { .. } => Some(InFlight {
                    transaction: TransactionKind::Settlement,
                    stan: self.state.settlement.as_ref().and_then(|s| s.in_flight_stan),
                    waiting_for: WaitingFor::Acquirer,
                }),
                Purpose::Reversal | Purpose::Management(_) => None,
            },
            Activity::AwaitingVerdict(approval) => Some(InFlight {
                transaction: approval.txn.kind,
                stan: Some(approval.txn.stan),
                waiting_for: WaitingFor::Card,
            }),
            Activity::AwaitingCard(phase) => Some(phase.in_flight()),
            Activity::Idle | Activity::Backoff => None,
        }
    }

    fn dispatch(&mut self, now: Timestamp, input: Input) {
        match input {
            Input::Persisted => self.on_persisted(now),
            Input::PersistFailed(reason) => self.on_persist_failed(now, reason),
            other if self.outbox.is_waiting() => self.outbox.defer(now, other),
            Input::Command(command) => self.on_command(now, command),
            Input::Receive(bytes) => self.on_receive(now, &bytes),
            Input::Timer(timer) => self.on_timer(now, timer),
            Input::CardVerdict(verdict) => self.on_card_verdict(now, verdict),
            Input::CardPresented(card) => self.on_card_presented(now, card),
            Input::CardReader(outcome) => self.on_reader_outcome(now, outcome),
            Input::PinEntered => self.on_pin_entered(now),
            Input::ConnectionClosed => self.on_connection_closed(now),
            Input::NotSent(cause) => self.on_not_sent(now, cause),
        }
    }

    // ---- outputs and the journal barrier (outbox.rs) ----

    fn push(&mut self, output: Output) {
        self.outbox.push(output);
    }

    /// Emits `record`; `then` follows once the host reports it durable, and the activity becomes
    /// `next`. A record that cannot be encoded halts the terminal before anything depends on it.
    fn persist(&mut self, record: Record, then: Vec<Output>, next: Option<Activity>, on_fail: OnPersistFail) {
        let barrier = Barrier {
            record,
            then,
            next,
            on_fail,
        };
        if let Err(refused) = self.outbox.persist(barrier, false) {
            self.unjournaled(refused);
        }
    }

    /// Like `persist`, but the record (a snapshot) replaces the whole journal.
    fn compact(&mut self, state: DurableState, then: Vec<Output>, on_fail: OnPersistFail) {
        let barrier = Barrier {
            record: Record::Snapshot(Box::new(state)),
            then,
            next: None,
            on_fail,
        };
        if let Err(refused) = self.outbox.persist(barrier, true) {
            self.unjournaled(refused);
        }
    }

    fn unjournaled(&mut self, refused: Unjournaled) {
        if let OnPersistFail::Abort { transaction, stan } = refused.on_fail {
            let cause = refused.reason.clone();
            self.fail(transaction, stan, FailReason::JournalUnavailable { cause });
        }
        self.halt(refused.reason);
    }

    fn on_persisted(&mut self, now: Timestamp) {
        let Some(barrier) = self.outbox.answered() else { return };
        let reconfigure = matches!(barrier.record, Record::ParametersInstalled(_) | Record::Snapshot(_));
        self.journal_tail = match barrier.record {
            Record::Snapshot(_) => 0,
            _ => self.journal_tail.saturating_add(1),
        };
        if let Err(e) = self.state.apply(barrier.record) {
            return self.halt(e.to_string());
        }
        if reconfigure {
            self.config = in_force(&self.base_config, &self.state);
        }
        self.outbox.release(barrier.then);
        if let Some(next) = barrier.next {
            self.activity = next;
        }
        self.drive(now);
    }

    fn on_persist_failed(&mut self, now: Timestamp, reason: String) {
        let Some(barrier) = self.outbox.answered() else { return };
        match barrier.on_fail {
            OnPersistFail::Abort { transaction, stan } => {
                self.fail(transaction, stan, FailReason::JournalUnavailable { cause: reason });
                self.drive(now);
            }
            OnPersistFail::Halt => self.halt(reason),
            OnPersistFail::Continue => {
                self.journal_tail = 0;
                self.drive(now);
            }
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
    /// resumed settlement step, then the advices due, then a queued command, then refund resends.
    fn drive(&mut self, now: Timestamp) {
        if self.outbox.is_waiting() || self.halted {
            return;
        }
        match self.activity {
            Activity::Idle => {
                if self.state.reversal.is_some() {
                    self.send_reversal(now);
                } else if self.state.settlement.is_some() && !self.settlement_paused && self.queued.is_none() {
                    self.resend_settlement(now, false);
                } else if self.advices_due && !self.state.pending_advices.is_empty() {
                    self.send_advice(now);
                } else if !self.requested.is_empty() {
                    self.journal_management_request();
                } else if self.management_now && !self.state.management_due.is_empty() && self.keys_in_force() {
                    self.start_management(now);
                } else if matches!(self.queued, Some(Command::Settle)) && !self.state.pending_refunds.is_empty() {
                    // Settlement resolves pending refunds first (docs/architecture.md, rule 10).
                    self.resend_refund(now);
                } else if let Some(command) = self.queued.take() {
                    self.begin(now, command);
                } else if self.refunds_due && !self.state.pending_refunds.is_empty() {
                    self.resend_refund(now);
                } else if self.journal_tail >= COMPACT_AFTER_RECORDS && self.state.settlement.is_none() {
                    // Nothing else to do: the batch stays, the records that built it go.
                    self.compact(self.state.clone(), Vec::new(), OnPersistFail::Continue);
                }
            }
            Activity::Backoff if self.queued.is_some() => {
                self.leave_backoff();
                self.drive(now);
            }
            _ => {}
        }
    }

    /// Signed on with working keys the acquirer still accepts: what a MACed request of the
    /// terminal's own (a management step) needs.
    fn keys_in_force(&self) -> bool {
        self.state.signed_on && !self.sign_on_required
    }

    /// Ends a backoff early (someone waits at the counter); the refunds, advices and management
    /// tasks it was waiting to retry stay due (the retry timer that would have brought them back
    /// is cancelled).
    fn leave_backoff(&mut self) {
        self.push(Output::CancelTimer(Timer::Retry));
        self.activity = Activity::Idle;
        self.refunds_due = true;
        self.advices_due = true;
        self.management_now = true;
    }

    // ---- outcomes ----

    fn outcome(&self, transaction: TransactionKind, stan: Option<u32>, result: OutcomeResult) -> Box<Outcome> {
        let guidance = guidance::for_outcome(transaction, &result);
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

    // ---- sending ----

    /// Journals `record`, then, once it is durable, sends the request and waits for its reply.
    fn journal_then_send(
        &mut self,
        now: Timestamp,
        record: Record,
        outgoing: Outgoing,
        event: Event,
        on_fail: OnPersistFail,
    ) -> Result<(), FailReason> {
        let Outgoing {
            mut request,
            purpose,
            mac,
        } = outgoing;
        let frame = self.frame(&mut request, mac)?;
        let deadline = now.plus_ms(self.config.response_timeout_ms);
        // The timer is armed before the frame leaves, so that a send that fails at once (the
        // host then feeds `NotSent` or `ConnectionClosed`) cancels an armed timer.
        let then = vec![
            Output::Event(event),
            Output::ArmTimer {
                timer: Timer::Response,
                at: deadline,
            },
            Output::Transmit(frame),
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
        let frame = self.frame(&mut request, mac)?;
        let deadline = now.plus_ms(self.config.response_timeout_ms);
        self.push(Output::ArmTimer {
            timer: Timer::Response,
            at: deadline,
        });
        self.push(Output::Transmit(frame));
        self.activity = Activity::AwaitingReply(Box::new(Outstanding {
            request,
            deadline,
            purpose,
        }));
        Ok(())
    }

    /// The frame of `message`; with `mac`, its MAC is computed over the encoded block and
    /// appended, and `message` gets it as F64 too (a reply is checked against the request).
    fn frame(&mut self, message: &mut Message, mac: bool) -> Result<Vec<u8>, FailReason> {
        let header = Header {
            status: self.config.header_status,
            requirement: 0,
        };
        if !mac {
            return Frame::encode_parts(self.config.tpdu, header, message).map_err(|e| internal(&e));
        }
        let security = &mut self.security;
        let (frame, mac) = Frame::encode_with_mac(self.config.tpdu, header, message, |block| security.mac(block))
            .map_err(|e| match e {
                MacedFrameError::Encode(e) => internal(&e),
                MacedFrameError::Mac(e) => security_failure(&e),
            })?;
        message.set(64, mac);
        Ok(frame)
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
}

/// The configuration in force: the host's, with the downloaded parameters over it.
fn in_force(config: &Config, state: &DurableState) -> Config {
    match &state.downloads.parameters {
        Some(set) => set.parameters.apply(config),
        None => config.clone(),
    }
}

/// A message the kernel built from checked input but could not encode: a bug, not bad input.
fn internal(e: &impl core::fmt::Display) -> FailReason {
    FailReason::Internal { detail: e.to_string() }
}

fn security_failure(e: &SecurityError) -> FailReason {
    FailReason::SecurityModule { reason: e.to_string() }
}

#[cfg(test)]
mod tests;
