//! Who answers ARP for the address on the client's LAN: a prober in the
//! client's namespace asks `who-has VIP` from an address and MAC of its own
//! (not the client's: the answers must not touch the client's neighbour
//! table, whose switch only the agents' announcements may cause) and
//! collects the replies addressed to it.

use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

use pnet_datalink::{Channel, Config, DataLinkReceiver, DataLinkSender, MacAddr};
use pnet_packet::arp::{ArpHardwareTypes, ArpOperations, ArpPacket, MutableArpPacket};
use pnet_packet::ethernet::{EtherTypes, EthernetPacket, MutableEthernetPacket};
use pnet_packet::Packet;

/// The prober's own identity on the LAN (no node or client has them).
const PROBE_MAC: [u8; 6] = [0x02, 0x78, 0, 0, 0, 0x65];
const PROBE_IP: Ipv4Addr = Ipv4Addr::new(10, 78, 0, 101);

/// A packet socket on the client's eth0. Build it on a thread that entered
/// the client's network namespace.
pub struct Prober {
    tx: Box<dyn DataLinkSender>,
    rx: Box<dyn DataLinkReceiver>,
    request: Vec<u8>,
    vip: Ipv4Addr,
}

impl Prober {
    pub fn open(vip: Ipv4Addr) -> Prober {
        let iface = pnet_datalink::interfaces()
            .into_iter()
            .find(|i| i.name == "eth0")
            .expect("eth0 in the client's namespace");
        let config = Config {
            read_timeout: Some(Duration::from_millis(5)),
            // the replies go to the prober's MAC, not the interface's
            promiscuous: true,
            ..Default::default()
        };
        let (tx, rx) = match pnet_datalink::channel(&iface, config) {
            Ok(Channel::Ethernet(tx, rx)) => (tx, rx),
            Ok(_) => panic!("not an Ethernet channel"),
            Err(e) => panic!("packet socket on the client's eth0: {e}"),
        };
        let mut request = vec![0u8; 42];
        if let Some(mut eth) = MutableEthernetPacket::new(&mut request) {
            eth.set_destination(MacAddr::broadcast());
            eth.set_source(MacAddr::from(PROBE_MAC));
            eth.set_ethertype(EtherTypes::Arp);
        }
        if let Some(mut a) = MutableArpPacket::new(&mut request[14..]) {
            a.set_hardware_type(ArpHardwareTypes::Ethernet);
            a.set_protocol_type(EtherTypes::Ipv4);
            a.set_hw_addr_len(6);
            a.set_proto_addr_len(4);
            a.set_operation(ArpOperations::Request);
            a.set_sender_hw_addr(MacAddr::from(PROBE_MAC));
            a.set_sender_proto_addr(PROBE_IP);
            a.set_target_hw_addr(MacAddr::zero());
            a.set_target_proto_addr(vip);
        }
        Prober {
            tx,
            rx,
            request,
            vip,
        }
    }

    /// One question; the distinct MACs that answered within `wait`.
    pub fn ask(&mut self, wait: Duration) -> Vec<String> {
        let _ = self.tx.send_to(&self.request, None);
        let end = Instant::now() + wait;
        let mut macs: Vec<String> = Vec::new();
        while Instant::now() < end {
            let Ok(frame) = self.rx.next() else {
                continue;
            };
            let Some(eth) = EthernetPacket::new(frame) else {
                continue;
            };
            if eth.get_ethertype() != EtherTypes::Arp {
                continue;
            }
            let Some(a) = ArpPacket::new(eth.payload()) else {
                continue;
            };
            if a.get_operation() == ArpOperations::Reply
                && a.get_sender_proto_addr() == self.vip
                && a.get_target_hw_addr() == MacAddr::from(PROBE_MAC)
            {
                let mac = a.get_sender_hw_addr().to_string();
                if !macs.contains(&mac) {
                    macs.push(mac);
                }
            }
        }
        macs
    }
}
