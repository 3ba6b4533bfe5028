//! Host to kernel: the configuration, inputs (commands, cards, frames, timers) and queries.

use pos_kernel::codec::Tpdu;
use pos_kernel::engine::Query;
use pos_kernel::{Card, CardVerdict, Command, Config, Input};

use crate::pos::kernel::types as wit;

impl From<wit::Config> for Config {
    fn from(c: wit::Config) -> Self {
        Config {
            terminal_id: c.terminal_id,
            merchant_id: c.merchant_id,
            merchant_name: c.merchant_name,
            tpdu: Tpdu {
                destination: c.tpdu.destination,
                source: c.tpdu.source,
            },
            header_status: c.header_status,
            currency: c.currency,
            operator: c.operator,
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
            domestic_prefixes: c.domestic_prefixes,
        }
    }
}

/// The other direction, so the host-facing defaults (`Config::default()`) can be shown as WIT.
impl From<Config> for wit::Config {
    fn from(c: Config) -> Self {
        wit::Config {
            terminal_id: c.terminal_id,
            merchant_id: c.merchant_id,
            merchant_name: c.merchant_name,
            tpdu: wit::Tpdu {
                destination: c.tpdu.destination,
                source: c.tpdu.source,
            },
            header_status: c.header_status,
            currency: c.currency,
            operator: c.operator,
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
            domestic_prefixes: c.domestic_prefixes,
        }
    }
}

impl From<wit::Card> for Card {
    fn from(c: wit::Card) -> Self {
        Card {
            pan: c.pan,
            entry: c.entry.into(),
            expiry: c.expiry,
            track2: c.track2,
            track3: c.track3,
            sequence: c.sequence,
            icc_data: c.icc_data,
            pin_entered: c.pin_entered,
            fallback: c.fallback,
        }
    }
}

impl From<wit::Command> for Command {
    fn from(command: wit::Command) -> Self {
        use wit::Command as W;
        match command {
            W::SignOn => Command::SignOn,
            W::SignOff => Command::SignOff,
            W::Echo => Command::Echo,
            W::Sale(a) => Command::Sale {
                amount: a.amount,
                card: a.card.into(),
            },
            W::Balance(card) => Command::Balance { card: card.into() },
            W::Void(o) => Command::Void {
                original_stan: o.original_stan,
                card: o.card.map(Card::from),
            },
            W::Refund(r) => Command::Refund {
                amount: r.amount,
                card: r.card.into(),
                original_rrn: r.original_rrn,
                original_date: r.original_date,
            },
            W::PreAuth(a) => Command::PreAuth {
                amount: a.amount,
                card: a.card.into(),
            },
            W::PreAuthCancel(o) => Command::PreAuthCancel {
                original_stan: o.original_stan,
                card: o.card.into(),
            },
            W::Completion(c) => Command::Completion {
                original_stan: c.original_stan,
                amount: c.amount,
                card: c.card.into(),
            },
            W::CompletionVoid(o) => Command::CompletionVoid {
                original_stan: o.original_stan,
                card: o.card.map(Card::from),
            },
            W::Settle => Command::Settle,
            W::AcknowledgeException(stan) => Command::AcknowledgeException { stan },
        }
    }
}

impl From<wit::Input> for Input {
    fn from(input: wit::Input) -> Self {
        match input {
            wit::Input::Command(command) => Input::Command(command.into()),
            wit::Input::Receive(frame) => Input::Receive(frame),
            wit::Input::Timer(timer) => Input::Timer(timer.into()),
            wit::Input::CardVerdict(v) => Input::CardVerdict(CardVerdict {
                approved: v.approved,
                icc_data: v.icc_data,
            }),
            wit::Input::Persisted => Input::Persisted,
            wit::Input::PersistFailed(reason) => Input::PersistFailed(reason),
            wit::Input::ConnectionClosed => Input::ConnectionClosed,
            wit::Input::NotSent(cause) => Input::NotSent(cause),
        }
    }
}

impl From<wit::Query> for Query {
    fn from(query: wit::Query) -> Self {
        match query {
            wit::Query::Stan(stan) => Query::Stan(stan),
            wit::Query::Rrn(rrn) => Query::Rrn(rrn),
        }
    }
}
