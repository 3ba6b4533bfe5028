//! After the connection is lost, the next `send` opens a new one.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::expect_used, clippy::panic)]

mod common;

use std::net::TcpListener;
use std::thread;
use std::time::Duration;

use common::*;
use pos_net::TransportError;

#[test]
fn send_after_closed_reconnects() {
    let server = server(35_000);
    let mut transport = transport(&server);
    server.control("fault close").unwrap();
    transport.send(&sign_on(1)).unwrap();
    let first = transport.local_addr().unwrap();
    assert!(matches!(transport.receive(within(5_000)), Err(TransportError::Closed)));

    transport.send(&echo(2)).unwrap();
    assert_answers(&reply_within(&mut transport, 5_000), 820, 2);
    assert_ne!(transport.local_addr().unwrap(), first);
}

#[test]
fn send_notices_a_dead_connection_without_a_receive() {
    let server = server(35_000);
    let mut transport = transport(&server);
    server.control("fault close").unwrap();
    transport.send(&sign_on(1)).unwrap();
    let first = transport.local_addr().unwrap();
    // The server has closed; nobody has read that yet. Give the FIN time to arrive.
    thread::sleep(Duration::from_millis(200));
    transport.send(&echo(2)).unwrap();
    assert_ne!(transport.local_addr().unwrap(), first);
    assert_answers(&reply_within(&mut transport, 5_000), 820, 2);
}

#[test]
fn close_then_send_opens_a_new_connection() {
    let server = server(35_000);
    let mut transport = transport(&server);
    transport.send(&sign_on(1)).unwrap();
    transport.close();
    assert!(!transport.is_connected());
    transport.send(&echo(2)).unwrap();
    // The sign-on reply went with the old connection.
    assert_answers(&reply_within(&mut transport, 5_000), 820, 2);
}

#[test]
fn nobody_listening_is_a_connect_error() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    drop(listener);
    let mut transport = transport_to(address.clone());
    assert!(matches!(transport.send(&sign_on(1)), Err(TransportError::Connect(_))));
    assert!(!transport.is_connected());
    assert!(matches!(
        pos_acquirer_server::send_control(&address, "faults"),
        Err(TransportError::Connect(_))
    ));
}

#[test]
fn server_shutdown_closes_connections_and_frees_the_port() {
    let server = server(35_000);
    let address = address(&server);
    let mut transport = transport(&server);
    transport.send(&sign_on(1)).unwrap();
    assert_answers(&reply_within(&mut transport, 5_000), 800, 1);
    server.shutdown().unwrap();
    assert!(matches!(transport.receive(within(5_000)), Err(TransportError::Closed)));
    assert!(matches!(transport.send(&echo(2)), Err(TransportError::Connect(_))));
    // The port can be bound again.
    drop(TcpListener::bind(&address).unwrap());
}

#[test]
fn shutdown_drops_pending_late_replies_at_once() {
    let server = server(30_000);
    let mut transport = transport(&server);
    server.control("fault delay-reply").unwrap();
    transport.send(&sign_on(1)).unwrap();
    thread::sleep(Duration::from_millis(100));
    let started = std::time::Instant::now();
    server.shutdown().unwrap();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(matches!(transport.receive(within(5_000)), Err(TransportError::Closed)));
}
