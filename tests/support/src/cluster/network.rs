//! The cluster's network, nothing of it in the machine's own network:
//! - the service LAN: a bridge in a namespace of its own (`hc-lan`), the
//!   nodes' eth0 (10.78.0.N, the virtual address) and the client's;
//! - the cluster ring: a second bridge (`hc-ring`), the nodes' `ring0`
//!   (10.79.0.N), corosync's only link. Cutting a node's ring port splits
//!   the cluster while every node stays reachable by the client, the
//!   dangerous case for a virtual address.
//!
//! Also the client's view of the service.

use std::fs::File;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::thread;
use std::time::Duration;

use super::node::Node;
use super::{sh, sh_ok, VIP};

/// Namespace of the LAN bridge.
pub const LAN: &str = "hc-lan";
/// The client's namespace.
pub const CLIENT: &str = "hc-client";
/// The client's address on the bridge.
pub const CLIENT_IP: &str = "10.78.0.100";
pub const CLIENT_MAC: &str = "02:78:00:00:00:64";
/// Namespace of the ring bridge.
pub const RING: &str = "hc-ring";
const RING_BRIDGE: &str = "hc-ring0";

/// Deletes every namespace of the harness (their links go with them).
pub fn remove() {
    for ns in ["hc-n1", "hc-n2", "hc-n3", CLIENT, LAN, RING] {
        let _ = Command::new("ip")
            .args(["netns", "del", ns])
            .stderr(Stdio::null())
            .status();
    }
}

/// A bridge `br` in namespace `ns`.
fn bridge(ns: &str, br: &str) {
    sh_ok("ip", &["netns", "add", ns]);
    sh_ok("ip", &["-n", ns, "link", "set", "lo", "up"]);
    let add = ["link", "add", br, "type", "bridge"];
    let opts = ["stp_state", "0", "forward_delay", "0"];
    let mut args = vec!["-n", ns];
    args.extend_from_slice(&add);
    args.extend_from_slice(&opts);
    sh_ok("ip", &args);
    sh_ok("ip", &["-n", ns, "link", "set", br, "up"]);
}

/// The bridges, the nodes' and the client's namespaces and veths.
pub fn build(nodes: &[Node]) {
    bridge(LAN, "hc-br0");
    bridge(RING, RING_BRIDGE);
    sh_ok("ip", &["netns", "add", CLIENT]);
    for n in nodes {
        sh_ok("ip", &["netns", "add", &n.ns()]);
        let (port, ns) = (n.ring_port(), n.ns());
        sh_ok(
            "ip",
            &[
                "link",
                "add",
                &port,
                "netns",
                RING,
                "type",
                "veth",
                "peer",
                "name",
                "ring0",
                "netns",
                &ns,
                "address",
                &n.ring_mac,
            ],
        );
        sh_ok(
            "ip",
            &[
                "-n",
                RING,
                "link",
                "set",
                &port,
                "master",
                RING_BRIDGE,
                "up",
            ],
        );
        let cidr = format!("{}/24", n.ring_ip);
        sh_ok("ip", &["-n", &ns, "addr", "add", &cidr, "dev", "ring0"]);
        sh_ok("ip", &["-n", &ns, "link", "set", "ring0", "up"]);
    }
    let mut ends: Vec<(String, String, String, String)> = nodes
        .iter()
        .map(|n| (n.port(), n.ns(), n.mac.clone(), n.ip.clone()))
        .collect();
    ends.push((
        "hc-cl-p".into(),
        CLIENT.into(),
        CLIENT_MAC.into(),
        CLIENT_IP.into(),
    ));
    for (port, ns, mac, ip) in &ends {
        sh_ok(
            "ip",
            &[
                "link", "add", port, "netns", LAN, "type", "veth", "peer", "name", "eth0", "netns",
                ns, "address", mac,
            ],
        );
        sh_ok(
            "ip",
            &["-n", LAN, "link", "set", port, "master", "hc-br0", "up"],
        );
        sh_ok("ip", &["-n", ns, "link", "set", "lo", "up"]);
        sh_ok(
            "ip",
            &["-n", ns, "addr", "add", &format!("{ip}/24"), "dev", "eth0"],
        );
        sh_ok("ip", &["-n", ns, "link", "set", "eth0", "up"]);
    }
}

/// Cuts the node's ring port off the ring bridge: carrier stays up on both
/// ends, frames just go nowhere (a failed switch port). Its LAN stays up.
pub fn cut_ring(n: &Node) {
    sh_ok(
        "ip",
        &["-n", RING, "link", "set", &n.ring_port(), "nomaster"],
    );
}

/// Attaches the node's ring port to the ring bridge again.
pub fn heal_ring(n: &Node) {
    sh_ok(
        "ip",
        &[
            "-n",
            RING,
            "link",
            "set",
            &n.ring_port(),
            "master",
            RING_BRIDGE,
        ],
    );
}

/// The node's port on the LAN bridge down (`false`: its eth0 has
/// NO-CARRIER, a pulled cable) or up again.
pub fn carrier(n: &Node, on: bool) {
    let state = if on { "up" } else { "down" };
    sh_ok("ip", &["-n", LAN, "link", "set", &n.port(), state]);
}

/// Whether the node's eth0 has carrier.
pub fn has_carrier(n: &Node) -> bool {
    let o = sh("ip", &["-n", &n.ns(), "link", "show", "dev", "eth0"]);
    !String::from_utf8_lossy(&o.stdout).contains("NO-CARRIER")
}

/// Whether the address is on eth0 of the namespace `ns` (a node's
/// namespace outlives its power-off).
pub fn vip_in(ns: &str) -> bool {
    let o = sh("ip", &["-n", ns, "-o", "addr", "show", "dev", "eth0"]);
    String::from_utf8_lossy(&o.stdout).contains(&format!(" {VIP}/"))
}

/// One HTTP GET of `http://VIP:8080/` from the client namespace.
pub fn client_get(timeout: Duration) -> Option<String> {
    in_netns(CLIENT, move || {
        let addr = format!("{VIP}:8080").parse().ok()?;
        let mut s = TcpStream::connect_timeout(&addr, timeout).ok()?;
        s.set_read_timeout(Some(timeout)).ok()?;
        s.write_all(b"GET / HTTP/1.0\r\n\r\n").ok()?;
        let mut body = String::new();
        s.read_to_string(&mut body).ok()?;
        body.lines().last().map(|l| l.trim().to_string())
    })
}

/// Runs `f` on a thread that entered the named network namespace.
pub fn in_netns<T: Send + 'static>(ns: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let path = format!("/run/netns/{ns}");
    let h = thread::spawn(move || {
        let file = File::open(&path).expect("netns file");
        nix::sched::setns(file, nix::sched::CloneFlags::CLONE_NEWNET).expect("setns");
        f()
    });
    h.join().expect("netns thread")
}

/// Turns the client's ARP resolution on eth0 off (no multicast, unicast or
/// application solicitations) or back to the kernel's defaults.
pub fn client_arp_resolution(on: bool) {
    let (mcast, ucast) = if on { ("3", "3") } else { ("0", "0") };
    sh_ok(
        "ip",
        &[
            "netns",
            "exec",
            CLIENT,
            "sysctl",
            "-q",
            "-w",
            &format!("net.ipv4.neigh.eth0.mcast_solicit={mcast}"),
            &format!("net.ipv4.neigh.eth0.ucast_solicit={ucast}"),
            "net.ipv4.neigh.eth0.app_solicit=0",
        ],
    );
}
