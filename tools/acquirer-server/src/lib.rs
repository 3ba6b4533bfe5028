//! The simulated acquirer ([`pos_acquirer_sim::Acquirer`]) served over TCP: a tool around the
//! terminal (tests, `posterm demo`, `posterm acquirer`, `posterm farm`), never part of it.
//!
//! - [`server`]: one thread per connection, the `cup-pos` framing of [`pos_net::framing`], late
//!   replies on timers.
//! - [`control`]: text commands to the server (queue faults, show the ledger), in process or
//!   over the server's port on connections that start with `#`.
//!
//! ```no_run
//! use std::time::{Duration, Instant};
//! use pos_acquirer_server::{AcquirerServer, ServerConfig};
//! use pos_net::{Transport, TransportConfig};
//!
//! let server = AcquirerServer::bind(ServerConfig { listen: "127.0.0.1:0".into(), ..ServerConfig::default() })?
//!     .spawn()?;
//! let address = server.local_addr().to_string();
//! pos_acquirer_server::send_control(&address, "fault drop-reply")?;
//! let mut transport = Transport::new(TransportConfig { address, ..TransportConfig::default() });
//! # let frame = Vec::new();
//! transport.send(&frame)?;
//! let reply = transport.receive(Instant::now() + Duration::from_secs(30))?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod control;
pub mod server;

pub use control::send_control;
pub use server::{AcquirerServer, ServerConfig, ServerHandle};
