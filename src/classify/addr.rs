//! The address and its interface as the table takes them: typed values
//! (which address, on which interface, what is wrong), rendered to text
//! only where a reason shows them.

use std::fmt;
use std::net::IpAddr;

use crate::net::NetError;
use crate::vip::{Vip, Vips};

/// Where the virtual address was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddrView {
    /// On the configured interface with the configured prefix.
    Present,
    /// On the configured interface but DAD is still running (IPv6).
    Tentative,
    /// On the configured interface, but DAD failed: another host holds it.
    DadFailed,
    /// Not ours, but bound on this node in another way (another prefix on
    /// the configured interface, or another interface): [`Foreign`] says
    /// where. Never "stopped" while it is there.
    Foreign(Foreign),
    /// Not on the configured interface.
    Absent,
    /// The address or link could not be read.
    Unknown(NetError),
    /// Several addresses, some bound on their interface and some not.
    Partial {
        /// The bound ones.
        bound: Vips,
        /// The missing ones.
        missing: Vips,
    },
}

impl AddrView {
    /// Bound by us on our interface (counts for a partial state).
    pub fn is_bound(&self) -> bool {
        matches!(
            self,
            AddrView::Present
                | AddrView::Tentative
                | AddrView::DadFailed
                | AddrView::Partial { .. }
        )
    }
}

/// A binding of the address on this node that is not this resource's.
/// Displayed as the reason start (5) and monitor give for it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Foreign {
    /// On the configured interface with another prefix.
    #[error("{ip}/{found} is already bound to {nic}, not as /{want}: remove it or fix ip")]
    OtherPrefix {
        /// The address.
        ip: IpAddr,
        /// The configured interface.
        nic: String,
        /// The prefix found there.
        found: u8,
        /// The configured prefix.
        want: u8,
    },
    /// On another interface than the configured one.
    #[error("{ip} is already bound to {other} on this node")]
    Elsewhere {
        /// The address.
        ip: IpAddr,
        /// The other interface.
        other: LinkRef,
    },
    /// With `nic` empty: bound with its configured prefix on more than one
    /// interface, so nothing says which one serves it ("192.0.2.10/24 is
    /// bound on both eth0 and eth1").
    #[error("{vip} is bound on {}", both(on))]
    Spread {
        /// The address as configured.
        vip: Vip,
        /// Each interface it is bound on, in the order seen.
        on: Vec<SpreadOn>,
    },
}

/// An interface as a reason names it: by name, or by index when its name
/// could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkRef {
    /// Its name.
    Named(String),
    /// Only its index is known.
    Index(u32),
}

impl fmt::Display for LinkRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkRef::Named(n) => f.write_str(n),
            LinkRef::Index(i) => write!(f, "interface #{i}"),
        }
    }
}

/// One interface of a [`Foreign::Spread`] binding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpreadOn {
    /// The interface.
    pub link: LinkRef,
    /// The prefixes it is bound with there, named only when none is
    /// configured (empty otherwise).
    pub prefixes: Vec<u8>,
}

impl fmt::Display for SpreadOn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.link)?;
        if let [first, rest @ ..] = self.prefixes.as_slice() {
            write!(f, " (/{first}")?;
            for p in rest {
                write!(f, ", /{p}")?;
            }
            f.write_str(")")?;
        }
        Ok(())
    }
}

/// "both a and b", "a, b and c".
fn both(on: &[SpreadOn]) -> String {
    let names: Vec<String> = on.iter().map(ToString::to_string).collect();
    match names.as_slice() {
        [a, b] => format!("both {a} and {b}"),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
        [] => String::new(),
    }
}

/// The state of the interface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkView {
    /// Up with carrier (or a link without carrier sense, like a dummy).
    Up,
    /// Administratively down or without carrier: [`LinkDown`] says which.
    Down(LinkDown),
    /// The interface does not exist, or none could be found for the address.
    Missing(LinkMissing),
}

/// An interface that is there but cannot serve: displayed as the reason
/// ("nic eth0 has no carrier").
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("nic {nic} {why}")]
pub struct LinkDown {
    /// The interface.
    pub nic: String,
    /// What is wrong with it.
    pub why: DownWhy,
}

/// Why an interface cannot serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DownWhy {
    /// Set down by an administrator.
    AdminDown,
    /// Up, but without carrier.
    NoCarrier,
    /// Up, without carrier, and the kernel says its lower layer is down.
    LowerLayerDown,
    /// The kernel says the device is not present.
    NotPresent,
    /// Down for another reason.
    Down,
}

impl fmt::Display for DownWhy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DownWhy::AdminDown => "is administratively down",
            DownWhy::NoCarrier => "has no carrier",
            DownWhy::LowerLayerDown => "has no carrier (lower layer down)",
            DownWhy::NotPresent => "is not present",
            DownWhy::Down => "is down",
        })
    }
}

/// No interface for the address: displayed as the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkMissing {
    /// The configured interface does not exist.
    #[error("nic {0} does not exist on this node")]
    Nic(String),
    /// `nic` is empty and no interface has a connected route to the address.
    #[error("no interface on this node has a route to {0}")]
    NoRoute(IpAddr),
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reasons read as they did when the views carried text (the docs'
    /// tables quote them).
    #[test]
    fn typed_views_read_as_the_reasons_always_did() {
        let ip: IpAddr = "192.0.2.10".parse().unwrap();
        let other_prefix = Foreign::OtherPrefix {
            ip,
            nic: "eth0".into(),
            found: 32,
            want: 24,
        };
        assert_eq!(
            other_prefix.to_string(),
            "192.0.2.10/32 is already bound to eth0, not as /24: remove it or fix ip"
        );
        let elsewhere = |other| Foreign::Elsewhere { ip, other }.to_string();
        assert_eq!(
            elsewhere(LinkRef::Named("eth1".into())),
            "192.0.2.10 is already bound to eth1 on this node"
        );
        assert_eq!(
            elsewhere(LinkRef::Index(9)),
            "192.0.2.10 is already bound to interface #9 on this node"
        );
        let down = |why| {
            LinkDown {
                nic: "eth0".into(),
                why,
            }
            .to_string()
        };
        assert_eq!(
            down(DownWhy::AdminDown),
            "nic eth0 is administratively down"
        );
        assert_eq!(down(DownWhy::NoCarrier), "nic eth0 has no carrier");
        assert_eq!(
            down(DownWhy::LowerLayerDown),
            "nic eth0 has no carrier (lower layer down)"
        );
        assert_eq!(down(DownWhy::NotPresent), "nic eth0 is not present");
        assert_eq!(down(DownWhy::Down), "nic eth0 is down");
        assert_eq!(
            LinkMissing::Nic("eth9".into()).to_string(),
            "nic eth9 does not exist on this node"
        );
        assert_eq!(
            LinkMissing::NoRoute(ip).to_string(),
            "no interface on this node has a route to 192.0.2.10"
        );
    }
}
