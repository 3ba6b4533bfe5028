//! Small enums shared by inputs, outputs and status.

use pos_kernel::engine::{ReversalReason, Timer, TransactionKind};
use pos_kernel::EntryMode;

use crate::pos::kernel::types as wit;

impl From<TransactionKind> for wit::TransactionKind {
    fn from(kind: TransactionKind) -> Self {
        use wit::TransactionKind as W;
        match kind {
            TransactionKind::SignOn => W::SignOn,
            TransactionKind::SignOff => W::SignOff,
            TransactionKind::Echo => W::Echo,
            TransactionKind::Sale => W::Sale,
            TransactionKind::Balance => W::Balance,
            TransactionKind::Void => W::Void,
            TransactionKind::Refund => W::Refund,
            TransactionKind::PreAuth => W::PreAuth,
            TransactionKind::PreAuthCancel => W::PreAuthCancel,
            TransactionKind::Completion => W::Completion,
            TransactionKind::CompletionVoid => W::CompletionVoid,
            TransactionKind::Settlement => W::Settlement,
            TransactionKind::AcknowledgeException => W::AcknowledgeException,
        }
    }
}

impl From<ReversalReason> for wit::ReversalReason {
    fn from(reason: ReversalReason) -> Self {
        match reason {
            ReversalReason::NoReply => wit::ReversalReason::NoReply,
            ReversalReason::MacFailure => wit::ReversalReason::MacFailure,
            ReversalReason::CardDeclined => wit::ReversalReason::CardDeclined,
        }
    }
}

impl From<wit::EntryMode> for EntryMode {
    fn from(entry: wit::EntryMode) -> Self {
        match entry {
            wit::EntryMode::Manual => EntryMode::Manual,
            wit::EntryMode::Magstripe => EntryMode::Magstripe,
            wit::EntryMode::Chip => EntryMode::Chip,
            wit::EntryMode::Contactless => EntryMode::Contactless,
        }
    }
}

impl From<EntryMode> for wit::EntryMode {
    fn from(entry: EntryMode) -> Self {
        match entry {
            EntryMode::Manual => wit::EntryMode::Manual,
            EntryMode::Magstripe => wit::EntryMode::Magstripe,
            EntryMode::Chip => wit::EntryMode::Chip,
            EntryMode::Contactless => wit::EntryMode::Contactless,
        }
    }
}

impl From<wit::Timer> for Timer {
    fn from(timer: wit::Timer) -> Self {
        match timer {
            wit::Timer::Response => Timer::Response,
            wit::Timer::Retry => Timer::Retry,
            wit::Timer::Card => Timer::Card,
        }
    }
}

impl From<Timer> for wit::Timer {
    fn from(timer: Timer) -> Self {
        match timer {
            Timer::Response => wit::Timer::Response,
            Timer::Retry => wit::Timer::Retry,
            Timer::Card => wit::Timer::Card,
        }
    }
}
