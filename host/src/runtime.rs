//! The kernel component in wasmtime: one engine and one pre-instantiated component (`KernelPre`,
//! built once), and a store per terminal with fuel and a memory limit on every call.

use pos_kernel::engine::{Query, Status, TransactionLife};
use pos_kernel::reconcile::ReconciledItem;
use pos_kernel::security::{PinPad, SecurityModule};
use pos_kernel::{Config, Input, Output, Timestamp};
use wasmtime::component::{Component, HasSelf, Linker, ResourceAny};
use wasmtime::{Engine, Store, StoreLimits, StoreLimitsBuilder};

use crate::bindings::{security, types, Kernel, KernelPre};
use crate::security_host;

/// Which wasmtime back end runs the component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Native code from Cranelift.
    Cranelift,
    /// Wasmtime's Pulley interpreter: the path for 32-bit ARM terminals, which Cranelift does not
    /// support.
    Pulley,
}

impl Backend {
    /// Pulley when asked for, and on a machine Cranelift has no code for (32-bit ARM);
    /// Cranelift otherwise.
    pub fn on_this_machine(pulley: bool) -> Backend {
        if pulley || CompileTarget::this_machine(Backend::Cranelift).is_none() {
            Backend::Pulley
        } else {
            Backend::Cranelift
        }
    }
}

/// Bounds on every store.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Fuel given before every call into the component; running out traps the call.
    pub fuel_per_call: u64,
    /// Most linear memory the component may grow to.
    pub memory_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        // A sale cycle uses well under a million units; a settlement of a full batch a few million.
        Limits {
            fuel_per_call: 200_000_000,
            memory_bytes: 64 << 20,
        }
    }
}

/// Extra fuel `restore` gets per journal record: about four times what replaying one costs (a
/// sale's records average some 46,000 units: `posterm bench` measures restore).
pub const RESTORE_FUEL_PER_RECORD: u64 = 200_000;

/// Extra fuel `restore` gets per journal byte. A compacted journal is one large snapshot record:
/// decoding it costs some 45 units per byte, and a restart that finds 1,000 records after it
/// compacts at once, some 35 more per byte (`tools/examples/restore_fuel.rs` measures both).
pub const RESTORE_FUEL_PER_BYTE: u64 = 200;

/// A fault of the component: a trap, fuel exhausted, or an unexpected value. The terminal must be
/// dropped and re-instantiated from its journal.
#[derive(Debug)]
pub struct KernelFault(pub String);

impl core::fmt::Display for KernelFault {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "kernel fault: {}", self.0)
    }
}

impl std::error::Error for KernelFault {}

/// Keeps wasmtime's whole error chain (`{:#}`): the trap's cause (for example "all fuel
/// consumed") is in the chain, not in the top message.
fn fault(e: impl core::fmt::Display) -> KernelFault {
    KernelFault(format!("{e:#}"))
}

/// What a store holds: the host's security module and the store's limits.
pub struct HostState {
    pub security: Box<dyn SecurityModule + Send>,
    /// The PIN pad the security module takes PINs from.
    pin_pad: PinPad,
    limits: StoreLimits,
}

impl types::Host for HostState {}

impl core::fmt::Debug for HostState {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("HostState").finish_non_exhaustive()
    }
}

/// Makes a security module for each new instance (a restart re-loads the working keys into it),
/// taking PINs from the terminal's PIN pad.
pub type SecurityFactory = Box<dyn Fn(PinPad) -> Box<dyn SecurityModule + Send> + Send + Sync>;

/// The compiled kernel component, ready to instantiate.
pub struct Runtime {
    engine: Engine,
    pre: KernelPre<HostState>,
    limits: Limits,
    security: SecurityFactory,
}

impl core::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Runtime")
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

/// What a `.cwasm` is compiled for: `posterm compile --target`. A precompiled component loads
/// only on an engine of the same target and settings, so the build machine compiles for the
/// terminal (an x86 build machine writes `pulley32` for a 32-bit ARM terminal).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompileTarget {
    /// Pulley bytecode for a 32-bit machine (armv7 terminals: Cranelift has no 32-bit ARM).
    Pulley32,
    /// Pulley bytecode for a 64-bit machine.
    Pulley64,
    /// Native code for 64-bit ARM Linux.
    Aarch64Linux,
    /// Native code for x86-64 Linux.
    X86_64Linux,
}

impl CompileTarget {
    /// Every target, in the order `--help` lists them.
    pub const ALL: [CompileTarget; 4] = [
        CompileTarget::Pulley32,
        CompileTarget::Pulley64,
        CompileTarget::Aarch64Linux,
        CompileTarget::X86_64Linux,
    ];

    /// The name wasmtime (and `--target`) knows it by.
    pub fn name(self) -> &'static str {
        match self {
            CompileTarget::Pulley32 => "pulley32",
            CompileTarget::Pulley64 => "pulley64",
            CompileTarget::Aarch64Linux => "aarch64-unknown-linux-gnu",
            CompileTarget::X86_64Linux => "x86_64-unknown-linux-gnu",
        }
    }

    /// The back end that runs what was compiled for this target.
    pub fn backend(self) -> Backend {
        match self {
            CompileTarget::Pulley32 | CompileTarget::Pulley64 => Backend::Pulley,
            CompileTarget::Aarch64Linux | CompileTarget::X86_64Linux => Backend::Cranelift,
        }
    }

    /// What this machine runs for `backend`; `None` where Cranelift has no code for it (32-bit
    /// ARM: use Pulley).
    pub fn this_machine(backend: Backend) -> Option<CompileTarget> {
        match backend {
            Backend::Pulley if cfg!(target_pointer_width = "32") => Some(CompileTarget::Pulley32),
            Backend::Pulley => Some(CompileTarget::Pulley64),
            Backend::Cranelift if cfg!(target_arch = "x86_64") => Some(CompileTarget::X86_64Linux),
            Backend::Cranelift if cfg!(target_arch = "aarch64") => Some(CompileTarget::Aarch64Linux),
            Backend::Cranelift => None,
        }
    }
}

impl core::str::FromStr for CompileTarget {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, String> {
        CompileTarget::ALL
            .into_iter()
            .find(|target| target.name() == name)
            .ok_or_else(|| {
                let names: Vec<&str> = CompileTarget::ALL.iter().map(|t| t.name()).collect();
                format!("unknown target '{name}': expected one of {}", names.join(", "))
            })
    }
}

impl core::fmt::Display for CompileTarget {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

/// Linear memory reserved per store on a terminal, and what wasmtime adds around it. Wasmtime's
/// 64-bit default reserves 4 GiB of address space per memory so that guard pages replace bounds
/// checks: a 32-bit terminal has no 4 GiB to give, and under emulation (qemu-user) mapping that
/// much costs tens of milliseconds per instance. The kernel uses a few MiB; a memory grows past
/// the reservation by moving, up to [`Limits::memory_bytes`]. These settings are part of what a
/// `.cwasm` is compiled for (wasmtime refuses a file compiled with others), so they follow the
/// target, on the compiling and the loading side alike: the ARM targets take them; x86-64 keeps
/// the default, whose elided bounds checks make a sale's kernel work ~1.6 times faster there
/// (docs/PERFORMANCE.md).
const MEMORY_RESERVATION: u64 = 16 << 20;
const MEMORY_GUARD: u64 = 64 << 10;
const MEMORY_GROWTH_RESERVATION: u64 = 1 << 20;

/// What this machine runs for `backend`, or what to do instead.
pub fn target_on_this_machine(backend: Backend) -> Result<CompileTarget, String> {
    CompileTarget::this_machine(backend)
        .ok_or_else(|| "Cranelift has no code generator for this machine: use Pulley (--pulley)".to_string())
}

/// The engine that runs `backend` on this machine (the configuration precompilation used).
pub fn engine(backend: Backend) -> Result<Engine, KernelFault> {
    let target = target_on_this_machine(backend).map_err(KernelFault)?;
    engine_for(target)
}

/// The engine configuration shared by precompilation and loading (they must match).
pub fn engine_for(target: CompileTarget) -> Result<Engine, KernelFault> {
    let mut config = wasmtime::Config::new();
    config.consume_fuel(true);
    if target != CompileTarget::X86_64Linux {
        config.memory_reservation(MEMORY_RESERVATION);
        config.memory_guard_size(MEMORY_GUARD);
        config.memory_reservation_for_growth(MEMORY_GROWTH_RESERVATION);
    }
    // For profiling the guest: wasmtime writes /tmp/perf-PID.map, which `perf report` reads.
    if std::env::var_os("POSTERM_PERFMAP").is_some() {
        config.profiler(wasmtime::ProfilingStrategy::PerfMap);
    }
    // This machine's own native target is left to wasmtime, which then uses the CPU features it
    // detects; Pulley and other machines' targets are named.
    if CompileTarget::this_machine(Backend::Cranelift) != Some(target) {
        config.target(target.name()).map_err(fault)?;
    }
    Engine::new(&config).map_err(fault)
}

/// Compiles a component (`.wasm`) to the precompiled form (`.cwasm`) for this machine's `backend`.
#[cfg(feature = "compiler")]
pub fn precompile(backend: Backend, component: &[u8]) -> Result<Vec<u8>, KernelFault> {
    engine(backend)?.precompile_component(component).map_err(fault)
}

/// Compiles a component (`.wasm`) to the precompiled form (`.cwasm`) for `target`, which may be
/// another machine's.
#[cfg(feature = "compiler")]
pub fn precompile_for(target: CompileTarget, component: &[u8]) -> Result<Vec<u8>, KernelFault> {
    engine_for(target)?.precompile_component(component).map_err(fault)
}

/// A precompiled component loaded into its engine, not yet linked.
pub struct Precompiled {
    engine: Engine,
    component: Component,
}

impl core::fmt::Debug for Precompiled {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Precompiled").finish_non_exhaustive()
    }
}

impl Precompiled {
    /// Loads a `.cwasm` for this machine's `backend`; wasmtime refuses one compiled by another
    /// wasmtime version, for another target or with other settings.
    pub fn deserialize(backend: Backend, cwasm: &[u8]) -> Result<Precompiled, KernelFault> {
        let engine = engine(backend)?;
        // SAFETY: `Component::deserialize` trusts its input to be a component precompiled by this
        // wasmtime version and configuration. The host only loads the `.cwasm` it produced itself
        // (`precompile`, run by the build script or by `posterm compile` next to the `.wasm`), and
        // wasmtime checks the version and configuration header before use.
        #[allow(unsafe_code)]
        let component = unsafe { Component::deserialize(&engine, cwasm) }.map_err(fault)?;
        Ok(Precompiled { engine, component })
    }
}

impl Runtime {
    /// Loads a precompiled component produced by [`precompile`] for the same backend.
    pub fn from_cwasm(
        backend: Backend,
        cwasm: &[u8],
        limits: Limits,
        security: SecurityFactory,
    ) -> Result<Runtime, KernelFault> {
        let precompiled = Precompiled::deserialize(backend, cwasm)?;
        Runtime::from_precompiled(precompiled, limits, security)
    }

    /// The runtime from a component already deserialized.
    pub fn from_precompiled(
        precompiled: Precompiled,
        limits: Limits,
        security: SecurityFactory,
    ) -> Result<Runtime, KernelFault> {
        Runtime::with_component(precompiled.engine, &precompiled.component, limits, security)
    }

    /// Compiles a component in memory (slower start: tests and one-off tools).
    #[cfg(feature = "compiler")]
    pub fn from_wasm(
        backend: Backend,
        wasm: &[u8],
        limits: Limits,
        security: SecurityFactory,
    ) -> Result<Runtime, KernelFault> {
        let engine = engine(backend)?;
        let component = Component::new(&engine, wasm).map_err(fault)?;
        Runtime::with_component(engine, &component, limits, security)
    }

    fn with_component(
        engine: Engine,
        component: &Component,
        limits: Limits,
        security: SecurityFactory,
    ) -> Result<Runtime, KernelFault> {
        let mut linker = Linker::<HostState>::new(&engine);
        Kernel::add_to_linker::<_, HasSelf<_>>(&mut linker, |state| state).map_err(fault)?;
        let pre = KernelPre::new(linker.instantiate_pre(component).map_err(fault)?).map_err(fault)?;
        Ok(Runtime {
            engine,
            pre,
            limits,
            security,
        })
    }

    fn store(&self, pin_pad: &PinPad) -> Result<Store<HostState>, KernelFault> {
        let limits = StoreLimitsBuilder::new()
            .memory_size(self.limits.memory_bytes)
            .instances(4)
            .build();
        let mut store = Store::new(
            &self.engine,
            HostState {
                security: (self.security)(pin_pad.clone()),
                pin_pad: pin_pad.clone(),
                limits,
            },
        );
        store.limiter(|state| &mut state.limits);
        store.set_fuel(self.limits.fuel_per_call).map_err(fault)?;
        Ok(store)
    }

    /// A new store with a new instance of the component, from the `KernelPre` (what every
    /// terminal start costs before the kernel's own work; `posterm bench` times it). Its
    /// security module takes PINs from `pin_pad`, the terminal's PIN pad, which the host keeps
    /// across restarts.
    pub fn instantiate(&self, pin_pad: &PinPad) -> Result<(Store<HostState>, Kernel), KernelFault> {
        let mut store = self.store(pin_pad)?;
        let kernel = self.pre.instantiate(&mut store).map_err(fault)?;
        Ok((store, kernel))
    }

    /// A fresh terminal with an empty journal (PINs from `pin_pad`).
    pub fn create(&self, config: &Config, pin_pad: &PinPad) -> Result<ComponentTerminal, KernelFault> {
        let (mut store, kernel) = self.instantiate(pin_pad)?;
        let api = kernel.pos_kernel_terminal_api().terminal();
        let terminal = api
            .call_create(&mut store, &types::Config::from(config.clone()))
            .map_err(fault)?
            .map_err(fault)?;
        Ok(ComponentTerminal {
            store,
            kernel,
            terminal,
            fuel: self.limits.fuel_per_call,
        })
    }

    /// A terminal rebuilt from its journal records (PINs from `pin_pad`).
    pub fn restore(
        &self,
        config: &Config,
        records: &[Vec<u8>],
        now: Timestamp,
        pin_pad: &PinPad,
    ) -> Result<ComponentTerminal, KernelFault> {
        let (mut store, kernel) = self.instantiate(pin_pad)?;
        // Replaying costs fuel per record and per byte: a full batch must always restore, so the
        // budget grows with the journal instead of trapping a large one forever.
        let count = u64::try_from(records.len()).unwrap_or(u64::MAX);
        let bytes = records
            .iter()
            .map(|record| u64::try_from(record.len()).unwrap_or(u64::MAX))
            .fold(0u64, u64::saturating_add);
        let fuel = self
            .limits
            .fuel_per_call
            .saturating_add(count.saturating_mul(RESTORE_FUEL_PER_RECORD))
            .saturating_add(bytes.saturating_mul(RESTORE_FUEL_PER_BYTE));
        store.set_fuel(fuel).map_err(fault)?;
        let api = kernel.pos_kernel_terminal_api().terminal();
        let terminal = api
            .call_restore(&mut store, &types::Config::from(config.clone()), records, now.0)
            .map_err(fault)?
            .map_err(fault)?;
        Ok(ComponentTerminal {
            store,
            kernel,
            terminal,
            fuel: self.limits.fuel_per_call,
        })
    }
}

/// One terminal instance in its own store.
pub struct ComponentTerminal {
    store: Store<HostState>,
    kernel: Kernel,
    terminal: ResourceAny,
    fuel: u64,
}

impl core::fmt::Debug for ComponentTerminal {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ComponentTerminal").finish_non_exhaustive()
    }
}

impl ComponentTerminal {
    /// The PIN pad this instance's security module takes PINs from.
    pub fn pin_pad(&self) -> PinPad {
        self.store.data().pin_pad.clone()
    }

    fn refuel(&mut self) -> Result<(), KernelFault> {
        self.store.set_fuel(self.fuel).map_err(fault)
    }

    pub fn handle(&mut self, now: Timestamp, input: &Input) -> Result<(), KernelFault> {
        self.refuel()?;
        let api = self.kernel.pos_kernel_terminal_api().terminal();
        api.call_handle(
            &mut self.store,
            self.terminal,
            now.0,
            &types::Input::from(input.clone()),
        )
        .map_err(fault)
    }

    pub fn poll_output(&mut self) -> Result<Option<Output>, KernelFault> {
        self.refuel()?;
        let api = self.kernel.pos_kernel_terminal_api().terminal();
        let output = api.call_poll_output(&mut self.store, self.terminal).map_err(fault)?;
        Ok(output.map(Output::from))
    }

    /// Every output available now, in one call.
    pub fn drain(&mut self) -> Result<Vec<Output>, KernelFault> {
        self.refuel()?;
        let api = self.kernel.pos_kernel_terminal_api().terminal();
        let outputs = api.call_drain(&mut self.store, self.terminal).map_err(fault)?;
        Ok(outputs.into_iter().map(Output::from).collect())
    }

    /// `handle` and `drain` in one call into the component.
    pub fn step(&mut self, now: Timestamp, input: &Input) -> Result<Vec<Output>, KernelFault> {
        self.refuel()?;
        let api = self.kernel.pos_kernel_terminal_api().terminal();
        let outputs = api
            .call_step(
                &mut self.store,
                self.terminal,
                now.0,
                &types::Input::from(input.clone()),
            )
            .map_err(fault)?;
        Ok(outputs.into_iter().map(Output::from).collect())
    }

    pub fn status(&mut self) -> Result<Status, KernelFault> {
        self.refuel()?;
        let api = self.kernel.pos_kernel_terminal_api().terminal();
        Ok(Status::from(
            api.call_status(&mut self.store, self.terminal).map_err(fault)?,
        ))
    }

    pub fn query(&mut self, query: &Query) -> Result<Option<TransactionLife>, KernelFault> {
        self.refuel()?;
        let api = self.kernel.pos_kernel_terminal_api().terminal();
        let life = api
            .call_query(&mut self.store, self.terminal, &types::Query::from(query.clone()))
            .map_err(fault)?;
        Ok(life.map(TransactionLife::from))
    }

    /// [`pos_kernel::reconcile::reconcile_terminal`] inside the component: the outer error is a
    /// kernel fault, the inner one why nothing was matched.
    pub fn reconcile(
        &mut self,
        statements: &[String],
        archive: &[Vec<u8>],
    ) -> Result<Result<Vec<ReconciledItem>, String>, KernelFault> {
        self.refuel()?;
        let api = self.kernel.pos_kernel_terminal_api().terminal();
        let items = api
            .call_reconcile(&mut self.store, self.terminal, statements, archive)
            .map_err(fault)?;
        Ok(items.map(|items| items.into_iter().map(ReconciledItem::from).collect()))
    }

    /// Changes the fuel given to each following call.
    pub fn set_fuel_per_call(&mut self, fuel: u64) {
        self.fuel = fuel;
    }

    /// Fuel left of the last call's budget (for benchmarks).
    pub fn fuel_left(&self) -> u64 {
        self.store.get_fuel().unwrap_or(0)
    }
}

impl security::Host for HostState {
    fn load_working_keys(&mut self, keys: security::WorkingKeys) -> Result<(), security::SecurityError> {
        security_host::load_working_keys(self.security.as_mut(), keys)
    }

    fn mac(&mut self, mac_block: Vec<u8>) -> Result<Vec<u8>, security::SecurityError> {
        self.security
            .mac(&mac_block)
            .map(|m| m.to_vec())
            .map_err(security::SecurityError::from)
    }

    fn pin_block(&mut self, pan: String) -> Result<Vec<u8>, security::SecurityError> {
        self.security
            .pin_block(&pan)
            .map(|b| b.to_vec())
            .map_err(security::SecurityError::from)
    }

    fn seal(&mut self, block: Vec<u8>) -> Result<Vec<u8>, security::SecurityError> {
        let block = security_host::block16(block)?;
        self.security
            .seal(block)
            .map(|b| b.to_vec())
            .map_err(security::SecurityError::from)
    }

    fn unseal(&mut self, sealed: Vec<u8>) -> Result<Vec<u8>, security::SecurityError> {
        let sealed = security_host::block16(sealed)?;
        self.security
            .unseal(sealed)
            .map(|b| b.to_vec())
            .map_err(security::SecurityError::from)
    }
}
