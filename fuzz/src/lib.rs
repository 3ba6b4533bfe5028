//! What the fuzz targets share: a terminal with a sale waiting for its reply, and a host that
//! carries out a terminal's outputs against the simulated acquirer while checking the kernel's
//! invariants after every step (the `terminal_steps` target).

use arbitrary::Arbitrary;
use pos_acquirer_sim::cards::TEST_PIN;
use pos_acquirer_sim::{Acquirer, AcquirerConfig, AcquirerOutput};
use pos_harness::cards;
use pos_kernel::codec::{Frame, Message};
use pos_kernel::engine::{DurableState, Record};
use pos_kernel::security::crypto::TEST_TMK;
use pos_kernel::security::{PinPad, SecurityModule, SoftwareSecurityModule, WorkingKeys};
use pos_kernel::{Card, Command, Config, Input, Output, Terminal, Timestamp};

/// 2026-11-21 10:00:00 at UTC+8, as the vectors start.
pub const START: Timestamp = Timestamp(1_795_226_400_000);

/// A terminal whose sale waits for its reply, the request it sent, and a security module with
/// the same working keys (to check an approval's MAC independently of the terminal).
pub struct Sale {
    pub terminal: Terminal,
    pub now: Timestamp,
    pub request: Message,
    pub keys: Box<dyn SecurityModule>,
}

impl Sale {
    /// Whether `frame` is a valid approval of the request by the profile's rules, checked here
    /// without the kernel's own code: the answer's MTI, the request's STAN, terminal, merchant
    /// and processing code, F39 `00` with the request's amount or `10` with no more than it, and
    /// an F64 that this module's MAC agrees with.
    pub fn is_valid_approval(&mut self, frame: &[u8]) -> bool {
        let Ok(frame) = Frame::decode(frame) else { return false };
        let reply = frame.message;
        let same = |field| reply.get(field) == self.request.get(field);
        let identified = reply.mti.0 == self.request.mti.0 + 10 && [3, 11, 41, 42].into_iter().all(same);
        let amount = |m: &Message| m.get_str(4).and_then(|a| a.parse::<u64>().ok());
        let approved = match reply.get_str(39) {
            Some("00") => same(4),
            Some("10") => matches!((amount(&reply), amount(&self.request)), (Some(got), Some(asked)) if got <= asked),
            _ => false,
        };
        let mut unmacced = reply.clone();
        unmacced.remove(64);
        let mac = unmacced.mac_block().ok().and_then(|block| self.keys.mac(&block).ok());
        identified && approved && mac.is_some_and(|mac| reply.get(64) == Some(&mac[..]))
    }
}

/// Feeds `input`, acknowledges every persist, hands every frame to `bank` and (with `deliver`)
/// feeds its replies back; returns the last frame the terminal transmitted and the last reply.
fn exchange(
    terminal: &mut Terminal,
    bank: &mut Acquirer,
    now: Timestamp,
    input: Input,
    deliver: bool,
) -> (Vec<u8>, Vec<u8>) {
    let (mut sent, mut answered) = (Vec::new(), Vec::new());
    let mut inputs = vec![input];
    while let Some(input) = inputs.pop() {
        terminal.handle(now, input);
        while let Some(output) = terminal.poll_output() {
            match output {
                Output::Persist(_) | Output::Compact(_) => inputs.push(Input::Persisted),
                Output::Transmit(frame) => {
                    for answer in bank.handle_frame(now.0, &frame) {
                        if let AcquirerOutput::Reply(bytes) = answer {
                            answered.clone_from(&bytes);
                            if deliver {
                                inputs.push(Input::Receive(bytes));
                            }
                        }
                    }
                    sent = frame;
                }
                _ => {}
            }
        }
    }
    (sent, answered)
}

pub fn outstanding_sale() -> Sale {
    let security = Box::new(SoftwareSecurityModule::with_test_keys());
    // The cardholder types the test PIN on the module's PIN pad before the sale.
    security.pin_pad().enter(TEST_PIN).expect("the test PIN");
    let mut terminal = Terminal::new(Config::default(), security).expect("the default configuration");
    let mut bank = Acquirer::new(AcquirerConfig::default());
    let (_, signed_on) = exchange(&mut terminal, &mut bank, START, Input::Command(Command::SignOn), true);
    let mut keys: Box<dyn SecurityModule> = Box::new(SoftwareSecurityModule::with_test_keys());
    let f62 = Frame::decode(&signed_on)
        .ok()
        .and_then(|f| f.message.get(62).map(<[u8]>::to_vec));
    let working = WorkingKeys::from_f62(&f62.unwrap_or_default()).expect("the sign-on reply's keys");
    keys.load_working_keys(&working).expect("the test keys load");
    let sale = Command::Sale {
        amount: 12_345,
        card: cards::swiped_debit(),
    };
    let (sent, _) = exchange(&mut terminal, &mut bank, START, Input::Command(sale), false);
    let request = Frame::decode(&sent).expect("the terminal's request decodes").message;
    Sale {
        terminal,
        now: START,
        request,
        keys,
    }
}

/// One thing that happens to a terminal.
#[derive(Arbitrary, Debug, Clone)]
pub enum Step {
    /// An operator command.
    Command(CommandChoice),
    /// The next frame the acquirer sent arrives, perhaps damaged on the way.
    Deliver(Damage),
    /// The earliest armed timer fires.
    Timer,
    /// The host answers the persist it was asked for: durable, failed, or the process dies just
    /// before or just after the record is durable.
    Answer(PersistAnswer),
    /// The connection closes (after the last frame left).
    ConnectionClosed,
    /// The next transmit cannot leave.
    LinkDown,
    /// The chip card answers.
    CardVerdict(bool),
    /// The process restarts from its durable journal.
    Restart,
    /// The acquirer misbehaves on its next reply.
    Fault(u8),
    /// Time passes.
    Wait(u16),
    /// The card reader (or the PIN pad) reports an outcome instead of a card.
    Reader(u8),
    /// The card asked for is presented.
    Present(u8),
    /// The PIN asked for is typed on the PIN pad.
    PinEntered,
    /// The acquirer asks, in its replies' header, for a management task (docs/profile.md §7).
    Ask(u8),
    /// The acquirer's next chip approval carries an issuer script.
    Script,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum CommandChoice {
    SignOn,
    Echo,
    Sale {
        amount: u32,
        card: u8,
    },
    Balance {
        card: u8,
    },
    Void {
        stan: u8,
    },
    Refund {
        amount: u32,
    },
    PreAuth {
        amount: u32,
        card: u8,
    },
    PreAuthCancel {
        stan: u8,
    },
    Completion {
        stan: u8,
        amount: u32,
    },
    CompletionVoid {
        stan: u8,
    },
    Settle,
    Acknowledge {
        stan: u8,
    },
    /// A pre-authorization completed offline (completion advice).
    CompletionAdvice {
        stan: u8,
        amount: u32,
    },
    /// A card transaction begun before its card.
    Begin {
        kind: u8,
        amount: u32,
        stan: u8,
    },
}

#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum Damage {
    None,
    /// XOR one byte.
    Flip {
        at: u16,
        with: u8,
    },
    /// Cut the frame short.
    Truncate {
        to: u16,
    },
}

#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum PersistAnswer {
    Durable,
    Failed,
    CrashBefore,
    CrashAfter,
}

fn card(choice: u8) -> Card {
    match choice % 4 {
        0 => cards::swiped_debit(),
        1 => cards::chip_debit(),
        2 => cards::tap_credit(),
        _ => cards::small_balance(),
    }
}

/// A terminal, its host (journal, timers, link) and the acquirer.
pub struct World {
    terminal: Terminal,
    config: Config,
    bank: Acquirer,
    now: Timestamp,
    /// Records the host made durable.
    durable: Vec<Vec<u8>>,
    /// The persist (or compact) output awaiting the host's answer.
    unanswered: Option<(Vec<u8>, bool)>,
    inbox: Vec<Vec<u8>>,
    timers: Vec<(pos_kernel::engine::Timer, Timestamp)>,
    link_down: bool,
    /// RRNs and dates of approved sales, for refunds.
    sales: Vec<(String, String)>,
    /// The PIN pad the cardholder types on (it outlives a restart).
    pin_pad: PinPad,
    /// The issuer's data of the last approval waiting for the chip card (its scripts).
    issuer_data: Vec<u8>,
}

impl World {
    pub fn new() -> World {
        let config = Config::default();
        let pin_pad = PinPad::new();
        let security = Box::new(SoftwareSecurityModule::with_pin_pad(TEST_TMK, pin_pad.clone()));
        World {
            pin_pad,
            terminal: Terminal::new(config.clone(), security).expect("the default configuration"),
            config,
            bank: Acquirer::new(AcquirerConfig::default()),
            now: START,
            durable: Vec::new(),
            unanswered: None,
            inbox: Vec::new(),
            timers: Vec::new(),
            link_down: false,
            sales: Vec::new(),
            issuer_data: Vec::new(),
        }
    }

    pub fn step(&mut self, step: Step) {
        match step {
            Step::Command(choice) => {
                let command = self.command(choice);
                if command.takes_pin() {
                    self.pin_pad.enter(TEST_PIN).expect("the test PIN");
                }
                self.feed(Input::Command(command));
            }
            Step::Deliver(damage) => {
                if self.inbox.is_empty() {
                    return;
                }
                let mut frame = self.inbox.remove(0);
                match damage {
                    Damage::None => {}
                    Damage::Flip { at, with } => {
                        let len = frame.len().max(1);
                        if let Some(byte) = frame.get_mut(usize::from(at) % len) {
                            *byte ^= with;
                        }
                    }
                    Damage::Truncate { to } => frame.truncate(usize::from(to) % (frame.len() + 1)),
                }
                self.feed(Input::Receive(frame));
            }
            Step::Timer => {
                let Some(&(timer, at)) = self.timers.iter().min_by_key(|(_, at)| *at) else {
                    return;
                };
                self.timers.retain(|(t, _)| *t != timer);
                self.now = self.now.max(at);
                self.feed(Input::Timer(timer));
            }
            Step::Answer(answer) => {
                let Some((record, replace)) = self.unanswered.take() else {
                    return;
                };
                match answer {
                    PersistAnswer::Durable => {
                        self.made_durable(record, replace);
                        self.feed(Input::Persisted);
                    }
                    PersistAnswer::Failed => self.feed(Input::PersistFailed("disk full (fuzz)".into())),
                    PersistAnswer::CrashBefore => self.restart(),
                    PersistAnswer::CrashAfter => {
                        self.made_durable(record, replace);
                        self.restart();
                    }
                }
            }
            Step::ConnectionClosed => self.feed(Input::ConnectionClosed),
            Step::LinkDown => self.link_down = true,
            Step::CardVerdict(approved) => {
                let icc_data = cards::second_generate_ac(approved, &self.issuer_data);
                self.feed(Input::CardVerdict(pos_kernel::CardVerdict { approved, icc_data }));
            }
            Step::Ask(n) => {
                use pos_kernel::engine::downloads::ManagementTask::*;
                let tasks = [Parameters, StatusUpload, CaKeys, IcParameters];
                let task = tasks[usize::from(n) % tasks.len()];
                self.bank.ask(&self.config.terminal_id, task);
            }
            Step::Script => self.bank.send_script_with_next_approval(),
            Step::Reader(n) => {
                use pos_kernel::engine::ReaderOutcome::*;
                let all = [
                    TryAgain,
                    TryAnotherInterface,
                    ChipReadFailed,
                    EndApplication,
                    CardBlocked,
                    CardExpired,
                    CardNotActivated,
                    NoCard,
                    Cancelled,
                    CardRemoved,
                ];
                let outcome = all[usize::from(n) % all.len()];
                self.feed(Input::CardReader(outcome));
            }
            Step::Present(c) => self.feed(Input::CardPresented(card(c))),
            Step::PinEntered => {
                let _ = self.pin_pad.enter(TEST_PIN);
                self.feed(Input::PinEntered);
            }
            Step::Restart => {
                if self.unanswered.is_none() {
                    self.restart();
                }
            }
            Step::Fault(n) => {
                let faults = pos_acquirer_sim::Fault::ALL;
                if let Some(fault) = faults.get(usize::from(n) % faults.len()) {
                    self.bank.inject(*fault);
                }
            }
            Step::Wait(ms) => self.now = self.now.plus_ms(u64::from(ms) * 100),
        }
    }

    fn command(&self, choice: CommandChoice) -> Command {
        let stan = |n: u8| u32::from(n % 32);
        let amount = |a: u32| u64::from(a % 6_000_000);
        match choice {
            CommandChoice::SignOn => Command::SignOn,
            CommandChoice::Echo => Command::Echo,
            CommandChoice::Sale { amount: a, card: c } => Command::Sale {
                amount: amount(a),
                card: card(c),
            },
            CommandChoice::Balance { card: c } => Command::Balance { card: card(c) },
            CommandChoice::Void { stan: s } => Command::Void {
                original_stan: stan(s),
                card: None,
            },
            CommandChoice::Refund { amount: a } => {
                let (rrn, date) = self
                    .sales
                    .last()
                    .cloned()
                    .unwrap_or_else(|| ("000000000001".into(), "1121".into()));
                Command::Refund {
                    amount: amount(a),
                    card: cards::swiped_debit(),
                    original_rrn: rrn,
                    original_date: date,
                }
            }
            CommandChoice::PreAuth { amount: a, card: c } => Command::PreAuth {
                amount: amount(a),
                card: card(c),
            },
            CommandChoice::PreAuthCancel { stan: s } => Command::PreAuthCancel {
                original_stan: stan(s),
                card: cards::swiped_debit(),
            },
            CommandChoice::Completion { stan: s, amount: a } => Command::Completion {
                original_stan: stan(s),
                amount: amount(a),
                card: cards::swiped_debit(),
            },
            CommandChoice::CompletionVoid { stan: s } => Command::CompletionVoid {
                original_stan: stan(s),
                card: None,
            },
            CommandChoice::CompletionAdvice { stan: s, amount: a } => Command::CompletionAdvice {
                original_stan: stan(s),
                amount: amount(a),
                auth_code: None,
            },
            CommandChoice::Settle => Command::Settle,
            CommandChoice::Acknowledge { stan: s } => Command::AcknowledgeException { stan: stan(s) },
            CommandChoice::Begin {
                kind,
                amount: a,
                stan: s,
            } => {
                use pos_kernel::engine::TransactionKind as K;
                let kinds = [
                    K::Sale,
                    K::Balance,
                    K::Void,
                    K::Refund,
                    K::PreAuth,
                    K::PreAuthCancel,
                    K::Completion,
                ];
                let transaction = kinds[usize::from(kind) % kinds.len()];
                let (rrn, date) = self
                    .sales
                    .last()
                    .cloned()
                    .unwrap_or_else(|| ("000000000001".into(), "1121".into()));
                Command::Begin(pos_kernel::engine::Begin {
                    transaction,
                    amount: Some(amount(a)),
                    original_stan: Some(stan(s)),
                    original_rrn: Some(rrn),
                    original_date: Some(date),
                })
            }
        }
    }

    fn made_durable(&mut self, record: Vec<u8>, replace: bool) {
        if replace {
            self.durable = vec![record];
        } else {
            self.durable.push(record);
        }
    }

    fn restart(&mut self) {
        self.unanswered = None;
        self.inbox.clear();
        self.timers.clear();
        self.link_down = false;
        let security = Box::new(SoftwareSecurityModule::with_pin_pad(TEST_TMK, self.pin_pad.clone()));
        let records = self.durable.iter().map(Vec::as_slice);
        self.terminal = Terminal::restore(self.config.clone(), security, records, self.now)
            .expect("the journal the terminal wrote restores");
        self.carry_out();
    }

    fn feed(&mut self, input: Input) {
        if self.unanswered.is_some() && !matches!(input, Input::Persisted | Input::PersistFailed(_)) {
            // A host never feeds anything else before answering a persist; the kernel would
            // defer it, but the invariants below assume the host keeps the rule.
            return;
        }
        self.terminal.handle(self.now, input);
        self.carry_out();
    }

    /// Carries out everything the terminal says, checking the invariants on the way.
    fn carry_out(&mut self) {
        let mut not_sent = false;
        while let Some(output) = self.terminal.poll_output() {
            // The journal barrier: nothing may follow a persist before it is answered.
            assert!(
                self.unanswered.is_none(),
                "an output after an unanswered persist: {output:?}"
            );
            match output {
                Output::Persist(record) => {
                    check_record(&record);
                    self.unanswered = Some((record, false));
                }
                Output::Compact(snapshot) => {
                    check_record(&snapshot);
                    self.unanswered = Some((snapshot, true));
                }
                Output::Transmit(frame) => {
                    self.check_guarded(&frame);
                    if self.link_down {
                        self.link_down = false;
                        not_sent = true;
                        continue;
                    }
                    for answer in self.bank.handle_frame(self.now.0, &frame) {
                        match answer {
                            AcquirerOutput::Reply(bytes) | AcquirerOutput::LateReply(bytes) => self.inbox.push(bytes),
                            AcquirerOutput::Close => {}
                        }
                    }
                }
                Output::ArmTimer { timer, at } => {
                    self.timers.retain(|(t, _)| *t != timer);
                    self.timers.push((timer, at));
                }
                Output::CancelTimer(timer) => self.timers.retain(|(t, _)| *t != timer),
                // An archived batch holds the batch's entries: no clear card data either.
                Output::Archive(bytes) => check_archive(&bytes),
                Output::Event(pos_kernel::engine::Event::CardVerdictRequired { issuer_data, .. }) => {
                    self.issuer_data = issuer_data;
                }
                Output::Event(_) | Output::CardRequired(_) | Output::PinRequired(_) => {}
                // Public keys and AID parameters: checked for what a key table must hold.
                Output::CardReaderData(data) => {
                    assert!(
                        data.ca_keys.iter().all(|k| k.verifies()),
                        "a CA key whose DF03 fails was installed"
                    );
                }
                Output::Outcome(outcome) => {
                    assert!(
                        outcome.is_consistent(),
                        "the guidance contradicts the result: {outcome:?}"
                    );
                    if let Some(receipt) = outcome
                        .receipt
                        .as_ref()
                        .filter(|r| r.transaction == pos_kernel::engine::TransactionKind::Sale)
                    {
                        let date = receipt
                            .date_time
                            .get(5..10)
                            .map(|d| d.replace('-', ""))
                            .unwrap_or_default();
                        self.sales.push((receipt.rrn.clone(), date));
                    }
                }
            }
        }
        if not_sent {
            self.feed(Input::NotSent("cannot reach the acquirer (fuzz)".into()));
        }
        // Replay equals live: the state the terminal runs on is exactly what its journal says.
        if self.unanswered.is_none() {
            let replayed = DurableState::new(self.config.initial_stan, self.config.initial_batch)
                .replay(self.durable.iter().map(Vec::as_slice))
                .expect("the journal replays");
            assert_eq!(
                &replayed,
                self.terminal.durable_state(),
                "live state differs from the journal's"
            );
        }
    }

    /// A reversible request leaves only with its reversal durable; a refund or an advice only
    /// with its resend.
    fn check_guarded(&self, frame: &[u8]) {
        let Ok(frame) = Frame::decode(frame) else { return };
        let message = &frame.message;
        let mti = message.mti.0;
        let stan = message.get_str(11).and_then(|s| s.parse::<u32>().ok());
        let processing = message.get_str(3).unwrap_or_default();
        let reversible = (mti == 200 || mti == 100) && processing != "310000";
        if !(reversible || mti == 220 || mti == 620) {
            return;
        }
        let state = DurableState::new(self.config.initial_stan, self.config.initial_batch)
            .replay(self.durable.iter().map(Vec::as_slice))
            .expect("the journal replays");
        if reversible {
            let guarded = state.reversal.as_ref().map(|r| r.stan);
            assert_eq!(guarded, stan, "MTI {mti:04} left without its reversal durable");
        } else {
            assert!(
                state
                    .pending_refunds
                    .iter()
                    .chain(&state.pending_advices)
                    .any(|r| Some(r.stan) == stan),
                "MTI {mti:04} left without its resend durable"
            );
        }
    }
}

impl Default for World {
    fn default() -> Self {
        World::new()
    }
}

/// No track data, no PIN block and no clear card number in what the journal keeps
/// (docs/architecture.md, "Keys, PIN and card data"): the kept messages carry no F2, F14, F35,
/// F36 or F52, and no test card's PAN is anywhere in the record's bytes.
fn check_record(bytes: &[u8]) {
    for card in pos_acquirer_sim::cards::test_cards() {
        assert!(
            !bytes.windows(card.pan.len()).any(|w| w == card.pan.as_bytes()),
            "a clear PAN in a journal record"
        );
    }
    let record = Record::decode(bytes).expect("the kernel's record decodes");
    let messages: Vec<&pos_kernel::codec::Message> = match &record {
        Record::AboutToSend { reversal, resend, .. } => reversal
            .iter()
            .map(|r| &r.message)
            .chain(resend.iter().map(|r| &r.message))
            .collect(),
        Record::Snapshot(state) => state
            .reversal
            .iter()
            .map(|r| &r.message)
            .chain(state.pending_refunds.iter().map(|r| &r.message))
            .collect(),
        _ => Vec::new(),
    };
    for message in messages {
        for field in [2, 14, 35, 36, 52] {
            assert!(
                !message.has(field),
                "field {field} (card data or PIN block) in a journal record"
            );
        }
    }
}

fn check_archive(bytes: &[u8]) {
    for card in pos_acquirer_sim::cards::test_cards() {
        assert!(
            !bytes.windows(card.pan.len()).any(|w| w == card.pan.as_bytes()),
            "a clear PAN in an archived batch"
        );
    }
    pos_kernel::engine::ArchivedBatch::decode(bytes).expect("the kernel's archived batch decodes");
}
