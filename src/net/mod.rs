//! Addresses, links and routes through netlink; announcements as raw frames.
//! No netlink message or packet type leaves this module.

pub mod announce;
pub mod netlink;

pub use announce::{garp_reply, garp_request, unsolicited_na, Announcer};
pub use netlink::{BoundAddr, ConnectedRoute, DadOutcome, Link, Netlink, OperState};

/// What can go wrong with netlink or the packet socket, in the terms an
/// administrator acts on.
#[derive(Debug, thiserror::Error)]
pub enum NetError {
    /// EPERM/EACCES.
    #[error("{op}: permission denied (needs CAP_NET_ADMIN and CAP_NET_RAW)")]
    Permission {
        /// What was attempted.
        op: &'static str,
    },
    /// The interface does not exist.
    #[error("interface {name} does not exist")]
    NoSuchLink {
        /// Its name or index.
        name: String,
    },
    /// The deadline passed.
    #[error("{op}: no answer from the kernel before the deadline")]
    Timeout {
        /// What was attempted.
        op: &'static str,
    },
    /// Any other kernel error.
    #[error("{op}: {message} (errno {errno})")]
    Kernel {
        /// What was attempted.
        op: &'static str,
        /// The errno.
        errno: i32,
        /// What it means here.
        message: String,
    },
    /// Socket-level errors.
    #[error("{op}: {message}")]
    Io {
        /// What was attempted.
        op: &'static str,
        /// What happened.
        message: String,
    },
}
