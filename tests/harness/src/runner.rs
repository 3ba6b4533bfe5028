//! The native runner: replays a vector through the Rust API and compares every output exactly.

use pos_kernel::security::SoftwareSecurityModule;
use pos_kernel::{Input, Output, Terminal};

use crate::vector::{StepInput, Vector};

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

/// A terminal with the journal its host keeps: the records it acknowledged as durable.
pub struct Host {
    pub terminal: Terminal,
    pub journal: Vec<Vec<u8>>,
    /// The last `Persist` (or `Compact`: true) output not yet acknowledged.
    unsynced: Option<(Vec<u8>, bool)>,
}

impl Host {
    pub fn new(config: pos_kernel::Config) -> Result<Host, String> {
        let security = Box::new(SoftwareSecurityModule::with_test_keys());
        let terminal = Terminal::new(config, security).map_err(|e| e.to_string())?;
        Ok(Host {
            terminal,
            journal: Vec::new(),
            unsynced: None,
        })
    }

    /// Feeds one step's input and returns every output it produced.
    pub fn step(&mut self, now: pos_kernel::Timestamp, input: &StepInput) -> Result<Vec<Output>, String> {
        match input {
            StepInput::Restart => {
                self.unsynced = None;
                let config = self.terminal.config().clone();
                let security = Box::new(SoftwareSecurityModule::with_test_keys());
                let records = self.journal.iter().map(Vec::as_slice);
                self.terminal = Terminal::restore(config, security, records, now).map_err(|e| e.to_string())?;
            }
            StepInput::Kernel(input) => {
                match input {
                    Input::Persisted => match self.unsynced.take() {
                        Some((record, false)) => self.journal.push(record),
                        Some((snapshot, true)) => self.journal = vec![snapshot],
                        None => {}
                    },
                    Input::PersistFailed(_) => self.unsynced = None,
                    _ => {}
                }
                self.terminal.handle(now, input.clone());
            }
        }
        let mut outputs = Vec::new();
        while let Some(output) = self.terminal.poll_output() {
            match &output {
                Output::Persist(record) => self.unsynced = Some((record.clone(), false)),
                Output::Compact(snapshot) => self.unsynced = Some((snapshot.clone(), true)),
                _ => {}
            }
            outputs.push(output);
        }
        Ok(outputs)
    }
}

/// Replays `vector`; the first difference is the failure.
pub fn run(vector: &Vector) -> Result<(), Failure> {
    let fail = |step, detail| Failure {
        vector: vector.id.clone(),
        step,
        detail,
    };
    let mut host = Host::new(vector.config.clone()).map_err(|e| fail(0, e))?;
    for (index, step) in vector.steps.iter().enumerate() {
        let got = host.step(step.now, &step.input).map_err(|e| fail(index, e))?;
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
