//! Blocking TCP for the POS terminal host (std networking and threads, no async runtime).
//!
//! - [`transport`]: the terminal's side: a reconnecting client that sends and receives whole
//!   `cup-pos` frames (2-byte big-endian length, docs/profile.md §1), with deadlines.
//! - [`framing`]: the sans-IO frame reassembly, shared with the simulated acquirer's server
//!   (`tools/acquirer-server`, which the tests here run against).
//!
//! ```no_run
//! use std::time::{Duration, Instant};
//! use pos_net::{Transport, TransportConfig};
//!
//! let mut transport = Transport::new(TransportConfig { address: "127.0.0.1:5000".into(), ..TransportConfig::default() });
//! # let frame = Vec::new();
//! transport.send(&frame)?;
//! let reply = transport.receive(Instant::now() + Duration::from_secs(30))?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod framing;
pub mod transport;

pub use transport::{Transport, TransportConfig, TransportError};
