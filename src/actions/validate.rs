//! validate-all, and the node checks every start runs first.

use std::time::Duration;

use tokio::time::Instant;

use crate::budget::Budget;
use crate::classify::EngineView;
use crate::engine::{ContainerName, ContainerState, Engine, EngineError};
use crate::error::Error;
use crate::net::{Net, NetError};
use crate::observe::{foreign, identify, named, resolve, Target};
use crate::params::Config;
use crate::privilege;

use crate::node::Node;

/// What start needs to know after a successful check of this node.
pub struct Checked {
    /// The interface and prefix of each address, in the order of `ip`.
    pub targets: Vec<Target>,
    /// The container as it is now.
    pub container: ContainerState,
}

/// Checks this node without changing anything: the interface and
/// prefix, the engine, the container, its restart policy, and that the
/// address is not bound here in another way (another interface, or another
/// prefix on the configured one). The caller checks this process's privileges first ([`privilege`]).
pub async fn check_node<E: Engine, N: Net>(
    io: &Node<E, N>,
    cfg: &Config,
) -> Result<Checked, Error> {
    let (targets, container) = tokio::join!(
        resolve(&io.nl, cfg),
        inspect_waiting(&io.engine, &cfg.container, &io.budget)
    );
    let targets = targets?;
    let container = container?;
    // The container this node remembers, when it runs under another name
    // now: starting the one with the name (or moving away because there
    // is none) would make two copies.
    let view = container
        .clone()
        .map_or(EngineView::NoContainer, EngineView::Container);
    if let Some(stray) = identify(&io.engine, &io.host, &io.state, &cfg.container, &view)
        .await
        .stray
    {
        return Err(Error::Stray {
            container: cfg.container.clone(),
            stray: stray.label(),
        });
    }
    let container = container.ok_or_else(|| Error::ContainerMissing {
        container: cfg.container.clone(),
    })?;
    if container.restart_policy.engine_restarts() && !cfg.fix_restart_policy {
        return Err(Error::RestartPolicy {
            container: cfg.container.clone(),
            policy: container.restart_policy.to_string(),
        });
    }
    let several = targets.len() > 1;
    for t in &targets {
        if let Some(e) = foreign(&io.nl, t.ip, &t.link, t.prefix, &t.bound).await? {
            return Err(named(several, t.ip, e.into()));
        }
        if t.ip.is_ipv6() && io.nl.ipv6_disabled(&t.link) {
            let e = NetError::Ipv6Disabled {
                name: t.link.name.clone(),
            };
            return Err(named(several, t.ip, e.into()));
        }
    }
    Ok(Checked { targets, container })
}

/// How often start asks an engine that is not running again.
const ENGINE_POLL: Duration = Duration::from_millis(200);

/// Inspects the container; an engine that is not running (restarting:
/// `systemctl restart docker` during a failover) is asked again for
/// [`Budget::engine_patience`] before start gives up with 1.
pub(super) async fn inspect_waiting(
    engine: &impl Engine,
    container: &ContainerName,
    budget: &Budget,
) -> Result<Option<ContainerState>, Error> {
    let patience = budget.engine_patience();
    let until = Instant::now() + patience;
    let mut waited = false;
    loop {
        match engine.inspect(container).await {
            Err(e @ EngineError::Absent { .. }) => {
                if Instant::now() + ENGINE_POLL >= until {
                    return Err(Error::EngineAway {
                        waited: patience,
                        source: e,
                    });
                }
                if !waited {
                    tracing::warn!("{e}: waiting for it");
                    waited = true;
                }
                tokio::time::sleep(ENGINE_POLL).await;
            }
            r => return Ok(r?),
        }
    }
}

/// validate-all at check level 10 and above: the node checks alone.
pub fn validate_node(cfg: &Config, deadline: &ra_api::Deadline) -> Result<(), Error> {
    privilege::require_net_admin_and_raw()?;
    super::block_on(async {
        let io = Node::open(cfg, Budget::of(deadline))?;
        let checked = check_node(&io, cfg).await?;
        for t in &checked.targets {
            if let Some(why) = t.link.mute() {
                // Not a fault: such a link needs no announcements.
                tracing::info!("{why}: start will send no announcements for {}", t.ip);
            }
        }
        Ok(())
    })
}
