//! Faults the harness injects into a running cluster, and the way back to
//! a healthy one. Each scenario injects one; a campaign can draw them at
//! random and call [`restore`] between two.

use super::{network, Cluster};

/// One fault, aimed at a node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// PID 1 SIGKILLed, LAN and ring ports down.
    PowerOff(String),
    /// The node's ring port cut off the ring bridge; its LAN stays up.
    RingCut(String),
    /// The node's dockerd SIGKILLed (its containers run on under their shims).
    EngineKill(String),
    /// The node's dockerd SIGTERMed (with live-restore its containers run on).
    EngineStop(String),
    /// The node's dockerd frozen (SIGSTOP).
    EngineFreeze(String),
    /// The container killed through the node's dockerd.
    ContainerKill(String, String),
    /// The container frozen (`docker pause`).
    ContainerPause(String, String),
    /// The node's service LAN port down on the bridge: its eth0 loses carrier.
    NicDown(String),
    /// The virtual address deleted by hand on the node.
    VipDelete(String),
}

impl Fault {
    pub fn node(&self) -> &str {
        match self {
            Fault::PowerOff(n)
            | Fault::RingCut(n)
            | Fault::EngineKill(n)
            | Fault::EngineStop(n)
            | Fault::EngineFreeze(n)
            | Fault::ContainerKill(n, _)
            | Fault::ContainerPause(n, _)
            | Fault::NicDown(n)
            | Fault::VipDelete(n) => n,
        }
    }

    /// Makes it happen; returns once it has (the engine gone, the node off).
    pub fn inject(&self, c: &mut Cluster) {
        let n = self.node().to_string();
        match self {
            Fault::PowerOff(_) => c.power_off(&n),
            Fault::RingCut(_) => network::cut_ring(c.node(&n)),
            Fault::EngineKill(_) => {
                c.sh_on(&n, "kill -KILL $(cat /run/hc-dockerd.pid)");
            }
            Fault::EngineStop(_) => {
                c.sh_on(
                    &n,
                    "p=$(cat /run/hc-dockerd.pid) && kill -TERM $p && \
                     for _ in $(seq 400); do kill -0 $p 2>/dev/null || exit 0; sleep 0.05; done; \
                     exit 1",
                );
            }
            Fault::EngineFreeze(_) => {
                c.sh_on(&n, "kill -STOP $(cat /run/hc-dockerd.pid)");
            }
            Fault::ContainerKill(_, name) => {
                c.on_ok(&n, &["docker", "kill", name]);
            }
            Fault::ContainerPause(_, name) => {
                c.on_ok(&n, &["docker", "pause", name]);
            }
            Fault::NicDown(_) => network::carrier(c.node(&n), false),
            Fault::VipDelete(_) => c.delete_vip(&n),
        }
    }
}

/// Back to a healthy cluster, whatever happened: every ring port attached,
/// every node's LAN port up (a node that is off stays unplugged), a paused
/// container unpaused, a frozen dockerd thawed, a node whose dockerd is
/// gone given its dockerd again (the boot's flags: without live-restore its
/// restore ends the containers its predecessor left running, which the
/// monitor then finds stopped; under live-restore it keeps them), every
/// node that is off booted, all online, failures cleaned up.
pub fn restore(c: &mut Cluster) {
    let names: Vec<String> = c.nodes.iter().map(|n| n.name.clone()).collect();
    for n in &c.nodes {
        network::heal_ring(n);
        if n.is_up() {
            network::carrier(n, true);
        }
    }
    for name in &names {
        if !c.node(name).is_up() {
            continue;
        }
        let st = c.on(
            name,
            &[
                "sh",
                "-c",
                "sed -n 's/^State:\t\\(.\\).*/\\1/p' /proc/$(cat /run/hc-dockerd.pid)/status",
            ],
        );
        match String::from_utf8_lossy(&st.stdout).trim() {
            "T" => {
                c.sh_on(name, "kill -CONT $(cat /run/hc-dockerd.pid)");
            }
            "S" | "R" | "D" => {
                let _ = c.on(
                    name,
                    &[
                        "sh",
                        "-c",
                        "docker ps -q --filter status=paused | xargs -r docker unpause",
                    ],
                );
            }
            _ => c.engine_start(name),
        }
    }
    for name in &names {
        if !c.node(name).is_up() {
            c.power_on(name);
        }
    }
    c.wait_online();
    let up = c.any_up().to_string();
    c.on_ok(&up, &["pcs", "resource", "cleanup"]);
    c.settle();
}
