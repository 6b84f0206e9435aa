//! The kernel's stop of a container that runs PID namespaces of its own
//! (`unshare -pf` inside it, as Docker in Docker does): with the engine
//! SIGKILLed, stop must send SIGTERM to the container's own PID 1, not to a
//! nested namespace's init (issue 21, item 8). The container's PID 1 exits
//! on SIGTERM and the nested init ignores it, so the time stop takes tells
//! which one got it: well under the grace period when PID 1 did, the whole
//! grace period and a SIGKILL when the nested init did.
//!
//! Checked by the kernel, not by the agent's word: the container's
//! processes by its id in `/proc/<pid>/cgroup` and their NSpid lists, the
//! address in the node's namespace while stop runs. Needs root, namespaces
//! and dockerd; `#[ignore]`d for the quick unprivileged loop.

use support::{agent, docker, gone, matrix, procs};

use std::time::{Duration, Instant};

use gone::Gone;
use matrix::{probe, timeout, Rows};
use procs::live_pids;

/// What `unshare -pf --mount-proc` needs inside the container (busybox's
/// unshare has -p, -f and --mount-proc): CAP_SYS_ADMIN, and no seccomp or
/// AppArmor profile refusing unshare(2) and mount(2). `--privileged` is
/// refused by runc on this host (some capabilities are outside its bounding
/// set), so the one capability is added.
const NESTING: &[&str] = &[
    "--cap-add",
    "SYS_ADMIN",
    "--security-opt",
    "seccomp=unconfined",
    "--security-opt",
    "apparmor=unconfined",
];

/// The container's PID 1: exits on SIGTERM (checked between sleeps of
/// 0.1 s); it runs a nested PID namespace whose init ignores SIGTERM (as a
/// namespace init without a handler does anyway) and has a child.
const NESTED: &str = "trap 'exit 0' TERM; \
    unshare -pf --mount-proc sh -c \"trap '' TERM; sleep 600 & while :; do sleep 0.1; done\" & \
    while :; do sleep 0.1; done";

/// `NSpid:` of a process: its pid in each namespace from the host's down.
fn nspid(pid: i32) -> Vec<String> {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("NSpid:"))
        .map(|l| l.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default()
}

/// The container's processes as (pid, NSpid), once the nested namespace's
/// init and its child are up.
fn layout(id: &str) -> Vec<(i32, Vec<String>)> {
    let mut seen = Vec::new();
    let ok = agent::wait_for(Duration::from_secs(10), || {
        seen = live_pids(id).into_iter().map(|p| (p, nspid(p))).collect();
        seen.iter().any(|(_, ns)| ns.len() == 3 && ns[2] == "1")
            && seen.iter().any(|(_, ns)| ns.len() == 3 && ns[2] != "1")
    });
    assert!(
        ok,
        "no nested PID namespace came up in the container: {seen:?}"
    );
    seen
}

/// The resource up on an engine of its own, the container running a nested
/// PID namespace; the engine SIGKILLed (its shim keeps the container).
fn nested_and_engine_killed(tag: &str, cmd: &str) -> (Gone, Vec<(i32, Vec<String>)>) {
    let mut g = Gone::up(tag, &[], NESTING, &["sh", "-c", cmd]);
    let seen = layout(&g.id);
    // the container's PID 1 (NSpid: <host pid> 1) and the nested init
    // (NSpid: <host pid> <pid in PID 1's namespace> 1) are both there
    assert!(
        seen.iter().any(|(_, ns)| ns.len() == 2 && ns[1] == "1"),
        "no container PID 1 among {seen:?}"
    );
    g.eng.kill();
    assert_eq!(
        live_pids(&g.id).len(),
        seen.len(),
        "the container died with its engine"
    );
    (g, seen)
}

#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn sigterm_reaches_the_containers_own_init_not_a_nested_one() {
    docker::require_engine();
    let (g, seen) = nested_and_engine_killed("ksnest", NESTED);
    let mut r = Rows::new("dockerd SIGKILLed, the container runs a nested PID namespace")
        .sub(&g.eng.host(), "<engine>");
    let call = timeout(g.call.clone().param("stop_timeout", "10"), 20_000);
    let t0 = Instant::now();
    g.stop_ends_everything(&mut r, &call, "stop, stop_timeout=10, op timeout 20 s");
    let took = t0.elapsed();
    eprintln!(
        "nested PID namespace ({} processes: {seen:?}): stop took {took:?}",
        seen.len()
    );
    // PID 1 exits within 0.1 s of SIGTERM and takes its namespace (the
    // nested one included) with it; had the nested init got SIGTERM, stop
    // would have waited out the 10 s grace period before SIGKILL
    assert!(
        took < Duration::from_secs(5),
        "stop took {took:?}: SIGTERM did not reach the container's PID 1 (grace 10 s)"
    );
    assert!(live_pids(&g.id).is_empty(), "processes left after stop");
    assert!(!g.bound(), "stop left the address");
    r.go(&probe(&g.call), g.ns(), "monitor", "probe after stop", 7);
}

/// The same layout with a container PID 1 that ignores SIGTERM too: the
/// grace period is kept (SIGTERM went somewhere that ignores it), then
/// SIGKILL ends the container, the nested namespace included.
#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn a_deaf_nested_container_gets_its_grace_period_then_sigkill() {
    docker::require_engine();
    let deaf = NESTED.replace("trap 'exit 0' TERM", "trap '' TERM");
    let (g, _) = nested_and_engine_killed("ksdeaf", &deaf);
    let mut r = Rows::new("dockerd SIGKILLed, nested PID namespace, PID 1 ignores SIGTERM")
        .sub(&g.eng.host(), "<engine>");
    let call = timeout(g.call.clone().param("stop_timeout", "2"), 8_000);
    let t0 = Instant::now();
    g.stop_ends_everything(&mut r, &call, "stop, stop_timeout=2, op timeout 8 s");
    let took = t0.elapsed();
    assert!(
        took >= Duration::from_secs(2),
        "SIGKILL before the grace period ended ({took:?})"
    );
    assert!(live_pids(&g.id).is_empty(), "processes left after stop");
    r.go(&probe(&g.call), g.ns(), "monitor", "probe after stop", 7);
}
