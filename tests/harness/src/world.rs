//! A simulated world: one terminal, its host (journal, timers), and the simulated acquirer on a
//! perfect in-process link with a fixed latency. Time is simulated: it jumps to the next deadline.
//! The vector generator records every step; the property test and the demo use it unrecorded.

use std::collections::VecDeque;

use pos_acquirer_sim::cards::TEST_PIN;
use pos_acquirer_sim::{Acquirer, AcquirerConfig, AcquirerOutput};
use pos_kernel::engine::{Event, Timer};
use pos_kernel::{CardVerdict, Command, Config, Input, Outcome, Output, Timestamp};

use crate::runner::Host;
use crate::vector::{Step, StepInput};

/// 2026-11-21 10:00:00 at UTC+8: the start of every simulated day.
pub const START: Timestamp = Timestamp(1_795_226_400_000);

/// One link delay, applied to each frame the terminal receives.
pub const LATENCY_MS: u64 = 150;

/// What the host does with the next `Persist` output (default: sync it and acknowledge).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PersistFault {
    /// The write fails and the host reports it.
    Fail,
    /// The process dies before the record is durable: the record is lost.
    CrashBeforeSync,
    /// The process dies right after the record is durable, before carrying out anything after it.
    CrashAfterSync,
}

/// What the cardholder types on the PIN pad for the next card on which a PIN is entered.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum NextPin {
    /// The test cards' PIN.
    #[default]
    TestPin,
    /// Another PIN (a wrong one).
    Typed(String),
    /// Nothing: the PIN pad stays empty.
    Nothing,
}

pub struct World {
    pub host: Host<pos_kernel::Terminal>,
    pub acquirer: Acquirer,
    pub now: Timestamp,
    timers: Vec<(Timer, Timestamp)>,
    /// Frames the acquirer sent that the terminal has not read yet.
    inbox: VecDeque<Vec<u8>>,
    /// Replies the acquirer delays past the terminal's timeout.
    late: Vec<Vec<u8>>,
    closed: bool,
    unacknowledged_persist: bool,
    halted: bool,
    pub persist_faults: VecDeque<PersistFault>,
    /// The next this-many frames the terminal transmits are lost on the way (the acquirer never
    /// sees them).
    pub lose_transmits: usize,
    /// The next this-many reversals (0400) the terminal transmits are lost on the way.
    pub lose_reversals: usize,
    /// The next this-many frames the terminal transmits never leave it (no connection): the
    /// host reports `NotSent`.
    pub unsent_transmits: usize,
    not_sent: bool,
    /// Random persist faults when none is scripted: a generator and the chance per record.
    pub persist_chaos: Option<(rand::rngs::StdRng, f64)>,
    /// Record every step (the vector generator); off for long property runs.
    pub recording: bool,
    /// The chip card's verdict is awaited.
    pub card_pending: bool,
    /// The kernel asked for a card (or a PIN) and waits for the reader's answer.
    pub card_asked: Option<Output>,
    /// What the cardholder types on the PIN pad for the next card with `pin_entered`.
    pub next_pin: NextPin,
    pub steps: Vec<Step>,
    pub outcomes: Vec<Outcome>,
    pub events: Vec<Event>,
    pub restarts: usize,
}

impl World {
    pub fn new(config: Config) -> World {
        World::with_acquirer(config, Acquirer::new(AcquirerConfig::default()))
    }

    pub fn with_acquirer(config: Config, acquirer: Acquirer) -> World {
        let host = Host::new(config).expect("valid configuration");
        World {
            host,
            acquirer,
            now: START,
            timers: Vec::new(),
            inbox: VecDeque::new(),
            late: Vec::new(),
            closed: false,
            unacknowledged_persist: false,
            halted: false,
            persist_faults: VecDeque::new(),
            lose_transmits: 0,
            lose_reversals: 0,
            unsent_transmits: 0,
            not_sent: false,
            persist_chaos: None,
            recording: true,
            card_pending: false,
            card_asked: None,
            next_pin: NextPin::TestPin,
            steps: Vec::new(),
            outcomes: Vec::new(),
            events: Vec::new(),
            restarts: 0,
        }
    }

    /// Feeds one input (recorded as a step) and carries out its outputs.
    pub fn feed(&mut self, input: StepInput) -> Vec<Output> {
        let outputs = self.record(input);
        for output in &outputs {
            self.carry_out(output);
        }
        outputs
    }

    /// Feeds one input (recorded as a step) without carrying out what it produces. A command
    /// with a card on which a PIN is entered: the cardholder types it on the PIN pad first.
    fn record(&mut self, input: StepInput) -> Vec<Output> {
        let typed_pin = match core::mem::take(&mut self.next_pin) {
            _ if !pin_entered(&input) => None,
            NextPin::TestPin => Some(TEST_PIN.to_owned()),
            NextPin::Typed(pin) => Some(pin),
            NextPin::Nothing => None,
        };
        let step = Step {
            now: self.now,
            typed_pin,
            input,
            expect: Vec::new(),
            reconciled: None,
        };
        self.host.reconciled = None;
        let outputs = self.host.play_native(&step).expect("restore from the journal");
        if self.recording {
            self.steps.push(Step {
                expect: outputs.clone(),
                reconciled: self.host.reconciled.clone(),
                ..step
            });
        }
        outputs
    }

    fn carry_out(&mut self, output: &Output) {
        match output {
            Output::Persist(_) | Output::Compact(_) => self.unacknowledged_persist = true,
            Output::Transmit(_) if self.unsent_transmits > 0 => {
                self.unsent_transmits -= 1;
                self.not_sent = true;
            }
            Output::Transmit(_) if self.lose_transmits > 0 => self.lose_transmits -= 1,
            // The MTI, BCD after the 2-byte length, the TPDU and the header.
            Output::Transmit(frame) if self.lose_reversals > 0 && frame.get(13..15) == Some(&[0x04, 0x00][..]) => {
                self.lose_reversals -= 1;
            }
            Output::Transmit(frame) => {
                for action in self.acquirer.handle_frame(self.now.0, frame) {
                    match action {
                        AcquirerOutput::Reply(bytes) => self.inbox.push_back(bytes),
                        AcquirerOutput::LateReply(bytes) => self.late.push(bytes),
                        AcquirerOutput::Close => self.closed = true,
                    }
                }
            }
            Output::ArmTimer { timer, at } => {
                self.timers.retain(|(t, _)| t != timer);
                self.timers.push((*timer, *at));
            }
            Output::CancelTimer(timer) => self.timers.retain(|(t, _)| t != timer),
            Output::Event(event) => {
                match event {
                    Event::JournalFailed { .. } => self.halted = true,
                    Event::CardVerdictRequired { .. } => self.card_pending = true,
                    _ => {}
                }
                self.events.push(event.clone());
            }
            Output::Outcome(outcome) => {
                assert!(
                    outcome.is_consistent(),
                    "the guidance contradicts the result: {outcome:?}"
                );
                self.card_pending = false;
                self.card_asked = None;
                self.outcomes.push((**outcome).clone());
            }
            Output::CardRequired(_) | Output::PinRequired(_) => self.card_asked = Some(output.clone()),
            // Stored by the journal model as it sees it (runner.rs).
            Output::Archive(_) => {}
            // The card reader's keys: the simulated cards need none.
            Output::CardReaderData(_) => {}
        }
    }

    /// Runs until the terminal waits for something that takes time (a timer) or an operator.
    pub fn run_until_idle(&mut self) {
        while self.step_one() {}
    }

    /// Feeds the next immediate input (an acknowledgement, a closed connection, a received frame);
    /// false when there is none.
    pub fn step_one(&mut self) -> bool {
        {
            if self.unacknowledged_persist {
                self.unacknowledged_persist = false;
                let fault = self.persist_faults.pop_front().or_else(|| self.random_persist_fault());
                match fault {
                    None => {
                        self.feed(StepInput::Kernel(Input::Persisted));
                    }
                    Some(PersistFault::Fail) => {
                        self.feed(StepInput::Kernel(Input::PersistFailed("disk full (simulated)".into())));
                    }
                    Some(PersistFault::CrashBeforeSync) => self.restart(),
                    Some(PersistFault::CrashAfterSync) => {
                        // Durable and acknowledged, but the process dies before acting on it.
                        self.record(StepInput::Kernel(Input::Persisted));
                        self.restart();
                    }
                }
            } else if self.not_sent {
                self.not_sent = false;
                let cause = "cannot reach the acquirer at 127.0.0.1:5000: connection refused (simulated)";
                self.feed(StepInput::Kernel(Input::NotSent(cause.into())));
            } else if self.halted {
                // The host restarts a terminal that stopped on a journal failure.
                self.restart();
            } else if self.closed {
                self.closed = false;
                self.now = self.now.plus_ms(LATENCY_MS);
                self.feed(StepInput::Kernel(Input::ConnectionClosed));
            } else if let Some(frame) = self.inbox.pop_front() {
                self.now = self.now.plus_ms(LATENCY_MS);
                self.feed(StepInput::Kernel(Input::Receive(frame)));
            } else {
                return false;
            }
        }
        true
    }

    fn random_persist_fault(&mut self) -> Option<PersistFault> {
        use rand::Rng;
        let (rng, chance) = self.persist_chaos.as_mut()?;
        if !rng.gen_bool(*chance) {
            return None;
        }
        Some(match rng.gen_range(0..3) {
            0 => PersistFault::Fail,
            1 => PersistFault::CrashBeforeSync,
            _ => PersistFault::CrashAfterSync,
        })
    }

    /// Jumps to the earliest armed timer and fires it; replies the acquirer delayed arrive right
    /// after. False when no timer is armed.
    pub fn fire_next_timer(&mut self) -> bool {
        let Some(&(timer, at)) = self.timers.iter().min_by_key(|(_, at)| *at) else {
            return false;
        };
        self.timers.retain(|(t, _)| *t != timer);
        self.now = self.now.max(at);
        self.feed(StepInput::Kernel(Input::Timer(timer)));
        for frame in self.late.drain(..).rev() {
            self.inbox.push_front(frame);
        }
        true
    }

    /// Runs until nothing is pending: no input to feed and no timer armed.
    pub fn run_until_quiet(&mut self) {
        for _ in 0..10_000 {
            self.run_until_idle();
            if !self.fire_next_timer() {
                return;
            }
        }
        panic!("the terminal did not settle within 10,000 timer firings");
    }

    /// The process dies and restarts: in-flight frames and timers are gone; the terminal is
    /// rebuilt from its durable journal.
    pub fn restart(&mut self) {
        self.inbox.clear();
        self.late.clear();
        self.timers.clear();
        self.closed = false;
        self.not_sent = false;
        self.unacknowledged_persist = false;
        self.halted = false;
        self.card_pending = false;
        self.restarts += 1;
        self.feed(StepInput::Restart);
    }

    /// The acquirer's statement files reconciled with the journal and the archive (a recorded
    /// step); the kernel's answer.
    pub fn reconcile(&mut self, statements: Vec<String>) -> crate::vector::Reconciled {
        self.record(StepInput::Reconcile { statements });
        self.host.reconciled.clone().expect("a reconcile step answers")
    }

    /// An operator command; runs until idle.
    pub fn command(&mut self, command: Command) {
        self.feed(StepInput::Kernel(Input::Command(command)));
        self.run_until_idle();
    }

    /// The chip card's second GENERATE AC; runs until idle.
    /// The card reader presents `card`, answering the kernel's request for one.
    pub fn present(&mut self, card: pos_kernel::Card) {
        self.feed(StepInput::Kernel(Input::CardPresented(card)));
        self.run_until_idle();
    }

    /// The card reader (or the PIN pad) reports `outcome` instead of a card.
    pub fn reader(&mut self, outcome: pos_kernel::engine::ReaderOutcome) {
        self.feed(StepInput::Kernel(Input::CardReader(outcome)));
        self.run_until_idle();
    }

    /// The cardholder types the PIN asked for (the test PIN, unless `next_pin` says otherwise).
    pub fn pin(&mut self) {
        self.feed(StepInput::Kernel(Input::PinEntered));
        self.run_until_idle();
    }

    pub fn card_verdict(&mut self, approved: bool, icc_data: Vec<u8>) {
        self.feed(StepInput::Kernel(Input::CardVerdict(CardVerdict {
            approved,
            icc_data,
        })));
        self.run_until_idle();
    }

    /// The chip card accepts the approval at its second GENERATE AC: a TC, with the results of
    /// the issuer's scripts (DF31) when the approval carried any.
    pub fn card_accepts(&mut self) {
        let verdict = pos_acquirer_sim::reader::second_generate_ac(true, &self.last_issuer_data());
        self.card_verdict(true, verdict);
    }

    /// The chip card declines the approval at its second GENERATE AC: an AAC (with DF31 when the
    /// approval carried scripts).
    pub fn card_declines(&mut self) {
        let verdict = pos_acquirer_sim::reader::second_generate_ac(false, &self.last_issuer_data());
        self.card_verdict(false, verdict);
    }

    /// The issuer's data of the last approval that waits for the card.
    fn last_issuer_data(&self) -> Vec<u8> {
        self.events
            .iter()
            .rev()
            .find_map(|e| match e {
                Event::CardVerdictRequired { issuer_data, .. } => Some(issuer_data.clone()),
                _ => None,
            })
            .unwrap_or_default()
    }

    /// Lets `ms` pass with nothing happening (the operator waits before the next customer).
    pub fn wait(&mut self, ms: u64) {
        self.now = self.now.plus_ms(ms);
    }

    pub fn last_outcome(&self) -> Option<&Outcome> {
        self.outcomes.last()
    }

    /// Whether a timer is armed (something will happen without an operator).
    pub fn has_timers(&self) -> bool {
        !self.timers.is_empty()
    }
}

/// Whether `input` is a command for which the cardholder types a PIN on the PIN pad.
/// Whether the cardholder types a PIN on the PIN pad before this input: a command whose card
/// says a PIN was entered, a card presented that says so, a PIN asked for.
fn pin_entered(input: &StepInput) -> bool {
    match input {
        StepInput::Kernel(Input::Command(command)) => command.takes_pin(),
        StepInput::Kernel(Input::CardPresented(card)) => card.pin_entered,
        StepInput::Kernel(Input::PinEntered) => true,
        _ => false,
    }
}
