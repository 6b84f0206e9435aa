//! What the agent remembers, and what it does not guess: the background
//! announcer's record belongs to one resource (two resources with the same
//! container name on two engines do not end each other's announcer), and a
//! stop whose engine reports the container stopped but whose `/proc`
//! cannot be read says 4, never a 0 it could not check.
//!
//! Needs root, namespaces and dockerd; `#[ignore]`d for the quick loop.

use support::{agent, gone, procs, rig};

use agent::{expect, Call};
use gone::Gone;
use procs::live_pids;
use rig::SERVE;

/// Living copies of the agent for resource instance `instance` (the
/// background announcer is one: a forked agent with its environment).
fn agents_of(instance: &str) -> Vec<i32> {
    let needle = format!("OCF_RESOURCE_INSTANCE={instance}");
    let mut pids = Vec::new();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return pids;
    };
    for e in dir.flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<i32>().ok()) else {
            continue;
        };
        let env = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let zombie = stat
            .rsplit_once(')')
            .is_some_and(|(_, r)| r.trim_start().starts_with('Z'));
        if !zombie && env.split(|b| *b == 0).any(|v| v == needle.as_bytes()) {
            pids.push(pid);
        }
    }
    pids
}

/// Two resources, one node, the same container name on two engines, one
/// state directory: starting the second leaves the first's announcer be.
#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn two_resources_with_one_container_name_keep_their_announcers() {
    let a = Gone::up("idan1", &[], &[], SERVE);
    let b = Gone::up("idan2", &[], &[], SERVE);
    let shared = std::env::temp_dir().join(format!("croit-idan-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&shared);
    let with = |g: &Gone, instance: &str| -> Call {
        g.call
            .clone()
            .var("HA_RSCTMP", &shared.display().to_string())
            .var("OCF_RESOURCE_INSTANCE", instance)
            .param("arp_count", "40")
            .param("arp_interval", "250")
    };
    let (ca, cb) = (with(&a, "idan-a"), with(&b, "idan-b"));
    expect(ca.run(a.ns(), "stop"), 0);
    expect(cb.run(b.ns(), "stop"), 0);
    expect(ca.run(a.ns(), "start"), 0);
    assert_eq!(agents_of("idan-a").len(), 1, "a's announcer does not run");
    expect(cb.run(b.ns(), "start"), 0);
    assert_eq!(agents_of("idan-b").len(), 1, "b's announcer does not run");
    // before: keyed by the container name, b's start ended a's announcer
    assert_eq!(
        agents_of("idan-a").len(),
        1,
        "starting resource b ended resource a's announcer"
    );
    // each stop ends its own, and only its own
    expect(cb.run(b.ns(), "stop"), 0);
    assert!(
        agents_of("idan-b").is_empty(),
        "b's announcer outlived b's stop"
    );
    assert_eq!(agents_of("idan-a").len(), 1, "b's stop ended a's announcer");
    expect(ca.run(a.ns(), "stop"), 0);
    assert!(agents_of("idan-a").is_empty());
    let _ = std::fs::remove_dir_all(&shared);
}

/// The engine stops the container; `/proc` then shows nothing (an empty
/// tmpfs over it, as a confined agent may see): the kernel cannot confirm
/// that nothing is left, so stop answers 4 and leaves the address (it may
/// still be served), where it used to answer 0 unchecked.
#[test]
#[ignore = "needs root, namespaces, dockerd and unshare: run with --include-ignored"]
fn stop_with_an_unreadable_proc_after_the_engine_stopped_it_is_4() {
    let g = Gone::up("idproc", &[], &[], SERVE);
    let blind: &[&str] = &[
        "unshare",
        "--mount",
        "--propagation",
        "private",
        "sh",
        "-c",
        "mount -t tmpfs none /proc && exec \"$@\"",
        "blind",
    ];
    let run = expect(g.call.run_via(g.ns(), blind, "stop"), 4);
    run.assert_reason("cannot read /proc");
    // the engine did stop it; the address stays until a stop that can check
    assert!(live_pids(&g.id).is_empty(), "the engine did not stop it");
    assert!(g.bound(), "stop 4 removed the address");
    expect(g.call.run(g.ns(), "stop"), 0);
    assert!(!g.bound());
}
