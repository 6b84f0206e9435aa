//! Small helpers of the address tests (tests/net.rs, tests/announce.rs):
//! probes and short timeouts, sysctls and links in a namespace, our ARP
//! rounds among captured frames, a tun device with carrier.

use std::process::Command;

use crate::agent::{self, Call};
use crate::netns;

/// The call as a probe (monitor with interval 0).
pub fn probe(call: &Call) -> Call {
    call.clone().var("OCF_RESKEY_CRM_meta_interval", "0")
}

/// The call with an operation timeout of `ms`.
pub fn short(call: &Call, ms: u32) -> Call {
    call.clone()
        .var("OCF_RESKEY_CRM_meta_timeout", &ms.to_string())
}

/// `cat FILE` inside namespace `ns` (sysctls are per namespace).
pub fn read_in(ns: &str, file: &str) -> String {
    let o = Command::new("ip")
        .args(["netns", "exec", ns, "cat", file])
        .output()
        .unwrap_or_else(|e| panic!("cat {file} in {ns}: {e}"));
    assert!(o.status.success(), "cat {file} in {ns}: {o:?}");
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

/// `sysctl -w KEY=VALUE` inside namespace `ns`.
pub fn sysctl_in(ns: &str, kv: &str) {
    let o = Command::new("ip")
        .args(["netns", "exec", ns, "sysctl", "-q", "-w", kv])
        .output()
        .unwrap_or_else(|e| panic!("sysctl {kv}: {e}"));
    assert!(o.status.success(), "sysctl {kv} in {ns}: {o:?}");
}

/// `ip -n NS link set DEV STATE`.
pub fn link_set(ns: &str, dev: &str, state: &[&str]) {
    let mut args = vec!["-n", ns, "link", "set", dev];
    args.extend(state);
    agent::ip(&args);
}

/// Our announcements among the captured frames: (ARP requests, ARP replies).
pub fn arp_rounds(frames: &[netns::Frame], ip: [u8; 4]) -> (usize, usize) {
    let ip = std::net::Ipv4Addr::from(ip);
    let arps = netns::arp_frames(frames);
    let ours = arps.iter().filter(|a| a.sender_ip == ip);
    let req = ours.clone().filter(|a| a.op == 1).count();
    let rep = ours.filter(|a| a.op == 2).count();
    (req, rep)
}

/// A tun device with a process attached (perl: TUNSETIFF), so it has
/// carrier; killed on drop.
pub struct Tun(std::process::Child);

impl Tun {
    pub fn new(ns: &str, name: &str) -> Tun {
        agent::ip(&["-n", ns, "tuntap", "add", "dev", name, "mode", "tun"]);
        // struct ifreq (40 bytes): name, IFF_TUN | IFF_NO_PI
        let script = format!(
            "$| = 1; open(my $f, '+<', '/dev/net/tun') or die $!; \
             my $r = pack('Z16 s x22', '{name}', 0x1001); \
             ioctl($f, 0x400454ca, $r) or die $!; print \"ok\\n\"; sleep 600"
        );
        let child = Command::new("ip")
            .args(["netns", "exec", ns, "perl", "-e", &script])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("perl: {e}"));
        let mut tun = Tun(child);
        let mut line = String::new();
        if let Some(out) = tun.0.stdout.as_mut() {
            use std::io::BufRead;
            let _ = std::io::BufReader::new(out).read_line(&mut line);
        }
        assert_eq!(line.trim(), "ok", "could not attach to {name}");
        tun
    }
}

impl Drop for Tun {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
