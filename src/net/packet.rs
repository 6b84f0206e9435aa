//! The packet socket and the ARP frame, one of each for the announcements
//! ([`super::announce`]) and the conflict probe ([`super::probe`]).

use std::net::Ipv4Addr;
use std::os::fd::{IntoRawFd, RawFd};
use std::time::Duration;

use nix::sys::socket::{socket, AddressFamily, SockFlag, SockType};
use pnet_datalink::{
    Channel, ChannelType, DataLinkReceiver, DataLinkSender, MacAddr, NetworkInterface,
};
use pnet_packet::arp::{ArpHardwareTypes, ArpOperation, MutableArpPacket};
use pnet_packet::ethernet::{EtherType, EtherTypes, MutableEthernetPacket};

use super::{Link, NetError};

/// Ethernet header.
pub const ETH: usize = 14;
/// ARP for IPv4 over Ethernet.
const ARP: usize = 28;

/// An I/O error of `op` in the terms an administrator acts on.
pub fn io(op: &'static str) -> impl Fn(std::io::Error) -> NetError {
    move |e| {
        if e.kind() == std::io::ErrorKind::PermissionDenied {
            NetError::Permission { op }
        } else {
            NetError::Io {
                op,
                message: e.to_string(),
            }
        }
    }
}

/// The link's MAC, needed for every frame `op` sends.
pub fn mac_of(link: &Link, op: &'static str) -> Result<[u8; 6], NetError> {
    link.mac.ok_or_else(|| NetError::Io {
        op,
        message: format!("{} has no MAC address", link.name),
    })
}

/// Writes an Ethernet header into `buf`.
pub fn ethernet(buf: &mut [u8], dst: [u8; 6], src: [u8; 6], kind: EtherType) {
    if let Some(mut eth) = MutableEthernetPacket::new(buf) {
        eth.set_destination(MacAddr::from(dst));
        eth.set_source(MacAddr::from(src));
        eth.set_ethertype(kind);
    }
}

/// What an ARP frame says: who sends it (MAC and address) and about whom.
pub struct Arp {
    /// Request or reply.
    pub op: ArpOperation,
    /// The sender's (our) MAC, also the frame's source.
    pub mac: [u8; 6],
    /// The sender's address (0.0.0.0 for a probe).
    pub sender: Ipv4Addr,
    /// The target's MAC (0 when unknown).
    pub target_mac: [u8; 6],
    /// The target's address.
    pub target: Ipv4Addr,
}

/// A broadcast ARP frame.
pub fn arp_frame(a: &Arp) -> Vec<u8> {
    let mut buf = vec![0u8; ETH + ARP];
    ethernet(&mut buf, [0xff; 6], a.mac, EtherTypes::Arp);
    if let Some(mut p) = MutableArpPacket::new(&mut buf[ETH..]) {
        p.set_hardware_type(ArpHardwareTypes::Ethernet);
        p.set_protocol_type(EtherTypes::Ipv4);
        p.set_hw_addr_len(6);
        p.set_proto_addr_len(4);
        p.set_operation(a.op);
        p.set_sender_hw_addr(MacAddr::from(a.mac));
        p.set_sender_proto_addr(a.sender);
        p.set_target_hw_addr(MacAddr::from(a.target_mac));
        p.set_target_proto_addr(a.target);
    }
    buf
}

/// Both ends of a packet socket, and its descriptor (owned by the sender).
pub struct PacketSocket {
    /// Sends complete frames.
    pub tx: Box<dyn DataLinkSender>,
    /// Receives what `protocol` registered for.
    pub rx: Box<dyn DataLinkReceiver>,
    /// The socket.
    pub fd: RawFd,
}

/// An AF_PACKET socket (not promiscuous) bound to `link` with `protocol`
/// (an `ETH_P_*`; 0 registers no receive hook: a send-only socket the
/// kernel queues no copy of the link's traffic to). Created with protocol
/// 0 and bound with `protocol` by pnet (its Layer3), so nothing is queued
/// before the bind and frames keep their Ethernet header. `op` names it in
/// errors.
pub fn open(
    link: &Link,
    mac: [u8; 6],
    protocol: u16,
    read_timeout: Duration,
    op: &'static str,
) -> Result<PacketSocket, NetError> {
    let fd = socket(
        AddressFamily::Packet,
        SockType::Raw,
        SockFlag::SOCK_CLOEXEC,
        None,
    )
    .map_err(|e| io(op)(std::io::Error::from(e)))?
    .into_raw_fd();
    let iface = NetworkInterface {
        name: link.name.clone(),
        description: String::new(),
        index: link.index,
        mac: Some(MacAddr::from(mac)),
        ips: Vec::new(),
        flags: 0,
    };
    let config = pnet_datalink::Config {
        promiscuous: false,
        read_timeout: Some(read_timeout),
        channel_type: ChannelType::Layer3(protocol),
        socket_fd: Some(fd),
        ..Default::default()
    };
    match pnet_datalink::channel(&iface, config).map_err(io(op))? {
        Channel::Ethernet(tx, rx) => Ok(PacketSocket { tx, rx, fd }),
        _ => Err(NetError::Io {
            op,
            message: "not an Ethernet channel".into(),
        }),
    }
}

/// Sends `frames` back to back on `tx`.
pub fn send_all(
    tx: &mut dyn DataLinkSender,
    frames: &[Vec<u8>],
    op: &'static str,
) -> Result<(), NetError> {
    for frame in frames {
        match tx.send_to(frame, None) {
            Some(Ok(())) => {}
            Some(Err(e)) => return Err(io(op)(e)),
            None => {
                return Err(NetError::Io {
                    op,
                    message: "nothing sent".into(),
                })
            }
        }
    }
    Ok(())
}
