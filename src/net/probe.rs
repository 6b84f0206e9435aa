//! IPv4 address conflict detection (RFC 5227): ARP probes with sender
//! address 0.0.0.0 for the address, and a listen for another host claiming
//! it (an ARP reply or request whose sender address is it, or a probe for it
//! from another MAC). Nothing is bound while this runs, and no neighbour
//! cache learns anything from the probes.

use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

use pnet_datalink::DataLinkSender;
use pnet_packet::arp::{ArpOperations, ArpPacket};
use pnet_packet::ethernet::{EtherTypes, EthernetPacket};
use pnet_packet::Packet;

use super::packet::{self, arp_frame, io, mac_of, send_all, Arp, PacketSocket};
use super::{Link, NetError};

/// `ETH_P_ARP`.
const ETH_P_ARP: u16 = 0x0806;

/// An RFC 5227 probe: broadcast ARP request, sender MAC ours, sender
/// address 0.0.0.0, target MAC 0, target address `ip`.
pub fn arp_probe(mac: [u8; 6], ip: Ipv4Addr) -> Vec<u8> {
    arp_frame(&Arp {
        op: ArpOperations::Request,
        mac,
        sender: Ipv4Addr::UNSPECIFIED,
        target_mac: [0; 6],
        target: ip,
    })
}

/// The MAC of another host that claims `ip` in this frame, if it does: its
/// ARP (reply or request) has `ip` as sender address, or it probes for
/// `ip` itself (RFC 5227 2.1.1: a simultaneous probe is a conflict too).
pub fn claimant(frame: &[u8], ip: Ipv4Addr, ours: [u8; 6]) -> Option<[u8; 6]> {
    let eth = EthernetPacket::new(frame)?;
    if eth.get_ethertype() != EtherTypes::Arp {
        return None;
    }
    let a = ArpPacket::new(eth.payload())?;
    if a.get_protocol_type() != EtherTypes::Ipv4 || a.get_hw_addr_len() != 6 {
        return None;
    }
    let sha = a.get_sender_hw_addr().octets();
    if sha == ours {
        return None;
    }
    let claims = a.get_sender_proto_addr() == ip
        || (a.get_sender_proto_addr().is_unspecified()
            && a.get_operation() == ArpOperations::Request
            && a.get_target_proto_addr() == ip);
    claims.then_some(sha)
}

/// `aa:bb:cc:dd:ee:ff`.
pub fn mac_string(mac: [u8; 6]) -> String {
    mac.iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// Probes every address in `ips` on `link` and listens for `window`: two
/// probes each, at the start and in the middle. Returns the first claimant
/// per address (address, MAC); empty when nobody claimed any. Blocking:
/// run it off the runtime's thread.
pub fn probe(
    link: &Link,
    ips: &[Ipv4Addr],
    window: Duration,
) -> Result<Vec<(Ipv4Addr, [u8; 6])>, NetError> {
    let mac = mac_of(link, "ARP probe")?;
    let PacketSocket { mut tx, mut rx, .. } = packet::open(
        link,
        mac,
        ETH_P_ARP,
        Duration::from_millis(5),
        "open packet socket for the ARP probe",
    )?;
    let frames: Vec<Vec<u8>> = ips.iter().map(|ip| arp_probe(mac, *ip)).collect();
    let send = |tx: &mut Box<dyn DataLinkSender>| send_all(tx.as_mut(), &frames, "send ARP probe");
    let t0 = Instant::now();
    send(&mut tx)?;
    let mut second = false;
    let mut found: Vec<(Ipv4Addr, [u8; 6])> = Vec::new();
    while t0.elapsed() < window {
        if !second && t0.elapsed() >= window / 2 {
            send(&mut tx)?;
            second = true;
        }
        match rx.next() {
            Ok(frame) => {
                for ip in ips {
                    if found.iter().any(|(a, _)| a == ip) {
                        continue;
                    }
                    if let Some(m) = claimant(frame, *ip, mac) {
                        found.push((*ip, m));
                    }
                }
                if found.len() == ips.len() {
                    break;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(io("receive ARP")(e)),
        }
    }
    // Closing a packet socket waits for an RCU grace period: not here.
    let _ = std::thread::Builder::new()
        .name("close-probe".into())
        .spawn(move || drop((tx, rx)));
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pnet_datalink::MacAddr;

    const OURS: [u8; 6] = [2, 0, 0, 0, 0, 1];
    const THEIRS: [u8; 6] = [2, 0, 0, 0, 0, 2];
    const IP: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 10);

    fn arp(
        op: pnet_packet::arp::ArpOperation,
        sha: [u8; 6],
        spa: Ipv4Addr,
        tpa: Ipv4Addr,
    ) -> Vec<u8> {
        arp_frame(&Arp {
            op,
            mac: sha,
            sender: spa,
            target_mac: [0; 6],
            target: tpa,
        })
    }

    #[test]
    fn probe_has_sender_zero_and_target_the_address() {
        let f = arp_probe(OURS, IP);
        assert_eq!(f.len(), 42);
        let eth = EthernetPacket::new(&f).map(|e| (e.get_destination(), e.get_ethertype()));
        assert_eq!(eth, Some((MacAddr::broadcast(), EtherTypes::Arp)));
        let a = ArpPacket::new(&f[14..]);
        let fields = a.map(|a| {
            (
                a.get_operation(),
                a.get_sender_hw_addr(),
                a.get_sender_proto_addr(),
                a.get_target_hw_addr(),
                a.get_target_proto_addr(),
            )
        });
        assert_eq!(
            fields,
            Some((
                ArpOperations::Request,
                MacAddr::from(OURS),
                Ipv4Addr::UNSPECIFIED,
                MacAddr::zero(),
                IP
            ))
        );
    }

    #[test]
    fn claims_are_replies_requests_and_probes_from_other_macs() {
        let other = Ipv4Addr::new(192, 0, 2, 11);
        // the holder's reply to our probe (target 0.0.0.0) and its announcement
        assert_eq!(
            claimant(
                &arp(ArpOperations::Reply, THEIRS, IP, Ipv4Addr::UNSPECIFIED),
                IP,
                OURS
            ),
            Some(THEIRS)
        );
        assert_eq!(
            claimant(&arp(ArpOperations::Request, THEIRS, IP, IP), IP, OURS),
            Some(THEIRS)
        );
        // someone else probing for it at the same time
        assert_eq!(claimant(&arp_probe(THEIRS, IP), IP, OURS), Some(THEIRS));
        // our own probe, other addresses, someone asking for it: no claim
        assert_eq!(claimant(&arp_probe(OURS, IP), IP, OURS), None);
        assert_eq!(
            claimant(&arp(ArpOperations::Reply, THEIRS, other, IP), IP, OURS),
            None
        );
        assert_eq!(
            claimant(&arp(ArpOperations::Request, THEIRS, other, IP), IP, OURS),
            None
        );
        assert_eq!(claimant(&[0u8; 10], IP, OURS), None);
        assert_eq!(mac_string(THEIRS), "02:00:00:00:00:02");
    }
}
