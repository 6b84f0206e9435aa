//! Real network namespaces for tests: a node namespace holding the NIC and a
//! peer namespace on the other end of a veth, and a capture of what the peer
//! receives.

use std::fs::File;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use pnet_packet::arp::ArpPacket;
use pnet_packet::ethernet::{EtherTypes, EthernetPacket};
use pnet_packet::icmpv6::ndp::{NdpOptionTypes, NeighborAdvertFlags, NeighborAdvertPacket};
use pnet_packet::icmpv6::{Icmpv6Packet, Icmpv6Types};
use pnet_packet::ip::IpNextHeaderProtocols;
use pnet_packet::ipv6::Ipv6Packet;
use pnet_packet::Packet;

fn ip_cmd(args: &[&str]) -> Output {
    match Command::new("ip").args(args).output() {
        Ok(o) => o,
        Err(e) => panic!("ip not runnable ({e}): install iproute2"),
    }
}

#[track_caller]
fn ip_ok(args: &[&str]) {
    let o = ip_cmd(args);
    assert!(
        o.status.success(),
        "ip {args:?} failed (root needed): {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Two namespaces joined by a veth (`eth0` on both ends), both ends up.
pub struct NetnsPair {
    /// The node namespace (where the agent runs).
    pub node: String,
    /// The peer namespace (the rest of the LAN).
    pub peer: String,
    /// The NIC in the node namespace.
    pub node_if: String,
    /// The veth end in the peer namespace.
    pub peer_if: String,
}

impl NetnsPair {
    /// Creates `ct<pid>-<n>-<tag>-node` and `...-peer`.
    pub fn new(tag: &str) -> NetnsPair {
        crate::privileged::require_root("network namespaces");
        static N: AtomicU32 = AtomicU32::new(0);
        let base = format!(
            "ct{}-{}-{tag}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        );
        let pair = NetnsPair {
            node: format!("{base}-node"),
            peer: format!("{base}-peer"),
            node_if: "eth0".into(),
            peer_if: "eth0".into(),
        };
        ip_ok(&["netns", "add", &pair.node]);
        ip_ok(&["netns", "add", &pair.peer]);
        ip_ok(&[
            "link",
            "add",
            &pair.node_if,
            "netns",
            &pair.node,
            "type",
            "veth",
            "peer",
            "name",
            &pair.peer_if,
            "netns",
            &pair.peer,
        ]);
        for (ns, dev) in [(&pair.node, &pair.node_if), (&pair.peer, &pair.peer_if)] {
            ip_ok(&["-n", ns, "link", "set", "lo", "up"]);
            ip_ok(&["-n", ns, "link", "set", dev, "up"]);
        }
        pair
    }

    /// The MAC address of the node's NIC.
    pub fn node_mac(&self) -> [u8; 6] {
        let o = ip_cmd(&["-n", &self.node, "-o", "link", "show", &self.node_if]);
        let text = String::from_utf8_lossy(&o.stdout).to_string();
        let hex = text
            .split_whitespace()
            .skip_while(|w| *w != "link/ether")
            .nth(1)
            .unwrap_or_default()
            .to_string();
        let mut mac = [0u8; 6];
        for (i, part) in hex.split(':').enumerate().take(6) {
            mac[i] = u8::from_str_radix(part, 16).unwrap_or(0);
        }
        mac
    }

    /// The peer holds `cidr` on its end of the veth (IPv6 with `nodad`:
    /// held at once, so the node's DAD for it fails).
    pub fn peer_holds(&self, cidr: &str) {
        let mut args = vec!["-n", &self.peer, "addr", "add", cidr, "dev", &self.peer_if];
        if cidr.contains(':') {
            args.push("nodad");
        }
        ip_ok(&args);
    }

    /// Runs a command inside the node namespace.
    pub fn run_in_node(&self, cmd: &str, args: &[&str]) -> Output {
        let mut all = vec!["netns", "exec", &self.node, cmd];
        all.extend(args);
        ip_cmd(&all)
    }
}

impl Drop for NetnsPair {
    fn drop(&mut self) {
        let _ = ip_cmd(&["netns", "del", &self.node]);
        let _ = ip_cmd(&["netns", "del", &self.peer]);
    }
}

/// A captured frame with its arrival time.
pub type Frame = (Instant, Vec<u8>);

/// Frames received on one interface of a namespace.
pub struct Capture {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<Vec<Frame>>>,
}

impl Capture {
    /// Starts capturing; returns once the socket listens.
    pub fn start(netns: &str, ifname: &str) -> Capture {
        let stop = Arc::new(AtomicBool::new(false));
        let (ready_tx, ready_rx) = mpsc::channel::<Result<(), String>>();
        let (ns, ifname, flag) = (netns.to_string(), ifname.to_string(), stop.clone());
        let thread = std::thread::spawn(move || {
            let mut frames = Vec::new();
            let setup = || -> Result<Box<dyn pnet_datalink::DataLinkReceiver>, String> {
                let f = File::open(format!("/run/netns/{ns}")).map_err(|e| e.to_string())?;
                nix::sched::setns(&f, nix::sched::CloneFlags::CLONE_NEWNET)
                    .map_err(|e| e.to_string())?;
                let iface = pnet_datalink::interfaces()
                    .into_iter()
                    .find(|i| i.name == ifname)
                    .ok_or_else(|| format!("{ifname} not in {ns}"))?;
                let cfg = pnet_datalink::Config {
                    read_timeout: Some(Duration::from_millis(20)),
                    promiscuous: true,
                    ..Default::default()
                };
                match pnet_datalink::channel(&iface, cfg) {
                    Ok(pnet_datalink::Channel::Ethernet(_, rx)) => Ok(rx),
                    Ok(_) => Err("not ethernet".into()),
                    Err(e) => Err(e.to_string()),
                }
            };
            let mut rx = match setup() {
                Ok(rx) => {
                    let _ = ready_tx.send(Ok(()));
                    rx
                }
                Err(e) => {
                    let _ = ready_tx.send(Err(e));
                    return frames;
                }
            };
            while !flag.load(Ordering::Relaxed) {
                if let Ok(frame) = rx.next() {
                    frames.push((Instant::now(), frame.to_vec()));
                }
            }
            frames
        });
        match ready_rx.recv_timeout(Duration::from_secs(10)) {
            Ok(Ok(())) => {}
            Ok(Err(e)) => panic!("capture in {netns}: {e}"),
            Err(e) => panic!("capture in {netns} did not start: {e}"),
        }
        Capture {
            stop,
            thread: Some(thread),
        }
    }

    /// Stops and returns what was captured.
    pub fn stop(mut self) -> Vec<Frame> {
        self.stop.store(true, Ordering::Relaxed);
        self.thread
            .take()
            .and_then(|t| t.join().ok())
            .unwrap_or_default()
    }
}

/// An ARP frame as seen on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArpSeen {
    pub op: u16,
    pub eth_src: [u8; 6],
    pub eth_dst: [u8; 6],
    pub sender_mac: [u8; 6],
    pub sender_ip: Ipv4Addr,
    pub target_mac: [u8; 6],
    pub target_ip: Ipv4Addr,
}

/// A neighbour advertisement as seen on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NaSeen {
    pub src: Ipv6Addr,
    pub dst: Ipv6Addr,
    pub hop_limit: u8,
    pub target: Ipv6Addr,
    pub override_flag: bool,
    pub tlla: Option<[u8; 6]>,
    pub checksum_ok: bool,
}

fn mac(m: pnet_datalink::MacAddr) -> [u8; 6] {
    m.octets()
}

/// The ARP frames among `frames`.
pub fn arp_frames(frames: &[Frame]) -> Vec<ArpSeen> {
    frames
        .iter()
        .filter_map(|(_, f)| {
            let eth = EthernetPacket::new(f)?;
            if eth.get_ethertype() != EtherTypes::Arp {
                return None;
            }
            let a = ArpPacket::new(eth.payload())?;
            Some(ArpSeen {
                op: a.get_operation().0,
                eth_src: mac(eth.get_source()),
                eth_dst: mac(eth.get_destination()),
                sender_mac: mac(a.get_sender_hw_addr()),
                sender_ip: a.get_sender_proto_addr(),
                target_mac: mac(a.get_target_hw_addr()),
                target_ip: a.get_target_proto_addr(),
            })
        })
        .collect()
}

/// The neighbour advertisements among `frames`.
pub fn na_frames(frames: &[Frame]) -> Vec<NaSeen> {
    frames
        .iter()
        .filter_map(|(_, f)| {
            let eth = EthernetPacket::new(f)?;
            if eth.get_ethertype() != EtherTypes::Ipv6 {
                return None;
            }
            let v6 = Ipv6Packet::new(eth.payload())?;
            if v6.get_next_header() != IpNextHeaderProtocols::Icmpv6 {
                return None;
            }
            let icmp = Icmpv6Packet::new(v6.payload())?;
            if icmp.get_icmpv6_type() != Icmpv6Types::NeighborAdvert {
                return None;
            }
            let na = NeighborAdvertPacket::new(v6.payload())?;
            let tlla = na
                .get_options()
                .iter()
                .find(|o| o.option_type == NdpOptionTypes::TargetLLAddr && o.data.len() >= 6)
                .map(|o| {
                    let mut m = [0u8; 6];
                    m.copy_from_slice(&o.data[..6]);
                    m
                });
            let sum = pnet_packet::icmpv6::checksum(&icmp, &v6.get_source(), &v6.get_destination());
            Some(NaSeen {
                src: v6.get_source(),
                dst: v6.get_destination(),
                hop_limit: v6.get_hop_limit(),
                target: na.get_target_addr(),
                override_flag: na.get_flags() & NeighborAdvertFlags::Override != 0,
                tlla,
                checksum_ok: sum == icmp.get_checksum(),
            })
        })
        .collect()
}
