//! The terminal's side of the connection to the acquirer: one blocking TCP stream, opened on
//! demand, carrying 2-byte-length frames (docs/profile.md §1).
//!
//! # Use from the host's run loop
//!
//! - `Output::Transmit(frame)` → [`Transport::send`] (connects first when there is no
//!   connection; if the old connection turns out dead, one new connection is tried).
//! - While a reply or a timer is due → [`Transport::receive`]`(deadline)` with the earliest
//!   kernel deadline: `Ok(Some(frame))` → `Input::Receive(frame)`; `Ok(None)` → the deadline
//!   passed (fire the timer); `Err(TransportError::Closed)` → `Input::ConnectionClosed`.
//! - A failed [`Transport::send`]: when [`TransportError::nothing_sent`] (no connection could be
//!   opened, or the write failed before any byte of the frame left), feed `Input::NotSent` with
//!   the error as its cause: nothing reached the acquirer. Otherwise part of the frame may have
//!   left: feed `Input::ConnectionClosed`.
//!
//! A closed connection is reported once. Without a connection, [`Transport::receive`] has
//! nothing to wait for: it sleeps until the deadline and returns `Ok(None)`.

use std::fmt;
use std::io::{self, ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use crate::framing::{FrameDecoder, FrameTooLong};

/// Where and how to connect.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransportConfig {
    /// The acquirer's `host:port`, e.g. `"127.0.0.1:5000"`. Every address it resolves to is tried.
    pub address: String,
    /// How long one connection attempt may take; 0 leaves it to the operating system.
    pub connect_timeout_ms: u64,
    /// The longest one socket read or write may block. [`Transport::receive`] reads in slices of
    /// at most this until its deadline; a write blocked this long fails the send. 0 means no
    /// limit (reads are still bounded by the receive deadline).
    pub read_timeout_ms: u64,
}

impl Default for TransportConfig {
    /// `127.0.0.1:5000`, 10 s to connect, 1 s per read or write.
    fn default() -> Self {
        TransportConfig {
            address: "127.0.0.1:5000".to_owned(),
            connect_timeout_ms: 10_000,
            read_timeout_ms: 1_000,
        }
    }
}

/// Why a send or receive failed.
#[derive(Debug)]
pub enum TransportError {
    /// No connection could be opened (the address did not resolve, or every address refused or
    /// timed out): nothing was sent. The error names the address.
    Connect(io::Error),
    /// The connection was open but the write failed before any byte of the frame was written:
    /// nothing was sent. The connection has been dropped.
    NotWritten(io::Error),
    /// The acquirer closed the connection (or reset it) and no whole frame is left to read.
    Closed,
    /// Reading or writing failed; the connection has been dropped.
    Io(io::Error),
    /// The acquirer announced a frame longer than [`crate::framing::MAX_FRAME_LEN`]; the
    /// connection has been dropped (the stream cannot be resynchronised).
    FrameTooLong,
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransportError::Connect(e) => e.fmt(f),
            TransportError::NotWritten(e) => write!(f, "could not send to the acquirer: {e}"),
            TransportError::Closed => f.write_str("the acquirer closed the connection"),
            TransportError::Io(e) => write!(f, "connection to the acquirer failed: {e}"),
            TransportError::FrameTooLong => f.write_str("the acquirer sent an oversized frame length"),
        }
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TransportError::Connect(e) | TransportError::NotWritten(e) | TransportError::Io(e) => Some(e),
            TransportError::Closed | TransportError::FrameTooLong => None,
        }
    }
}

impl TransportError {
    /// Whether the frame provably never left this machine: the host then reports `NotSent`
    /// ("failed, nothing charged") instead of a closed connection ("may have been charged").
    pub fn nothing_sent(&self) -> bool {
        matches!(self, TransportError::Connect(_) | TransportError::NotWritten(_))
    }
}

impl From<FrameTooLong> for TransportError {
    fn from(_: FrameTooLong) -> Self {
        TransportError::FrameTooLong
    }
}

/// A blocking, reconnecting, framed TCP client.
#[derive(Debug)]
pub struct Transport {
    config: TransportConfig,
    stream: Option<TcpStream>,
    decoder: FrameDecoder,
}

/// What a non-blocking look at an open connection found.
enum Probe {
    Alive,
    Dead,
}

impl Transport {
    /// A transport that connects on the first [`Transport::send`].
    pub fn new(config: TransportConfig) -> Self {
        Transport {
            config,
            stream: None,
            decoder: FrameDecoder::default(),
        }
    }

    /// The configuration it was created with.
    pub fn config(&self) -> &TransportConfig {
        &self.config
    }

    /// Whether a connection is open (as far as is known without reading from it).
    pub fn is_connected(&self) -> bool {
        self.stream.is_some()
    }

    /// The local address of the open connection.
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.stream.as_ref().and_then(|s| s.local_addr().ok())
    }

    /// Opens a connection now (closing any open one). [`Transport::send`] does this on demand.
    pub fn connect(&mut self) -> Result<(), TransportError> {
        self.drop_connection();
        self.stream = Some(open(&self.config)?);
        Ok(())
    }

    /// Sends one whole frame (2-byte length included), connecting first if needed.
    ///
    /// An open connection is first checked without blocking: if the acquirer has closed it, or
    /// the write fails, the connection is dropped and one new connection is tried (once per
    /// call). Bytes that had already arrived on the old connection are kept if they form whole
    /// frames. An error says whether any byte of the frame left ([`TransportError::nothing_sent`]).
    pub fn send(&mut self, frame: &[u8]) -> Result<(), TransportError> {
        let mut fresh = false;
        if self.stream.is_some() {
            if let Probe::Dead = self.probe() {
                self.drop_connection();
            }
        }
        if self.stream.is_none() {
            self.stream = Some(open(&self.config)?);
            fresh = true;
        }
        let (written, error) = match self.write(frame) {
            Ok(()) => return Ok(()),
            Err(failed) => failed,
        };
        self.drop_connection();
        let unsent = |written: usize, error| {
            if written == 0 {
                TransportError::NotWritten(error)
            } else {
                TransportError::Io(error)
            }
        };
        if fresh {
            return Err(unsent(written, error));
        }
        let reopened = match open(&self.config) {
            Ok(stream) => stream,
            // Part of the frame may have left on the old connection.
            Err(_) if written > 0 => return Err(TransportError::Io(error)),
            Err(e) => return Err(e),
        };
        self.stream = Some(reopened);
        self.write(frame).map_err(|(again, e)| {
            self.drop_connection();
            unsent(written + again, e)
        })
    }

    /// Waits until `deadline` for one whole frame (returned with its 2-byte length).
    ///
    /// `Ok(None)`: the deadline passed first (bytes of a frame still arriving are kept for the
    /// next call). `Err(Closed)`: the acquirer closed the connection; frames that arrived before
    /// that are returned first, an incomplete one is dropped. `Err(Io)` / `Err(FrameTooLong)`:
    /// the connection is dropped. Without a connection it sleeps until `deadline` and returns
    /// `Ok(None)`.
    pub fn receive(&mut self, deadline: Instant) -> Result<Option<Vec<u8>>, TransportError> {
        let mut buffer = [0_u8; 4096];
        loop {
            if let Some(frame) = self.decoder.next_frame() {
                return Ok(Some(frame));
            }
            let now = Instant::now();
            let Some(remaining) = deadline.checked_duration_since(now).filter(|d| !d.is_zero()) else {
                return Ok(None);
            };
            let slice = match self.config.read_timeout_ms {
                0 => remaining,
                ms => remaining.min(Duration::from_millis(ms)),
            };
            let Some(stream) = self.stream.as_mut() else {
                std::thread::sleep(remaining);
                return Ok(None);
            };
            let read = stream
                .set_read_timeout(Some(slice.max(Duration::from_millis(1))))
                .and_then(|()| stream.read(&mut buffer));
            match read {
                Ok(0) => {
                    self.drop_connection();
                    return Err(TransportError::Closed);
                }
                Ok(n) => {
                    let bytes = buffer.get(..n).unwrap_or_default();
                    if let Err(error) = self.decoder.push(bytes) {
                        self.drop_connection();
                        return Err(error.into());
                    }
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
                    ) => {}
                Err(e) if is_reset(&e) => {
                    self.drop_connection();
                    return Err(TransportError::Closed);
                }
                Err(e) => {
                    self.drop_connection();
                    return Err(TransportError::Io(e));
                }
            }
        }
    }

    /// Closes the connection (if any) and forgets every byte received on it.
    pub fn close(&mut self) {
        self.drop_connection();
        self.decoder.clear();
    }

    /// Writes the whole frame; on an error, how many of its bytes were written before it.
    fn write(&mut self, frame: &[u8]) -> Result<(), (usize, io::Error)> {
        let Some(stream) = self.stream.as_mut() else {
            return Err((0, io::Error::from(ErrorKind::NotConnected)));
        };
        stream
            .set_write_timeout(millis(self.config.read_timeout_ms))
            .map_err(|e| (0, e))?;
        let mut written = 0;
        while let Some(rest) = frame.get(written..).filter(|rest| !rest.is_empty()) {
            match stream.write(rest) {
                Ok(0) => return Err((written, io::Error::from(ErrorKind::WriteZero))),
                Ok(n) => written += n,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err((written, e)),
            }
        }
        stream.flush().map_err(|e| (written, e))
    }

    /// Reads whatever is waiting without blocking; end of stream or an error means dead.
    fn probe(&mut self) -> Probe {
        let mut buffer = [0_u8; 4096];
        let Some(stream) = self.stream.as_mut() else {
            return Probe::Dead;
        };
        if stream.set_nonblocking(true).is_err() {
            return Probe::Dead;
        }
        // Bounded: each pass consumes bytes that were already waiting.
        let mut result = Probe::Alive;
        for _ in 0..64 {
            match stream.read(&mut buffer) {
                Ok(0) => {
                    result = Probe::Dead;
                    break;
                }
                Ok(n) => {
                    if self.decoder.push(buffer.get(..n).unwrap_or_default()).is_err() {
                        result = Probe::Dead;
                        break;
                    }
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(_) => {
                    result = Probe::Dead;
                    break;
                }
            }
        }
        if stream.set_nonblocking(false).is_err() {
            return Probe::Dead;
        }
        result
    }

    /// Drops the connection; the bytes of an incomplete frame go with it.
    fn drop_connection(&mut self) {
        if let Some(stream) = self.stream.take() {
            // Best effort: the peer may already be gone.
            let _ = stream.shutdown(Shutdown::Both);
        }
        self.decoder.discard_partial();
    }
}

/// Tries every address `config.address` resolves to. The error names the address, for the
/// operator: "cannot reach the acquirer at 127.0.0.1:5900: Connection refused (os error 111)".
fn open(config: &TransportConfig) -> Result<TcpStream, TransportError> {
    let unreachable = |e: io::Error| {
        TransportError::Connect(io::Error::new(
            e.kind(),
            format!("cannot reach the acquirer at {}: {e}", config.address),
        ))
    };
    let addresses = config.address.to_socket_addrs().map_err(unreachable)?;
    let mut last = io::Error::new(ErrorKind::InvalidInput, "the address resolves to no address");
    for address in addresses {
        let attempt = match config.connect_timeout_ms {
            0 => TcpStream::connect(address),
            ms => TcpStream::connect_timeout(&address, Duration::from_millis(ms)),
        };
        match attempt {
            Ok(stream) => {
                // Frames are small and latency matters more than packet count.
                stream.set_nodelay(true).map_err(TransportError::Connect)?;
                return Ok(stream);
            }
            Err(e) => last = e,
        }
    }
    Err(unreachable(last))
}

pub(crate) fn millis(ms: u64) -> Option<Duration> {
    (ms > 0).then(|| Duration::from_millis(ms))
}

fn is_reset(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted | ErrorKind::BrokenPipe | ErrorKind::UnexpectedEof
    )
}
