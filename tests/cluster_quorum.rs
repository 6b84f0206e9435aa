//! Three nodes, quorum decides (no `two_node`, `no-quorum-policy=stop`):
//! the holder's cluster ring cut while its service LAN stays up. The holder
//! is the minority of one: it loses quorum, stops its resources and is
//! fenced by the majority, which starts the service. Watched from outside
//! by the copy checker (tests/support/src/copies.rs): never two live copies.
//!
//! Privileged (root, namespaces, corosync, pacemaker, dockerd): `#[ignore]`d
//! for the quick loop, run by tests/run.sh. One cluster at a time (a lock).

use scenario::TOKEN;
use support::{cluster, fenced, procs, scenario};

use std::thread;
use std::time::Duration;

use cluster::faults::{restore, Fault};
use cluster::now;
use cluster::service::{create_ours, one_holder, RSC};
use cluster::watch::{first_log, parse_tcpdump, Watcher};
use fenced::{fences_since, no_two_copies, note, started, watch_copies};

/// The bounds of this scenario, from the token (T) and the fence timing:
/// with N nodes corosync's effective token is T + 650 ms x (N - 2)
/// (`token_coefficient`), 1.65 s here, and the new membership forms after
/// the consensus timeout (1.2 x that) on top: M = 2.2 x 1.65 = 3.63 s
/// (measured 3.56 and 3.54 s). The majority's fence of the lost node runs
/// once its DC has scheduled it (measured 0.15 and 1.2 s later) and the
/// service starts then: address, first announcement, container, the
/// client's next request (measured 0.65 s). Budget: fenced by M + 2.5 s,
/// served 3 s after that (a loaded two-core machine gets about 2x).
const MEMBERSHIP_S: f64 = 2.2 * (TOKEN as f64 + 650.0) / 1000.0;
const FENCED_WITHIN_S: f64 = MEMBERSHIP_S + 2.5;
const SERVED_WITHIN_S: f64 = FENCED_WITHIN_S + 3.0;

/// The holder (a minority of one) loses its ring: it is fenced by the
/// majority, the majority serves, at most one node ever runs a copy, and
/// the fenced node answers no ARP for the address after the takeover.
#[test]
#[ignore = "needs root, corosync, pacemaker and dockerd: run by tests/run.sh"]
fn three_nodes_minority_holder_is_fenced_and_the_majority_serves() {
    let mut c = scenario::cluster(3);
    let quorum = c.on_ok("n1", &["corosync-quorumtool", "-s"]);
    assert!(
        quorum.contains("Quorate:          Yes")
            && quorum.contains("Expected votes:   3")
            && !quorum.contains("2Node"),
        "not a three-node quorum:\n{quorum}"
    );
    let policy = c.on_ok(
        "n1",
        &[
            "crm_attribute",
            "--type",
            "crm_config",
            "-G",
            "-n",
            "no-quorum-policy",
            "-q",
        ],
    );
    assert_eq!(policy.trim(), "stop");
    create_ours(&c, "");
    let (holder, _) = started(&c);
    let holder_mac = c.node(&holder).mac.clone();
    let majority: Vec<String> = c
        .nodes
        .iter()
        .map(|n| n.name.clone())
        .filter(|n| *n != holder)
        .collect();
    let (watch, holder_id) = watch_copies(&c, &holder);
    let dump = Watcher::start(
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
    let t0 = now();
    Fault::RingCut(holder.clone()).inject(&mut c);
    let mut served = None;
    let mut by = String::new();
    while now() - t0 < 60.0 {
        if let Some(body) = c.client_get() {
            if let Some(n) = majority.iter().find(|n| body == format!("served by {n}")) {
                served = Some(now() - t0);
                by = n.clone();
                break;
            }
        }
        thread::sleep(Duration::from_millis(100));
    }
    thread::sleep(Duration::from_secs(3));
    let frames = parse_tcpdump(&dump.stop());
    let what = format!("ring of the holder {holder} cut, three nodes");
    let (n, span, timeline) = no_two_copies(watch, &what, 5.0);
    let Some(served) = served else {
        panic!(
            "the majority did not serve within 60 s:\n{}\n{timeline}",
            c.crm_mon()
        );
    };
    let fences = fences_since(&c, t0);
    let fenced = fences
        .iter()
        .find(|e| e.action == "off" && e.target == holder && e.rc == 0)
        .map(|e| e.done - t0);
    assert!(
        fences.iter().all(|e| e.target == holder)
            && fences.iter().all(|e| majority.contains(&e.from)),
        "only the majority fences, only the holder: {fences:?}"
    );
    let Some(fenced) = fenced else {
        panic!("{holder} was not fenced: {fences:?}\n{}", c.crm_mon());
    };
    assert!(!c.node(&holder).is_up(), "{holder} still powered on");
    assert!(
        procs::live_pids(&holder_id).is_empty(),
        "the copy on the fenced {holder} still runs"
    );
    let membership = first_log(&c.corosync_log(&by), "A new membership", t0).map(|t| t - t0);
    // the minority lost quorum (its own log), the majority kept it
    let lost = first_log(&c.pacemaker_log(&holder), "quorum lost", t0)
        .or_else(|| first_log(&c.pacemaker_log(&holder), "Quorum lost", t0))
        .map(|t| t - t0);
    // the address taken over: the fenced node answers no ARP for it afterwards
    let late = frames
        .iter()
        .filter(|f| f.t > t0 + served && f.src_mac == holder_mac && f.is_reply_for_vip())
        .count();
    assert_eq!(late, 0, "the fenced {holder} answered ARP for the address");
    let text = format!(
        "{what}: new membership at {membership:?} s, minority lost quorum at {lost:?} s, \
         {holder} fenced at {fenced:.2} s (bound {FENCED_WITHIN_S:.1} s), served by {by} at \
         {served:.2} s (bound {SERVED_WITHIN_S:.1} s); fences {fences:?}; {n} samples over \
         {span:.0} s, none with two copies\n{timeline}"
    );
    eprintln!("{text}");
    assert!(
        fenced <= FENCED_WITHIN_S,
        "fenced after {fenced:.2} s > {FENCED_WITHIN_S:.1} s"
    );
    assert!(
        served <= SERVED_WITHIN_S,
        "served after {served:.2} s > {SERVED_WITHIN_S:.1} s"
    );

    // Healed and booted again: the old holder rejoins and runs nothing.
    restore(&mut c);
    one_holder(&c, RSC, "croit", &by);
    note("cluster-quorum.md", &text);
}
