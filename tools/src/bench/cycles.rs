//! Kernel CPU per sale cycle. One script of inputs is recorded from the native kernel against the
//! simulated acquirer (sign-on, then sales with a swiped card and PIN: a PIN block, two MACs, two
//! journal records per sale); every host then replays exactly those inputs and the time from the
//! cycle's first input to its last output is measured. No I/O: persists are acknowledged at once
//! and replies come from the script.

use std::time::{Duration, Instant};

use pos_harness::cards;
use pos_harness::vector::StepInput;
use pos_harness::world::World;
use pos_kernel::security::PinPad;
use pos_kernel::{Command, Config, Input, OutcomeResult, Output, Terminal, Timestamp};
use serde::{Deserialize, Serialize};

use pos_host::runtime::{ComponentTerminal, KernelFault, SecurityFactory};

/// One input at its time, after the PIN the cardholder typed on the PIN pad, if any.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Step {
    pub now: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub typed_pin: Option<String>,
    pub input: Input,
}

/// The recorded script; also written as JSON for the JavaScript hosts.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SaleScript {
    pub config: Config,
    /// Sign-on.
    pub setup: Vec<Step>,
    /// One entry per sale.
    pub cycles: Vec<Vec<Step>>,
}

fn steps(recorded: &[pos_harness::vector::Step]) -> Vec<Step> {
    recorded
        .iter()
        .filter_map(|step| match &step.input {
            StepInput::Kernel(input) => Some(Step {
                now: step.now,
                typed_pin: step.typed_pin.clone(),
                input: input.clone(),
            }),
            StepInput::Restart | StepInput::Reconcile { .. } => None,
        })
        .collect()
}

/// Records sign-on and `sales` approved sales.
pub fn record(sales: usize) -> Result<SaleScript, String> {
    let config = Config::default();
    let mut world = World::new(config.clone());
    world.command(Command::SignOn);
    world.run_until_quiet();
    let setup = steps(&world.steps);
    let mut cycles = Vec::with_capacity(sales);
    for i in 0..sales {
        let start = world.steps.len();
        // Whole yuan: amounts ending in certain cents force declines at the simulated acquirer.
        let amount = 1_000 + 100 * u64::try_from(i % 50).unwrap_or(0);
        world.command(Command::Sale {
            amount,
            card: cards::swiped_debit(),
        });
        world.run_until_quiet();
        let approved = world
            .last_outcome()
            .is_some_and(|o| o.result == OutcomeResult::Approved);
        if !approved {
            return Err(format!("sale {i} of the benchmark script was not approved"));
        }
        cycles.push(steps(world.steps.get(start..).unwrap_or_default()));
    }
    Ok(SaleScript { config, setup, cycles })
}

/// A kernel as the benchmark drives it: the typed PIN on its PIN pad, one input, then every
/// output it has.
pub trait Driven {
    fn feed(&mut self, step: &Step) -> Result<Vec<Output>, String>;
}

fn type_pin(pin_pad: &PinPad, step: &Step) -> Result<(), String> {
    match &step.typed_pin {
        Some(pin) => pin_pad.enter(pin).map_err(|e| e.to_string()),
        None => Ok(()),
    }
}

/// The native kernel with the software module's PIN pad.
#[derive(Debug)]
pub struct Native {
    terminal: Terminal,
    pin_pad: PinPad,
}

impl Driven for Native {
    fn feed(&mut self, step: &Step) -> Result<Vec<Output>, String> {
        type_pin(&self.pin_pad, step)?;
        self.terminal.handle(step.now, step.input.clone());
        Ok(std::iter::from_fn(|| self.terminal.poll_output()).collect())
    }
}

impl Driven for ComponentTerminal {
    fn feed(&mut self, step: &Step) -> Result<Vec<Output>, String> {
        type_pin(&self.pin_pad(), step)?;
        self.handle(step.now, &step.input)
            .map_err(|e: KernelFault| e.to_string())?;
        self.drain().map_err(|e| e.to_string())
    }
}

/// The component driven with `step`: one call per input instead of `handle` + `drain`.
#[derive(Debug)]
pub struct Stepped(pub ComponentTerminal);

impl Driven for Stepped {
    fn feed(&mut self, step: &Step) -> Result<Vec<Output>, String> {
        type_pin(&self.0.pin_pad(), step)?;
        self.0.step(step.now, &step.input).map_err(|e| e.to_string())
    }
}

/// The native kernel with the software security module and the test TMK.
pub fn native(config: &Config) -> Result<Native, String> {
    native_with(config, &pos_host::component_file::test_keys())
}

/// The native kernel with the security module `security` makes (the PKCS#11 one, to compare).
pub fn native_with(config: &Config, security: &SecurityFactory) -> Result<Native, String> {
    let pin_pad = PinPad::new();
    let terminal = Terminal::new(config.clone(), security(pin_pad.clone())).map_err(|e| e.to_string())?;
    Ok(Native { terminal, pin_pad })
}

/// Replays the script; returns the duration of every sale cycle. Each cycle's last outcome must
/// be an approval, so a host that diverges cannot post a time. (The outcome is not always the
/// last output: after about 500 sales the idle kernel asks for a compaction, decision 71.)
pub fn time<K: Driven>(kernel: &mut K, script: &SaleScript) -> Result<Vec<Duration>, String> {
    for step in &script.setup {
        kernel.feed(step)?;
    }
    let mut times = Vec::with_capacity(script.cycles.len());
    for (index, cycle) in script.cycles.iter().enumerate() {
        let started = Instant::now();
        let mut outcome = None;
        for step in cycle {
            for output in kernel.feed(step)? {
                if let Output::Outcome(o) = output {
                    outcome = Some(o.result);
                }
            }
        }
        times.push(started.elapsed());
        match outcome {
            Some(OutcomeResult::Approved) => {}
            other => return Err(format!("sale {index} diverged on replay: its outcome was {other:?}")),
        }
    }
    Ok(times)
}
