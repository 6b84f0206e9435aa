//! The campaign's checker: three threads sampling from outside the nodes
//! every 100 ms.
//! - copies: live processes of a container per powered-on node (a node's
//!   containers live in its cgroup `/hc-<node>/<id>`: any container id, so
//!   the stock pair's new container per start counts too) and the nodes
//!   with the address bound;
//! - ARP: the MACs that answer `who-has VIP` on the client's LAN;
//! - the client: one HTTP GET, and who served it.
//!
//! Every sample carries the fault it belongs to; the judgement is in
//! [`super::run`].

use std::fs;
use std::net::Ipv4Addr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::cluster::network::{client_get, in_netns, vip_in, CLIENT};
use crate::cluster::{now, Node, VIP};

use super::arp::Prober;

const EVERY: Duration = Duration::from_millis(100);

/// No fault under way (the cluster being built or healed).
pub const NONE: usize = usize::MAX;

#[derive(Debug, Clone)]
pub struct CopySample {
    pub t: f64,
    pub fault: usize,
    pub running: Vec<String>,
    pub bound: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct ArpSample {
    pub t: f64,
    pub fault: usize,
    /// A takeover had completed (the client served again after the fault).
    pub settled: bool,
    pub macs: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct ClientSample {
    /// When the request was sent and when it ended.
    pub t: f64,
    pub done: f64,
    pub by: Option<String>,
}

#[derive(Default)]
pub struct Samples {
    pub copies: Vec<CopySample>,
    pub arp: Vec<ArpSample>,
    pub client: Vec<ClientSample>,
}

/// The running checker.
pub struct Checker {
    stop: Arc<AtomicBool>,
    fault: Arc<AtomicUsize>,
    settled: Arc<AtomicBool>,
    pub samples: Arc<Mutex<Samples>>,
    threads: Vec<JoinHandle<()>>,
}

fn every(stop: &AtomicBool, mut f: impl FnMut()) {
    let t0 = Instant::now();
    let mut n = 0u32;
    while !stop.load(Ordering::SeqCst) {
        f();
        n += 1;
        let next = t0 + EVERY * n;
        thread::sleep(next.saturating_duration_since(Instant::now()));
    }
}

/// Per node name: live (not zombie) processes in its container cgroups.
fn live_per_node(names: &[String]) -> Vec<(String, usize)> {
    let mut count: Vec<(String, usize)> = names.iter().map(|n| (n.clone(), 0)).collect();
    let Ok(dir) = fs::read_dir("/proc") else {
        return count;
    };
    for e in dir.flatten() {
        if !e
            .file_name()
            .to_string_lossy()
            .bytes()
            .all(|b| b.is_ascii_digit())
        {
            continue;
        }
        let Ok(cg) = fs::read_to_string(e.path().join("cgroup")) else {
            continue;
        };
        let Some(slot) = count
            .iter_mut()
            .find(|(n, _)| cg.contains(&format!("/hc-{n}/")))
        else {
            continue;
        };
        let Ok(stat) = fs::read_to_string(e.path().join("stat")) else {
            continue;
        };
        let state = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.trim_start().chars().next());
        if !matches!(state, Some('Z') | Some('X') | None) {
            slot.1 += 1;
        }
    }
    count
}

impl Checker {
    pub fn start(nodes: Vec<Node>) -> Checker {
        let stop = Arc::new(AtomicBool::new(false));
        let fault = Arc::new(AtomicUsize::new(NONE));
        let settled = Arc::new(AtomicBool::new(true));
        let samples = Arc::new(Mutex::new(Samples::default()));
        let mut threads = Vec::new();

        let (s, f, out) = (stop.clone(), fault.clone(), samples.clone());
        threads.push(thread::spawn(move || {
            let names: Vec<String> = nodes.iter().map(|n| n.name.clone()).collect();
            every(&s, || {
                let t = now();
                let fault = f.load(Ordering::SeqCst);
                let up: Vec<&Node> = nodes.iter().filter(|n| n.is_up()).collect();
                let running = live_per_node(&names)
                    .into_iter()
                    .filter(|(n, c)| *c > 0 && up.iter().any(|u| u.name == *n))
                    .map(|(n, _)| n)
                    .collect();
                // a node that is off keeps its namespace, not its cable
                let bound = up
                    .iter()
                    .filter(|n| vip_in(&n.ns()))
                    .map(|n| n.name.clone())
                    .collect();
                if let Ok(mut v) = out.lock() {
                    v.copies.push(CopySample {
                        t,
                        fault,
                        running,
                        bound,
                    });
                }
            });
        }));

        let (s, f, d, out) = (
            stop.clone(),
            fault.clone(),
            settled.clone(),
            samples.clone(),
        );
        threads.push(thread::spawn(move || {
            in_netns(CLIENT, move || {
                let vip: Ipv4Addr = VIP.parse().expect("VIP");
                let mut p = Prober::open(vip);
                every(&s, || {
                    let t = now();
                    let (fault, settled) = (f.load(Ordering::SeqCst), d.load(Ordering::SeqCst));
                    let macs = p.ask(Duration::from_millis(80));
                    if let Ok(mut v) = out.lock() {
                        v.arp.push(ArpSample {
                            t,
                            fault,
                            settled,
                            macs,
                        });
                    }
                });
            });
        }));

        let (s, out) = (stop.clone(), samples.clone());
        threads.push(thread::spawn(move || {
            every(&s, || {
                let t = now();
                let by = client_get(Duration::from_millis(300))
                    .and_then(|b| b.strip_prefix("served by ").map(str::to_string));
                if let Ok(mut v) = out.lock() {
                    v.client.push(ClientSample { t, done: now(), by });
                }
            });
        }));
        Checker {
            stop,
            fault,
            settled,
            samples,
            threads,
        }
    }

    /// Fault `i` is under way from now: no takeover completed yet.
    pub fn begin(&self, i: usize) {
        self.settled.store(false, Ordering::SeqCst);
        self.fault.store(i, Ordering::SeqCst);
    }

    /// The takeover after the fault completed: from now on two MACs
    /// answering for the address is a violation.
    pub fn settled(&self) {
        self.settled.store(true, Ordering::SeqCst);
    }

    /// The client samples that started at or after `since`.
    pub fn client_since(&self, since: f64) -> Vec<ClientSample> {
        self.samples
            .lock()
            .map(|v| v.client.iter().filter(|s| s.t >= since).cloned().collect())
            .unwrap_or_default()
    }

    pub fn stop(mut self) -> Samples {
        self.stop.store(true, Ordering::SeqCst);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
        self.samples
            .lock()
            .map(|mut v| std::mem::take(&mut *v))
            .unwrap_or_default()
    }
}

impl Drop for Checker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}
