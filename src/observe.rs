//! Looking at this node: the container through the engine (and through the
//! kernel when the engine cannot be asked), which container is ours
//! ([`identify`]), the address and the interface through netlink. Nothing here
//! changes anything on the node; the record of the container is kept true.

use std::time::Duration;

use crate::classify::{CmdView, EngineView, Observation};
use crate::engine::{ContainerName, ContainerState, ContainerStatus, Engine, EngineError};
use crate::host::Kernel;
use crate::net::Net;
use crate::node::Node;
use crate::params::Config;
use crate::state::State;
use tokio::time::Instant;

mod addr;
mod ident;
#[cfg(test)]
pub(crate) mod scratch;
pub use addr::{
    foreign, link_view, named, net_sight_of, net_sights, owned, resolve, NetSight, Sights, Target,
};
pub use ident::{identify, Identity};

/// The container as the classification sees it.
pub async fn engine_view(engine: &impl Engine, container: &ContainerName) -> EngineView {
    match engine.inspect(container).await {
        Ok(Some(st)) => EngineView::Container(st),
        Ok(None) => EngineView::NoContainer,
        Err(e) => engine_error_view(e),
    }
}

/// [`engine_view`], given up on at `until`: an engine that has not answered
/// by then is [`EngineView::Unresponsive`].
pub async fn engine_view_within(
    engine: &impl Engine,
    container: &ContainerName,
    until: Instant,
    waited: Duration,
) -> EngineView {
    match tokio::time::timeout_at(until, engine_view(engine, container)).await {
        Ok(v) => v,
        Err(_) => EngineView::Unresponsive(EngineError::NoAnswer {
            endpoint: engine.endpoint().to_string(),
            op: "inspect",
            share: waited,
        }),
    }
}

/// An engine error as the classification sees it.
pub fn engine_error_view(e: EngineError) -> EngineView {
    match e {
        EngineError::Absent { .. } => EngineView::Down(e),
        EngineError::Timeout { .. } | EngineError::NoAnswer { .. } => EngineView::Unresponsive(e),
        EngineError::Permission { .. } => EngineView::Forbidden(e),
        EngineError::NotFound { .. } => EngineView::NoContainer,
        EngineError::NotSocket { .. } => EngineView::NotSocket(e),
        EngineError::Api { .. }
        | EngineError::Protocol { .. }
        | EngineError::Unsupported { .. } => EngineView::Broken(e),
    }
}

/// Whether the container runs (not paused, not restarting).
pub fn is_running(st: &ContainerState) -> bool {
    st.status == ContainerStatus::Running && !st.restarting && !st.paused
}

/// Runs `monitor_cmd` inside the container.
pub async fn run_cmd(engine: &impl Engine, container: &str, argv: &[String]) -> CmdView {
    match engine.exec(container, argv).await {
        Ok(r) if r.exit_code == Some(0) => CmdView::Passed,
        Ok(r) => {
            let tail = r.output_tail.trim();
            match r.exit_code {
                Some(code) => {
                    CmdView::Failed(crate::reason::cmd_failed(&format!("exited {code}"), tail))
                }
                None => CmdView::Failed(crate::reason::cmd_failed("gave no exit status", tail)),
            }
        }
        Err(EngineError::Timeout { .. }) => {
            CmdView::Failed("did not finish before the operation's deadline".into())
        }
        Err(e) => CmdView::Failed(format!("could not run: {e}")),
    }
}

/// One full look: container, address, interface, the container's processes
/// when the engine cannot tell, and `cmd` (`monitor_cmd`, or `None` for a
/// look that runs nothing) when the container runs.
pub async fn observe<E: Engine, N: Net>(
    io: &Node<E, N>,
    cfg: &Config,
    cmd: Option<&[String]>,
) -> (Observation, Sights) {
    let waited = io.budget.engine_wait();
    let until = (Instant::now() + waited).min(io.budget.at());
    let (engine_view, sight) = tokio::join!(
        engine_view_within(&io.engine, &cfg.container, until, waited),
        net_sights(&io.nl, &cfg.vips, cfg.nic.as_deref())
    );
    let (engine_view, Identity { host, stray }, cmd) = container_sight(
        &io.engine,
        &io.host,
        &io.state,
        &cfg.container,
        cmd,
        engine_view,
    )
    .await;
    let obs = Observation {
        engine: engine_view,
        host,
        addr: sight.addr_view.clone(),
        link: sight.link_view.clone(),
        cmd,
        stray,
    };
    (obs, sight)
}

/// The container's part of one look, once the engine was asked (`view`):
/// which container is ours and its processes when the engine cannot tell
/// ([`identify`]), and `cmd` (`monitor_cmd`, when it is to run) when the
/// container runs.
pub async fn container_sight(
    engine: &impl Engine,
    host: &Kernel,
    state: &State,
    container: &ContainerName,
    cmd: Option<&[String]>,
    view: EngineView,
) -> (EngineView, Identity, CmdView) {
    let identity = identify(engine, host, state, container, &view).await;
    let cmd = match (&view, cmd) {
        (EngineView::Container(st), Some(argv)) if is_running(st) => {
            run_cmd(engine, &st.id, argv).await
        }
        _ => CmdView::NotRun,
    };
    (view, identity, cmd)
}

#[cfg(test)]
mod tests;
