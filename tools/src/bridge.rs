//! `posterm vectors --bridge CMD`: the vectors through another program that drives the kernel,
//! one line per request and per answer on its standard input and output. The C example
//! `examples/c/vectors.c` is one (libposkernel's kernel-alone API): the vectors then check the C
//! API end to end, natively and on armv7 under qemu.
//!
//! The protocol (each answer one line; `error CODE MESSAGE` for any failure):
//!
//! | request | answer |
//! |---|---|
//! | `open NOW COUNT CONFIG_JSON`, then COUNT lines of hex records | `ok` (a fresh kernel when COUNT is 0, else restored) |
//! | `pin DIGITS` (the cardholder typed them on the test PIN pad) | `ok` |
//! | `handle NOW INPUT_JSON` | `ok` |
//! | `poll` | `output OUTPUT_JSON` or `none` |
//! | `reconcile REQUEST_JSON` (`{"statements":[...],"archive":[hex...]}`) | `items ITEMS_JSON` or `refused MESSAGE` |

use std::cell::RefCell;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::rc::Rc;

use pos_harness::runner::{KernelFactory, KernelUnderTest};
use pos_kernel::reconcile::ReconciledItem;
use pos_kernel::security::PinPad;
use pos_kernel::{Config, Input, Output, Timestamp};

/// The bridge process.
#[derive(Debug)]
struct Process {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Process {
    fn ask(&mut self, request: &str) -> Result<String, String> {
        writeln!(self.stdin, "{request}").map_err(|e| format!("bridge: writing: {e}"))?;
        self.stdin.flush().map_err(|e| format!("bridge: writing: {e}"))?;
        let mut answer = String::new();
        let read = self
            .stdout
            .read_line(&mut answer)
            .map_err(|e| format!("bridge: reading: {e}"))?;
        if read == 0 {
            return Err(format!("bridge: it ended without answering `{}`", head(request)));
        }
        let answer = answer.trim_end().to_owned();
        match answer.strip_prefix("error ") {
            Some(error) => Err(format!("bridge: {error}")),
            None => Ok(answer),
        }
    }
}

fn head(request: &str) -> &str {
    request.split(' ').next().unwrap_or_default()
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Kernels in a bridge process (one at a time: each open replaces the last), with the PIN pad
/// the vectors type on; a typed PIN is handed to the bridge before the next input.
#[derive(Debug, Clone)]
pub struct BridgeFactory {
    process: Rc<RefCell<Process>>,
    pin_pad: PinPad,
}

impl BridgeFactory {
    /// Starts `command` (words split on spaces: "qemu-arm target/c-example/vectors-armv7").
    pub fn start(command: &str) -> Result<BridgeFactory, String> {
        let mut words = command.split_whitespace();
        let program = words.next().ok_or("--bridge: no command given")?;
        let mut child = Command::new(program)
            .args(words)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("--bridge: {program}: {e}"))?;
        let stdin = child.stdin.take().ok_or("--bridge: no standard input")?;
        let stdout = child.stdout.take().ok_or("--bridge: no standard output")?;
        Ok(BridgeFactory {
            process: Rc::new(RefCell::new(Process {
                child,
                stdin,
                stdout: BufReader::new(stdout),
            })),
            pin_pad: PinPad::new(),
        })
    }

    fn open(&self, config: &Config, records: &[Vec<u8>], now: Timestamp) -> Result<BridgeKernel, String> {
        let config = serde_json::to_string(config).map_err(|e| e.to_string())?;
        let mut request = format!("open {} {} {config}", now.0, records.len());
        for record in records {
            request.push('\n');
            request.push_str(&hex::encode(record));
        }
        expect_ok(&self.process.borrow_mut().ask(&request)?)?;
        Ok(BridgeKernel {
            process: Rc::clone(&self.process),
            pin_pad: self.pin_pad.clone(),
        })
    }
}

fn expect_ok(answer: &str) -> Result<(), String> {
    if answer == "ok" {
        Ok(())
    } else {
        Err(format!("bridge: expected `ok`, got `{answer}`"))
    }
}

impl KernelFactory for BridgeFactory {
    type Kernel = BridgeKernel;

    fn create(&self, config: &Config) -> Result<BridgeKernel, String> {
        self.open(config, &[], Timestamp(0))
    }

    fn restore(&self, config: &Config, records: &[Vec<u8>], now: Timestamp) -> Result<BridgeKernel, String> {
        self.open(config, records, now)
    }

    fn pin_pad(&self) -> PinPad {
        self.pin_pad.clone()
    }
}

/// The kernel the bridge has open.
#[derive(Debug)]
pub struct BridgeKernel {
    process: Rc<RefCell<Process>>,
    pin_pad: PinPad,
}

impl KernelUnderTest for BridgeKernel {
    fn handle(&mut self, now: Timestamp, input: Input) -> Result<(), String> {
        let mut process = self.process.borrow_mut();
        if let Ok(pin) = self.pin_pad.take() {
            expect_ok(&process.ask(&format!("pin {}", pin.digits()))?)?;
        }
        let input = serde_json::to_string(&input).map_err(|e| e.to_string())?;
        expect_ok(&process.ask(&format!("handle {} {input}", now.0))?)
    }

    fn poll_output(&mut self) -> Result<Option<Output>, String> {
        let answer = self.process.borrow_mut().ask("poll")?;
        if answer == "none" {
            return Ok(None);
        }
        let json = answer
            .strip_prefix("output ")
            .ok_or_else(|| format!("bridge: expected `output` or `none`, got `{answer}`"))?;
        serde_json::from_str(json).map_err(|e| format!("bridge: output: {e}: {json}"))
    }

    fn reconcile(
        &mut self,
        statements: &[String],
        archive: &[Vec<u8>],
    ) -> Result<Result<Vec<ReconciledItem>, String>, String> {
        let request = serde_json::json!({
            "statements": statements,
            "archive": archive.iter().map(hex::encode).collect::<Vec<_>>(),
        });
        let answer = self.process.borrow_mut().ask(&format!("reconcile {request}"))?;
        if let Some(refused) = answer.strip_prefix("refused ") {
            return Ok(Err(refused.to_owned()));
        }
        let json = answer
            .strip_prefix("items ")
            .ok_or_else(|| format!("bridge: expected `items` or `refused`, got `{answer}`"))?;
        serde_json::from_str(json)
            .map(Ok)
            .map_err(|e| format!("bridge: items: {e}"))
    }
}
