//! stop: container down (grace, then kill; through the kernel when the
//! engine cannot be asked), then the address; 0 only once monitor would say 7.

use std::path::PathBuf;
use std::time::Duration;

use ra_api::{Deadline, ParamError};
use tokio::time::Instant;
use tracing::{info, warn};

use crate::classify::EngineView;
use crate::engine::{ContainerStatus, Docker, Engine, EngineError};
use crate::error::Error;
use crate::host::Kernel;
use crate::net::Netlink;
use crate::observe::{engine_view_within, engine_wait};
use crate::params::Config;
use crate::record::{Known, Records};
use crate::vip::Vip;

use super::tokio_deadline;

/// The part of the budget kept back for removing the address and checking.
fn tail_reserve(budget: Duration) -> Duration {
    (budget / 10).clamp(Duration::from_millis(300), Duration::from_secs(2))
}

/// The part kept back for the engine's SIGKILL after the grace period and
/// the container's exit (a loaded engine takes a second or more for it).
fn kill_reserve(budget: Duration) -> Duration {
    (budget / 5).clamp(Duration::from_secs(1), Duration::from_secs(5))
}

/// The grace period: `stop_timeout` when it fits, else what the operation's
/// budget leaves after the reserves, at least 1 s.
pub fn grace_period(stop_timeout: Option<u32>, budget: Duration) -> u32 {
    let room = budget.saturating_sub(tail_reserve(budget) + kill_reserve(budget));
    let fits = u32::try_from(room.as_secs()).unwrap_or(u32::MAX).max(1);
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
    pub container: Option<(String, String)>,
    /// The addresses and their interface, when both are readable.
    pub address: Option<(Vec<Vip>, Option<String>)>,
    /// `stop_timeout`, when set and readable.
    pub stop_timeout: Option<u32>,
    /// Where container ids are remembered.
    pub state_dir: PathBuf,
}

impl StopPlan {
    /// Everything of a valid configuration.
    pub fn of(cfg: &Config) -> StopPlan {
        StopPlan {
            container: Some((cfg.container.clone(), cfg.docker_host.clone())),
            address: Some((cfg.vips.clone(), cfg.nic.clone())),
            stop_timeout: cfg.stop_timeout,
            state_dir: cfg.state_dir.clone(),
        }
    }
}

/// Stops the resource: the container first (through the engine, or through
/// the kernel when the engine cannot be asked), then, once it is down, the
/// address. 0 only when no process of the container is left and the address
/// is gone; while the container may still serve, the address stays.
pub fn stop(plan: &StopPlan, deadline: &Deadline) -> Result<(), Error> {
    // The background announcer of the last start first: nothing may
    // announce the address once stop has returned.
    if let Some((container, _)) = &plan.container {
        crate::announcer::end(&plan.state_dir, container).map_err(Error::StillRunning)?;
    }
    super::block_on(async {
        let end = tokio_deadline(deadline);
        let budget = deadline.remaining();
        let nl = Netlink::open(end)?;
        if let Some((container, host)) = &plan.container {
            end_container(plan, container, host, end, budget).await?;
        }
        if let Some((vips, nic)) = &plan.address {
            remove_addresses(&nl, vips, nic.as_deref()).await?;
        }
        Ok(())
    })
}

/// Stop with malformed parameters: warns, then stops what can be identified.
pub fn stop_malformed(
    error: &ParamError,
    plan: &StopPlan,
    deadline: &Deadline,
) -> Result<(), Error> {
    warn!("parameters are invalid ({error}); stopping what can be identified");
    stop(plan, deadline)
}

/// Ends the container, whatever state its engine is in.
async fn end_container(
    plan: &StopPlan,
    container: &str,
    host: &str,
    end: Instant,
    budget: Duration,
) -> Result<(), Error> {
    let records = Records::at(&plan.state_dir);
    // The engine's calls end early enough to leave time for the kernel and
    // the address.
    let engine = Docker::connect(host, end - tail_reserve(budget))?;
    let waited = engine_wait(budget);
    let view = engine_view_within(&engine, container, Instant::now() + waited, waited).await;
    let why = match view {
        EngineView::Container(st) => {
            records.remember(host, container, &st.id);
            let grace = grace_period(
                plan.stop_timeout,
                end.saturating_duration_since(Instant::now()),
            );
            match stop_container(&engine, container, grace).await {
                // The engine went away or froze in the middle of the stop.
                Err(Error::Engine(
                    e @ (EngineError::Absent { .. } | EngineError::Timeout { .. }),
                )) => {
                    let why = e.to_string();
                    return by_kernel(plan, container, &st.id, &why, end, budget).await;
                }
                // The engine says it is down: the kernel must agree (a 0
                // from stop lets Pacemaker start a second copy elsewhere).
                Ok(()) => match Kernel::new().members(&st.id) {
                    Ok(m) if !m.pids.is_empty() => {
                        let why = format!(
                            "the engine reports container {container} stopped, but {} of its \
                             processes are alive",
                            m.pids.len()
                        );
                        return by_kernel(plan, container, &st.id, &why, end, budget).await;
                    }
                    _ => return Ok(()),
                },
                r => return r,
            }
        }
        EngineView::NoContainer => {
            records.forget(host, container);
            return Ok(());
        }
        EngineView::Down(why) | EngineView::Unresponsive(why) | EngineView::NotSocket(why) => why,
        EngineView::Broken(e) => return Err(Error::StillRunning(e)),
        EngineView::Forbidden(_) => {
            return Err(Error::Engine(EngineError::Permission {
                endpoint: host.to_string(),
            }))
        }
    };
    match records.load(host, container) {
        Known::Id(id) => by_kernel(plan, container, &id, &why, end, budget).await,
        unknown => {
            let what = match unknown {
                Known::Garbled(w) => format!("the record of its id is unreadable ({w})"),
                _ => "its id was never recorded on this node".to_string(),
            };
            if why.contains("did not answer") {
                // Up but not answering, and nothing known: the container may
                // run. Only fencing makes that safe.
                Err(Error::StillRunning(why))
            } else {
                warn!("{why}; container {container} cannot be checked: {what}");
                Ok(())
            }
        }
    }
}

/// Ends the container's processes through the kernel: SIGTERM to its init,
/// the grace period, SIGKILL to every process; 0 only when none is left.
async fn by_kernel(
    plan: &StopPlan,
    container: &str,
    id: &str,
    why: &str,
    end: Instant,
    budget: Duration,
) -> Result<(), Error> {
    let left = end.saturating_duration_since(Instant::now());
    let grace = Duration::from_secs(u64::from(grace_period(plan.stop_timeout, left)));
    // The kill gets at least a moment even when the engine used up the
    // time (frozen in the middle of its own stop).
    let until = (end - tail_reserve(budget))
        .max(Instant::now() + KILL_MIN)
        .min(end);
    let t0 = Instant::now();
    let e = Kernel::new().end(id, grace, until).await?;
    let short = &id[..id.len().min(12)];
    if e.found == 0 {
        info!("{why}; no process of container {container} ({short}) is alive");
        return Ok(());
    }
    if e.left > 0 {
        return Err(Error::StillRunning(format!(
            "{why}; {} of {} processes of container {container} survived SIGKILL",
            e.left, e.found
        )));
    }
    warn!(
        "{why}: stopped container {container} ({short}) through the kernel in {} ms: \
         SIGTERM to its init{}, {} process(es) ended",
        t0.elapsed().as_millis(),
        if e.killed {
            format!(", SIGKILL after the {} s grace period", grace.as_secs())
        } else {
            String::new()
        },
        e.found
    );
    Ok(())
}

/// The least time the kernel path gives SIGKILL to take effect.
const KILL_MIN: Duration = Duration::from_millis(300);

/// How long stop waits before stopping again a container that came back.
const RESTOP: Duration = Duration::from_millis(100);

/// Stops the container and returns once the engine reports it down. A stop
/// is repeated while the container is up again afterwards: Podman answers
/// 304 to a stop between two runs of a restart policy (its `stopped`) and
/// then starts the container again; stopped while it runs, it stays down.
/// Bounded by the engine's deadline.
async fn stop_container(engine: &impl Engine, container: &str, grace: u32) -> Result<(), Error> {
    let t0 = Instant::now();
    let mut stops = 0u32;
    loop {
        let state = match engine.inspect(container).await {
            Ok(Some(st)) => st,
            Ok(None) => return Ok(()),
            // nothing listens there: no container runs through it
            Err(EngineError::Absent { .. } | EngineError::NotSocket { .. }) => return Ok(()),
            Err(e) => return Err(e.into()),
        };
        let down = matches!(
            state.status,
            ContainerStatus::Exited
                | ContainerStatus::Created
                | ContainerStatus::Dead
                | ContainerStatus::Removing
        ) && !state.restarting;
        // After a stop, a word nobody documents is left to the final check.
        let unknown = stops > 0 && matches!(state.status, ContainerStatus::Other(_));
        if down || unknown {
            if stops > 0 {
                info!(
                    "stopped container {container} in {} ms (grace {grace} s{})",
                    t0.elapsed().as_millis(),
                    if stops > 1 {
                        format!(", {stops} stops: it was restarting")
                    } else {
                        String::new()
                    }
                );
            }
            return Ok(());
        }
        if stops > 0 {
            tokio::time::sleep(RESTOP).await;
        }
        if state.paused || state.status == ContainerStatus::Paused {
            // A frozen process cannot act on SIGTERM.
            engine.unpause(&state.id).await?;
        }
        engine.stop(&state.id, grace).await?;
        stops += 1;
    }
}

mod unbind;
use unbind::remove_addresses;

#[cfg(test)]
mod tests;
