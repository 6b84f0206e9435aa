//! Faults on the holder of a fenced two-node cluster
//! (tests/common/cluster/fencing.rs), watched from outside the nodes by the
//! copy checker (tests/common/copies.rs: each node's copy of the container
//! by its id in the host's /proc, and the nodes holding the address):
//! - a stop that fails gets the holder fenced, and only then does the
//!   survivor start the service;
//! - the holder's dockerd SIGKILLed, or stopped under live-restore (the
//!   container runs on either way): the agent's stop ends the copy through
//!   the kernel, no fence is needed, the survivor serves.
//!
//! Never two nodes with a live copy, in any sample.
//!
//! Privileged (root, namespaces, corosync, pacemaker, dockerd): `#[ignore]`d
//! for the quick loop, run by tests/run.sh. One cluster at a time (a lock).

#[path = "common/cluster/mod.rs"]
mod cluster;
#[path = "common/copies.rs"]
mod copies;
#[path = "common/install.rs"]
mod install;
#[path = "common/procs.rs"]
mod procs;

use std::thread;
use std::time::{Duration, Instant};

use cluster::service::{create_ours, one_holder, wait_started, RSC};
use cluster::{network, wait_until, Cluster, Setup};
use install::install_agent;

const TOKEN: u32 = 1000;
/// How often the checker samples.
const EVERY: Duration = Duration::from_millis(250);

/// The node that runs our resource once it started, and the other one.
fn started(c: &Cluster) -> (String, String) {
    let ok = wait_until(Duration::from_secs(40), || {
        c.locate(RSC).len() == 1 && c.dc_idle()
    });
    assert!(ok, "{RSC} did not start:\n{}", c.crm_mon());
    let holder = c.holder();
    let other = if holder == "n1" { "n2" } else { "n1" }.to_string();
    (holder, other)
}

/// Starts the copy checker on both nodes; the holder's container id.
fn watch_copies(c: &Cluster, holder: &str) -> (copies::CopyWatch, String) {
    let ids: Vec<(String, String)> = ["n1", "n2"]
        .iter()
        .map(|n| (n.to_string(), c.container_id(n, "croit")))
        .collect();
    let holder_id = ids
        .iter()
        .find(|(n, _)| n == holder)
        .map(|(_, id)| id.clone())
        .unwrap_or_default();
    assert!(
        !procs::live_pids(&holder_id).is_empty(),
        "nothing runs on {holder}"
    );
    let watch = copies::CopyWatch::start(ids, EVERY, |node| network::vip_in(&format!("hc-{node}")));
    (watch, holder_id)
}

/// Stops the checker; fails on any sample with two copies running.
#[track_caller]
fn no_two_copies(watch: copies::CopyWatch, what: &str, min_secs: f64) -> (usize, f64, String) {
    let samples = watch.stop();
    let timeline = copies::timeline(&samples);
    eprintln!("{what}; who runs the container:\n{timeline}");
    let two = copies::two_copies(&samples);
    assert!(
        two.is_empty(),
        "{what}: {} of {} samples with two copies running:\n{timeline}",
        two.len(),
        samples.len()
    );
    let span = samples.last().map_or(0.0, |s| s.at);
    assert!(span >= min_secs, "only {span:.1} s of samples");
    (samples.len(), span, timeline)
}

fn note(file: &str, text: &str) {
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(file);
    let _ = std::fs::write(path, text);
}

/// Issue 15, scenario 1. The holder's dockerd frozen (SIGSTOP) and the
/// agent's record of the container id removed: stop can neither ask the
/// engine nor find the container through the kernel, so it answers 1 (the
/// container may still run). Pacemaker fences the holder (powered off by
/// the power controller) and only then starts the service on the survivor.
#[test]
#[ignore = "needs root, corosync, pacemaker and dockerd: run by tests/run.sh"]
fn two_nodes_failed_stop_fences_the_holder_and_the_survivor_serves() {
    install_agent();
    let mut c = Cluster::new(2, TOKEN);
    create_ours(&c, "stop timeout=20s");
    let (holder, other) = started(&c);
    let (watch, holder_id) = watch_copies(&c, &holder);
    let since = cluster::now();
    c.sh_on(&holder, "kill -STOP $(cat /run/hc-dockerd.pid)");
    // a monitor that had its answer before the freeze has written by now
    thread::sleep(Duration::from_millis(300));
    let removed = c.sh_on(
        &holder,
        "rm -v /run/resource-agents/croit-container.croit.*.id",
    );
    assert!(
        removed.contains("removed"),
        "no record of the id on {holder}: {removed}"
    );
    let t0 = Instant::now();
    c.on_ok(
        &other,
        &[
            "crm_resource",
            "--move",
            "--resource",
            RSC,
            "--node",
            &other,
        ],
    );
    let want = format!("served by {other}");
    let served = wait_until(Duration::from_secs(90), || {
        !c.node(&holder).is_up() && c.client_get().as_deref() == Some(want.as_str())
    });
    let took = t0.elapsed().as_secs_f64();
    thread::sleep(Duration::from_secs(5));
    let what = format!("{holder}'s dockerd frozen, its record removed, {RSC} moved");
    let (n, span, timeline) = no_two_copies(watch, &what, 10.0);
    assert!(
        served,
        "{holder} not fenced or {other} not serving after 90 s:\n{}\n{timeline}",
        c.crm_mon()
    );
    assert!(
        procs::live_pids(&holder_id).is_empty(),
        "the copy on the fenced {holder} still runs"
    );

    // The stop failed on the holder, with the agent's reason.
    let log = c.pacemaker_log(&holder);
    let stop_line = log
        .lines()
        .find(|l| l.contains(&format!("Result of stop operation for {RSC} on {holder}")));
    assert!(
        stop_line.is_some_and(|l| l.contains("error") && l.contains("did not answer")),
        "no failed stop with the agent's reason in {holder}'s log: {stop_line:?}"
    );
    // The scheduler decided to fence it for that, and the controller did.
    let logs = c.pacemaker_log(&holder) + &c.pacemaker_log(&other);
    assert!(
        logs.lines()
            .any(|l| l.contains(&format!("Cluster node {holder} will be fenced"))),
        "no fencing decision for {holder} in the logs"
    );
    let fences: Vec<_> = c
        .fence_events()
        .into_iter()
        .filter(|e| e.at >= since && e.action != "status")
        .collect();
    assert!(
        fences.iter().any(|e| e.action == "off"
            && e.target == holder
            && e.rc == 0
            && e.msg == "powered off"),
        "{holder} was not powered off by a fence: {fences:?}"
    );
    assert!(
        fences.iter().all(|e| e.target == holder),
        "{other} was fenced too: {fences:?}"
    );

    // Booted again, the old holder rejoins and runs nothing.
    c.on_ok(&other, &["crm_resource", "--clear", "--resource", RSC]);
    c.power_on(&holder);
    one_holder(&c, RSC, "croit", &other);
    note(
        "cluster-failed-stop.md",
        &format!(
            "failed stop on {holder}: fenced ({fences:?}), served by {other} {took:.1} s after \
             the move; {n} samples over {span:.0} s, none with two copies\n{timeline}"
        ),
    );
}

/// The holder's engine goes away while its container runs on; the agent's
/// stop ends the copy through the kernel, so nobody is fenced, and the
/// survivor serves. For at least 30 s, sampled from outside, at most one
/// node runs a copy.
fn engine_gone_on_the_holder(live_restore: bool, fault: &str, what: &str, file: &str) {
    install_agent();
    let c = Cluster::start(Setup {
        nodes: 2,
        token: TOKEN,
        live_restore,
    });
    create_ours(&c, "");
    let (holder, other) = started(&c);
    let (watch, holder_id) = watch_copies(&c, &holder);
    let since = cluster::now();
    let t0 = Instant::now();
    c.sh_on(&holder, fault);
    assert!(
        !procs::live_pids(&holder_id).is_empty(),
        "the container on {holder} did not outlive its engine"
    );
    let want = format!("served by {other}");
    let moved = wait_until(Duration::from_secs(60), || {
        c.locate(RSC) == [other.clone()] && c.client_get().as_deref() == Some(want.as_str())
    });
    let took = t0.elapsed().as_secs_f64();
    thread::sleep(Duration::from_secs(30).saturating_sub(t0.elapsed()));
    let what = format!("{what} on the holder {holder}");
    let (n, span, timeline) = no_two_copies(watch, &what, 30.0);
    assert!(
        moved,
        "not served by {other} within 60 s:\n{}\n{timeline}",
        c.crm_mon()
    );
    assert!(
        procs::live_pids(&holder_id).is_empty(),
        "the old copy on {holder} still runs"
    );
    let fences: Vec<_> = c
        .fence_events()
        .into_iter()
        .filter(|e| e.at >= since && e.action != "status")
        .collect();
    assert!(
        fences.is_empty() && c.nodes.iter().all(|n| n.is_up()),
        "a node was fenced although stop ended the copy: {fences:?}"
    );
    wait_started(&c, RSC, &other);
    note(
        file,
        &format!(
            "{what}: served by {other} after {took:.1} s, nobody fenced; {n} samples over \
             {span:.0} s, none with two copies\n{timeline}"
        ),
    );
}

/// dockerd SIGKILLed on the holder: its container runs on under the shim.
#[test]
#[ignore = "needs root, corosync, pacemaker and dockerd: run by tests/run.sh"]
fn two_nodes_engine_killed_on_the_holder_never_two_copies() {
    engine_gone_on_the_holder(
        false,
        "pkill -KILL -x dockerd",
        "dockerd SIGKILLed",
        "cluster-engine-kill.md",
    );
}

/// dockerd stopped (SIGTERM) under live-restore on the holder: it exits and
/// removes its socket, the container runs on.
#[test]
#[ignore = "needs root, corosync, pacemaker and dockerd: run by tests/run.sh"]
fn two_nodes_engine_stopped_under_live_restore_never_two_copies() {
    engine_gone_on_the_holder(
        true,
        "p=$(cat /run/hc-dockerd.pid) && kill -TERM $p && \
         for _ in $(seq 400); do kill -0 $p 2>/dev/null || exit 0; sleep 0.05; done; exit 1",
        "dockerd stopped under live-restore",
        "cluster-engine-live-restore.md",
    );
}
