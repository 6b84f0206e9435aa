//! A node's own dockerd, stopped and started again while the node runs on
//! (an engine restart, an engine upgrade). The node's init starts it at boot
//! through `tests/cluster/node-dockerd.sh`; [`Cluster::engine_start`] runs
//! the same script inside the node's namespaces, so the dockerd that comes
//! back has the flags of the first one (`--live-restore` with
//! [`super::Setup::live_restore`]). Orphaned in the node's PID namespace,
//! it becomes a child of the node's tini, which reaps it.

use std::time::Duration;

use super::{wait_until, Cluster};

impl Cluster {
    /// The pid of the node's dockerd (in the node's PID namespace), if one runs.
    pub fn engine_pid(&self, node: &str) -> Option<u32> {
        let o = self.on(
            node,
            &[
                "sh",
                "-c",
                "p=$(cat /run/hc-dockerd.pid) && kill -0 $p && echo $p",
            ],
        );
        String::from_utf8_lossy(&o.stdout).trim().parse().ok()
    }

    /// Whether the node's dockerd answers (`docker version`, its server part).
    pub fn engine_answers(&self, node: &str) -> bool {
        let o = self.on(
            node,
            &[
                "timeout",
                "5",
                "docker",
                "version",
                "--format",
                "{{.Server.Version}}",
            ],
        );
        o.status.success() && !o.stdout.is_empty()
    }

    /// SIGTERM to the node's dockerd; returns once the process is gone
    /// (fails the test after 20 s).
    #[track_caller]
    pub fn engine_stop(&self, node: &str) {
        let Some(pid) = self.engine_pid(node) else {
            panic!("no dockerd runs on {node}");
        };
        self.on_ok(node, &["kill", "-TERM", &pid.to_string()]);
        let gone = wait_until(Duration::from_secs(20), || {
            !self
                .on(node, &["kill", "-0", &pid.to_string()])
                .status
                .success()
        });
        assert!(gone, "dockerd {pid} of {node} did not exit within 20 s");
    }

    /// Starts the node's dockerd again (the boot's script and flags) and
    /// waits until it answers (fails the test after 60 s).
    #[track_caller]
    pub fn engine_start(&self, node: &str) {
        assert!(
            self.engine_pid(node).is_none(),
            "a dockerd runs on {node} already"
        );
        let script = crate::paths::repo("tests/cluster/node-dockerd.sh");
        let dir = self.node(node).dir();
        // setsid -f: the script runs on after nsenter returned
        self.on_ok(
            node,
            &[
                "setsid",
                "-f",
                &script.to_string_lossy(),
                &dir.to_string_lossy(),
                node,
            ],
        );
        let up = wait_until(Duration::from_secs(60), || self.engine_answers(node));
        if !up {
            let out = std::fs::read_to_string(dir.join("dockerd.out")).unwrap_or_default();
            let tail: Vec<&str> = out.lines().rev().take(20).collect();
            panic!(
                "dockerd of {node} did not answer within 60 s after its start; dockerd.out ends:\n{}",
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            );
        }
    }
}
