//! Faults on the holder of a fenced two-node cluster
//! (tests/support/src/cluster/fencing.rs), watched from outside the nodes by the
//! copy checker (tests/support/src/copies.rs: each node's copy of the container
//! by its id in the host's /proc, and the nodes holding the address):
//! - a stop that cannot tell whether the container runs (engine frozen,
//!   nothing names the container) gets the holder fenced, and only then
//!   does the survivor start the service;
//! - the holder's dockerd SIGKILLed, or stopped under live-restore (the
//!   container runs on either way): the agent names the container from
//!   Docker's files, the monitor answers 190 (degraded), nothing is
//!   recovered, nobody fenced, the holder serves throughout
//!   (tests/support/src/engine_away.rs); then the engine comes back.
//! - a monitor failure with `on-fail=fence`; split brain.
//!
//! Never two nodes with a live copy, in any sample.
//!
//! Privileged (root, namespaces, corosync, pacemaker, dockerd): `#[ignore]`d
//! for the quick loop, run by tests/run.sh. One cluster at a time (a lock).

use support::{cluster, engine_away, failed_stop, fenced, procs, scenario};

use std::thread;
use std::time::{Duration, Instant};

use cluster::faults::{restore, Fault};
use cluster::service::{create_ours, one_holder, RSC};
use cluster::wait_until;
use fenced::{fences_since, no_two_copies, note, only_fenced, started, watch_copies};

/// Issue 15, scenario 1: a stop that cannot tell whether the container
/// runs gets the holder fenced before the survivor serves. The holder's
/// dockerd frozen, the agent's record of the id removed and the
/// container's `config.v2.json` moved aside: the agent knows the engine's
/// root (its record kept) and sees a container of that engine whose name
/// cannot be read. Monitor 1, stop 1, the holder fenced, the survivor
/// serves (tests/support/src/failed_stop.rs).
#[test]
#[ignore = "needs root, corosync, pacemaker and dockerd: run by tests/run.sh"]
fn two_nodes_failed_stop_fences_the_holder_and_the_survivor_serves() {
    failed_stop::failed_stop(false);
}

/// The same with the record of the engine's root removed too: nothing on
/// the node says where this dockerd keeps its containers (its data root is
/// `--data-root` on its command line, not in /etc/docker/daemon.json). The
/// container may still be ours: the same answers are due (monitor 1, stop
/// 1, fenced), never a stop that says 0 while it runs.
#[test]
#[ignore = "needs root, corosync, pacemaker and dockerd: run by tests/run.sh"]
fn two_nodes_failed_stop_without_the_engine_root_record_fences_the_holder() {
    failed_stop::failed_stop(true);
}

/// dockerd SIGKILLed on the holder: its container runs on under the shim,
/// degraded, served by the holder; dockerd started again ends it (its
/// restore, without live-restore) and Pacemaker recovers.
#[test]
#[ignore = "needs root, corosync, pacemaker and dockerd: run by tests/run.sh"]
fn two_nodes_engine_killed_on_the_holder_never_two_copies() {
    engine_away::engine_gone_on_the_holder(
        false,
        Fault::EngineKill,
        "dockerd SIGKILLed",
        "cluster-engine-kill.md",
    );
}

/// dockerd stopped (SIGTERM) under live-restore on the holder: it exits and
/// removes its socket, the container runs on, degraded, served by the
/// holder; dockerd started again keeps it.
#[test]
#[ignore = "needs root, corosync, pacemaker and dockerd: run by tests/run.sh"]
fn two_nodes_engine_stopped_under_live_restore_never_two_copies() {
    engine_away::engine_gone_on_the_holder(
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
