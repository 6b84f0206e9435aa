//! Addresses, links and routes through netlink; announcements as raw frames.
//! No netlink message or packet type leaves this module.

pub mod announce;
pub mod bound;
pub mod netlink;
mod ops;
pub mod packet;
pub mod probe;
#[cfg(test)]
pub(crate) mod scripted;

pub use announce::{garp_reply, garp_request, unsolicited_na, Announcer};
pub use bound::BoundCheck;
pub use netlink::{AddOptions, BoundAddr, ConnectedRoute, DadOutcome, Link, Netlink, OperState};
pub use ops::{Frames, Net};

/// Deleting the primary IPv4 address of a subnet from an interface deletes
/// its secondaries with it, unless `promote_secondaries` is set: another
/// resource's address in the same subnet would vanish with ours. Sets it on
/// `ifname` when neither the interface's nor the `all` setting has it;
/// returns whether it changed anything.
pub fn keep_secondaries(ifname: &str) -> std::io::Result<bool> {
    let path = |dev: &str| format!("/proc/sys/net/ipv4/conf/{dev}/promote_secondaries");
    let on = |dev: &str| std::fs::read_to_string(path(dev)).is_ok_and(|v| v.trim() != "0");
    if on("all") || on(ifname) {
        return Ok(false);
    }
    std::fs::write(path(ifname), "1")?;
    Ok(true)
}

/// `net.ipv6.conf.<nic>.disable_ipv6` is set (read in this process's
/// network namespace); unreadable counts as not disabled (the kernel will
/// tell at the add).
pub fn ipv6_disabled(nic: &str) -> bool {
    std::fs::read_to_string(format!("/proc/sys/net/ipv6/conf/{nic}/disable_ipv6"))
        .is_ok_and(|v| v.trim() == "1")
}

/// What can go wrong with netlink or the packet socket, in the terms an
/// administrator acts on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
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
    /// IPv6 is disabled on the interface (`disable_ipv6`).
    #[error(
        "IPv6 is disabled on {name} (net.ipv6.conf.{name}.disable_ipv6=1): enable it or use IPv4"
    )]
    Ipv6Disabled {
        /// The interface.
        name: String,
    },
    /// Duplicate address detection did not finish before the deadline.
    #[error("duplicate address detection did not finish before the deadline{why}")]
    DadUnfinished {
        /// What keeps it from finishing, when known (`: nic eth0 has no carrier`).
        why: String,
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
