//! stop: container down (grace, then kill), address removed, both attempted
//! whatever happens to the other; 0 only once monitor would say 7.

use std::time::Duration;

use ra_api::{Deadline, ParamError};
use tokio::time::Instant;
use tracing::{info, warn};

use crate::classify::{classify, AddrView, EngineView};
use crate::engine::{ContainerStatus, Docker, Engine, EngineError};
use crate::error::Error;
use crate::net::Netlink;
use crate::observe::{engine_view, net_sight, observe};
use crate::params::Config;

use super::{tokio_deadline, Io};

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

/// Stops the resource.
pub fn stop(cfg: &Config, deadline: &Deadline) -> Result<(), Error> {
    super::block_on(async {
        let end = tokio_deadline(deadline);
        let budget = deadline.remaining();
        let grace = grace_period(cfg.stop_timeout, budget);
        // The container call ends early enough to leave time for the rest.
        let engine_for_stop = Docker::connect(&cfg.docker_host, end - tail_reserve(budget))?;
        let io = Io::open(&cfg.docker_host, end)?;
        let container = stop_container(&engine_for_stop, &cfg.container, grace).await;
        let address = remove_address(&io.nl, cfg).await;
        let (mut obs, _) = observe(&io.nl, &io.engine, cfg, false).await;
        if let AddrView::Foreign(why) = &obs.addr {
            // Not this resource's: left alone; monitor keeps reporting it.
            warn!("{why}; left as it is");
            obs.addr = AddrView::Absent;
        }
        let verdict = classify(&obs, cfg.check_health, &cfg.container, &cfg.vip.to_string());
        if verdict.status == ra_api::Status::NotRunning {
            if obs.engine == EngineView::Down {
                warn!(
                    "engine at {} is down: container {} cannot be running",
                    cfg.docker_host, cfg.container
                );
            }
            return Ok(());
        }
        // Report the first thing that went wrong, else what is still up.
        container?;
        address?;
        Err(Error::StillRunning(
            verdict.reason.unwrap_or_else(|| "still running".into()),
        ))
    })
}

/// Stop with malformed parameters: nothing can have been started with them,
/// but a container left over from an earlier, valid definition is still
/// stopped when its name is readable.
pub fn stop_malformed(
    error: &ParamError,
    container: Option<&str>,
    docker_host: Option<&str>,
    deadline: &Deadline,
) -> Result<(), Error> {
    warn!("parameters are invalid ({error}); stopping what can be identified");
    let (Some(container), Some(host)) = (container, docker_host) else {
        return Ok(());
    };
    super::block_on(async {
        let end = tokio_deadline(deadline);
        let engine = Docker::connect(host, end)?;
        stop_container(&engine, container, grace_period(None, deadline.remaining())).await?;
        match engine_view(&engine, container).await {
            EngineView::Container(st) if st.status == ContainerStatus::Running => Err(
                Error::StillRunning(format!("container {container} still running")),
            ),
            EngineView::Unresponsive(e) | EngineView::Broken(e) => Err(Error::StillRunning(e)),
            _ => Ok(()),
        }
    })
}

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
            Err(EngineError::Absent { .. }) => return Ok(()),
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
            engine.unpause(container).await?;
        }
        engine.stop(container, grace).await?;
        stops += 1;
    }
}

async fn remove_address(nl: &Netlink, cfg: &Config) -> Result<(), Error> {
    let sight = net_sight(nl, cfg).await;
    let (Some(link), Some(bound)) = (&sight.link, &sight.bound) else {
        return Ok(());
    };
    if cfg.vip.prefix.is_some_and(|p| p != bound.prefix) {
        // Bound with another prefix: not ours to remove.
        return Ok(());
    }
    if cfg.ip().is_ipv4() && !bound.secondary {
        match crate::net::keep_secondaries(&link.name) {
            Ok(true) => info!(
                "set promote_secondaries on {}: other addresses of the subnet stay when {} goes",
                link.name,
                cfg.ip()
            ),
            Ok(false) => {}
            Err(e) => warn!(
                "cannot set promote_secondaries on {} ({e}): removing {} removes the other addresses of its subnet",
                link.name,
                cfg.ip()
            ),
        }
    }
    if nl.del_addr(link.index, cfg.ip(), bound.prefix).await? {
        info!("removed {}/{} from {}", cfg.ip(), bound.prefix, link.name);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grace_leaves_room_for_the_kill_and_the_address() {
        // 20 s op timeout -> 18 s budget: 1.8 s + 3.6 s kept back.
        assert_eq!(grace_period(None, Duration::from_secs(18)), 12);
        assert_eq!(grace_period(None, Duration::from_secs(58)), 51);
        assert_eq!(grace_period(None, Duration::from_millis(5400)), 3);
        assert_eq!(grace_period(None, Duration::from_millis(1500)), 1);
        assert_eq!(grace_period(Some(5), Duration::from_secs(18)), 5);
        assert_eq!(grace_period(Some(600), Duration::from_secs(18)), 12);
    }

    use std::cell::RefCell;

    use crate::engine::{ContainerState, ExecResult, Health};

    /// An engine whose container goes through `states`: each stop moves to
    /// the next one (Docker: running -> exited; Podman in a crash loop:
    /// stopped (read as restarting) -> running again -> exited).
    struct Scripted {
        states: RefCell<Vec<ContainerStatus>>,
        stops: RefCell<u32>,
    }

    impl Scripted {
        fn new(states: &[ContainerStatus]) -> Self {
            Scripted {
                states: RefCell::new(states.to_vec()),
                stops: RefCell::new(0),
            }
        }
    }

    impl Engine for Scripted {
        async fn inspect(&self, _: &str) -> Result<Option<ContainerState>, EngineError> {
            let status = self.states.borrow()[0].clone();
            Ok(Some(ContainerState {
                id: "x".into(),
                name: "croit".into(),
                restarting: status == ContainerStatus::Restarting,
                paused: false,
                status,
                health: Health::None,
                health_output: None,
                restart_policy: "always".into(),
                exit_code: None,
            }))
        }
        async fn start(&self, _: &str) -> Result<(), EngineError> {
            Ok(())
        }
        async fn stop(&self, _: &str, _: u32) -> Result<(), EngineError> {
            *self.stops.borrow_mut() += 1;
            let mut s = self.states.borrow_mut();
            if s.len() > 1 {
                s.remove(0);
            }
            Ok(())
        }
        async fn unpause(&self, _: &str) -> Result<(), EngineError> {
            Ok(())
        }
        async fn set_restart_policy_no(&self, _: &str) -> Result<(), EngineError> {
            Ok(())
        }
        async fn exec(&self, _: &str, _: &[String]) -> Result<ExecResult, EngineError> {
            Err(EngineError::Protocol {
                op: "exec",
                message: "not scripted".into(),
            })
        }
    }

    fn stops_for(states: &[ContainerStatus]) -> (u32, ContainerStatus) {
        let engine = Scripted::new(states);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        rt.block_on(stop_container(&engine, "croit", 1))
            .unwrap_or_else(|e| panic!("{e}"));
        let last = engine.states.borrow()[0].clone();
        let n = *engine.stops.borrow();
        (n, last)
    }

    #[test]
    fn stop_is_repeated_while_the_container_comes_back() {
        use ContainerStatus as S;
        // Docker: one stop
        assert_eq!(stops_for(&[S::Running, S::Exited]), (1, S::Exited));
        // Podman: the stop of `stopped` is a 304 and it runs again
        assert_eq!(
            stops_for(&[S::Restarting, S::Running, S::Exited]),
            (2, S::Exited)
        );
        // down already: no stop at all
        for down in [S::Exited, S::Created, S::Dead, S::Removing] {
            assert_eq!(stops_for(std::slice::from_ref(&down)), (0, down));
        }
        // an unknown word after a stop is left to the final check
        let odd = S::Other("unknown".into());
        assert_eq!(stops_for(&[S::Running, odd.clone()]), (1, odd));
    }
}
