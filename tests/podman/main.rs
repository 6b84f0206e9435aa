//! The agent against a real Podman through its Docker-compatible socket
//! (Debian 12's podman 4.3.1, started by `tests/env/podman.sh`, runc,
//! cgroupfs, no systemd), with real network namespaces: the lifecycle, the
//! 304 answers, Podman's own state words, health, the restart policy,
//! `monitor_cmd` through exec, and ocf-tester.
//!
//! Needs root, network namespaces and the test podman with its image
//! (`tests/run.sh` provides them); `#[ignore]`d for the quick unprivileged loop.

use support::{agent, matrix, netns, podman, procs};

use std::process::Command;
use std::time::Duration;

use agent::{expect, has_addr, Call};
use matrix::probe;
use netns::NetnsPair;
use podman::{inspect, podman, podman_host, podman_ok, PodmanContainer};

mod lifecycle;
mod service;
mod states;

const V4: &str = "192.0.2.10/24";
/// Exits 0 on SIGTERM (busybox sh as PID 1 ignores TERM unless trapped).
const SERVE: &[&str] = &[
    "sh",
    "-c",
    "trap 'exit 0' TERM; while :; do sleep 0.1; done",
];

struct Rig {
    net: NetnsPair,
    ctr: PodmanContainer,
}

impl Rig {
    fn new(tag: &str, extra: &[&str], cmd: &[&str]) -> Rig {
        podman::require_podman();
        Rig {
            net: NetnsPair::new(tag),
            ctr: PodmanContainer::create(tag, extra, cmd),
        }
    }
    fn call(&self) -> Call {
        Call::new(&[
            ("ip", V4),
            ("nic", &self.net.node_if),
            ("container", self.ctr.name()),
            ("docker_host", &podman_host()),
            ("arp_interval", "20"),
        ])
    }
    fn node(&self) -> Option<&str> {
        Some(self.net.node.as_str())
    }
    fn bound(&self) -> bool {
        has_addr(&self.net.node, &self.net.node_if, V4)
    }
    fn status(&self) -> String {
        inspect(self.ctr.name(), "{{.State.Status}}")
    }
}
