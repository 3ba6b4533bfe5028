//! Kernel types to WIT types and back, on the host side. Inputs, the configuration and queries go
//! in; outputs, status and transaction lives come out. Each mapping is one to one, so a vector's
//! expected outputs compare exactly with what the component produced.

mod inbound;
mod outbound;

pub use inbound::{config, input, query};
pub use outbound::{output, status, transaction_life};

/// A value the component returned that the kernel's types cannot hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConvertError(pub String);

impl core::fmt::Display for ConvertError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "unexpected value from the component: {}", self.0)
    }
}

impl std::error::Error for ConvertError {}
