//! Shared test helpers: a server on 127.0.0.1 port 0, a transport to it, hand-built requests.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::expect_used,
    clippy::panic,
    dead_code
)]

use std::time::{Duration, Instant};

use pos_acquirer_server::{AcquirerServer, ServerConfig, ServerHandle};
use pos_kernel::codec::{Frame, Header, Message, Mti, Tpdu};
use pos_net::{Transport, TransportConfig};

pub const TID: &str = "10000001";
pub const MID: &str = "123456789012345";

/// A server on a free loopback port whose late replies wait `late_reply_delay_ms`.
pub fn server(late_reply_delay_ms: u64) -> ServerHandle {
    AcquirerServer::bind(ServerConfig {
        listen: "127.0.0.1:0".to_owned(),
        late_reply_delay_ms,
        ..ServerConfig::default()
    })
    .unwrap()
    .spawn()
    .unwrap()
}

pub fn transport_to(address: String) -> Transport {
    Transport::new(TransportConfig {
        address,
        connect_timeout_ms: 2_000,
        read_timeout_ms: 100,
    })
}

pub fn transport(server: &ServerHandle) -> Transport {
    transport_to(server.local_addr().to_string())
}

pub fn address(server: &ServerHandle) -> String {
    server.local_addr().to_string()
}

pub fn within(ms: u64) -> Instant {
    Instant::now() + Duration::from_millis(ms)
}

pub fn frame(message: Message) -> Vec<u8> {
    Frame {
        tpdu: Tpdu::TERMINAL_DEFAULT,
        header: Header {
            status: 0,
            requirement: 0,
        },
        message,
    }
    .encode()
    .unwrap()
}

fn management(mti: u16, stan: u32, code: &str) -> Message {
    Message::new(Mti(mti))
        .with(11, format!("{stan:06}"))
        .with(41, TID)
        .with(42, MID)
        .with(60, format!("00000001{code}"))
}

/// 0800 sign-on (docs/profile.md §3: fields 11 41 42 60 63).
pub fn sign_on(stan: u32) -> Vec<u8> {
    frame(management(800, stan, "004").with(63, "001"))
}

/// 0820 echo test (fields 11 41 42 60).
pub fn echo(stan: u32) -> Vec<u8> {
    frame(management(820, stan, "301"))
}

/// Waits up to `ms` for a frame and decodes it; panics on timeout or error.
pub fn reply_within(transport: &mut Transport, ms: u64) -> Frame {
    let bytes = transport
        .receive(within(ms))
        .unwrap()
        .unwrap_or_else(|| panic!("no reply within {ms} ms"));
    Frame::decode(&bytes).unwrap()
}

pub fn stan(frame: &Frame) -> &str {
    frame.message.get_str(11).unwrap()
}

/// Asserts `reply` answers the request with `mti` and STAN `stan` with F39 `00`.
pub fn assert_answers(reply: &Frame, mti: u16, stan: u32) {
    assert_eq!(reply.message.mti, Mti(mti + 10));
    assert_eq!(reply.message.get_str(11), Some(format!("{stan:06}").as_str()));
    assert_eq!(reply.message.get_str(39), Some("00"));
    assert_eq!(reply.tpdu, Tpdu::TERMINAL_DEFAULT.swapped());
}
