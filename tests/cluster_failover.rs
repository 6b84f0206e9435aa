//! Under real Pacemaker, fencing on (tests/support/src/cluster/fencing.rs): a
//! two-node cluster moves the address and the container gracefully, then
//! fails them over on ten power failures in a row (the survivor fences the
//! dead node first), and the stock IPaddr2 + heartbeat docker group does
//! the same five times in the same run; the timing table of both is written
//! to target/tmp/cluster-timing.md (tests/run.sh prints it).
//!
//! Privileged (root, namespaces, corosync, pacemaker, dockerd): `#[ignore]`d
//! for the quick loop, run by tests/run.sh. The tests take one lock and run
//! one cluster at a time.

use scenario::TOKEN;
use support::{cluster, scenario};

use std::time::Duration;

use cluster::service::{create_ours, one_holder, RSC};
use cluster::VIP;

#[test]
#[ignore = "needs root, corosync, pacemaker and dockerd: run by tests/run.sh"]
fn two_nodes_fail_over_ours_and_the_stock_pair() {
    let mut c = scenario::cluster(2);
    create_ours(&c, "");
    let ok = cluster::wait_until(Duration::from_secs(40), || {
        c.locate(RSC).len() == 1 && c.dc_idle()
    });
    assert!(ok, "{RSC} did not start:\n{}", c.crm_mon());
    let holder = c.holder();
    assert!(c.container_running(&holder, "croit"));

    // Graceful move: stop on one node, then start on the other; the address
    // is never on both (netlink events of both nodes, frames on the client).
    let m = cluster::graceful_move(&c, RSC);
    let (Some(deleted), Some(added)) = (m.deleted, m.added) else {
        panic!("address events not seen during the move: {m:?}");
    };
    assert!(
        deleted < added,
        "address on both nodes during the move: {m:?}"
    );
    assert!(
        m.new_frames > 0,
        "no announcement from {} after the move",
        m.to
    );
    assert_eq!(
        m.old_frames_after_new, 0,
        "old node still talked about the address: {m:?}"
    );
    one_holder(&c, RSC, "croit", &m.to);

    // Ten power failures in a row, alternating nodes.
    let mut ours = Vec::new();
    for round in 0..10 {
        let f = cluster::failover(&mut c, RSC);
        check_failover(&f, round);
        c.power_on(&f.from);
        one_holder(&c, RSC, "croit", &f.to);
        ours.push(f);
    }

    // The stock pair in the same run: group of IPaddr2 + heartbeat docker.
    c.on_ok("n1", &["pcs", "resource", "delete", RSC]);
    c.settle();
    assert!(
        c.nodes.iter().all(|n| !c.has_vip(&n.name)),
        "address left after delete"
    );
    scenario::create_stock(&c, "vip", VIP, 24, "");
    let ok = cluster::wait_until(Duration::from_secs(60), || {
        c.locate("web").len() == 1 && c.dc_idle()
    });
    assert!(ok, "stock group did not start:\n{}", c.crm_mon());
    let mut stock = Vec::new();
    for round in 0..5 {
        let f = cluster::failover(&mut c, "vip");
        check_failover(&f, round);
        c.power_on(&f.from);
        one_holder(&c, "web", "hc-web", &f.to);
        stock.push(f);
    }

    let runs = [
        ("ocf:croit:container", &ours[..]),
        ("IPaddr2 + docker", &stock[..]),
    ];
    let table = format!(
        "{}\n{}",
        cluster::timing_table(TOKEN, &runs),
        cluster::failover_rows(&runs)
    );
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("cluster-timing.md");
    let _ = std::fs::write(&path, &table);
    eprintln!("{table}\n(written to {})", path.display());
}

/// Every failover must end served by the survivor, the client switched by
/// announcements alone, and no answer for the address from the dead node.
#[track_caller]
fn check_failover(f: &cluster::Failover, round: usize) {
    assert!(
        f.bound.is_some(),
        "round {round}: address never bound on {}: {f:?}",
        f.to
    );
    assert!(
        f.first_garp.is_some(),
        "round {round}: no announcement seen: {f:?}"
    );
    assert!(
        f.neigh_switched.is_some(),
        "round {round}: client kept the old MAC: {f:?}"
    );
    assert!(
        f.served.is_some(),
        "round {round}: client not served by {}: {f:?}",
        f.to
    );
    assert_eq!(
        f.client_requests_before_switch, 0,
        "round {round}: the client asked itself; the switch proves nothing: {f:?}"
    );
    assert_eq!(
        f.old_replies_after, 0,
        "round {round}: old node answered ARP: {f:?}"
    );
}
