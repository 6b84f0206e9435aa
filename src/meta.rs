//! What the agent is, as its meta-data says: the description, the
//! parameters (declared in [`crate::params`]) and the actions with their
//! default timeouts. Below the actions: their timing rules read the
//! timeouts here.

use ra_api::{ActionSpec, AgentMeta};

use crate::params::PARAMS;

/// The published meta-data (also committed as `agents/container.xml`).
pub const META: AgentMeta = AgentMeta {
    name: "container",
    version: env!("CARGO_PKG_VERSION"),
    shortdesc: "A Docker container and the virtual IP address it serves",
    longdesc: "Runs one pre-deployed Docker container and the virtual IP address it serves as one \
resource. start binds the address with netlink, announces it with gratuitous ARP (IPv4) or \
unsolicited neighbour advertisements (IPv6, after duplicate address detection) and starts the \
container through the Docker Engine API; stop stops the container (SIGTERM, grace period, \
SIGKILL) and, once it is down, removes the address; monitor checks the container's state and \
health check and that the address is bound to an interface that is up. The container is \
remembered by full id and name and checked again on every action: one renamed or replaced while \
it runs is reported (1) and ended by stop. When the engine cannot be asked (dockerd killed or \
frozen, live-restore, Podman's service gone), the container's processes are found in /proc and \
named from the engine's files on disk; never reported stopped while one lives: running, named \
and serving is degraded (190, or 0 for an OCF 1.0 caller), anything less certain is 1, and stop \
ends them through the kernel. A crash-looping or paused container, an \
unhealthy one, or an address bound without its container (or the reverse) fail the monitor. \
Every Engine API and netlink call is bounded by the operation's timeout, and the agent never \
runs a shell or another program. Use the container's host network so that it serves the address.",
    params: PARAMS,
    actions: &[
        ActionSpec::new("start", 60),
        ActionSpec::new("stop", 60),
        ActionSpec::new("monitor", 30).interval(10).depth(0),
        ActionSpec::new("validate-all", 20),
        ActionSpec::new("reload-agent", 20),
        ActionSpec::new("meta-data", 5),
    ],
};
