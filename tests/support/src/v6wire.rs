//! IPv6 on the wire and in the kernel for the address tests: our NAs with
//! their arrival times, DAD probes, echo requests' sources, the address's
//! line in `ip addr`, and address events as `ip monitor` reports them.

use std::io::{BufRead, BufReader};
use std::net::Ipv6Addr;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::netns::{self, Frame};

/// The NAs for `target`, with their arrival times.
pub fn nas_for(frames: &[Frame], target: Ipv6Addr) -> Vec<(Instant, netns::NaSeen)> {
    frames
        .iter()
        .filter_map(|f| {
            let na = netns::na_frames(std::slice::from_ref(f)).pop()?;
            (na.target == target).then_some((f.0, na))
        })
        .collect()
}

/// When the first NA for `target` arrived.
pub fn first_na(frames: &[Frame], target: Ipv6Addr) -> Option<Instant> {
    nas_for(frames, target).first().map(|(t, _)| *t)
}

/// The IPv6 header and what follows it, when `f` is IPv6.
fn v6(f: &[u8]) -> Option<&[u8]> {
    (f.len() >= 54 && f[12..14] == [0x86, 0xdd]).then(|| &f[14..])
}

fn addr_at(b: &[u8], at: usize) -> Option<Ipv6Addr> {
    let a: [u8; 16] = b.get(at..at + 16)?.try_into().ok()?;
    Some(Ipv6Addr::from(a))
}

/// Duplicate address detection's neighbour solicitations for `target`
/// (source ::, ICMPv6 type 135).
pub fn dad_probes(frames: &[Frame], target: Ipv6Addr) -> Vec<Instant> {
    frames
        .iter()
        .filter(|(_, f)| {
            v6(f).is_some_and(|p| {
                p[6] == 58
                    && addr_at(p, 8) == Some(Ipv6Addr::UNSPECIFIED)
                    && p.get(40) == Some(&135)
                    && addr_at(p, 48) == Some(target)
            })
        })
        .map(|(t, _)| *t)
        .collect()
}

/// The sources of ICMPv6 echo requests (type 128).
pub fn echo_sources(frames: &[Frame]) -> Vec<Ipv6Addr> {
    frames
        .iter()
        .filter_map(|(_, f)| {
            let p = v6(f)?;
            (p[6] == 58 && p.get(40) == Some(&128)).then(|| addr_at(p, 8))?
        })
        .collect()
}

/// The line of `ip -6 -o addr show` in `ns` that contains `needle`.
pub fn addr_line(ns: &str, needle: &str) -> Option<String> {
    let out = Command::new("ip")
        .args(["-n", ns, "-6", "-o", "addr", "show"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    out.lines().find(|l| l.contains(needle)).map(str::to_string)
}

/// `ip monitor address` in a namespace, each line stamped on arrival.
pub struct AddrWatch {
    child: Child,
    lines: Arc<Mutex<Vec<(Instant, String)>>>,
}

impl AddrWatch {
    /// Starts it; returns once it had time to subscribe.
    pub fn start(ns: &str) -> AddrWatch {
        let mut child = Command::new("ip")
            .args(["-n", ns, "monitor", "address"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("ip monitor: {e}"));
        let lines = Arc::new(Mutex::new(Vec::new()));
        if let Some(out) = child.stdout.take() {
            let sink = lines.clone();
            std::thread::spawn(move || {
                for l in BufReader::new(out).lines().map_while(Result::ok) {
                    if let Ok(mut v) = sink.lock() {
                        v.push((Instant::now(), l));
                    }
                }
            });
        }
        std::thread::sleep(Duration::from_millis(150));
        AddrWatch { child, lines }
    }

    /// Stops it and returns the lines seen.
    pub fn stop(&mut self) -> Vec<(Instant, String)> {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.lines.lock().map(|v| v.clone()).unwrap_or_default()
    }
}
