//! Kernel messages read into the module's types: links, address bindings,
//! connected routes.

use std::net::IpAddr;

use netlink_packet_route::address::{
    AddressAttribute, AddressFlags, AddressHeaderFlags, AddressMessage,
};
use netlink_packet_route::link::{LinkAttribute, LinkFlags, LinkMessage, State};
use netlink_packet_route::route::{
    RouteAddress, RouteAttribute, RouteHeader, RouteMessage, RouteType,
};

use super::{BoundAddr, ConnectedRoute, Link, OperState};

pub(super) fn link_from(msg: LinkMessage) -> Link {
    let mut link = Link {
        index: msg.header.index,
        name: String::new(),
        mac: None,
        admin_up: msg.header.flags.contains(LinkFlags::Up),
        carrier: msg.header.flags.contains(LinkFlags::LowerUp),
        noarp: msg.header.flags.contains(LinkFlags::Noarp),
        oper: OperState::Unknown,
    };
    for attr in msg.attributes {
        match attr {
            LinkAttribute::IfName(n) => link.name = n,
            LinkAttribute::Address(a) if a.len() == 6 => {
                let mut mac = [0u8; 6];
                mac.copy_from_slice(&a);
                link.mac = Some(mac);
            }
            LinkAttribute::OperState(s) => {
                link.oper = match s {
                    State::Up => OperState::Up,
                    State::Down => OperState::Down,
                    State::LowerLayerDown => OperState::LowerLayerDown,
                    State::NotPresent => OperState::NotPresent,
                    State::Dormant => OperState::Dormant,
                    State::Testing => OperState::Testing,
                    _ => OperState::Unknown,
                }
            }
            _ => {}
        }
    }
    link
}

pub(super) fn bound_if(msg: &AddressMessage, ip: IpAddr) -> Option<BoundAddr> {
    // The node's own address is IFA_LOCAL when the kernel sends one: on a
    // point-to-point link IFA_ADDRESS is the peer, which is not bound here.
    // Without IFA_LOCAL (IPv6 without a peer) IFA_ADDRESS is the address.
    let mut local = None;
    let mut address = None;
    let mut flags = AddressFlags::empty();
    for attr in &msg.attributes {
        match attr {
            AddressAttribute::Local(a) => local = Some(*a),
            AddressAttribute::Address(a) => address = Some(*a),
            AddressAttribute::Flags(f) => flags = *f,
            _ => {}
        }
    }
    let h = msg.header.flags;
    (local.or(address) == Some(ip)).then(|| BoundAddr {
        link_index: msg.header.index,
        prefix: msg.header.prefix_len,
        tentative: flags.contains(AddressFlags::Tentative)
            || h.contains(AddressHeaderFlags::Tentative),
        dadfailed: flags.contains(AddressFlags::Dadfailed)
            || h.contains(AddressHeaderFlags::Dadfailed),
        secondary: flags.contains(AddressFlags::Secondary)
            || h.contains(AddressHeaderFlags::Secondary),
    })
}

pub(super) fn connected(msg: &RouteMessage, ip: IpAddr) -> Option<ConnectedRoute> {
    let h = &msg.header;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    if h.table != RouteHeader::RT_TABLE_MAIN || h.kind != RouteType::Unicast {
        return None;
    }
    let plen = h.destination_prefix_length;
    if plen == 0 || plen == max {
        return None;
    }
    let mut dest = None;
    let mut oif = None;
    let mut metric = 0;
    for attr in &msg.attributes {
        match attr {
            RouteAttribute::Gateway(_) | RouteAttribute::Via(_) | RouteAttribute::MultiPath(_) => {
                return None
            }
            RouteAttribute::Destination(RouteAddress::Inet(a)) => dest = Some(IpAddr::V4(*a)),
            RouteAttribute::Destination(RouteAddress::Inet6(a)) => dest = Some(IpAddr::V6(*a)),
            RouteAttribute::Oif(i) => oif = Some(*i),
            RouteAttribute::Priority(p) => metric = *p,
            _ => {}
        }
    }
    let dest = dest?;
    contains(dest, plen, ip).then_some(ConnectedRoute {
        link_index: oif?,
        prefix: plen,
        metric,
    })
}

/// Whether `net/plen` contains `ip` (same family).
pub fn contains(net: IpAddr, plen: u8, ip: IpAddr) -> bool {
    match (net, ip) {
        (IpAddr::V4(n), IpAddr::V4(a)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(plen)).unwrap_or(0);
            u32::from(n) & mask == u32::from(a) & mask
        }
        (IpAddr::V6(n), IpAddr::V6(a)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(plen)).unwrap_or(0);
            u128::from(n) & mask == u128::from(a) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
    }

    #[test]
    fn prefix_containment() {
        assert!(contains(ip("192.0.2.0"), 24, ip("192.0.2.10")));
        assert!(!contains(ip("192.0.2.0"), 24, ip("192.0.3.10")));
        assert!(contains(ip("128.0.0.0"), 1, ip("192.0.2.10")));
        assert!(!contains(ip("128.0.0.0"), 1, ip("127.0.0.1")));
        assert!(contains(ip("2001:db8::"), 64, ip("2001:db8::10")));
        assert!(!contains(ip("2001:db8::"), 64, ip("2001:db8:0:1::10")));
        assert!(!contains(ip("2001:db8::"), 64, ip("192.0.2.1")));
    }

    #[test]
    fn down_means_admin_down_or_no_carrier() {
        let mut l = Link {
            index: 2,
            name: "eth0".into(),
            mac: None,
            admin_up: true,
            carrier: true,
            noarp: false,
            oper: OperState::Up,
        };
        assert!(!l.is_down());
        l.oper = OperState::Unknown;
        assert!(!l.is_down(), "dummy and lo report unknown");
        l.oper = OperState::LowerLayerDown;
        assert!(l.is_down());
        l.oper = OperState::Up;
        l.carrier = false;
        assert!(l.is_down(), "no carrier");
        l.carrier = true;
        l.admin_up = false;
        assert!(l.is_down());
    }
}
