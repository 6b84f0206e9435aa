//! Faults on the holder of a fenced two-node cluster
//! (tests/support/src/cluster/fencing.rs), watched from outside the nodes by the
//! copy checker (tests/support/src/copies.rs: each node's copy of the container
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

use scenario::TOKEN;
use support::{cluster, fenced, procs, scenario};

use std::thread;
use std::time::{Duration, Instant};

use cluster::faults::{restore, Fault};
use cluster::service::{create_ours, one_holder, wait_started, RSC};
use cluster::{wait_until, Setup};
use fenced::{fences_since, no_two_copies, note, only_fenced, started, watch_copies};

/// Issue 15, scenario 1. The holder's dockerd frozen (SIGSTOP) and the
/// agent's record of the container id removed: stop can neither ask the
/// engine nor find the container through the kernel, so it answers 1 (the
/// container may still run). Pacemaker fences the holder (powered off by
/// the power controller) and only then starts the service on the survivor.
#[test]
#[ignore = "needs root, corosync, pacemaker and dockerd: run by tests/run.sh"]
fn two_nodes_failed_stop_fences_the_holder_and_the_survivor_serves() {
    let mut c = scenario::cluster(2);
    create_ours(&c, "stop timeout=20s");
    let (holder, other) = started(&c);
    let (watch, holder_id) = watch_copies(&c, &holder);
    let since = cluster::now();
    Fault::EngineFreeze(holder.clone()).inject(&mut c);
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
    let fences = only_fenced(&c, since, &holder, &other);

    // Booted again, the old holder rejoins and runs nothing.
    c.on_ok(&other, &["crm_resource", "--clear", "--resource", RSC]);
    restore(&mut c);
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
fn engine_gone_on_the_holder(
    live_restore: bool,
    fault: fn(String) -> Fault,
    what: &str,
    file: &str,
) {
    let mut c = scenario::cluster_with(Setup {
        nodes: 2,
        token: TOKEN,
        live_restore,
    });
    create_ours(&c, "");
    let (holder, other) = started(&c);
    let (watch, holder_id) = watch_copies(&c, &holder);
    let since = cluster::now();
    let t0 = Instant::now();
    fault(holder.clone()).inject(&mut c);
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
    let fences = fences_since(&c, since);
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
        Fault::EngineKill,
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
        Fault::EngineStop,
        "dockerd stopped under live-restore",
        "cluster-engine-live-restore.md",
    );
}

/// Issue 15, scenario 4. A monitor failure with `on-fail=fence`: the
/// holder's container killed behind Pacemaker's back, the monitor says 1
/// with our reason, and the holder is fenced instead of recovered in place;
/// the survivor serves.
#[test]
#[ignore = "needs root, corosync, pacemaker and dockerd: run by tests/run.sh"]
fn two_nodes_monitor_failure_with_on_fail_fence_fences_the_holder() {
    let mut c = scenario::cluster(2);
    create_ours(&c, "");
    c.on_ok(
        "n1",
        &[
            "pcs",
            "resource",
            "update",
            RSC,
            "op",
            "monitor",
            "interval=2s",
            "timeout=20s",
            "on-fail=fence",
        ],
    );
    let (holder, other) = started(&c);
    let (watch, holder_id) = watch_copies(&c, &holder);
    let since = cluster::now();
    let t0 = Instant::now();
    Fault::ContainerKill(holder.clone(), "croit".into()).inject(&mut c);
    let want = format!("served by {other}");
    let served = wait_until(Duration::from_secs(90), || {
        !c.node(&holder).is_up() && c.client_get().as_deref() == Some(want.as_str())
    });
    let took = t0.elapsed().as_secs_f64();
    thread::sleep(Duration::from_secs(3));
    let what = format!("{holder}'s container killed, monitor on-fail=fence");
    let (n, span, timeline) = no_two_copies(watch, &what, 5.0);
    assert!(
        served,
        "{holder} not fenced or {other} not serving after 90 s:\n{}\n{timeline}",
        c.crm_mon()
    );
    assert!(procs::live_pids(&holder_id).is_empty());
    let reason = format!(
        "{}/24 is bound but container croit is not running",
        cluster::VIP
    );
    let log = c.pacemaker_log(&holder);
    assert!(
        log.lines().any(|l| l.contains(&format!(
            "Result of monitor operation for {RSC} on {holder}"
        )) && l.contains(&reason)),
        "no failed monitor with the agent's reason in {holder}'s log"
    );
    let fences = only_fenced(&c, since, &holder, &other);
    note(
        "cluster-on-fail-fence.md",
        &format!(
            "{what}: fenced ({fences:?}), served by {other} {took:.1} s after the kill; {n} \
             samples over {span:.0} s, none with two copies\n{timeline}"
        ),
    );
}

/// Issue 15, scenario 2. Split brain: the holder's cluster ring cut while
/// its service LAN stays up (both nodes remain reachable by the client).
/// Each side wants to fence the other; `priority-fencing-delay` holds back
/// the fence aimed at the holder, so the holder fences the other node
/// first. The client is served throughout, the address never leaves the
/// holder, the other node never answers ARP for it, never two copies.
#[test]
#[ignore = "needs root, corosync, pacemaker and dockerd: run by tests/run.sh"]
fn two_nodes_split_brain_the_holder_fences_the_other_and_keeps_serving() {
    let mut c = scenario::cluster(2);
    create_ours(&c, "");
    let (holder, other) = started(&c);
    let other_mac = c.node(&other).mac.clone();
    let (watch, _) = watch_copies(&c, &holder);
    let dump = cluster::watch::Watcher::start(
        "ip",
        &[
            "netns",
            "exec",
            "hc-client",
            "tcpdump",
            "-i",
            "eth0",
            "-n",
            "-e",
            "-tt",
            "-l",
            "-U",
            "arp",
        ],
        Some("listening on"),
    );
    let service = cluster::ServiceWatch::start(&holder);
    let since = cluster::now();
    Fault::RingCut(holder.clone()).inject(&mut c);
    let fenced = wait_until(Duration::from_secs(60), || !c.node(&other).is_up());
    // the fence aimed at the holder would have fired by now
    thread::sleep(Duration::from_secs(
        u64::from(cluster::fencing::PRIORITY_DELAY_S) + 3,
    ));
    let seen = service.stop();
    let frames = cluster::watch::parse_tcpdump(&dump.stop());
    let what = format!("ring of the holder {holder} cut");
    let (n, span, timeline) = no_two_copies(watch, &what, 8.0);
    let fences = fences_since(&c, since);
    assert!(
        fenced,
        "{other} was not fenced: {fences:?}\n{}",
        c.crm_mon()
    );
    assert!(
        fences.iter().any(|e| e.action == "off"
            && e.target == other
            && e.from == holder
            && e.rc == 0
            && e.msg == "powered off"),
        "{other} was not powered off by {holder}'s fence: {fences:?}"
    );
    assert!(
        fences.iter().all(|e| e.target == other) && c.node(&holder).is_up(),
        "the holder {holder} was fenced: {fences:?}"
    );
    assert_eq!(c.locate(RSC), [holder.as_str()], "{}", c.crm_mon());
    assert!(
        seen.requests > 20 && seen.failed == 0 && seen.addr_deleted == 0,
        "the client was not served throughout: {seen:?}"
    );
    let replies_from_other = frames
        .iter()
        .filter(|f| f.src_mac == other_mac && f.is_reply_for_vip())
        .count();
    assert_eq!(
        replies_from_other, 0,
        "{other} answered ARP for the address"
    );

    // Healed and booted again: the other node rejoins and runs nothing.
    restore(&mut c);
    one_holder(&c, RSC, "croit", &holder);
    note(
        "cluster-split-brain.md",
        &format!(
            "{what}: {fences:?}; client {seen:?}; {n} samples over {span:.0} s, none with two \
             copies\n{timeline}"
        ),
    );
}
