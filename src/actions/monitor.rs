//! monitor (probes and recurring alike): observe, classify, answer.

use ra_api::{Deadline, Status};
use tracing::warn;

use crate::classify::{classify, AddrView, EngineView, Observation, Rules, Verdict};
use crate::engine::{ContainerState, Engine, EngineError};
use crate::error::Error;
use crate::net::Net;
use crate::observe::{observe, Sights};
use crate::params::Config;

use crate::announce::announce;
use crate::node::Node;

/// Which monitor the caller asked for, and what it understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Asked {
    /// A probe (a monitor without an interval): it runs no `monitor_cmd`
    /// and sends no refresh announcements.
    pub probe: bool,
    /// The caller speaks OCF 1.1: a service that runs while its engine is
    /// away is 190, degraded (else 0, with the reason logged as a warning).
    pub degraded: bool,
}

/// The verdict of one monitor.
pub fn monitor(cfg: &Config, deadline: &Deadline, asked: Asked) -> Result<Verdict, Error> {
    super::block_on(async {
        let io = Node::open(cfg, crate::budget::Budget::of(deadline))?
            .reserve(deadline, super::timing::monitor_reserve);
        Ok(monitor_on(&io, cfg, asked).await)
    })
}

/// [`monitor`] on a node handle: the verdict of one look, then what a
/// monitor does besides answering (a restart policy fixed, the refresh
/// rounds after a successful recurring monitor; none on a probe).
async fn monitor_on<E: Engine, N: Net>(io: &Node<E, N>, cfg: &Config, asked: Asked) -> Verdict {
    let (verdict, obs, sights) = judge(io, cfg, asked).await;
    if let EngineView::Container(st) = &obs.engine {
        if st.restart_policy.engine_restarts() {
            restart_policy(&io.engine, cfg, st).await;
        }
    }
    if verdict.status == Status::Success && !asked.probe && cfg.arp_count_refresh > 0 {
        refresh(io, cfg, &sights).await;
    }
    verdict
}

/// One look and its verdict: what a monitor answers, before it fixes a
/// restart policy or refreshes the announcements. A probe runs no
/// `monitor_cmd`.
async fn judge<E: Engine, N: Net>(
    io: &Node<E, N>,
    cfg: &Config,
    asked: Asked,
) -> (Verdict, Observation, Sights) {
    let cmd = cfg.monitor_cmd.as_deref().filter(|_| !asked.probe);
    let (obs, sights) = observe(io, cfg, cmd).await;
    let rules = Rules {
        check_health: cfg.check_health,
        container: &cfg.container,
        label: &sights.label,
        degraded: asked.degraded,
    };
    let verdict = classify(&obs, &rules);
    if let (Status::Success, Some(why)) = (verdict.status, &verdict.reason) {
        warn!("{why}: running, but the engine cannot be asked");
    }
    (verdict, obs, sights)
}

/// The refresh rounds after a successful recurring monitor, for every
/// address at once. Only a settled address is announced: never one still
/// in (or failed at) IPv6 DAD, never on a link that resolves nothing.
async fn refresh<E: Engine, N: Net>(io: &Node<E, N>, cfg: &Config, sights: &Sights) {
    let rounds = sights.each.iter().filter_map(|(vip, sight)| {
        let link = sight.link.as_ref().filter(|l| l.mute().is_none())?;
        if sight.addr_view != AddrView::Present {
            return None;
        }
        Some(async move {
            let sent = announce(
                &io.nl,
                link,
                vip.addr,
                (cfg.arp_count_refresh, cfg.arp_interval),
                io.announce_until,
            )
            .await;
            if let Err(e) = sent {
                warn!("refresh announcements for {} failed: {e}", vip.addr);
            }
        })
    });
    futures_util::future::join_all(rounds).await;
}

/// A restart policy other than `no` lets the engine start the container
/// outside the cluster (at boot, on a node where start never ran): every
/// monitor, probes included, switches it to `no` (`fix_restart_policy`) or
/// warns. Only reached when inspect showed such a policy, so a probe stays
/// one request; the answer does not depend on it.
async fn restart_policy(engine: &impl Engine, cfg: &Config, st: &ContainerState) {
    let (name, policy) = (&cfg.container, &st.restart_policy);
    if !cfg.fix_restart_policy {
        warn!(
            "container {name} has restart policy {policy}: the engine may start it outside the \
             cluster (at boot); set it to no (docker update --restart=no) or fix_restart_policy=true"
        );
        return;
    }
    match engine.set_restart_policy_no(&st.id).await {
        Ok(()) => warn!(
            "container {name} had restart policy {policy}: set to no (Pacemaker starts it, not the engine)"
        ),
        Err(EngineError::Unsupported { .. }) => warn!(
            "container {name} has restart policy {policy}, which this engine cannot change: \
             recreate it with --restart=no"
        ),
        Err(e) => warn!("container {name} has restart policy {policy}; setting it to no failed: {e}"),
    }
}

#[cfg(test)]
mod tests;
