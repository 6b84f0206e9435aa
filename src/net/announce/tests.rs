use pnet_datalink::MacAddr;
use pnet_packet::arp::{ArpHardwareTypes, ArpPacket};
use pnet_packet::ethernet::EthernetPacket;
use pnet_packet::icmpv6::ndp::NeighborAdvertPacket;
use pnet_packet::ipv6::Ipv6Packet;
use pnet_packet::Packet;

use super::*;

const MAC: [u8; 6] = [0x02, 0, 0, 0, 0, 0x01];

#[test]
fn garp_request_and_reply_have_sender_equal_target() {
    let ip = Ipv4Addr::new(192, 0, 2, 10);
    for (frame, op, tha) in [
        (garp_request(MAC, ip), ArpOperations::Request, [0u8; 6]),
        (garp_reply(MAC, ip), ArpOperations::Reply, MAC),
    ] {
        assert_eq!(frame.len(), 42);
        let eth = EthernetPacket::new(&frame).expect("ethernet");
        assert_eq!(eth.get_destination(), MacAddr::broadcast());
        assert_eq!(eth.get_source(), MacAddr::from(MAC));
        assert_eq!(eth.get_ethertype(), EtherTypes::Arp);
        let a = ArpPacket::new(eth.payload()).expect("arp");
        assert_eq!(a.get_operation(), op);
        assert_eq!(a.get_hardware_type(), ArpHardwareTypes::Ethernet);
        assert_eq!(a.get_protocol_type(), EtherTypes::Ipv4);
        assert_eq!(a.get_sender_hw_addr(), MacAddr::from(MAC));
        assert_eq!(a.get_sender_proto_addr(), ip);
        assert_eq!(a.get_target_proto_addr(), ip);
        assert_eq!(a.get_target_hw_addr(), MacAddr::from(tha));
    }
}

#[test]
fn unsolicited_na_is_well_formed_with_a_valid_checksum() {
    let ip: Ipv6Addr = "2001:db8::10".parse().expect("ip");
    let frame = unsolicited_na(MAC, ip);
    assert_eq!(frame.len(), 14 + 40 + 32);
    let eth = EthernetPacket::new(&frame).expect("ethernet");
    assert_eq!(eth.get_destination(), MacAddr::new(0x33, 0x33, 0, 0, 0, 1));
    assert_eq!(eth.get_ethertype(), EtherTypes::Ipv6);
    let v6 = Ipv6Packet::new(eth.payload()).expect("ipv6");
    assert_eq!(v6.get_hop_limit(), 255);
    assert_eq!(v6.get_source(), ip);
    assert_eq!(
        v6.get_destination(),
        "ff02::1".parse::<Ipv6Addr>().expect("ff02::1")
    );
    assert_eq!(v6.get_next_header(), IpNextHeaderProtocols::Icmpv6);
    assert_eq!(v6.get_payload_length(), 32);
    let na = NeighborAdvertPacket::new(v6.payload()).expect("na");
    assert_eq!(na.get_icmpv6_type(), Icmpv6Types::NeighborAdvert);
    assert_eq!(na.get_flags(), NeighborAdvertFlags::Override);
    assert_eq!(na.get_target_addr(), ip);
    let opts = na.get_options();
    assert_eq!(opts.len(), 1);
    assert_eq!(opts[0].option_type.0, 2);
    assert_eq!(opts[0].data, MAC.to_vec());
    let icmp = Icmpv6Packet::new(v6.payload()).expect("icmp");
    assert_eq!(
        icmp.get_checksum(),
        checksum(&icmp, &ip, &v6.get_destination())
    );
    assert_ne!(icmp.get_checksum(), 0);
}
