//! Blocking TCP for the POS terminal host (std networking and threads, no async runtime).
//!
//! - [`transport`]: the terminal's side: a reconnecting client that sends and receives whole
//!   `cup-pos` frames (2-byte big-endian length, docs/profile.md §1), with deadlines.
//! - [`server`]: the simulated acquirer ([`pos_acquirer_sim::Acquirer`]) served over TCP, one
//!   thread per connection, late replies on timers.
//! - [`control`]: text commands to the server (queue faults, show the ledger), in process or
//!   over the server's port on connections that start with `#`.
//! - [`framing`]: the sans-IO frame reassembly both sides use.
//!
//! ```no_run
//! use std::time::{Duration, Instant};
//! use pos_net::{AcquirerServer, ServerConfig, Transport, TransportConfig};
//!
//! let server = AcquirerServer::bind(ServerConfig { listen: "127.0.0.1:0".into(), ..ServerConfig::default() })?
//!     .spawn()?;
//! let address = server.local_addr().to_string();
//! pos_net::send_control(&address, "fault drop-reply")?;
//! let mut transport = Transport::new(TransportConfig { address, ..TransportConfig::default() });
//! # let frame = Vec::new();
//! transport.send(&frame)?;
//! let reply = transport.receive(Instant::now() + Duration::from_secs(30))?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod control;
pub mod framing;
pub mod server;
pub mod transport;

pub use control::send_control;
pub use server::{AcquirerServer, ServerConfig, ServerHandle};
pub use transport::{Transport, TransportConfig, TransportError};
