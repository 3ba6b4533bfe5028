//! The card phase of a card transaction (docs/architecture.md, rule 19). Nothing is sent while
//! it lasts: the kernel asks for the card on the interfaces the amount allows, takes the card
//! reader's outcome (tap again, another interface, a chip that cannot be read, a card refused, no
//! card by the deadline, a cancel), asks the PIN pad when a tap is above the CVM limit, and only
//! then runs the transaction as a one-shot command. A one-shot command (its card already read)
//! passes the same checks: a tap above the contactless limit is asked to be inserted instead.

use super::commands::check_card;
use super::{Activity, Terminal};
use crate::engine::outcome::{FailReason, InputProblem};
use crate::engine::output::{CardRequest, Interfaces, Output, PinRequest, Timer};
use crate::engine::status::{InFlight, WaitingFor};
use crate::engine::{Begin, Card, Command, EntryMode, ReaderOutcome, TransactionKind};
use crate::guidance::{self, Text};
use crate::time::Timestamp;

/// A card transaction waiting for its card or its PIN.
pub(super) struct CardPhase {
    begin: Begin,
    interfaces: Interfaces,
    /// A swipe now is a fallback after a chip read failure.
    fallback: bool,
    deadline: Timestamp,
    /// Whether the `card_entry` timer is armed (not for a one-shot command read at once).
    armed: bool,
    /// The card read, while the PIN pad is asked for the PIN.
    awaiting_pin: Option<Card>,
}

impl CardPhase {
    pub(super) fn in_flight(&self) -> InFlight {
        InFlight {
            transaction: self.begin.transaction,
            stan: None,
            waiting_for: if self.awaiting_pin.is_some() {
                WaitingFor::Pin
            } else {
                WaitingFor::CardEntry
            },
        }
    }
}

impl Interfaces {
    fn allows(self, entry: EntryMode) -> bool {
        match entry {
            EntryMode::Manual => true,
            EntryMode::Magstripe => self.magstripe,
            EntryMode::Chip => self.chip,
            EntryMode::Contactless => self.contactless,
        }
    }
}

/// A one-shot command split into its card and the command without it.
enum Split {
    Card(Begin, Card),
    /// A command that takes no card (or a void presented without one: the journaled card is
    /// keyed in).
    NoCard(Command),
}

fn split_card(command: Command) -> Split {
    let Some(begin) = command.begin() else {
        return Split::NoCard(command);
    };
    match command {
        Command::Sale { card, .. }
        | Command::PreAuth { card, .. }
        | Command::Balance { card }
        | Command::Refund { card, .. }
        | Command::PreAuthCancel { card, .. }
        | Command::Completion { card, .. }
        | Command::Void { card: Some(card), .. }
        | Command::CompletionVoid { card: Some(card), .. } => Split::Card(begin, card),
        other => Split::NoCard(other),
    }
}

impl Terminal {
    /// Runs a card command: a `begin` asks for its card; a one-shot command's card passes the
    /// card phase's checks first; a void without a card keys in the journaled one.
    pub(super) fn enter_card_phase(&mut self, now: Timestamp, command: Command) {
        if let Command::Begin(begin) = command {
            let phase = self.new_phase(now, begin);
            let prompt = prompt(&phase, None);
            return self.ask_for_card(now, phase, prompt);
        }
        match split_card(command) {
            Split::Card(begin, card) => {
                let phase = self.new_phase(now, begin);
                self.present(now, phase, card);
            }
            Split::NoCard(command) => self.start_card_command(now, command),
        }
    }

    fn new_phase(&self, now: Timestamp, begin: Begin) -> CardPhase {
        // Above the contactless limit a tap is not offered (a sale without an amount, a balance,
        // may always be tapped).
        let over_contactless = begin
            .amount
            .is_some_and(|amount| amount > self.config.contactless_limit);
        CardPhase {
            begin,
            interfaces: Interfaces {
                magstripe: true,
                chip: true,
                contactless: !over_contactless,
            },
            fallback: false,
            deadline: now.plus_ms(self.config.card_entry_timeout_ms),
            armed: false,
            awaiting_pin: None,
        }
    }

    /// A new deadline for what the card phase waits for (the card, or the PIN).
    fn arm_card_entry(&mut self, now: Timestamp, phase: &mut CardPhase) {
        phase.deadline = now.plus_ms(self.config.card_entry_timeout_ms);
        phase.armed = true;
        self.push(Output::ArmTimer {
            timer: Timer::CardEntry,
            at: phase.deadline,
        });
    }

    /// Shows `prompt` and waits for a card on the phase's interfaces until its deadline.
    fn ask_for_card(&mut self, now: Timestamp, mut phase: CardPhase, prompt: Text) {
        self.arm_card_entry(now, &mut phase);
        self.push(Output::CardRequired(CardRequest {
            transaction: phase.begin.transaction,
            amount: phase.begin.amount,
            interfaces: phase.interfaces,
            fallback: phase.fallback,
            prompt,
            deadline: phase.deadline,
        }));
        self.activity = Activity::AwaitingCard(Box::new(phase));
    }

    pub(super) fn on_card_presented(&mut self, now: Timestamp, card: Card) {
        match self.take_card_phase() {
            // The transaction was checked when it began; what is new is the card.
            Some(phase) if phase.awaiting_pin.is_none() => match check_card(&card) {
                Ok(()) => self.present(now, phase, card),
                Err(reason) => self.end_card_phase(now, phase, reason),
            },
            Some(phase) => {
                self.activity = Activity::AwaitingCard(Box::new(phase));
                self.ignore("a card was presented while the PIN pad waits for the PIN".into());
            }
            None => self.ignore("a card was presented while no card was asked for".into()),
        }
    }

    /// A card read: on an interface not offered, it is asked for again; a tap above the CVM
    /// limit asks the PIN pad; otherwise the transaction runs.
    fn present(&mut self, now: Timestamp, mut phase: CardPhase, mut card: Card) {
        if !phase.interfaces.allows(card.entry) {
            let prompt = prompt(&phase, None);
            return self.ask_for_card(now, phase, prompt);
        }
        if phase.fallback && card.entry == EntryMode::Magstripe {
            card.fallback = true;
        }
        if self.needs_pin(&phase.begin, &card) {
            self.arm_card_entry(now, &mut phase);
            self.push(Output::PinRequired(PinRequest {
                transaction: phase.begin.transaction,
                amount: phase.begin.amount,
                prompt: guidance::pin_prompt(),
                deadline: phase.deadline,
            }));
            phase.awaiting_pin = Some(card);
            self.activity = Activity::AwaitingCard(Box::new(phase));
            return;
        }
        self.run_with_card(now, phase, card);
    }

    /// A tap above the CVM limit, without a PIN, for a transaction that carries one.
    fn needs_pin(&self, begin: &Begin, card: &Card) -> bool {
        card.entry == EntryMode::Contactless
            && !card.pin_entered
            && matches!(
                begin.transaction,
                TransactionKind::Sale | TransactionKind::PreAuth | TransactionKind::Completion
            )
            && begin.amount.is_some_and(|amount| amount > self.config.cvm_limit)
    }

    pub(super) fn on_pin_entered(&mut self, now: Timestamp) {
        match self.take_card_phase() {
            Some(mut phase) => match phase.awaiting_pin.take() {
                Some(mut card) => {
                    card.pin_entered = true;
                    self.run_with_card(now, phase, card);
                }
                None => {
                    self.activity = Activity::AwaitingCard(Box::new(phase));
                    self.ignore("a PIN was entered while the card is still asked for".into());
                }
            },
            None => self.ignore("a PIN was entered while no PIN was asked for".into()),
        }
    }

    fn run_with_card(&mut self, now: Timestamp, phase: CardPhase, card: Card) {
        self.activity = Activity::Idle;
        if phase.armed {
            self.push(Output::CancelTimer(Timer::CardEntry));
        }
        let kind = phase.begin.transaction;
        // Checked already: a one-shot command with its card when it came, a `begin` when it
        // began and its card when presented.
        match phase.begin.with_card(card) {
            Some(command) => self.start_card_command(now, command),
            None => {
                let problem = InputProblem::TransactionFields;
                self.fail(kind, None, FailReason::InvalidInput { problem });
                self.drive(now);
            }
        }
    }

    /// What the card reader (or the PIN pad) reported instead of a card.
    pub(super) fn on_reader_outcome(&mut self, now: Timestamp, outcome: ReaderOutcome) {
        if outcome == ReaderOutcome::CardRemoved && matches!(self.activity, Activity::AwaitingVerdict(_)) {
            // Taken out before its verdict: the card did not accept the approval (reason 06).
            self.push(Output::CancelTimer(Timer::Card));
            return self.card_verdict_overdue();
        }
        let Some(mut phase) = self.take_card_phase() else {
            return self.ignore(format!("card reader outcome {outcome:?} while no card was asked for"));
        };
        if outcome.continues() && phase.awaiting_pin.is_none() {
            match outcome {
                ReaderOutcome::TryAnotherInterface => phase.interfaces.contactless = false,
                ReaderOutcome::ChipReadFailed => {
                    phase.interfaces = Interfaces {
                        magstripe: true,
                        chip: false,
                        contactless: false,
                    };
                    phase.fallback = true;
                }
                _ => {}
            }
            let prompt = prompt(&phase, Some(outcome));
            return self.ask_for_card(now, phase, prompt);
        }
        if outcome.continues() {
            // "Tap again" while the PIN pad waits: the card was read already.
            self.activity = Activity::AwaitingCard(Box::new(phase));
            return self.ignore(format!("card reader outcome {outcome:?} while the PIN pad waits"));
        }
        self.end_card_phase(now, phase, FailReason::Card { outcome });
    }

    pub(super) fn card_entry_overdue(&mut self, now: Timestamp) {
        let due = matches!(&self.activity, Activity::AwaitingCard(phase) if now >= phase.deadline);
        if let Some(phase) = due.then(|| self.take_card_phase()).flatten() {
            let outcome = ReaderOutcome::NoCard;
            self.end_card_phase(now, phase, FailReason::Card { outcome });
        }
    }

    /// Ends the card phase without a transaction: nothing was sent.
    fn end_card_phase(&mut self, now: Timestamp, phase: CardPhase, reason: FailReason) {
        if phase.armed {
            self.push(Output::CancelTimer(Timer::CardEntry));
        }
        self.fail(phase.begin.transaction, None, reason);
        self.drive(now);
    }

    fn take_card_phase(&mut self) -> Option<CardPhase> {
        match core::mem::replace(&mut self.activity, Activity::Idle) {
            Activity::AwaitingCard(phase) => Some(*phase),
            other => {
                self.activity = other;
                None
            }
        }
    }
}

/// What to tell the cardholder when the card is asked for (after `outcome`, if any).
fn prompt(phase: &CardPhase, outcome: Option<ReaderOutcome>) -> Text {
    guidance::card_prompt(phase.interfaces, phase.fallback, outcome)
}
