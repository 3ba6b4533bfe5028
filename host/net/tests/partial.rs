//! The client reassembles frames however the bytes arrive, and keeps a partial frame across a
//! receive deadline.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use common::*;
use pos_net::framing::encode_frame;
use pos_net::TransportError;

/// A one-connection server on 127.0.0.1 that reads the client's frame (to know it is connected),
/// then runs `script` on the stream.
fn scripted(script: impl FnOnce(&mut TcpStream) + Send + 'static) -> (String, JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let thread = thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut request = [0_u8; 3];
        stream.read_exact(&mut request).unwrap();
        script(&mut stream);
    });
    (address, thread)
}

fn trickle(stream: &mut TcpStream, bytes: &[u8], pause_ms: u64) {
    for byte in bytes {
        stream.write_all(&[*byte]).unwrap();
        stream.flush().unwrap();
        thread::sleep(Duration::from_millis(pause_ms));
    }
}

#[test]
fn one_byte_at_a_time_with_a_deadline_mid_frame() {
    let frame = encode_frame(b"a frame written one byte at a time").unwrap();
    let expected = frame.clone();
    let (address, server) = scripted(move |stream| trickle(stream, &frame, 15));
    let mut transport = transport_to(address);
    transport.send(&encode_frame(b"x").unwrap()).unwrap();

    // The frame takes ~540 ms to arrive: the first deadline falls in the middle of it.
    let started = Instant::now();
    assert_eq!(transport.receive(within(150)).unwrap(), None);
    assert!(started.elapsed() >= Duration::from_millis(150));
    assert_eq!(transport.receive(within(5_000)).unwrap(), Some(expected));
    server.join().unwrap();
}

#[test]
fn several_deadlines_inside_one_frame() {
    let frame = encode_frame(&[0x5A; 40]).unwrap();
    let expected = frame.clone();
    let (address, server) = scripted(move |stream| trickle(stream, &frame, 10));
    let mut transport = transport_to(address);
    transport.send(&encode_frame(b"x").unwrap()).unwrap();
    let mut timeouts = 0;
    let mut received = None;
    for _ in 0..200 {
        match transport.receive(within(25)).unwrap() {
            None => timeouts += 1,
            Some(frame) => {
                received = Some(frame);
                break;
            }
        }
    }
    assert_eq!(received, Some(expected));
    assert!(timeouts >= 3, "{timeouts}");
    server.join().unwrap();
}

#[test]
fn two_frames_in_one_write_come_out_one_by_one() {
    let first = encode_frame(b"first").unwrap();
    let second = encode_frame(b"second").unwrap();
    let both = [first.clone(), second.clone()].concat();
    let (address, server) = scripted(move |stream| {
        stream.write_all(&both).unwrap();
        // Keep the connection open until the client has read both.
        thread::sleep(Duration::from_millis(300));
    });
    let mut transport = transport_to(address);
    transport.send(&encode_frame(b"x").unwrap()).unwrap();
    assert_eq!(transport.receive(within(5_000)).unwrap(), Some(first));
    assert_eq!(transport.receive(within(5_000)).unwrap(), Some(second));
    assert_eq!(transport.receive(within(50)).unwrap(), None);
    server.join().unwrap();
}

#[test]
fn frame_then_close_gives_the_frame_then_closed() {
    let frame = encode_frame(b"last words").unwrap();
    let expected = frame.clone();
    let (address, server) = scripted(move |stream| {
        // A whole frame, then half of another, then the server goes away.
        stream
            .write_all(&[frame.as_slice(), &[0x00, 0x09, 1, 2]].concat())
            .unwrap();
    });
    let mut transport = transport_to(address);
    transport.send(&encode_frame(b"x").unwrap()).unwrap();
    server.join().unwrap();
    assert_eq!(transport.receive(within(5_000)).unwrap(), Some(expected));
    assert!(matches!(transport.receive(within(5_000)), Err(TransportError::Closed)));
    assert!(!transport.is_connected());
    // Reported once: afterwards there is nothing to wait for.
    let started = Instant::now();
    assert_eq!(transport.receive(within(100)).unwrap(), None);
    assert!(started.elapsed() >= Duration::from_millis(100));
}

#[test]
fn oversized_length_from_the_server_drops_the_connection() {
    let (address, server) = scripted(|stream| {
        stream.write_all(&[0xFF, 0xFF, 1, 2, 3]).unwrap();
        thread::sleep(Duration::from_millis(300));
    });
    let mut transport = transport_to(address);
    transport.send(&encode_frame(b"x").unwrap()).unwrap();
    assert!(matches!(
        transport.receive(within(5_000)),
        Err(TransportError::FrameTooLong)
    ));
    assert!(!transport.is_connected());
    server.join().unwrap();
}

#[test]
fn receive_without_a_connection_waits_for_the_deadline() {
    let mut transport = transport_to("127.0.0.1:9".to_owned());
    let started = Instant::now();
    assert_eq!(transport.receive(within(80)).unwrap(), None);
    assert!(started.elapsed() >= Duration::from_millis(80));
    // A deadline already past returns at once.
    assert_eq!(transport.receive(Instant::now()).unwrap(), None);
}
