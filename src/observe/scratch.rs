//! A scratch node for in-process tests: a process table (`proc/`, read
//! through [`Kernel::at`]), the engine's files for the containers it names
//! (`docker/containers/<id>/config.v2.json`, found through the processes'
//! mounts as on a real node) and a state directory. Nothing here is ever
//! signalled: the pids are numbers in files.

use std::cell::Cell;
use std::path::PathBuf;

use crate::budget::Budget;
use crate::engine::{ContainerName, Engine};
use crate::host::Kernel;
use crate::net::Net;
use crate::node::Node;
use crate::state::{Ours, State};

/// The configured container name the scratch node's records are kept by.
pub const NAME: &str = "croit";

/// [`NAME`] as the configuration has it.
pub fn name() -> ContainerName {
    ContainerName::of(NAME)
}

/// A scratch directory with a process table and a state directory.
pub struct Scratch {
    dir: PathBuf,
    next_pid: Cell<i32>,
}

const SELF_MOUNTS: &str = "27 1 254:0 / / rw - ext4 /dev/vda rw\n";

impl Scratch {
    /// An empty node: only PID 1 runs.
    pub fn new(tag: &str) -> Scratch {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "croit-scratch-{}-{tag}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        let s = Scratch {
            dir,
            next_pid: Cell::new(100),
        };
        s.write("proc/1/cgroup", "0::/\n");
        s.write("proc/1/status", "State:\tS\nNSpid:\t1\n");
        s.write("proc/self/mountinfo", SELF_MOUNTS);
        s
    }

    fn write(&self, rel: &str, text: &str) {
        let p = self.dir.join(rel);
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d).unwrap_or_else(|e| panic!("{e}"));
        }
        std::fs::write(&p, text).unwrap_or_else(|e| panic!("{e}"));
    }

    /// Starts `count` processes of container `id` (the first its init);
    /// their pids.
    pub fn run(&self, id: &str, count: usize) -> Vec<i32> {
        (0..count)
            .map(|i| {
                let pid = self.next_pid.get();
                self.next_pid.set(pid + 1);
                self.write(&format!("proc/{pid}/cgroup"), &format!("0::/docker/{id}\n"));
                let status = format!("State:\tS\nNSpid:\t{pid}\t{}\n", i + 1);
                self.write(&format!("proc/{pid}/status"), &status);
                pid
            })
            .collect()
    }

    /// Starts `count` processes of container `id`, which the engine's own
    /// files name `name` (verifiable with the engine away).
    pub fn run_named(&self, id: &str, name: &str, count: usize) -> Vec<i32> {
        let dir = self.engine_root().join(id);
        let config = format!(r#"{{"ID":"{id}","Name":"/{name}"}}"#);
        self.write(&format!("docker/containers/{id}/config.v2.json"), &config);
        let pids = self.run(id, count);
        for pid in &pids {
            let mount = format!(
                "90 72 254:0 {}/hostname /etc/hostname rw - ext4 /dev/vda rw\n",
                dir.display()
            );
            self.write(&format!("proc/{pid}/mountinfo"), &mount);
        }
        pids
    }

    /// Where the engine's files of every container are.
    pub fn engine_root(&self) -> PathBuf {
        self.dir.join("docker/containers")
    }

    /// Every process of container `id` exits; how many there were.
    pub fn exit(&self, id: &str) -> usize {
        let pids = self
            .kernel()
            .members(id)
            .map(|m| m.pids)
            .unwrap_or_default();
        for pid in &pids {
            let _ = std::fs::remove_dir_all(self.dir.join(format!("proc/{pid}")));
        }
        pids.len()
    }

    /// The process table.
    pub fn kernel(&self) -> Kernel {
        Kernel::at(self.dir.join("proc"))
    }

    /// The records of resource `pxe` for container [`NAME`].
    pub fn state(&self) -> State {
        State::new(
            self.dir.join("state"),
            "pxe",
            Some(&name()),
            "unix:///scripted.sock",
        )
    }

    /// The node handle over `engine` and `nl` with this process table and
    /// these records, and `budget` from now.
    pub fn node<E: Engine, N: Net>(
        &self,
        engine: E,
        nl: N,
        budget: std::time::Duration,
    ) -> Node<E, N> {
        let deadline = tokio::time::Instant::now() + budget;
        Node {
            nl,
            engine,
            host: self.kernel(),
            state: self.state(),
            budget: Budget::new(deadline, budget),
            announce_until: deadline,
        }
    }

    /// The record says container `id` is ours (started here as [`NAME`]).
    pub fn remember(&self, id: &str) {
        self.state().remember(&Ours {
            id: id.into(),
            name: NAME.into(),
        });
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
