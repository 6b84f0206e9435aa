//! What every cluster scenario (tests/cluster*.rs) starts with, and the
//! stock pair (IPaddr2 + heartbeat docker) the scenarios measure ours
//! against.

use crate::cluster::{fencing, Cluster, Setup, IMAGE};
use crate::install::install_agent;

/// Corosync's token timeout (ms) in every scenario.
pub const TOKEN: u32 = 1000;

/// A cluster of `nodes` nodes (default setup, token [`TOKEN`]), see
/// [`cluster_with`].
pub fn cluster(nodes: usize) -> Cluster {
    cluster_with(Setup {
        nodes,
        token: TOKEN,
        live_restore: false,
    })
}

/// The preamble: the cluster of `setup` started (which takes the cluster
/// lock first: one cluster at a time) and, under that lock, the agent just
/// built installed at the OCF path (nobody else installs meanwhile).
pub fn cluster_with(setup: Setup) -> Cluster {
    crate::privileged::require_root("a Pacemaker cluster in namespaces");
    let c = Cluster::start(setup);
    install_agent();
    c
}

/// The stock pair as one group `svc`: `ocf:heartbeat:IPaddr2` (resource
/// `vip`, address `ip`/`netmask` on eth0) then `ocf:heartbeat:docker`
/// (resource `web`, container `hc-web` of the scenarios' image), both
/// monitored every 2 s, the group with the fence priority; `meta` is more of
/// the group's meta attributes (" migration-threshold=1").
pub fn create_stock(c: &Cluster, vip: &str, ip: &str, netmask: u8, meta: &str) {
    c.sh_on(
        "n1",
        &format!(
            "pcs resource create {vip} ocf:heartbeat:IPaddr2 ip={ip} cidr_netmask={netmask} nic=eth0 \
             op monitor interval=2s --group svc && \
             pcs resource create web ocf:heartbeat:docker image={IMAGE} name=hc-web \
             run_opts='--network host --init' run_cmd=/start.sh op monitor interval=2s --group svc && \
             pcs resource meta svc priority={}{meta}",
            fencing::PRIORITY
        ),
    );
}
