//! Announcements: the rounds of gratuitous ARP and unsolicited neighbour
//! advertisements an action sends for its addresses, and who sends them.
//!
//! - [`rounds`]: one group's schedule (count, interval, when the next is
//!   due, how many are done) and the fitting rule (rounds that would
//!   outlast the operation's deadline are left out, with a warning). No
//!   clock, no I/O.
//! - [`live`]: the async executor on tokio's clock (start's first rounds,
//!   the monitor's refresh) and the waits for carrier.
//! - [`handover`]: the fork-safe executor on std's clock (the rounds still
//!   due after start), run by the background announcer [`child`], or by
//!   start itself when it cannot be forked.
//!
//! Frames and sockets are [`crate::net`]'s; this module sits below the
//! actions and knows nothing of them.

pub mod child;
pub mod handover;
pub mod live;
pub mod rounds;

pub use child::end;
pub use handover::{hand_over, Schedule};
pub use live::{announce, announce_tracked, wait_carrier, Progress};
pub use rounds::{fitting, Rounds};

use std::net::IpAddr;

/// A group's addresses as the log names them.
fn label(ips: &[IpAddr]) -> String {
    ips.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The warning about rounds left out by the fitting rule: `sending` of
/// `total` rounds for `ips` (a [`label`]) on `link`.
fn left_out(sending: u32, total: u32, ips: &str, link: &str) {
    tracing::warn!(
        "sending {sending} of {total} announcement rounds for {ips} on {link}: the rest would \
outlast the operation timeout (arp_count or arp_count_refresh x arp_interval is too long for it)"
    );
}
