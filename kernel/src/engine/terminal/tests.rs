//! Unit tests of what only the kernel itself can provoke (the scenarios in tests/harness cover
//! the behaviour a host can see, on every host).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use super::Terminal;
use crate::engine::{Event, FailReason, OutcomeResult, Output};
use crate::security::SoftwareSecurityModule;
use crate::{Card, Command, Config, EntryMode, Input, Timestamp};

fn drain(terminal: &mut Terminal) -> Vec<Output> {
    std::iter::from_fn(|| terminal.poll_output()).collect()
}

/// A record that cannot be encoded must never go out as an empty record (which could not be
/// restored): the terminal halts before anything that depends on it, and says why.
#[test]
fn an_unencodable_record_halts_before_anything_is_sent() {
    let mut terminal = Terminal::new(Config::default(), Box::new(SoftwareSecurityModule::with_test_keys())).unwrap();
    terminal.outbox.fail_next_encoding = true;
    terminal.handle(Timestamp(1_000), Input::Command(Command::SignOn));
    let outputs = drain(&mut terminal);
    assert!(
        !outputs
            .iter()
            .any(|o| matches!(o, Output::Persist(_) | Output::Transmit(_))),
        "nothing journaled or sent: {outputs:?}"
    );
    assert!(outputs
        .iter()
        .any(|o| matches!(o, Output::Event(Event::JournalFailed { .. }))));
    let failed = outputs.iter().find_map(|o| match o {
        Output::Outcome(outcome) => Some(outcome.result.clone()),
        _ => None,
    });
    assert!(
        matches!(
            failed,
            Some(OutcomeResult::Failed {
                reason: FailReason::JournalUnavailable { .. }
            })
        ),
        "{failed:?}"
    );
    // Halted: the next command is refused until the host restarts the terminal from its journal.
    terminal.handle(Timestamp(2_000), Input::Command(Command::Echo));
    let next = drain(&mut terminal);
    assert!(matches!(
        next.as_slice(),
        [Output::Outcome(o)] if o.result == OutcomeResult::Failed { reason: FailReason::TerminalFailed }
    ));
}

/// The two halves of the local check agree: what `check_before_card` refuses, the command with
/// a card is refused for too.
#[test]
fn a_sale_before_sign_on_or_over_the_limit_is_refused_before_the_card() {
    let terminal = Terminal::new(Config::default(), Box::new(SoftwareSecurityModule::with_test_keys())).unwrap();
    let kind = crate::engine::TransactionKind::Sale;
    assert_eq!(
        terminal.check_before_card(kind, Some(100)),
        Err(FailReason::NotSignedOn)
    );
    let card = Card {
        entry: EntryMode::Magstripe,
        ..Card::keyed("6222020000000007")
    };
    let command = Command::Sale { amount: 100, card };
    assert_eq!(terminal.check(&command), Err(FailReason::NotSignedOn));
}
