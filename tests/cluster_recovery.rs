//! Recoveries in a fenced cluster, watched from outside by the copy checker
//! (tests/support/src/copies.rs): never two live copies.
//! - Issue 15, scenario 5: the holder's NIC loses carrier (its port on the
//!   service LAN's bridge down): the monitor fails with our reason, the
//!   resource moves, the other node serves.
//! - Issue 15, scenario 6: the agent SIGKILLed in the middle of its start on
//!   the survivor of a failover: Pacemaker records the failed start, stops
//!   what it left there and starts the service on the third node; no
//!   process of the killed start is left behind.
//!
//! Privileged (root, namespaces, corosync, pacemaker, dockerd): `#[ignore]`d
//! for the quick loop, run by tests/run.sh. One cluster at a time (a lock).

use support::{cluster, fenced, procs, scenario};

use std::thread;
use std::time::{Duration, Instant};

use cluster::agents::agent_pids;
use cluster::faults::{restore, Fault};
use cluster::network::{has_carrier, vip_in};
use cluster::service::{create_ours, one_holder, RSC};
use cluster::{now, wait_until, VIP};
use fenced::{fences_since, no_two_copies, note, started, watch_copies};

/// Scenario 5. `migration-threshold=1`: a node without carrier cannot
/// serve, a restart in place would only wait for carrier until start's
/// timeout. Stop needs no carrier (the address is removed, the container
/// stopped), so nobody is fenced.
#[test]
#[ignore = "needs root, corosync, pacemaker and dockerd: run by tests/run.sh"]
fn two_nodes_holder_nic_loses_carrier_the_resource_moves() {
    let mut c = scenario::cluster(2);
    create_ours(&c, "");
    c.sh_on(
        "n1",
        &format!("pcs resource meta {RSC} migration-threshold=1"),
    );
    let (holder, other) = started(&c);
    let (watch, holder_id) = watch_copies(&c, &holder);
    let since = now();
    let t0 = Instant::now();
    Fault::NicDown(holder.clone()).inject(&mut c);
    assert!(
        !has_carrier(c.node(&holder)),
        "eth0 of {holder} still has carrier"
    );
    let want = format!("served by {other}");
    let served = wait_until(Duration::from_secs(60), || {
        c.client_get().as_deref() == Some(want.as_str())
    });
    let took = t0.elapsed().as_secs_f64();
    let settled = wait_until(Duration::from_secs(30), || {
        c.locate(RSC) == [other.clone()] && c.dc_idle()
    });
    thread::sleep(Duration::from_secs(2));
    let what = format!("carrier of {holder}'s eth0 lost");
    let (n, span, timeline) = no_two_copies(watch, &what, 3.0);
    assert!(
        served && settled,
        "not served by {other} within 60 s:\n{}\n{timeline}",
        c.crm_mon()
    );
    assert!(
        procs::live_pids(&holder_id).is_empty(),
        "the copy on {holder} still runs"
    );
    assert!(!vip_in(&c.node(&holder).ns()), "{holder} kept the address");
    let log = c.pacemaker_log(&holder);
    assert!(
        log.lines().any(|l| l.contains(&format!(
            "Result of monitor operation for {RSC} on {holder}"
        )) && l.contains("eth0 has no carrier")),
        "no failed monitor with the agent's reason in {holder}'s log"
    );
    let fences = fences_since(&c, since);
    assert!(
        fences.is_empty() && c.node(&holder).is_up(),
        "a node was fenced although stop needs no carrier: {fences:?}"
    );
    restore(&mut c);
    one_holder(&c, RSC, "croit", &other);
    note(
        "cluster-nic-carrier.md",
        &format!(
            "{what}: served by {other} {took:.1} s after, nobody fenced; {n} samples over \
             {span:.0} s, none with two copies\n{timeline}"
        ),
    );
}

/// What the killer saw: the node whose start it killed, whether the
/// address was bound there at that moment, how long the start had run.
struct Killed {
    node: String,
    bound: bool,
    ran: f64,
}

/// Scenario 6. Three nodes: the holder powered off; the first survivor
/// whose agent runs `start` gets it SIGKILLed once the address is bound
/// there (or after 0.4 s), the middle of start. Pacemaker records a failed
/// start there, stops what the killed start left behind, and starts the
/// service on the third node.
#[test]
#[ignore = "needs root, corosync, pacemaker and dockerd: run by tests/run.sh"]
fn three_nodes_start_killed_on_the_survivor_recovers_on_the_third() {
    let mut c = scenario::cluster(3);
    create_ours(&c, "");
    let (holder, _) = started(&c);
    let survivors: Vec<cluster::Node> = c
        .nodes
        .iter()
        .filter(|n| n.name != holder)
        .cloned()
        .collect();
    let (watch, _) = watch_copies(&c, &holder);
    let killer = thread::spawn(move || {
        let end = Instant::now() + Duration::from_secs(60);
        while Instant::now() < end {
            for n in &survivors {
                let Some(pid) = agent_pids(n, "start").first().copied() else {
                    continue;
                };
                let seen = Instant::now();
                let ns = n.ns();
                wait_until(Duration::from_millis(400), || vip_in(&ns));
                let bound = vip_in(&ns);
                let _ = nix::sys::signal::kill(
                    nix::unistd::Pid::from_raw(pid),
                    nix::sys::signal::Signal::SIGKILL,
                );
                return Some(Killed {
                    node: n.name.clone(),
                    bound,
                    ran: seen.elapsed().as_secs_f64(),
                });
            }
            thread::sleep(Duration::from_millis(5));
        }
        None
    });
    let t0 = now();
    c.power_off(&holder);
    let killed = killer.join().ok().flatten();
    let Some(killed) = killed else {
        panic!("no start on a survivor within 60 s:\n{}", c.crm_mon());
    };
    let x = killed.node.clone();
    let third = c
        .nodes
        .iter()
        .map(|n| n.name.clone())
        .find(|n| *n != holder && *n != x)
        .unwrap_or_default();
    let want = format!("served by {third}");
    let served = wait_until(Duration::from_secs(60), || {
        c.client_get().as_deref() == Some(want.as_str())
    });
    let took = now() - t0;
    let settled = wait_until(Duration::from_secs(30), || {
        c.locate(RSC) == [third.clone()] && c.dc_idle()
    });
    thread::sleep(Duration::from_secs(2));
    let what = format!(
        "{holder} powered off, start on {x} SIGKILLed after {:.2} s (address bound: {})",
        killed.ran, killed.bound
    );
    let (n, span, timeline) = no_two_copies(watch, &what, 5.0);
    assert!(
        served && settled,
        "not served by {third} within 60 s:\n{}\n{timeline}",
        c.crm_mon()
    );
    // the failed start, recorded; what it left on x stopped
    let logs: String = c.nodes.iter().map(|n| c.pacemaker_log(&n.name)).collect();
    let start_result = logs
        .lines()
        .find(|l| l.contains(&format!("Result of start operation for {RSC} on {x}")))
        .map(str::to_string);
    assert!(
        start_result
            .as_deref()
            .is_some_and(|l| !l.contains(": ok ") && !l.ends_with(": ok")),
        "no failed start on {x} recorded: {start_result:?}"
    );
    assert!(
        logs.lines()
            .any(|l| l.contains(&format!("Result of stop operation for {RSC} on {x}: ok"))),
        "the killed start's leftovers on {x} were not stopped"
    );
    assert!(!vip_in(&c.node(&x).ns()), "{x} kept {VIP}");
    assert!(
        !c.container_running(&x, "croit"),
        "the container runs on {x}"
    );
    // nothing of the killed start is left (no announcer either)
    assert_eq!(agent_pids(c.node(&x), "start"), Vec::<i32>::new());
    let fences = fences_since(&c, t0);
    assert!(
        fences.iter().all(|e| e.target == holder),
        "only the dead holder is fenced: {fences:?}"
    );
    restore(&mut c);
    one_holder(&c, RSC, "croit", &third);
    note(
        "cluster-start-killed.md",
        &format!(
            "{what}: failed start recorded ({start_result:?}), served by {third} {took:.1} s \
             after the power-off; {n} samples over {span:.0} s, none with two copies\n{timeline}"
        ),
    );
}
