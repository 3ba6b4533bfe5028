//! Faults queued over the control protocol change what the terminal gets over TCP.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::expect_used, clippy::panic)]

mod common;

use std::time::{Duration, Instant};

use common::*;
use pos_acquirer_server::send_control;
use pos_acquirer_sim::faults::GARBAGE;
use pos_kernel::codec::Frame;
use pos_net::TransportError;

#[test]
fn drop_reply_times_out_then_the_next_request_is_answered() {
    let server = server(35_000);
    let mut transport = transport(&server);
    transport.send(&sign_on(1)).unwrap();
    assert_answers(&reply_within(&mut transport, 5_000), 800, 1);

    assert_eq!(
        send_control(&address(&server), "fault drop-reply").unwrap(),
        "queued drop-reply; pending: drop-reply"
    );
    transport.send(&echo(2)).unwrap();
    let started = Instant::now();
    assert_eq!(transport.receive(within(300)).unwrap(), None);
    assert!(started.elapsed() >= Duration::from_millis(300));

    transport.send(&echo(3)).unwrap();
    assert_answers(&reply_within(&mut transport, 5_000), 820, 3);
    assert_eq!(send_control(&address(&server), "faults").unwrap(), "pending: none");
}

#[test]
fn close_fault_gives_closed() {
    let server = server(35_000);
    let mut transport = transport(&server);
    send_control(&address(&server), "fault close").unwrap();
    transport.send(&sign_on(1)).unwrap();
    assert!(matches!(transport.receive(within(5_000)), Err(TransportError::Closed)));
    assert!(!transport.is_connected());
    // The request was processed all the same.
    assert!(server.acquirer().lock().unwrap().is_signed_on(TID));
}

#[test]
fn delay_reply_arrives_late() {
    let server = server(200);
    let mut transport = transport(&server);
    send_control(&address(&server), "fault delay-reply").unwrap();
    let sent = Instant::now();
    transport.send(&sign_on(1)).unwrap();
    assert_eq!(transport.receive(within(100)).unwrap(), None);
    let reply = reply_within(&mut transport, 5_000);
    assert!(sent.elapsed() >= Duration::from_millis(200), "{:?}", sent.elapsed());
    assert_answers(&reply, 800, 1);
}

#[test]
fn a_late_reply_does_not_hold_up_the_connection_or_others() {
    let server = server(1_500);
    let mut transport = transport(&server);
    let mut other = transport_to(address(&server));
    send_control(&address(&server), "fault delay-reply").unwrap();
    let sent = Instant::now();
    transport.send(&sign_on(1)).unwrap();
    // Same connection, next request: answered at once, before the late reply.
    transport.send(&echo(2)).unwrap();
    let first = reply_within(&mut transport, 1_000);
    assert_answers(&first, 820, 2);
    // Another connection meanwhile.
    other.send(&echo(7)).unwrap();
    assert_answers(&reply_within(&mut other, 1_000), 820, 7);
    assert!(sent.elapsed() < Duration::from_millis(1_500));
    // Then the late one.
    let late = reply_within(&mut transport, 5_000);
    assert_answers(&late, 800, 1);
    assert!(sent.elapsed() >= Duration::from_millis(1_500));
}

#[test]
fn answer_twice_gives_two_frames() {
    let server = server(35_000);
    let mut transport = transport(&server);
    send_control(&address(&server), "fault answer-twice").unwrap();
    transport.send(&sign_on(1)).unwrap();
    let first = reply_within(&mut transport, 5_000);
    let second = reply_within(&mut transport, 5_000);
    assert_answers(&first, 800, 1);
    assert_eq!(first, second);
}

#[test]
fn garbage_is_a_well_framed_undecodable_frame() {
    let server = server(35_000);
    let mut transport = transport(&server);
    send_control(&address(&server), "fault garbage").unwrap();
    transport.send(&sign_on(1)).unwrap();
    let bytes = transport.receive(within(5_000)).unwrap().unwrap();
    assert_eq!(bytes, GARBAGE);
    assert!(Frame::decode(&bytes).is_err());
}

#[test]
fn control_protocol_answers_and_refuses() {
    let server = server(35_000);
    let address = address(&server);
    assert_eq!(
        send_control(&address, "#fault bad-mac wrong-stan").unwrap(),
        "queued bad-mac wrong-stan; pending: bad-mac wrong-stan"
    );
    assert_eq!(send_control(&address, "faults clear").unwrap(), "cleared 2");
    let refused = send_control(&address, "fault teleport").unwrap();
    assert!(
        refused.starts_with(pos_acquirer_server::control::ERROR_PREFIX),
        "{refused}"
    );
    assert!(send_control(&address, "bogus").unwrap().starts_with("error: "));
    // The ledger over TCP equals the ledger in process.
    let mut transport = transport(&server);
    transport.send(&sign_on(1)).unwrap();
    reply_within(&mut transport, 5_000);
    let ledger = send_control(&address, "ledger").unwrap();
    assert_eq!(
        format!("{ledger}\n"),
        format!("{}\n", server.control("ledger").unwrap())
    );
    assert!(ledger.lines().count() > 1, "{ledger}");
    // In process, the same commands.
    assert_eq!(
        server.control("fault close"),
        Ok("queued close; pending: close".to_owned())
    );
    assert_eq!(server.control("reset"), Ok("reset".to_owned()));
    assert!(!server.acquirer().lock().unwrap().is_signed_on(TID));
    // A command is one line.
    assert!(matches!(
        send_control(&address, "faults\nledger"),
        Err(TransportError::Io(_))
    ));
}
