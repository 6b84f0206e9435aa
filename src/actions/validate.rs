//! validate-all, and the node checks every start runs first.

use crate::engine::{ContainerState, Engine};
use crate::error::Error;
use crate::observe::{resolve, Target};
use crate::params::Config;
use crate::privilege;

use super::Io;

/// What start needs to know after a successful check of this node.
pub struct Checked {
    /// The interface and prefix.
    pub target: Target,
    /// The container as it is now.
    pub container: ContainerState,
}

/// Checks this node without changing anything: privileges, the interface and
/// prefix, the engine, the container, its restart policy, and that the
/// address is not bound to another interface here.
pub async fn check_node(io: &Io, cfg: &Config) -> Result<Checked, Error> {
    privilege::require_net_admin_and_raw()?;
    let (target, container) = tokio::join!(resolve(&io.nl, cfg), io.engine.inspect(&cfg.container));
    let target = target?;
    let container = container?.ok_or_else(|| Error::ContainerMissing {
        container: cfg.container.clone(),
    })?;
    io.records
        .remember(&cfg.docker_host, &cfg.container, &container.id);
    if container.restart_policy != "no" && !cfg.fix_restart_policy {
        return Err(Error::RestartPolicy {
            container: cfg.container.clone(),
            policy: container.restart_policy.clone(),
        });
    }
    for other in &target.bound {
        if other.link_index != target.link.index {
            let name = match io.nl.link_by_index(other.link_index).await? {
                Some(l) => l.name,
                None => format!("interface #{}", other.link_index),
            };
            return Err(Error::AddressElsewhere {
                ip: cfg.ip().to_string(),
                other: name,
            });
        }
    }
    Ok(Checked { target, container })
}

/// validate-all at check level 10 and above: the node checks alone.
pub fn validate_node(cfg: &Config, deadline: &ra_api::Deadline) -> Result<(), Error> {
    super::block_on(async {
        let io = Io::open(cfg, super::tokio_deadline(deadline))?;
        check_node(&io, cfg).await.map(|_| ())
    })
}
