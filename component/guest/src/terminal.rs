//! The exported `terminal` resource: one [`pos_kernel::Terminal`] per handle.

use core::cell::RefCell;

use pos_kernel::{Terminal, Timestamp};

use crate::exports::pos::kernel::terminal_api::{
    Config, GuestTerminal, Input, Output, Query, ReconciledItem, Status, Terminal as TerminalHandle, TransactionLife,
};
use crate::security::HostSecurity;

/// The kernel terminal behind a resource handle. Resource methods take `&self`, the kernel takes
/// `&mut self`, hence the `RefCell`. Its borrows never overlap: the component model forbids
/// re-entering a component from its own imports, so no export runs while another is borrowing.
#[derive(Debug)]
pub struct KernelTerminal {
    terminal: RefCell<Terminal>,
}

impl KernelTerminal {
    fn wrap(terminal: Terminal) -> TerminalHandle {
        TerminalHandle::new(KernelTerminal {
            terminal: RefCell::new(terminal),
        })
    }
}

impl GuestTerminal for KernelTerminal {
    fn create(config: Config) -> Result<TerminalHandle, String> {
        Terminal::new(config.into(), Box::new(HostSecurity))
            .map(Self::wrap)
            .map_err(|e| e.to_string())
    }

    fn restore(config: Config, records: Vec<Vec<u8>>, now: u64) -> Result<TerminalHandle, String> {
        let records = records.iter().map(Vec::as_slice);
        Terminal::restore(config.into(), Box::new(HostSecurity), records, Timestamp(now))
            .map(Self::wrap)
            .map_err(|e| e.to_string())
    }

    fn handle(&self, now: u64, input: Input) {
        self.terminal.borrow_mut().handle(Timestamp(now), input.into());
    }

    fn poll_output(&self) -> Option<Output> {
        self.terminal.borrow_mut().poll_output().map(Output::from)
    }

    fn drain(&self) -> Vec<Output> {
        let mut terminal = self.terminal.borrow_mut();
        core::iter::from_fn(|| terminal.poll_output())
            .map(Output::from)
            .collect()
    }

    fn step(&self, now: u64, input: Input) -> Vec<Output> {
        let mut terminal = self.terminal.borrow_mut();
        terminal.handle(Timestamp(now), input.into());
        core::iter::from_fn(|| terminal.poll_output())
            .map(Output::from)
            .collect()
    }

    fn status(&self) -> Status {
        self.terminal.borrow().status().into()
    }

    fn query(&self, query: Query) -> Option<TransactionLife> {
        self.terminal.borrow().query(&query.into()).map(TransactionLife::from)
    }

    fn reconcile(&self, statements: Vec<String>, archive: Vec<Vec<u8>>) -> Result<Vec<ReconciledItem>, String> {
        let terminal = self.terminal.borrow();
        pos_kernel::reconcile::reconcile_terminal(terminal.config(), terminal.durable_state(), &archive, &statements)
            .map(|items| items.into_iter().map(ReconciledItem::from).collect())
    }
}
