//! What ends a container within stop's time: through the engine (stops
//! repeated while it comes back, the kernel asked whether anything is
//! left), or through the kernel when the engine cannot be asked.

use std::time::Duration;

use tokio::time::Instant;
use tracing::{info, warn};

use super::grace_period;
use crate::budget::Budget;
use crate::engine::{ContainerStatus, Engine, EngineError};
use crate::error::Error;
use crate::host::{Ending, HostError, Kernel};

/// The part of the kernel stop's escalation talks to: the process table it
/// reads, and ending a container's processes. The kernel itself on a node;
/// in tests a stand-in over a scratch table that signals nothing.
#[allow(async_fn_in_trait)]
pub(super) trait Procs {
    /// The process table.
    fn table(&self) -> &Kernel;
    /// Ends container `id` ([`Kernel::end`]).
    async fn terminate(
        &self,
        id: &str,
        grace: Duration,
        until: Instant,
    ) -> Result<Ending, HostError>;
}

impl<K: Procs> Procs for &K {
    fn table(&self) -> &Kernel {
        (*self).table()
    }
    async fn terminate(
        &self,
        id: &str,
        grace: Duration,
        until: Instant,
    ) -> Result<Ending, HostError> {
        (*self).terminate(id, grace, until).await
    }
}

impl Procs for Kernel {
    fn table(&self) -> &Kernel {
        self
    }
    async fn terminate(
        &self,
        id: &str,
        grace: Duration,
        until: Instant,
    ) -> Result<Ending, HostError> {
        self.end(id, grace, until).await
    }
}

/// What ends a container within stop's time: the grace period's rule, the
/// process table, the deadline and the budget it is a share of.
pub(super) struct Ender<K = Kernel> {
    pub(super) stop_timeout: Option<u32>,
    pub(super) kernel: K,
    pub(super) budget: Budget,
}

impl<K: Procs> Ender<K> {
    /// Stops container `id` through the engine and checks with the kernel
    /// that nothing of it is left (the kernel path when the engine goes away
    /// or freezes meanwhile, or when processes outlive its word). `label`
    /// names it in the log.
    pub(super) async fn by_engine(
        &self,
        engine: &impl Engine,
        id: &str,
        label: &str,
    ) -> Result<(), Error> {
        let grace = grace_period(
            self.stop_timeout,
            self.budget.at().saturating_duration_since(Instant::now()),
        );
        match stop_container(engine, id, grace).await {
            // The engine went away or froze in the middle of the stop.
            Err(Error::Engine(e @ (EngineError::Absent { .. } | EngineError::Timeout { .. }))) => {
                self.by_kernel(label, id, &e.to_string()).await
            }
            // The engine says it is down: the kernel must agree (a 0 from
            // stop lets Pacemaker start a second copy elsewhere), and a
            // kernel that cannot be read agrees with nothing.
            Ok(()) => {
                let m = self.kernel.table().members(id)?;
                if m.pids.is_empty() {
                    return Ok(());
                }
                let why = format!(
                    "the engine reports container {label} stopped, but {} of its processes are \
                     alive",
                    m.pids.len()
                );
                self.by_kernel(label, id, &why).await
            }
            r => r,
        }
    }

    /// Ends the container's processes through the kernel: SIGTERM to its
    /// init, the grace period, SIGKILL to every process; 0 only when none
    /// is left.
    pub(super) async fn by_kernel(
        &self,
        container: &str,
        id: &str,
        why: &str,
    ) -> Result<(), Error> {
        let left = self.budget.at().saturating_duration_since(Instant::now());
        let grace = Duration::from_secs(u64::from(grace_period(self.stop_timeout, left)));
        // The kill gets at least a moment even when the engine used up the
        // time (frozen in the middle of its own stop).
        let until = (self.budget.at() - self.budget.stop_tail())
            .max(Instant::now() + KILL_MIN)
            .min(self.budget.at());
        let t0 = Instant::now();
        let e = self.kernel.terminate(id, grace, until).await?;
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
}

/// The least time the kernel path gives SIGKILL to take effect.
const KILL_MIN: Duration = Duration::from_millis(300);

/// How long stop waits before stopping again a container that came back.
const RESTOP: Duration = Duration::from_millis(100);

/// Stops container `id` and returns once the engine reports it down. A stop
/// is repeated while the container is up again afterwards: Podman answers
/// 304 to a stop between two runs of a restart policy (its `stopped`) and
/// then starts the container again; stopped while it runs, it stays down.
/// Bounded by the engine's deadline.
pub(super) async fn stop_container(
    engine: &impl Engine,
    id: &str,
    grace: u32,
) -> Result<(), Error> {
    let t0 = Instant::now();
    let mut stops = 0u32;
    loop {
        let state = match engine.inspect_id(id).await {
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
                    "stopped container {} in {} ms (grace {grace} s{})",
                    state.name,
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
