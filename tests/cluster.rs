//! Under real Pacemaker, fencing on (tests/support/src/cluster/fencing.rs): a
//! single-node cluster recovers the agent's failures, reloads settings
//! without a restart and takes over from croit's shell agent without a
//! blink. The two-node failover timed next to the stock pair is
//! tests/cluster_failover.rs; the fault scenarios that end in a fence, or
//! must not, are in tests/cluster_fencing.rs.
//!
//! Privileged (root, namespaces, corosync, pacemaker, dockerd): `#[ignore]`d
//! for the quick loop, run by tests/run.sh. The tests take one lock and run
//! one cluster at a time.

use support::{cluster, scenario};

use std::time::Duration;

use cluster::service::{create_ours, wait_started, RSC};
use cluster::{Cluster, VIP};

#[test]
#[ignore = "needs root, corosync, pacemaker and dockerd: run by tests/run.sh"]
fn single_node_recovers_failures() {
    let c = scenario::cluster(1);
    create_ours(&c, "");
    wait_started(&c, RSC, "n1");
    let mon = c.crm_mon();
    assert!(
        mon.lines()
            .any(|l| l.contains(RSC) && l.contains("Started n1")),
        "crm_mon does not show {RSC} Started:\n{mon}"
    );
    assert!(c.has_vip("n1") && c.container_running("n1", "croit"));
    assert_eq!(c.client_get().as_deref(), Some("served by n1"));

    // The container killed behind Pacemaker's back: the next monitor fails
    // with our reason and Pacemaker recovers it (stop + start) on its own.
    c.on_ok("n1", &["docker", "kill", "croit"]);
    recovered(&c, "is bound but container croit is not running");

    // The address deleted by hand: the same.
    c.delete_vip("n1");
    recovered(
        &c,
        &format!("container croit runs but {VIP}/24 is not bound"),
    );

    // debug-start against the live CIB prints the agent's log and returns 0.
    let o = c.on("n1", &["pcs", "resource", "debug-start", RSC, "--full"]);
    let text = String::from_utf8_lossy(&o.stdout).to_string() + &String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "debug-start:\n{text}");
    assert!(
        text.contains(&format!("container({RSC})")),
        "no agent log in debug-start:\n{text}"
    );

    // disable stops both, enable brings both back.
    c.on_ok("n1", &["pcs", "resource", "disable", RSC, "--wait=30"]);
    assert!(
        c.locate(RSC).is_empty(),
        "{RSC} still located after disable"
    );
    assert!(!c.has_vip("n1"), "address left after disable");
    assert!(
        !c.container_running("n1", "croit"),
        "container left running after disable"
    );
    c.on_ok("n1", &["pcs", "resource", "enable", RSC, "--wait=30"]);
    wait_started(&c, RSC, "n1");
    assert!(c.has_vip("n1") && c.container_running("n1", "croit"));

    // An unhealthy container (its HEALTHCHECK fails): recovered.
    c.on_ok("n1", &["docker", "exec", "croit", "touch", "/run/h/sick"]);
    recovered(&c, "container croit is unhealthy");

    // With migration-threshold=1 the first failure bans it from the node:
    // on a single node it ends stopped, container and address gone.
    c.on_ok(
        "n1",
        &["pcs", "resource", "meta", RSC, "migration-threshold=1"],
    );
    c.settle();
    c.on_ok("n1", &["docker", "exec", "croit", "touch", "/run/h/sick"]);
    let banned = cluster::wait_until(Duration::from_secs(30), || {
        c.locate(RSC).is_empty() && c.dc_idle()
    });
    assert!(
        banned,
        "{RSC} not banned after an unhealthy monitor:\n{}",
        c.crm_mon()
    );
    let mon = c.crm_mon();
    assert!(
        mon.contains("container croit is unhealthy"),
        "no exit reason:\n{mon}"
    );
    assert!(!c.has_vip("n1"), "address left behind by the ban");
    assert!(
        !c.container_running("n1", "croit"),
        "container left running by the ban"
    );
}

/// Waits for a failed monitor carrying `reason`, then for Pacemaker's own
/// recovery (container running, address bound, client served), then clears
/// the failure for the next scenario.
/// `pcs resource update` of reloadable parameters on a running resource:
/// Pacemaker calls reload-agent (the operation history shows it), the
/// container is not restarted (same StartedAt), the address never leaves
/// (no removal in the log), the client is served throughout. A malformed
/// reloadable value is refused with our reason; a new `ip` restarts it.
#[test]
#[ignore = "needs root, corosync, pacemaker and dockerd: run by tests/run.sh"]
fn single_node_reloads_settings_without_a_restart() {
    let c = scenario::cluster(1);
    create_ours(&c, "");
    wait_started(&c, RSC, "n1");
    let started_at = |c: &Cluster| {
        c.on_ok(
            "n1",
            &["docker", "inspect", "-f", "{{.State.StartedAt}}", "croit"],
        )
        .trim()
        .to_string()
    };
    let ops = |c: &Cluster| {
        String::from_utf8_lossy(
            &c.on(
                "n1",
                &["crm_resource", "--list-operations", "--resource", RSC],
            )
            .stdout,
        )
        .into_owned()
    };
    let before = started_at(&c);
    let log_before = c.pacemaker_log("n1").len();
    c.on_ok(
        "n1",
        &[
            "pcs",
            "resource",
            "update",
            RSC,
            "arp_count=3",
            "monitor_cmd=true",
        ],
    );
    // Pacemaker records a reload under the start's key (call id and digest
    // renewed): its log names the operation.
    let reload_line = format!("Result of reload-agent operation for {RSC} on n1: ok");
    let reloaded = cluster::wait_until(Duration::from_secs(30), || {
        let log = c.pacemaker_log("n1");
        log.get(log_before..).unwrap_or("").contains(&reload_line) && c.dc_idle()
    });
    assert!(
        reloaded,
        "Pacemaker did not call reload-agent:\n{}",
        ops(&c)
    );
    // a few monitors with the new monitor_cmd
    std::thread::sleep(Duration::from_secs(5));
    assert_eq!(started_at(&c), before, "the container was restarted");
    assert!(c.has_vip("n1"), "the address left");
    assert_eq!(c.client_get().as_deref(), Some("served by n1"));
    let log = c.pacemaker_log("n1");
    let since = log.get(log_before..).unwrap_or("");
    assert!(
        !since.contains(&format!("removed {VIP}")) && !since.contains("stopped container croit"),
        "reload stopped something:\n{since}"
    );
    assert!(
        !c.crm_mon().contains("Failed Resource Actions"),
        "{}",
        c.crm_mon()
    );
    let history: Vec<&str> = since
        .lines()
        .filter(|l| l.contains("reload-agent") || l.contains("Actions:"))
        .collect();
    eprintln!(
        "operation history after the reload:\n{}\n{}",
        ops(&c),
        history.join("\n")
    );

    // A malformed reloadable value: reload-agent answers 6 with our reason.
    c.on_ok("n1", &["pcs", "resource", "update", RSC, "arp_count=0"]);
    let refused = cluster::wait_until(Duration::from_secs(30), || {
        c.crm_mon().contains("arp_count")
    });
    assert!(refused, "our reason is not shown:\n{}", c.crm_mon());

    // A new address is not reloadable: the resource restarts with it.
    c.on_ok(
        "n1",
        &[
            "pcs",
            "resource",
            "update",
            RSC,
            "arp_count=3",
            "ip=10.78.0.51/24",
        ],
    );
    c.on_ok("n1", &["pcs", "resource", "cleanup", RSC]);
    let moved = cluster::wait_until(Duration::from_secs(40), || {
        let o = std::process::Command::new("ip")
            .args(["-n", "hc-n1", "-o", "addr", "show", "dev", "eth0"])
            .output();
        let text = o
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default();
        text.contains(" 10.78.0.51/24") && !text.contains(&format!(" {VIP}/")) && c.dc_idle()
    });
    assert!(moved, "the new address is not bound:\n{}", c.crm_mon());
    assert_ne!(
        started_at(&c),
        before,
        "a new ip did not restart the container"
    );
}

#[track_caller]
fn recovered(c: &Cluster, reason: &str) {
    let failed = cluster::wait_until(Duration::from_secs(20), || c.crm_mon().contains(reason));
    assert!(
        failed,
        "no failed action with reason {reason:?}:\n{}",
        c.crm_mon()
    );
    let mon = c.crm_mon();
    assert!(
        mon.contains("Failed Resource Actions")
            && mon
                .lines()
                .any(|l| l.contains(&format!("{RSC} 2s-interval monitor on n1"))
                    && l.contains(reason)),
        "the failure is not a failed monitor of {RSC}:\n{mon}"
    );
    let back = cluster::wait_until(Duration::from_secs(30), || {
        c.dc_idle() && c.has_vip("n1") && c.container_running("n1", "croit")
    });
    assert!(back, "not recovered after {reason:?}:\n{}", c.crm_mon());
    wait_started(c, RSC, "n1");
    let served = cluster::wait_until(Duration::from_secs(10), || {
        c.client_get().as_deref() == Some("served by n1")
    });
    assert!(served, "client not served after recovery from {reason:?}");
    c.on_ok("n1", &["pcs", "resource", "cleanup", RSC]);
    c.settle();
    assert!(!c.crm_mon().contains(reason), "failure not cleared");
}

/// The migration from croit's shell agent (docs/migrating.md), rehearsed on a live
/// single-node cluster: the old resource runs, the commands swap it for
/// ocf:croit:container, and neither the container nor the address blinks.
#[test]
#[ignore = "needs root, corosync, pacemaker and dockerd: run by tests/run.sh"]
fn single_node_migration_from_croits_agent_keeps_service_up() {
    let c = scenario::cluster(1);
    let old_agent = std::env::var("CROIT_SHELL_AGENT").unwrap_or_else(|_| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/cluster/croit-standin.sh"
        )
        .to_string()
    });
    let _old = InstalledOld::new(&old_agent);
    c.create_container("croit");
    // Bring the service up first: croit's agent reports a created, never
    // started container as running (its error code variable is unset), so
    // its probe would never let Pacemaker start it.
    c.on_ok("n1", &["docker", "start", "croit"]);
    c.on_ok(
        "n1",
        &["ip", "address", "add", &format!("{VIP}/24"), "dev", "eth0"],
    );
    c.sh_on(
        "n1",
        &format!(
            "pcs resource create croit ocf:croit:croit ip={VIP}/24 nic=eth0 op monitor interval=10s"
        ),
    );
    wait_started(&c, "croit", "n1");
    assert!(c.has_vip("n1") && c.container_running("n1", "croit"));
    let started_at = |c: &Cluster| {
        c.on_ok(
            "n1",
            &["docker", "inspect", "-f", "{{.State.StartedAt}}", "croit"],
        )
    };
    let before = started_at(&c);

    // Watch the service from the client and the address on the node throughout.
    let watch = cluster::ServiceWatch::start("n1");
    for cmd in MIGRATION {
        c.sh_on("n1", cmd);
    }
    c.settle();
    let seen = watch.stop();

    assert_eq!(c.locate(RSC), ["n1".to_string()], "{}", c.crm_mon());
    assert!(
        c.locate("croit").is_empty(),
        "old resource still known:\n{}",
        c.crm_mon()
    );
    let mon = c.crm_mon();
    assert!(
        !mon.contains("Failed Resource Actions"),
        "failures after migration:\n{mon}"
    );
    assert_eq!(
        before,
        started_at(&c),
        "the container was restarted by the migration"
    );
    assert_eq!(
        seen.addr_deleted, 0,
        "the address was removed during the migration: {seen:?}"
    );
    assert!(
        seen.requests > 20,
        "too few client requests to tell: {seen:?}"
    );
    assert_eq!(
        seen.failed, 0,
        "client requests failed during the migration: {seen:?}"
    );

    // The new resource really manages it now: a kill is recovered.
    c.on_ok("n1", &["docker", "kill", "croit"]);
    recovered(&c, "is bound but container croit is not running");
}

/// The migration commands exactly as docs/migrating.md gives them (`croit` is the
/// old resource's id, `pxe` the new one; the address and NIC are the same).
const MIGRATION: &[&str] = &[
    "pcs property set maintenance-mode=true",
    "pcs cluster cib /tmp/mig.xml",
    "pcs -f /tmp/mig.xml resource delete croit",
    "pcs -f /tmp/mig.xml resource create pxe ocf:croit:container ip=10.78.0.50/24 nic=eth0 container=croit op monitor interval=2s",
    "pcs cluster cib-push /tmp/mig.xml --config",
    "pcs resource refresh pxe",
    "crm_resource --refresh --resource croit",
    "pcs property set maintenance-mode=false",
];

/// croit's agent (or the stand-in) at ocf:croit:croit for the test's duration.
struct InstalledOld;

impl InstalledOld {
    const PATH: &'static str = "/usr/lib/ocf/resource.d/croit/croit";
    fn new(src: &str) -> InstalledOld {
        assert!(
            !std::path::Path::new(Self::PATH).exists(),
            "{} exists already: not ours to replace",
            Self::PATH
        );
        std::fs::copy(src, Self::PATH).expect("install the old agent");
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(Self::PATH, std::fs::Permissions::from_mode(0o755))
            .expect("chmod");
        InstalledOld
    }
}

impl Drop for InstalledOld {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(Self::PATH);
    }
}
