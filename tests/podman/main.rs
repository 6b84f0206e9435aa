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
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};
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

/// The test podman is one engine for every test of this binary. With its
/// service gone the kernel cannot tell Podman's containers apart, so a test
/// that needs no other Podman container to run then takes it alone.
static ENGINE: RwLock<()> = RwLock::new(());

/// A test's turn at the test podman (one of the two guards), held until
/// its container is gone.
struct Turn {
    _shared: Option<RwLockReadGuard<'static, ()>>,
    _alone: Option<RwLockWriteGuard<'static, ()>>,
}

/// A turn beside the other tests.
fn shared() -> Turn {
    Turn {
        _shared: Some(ENGINE.read().unwrap_or_else(|e| e.into_inner())),
        _alone: None,
    }
}

/// A turn with no other test's container running.
fn alone() -> Turn {
    Turn {
        _shared: None,
        _alone: Some(ENGINE.write().unwrap_or_else(|e| e.into_inner())),
    }
}

struct Rig {
    net: NetnsPair,
    ctr: PodmanContainer,
    /// Last: given up once the container is removed.
    _turn: Turn,
}

impl Rig {
    fn new(tag: &str, extra: &[&str], cmd: &[&str]) -> Rig {
        Rig::with(shared(), tag, extra, cmd)
    }
    /// [`Rig::new`], no other test's container running meanwhile.
    fn alone(tag: &str, extra: &[&str], cmd: &[&str]) -> Rig {
        Rig::with(alone(), tag, extra, cmd)
    }
    fn with(turn: Turn, tag: &str, extra: &[&str], cmd: &[&str]) -> Rig {
        podman::require_podman();
        Rig {
            net: NetnsPair::new(tag),
            ctr: PodmanContainer::create(tag, extra, cmd),
            _turn: turn,
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
