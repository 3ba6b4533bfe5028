// What the host hands the kernel: the configuration, inputs (commands, cards, frames, timers) and
// queries.

use pos_kernel::codec::Tpdu;
use pos_kernel::engine::{Begin, Query};
use pos_kernel::{Card, CardVerdict, Command, Config, Input};

use super::{two_way_record, wit};

two_way_record!(Config <=> wit::Config {
    terminal_id, merchant_id, merchant_name, tpdu: into, header_status, currency, operator, terminal_capability,
    utc_offset_minutes, response_timeout_ms, reversal_retry_interval_ms, reversal_max_attempts,
    card_verdict_timeout_ms, card_entry_timeout_ms, contactless_limit, cvm_limit, floor_limit, max_amount,
    refund_limit, initial_stan, initial_batch, domestic_prefixes,
});
two_way_record!(Begin <=> wit::BeginArgs {
    transaction: into, amount, original_stan, original_rrn, original_date,
});
two_way_record!(Tpdu <=> wit::Tpdu { destination, source });
two_way_record!(Card <=> wit::Card {
    pan, entry: into, expiry, track2, track3, sequence, icc_data, pin_entered, fallback,
});
two_way_record!(CardVerdict <=> wit::CardVerdict { approved, icc_data });

impl From<Command> for wit::Command {
    fn from(command: Command) -> Self {
        use wit::Command as W;
        match command {
            Command::SignOn => W::SignOn,
            Command::SignOff => W::SignOff,
            Command::Echo => W::Echo,
            Command::Sale { amount, card } => W::Sale(wit::AmountCard {
                amount,
                card: card.into(),
            }),
            Command::Balance { card } => W::Balance(card.into()),
            Command::Void { original_stan, card } => W::Void(wit::OriginalCard {
                original_stan,
                card: card.map(Into::into),
            }),
            Command::Refund {
                amount,
                card,
                original_rrn,
                original_date,
            } => W::Refund(wit::RefundArgs {
                amount,
                card: card.into(),
                original_rrn,
                original_date,
            }),
            Command::PreAuth { amount, card } => W::PreAuth(wit::AmountCard {
                amount,
                card: card.into(),
            }),
            Command::PreAuthCancel { original_stan, card } => W::PreAuthCancel(wit::OriginalRequiredCard {
                original_stan,
                card: card.into(),
            }),
            Command::Completion {
                original_stan,
                amount,
                card,
            } => W::Completion(wit::CompletionArgs {
                original_stan,
                amount,
                card: card.into(),
            }),
            Command::CompletionVoid { original_stan, card } => W::CompletionVoid(wit::OriginalCard {
                original_stan,
                card: card.map(Into::into),
            }),
            Command::CompletionAdvice {
                original_stan,
                amount,
                auth_code,
            } => W::CompletionAdvice(wit::CompletionAdviceArgs {
                original_stan,
                amount,
                auth_code,
            }),
            Command::Begin(begin) => W::Begin(begin.into()),
            Command::Settle => W::Settle,
            Command::AcknowledgeException { stan } => W::AcknowledgeException(stan),
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
                card: o.card.map(Into::into),
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
                card: o.card.map(Into::into),
            },
            W::CompletionAdvice(c) => Command::CompletionAdvice {
                original_stan: c.original_stan,
                amount: c.amount,
                auth_code: c.auth_code,
            },
            W::Begin(begin) => Command::Begin(begin.into()),
            W::Settle => Command::Settle,
            W::AcknowledgeException(stan) => Command::AcknowledgeException { stan },
        }
    }
}

impl From<Input> for wit::Input {
    fn from(input: Input) -> Self {
        use wit::Input as W;
        match input {
            Input::Command(command) => W::Command(command.into()),
            Input::Receive(frame) => W::Receive(frame),
            Input::Timer(timer) => W::Timer(timer.into()),
            Input::CardVerdict(verdict) => W::CardVerdict(verdict.into()),
            Input::CardPresented(card) => W::CardPresented(card.into()),
            Input::CardReader(outcome) => W::CardReader(outcome.into()),
            Input::PinEntered => W::PinEntered,
            Input::Persisted => W::Persisted,
            Input::PersistFailed(reason) => W::PersistFailed(reason),
            Input::ConnectionClosed => W::ConnectionClosed,
            Input::NotSent(cause) => W::NotSent(cause),
        }
    }
}

impl From<wit::Input> for Input {
    fn from(input: wit::Input) -> Self {
        use wit::Input as W;
        match input {
            W::Command(command) => Input::Command(command.into()),
            W::Receive(frame) => Input::Receive(frame),
            W::Timer(timer) => Input::Timer(timer.into()),
            W::CardVerdict(verdict) => Input::CardVerdict(verdict.into()),
            W::CardPresented(card) => Input::CardPresented(card.into()),
            W::CardReader(outcome) => Input::CardReader(outcome.into()),
            W::PinEntered => Input::PinEntered,
            W::Persisted => Input::Persisted,
            W::PersistFailed(reason) => Input::PersistFailed(reason),
            W::ConnectionClosed => Input::ConnectionClosed,
            W::NotSent(cause) => Input::NotSent(cause),
        }
    }
}

impl From<Query> for wit::Query {
    fn from(query: Query) -> Self {
        match query {
            Query::Stan(stan) => wit::Query::Stan(stan),
            Query::Rrn(rrn) => wit::Query::Rrn(rrn),
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
