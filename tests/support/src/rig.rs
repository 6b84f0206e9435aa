//! The rig most agent tests share: a namespace pair, a container on the
//! shared test engine, and the call that names both.

use std::time::Duration;

use crate::agent::{self, expect, has_addr, Call};
use crate::docker::{self, TestContainer};
use crate::netns::NetnsPair;

pub const V4: &str = "192.0.2.10/24";
pub const V6: &str = "2001:db8::10/64";
/// Exits 0 on SIGTERM (busybox sh as PID 1 ignores TERM unless trapped).
pub const SERVE: &[&str] = &[
    "sh",
    "-c",
    "trap 'exit 0' TERM; while :; do sleep 0.1; done",
];

pub struct Rig {
    pub net: NetnsPair,
    pub ctr: TestContainer,
}

impl Rig {
    pub fn new(tag: &str, extra: &[&str], cmd: &[&str]) -> Rig {
        crate::privileged::require_root("network namespaces");
        docker::require_engine();
        let net = NetnsPair::new(tag);
        let ctr = TestContainer::create(tag, extra, cmd);
        Rig { net, ctr }
    }
    pub fn call(&self, ip: &str) -> Call {
        Call::new(&[
            ("ip", ip),
            ("nic", &self.net.node_if),
            ("container", self.ctr.name()),
            ("docker_host", &docker::docker_host()),
            ("arp_interval", "20"),
        ])
    }
    pub fn node(&self) -> Option<&str> {
        Some(self.net.node.as_str())
    }
    /// stop gives 0, the address is gone and a probe says 7.
    #[track_caller]
    pub fn stop_leaves_nothing(&self, call: &Call, ip: &str) {
        expect(call.run(self.node(), "stop"), 0);
        assert!(
            !has_addr(&self.net.node, &self.net.node_if, ip),
            "stop left {ip} bound"
        );
        expect(call.run(self.node(), "monitor"), 7);
    }
    /// Polls monitor until `hit` accepts a run or `limit` passes; returns
    /// whether it did and the last run (for the failure message).
    pub fn monitor_until(
        &self,
        call: &Call,
        limit: Duration,
        hit: impl Fn(&agent::Run) -> bool,
    ) -> (bool, Option<agent::Run>) {
        let mut last = None;
        let seen = agent::wait_for(limit, || {
            let run = call.run(self.node(), "monitor");
            let ok = hit(&run);
            last = Some(run);
            ok
        });
        (seen, last)
    }
    /// `ip addr OP CIDR dev NIC` in the node namespace.
    #[track_caller]
    pub fn node_addr(&self, op: &str, cidr: &str) {
        agent::ip(&[
            "-n",
            &self.net.node,
            "addr",
            op,
            cidr,
            "dev",
            &self.net.node_if,
        ]);
    }
    pub fn status(&self) -> String {
        inspect(self.ctr.name(), "{{.State.Status}}")
    }
}

pub fn inspect(name: &str, fmt: &str) -> String {
    let out = docker::docker(&["inspect", "-f", fmt, name]);
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}
