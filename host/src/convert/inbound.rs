//! Kernel → WIT: what the host hands to the component.

use pos_kernel::engine::{Command, Query, Timer};
use pos_kernel::{Card, CardVerdict, Config, EntryMode, Input};

use crate::bindings::types as w;

pub fn config(c: &Config) -> w::Config {
    w::Config {
        terminal_id: c.terminal_id.clone(),
        merchant_id: c.merchant_id.clone(),
        merchant_name: c.merchant_name.clone(),
        tpdu: w::Tpdu {
            destination: c.tpdu.destination,
            source: c.tpdu.source,
        },
        header_status: c.header_status,
        currency: c.currency.clone(),
        operator: c.operator.clone(),
        terminal_capability: c.terminal_capability,
        utc_offset_minutes: c.utc_offset_minutes,
        response_timeout_ms: c.response_timeout_ms,
        reversal_retry_interval_ms: c.reversal_retry_interval_ms,
        reversal_max_attempts: c.reversal_max_attempts,
        card_verdict_timeout_ms: c.card_verdict_timeout_ms,
        max_amount: c.max_amount,
        refund_limit: c.refund_limit,
        initial_stan: c.initial_stan,
        initial_batch: c.initial_batch,
        domestic_prefixes: c.domestic_prefixes.clone(),
    }
}

pub fn entry_mode(e: EntryMode) -> w::EntryMode {
    match e {
        EntryMode::Manual => w::EntryMode::Manual,
        EntryMode::Magstripe => w::EntryMode::Magstripe,
        EntryMode::Chip => w::EntryMode::Chip,
        EntryMode::Contactless => w::EntryMode::Contactless,
    }
}

fn card(c: &Card) -> w::Card {
    w::Card {
        pan: c.pan.clone(),
        entry: entry_mode(c.entry),
        expiry: c.expiry.clone(),
        track2: c.track2.clone(),
        track3: c.track3.clone(),
        sequence: c.sequence.clone(),
        icc_data: c.icc_data.clone(),
        pin_entered: c.pin_entered,
        fallback: c.fallback,
    }
}

fn command(c: &Command) -> w::Command {
    let amount_card = |amount: u64, c: &Card| w::AmountCard { amount, card: card(c) };
    match c {
        Command::SignOn => w::Command::SignOn,
        Command::SignOff => w::Command::SignOff,
        Command::Echo => w::Command::Echo,
        Command::Sale { amount, card: c } => w::Command::Sale(amount_card(*amount, c)),
        Command::Balance { card: c } => w::Command::Balance(card(c)),
        Command::Void { original_stan, card: c } => w::Command::Void(w::OriginalCard {
            original_stan: *original_stan,
            card: c.as_ref().map(card),
        }),
        Command::Refund {
            amount,
            card: c,
            original_rrn,
            original_date,
        } => w::Command::Refund(w::RefundArgs {
            amount: *amount,
            card: card(c),
            original_rrn: original_rrn.clone(),
            original_date: original_date.clone(),
        }),
        Command::PreAuth { amount, card: c } => w::Command::PreAuth(amount_card(*amount, c)),
        Command::PreAuthCancel { original_stan, card: c } => w::Command::PreAuthCancel(w::OriginalRequiredCard {
            original_stan: *original_stan,
            card: card(c),
        }),
        Command::Completion {
            original_stan,
            amount,
            card: c,
        } => w::Command::Completion(w::CompletionArgs {
            original_stan: *original_stan,
            amount: *amount,
            card: card(c),
        }),
        Command::CompletionVoid { original_stan, card: c } => w::Command::CompletionVoid(w::OriginalCard {
            original_stan: *original_stan,
            card: c.as_ref().map(card),
        }),
        Command::Settle => w::Command::Settle,
        Command::AcknowledgeException { stan } => w::Command::AcknowledgeException(*stan),
    }
}

pub fn timer(t: Timer) -> w::Timer {
    match t {
        Timer::Response => w::Timer::Response,
        Timer::Retry => w::Timer::Retry,
        Timer::Card => w::Timer::Card,
    }
}

pub fn input(i: &Input) -> w::Input {
    match i {
        Input::Command(c) => w::Input::Command(command(c)),
        Input::Receive(frame) => w::Input::Receive(frame.clone()),
        Input::Timer(t) => w::Input::Timer(timer(*t)),
        Input::CardVerdict(CardVerdict { approved, icc_data }) => w::Input::CardVerdict(w::CardVerdict {
            approved: *approved,
            icc_data: icc_data.clone(),
        }),
        Input::Persisted => w::Input::Persisted,
        Input::PersistFailed(reason) => w::Input::PersistFailed(reason.clone()),
        Input::ConnectionClosed => w::Input::ConnectionClosed,
        Input::NotSent(cause) => w::Input::NotSent(cause.clone()),
    }
}

pub fn query(q: &Query) -> w::Query {
    match q {
        Query::Stan(stan) => w::Query::Stan(*stan),
        Query::Rrn(rrn) => w::Query::Rrn(rrn.clone()),
    }
}
