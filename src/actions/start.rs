//! start: bind, prove free, announce, start the container, return once
//! monitor would say 0 (the plan: [`super::bringup`]).

use std::time::Duration;

use ra_api::Deadline;
use tracing::warn;

use crate::announce;
use crate::classify::{readiness, EngineView, Readiness, Rules};
use crate::engine::{Engine, EngineError};
use crate::error::Error;
use crate::net::Net;
use crate::observe::observe;
use crate::params::Config;

use super::bringup;
use super::validate::{check_node, Checked};
use crate::node::Node;

/// How often start looks again while waiting for the container.
const POLL: Duration = Duration::from_millis(50);

/// Starts the resource. Idempotent: a running resource is left as it is
/// (the address is announced again). Returns once the container is ready
/// and the first announcement round is out; the rounds still due then go
/// out from the background announcer ([`crate::announce::child`]).
pub fn start(cfg: &Config, deadline: &Deadline) -> Result<(), Error> {
    // At most one background announcer per resource: an earlier start's
    // ends before anything else.
    announce::end(&cfg.state().announcer_path()).map_err(Error::StillRunning)?;
    crate::privilege::require_net_admin_and_raw()?;
    let later = super::block_on(async {
        let io = Node::open(cfg, crate::budget::Budget::of(deadline))?
            .reserve(deadline, super::timing::start_reserve);
        start_on(&io, cfg).await
    })?;
    announce::hand_over(cfg, deadline, later);
    Ok(())
}

/// [`start`] on a node handle, up to the hand-over: checks the node, fixes
/// the restart policy, then binds, proves, announces and starts
/// ([`bringup::come_up`]); the rounds still due then.
async fn start_on<E: Engine, N: Net>(
    io: &Node<E, N>,
    cfg: &Config,
) -> Result<Vec<announce::Schedule<N::Sender>>, Error> {
    let checked = check_node(io, cfg).await?;
    fix_restart_policy(io, cfg, &checked).await?;
    bringup::come_up(io, cfg, &checked).await
}

/// Turns off the container's restart policy (Pacemaker restarts it).
async fn fix_restart_policy<E: Engine, N: Net>(
    io: &Node<E, N>,
    cfg: &Config,
    checked: &Checked,
) -> Result<(), Error> {
    let container = &checked.container;
    if container.restart_policy.engine_restarts() {
        warn!(
            "container {} had restart policy {}: set to no (Pacemaker restarts it)",
            cfg.container, container.restart_policy
        );
        io.engine
            .set_restart_policy_no(&container.id)
            .await
            .map_err(|e| match e {
                EngineError::Unsupported { .. } => Error::RestartPolicyUnfixable {
                    container: cfg.container.clone(),
                    policy: container.restart_policy.to_string(),
                },
                e => e.into(),
            })?;
    }
    Ok(())
}

/// Waits until monitor would return 0 (and the container is healthy when
/// `wait_healthy`), or fails with the last reason when it cannot get there.
pub(super) async fn wait_ready<E: Engine, N: Net>(
    io: &Node<E, N>,
    cfg: &Config,
) -> Result<(), Error> {
    // Why it was not ready when the engine last answered: an inspect cut
    // short by the deadline itself says less than that.
    let mut answered: Option<String> = None;
    loop {
        let (obs, sights) = observe(io, cfg, cfg.monitor_cmd.as_deref()).await;
        // degraded (the engine away) is not ready: start waits for the
        // engine's own word
        let rules = Rules {
            check_health: cfg.check_health,
            container: &cfg.container,
            label: &sights.label,
            degraded: true,
        };
        let why = match readiness(&obs, &rules, cfg.wait_healthy) {
            Readiness::Ready => return Ok(()),
            Readiness::Hopeless(reason) => return Err(Error::NotReady(reason)),
            Readiness::Wait(why) => why,
        };
        let why = match (&obs.engine, answered.take()) {
            (EngineView::Unresponsive(_), Some(earlier)) => earlier,
            _ => why,
        };
        if tokio::time::Instant::now() + POLL >= io.budget.at() {
            return Err(Error::NotReady(format!("start timed out: {why}")));
        }
        answered = Some(why);
        tokio::time::sleep(POLL).await;
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod proofs;
