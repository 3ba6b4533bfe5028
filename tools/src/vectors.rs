//! `posterm vectors`: the committed vectors through the component, compared output by output.

use std::process::ExitCode;

use pos_harness::runner::{self, KernelFactory, KernelUnderTest};
use pos_kernel::reconcile::ReconciledItem;
use pos_kernel::security::PinPad;
use pos_kernel::{Config, Input, Output, Timestamp};

use pos_host::cli::print::{note, out};
use pos_host::cli::Globals;
use pos_host::component_file;
use pos_host::runtime::{Backend, ComponentTerminal, Runtime};

use crate::bridge::BridgeFactory;

/// The component under the vector runner.
#[derive(Debug)]
pub struct VectorTerminal(pub ComponentTerminal);

impl KernelUnderTest for VectorTerminal {
    fn handle(&mut self, now: Timestamp, input: Input) -> Result<(), String> {
        self.0.handle(now, &input).map_err(|e| e.to_string())
    }

    fn poll_output(&mut self) -> Result<Option<Output>, String> {
        self.0.poll_output().map_err(|e| e.to_string())
    }

    fn reconcile(
        &mut self,
        statements: &[String],
        archive: &[Vec<u8>],
    ) -> Result<Result<Vec<ReconciledItem>, String>, String> {
        self.0.reconcile(statements, archive).map_err(|e| e.to_string())
    }
}

/// Component terminals from one runtime (vectors use the software module with the test TMK),
/// with one PIN pad.
#[derive(Debug)]
pub struct ComponentFactory<'a> {
    pub runtime: &'a Runtime,
    pub pin_pad: PinPad,
}

impl<'a> ComponentFactory<'a> {
    pub fn new(runtime: &'a Runtime) -> Self {
        ComponentFactory {
            runtime,
            pin_pad: PinPad::new(),
        }
    }
}

impl KernelFactory for ComponentFactory<'_> {
    type Kernel = VectorTerminal;

    fn create(&self, config: &Config) -> Result<VectorTerminal, String> {
        self.runtime
            .create(config, &self.pin_pad)
            .map(VectorTerminal)
            .map_err(|e| e.to_string())
    }

    fn restore(&self, config: &Config, records: &[Vec<u8>], now: Timestamp) -> Result<VectorTerminal, String> {
        self.runtime
            .restore(config, records, now, &self.pin_pad)
            .map(VectorTerminal)
            .map_err(|e| e.to_string())
    }

    fn pin_pad(&self) -> PinPad {
        self.pin_pad.clone()
    }
}

pub fn run(globals: &Globals, dir: &std::path::Path) -> ExitCode {
    let component = globals
        .component
        .clone()
        .unwrap_or_else(component_file::default_component);
    let backend = pos_host::cli::terminal::backend(globals);
    let runtime = match component_file::load(&component, backend, component_file::test_keys()) {
        Ok(runtime) => runtime,
        Err(e) => {
            note!("posterm: {e}");
            return ExitCode::from(pos_host::exit::HOST_ERROR);
        }
    };
    let vectors = match runner::load_vectors(dir) {
        Ok(vectors) => vectors,
        Err(e) => {
            note!("posterm: {e}");
            return ExitCode::from(pos_host::exit::HOST_ERROR);
        }
    };
    let back_end = match backend {
        Backend::Pulley => "Pulley",
        Backend::Cranelift => "Cranelift",
    };
    // The closing table of the test command tells the hosts apart by this line.
    let host = match std::env::consts::ARCH {
        "x86_64" => format!("component (wasmtime, {back_end})"),
        "arm" => format!("posterm on armv7 (wasmtime, {back_end})"),
        arch => format!("posterm on {arch} (wasmtime, {back_end})"),
    };
    replay(&vectors, &ComponentFactory::new(&runtime), &host)
}

/// `posterm vectors --bridge COMMAND --label NAME`: the vectors through another program
/// ([`crate::bridge`]).
pub fn run_bridge(dir: &std::path::Path, command: &str, label: &str) -> ExitCode {
    let loaded = runner::load_vectors(dir).and_then(|vectors| Ok((vectors, BridgeFactory::start(command)?)));
    match loaded {
        Ok((vectors, factory)) => replay(&vectors, &factory, label),
        Err(e) => {
            note!("posterm: {e}");
            ExitCode::from(pos_host::exit::HOST_ERROR)
        }
    }
}

/// Replays every vector through `factory`'s kernels and prints `HOST: N passed, N failed`.
fn replay<F: KernelFactory>(vectors: &[pos_harness::vector::Vector], factory: &F, host: &str) -> ExitCode {
    let mut failed = 0;
    for vector in vectors {
        if let Err(failure) = runner::run_with(vector, factory) {
            failed += 1;
            note!("FAILED {failure}");
        }
    }
    out!("{host}: {} passed, {failed} failed", vectors.len() - failed);
    if failed == 0 && !vectors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
