//! A terminal signs on through `Transport` to a spawned `AcquirerServer`: by hand, and driven
//! by the real kernel.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::expect_used, clippy::panic)]

mod common;

use std::time::{Duration, Instant};

use common::*;
use pos_acquirer_sim::cards::{MAGSTRIPE_DEBIT, TEST_PIN};
use pos_kernel::engine::Timer;
use pos_kernel::security::SoftwareSecurityModule;
use pos_kernel::{Card, Command, Config, EntryMode, Input, Outcome, OutcomeResult, Output, Terminal, Timestamp};

#[test]
fn hand_built_sign_on_gets_a_decodable_0810() {
    let server = server(35_000);
    let mut transport = transport(&server);
    transport.send(&sign_on(1)).unwrap();
    let reply = reply_within(&mut transport, 5_000);
    assert_answers(&reply, 800, 1);
    assert_eq!(reply.message.get_str(41), Some(TID));
    assert_eq!(
        reply.message.get(62).map(<[u8]>::len),
        Some(60),
        "F62 carries three keys"
    );
    assert!(server.acquirer().lock().unwrap().is_signed_on(TID));

    // The same connection carries the next request.
    let local = transport.local_addr();
    transport.send(&echo(2)).unwrap();
    assert_answers(&reply_within(&mut transport, 5_000), 820, 2);
    assert_eq!(transport.local_addr(), local);
    server.shutdown().unwrap();
}

#[test]
fn two_terminals_at_once() {
    let server = server(35_000);
    let mut a = transport(&server);
    let mut b = transport(&server);
    a.send(&sign_on(10)).unwrap();
    b.send(&sign_on(20)).unwrap();
    assert_answers(&reply_within(&mut b, 5_000), 800, 20);
    assert_answers(&reply_within(&mut a, 5_000), 800, 10);
}

fn now() -> Timestamp {
    Timestamp(
        u64::try_from(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_millis(),
        )
        .unwrap(),
    )
}

/// A minimal host loop: runs one command to its outcome, at most 50 steps and 20 s.
fn run(terminal: &mut Terminal, transport: &mut pos_net::Transport, command: Command) -> Outcome {
    let started = Instant::now();
    terminal.handle(now(), Input::Command(command));
    let mut response_due: Option<Timestamp> = None;
    for _ in 0..50 {
        assert!(started.elapsed() < Duration::from_secs(20));
        let mut pending = None;
        while let Some(output) = terminal.poll_output() {
            match output {
                Output::Persist(_) | Output::Compact(_) => pending = Some(Input::Persisted),
                // No settlement here, so no batch to archive; no downloads for a card reader.
                Output::Archive(_) | Output::CardReaderData(_) => {}
                Output::Transmit(frame) => {
                    if transport.send(&frame).is_err() {
                        pending = Some(Input::ConnectionClosed);
                    }
                }
                Output::ArmTimer {
                    timer: Timer::Response,
                    at,
                } => response_due = Some(at),
                Output::CancelTimer(Timer::Response) => response_due = None,
                Output::ArmTimer { .. } | Output::CancelTimer(_) | Output::Event(_) => {}
                Output::Outcome(outcome) => return *outcome,
                Output::CardRequired(_) | Output::PinRequired(_) => panic!("the card was read before the command"),
            }
        }
        let input = match pending {
            Some(input) => input,
            None => {
                let due = response_due.expect("the kernel waits for nothing");
                let wait = due.0.saturating_sub(now().0).min(10_000);
                match transport.receive(Instant::now() + Duration::from_millis(wait)) {
                    Ok(Some(frame)) => Input::Receive(frame),
                    Ok(None) => Input::Timer(Timer::Response),
                    Err(_) => Input::ConnectionClosed,
                }
            }
        };
        terminal.handle(now(), input);
    }
    panic!("no outcome after 50 steps");
}

#[test]
fn kernel_signs_on_and_sells_over_tcp() {
    let server = server(35_000);
    let mut transport = transport(&server);
    let security = SoftwareSecurityModule::with_test_keys();
    let pin_pad = security.pin_pad();
    let mut terminal = Terminal::new(Config::default(), Box::new(security)).unwrap();

    let outcome = run(&mut terminal, &mut transport, Command::SignOn);
    assert_eq!(outcome.result, OutcomeResult::Approved, "{outcome:?}");

    let card = Card {
        pan: MAGSTRIPE_DEBIT.into(),
        entry: EntryMode::Magstripe,
        expiry: Some("3012".into()),
        track2: Some(format!("{MAGSTRIPE_DEBIT}=30121010000000")),
        track3: None,
        sequence: None,
        icc_data: None,
        pin_entered: true,
        fallback: false,
    };
    pin_pad.enter(TEST_PIN).unwrap();
    let outcome = run(
        &mut terminal,
        &mut transport,
        Command::Sale {
            amount: 12_800,
            card: card.clone(),
        },
    );
    assert_eq!(outcome.result, OutcomeResult::Approved, "{outcome:?}");
    let ledger = server.control("ledger").unwrap();
    assert!(ledger.contains("128.00"), "{ledger}");

    // A long ledger is read a page at a time: pages of 2 give the same 5 entries as the bank.
    for amount in [100, 200, 300, 400] {
        pin_pad.enter(TEST_PIN).unwrap();
        let outcome = run(
            &mut terminal,
            &mut transport,
            Command::Sale {
                amount,
                card: card.clone(),
            },
        );
        assert_eq!(outcome.result, OutcomeResult::Approved, "{outcome:?}");
    }
    let paged = pos_acquirer_server::control::ledger_entries_paged(&address(&server), 2).unwrap();
    assert_eq!(paged.len(), 5);
    assert_eq!(paged.as_slice(), server.acquirer().lock().unwrap().ledger().entries());
}
