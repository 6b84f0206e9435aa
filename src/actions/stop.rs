//! stop: container down (grace, then kill; through the kernel when the
//! engine cannot be asked), then the address; 0 only once monitor would say 7.

use std::path::PathBuf;
use std::time::Duration;

use ra_api::Deadline;
use tokio::time::Instant;
use tracing::{info, warn};

use crate::classify::{EngineView, HostView};
use crate::engine::{ContainerName, Endpoint, Engine};
use crate::error::Error;
use crate::net::Net;
use crate::node::Node;
use crate::observe::{container_sight, engine_view_within, Identity};
use crate::params::Config;
use crate::state::{Ours, State};
use crate::vip::Vip;

use crate::budget::{self, Budget};

/// The grace period: `stop_timeout` when it fits, else what the operation's
/// budget leaves after the reserves, at least 1 s.
pub fn grace_period(stop_timeout: Option<u32>, budget: Duration) -> u32 {
    let fits = budget::grace_room(budget);
    match stop_timeout {
        Some(t) if t > fits => {
            warn!("stop_timeout={t} does not fit into the stop timeout: using {fits} s");
            fits
        }
        Some(t) => t,
        None => fits,
    }
}

/// What stop acts on: the parts of the definition that are well-formed.
/// With every parameter valid, all of it; with some malformed (nothing can
/// have been started with them, but a container or address left over from
/// an earlier, valid definition must still go), whatever can be identified.
#[derive(Debug, Clone)]
pub struct StopPlan {
    /// The container and its engine, when both are readable.
    pub container: Option<(ContainerName, Endpoint)>,
    /// The addresses and their interface, when both are readable.
    pub address: Option<(Vec<Vip>, Option<String>)>,
    /// `stop_timeout`, when set and readable.
    pub stop_timeout: Option<u32>,
    /// Where container ids are remembered.
    pub state_dir: PathBuf,
    /// The resource instance the records are kept by.
    pub instance: String,
}

impl StopPlan {
    /// Everything of a valid configuration.
    pub fn of(cfg: &Config) -> StopPlan {
        StopPlan {
            container: Some((cfg.container.clone(), cfg.docker_host.clone())),
            address: Some((cfg.vips.clone(), cfg.nic.clone())),
            stop_timeout: cfg.stop_timeout,
            state_dir: cfg.state_dir.clone(),
            instance: cfg.instance.clone(),
        }
    }

    /// The records of the resource on `engine`.
    fn state(&self, engine: &str) -> State {
        let container = self.container.as_ref().map(|(c, _)| c);
        State::new(&self.state_dir, &self.instance, container, engine)
    }
}

/// Stops the resource: the container first (through the engine, or through
/// the kernel when the engine cannot be asked), then, once it is down, the
/// address. 0 only when no process of the container is left and the address
/// is gone; while the container may still serve, the address stays.
pub fn stop(plan: &StopPlan, deadline: &Deadline) -> Result<(), Error> {
    // The background announcer of the last start first: nothing may
    // announce the address once stop has returned.
    crate::announce::end(&plan.state("").announcer_path()).map_err(Error::StillRunning)?;
    super::block_on(async {
        let node = plan.open(Budget::of(deadline))?;
        stop_on(&node, &node.host, plan).await
    })
}

/// Stop with malformed parameters: warns, then stops what can be identified.
pub fn stop_malformed(error: &str, plan: &StopPlan, deadline: &Deadline) -> Result<(), Error> {
    warn!("parameters are invalid ({error}); stopping what can be identified");
    stop(plan, deadline)
}

impl StopPlan {
    /// The node handle stop works through. The engine's calls end early
    /// enough to leave time for the kernel and the address. With no
    /// container to identify, the engine is the default one and never asked.
    fn open(&self, budget: Budget) -> Result<Node, Error> {
        let endpoint = match &self.container {
            Some((_, host)) => host.clone(),
            None => Endpoint::default(),
        };
        let state = self.state(endpoint.as_str());
        let engine_until = budget.at() - budget.stop_tail();
        Node::connect(&endpoint, state, engine_until, budget)
    }
}

/// Stop's decisions on `node`, processes ended through `procs` (the
/// node's kernel; a stand-in in tests): the container, whatever state its
/// engine is in, then the addresses, only once it is down.
async fn stop_on<E: Engine, N: Net>(
    node: &Node<E, N>,
    procs: &impl Procs,
    plan: &StopPlan,
) -> Result<(), Error> {
    if let Some((container, _)) = &plan.container {
        let ender = Ender {
            stop_timeout: plan.stop_timeout,
            kernel: procs,
            budget: node.budget,
        };
        let waited = node.budget.engine_wait();
        let until = Instant::now() + waited;
        let view = engine_view_within(&node.engine, container, until, waited).await;
        end_seen(&ender, &node.engine, &node.state, container, view).await?;
    }
    if let Some((vips, nic)) = &plan.address {
        remove_addresses(&node.nl, vips, nic.as_deref()).await?;
    }
    Ok(())
}

/// How the container is ended once the engine was asked (`view`): the one
/// that has the configured name and, first, the one this node remembers
/// when it runs under another name now (both are the service); through the
/// engine while it answers, else through the kernel. Which is which comes
/// from the same observation monitor uses ([`container_sight`]).
async fn end_seen(
    ender: &Ender<impl Procs>,
    engine: &impl Engine,
    state: &State,
    container: &ContainerName,
    view: EngineView,
) -> Result<(), Error> {
    // the container's part of the look every action takes (no monitor_cmd)
    let (view, Identity { host: seen, stray }, _) =
        container_sight(engine, ender.kernel.table(), state, container, None, view).await;
    let engine_up = matches!(view, EngineView::Container(_) | EngineView::NoContainer);
    if let Some(stray) = &stray {
        let why = format!(
            "container {} was started here as {container} and runs under another name",
            stray.label()
        );
        if engine_up {
            ender.by_engine(engine, &stray.id, &why).await?;
        } else {
            ender.by_kernel(&stray.label(), &stray.id, &why).await?;
        }
        state.forget();
    }
    let why = match view {
        EngineView::Container(st) => {
            ender.by_engine(engine, &st.id, container.as_str()).await?;
            state.remember(&Ours {
                id: st.id.clone(),
                name: st.name.clone(),
            });
            return Ok(());
        }
        EngineView::NoContainer => return Ok(()),
        EngineView::Down(why) | EngineView::Unresponsive(why) | EngineView::NotSocket(why) => {
            why.to_string()
        }
        // an engine that answers with errors may still run the container
        EngineView::Broken(e) => return Err(Error::StillRunning(e.to_string())),
        EngineView::Forbidden(e) => return Err(Error::Engine(e)),
    };
    match seen {
        HostView::Alive { id, .. } => {
            ender.by_kernel(container.as_str(), &id, &why).await?;
            // what was ended is what a later look with the engine away
            // checks again
            state.remember(&Ours {
                id,
                name: container.to_string(),
            });
            Ok(())
        }
        HostView::Gone | HostView::NotAsked => {
            info!("{why}; no process of container {container} is alive");
            Ok(())
        }
        // Containers whose name cannot be read run, and nothing says
        // which is ours: only fencing makes that safe.
        HostView::Unknown(what) => Err(Error::StillRunning(format!("{what}; {why}"))),
        HostView::Unreadable(e) => Err(Error::Host(e)),
    }
}

mod ender;
use ender::{Ender, Procs};

mod unbind;
use unbind::remove_addresses;

#[cfg(test)]
mod escalation;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod whole;
