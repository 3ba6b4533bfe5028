//! Vector runners: replay a vector through a kernel and compare every output exactly. The same
//! code drives the native Rust API and, through [`KernelFactory`], any other host (the wasmtime
//! component, later JavaScript bindings).

use pos_kernel::engine::ArchivedBatch;
use pos_kernel::reconcile::{reconcile_terminal, ReconciledItem};
use pos_kernel::security::crypto::TEST_TMK;
use pos_kernel::security::{PinPad, SoftwareSecurityModule};
use pos_kernel::{Config, Input, Output, Terminal, Timestamp};

use crate::vector::{Reconciled, Step, StepInput, Vector};

/// Why a vector did not replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub vector: String,
    pub step: usize,
    pub detail: String,
}

impl core::fmt::Display for Failure {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{} step {}: {}", self.vector, self.step, self.detail)
    }
}

/// A kernel as a host drives it.
pub trait KernelUnderTest {
    fn handle(&mut self, now: Timestamp, input: Input) -> Result<(), String>;
    fn poll_output(&mut self) -> Result<Option<Output>, String>;
    /// The statements against the journal and `archive` (the archived batches as stored); the
    /// outer error is the host's, the inner the kernel's refusal.
    fn reconcile(
        &mut self,
        statements: &[String],
        archive: &[Vec<u8>],
    ) -> Result<Result<Vec<ReconciledItem>, String>, String>;
}

/// Makes kernels: fresh, or restored from journal records (with a fresh security module, as after
/// a process restart). Every kernel it makes takes PINs from the factory's one PIN pad.
pub trait KernelFactory {
    type Kernel: KernelUnderTest;
    fn create(&self, config: &Config) -> Result<Self::Kernel, String>;
    fn restore(&self, config: &Config, records: &[Vec<u8>], now: Timestamp) -> Result<Self::Kernel, String>;
    /// The PIN pad of the terminals this factory makes: a step's `typed_pin` is typed here.
    fn pin_pad(&self) -> PinPad;
}

impl KernelUnderTest for Terminal {
    fn handle(&mut self, now: Timestamp, input: Input) -> Result<(), String> {
        Terminal::handle(self, now, input);
        Ok(())
    }

    fn poll_output(&mut self) -> Result<Option<Output>, String> {
        Ok(Terminal::poll_output(self))
    }

    fn reconcile(
        &mut self,
        statements: &[String],
        archive: &[Vec<u8>],
    ) -> Result<Result<Vec<ReconciledItem>, String>, String> {
        Ok(reconcile_terminal(
            self.config(),
            self.durable_state(),
            archive,
            statements,
        ))
    }
}

/// The Rust API with the software security module, the test TMK and a simulated PIN pad.
#[derive(Debug, Clone, Default)]
pub struct Native {
    pin_pad: PinPad,
}

impl Native {
    fn security(&self) -> Box<SoftwareSecurityModule> {
        Box::new(SoftwareSecurityModule::with_pin_pad(TEST_TMK, self.pin_pad.clone()))
    }
}

impl KernelFactory for Native {
    type Kernel = Terminal;

    fn create(&self, config: &Config) -> Result<Terminal, String> {
        Terminal::new(config.clone(), self.security()).map_err(|e| e.to_string())
    }

    fn restore(&self, config: &Config, records: &[Vec<u8>], now: Timestamp) -> Result<Terminal, String> {
        Terminal::restore(config.clone(), self.security(), records.iter().map(Vec::as_slice), now)
            .map_err(|e| e.to_string())
    }

    fn pin_pad(&self) -> PinPad {
        self.pin_pad.clone()
    }
}

/// The journal a host keeps: the records it acknowledged as durable.
#[derive(Debug, Clone, Default)]
pub struct JournalModel {
    pub records: Vec<Vec<u8>>,
    /// The last `Persist` (or `Compact`: true) output not yet acknowledged.
    unsynced: Option<(Vec<u8>, bool)>,
    /// The archive of settled batches: one per batch, the latest copy (`Output::Archive`).
    pub archive: Vec<ArchivedBatch>,
    /// Every `Output::Archive` as stored, in order (what a host hands back to reconcile).
    pub archive_bytes: Vec<Vec<u8>>,
}

impl JournalModel {
    /// Notes a persist or compact output.
    pub fn saw(&mut self, output: &Output) {
        match output {
            Output::Persist(record) => self.unsynced = Some((record.clone(), false)),
            Output::Compact(snapshot) => self.unsynced = Some((snapshot.clone(), true)),
            Output::Archive(bytes) => {
                self.archive_bytes.push(bytes.clone());
                let batch = ArchivedBatch::decode(bytes).expect("the kernel's archived batch decodes");
                self.archive.retain(|b| b.batch != batch.batch);
                self.archive.push(batch);
            }
            _ => {}
        }
    }

    /// Applies the host's answer to the last persist.
    pub fn answered(&mut self, input: &Input) {
        match input {
            Input::Persisted => match self.unsynced.take() {
                Some((record, false)) => self.records.push(record),
                Some((snapshot, true)) => self.records = vec![snapshot],
                None => {}
            },
            Input::PersistFailed(_) => self.unsynced = None,
            _ => {}
        }
    }

    /// The output awaiting the host's answer is a `Compact`.
    pub fn compaction_pending(&self) -> bool {
        matches!(self.unsynced, Some((_, true)))
    }

    /// A crash: what was not acknowledged is lost.
    pub fn crash(&mut self) {
        self.unsynced = None;
    }
}

/// A kernel with the journal its host keeps.
pub struct Host<K> {
    pub terminal: K,
    pub journal: JournalModel,
    config: Config,
    /// The terminal's PIN pad, outside the kernel: the cardholder types here.
    pin_pad: PinPad,
    /// The answer of the last `reconcile` step.
    pub reconciled: Option<Reconciled>,
}

impl<K: KernelUnderTest> Host<K> {
    pub fn with<F: KernelFactory<Kernel = K>>(factory: &F, config: Config) -> Result<Host<K>, String> {
        let terminal = factory.create(&config)?;
        Ok(Host {
            terminal,
            journal: JournalModel::default(),
            config,
            pin_pad: factory.pin_pad(),
            reconciled: None,
        })
    }

    /// The cardholder types `pin` on the PIN pad (before the command that asks for it).
    pub fn type_pin(&self, pin: &str) -> Result<(), String> {
        self.pin_pad
            .enter(pin)
            .map_err(|e| format!("the PIN pad refused the typed PIN: {e}"))
    }

    /// Plays one vector step: types its PIN, if any, then feeds its input.
    pub fn play<F: KernelFactory<Kernel = K>>(&mut self, factory: &F, step: &Step) -> Result<Vec<Output>, String> {
        if let Some(pin) = &step.typed_pin {
            self.type_pin(pin)?;
        }
        self.step_with(factory, step.now, &step.input)
    }

    /// Feeds one step's input and returns every output it produced.
    pub fn step_with<F: KernelFactory<Kernel = K>>(
        &mut self,
        factory: &F,
        now: Timestamp,
        input: &StepInput,
    ) -> Result<Vec<Output>, String> {
        match input {
            StepInput::Restart => {
                self.journal.crash();
                self.terminal = factory.restore(&self.config, &self.journal.records, now)?;
            }
            StepInput::Kernel(input) => {
                self.journal.answered(input);
                self.terminal.handle(now, input.clone())?;
            }
            StepInput::Reconcile { statements } => {
                let answer = self.terminal.reconcile(statements, &self.journal.archive_bytes)?;
                self.reconciled = Some(answer.into());
            }
        }
        let mut outputs = Vec::new();
        while let Some(output) = self.terminal.poll_output()? {
            self.journal.saw(&output);
            outputs.push(output);
        }
        Ok(outputs)
    }
}

impl Host<Terminal> {
    pub fn new(config: Config) -> Result<Host<Terminal>, String> {
        Host::with(&Native::default(), config)
    }

    fn native(&self) -> Native {
        Native {
            pin_pad: self.pin_pad.clone(),
        }
    }

    pub fn step(&mut self, now: Timestamp, input: &StepInput) -> Result<Vec<Output>, String> {
        self.step_with(&self.native(), now, input)
    }

    /// [`Host::play`] through the native API.
    pub fn play_native(&mut self, step: &Step) -> Result<Vec<Output>, String> {
        self.play(&self.native(), step)
    }
}

/// Replays `vector` through kernels made by `factory`; the first difference is the failure.
pub fn run_with<F: KernelFactory>(vector: &Vector, factory: &F) -> Result<(), Failure> {
    let fail = |step, detail| Failure {
        vector: vector.id.clone(),
        step,
        detail,
    };
    let mut host = Host::with(factory, vector.config.clone()).map_err(|e| fail(0, e))?;
    for (index, step) in vector.steps.iter().enumerate() {
        host.reconciled = None;
        let got = host.play(factory, step).map_err(|e| fail(index, e))?;
        if host.reconciled != step.reconciled {
            let show = |r: &Option<Reconciled>| serde_json::to_string_pretty(r).unwrap_or_default();
            return Err(fail(
                index,
                format!(
                    "reconciled\n{}\ngot\n{}",
                    show(&step.reconciled),
                    show(&host.reconciled)
                ),
            ));
        }
        if got != step.expect {
            let show = |o: &[Output]| serde_json::to_string_pretty(o).unwrap_or_default();
            return Err(fail(
                index,
                format!("expected\n{}\ngot\n{}", show(&step.expect), show(&got)),
            ));
        }
    }
    Ok(())
}

/// Replays `vector` through the native Rust API.
pub fn run(vector: &Vector) -> Result<(), Failure> {
    run_with(vector, &Native::default())
}

/// Reads every committed vector, sorted by file name.
pub fn load_vectors(dir: &std::path::Path) -> Result<Vec<Vector>, String> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
            Vector::from_json(&text).map_err(|e| format!("{}: {e}", p.display()))
        })
        .collect()
}
