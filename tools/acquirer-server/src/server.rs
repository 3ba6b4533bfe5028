//! The simulated acquirer ([`pos_acquirer_sim::Acquirer`]) served over TCP.
//!
//! One thread accepts; each connection gets its own thread. A connection whose first byte is
//! `#` is a control connection ([`crate::control`]); any other connection is a terminal:
//!
//! 1. Read frames (2-byte big-endian length, docs/profile.md §1) in a loop. A length above
//!    [`pos_net::framing::MAX_FRAME_LEN`] closes the connection (the stream cannot be
//!    resynchronised); a well-framed frame that does not decode is passed to the bank, which
//!    answers nothing and counts it (`rejected`).
//! 2. For each frame, call [`Acquirer::handle_frame`] with the current time, holding the bank's
//!    lock only for that call.
//! 3. Carry out the outputs in order: `Reply` is written at once; `LateReply` is written by a
//!    separate thread after [`ServerConfig::late_reply_delay_ms`] (the connection goes on
//!    serving requests meanwhile); `Close` shuts the connection down and ignores what follows.
//!
//! Writes to one connection never interleave: whole frames are written under a per-connection
//! lock. Faults are queued on the one shared bank, so they apply to whichever connection's
//! request comes next.

use std::collections::BTreeMap;
use std::io::{self, ErrorKind, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use pos_acquirer_sim::{Acquirer, AcquirerConfig, AcquirerOutput};

use crate::control::{self, CONTROL_MARKER};
use pos_net::framing::FrameDecoder;

/// How long a `LateReply` waits by default: past the terminal's default 30 s reply timeout.
pub const DEFAULT_LATE_REPLY_DELAY_MS: u64 = 35_000;

/// How long one write to a terminal may block before the connection is given up.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// How the server is set up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerConfig {
    /// The address to listen on, e.g. `"127.0.0.1:5000"` (port 0 picks a free port; see
    /// [`AcquirerServer::local_addr`]).
    pub listen: String,
    /// How long a reply under the `delay-reply` fault waits before it is written.
    pub late_reply_delay_ms: u64,
    /// The bank.
    pub acquirer: AcquirerConfig,
}

impl Default for ServerConfig {
    /// `127.0.0.1:5000`, [`DEFAULT_LATE_REPLY_DELAY_MS`], [`AcquirerConfig::default`].
    fn default() -> Self {
        ServerConfig {
            listen: "127.0.0.1:5000".to_owned(),
            late_reply_delay_ms: DEFAULT_LATE_REPLY_DELAY_MS,
            acquirer: AcquirerConfig::default(),
        }
    }
}

/// A bound, not yet serving, acquirer server.
#[derive(Debug)]
pub struct AcquirerServer {
    listener: TcpListener,
    addr: SocketAddr,
    acquirer: Arc<Mutex<Acquirer>>,
    late_reply_delay: Duration,
    shared: Arc<Shared>,
}

impl AcquirerServer {
    /// Binds `config.listen` and creates the bank.
    pub fn bind(config: ServerConfig) -> io::Result<AcquirerServer> {
        let listener = TcpListener::bind(&config.listen)?;
        let addr = listener.local_addr()?;
        Ok(AcquirerServer {
            listener,
            addr,
            acquirer: Arc::new(Mutex::new(Acquirer::new(config.acquirer))),
            late_reply_delay: Duration::from_millis(config.late_reply_delay_ms),
            shared: Arc::new(Shared::default()),
        })
    }

    /// The address it listens on (with the real port when bound to port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The bank, to inject faults or read the ledger directly.
    pub fn acquirer(&self) -> Arc<Mutex<Acquirer>> {
        Arc::clone(&self.acquirer)
    }

    /// Carries out one control command (see [`crate::control`]).
    pub fn control(&self, command: &str) -> Result<String, String> {
        control::execute(&self.acquirer, command)
    }

    /// Accepts connections until the server is shut down through a [`ServerHandle`] (when
    /// started with [`AcquirerServer::spawn`]); otherwise forever. Failed accepts are retried.
    pub fn serve(self) -> io::Result<()> {
        let AcquirerServer {
            listener,
            acquirer,
            late_reply_delay,
            shared,
            ..
        } = self;
        for incoming in listener.incoming() {
            if shared.is_stopped() {
                break;
            }
            let stream = match incoming {
                Ok(stream) => stream,
                Err(_) => {
                    // Out of descriptors, aborted handshake, ...: wait a little, try again.
                    shared.sleep(Duration::from_millis(20));
                    continue;
                }
            };
            let Some((id, writer)) = shared.register(&stream) else {
                if shared.is_stopped() {
                    break;
                }
                // The socket could not be cloned: drop this connection, keep serving.
                continue;
            };
            let connection = Connection {
                id,
                acquirer: Arc::clone(&acquirer),
                shared: Arc::clone(&shared),
                writer,
                late_reply_delay,
            };
            let spawned = thread::Builder::new()
                .name(format!("acquirer-conn-{id}"))
                .spawn(move || connection.run(stream));
            if spawned.is_err() {
                shared.deregister(id);
            }
        }
        shared.stop();
        Ok(())
    }

    /// Runs [`AcquirerServer::serve`] on its own thread.
    pub fn spawn(self) -> io::Result<ServerHandle> {
        let addr = self.addr;
        let acquirer = Arc::clone(&self.acquirer);
        let shared = Arc::clone(&self.shared);
        let thread = thread::Builder::new()
            .name(format!("acquirer-{addr}"))
            .spawn(move || self.serve())?;
        Ok(ServerHandle {
            addr,
            acquirer,
            shared,
            thread: Some(thread),
        })
    }
}

/// A server running on its own thread. Dropping the handle shuts the server down.
#[derive(Debug)]
pub struct ServerHandle {
    addr: SocketAddr,
    acquirer: Arc<Mutex<Acquirer>>,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<io::Result<()>>>,
}

impl ServerHandle {
    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The bank, to inject faults or read the ledger directly.
    pub fn acquirer(&self) -> Arc<Mutex<Acquirer>> {
        Arc::clone(&self.acquirer)
    }

    /// Carries out one control command (see [`crate::control`]).
    pub fn control(&self, command: &str) -> Result<String, String> {
        control::execute(&self.acquirer, command)
    }

    /// Stops accepting, closes every connection, drops late replies not yet sent, and waits for
    /// the accept thread. The port is free when this returns.
    pub fn shutdown(mut self) -> io::Result<()> {
        self.stop()
    }

    fn stop(&mut self) -> io::Result<()> {
        let Some(thread) = self.thread.take() else {
            return Ok(());
        };
        self.shared.stop();
        // Wake the blocking accept with a connection of our own; it sees the stop and returns.
        let _ = TcpStream::connect_timeout(&wake_address(self.addr), Duration::from_secs(1));
        match thread.join() {
            Ok(result) => result,
            Err(_) => Err(io::Error::other("the acquirer server thread panicked")),
        }
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        // Nobody to report to.
        let _ = self.stop();
    }
}

/// State shared by the accept loop, the connections and the handle.
#[derive(Debug, Default)]
struct Shared {
    state: Mutex<State>,
    /// Signalled on stop, so delayed writers stop waiting.
    changed: Condvar,
}

#[derive(Debug, Default)]
struct State {
    stopped: bool,
    next_id: u64,
    /// A clone of every open terminal or control connection, to shut them down on stop.
    connections: BTreeMap<u64, TcpStream>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn is_stopped(&self) -> bool {
        self.lock().stopped
    }

    /// Records a new connection; `None` once stopped (or when the socket cannot be cloned).
    fn register(&self, stream: &TcpStream) -> Option<(u64, Arc<Mutex<TcpStream>>)> {
        let mut state = self.lock();
        if state.stopped {
            return None;
        }
        let writer = stream.try_clone().ok()?;
        let closer = stream.try_clone().ok()?;
        let id = state.next_id;
        state.next_id = state.next_id.wrapping_add(1);
        state.connections.insert(id, closer);
        Some((id, Arc::new(Mutex::new(writer))))
    }

    fn deregister(&self, id: u64) {
        self.lock().connections.remove(&id);
    }

    fn stop(&self) {
        let mut state = self.lock();
        state.stopped = true;
        for connection in std::mem::take(&mut state.connections).into_values() {
            // Best effort: it may be closed already.
            let _ = connection.shutdown(Shutdown::Both);
        }
        drop(state);
        self.changed.notify_all();
    }

    /// Sleeps for `duration` unless stopped first; returns whether the server is still running.
    fn sleep(&self, duration: Duration) -> bool {
        let deadline = Instant::now() + duration;
        let mut state = self.lock();
        // Bounded by the deadline: each pass waits for what remains of it.
        while !state.stopped {
            let now = Instant::now();
            let Some(remaining) = deadline.checked_duration_since(now).filter(|d| !d.is_zero()) else {
                return true;
            };
            state = match self.changed.wait_timeout(state, remaining) {
                Ok((state, _)) => state,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
        false
    }
}

/// One accepted connection.
struct Connection {
    id: u64,
    acquirer: Arc<Mutex<Acquirer>>,
    shared: Arc<Shared>,
    writer: Arc<Mutex<TcpStream>>,
    late_reply_delay: Duration,
}

impl Connection {
    fn run(self, mut stream: TcpStream) {
        // Errors here only end this connection.
        let _ = self.serve(&mut stream);
        let _ = stream.shutdown(Shutdown::Both);
        self.shared.deregister(self.id);
    }

    fn serve(&self, stream: &mut TcpStream) -> io::Result<()> {
        stream.set_nodelay(true)?;
        if let Ok(writer) = self.writer.lock() {
            writer.set_write_timeout(Some(WRITE_TIMEOUT))?;
        }
        let mut first = [0_u8; 1];
        if read_some(stream, &mut first)? == 0 {
            return Ok(());
        }
        if first == [CONTROL_MARKER] {
            return control::serve(stream, &self.acquirer);
        }
        let mut decoder = FrameDecoder::default();
        let mut buffer = [0_u8; 4096];
        let mut received: &[u8] = &first;
        loop {
            // An oversized length ends the connection.
            if decoder.push(received).is_err() {
                return Ok(());
            }
            while let Some(frame) = decoder.next_frame() {
                if !self.answer(&frame)? {
                    return Ok(());
                }
            }
            let n = read_some(stream, &mut buffer)?;
            if n == 0 {
                return Ok(());
            }
            received = buffer.get(..n).unwrap_or_default();
        }
    }

    /// Hands one frame to the bank and carries out its outputs; `false` when the connection is
    /// to be closed.
    fn answer(&self, frame: &[u8]) -> io::Result<bool> {
        let outputs = control::lock(&self.acquirer).handle_frame(now_ms(), frame);
        for output in outputs {
            match output {
                AcquirerOutput::Reply(bytes) => write_frame(&self.writer, &bytes)?,
                AcquirerOutput::LateReply(bytes) => self.reply_later(bytes),
                AcquirerOutput::Close => return Ok(false),
            }
        }
        Ok(true)
    }

    /// Writes `bytes` after the late-reply delay, on its own thread (dropped if the server
    /// stops first, or if no thread can be started).
    fn reply_later(&self, bytes: Vec<u8>) {
        let writer = Arc::clone(&self.writer);
        let shared = Arc::clone(&self.shared);
        let delay = self.late_reply_delay;
        let spawned = thread::Builder::new()
            .name(format!("acquirer-late-{}", self.id))
            .spawn(move || {
                if shared.sleep(delay) {
                    // The terminal may have gone meanwhile.
                    let _ = write_frame(&writer, &bytes);
                }
            });
        // Like a reply lost on the way: the terminal's timeout handles it.
        drop(spawned);
    }
}

fn write_frame(writer: &Mutex<TcpStream>, bytes: &[u8]) -> io::Result<()> {
    let mut stream = writer.lock().unwrap_or_else(PoisonError::into_inner);
    stream.write_all(bytes)?;
    stream.flush()
}

/// One read, retried when interrupted.
fn read_some(stream: &mut TcpStream, buffer: &mut [u8]) -> io::Result<usize> {
    // Bounded: a signal interrupting every read of a connection is not a thing.
    for _ in 0..1_000 {
        match stream.read(buffer) {
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            other => return other,
        }
    }
    Err(io::Error::from(ErrorKind::Interrupted))
}

/// Milliseconds since the Unix epoch (0 if the clock is before it).
fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// Where to connect to reach a listener bound to `addr` (a wildcard address is reached on loopback).
fn wake_address(addr: SocketAddr) -> SocketAddr {
    let ip = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    SocketAddr::new(ip, addr.port())
}
