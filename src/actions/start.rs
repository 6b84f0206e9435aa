//! start: bind, announce, start the container, return once monitor would say 0.

use std::time::Duration;

use ra_api::Deadline;
use tracing::{info, warn};

use crate::classify::{classify, EngineView, Verdict};
use crate::engine::{ContainerStatus, Engine, EngineError, Health};
use crate::error::Error;
use crate::observe::{is_running, observe};
use crate::params::Config;

use super::validate::{check_node, Checked};
use super::{addresses, announce, tokio_deadline, Io};

/// How often start looks again while waiting for the container.
const POLL: Duration = Duration::from_millis(50);

/// Starts the resource. Idempotent: a running resource is left as it is
/// (the address is announced again).
pub fn start(cfg: &Config, deadline: &Deadline) -> Result<(), Error> {
    super::block_on(async {
        let io = Io::open(cfg, tokio_deadline(deadline))?
            .reserve(deadline, super::timing::start_reserve);
        let checked = check_node(&io, cfg).await?;
        bring_up(&io, cfg, &checked).await?;
        wait_ready(&io, cfg).await
    })
}

async fn bring_up(io: &Io, cfg: &Config, checked: &Checked) -> Result<(), Error> {
    let Checked { targets, container } = checked;
    if container.restart_policy != "no" {
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
                    policy: container.restart_policy.clone(),
                },
                e => e.into(),
            })?;
    }
    let added = addresses::bind_all(io, cfg, targets).await?;
    let announcing = async {
        // Carrier first: DAD does not run and announcements go nowhere
        // without it (start may just have brought the link up). Every
        // address settles before the first round of any goes out.
        addresses::settle(io, targets, &added)
            .await
            .map_err(timed_out)?;
        let loud = targets.iter().filter(|t| match t.link.mute() {
            Some(why) => {
                warn!("{why}: no announcements sent for {}", t.ip);
                false
            }
            None => true,
        });
        // One task per address: their rounds go out together.
        let rounds = loud.map(|t| {
            announce(
                &io.nl,
                &t.link,
                t.ip,
                cfg.arp_count,
                cfg.arp_interval,
                io.announce_until,
            )
        });
        for sent in futures_util::future::join_all(rounds).await {
            sent.map_err(timed_out)?;
        }
        Ok::<(), Error>(())
    };
    let starting = async {
        if container.paused || container.status == ContainerStatus::Paused {
            io.engine.unpause(&container.id).await?;
        }
        if !is_running(container) {
            io.engine.start(&container.id).await?;
            info!("started container {}", cfg.container);
        }
        Ok::<(), Error>(())
    };
    let (announced, started) = tokio::join!(announcing, starting);
    announced?;
    started
}

/// A wait for carrier that ran into start's deadline.
fn timed_out(e: Error) -> Error {
    match e {
        Error::NoCarrier { .. } => Error::NotReady(format!("start timed out: {e}")),
        Error::For { ip, source } if matches!(*source, Error::NoCarrier { .. }) => {
            Error::NotReady(format!("start timed out: {ip}: {source}"))
        }
        e => e,
    }
}

/// Waits until monitor would return 0 (and the container is healthy when
/// `wait_healthy`), or fails with the last reason when it cannot get there.
async fn wait_ready(io: &Io, cfg: &Config) -> Result<(), Error> {
    // Why it was not ready when the engine last answered: an inspect cut
    // short by the deadline itself says less than that.
    let mut answered: Option<String> = None;
    loop {
        let (obs, sights) = observe(io, cfg, true).await;
        let verdict = classify(&obs, cfg.check_health, &cfg.container, &sights.label);
        let state = match &obs.engine {
            EngineView::Container(st) => Some(st),
            _ => None,
        };
        let healthy_enough = !cfg.wait_healthy
            || state.is_some_and(|st| matches!(st.health, Health::Healthy | Health::None));
        if verdict.is_running() && healthy_enough {
            return Ok(());
        }
        if let Some(reason) = hopeless(&obs.engine, &verdict, &cfg.container) {
            return Err(Error::NotReady(reason));
        }
        let why = verdict
            .reason
            .unwrap_or_else(|| match state.map(|s| &s.health) {
                Some(Health::Starting) => format!("container {} not healthy yet", cfg.container),
                _ => format!("container {} not running", cfg.container),
            });
        let why = match (&obs.engine, answered.take()) {
            (EngineView::Unresponsive(_), Some(earlier)) => earlier,
            _ => why,
        };
        if tokio::time::Instant::now() + POLL >= io.deadline {
            return Err(Error::NotReady(format!("start timed out: {why}")));
        }
        answered = Some(why);
        tokio::time::sleep(POLL).await;
    }
}

/// States that waiting will not fix.
fn hopeless(engine: &EngineView, verdict: &Verdict, container: &str) -> Option<String> {
    match engine {
        EngineView::Container(st) => match st.status {
            ContainerStatus::Exited | ContainerStatus::Dead => Some(format!(
                "container {container} exited during start (code {})",
                st.exit_code.map_or("?".to_string(), |c| c.to_string())
            )),
            _ if st.health == Health::Unhealthy => verdict.reason.clone(),
            _ => None,
        },
        EngineView::NoContainer => Some(format!("container {container} disappeared during start")),
        EngineView::Down(_) | EngineView::NotSocket(_) => {
            Some("the engine went away during start".into())
        }
        EngineView::Forbidden(e) => Some(e.clone()),
        _ => None,
    }
}
