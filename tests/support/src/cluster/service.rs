//! The service the cluster runs: the image on every node, the containers,
//! and our resource with the checks the scenarios share.

use std::fs::File;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use super::{fencing, wait_until, Cluster, Node, DIR, IMAGE, PATH, VIP};

/// The id of our resource in every scenario.
pub const RSC: &str = "pxe";

impl Cluster {
    pub(super) fn import_image(&self, n: &Node) {
        assert!(
            n.docker_ready(Duration::from_secs(60)),
            "dockerd of {} did not come up",
            n.name
        );
        let tar = Path::new(DIR).join("rootfs.tar");
        let t = n.tini().expect("node up").to_string();
        let status = Command::new("nsenter")
            .args(["-t", &t, "-n", "-m", "-u", "-i", "-p", "--", "env", PATH])
            .args(["docker", "import", "--change", "CMD [\"/start.sh\"]"])
            .args(["-", IMAGE])
            .stdin(File::open(&tar).expect("rootfs tar"))
            .stdout(Stdio::null())
            .status()
            .expect("docker import");
        assert!(status.success(), "docker import on {}", n.name);
    }

    /// Creates the container `name` on every node that is up, stopped, with
    /// restart policy `no`, host network, and a HEALTHCHECK that fails while
    /// `/run/h/sick` exists (a tmpfs: a restart heals it).
    pub fn create_container(&self, name: &str) {
        for n in self.nodes.iter().filter(|n| n.is_up()) {
            self.on_ok(
                &n.name,
                &[
                    "docker",
                    "create",
                    "--name",
                    name,
                    "--network",
                    "host",
                    "--init",
                    "--restart",
                    "no",
                    "--tmpfs",
                    "/run/h",
                    "--health-cmd",
                    "test ! -e /run/h/sick",
                    "--health-interval",
                    "1s",
                    "--health-retries",
                    "1",
                    "--health-timeout",
                    "2s",
                    IMAGE,
                    "/start.sh",
                ],
            );
        }
    }

    /// The full id of the node's copy of container `name`.
    pub fn container_id(&self, node: &str, name: &str) -> String {
        self.on_ok(node, &["docker", "inspect", "-f", "{{.Id}}", name])
            .trim()
            .to_string()
    }

    /// Whether the container runs on a node (false when the node is down).
    pub fn container_running(&self, node: &str, name: &str) -> bool {
        if !self.node(node).is_up() {
            return false;
        }
        let o = self.on(
            node,
            &["docker", "inspect", "-f", "{{.State.Running}}", name],
        );
        String::from_utf8_lossy(&o.stdout).trim() == "true"
    }
}

/// Our resource on container `croit` (created on every node), with the
/// priority that makes its holder win a fence race; `ops` are more
/// operations (`stop timeout=20s`).
pub fn create_ours(c: &Cluster, ops: &str) {
    c.create_container("croit");
    c.sh_on(
        "n1",
        &format!(
            "pcs resource create {RSC} ocf:croit:container ip={VIP}/24 nic=eth0 container=croit \
             op monitor interval=2s timeout=20s {ops} meta priority={}",
            fencing::PRIORITY
        ),
    );
}

/// Waits until `rsc` runs on `node` only and the DC is idle.
#[track_caller]
pub fn wait_started(c: &Cluster, rsc: &str, node: &str) {
    let ok = wait_until(Duration::from_secs(40), || {
        c.locate(rsc) == [node.to_string()] && c.dc_idle()
    });
    assert!(ok, "{rsc} not started on {node}:\n{}", c.crm_mon());
}

/// The resource runs on `node` only; the address and the container are
/// there and nowhere else.
#[track_caller]
pub fn one_holder(c: &Cluster, rsc: &str, container: &str, node: &str) {
    wait_started(c, rsc, node);
    assert_eq!(c.holder(), node, "address holder");
    for n in &c.nodes {
        assert_eq!(
            c.container_running(&n.name, container),
            n.name == node,
            "container {container} on {}",
            n.name
        );
    }
}
