//! The copy checker: samples, from outside the nodes, how many nodes have a
//! live process of the container (by each node's container id in
//! `/proc/<pid>/cgroup`, from the host's process table, which sees every
//! node's PID namespace) and which nodes have the address bound. A sample
//! with two nodes running the container is the worst outcome an HA agent can
//! produce; the tests assert there is none.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// One sample.
#[derive(Debug, Clone)]
pub struct Sample {
    /// Seconds since the watch started.
    pub at: f64,
    /// Per node: live processes of its copy of the container.
    pub live: Vec<(String, usize)>,
    /// Nodes with the address bound.
    pub bound: Vec<String>,
}

impl Sample {
    /// Nodes that run a copy.
    pub fn running(&self) -> Vec<&str> {
        self.live
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(node, _)| node.as_str())
            .collect()
    }
}

/// A background sampler.
pub struct CopyWatch {
    stop: Arc<AtomicBool>,
    handle: JoinHandle<Vec<Sample>>,
}

impl CopyWatch {
    /// Samples every `every`: `ids` are (node, full container id) pairs,
    /// `bound(node)` tells whether the address is on that node.
    pub fn start(
        ids: Vec<(String, String)>,
        every: Duration,
        bound: impl Fn(&str) -> bool + Send + 'static,
    ) -> CopyWatch {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let handle = std::thread::spawn(move || {
            let t0 = Instant::now();
            let mut samples = Vec::new();
            loop {
                let at = t0.elapsed().as_secs_f64();
                let live = ids
                    .iter()
                    .map(|(node, id)| (node.clone(), crate::procs::live_pids(id).len()))
                    .collect();
                let bound = ids
                    .iter()
                    .filter(|(node, _)| bound(node))
                    .map(|(node, _)| node.clone())
                    .collect();
                samples.push(Sample { at, live, bound });
                if flag.load(Ordering::SeqCst) {
                    return samples;
                }
                let next = t0 + every.mul_f64(samples.len() as f64);
                std::thread::sleep(next.saturating_duration_since(Instant::now()));
            }
        });
        CopyWatch { stop, handle }
    }

    /// Ends the watch; every sample taken.
    pub fn stop(self) -> Vec<Sample> {
        self.stop.store(true, Ordering::SeqCst);
        self.handle.join().unwrap_or_default()
    }
}

/// The samples in which more than one node ran a copy.
pub fn two_copies(samples: &[Sample]) -> Vec<&Sample> {
    samples.iter().filter(|s| s.running().len() > 1).collect()
}

/// One line per change of who runs and who holds the address.
pub fn timeline(samples: &[Sample]) -> String {
    let mut out = String::new();
    let mut last = String::new();
    for s in samples {
        let line = format!("running {:?}, address on {:?}", s.running(), s.bound);
        if line != last {
            out.push_str(&format!("{:7.1} s  {line}\n", s.at));
            last = line;
        }
    }
    out
}
