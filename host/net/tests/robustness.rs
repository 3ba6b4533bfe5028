//! The server survives hostile or broken clients and keeps serving everyone else.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::Duration;

use common::*;
use pos_acquirer_server::ServerHandle;
use pos_net::framing::{encode_frame, MAX_FRAME_LEN};

fn raw(server: &ServerHandle) -> TcpStream {
    let stream = TcpStream::connect(server.local_addr()).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    stream
}

/// Reads until the server closes or resets the connection (bounded by the read timeout and
/// the size); returns what came.
fn read_until_closed(stream: &mut TcpStream) -> Vec<u8> {
    let mut all = Vec::new();
    let mut buffer = [0_u8; 4096];
    for _ in 0..1_000 {
        match stream.read(&mut buffer) {
            Ok(0) => return all,
            Ok(n) => all.extend_from_slice(&buffer[..n]),
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) if matches!(e.kind(), ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted) => return all,
            Err(e) => panic!("the server did not close: {e}"),
        }
    }
    panic!("the server keeps sending");
}

fn still_serves(server: &ServerHandle) {
    let mut transport = transport(server);
    transport.send(&echo(99)).unwrap();
    assert_answers(&reply_within(&mut transport, 5_000), 820, 99);
}

#[test]
fn well_framed_garbage_is_ignored_and_the_connection_stays() {
    let server = server(35_000);
    let mut transport = transport(&server);
    transport
        .send(&encode_frame(b"\x60not an iso 8583 message").unwrap())
        .unwrap();
    transport.send(&encode_frame(b"").unwrap()).unwrap();
    assert_eq!(transport.receive(within(200)).unwrap(), None);
    // Same connection, a real request.
    let local = transport.local_addr();
    transport.send(&sign_on(1)).unwrap();
    assert_answers(&reply_within(&mut transport, 5_000), 800, 1);
    assert_eq!(transport.local_addr(), local);
    assert_eq!(server.control("rejected"), Ok("2".to_owned()));
}

#[test]
fn oversized_length_closes_that_connection_only() {
    let server = server(35_000);
    let mut bystander = transport(&server);
    bystander.send(&sign_on(1)).unwrap();
    assert_answers(&reply_within(&mut bystander, 5_000), 800, 1);

    let mut stream = raw(&server);
    let too_long = u16::try_from(MAX_FRAME_LEN + 1).unwrap().to_be_bytes();
    stream.write_all(&too_long).unwrap();
    stream.write_all(&[0xAB; 64]).unwrap();
    assert!(read_until_closed(&mut stream).is_empty());

    bystander.send(&echo(2)).unwrap();
    assert_answers(&reply_within(&mut bystander, 5_000), 820, 2);
    still_serves(&server);
}

#[test]
fn the_largest_length_closes_too() {
    let server = server(35_000);
    let mut stream = raw(&server);
    stream.write_all(&[0x22, 0xFF]).unwrap();
    assert!(read_until_closed(&mut stream).is_empty());
    still_serves(&server);
}

#[test]
fn half_a_frame_then_gone() {
    let server = server(35_000);
    let mut stream = raw(&server);
    let frame = sign_on(1);
    stream.write_all(&frame[..frame.len() / 2]).unwrap();
    drop(stream);
    // Connect and leave at once, too.
    drop(raw(&server));
    still_serves(&server);
    assert!(!server.acquirer().lock().unwrap().is_signed_on(TID));
}

#[test]
fn random_bytes_and_a_reset() {
    let server = server(35_000);
    let mut stream = raw(&server);
    let noise: Vec<u8> = (0..2_000_u32)
        .map(|i| i.wrapping_mul(2_654_435_761).to_be_bytes()[1])
        .collect();
    // Whatever the noise parses as, the server either ignores it or closes; it never answers it
    // with anything but frames, and it keeps serving others.
    let _ = stream.write_all(&noise);
    let _ = stream.shutdown(Shutdown::Write);
    let _ = read_until_closed(&mut stream);
    still_serves(&server);
}

#[test]
fn control_line_without_end_or_too_long() {
    let server = server(35_000);
    // No newline, end of stream instead: still one command.
    let mut stream = raw(&server);
    stream.write_all(b"#faults").unwrap();
    stream.shutdown(Shutdown::Write).unwrap();
    assert_eq!(read_until_closed(&mut stream), b"pending: none\n");

    // Longer than the limit: refused, and the server goes on.
    let mut stream = raw(&server);
    let long = format!("#fault {}\n", "x".repeat(2_000));
    let _ = stream.write_all(long.as_bytes());
    let answer = String::from_utf8(read_until_closed(&mut stream)).unwrap();
    assert!(answer.starts_with("error: command longer than"), "{answer}");

    // Not UTF-8.
    let mut stream = raw(&server);
    stream.write_all(b"#\xFF\xFE\n").unwrap();
    let answer = String::from_utf8(read_until_closed(&mut stream)).unwrap();
    assert!(answer.starts_with("error: "), "{answer}");
    still_serves(&server);
}

#[test]
fn many_connections_then_shutdown() {
    let server = server(35_000);
    let streams: Vec<TcpStream> = (0..20).map(|_| raw(&server)).collect();
    still_serves(&server);
    server.shutdown().unwrap();
    for mut stream in streams {
        assert!(read_until_closed(&mut stream).is_empty());
    }
}
