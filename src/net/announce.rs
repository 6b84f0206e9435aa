//! Gratuitous ARP and unsolicited neighbour advertisements, built with
//! pnet_packet and sent on a send-only AF_PACKET socket bound to the interface.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::os::fd::RawFd;

use pnet_datalink::DataLinkSender;
use pnet_packet::arp::ArpOperations;
use pnet_packet::ethernet::EtherTypes;
use pnet_packet::icmpv6::ndp::{MutableNeighborAdvertPacket, NeighborAdvertFlags};
use pnet_packet::icmpv6::{checksum, Icmpv6Packet, Icmpv6Types};
use pnet_packet::ip::IpNextHeaderProtocols;
use pnet_packet::ipv6::MutableIpv6Packet;

use super::packet::{self, arp_frame, ethernet, mac_of, send_all, Arp, PacketSocket, ETH};
use super::{Link, NetError};

const IPV6: usize = 40;
/// NA header (24) + target link-layer address option (8).
const NA: usize = 32;

/// Gratuitous ARP request: broadcast, sender = target = `ip`, target MAC 0.
pub fn garp_request(mac: [u8; 6], ip: Ipv4Addr) -> Vec<u8> {
    arp_frame(&Arp {
        op: ArpOperations::Request,
        mac,
        sender: ip,
        target_mac: [0; 6],
        target: ip,
    })
}

/// Gratuitous ARP reply: broadcast, sender = target = `ip`, target MAC ours.
pub fn garp_reply(mac: [u8; 6], ip: Ipv4Addr) -> Vec<u8> {
    arp_frame(&Arp {
        op: ArpOperations::Reply,
        mac,
        sender: ip,
        target_mac: mac,
        target: ip,
    })
}

/// Unsolicited neighbour advertisement for `ip` to ff02::1: hop limit 255,
/// Override flag, target link-layer address option.
pub fn unsolicited_na(mac: [u8; 6], ip: Ipv6Addr) -> Vec<u8> {
    let all_nodes = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);
    let mut buf = vec![0u8; ETH + IPV6 + NA];
    ethernet(&mut buf, [0x33, 0x33, 0, 0, 0, 1], mac, EtherTypes::Ipv6);
    if let Some(mut v6) = MutableIpv6Packet::new(&mut buf[ETH..]) {
        v6.set_version(6);
        v6.set_payload_length(NA as u16);
        v6.set_next_header(IpNextHeaderProtocols::Icmpv6);
        v6.set_hop_limit(255);
        v6.set_source(ip);
        v6.set_destination(all_nodes);
    }
    let icmp = &mut buf[ETH + IPV6..];
    if let Some(mut na) = MutableNeighborAdvertPacket::new(icmp) {
        na.set_icmpv6_type(Icmpv6Types::NeighborAdvert);
        na.set_flags(NeighborAdvertFlags::Override);
        na.set_target_addr(ip);
    }
    // Option 2 (target link-layer address), length 1 (8 bytes).
    icmp[24] = 2;
    icmp[25] = 1;
    icmp[26..32].copy_from_slice(&mac);
    let sum = Icmpv6Packet::new(icmp)
        .map(|p| checksum(&p, &ip, &all_nodes))
        .unwrap_or(0);
    icmp[2..4].copy_from_slice(&sum.to_be_bytes());
    buf
}

/// The frames of one round for `ip`: IPv4 a gratuitous request then a
/// reply, IPv6 one advertisement.
fn round(mac: [u8; 6], ip: IpAddr) -> Vec<Vec<u8>> {
    match ip {
        IpAddr::V4(a) => vec![garp_request(mac, a), garp_reply(mac, a)],
        IpAddr::V6(a) => vec![unsolicited_na(mac, a)],
    }
}

/// Sends the announcement rounds of one address on one link.
pub struct Announcer {
    /// `None` only once dropped.
    tx: Option<Box<dyn DataLinkSender>>,
    frames: Vec<Vec<u8>>,
    /// The packet socket (owned by `tx`).
    fd: RawFd,
}

impl Announcer {
    /// Opens an AF_PACKET socket on the link (not promiscuous) and prepares
    /// the frames of a round.
    pub fn open(link: &Link, ip: IpAddr) -> Result<Announcer, NetError> {
        let mac = mac_of(link, "announce")?;
        let frames = round(mac, ip);
        // A send-only socket: protocol 0 registers no receive hook, so the
        // kernel queues no copy of the link's traffic to it (ETH_P_ALL,
        // pnet's default for a raw channel, would get every frame while
        // open).
        let PacketSocket { tx, fd, .. } = packet::open(
            link,
            mac,
            0,
            std::time::Duration::from_millis(1),
            "open packet socket",
        )?;
        Ok(Announcer {
            tx: Some(tx),
            frames,
            fd,
        })
    }

    /// Sends one round: IPv4 a request then a reply, IPv6 one advertisement.
    pub fn send_round(&mut self) -> Result<(), NetError> {
        let Some(tx) = self.tx.as_mut() else {
            return Err(NetError::Io {
                op: "send announcement",
                message: "packet socket closed".into(),
            });
        };
        send_all(tx.as_mut(), &self.frames, "send announcement")
    }

    /// The packet socket's descriptor (kept open across the fork of the
    /// background announcer).
    pub fn raw_fd(&self) -> RawFd {
        self.fd
    }

    /// [`Announcer::open`] for several addresses on one link: a round sends
    /// the frames of each, back to back, in the order given.
    pub fn open_all(link: &Link, ips: &[IpAddr]) -> Result<Announcer, NetError> {
        let Some((first, rest)) = ips.split_first() else {
            return Err(NetError::Io {
                op: "announce",
                message: "no address".into(),
            });
        };
        let mut a = Announcer::open(link, *first)?;
        if let Some(mac) = link.mac {
            for ip in rest {
                a.frames.extend(round(mac, *ip));
            }
        }
        Ok(a)
    }

    /// Frames in one round.
    pub fn frames_per_round(&self) -> usize {
        self.frames.len()
    }
}

impl Drop for Announcer {
    /// Closing a packet socket waits for an RCU grace period in the kernel
    /// (8 to 16 ms measured here): a thread pays it while the action goes on
    /// (start waits for the engine meanwhile). Inline if no thread can be made.
    fn drop(&mut self) {
        if let Some(tx) = self.tx.take() {
            let _ = std::thread::Builder::new()
                .name("close-packet".into())
                .spawn(move || drop(tx));
        }
    }
}

#[cfg(test)]
mod tests;
