//! Start returns when the service is up (issue 16): the first announcement
//! round goes out before start returns, the rest from a forked, detached
//! copy of the agent; stop (and a new start) end it first; a start killed
//! on the way leaves none behind. Frames are captured on the peer with the
//! kernel's receive time (SO_TIMESTAMPNS), so "after stop returned" is exact.
//!
//! Needs root, namespaces and dockerd; `#[ignore]`d for the quick
//! unprivileged loop.

use support::{agent, procs, rig, stamped};

use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use agent::{expect, has_addr, wait_for};
use procs::alive;
use rig::{Rig, SERVE, V4};
use stamped::{Stamped, StampedCapture};

mod end;
mod start;

/// Requests and replies of ours among `frames`.
fn rounds(frames: &[Stamped]) -> (usize, usize) {
    let ops: Vec<u16> = frames.iter().filter_map(Stamped::arp_op).collect();
    (
        ops.iter().filter(|o| **o == 1).count(),
        ops.iter().filter(|o| **o == 2).count(),
    )
}

/// Where the agent records the background announcer of a container.
fn record(container: &str) -> std::path::PathBuf {
    // the rig's resource instance is its container's name (support::agent)
    let name = croit_container::engine::ContainerName::parse(container)
        .unwrap_or_else(|e| panic!("{container}: {e}"));
    croit_container::state::State::new("/run/resource-agents", container, Some(&name), "")
        .announcer_path()
}

/// The pid of the recorded announcer.
fn recorded_pid(container: &str) -> Option<i32> {
    let text = std::fs::read_to_string(record(container)).ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix("pid="))
        .and_then(|p| p.parse().ok())
}

/// Processes that are copies of the agent for `container` (its
/// OCF_RESKEY_container in their environment), this test's agent binary.
fn agents_for(container: &str) -> Vec<i32> {
    let needle = format!("OCF_RESKEY_container={container}");
    let mut pids = Vec::new();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return pids;
    };
    for e in dir.flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<i32>().ok()) else {
            continue;
        };
        let env = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
        let ours = env.split(|b| *b == 0).any(|v| v == needle.as_bytes());
        if ours && alive(pid) {
            pids.push(pid);
        }
    }
    pids
}
