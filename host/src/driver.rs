//! The host's run loop for one terminal: it carries out the kernel's outputs in order (journal
//! append and fsync before anything later, frames to the acquirer, timers), feeds back replies,
//! timeouts and closed connections, and recovers from kernel faults by re-instantiating the
//! component from the journal.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use pos_journal::{Journal, Storage};

use crate::archive::ArchiveDir;
use pos_kernel::engine::{
    Command, Event, Outcome, Query, ReaderOutcome, Status, Timer, TransactionKind, TransactionLife,
};
use pos_kernel::security::PinPad;
use pos_kernel::{CardVerdict, Config, Input, Output, Timestamp};
use pos_net::transport::{Transport, TransportError};

use crate::runtime::{ComponentTerminal, KernelFault, Runtime};

/// The wall clock, as the kernel wants it.
pub fn now() -> Timestamp {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    Timestamp(u64::try_from(ms).unwrap_or(u64::MAX))
}

/// Something the host could not do.
#[derive(Debug)]
pub enum HostError {
    Kernel(KernelFault),
    Journal(String),
    /// The kernel faulted again right after a restart from the journal.
    Unrecoverable(String),
    /// The command was lost to a kernel fault; the terminal was restored from its journal and
    /// nothing of the command was sent. Run it again.
    CommandLost(String),
    /// A journal write failed after the point of no return: the kernel stopped (the cause as
    /// the journal gave it). Fix the cause and run the command again: it resumes from the
    /// journal.
    JournalFailed(String),
}

impl core::fmt::Display for HostError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            HostError::Kernel(e) => e.fmt(f),
            HostError::Journal(e) => write!(f, "journal: {e}"),
            HostError::Unrecoverable(e) => write!(f, "kernel fault after restart from the journal: {e}"),
            HostError::CommandLost(e) => write!(
                f,
                "the kernel faulted on the command and was restored from its journal ({e}); run the command again"
            ),
            HostError::JournalFailed(e) => write!(
                f,
                "the journal could not be written ({e}): the terminal stopped; fix the cause (the disk, the directory's permissions), then run the command again: it resumes where it stopped"
            ),
        }
    }
}

impl std::error::Error for HostError {}

/// What the chip card answers at the second GENERATE AC (the host's card reader), given the
/// approval's STAN and the issuer's data (F55 of the reply: issuer scripts go to the card).
pub type CardReader = Box<dyn FnMut(u32, &[u8]) -> CardVerdict>;

/// A terminal running on the component, its journal and its link to the acquirer.
pub struct Driver<S: Storage> {
    /// Shared by every terminal of a process (`posterm farm` runs many on one `Runtime`).
    runtime: Arc<Runtime>,
    config: Config,
    kernel: ComponentTerminal,
    journal: Journal<S>,
    transport: Transport,
    timers: Vec<(Timer, Timestamp)>,
    card: CardReader,
    /// The terminal's PIN pad (PED): kept across kernel restarts, never seen by the kernel.
    pin_pad: PinPad,
    /// What the card reader answers, in turn, each time the kernel asks for a card
    /// (`Input::CardPresented` or `Input::CardReader`); with none left, it has no card to give.
    pub card_reader_answers: std::collections::VecDeque<Input>,
    /// The chip card is taken out before its second GENERATE AC (`Input::CardReader(CardRemoved)`
    /// instead of a verdict).
    pub card_pulled_before_verdict: bool,
    /// Everything the kernel reported, in order (events and outcomes).
    pub log: Vec<Output>,
    /// Kernel faults recovered by re-instantiating from the journal.
    pub faults: Vec<String>,
    /// Where settled batches go ([`Driver::with_archive`]); without one they are not kept.
    archive: Option<ArchiveDir>,
    /// The last `Archive` output could not be stored: the `Compact` after it must not happen.
    archive_failed: Option<String>,
}

impl<S: Storage> core::fmt::Debug for Driver<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Driver")
            .field("timers", &self.timers)
            .finish_non_exhaustive()
    }
}

impl<S: Storage> Driver<S> {
    /// Restores the terminal from its journal (a fresh one when the journal is empty). The
    /// runtime is taken by value or shared (`Arc<Runtime>`): each terminal gets its own store.
    pub fn open(
        runtime: impl Into<Arc<Runtime>>,
        config: Config,
        journal: Journal<S>,
        transport: Transport,
        card: CardReader,
    ) -> Result<Driver<S>, HostError> {
        let runtime = runtime.into();
        let pin_pad = PinPad::new();
        let kernel = restore(&runtime, &config, &journal, &pin_pad)?;
        Ok(Driver {
            runtime,
            config,
            kernel,
            journal,
            transport,
            timers: Vec::new(),
            card,
            pin_pad,
            card_reader_answers: std::collections::VecDeque::new(),
            card_pulled_before_verdict: false,
            log: Vec::new(),
            faults: Vec::new(),
            archive: None,
            archive_failed: None,
        })
    }

    /// Keeps settled batches in `archive` (posterm: the terminal directory's `archive/`).
    pub fn with_archive(mut self, archive: ArchiveDir) -> Self {
        self.archive = Some(archive);
        self
    }

    pub fn archive(&self) -> Option<&ArchiveDir> {
        self.archive.as_ref()
    }

    /// The terminal's PIN pad: type the cardholder's PIN here before a command whose card says
    /// a PIN was entered.
    pub fn pin_pad(&self) -> PinPad {
        self.pin_pad.clone()
    }

    pub fn journal(&self) -> &Journal<S> {
        &self.journal
    }

    pub fn journal_mut(&mut self) -> &mut Journal<S> {
        &mut self.journal
    }

    /// The timers armed now, soonest first.
    pub fn armed_timers(&self) -> Vec<(Timer, Timestamp)> {
        let mut timers = self.timers.clone();
        timers.sort_by_key(|(_, at)| *at);
        timers
    }

    /// The live instance (tests use it to starve a call of fuel).
    pub fn kernel_mut(&mut self) -> &mut ComponentTerminal {
        &mut self.kernel
    }

    pub fn status(&mut self) -> Result<Status, HostError> {
        self.call(|kernel| kernel.status())
    }

    pub fn query(&mut self, query: &Query) -> Result<Option<TransactionLife>, HostError> {
        self.call(|kernel| kernel.query(query))
    }

    /// A read-only call into the kernel; after a fault, the instance is restored from the journal
    /// and the call made once more.
    fn call<T>(&mut self, mut f: impl FnMut(&mut ComponentTerminal) -> Result<T, KernelFault>) -> Result<T, HostError> {
        match f(&mut self.kernel) {
            Ok(value) => Ok(value),
            Err(fault) => {
                self.recover(fault)?;
                f(&mut self.kernel).map_err(|e| HostError::Unrecoverable(e.to_string()))
            }
        }
    }

    /// Runs `command` to its outcome, carrying out everything in between; returns the outcome and
    /// leaves only retry timers (a reversal or refund waiting) behind.
    pub fn run(&mut self, command: Command) -> Result<Outcome, HostError> {
        // Outcomes of work already pending (a reversal, refunds) belong to earlier commands.
        let status = self.status()?;
        let earlier: Vec<u32> = status
            .pending_reversal
            .iter()
            .map(|r| r.stan)
            .chain(status.pending_refunds.iter().map(|r| r.stan))
            .collect();
        let kind = command.transaction();
        let from = self.log.len();
        let faults = self.faults.len();
        self.feed(Input::Command(command))?;
        if let Some(fault) = self.faults.get(faults) {
            return Err(HostError::CommandLost(fault.clone()));
        }
        loop {
            self.pump()?;
            let ours = self.log.get(from..).unwrap_or_default().iter().find_map(|o| match o {
                Output::Outcome(o) if o.transaction == kind && !o.stan.is_some_and(|s| earlier.contains(&s)) => {
                    Some((**o).clone())
                }
                _ => None,
            });
            let awaiting = self.timers.iter().any(|(t, _)| *t == Timer::Response);
            let halted = self.log.get(from..).unwrap_or_default().iter().find_map(|o| match o {
                Output::Event(Event::JournalFailed { reason }) => Some(reason.clone()),
                _ => None,
            });
            match (ours, halted) {
                (Some(outcome), _) if !awaiting => return Ok(outcome),
                // The kernel stopped on a journal failure: nothing more comes until a restart.
                (None, Some(reason)) => return Err(HostError::JournalFailed(reason)),
                (None, None) if self.timers.is_empty() => {
                    // Nothing armed and no outcome: only a fault can have swallowed the command.
                    let fault = self.faults.get(faults).cloned().unwrap_or_else(|| "no outcome".into());
                    return Err(HostError::CommandLost(fault));
                }
                _ => self.wait()?,
            }
        }
    }

    /// Writes the last STAN and batch beside the journal: what `posterm recover` offers if the
    /// journal is ever lost. Best effort (after each command).
    pub fn note_counters(&mut self) {
        if let Ok(status) = self.status() {
            let note = format!("last STAN {:06}, batch {:06}", status.last_stan, status.batch);
            self.journal.set_note(note);
        }
    }

    /// Carries out pending work (a reversal after a restart) until only retry timers are left.
    pub fn settle_pending(&mut self) -> Result<(), HostError> {
        loop {
            self.pump()?;
            if !self.timers.iter().any(|(t, _)| *t == Timer::Response) {
                return Ok(());
            }
            self.wait()?;
        }
    }

    /// Feeds one input; a kernel fault drops the instance and restores it from the journal.
    fn feed(&mut self, input: Input) -> Result<(), HostError> {
        match self.kernel.handle(now(), &input) {
            Ok(()) => Ok(()),
            Err(fault) => self.recover(fault),
        }
    }

    fn recover(&mut self, fault: KernelFault) -> Result<(), HostError> {
        self.faults.push(fault.0.clone());
        self.timers.clear();
        self.kernel = restore(&self.runtime, &self.config, &self.journal, &self.pin_pad)
            .map_err(|e| HostError::Unrecoverable(e.to_string()))?;
        Ok(())
    }

    /// Drains and carries out outputs until the kernel has nothing more to say.
    fn pump(&mut self) -> Result<(), HostError> {
        loop {
            let outputs = match self.kernel.drain() {
                Ok(outputs) => outputs,
                Err(fault) => {
                    self.recover(fault)?;
                    continue;
                }
            };
            if outputs.is_empty() {
                return Ok(());
            }
            let faults = self.faults.len();
            for output in outputs {
                self.carry_out(output)?;
                if self.faults.len() > faults {
                    // The instance that produced the rest of these outputs is gone: the one
                    // restored from the journal decides anew what to do.
                    break;
                }
            }
        }
    }

    fn carry_out(&mut self, output: Output) -> Result<(), HostError> {
        match output {
            Output::Persist(record) => match self.journal.append(&record) {
                Ok(()) => self.feed(Input::Persisted),
                Err(e) => self.feed(Input::PersistFailed(e.to_string())),
            },
            Output::Archive(batch) => {
                let stored = self.archive.as_ref().map_or(Ok(()), |archive| archive.store(&batch));
                self.archive_failed = stored.err();
                Ok(())
            }
            // The batch stays in the journal when its archive copy could not be stored.
            Output::Compact(_) if self.archive_failed.is_some() => {
                let cause = self.archive_failed.take().unwrap_or_default();
                self.feed(Input::PersistFailed(cause))
            }
            Output::Compact(snapshot) => match self.journal.compact(&snapshot) {
                Ok(()) => self.feed(Input::Persisted),
                Err(e) => self.feed(Input::PersistFailed(e.to_string())),
            },
            Output::Transmit(frame) => match self.transport.send(&frame) {
                Ok(()) => Ok(()),
                // Nothing left this machine: "failed, nothing charged", with the cause.
                Err(e) if e.nothing_sent() => self.feed(Input::NotSent(e.to_string())),
                Err(_) => self.feed(Input::ConnectionClosed),
            },
            Output::ArmTimer { timer, at } => {
                self.timers.retain(|(t, _)| *t != timer);
                self.timers.push((timer, at));
                Ok(())
            }
            Output::CancelTimer(timer) => {
                self.timers.retain(|(t, _)| *t != timer);
                Ok(())
            }
            Output::Event(Event::CardVerdictRequired { stan, issuer_data }) => {
                let verdict = (self.card)(stan, &issuer_data);
                self.log
                    .push(Output::Event(Event::CardVerdictRequired { stan, issuer_data }));
                if self.card_pulled_before_verdict {
                    return self.feed(Input::CardReader(ReaderOutcome::CardRemoved));
                }
                self.feed(Input::CardVerdict(verdict))
            }
            // The card reader's next answer; with none left it has no card to give.
            Output::CardRequired(request) => {
                self.log.push(Output::CardRequired(request));
                let answer = self.card_reader_answers.pop_front();
                self.feed(answer.unwrap_or(Input::CardReader(ReaderOutcome::NoCard)))
            }
            // The PIN pad answers with the PIN typed on it before the command, if any.
            Output::PinRequired(request) => {
                self.log.push(Output::PinRequired(request));
                let answer = if self.pin_pad.has_pin() {
                    Input::PinEntered
                } else {
                    Input::CardReader(ReaderOutcome::Cancelled)
                };
                self.feed(answer)
            }
            other => {
                self.log.push(other);
                Ok(())
            }
        }
    }

    /// Waits for the next thing to happen: a frame from the acquirer or the earliest timer.
    fn wait(&mut self) -> Result<(), HostError> {
        let Some(&(timer, at)) = self.timers.iter().min_by_key(|(_, at)| *at) else {
            return Ok(());
        };
        let left = Duration::from_millis(at.0.saturating_sub(now().0));
        let deadline = Instant::now() + left;
        let awaiting_reply = self.timers.iter().any(|(t, _)| *t == Timer::Response);
        if awaiting_reply {
            match self.transport.receive(deadline) {
                Ok(Some(frame)) => return self.feed(Input::Receive(frame)),
                Ok(None) => {}
                Err(TransportError::FrameTooLong) => {}
                Err(_) => {
                    self.timers.retain(|(t, _)| *t != Timer::Response);
                    return self.feed(Input::ConnectionClosed);
                }
            }
        } else {
            std::thread::sleep(left);
        }
        if now() >= at {
            self.timers.retain(|(t, _)| *t != timer);
            self.feed(Input::Timer(timer))?;
        }
        Ok(())
    }
}

fn restore<S: Storage>(
    runtime: &Runtime,
    config: &Config,
    journal: &Journal<S>,
    pin_pad: &PinPad,
) -> Result<ComponentTerminal, HostError> {
    let records: Vec<Vec<u8>> = journal.records().iter().map(|r| r.to_vec()).collect();
    if records.is_empty() {
        runtime.create(config, pin_pad).map_err(HostError::Kernel)
    } else {
        runtime
            .restore(config, &records, now(), pin_pad)
            .map_err(HostError::Kernel)
    }
}

/// Whether an outcome is a settlement (its report is the interesting part).
pub fn is_settlement(outcome: &Outcome) -> bool {
    outcome.transaction == TransactionKind::Settlement
}
