//! Looking at this node: the container through the engine (and through the
//! kernel when the engine cannot be asked), the address and the interface
//! through netlink. Nothing here changes anything on the node; the record
//! of the container's id is kept up to date.

use std::net::IpAddr;
use std::time::Duration;

use tokio::time::Instant;
use tracing::warn;

use crate::actions::Io;
use crate::classify::{AddrView, CmdView, EngineView, HostView, LinkView, Observation};
use crate::engine::{ContainerState, ContainerStatus, Docker, Engine, EngineError};
use crate::error::Error;
use crate::host::Kernel;
use crate::net::{BoundAddr, Link, Netlink, OperState};
use crate::params::Config;
use crate::record::{Known, Records};
use crate::vip::Vip;

/// The interface and prefix the address belongs on, resolved on this node.
#[derive(Debug, Clone)]
pub struct Target {
    /// The interface.
    pub link: Link,
    /// The prefix length.
    pub prefix: u8,
    /// Where the address is bound on this node now (any interface).
    pub bound: Vec<BoundAddr>,
}

/// Where the address is, as netlink shows it.
#[derive(Debug, Clone)]
pub struct NetSight {
    /// The interface the address belongs on, when one is known.
    pub link: Option<Link>,
    /// The address on that interface, when bound there.
    pub bound: Option<BoundAddr>,
    /// For the classification.
    pub link_view: LinkView,
    /// For the classification.
    pub addr_view: AddrView,
}

/// Resolves interface and prefix strictly, as start and validate-all need.
pub async fn resolve(nl: &Netlink, cfg: &Config) -> Result<Target, Error> {
    let ip = cfg.ip();
    let bound = nl.find_addr(ip).await?;
    let link = match &cfg.nic {
        Some(nic) => nl
            .link_by_name(nic)
            .await?
            .ok_or_else(|| Error::NicMissing { nic: nic.clone() })?,
        None => {
            let index = match preferred(&bound, cfg.vip.prefix) {
                Some(b) => b.link_index,
                None => route_link(nl, cfg, None).await?.0,
            };
            nl.link_by_index(index)
                .await?
                .ok_or_else(|| no_route(cfg))?
        }
    };
    let prefix = match cfg.vip.prefix {
        Some(p) => p,
        None => match bound.iter().find(|b| b.link_index == link.index) {
            Some(b) => b.prefix,
            None => route_link(nl, cfg, Some(link.index)).await?.1,
        },
    };
    Ok(Target {
        link,
        prefix,
        bound,
    })
}

/// The binding that is most likely ours when `nic` is not set: one with
/// the configured prefix, else the first.
fn preferred(bound: &[BoundAddr], prefix: Option<u8>) -> Option<&BoundAddr> {
    bound
        .iter()
        .find(|b| prefix.map_or(true, |p| p == b.prefix))
        .or(bound.first())
}

async fn route_link(nl: &Netlink, cfg: &Config, link: Option<u32>) -> Result<(u32, u8), Error> {
    let r = nl
        .connected_route(cfg.ip(), link)
        .await?
        .ok_or_else(|| no_route(cfg))?;
    Ok((r.link_index, r.prefix))
}

fn no_route(cfg: &Config) -> Error {
    Error::NoRoute {
        ip: cfg.ip().to_string(),
        nic: cfg.nic.clone(),
        prefix_given: cfg.vip.prefix.is_some(),
    }
}

/// A binding of the address on this node that is not this resource's: on
/// `link` with another prefix, or on another interface. What start refuses
/// with 5 and monitor reports (never 7 while one exists).
pub async fn foreign(
    nl: &Netlink,
    ip: IpAddr,
    link: &Link,
    prefix: u8,
    bound: &[BoundAddr],
) -> Result<Option<Error>, Error> {
    let ip = ip.to_string();
    if let Some(b) = bound
        .iter()
        .find(|b| b.link_index == link.index && b.prefix != prefix)
    {
        return Ok(Some(Error::AddressOtherPrefix {
            ip,
            nic: link.name.clone(),
            found: b.prefix,
            want: prefix,
        }));
    }
    let Some(b) = bound.iter().find(|b| b.link_index != link.index) else {
        return Ok(None);
    };
    let other = match nl.link_by_index(b.link_index).await? {
        Some(l) => l.name,
        None => format!("interface #{}", b.link_index),
    };
    Ok(Some(Error::AddressElsewhere { ip, other }))
}

/// Looks for the address without failing: what monitor and stop need.
pub async fn net_sight(nl: &Netlink, cfg: &Config) -> NetSight {
    net_sight_of(nl, &cfg.vip, cfg.nic.as_deref()).await
}

/// [`net_sight`] for an address and interface alone (a stop whose other
/// parameters are malformed).
pub async fn net_sight_of(nl: &Netlink, vip: &Vip, nic: Option<&str>) -> NetSight {
    match try_net_sight(nl, vip, nic).await {
        Ok(s) => s,
        Err(e) => NetSight {
            link: None,
            bound: None,
            link_view: LinkView::Up,
            addr_view: AddrView::Unknown(e.to_string()),
        },
    }
}

async fn try_net_sight(nl: &Netlink, vip: &Vip, nic: Option<&str>) -> Result<NetSight, Error> {
    let ip = vip.addr;
    let bound = nl.find_addr(ip).await?;
    let link = match nic {
        Some(nic) => nl.link_by_name(nic).await?,
        None => match preferred(&bound, vip.prefix) {
            Some(b) => nl.link_by_index(b.link_index).await?,
            None => match nl.connected_route(ip, None).await? {
                Some(r) => nl.link_by_index(r.link_index).await?,
                None => None,
            },
        },
    };
    let Some(link) = link else {
        let why = match nic {
            Some(nic) => format!("nic {nic} does not exist on this node"),
            None => format!("no interface on this node has a route to {ip}"),
        };
        // Our interface is missing, but the address may be live here on
        // another one: that is never "stopped".
        let addr_view = match bound.first() {
            Some(b) => {
                let other = match nl.link_by_index(b.link_index).await? {
                    Some(l) => l.name,
                    None => format!("interface #{}", b.link_index),
                };
                AddrView::Foreign(
                    Error::AddressElsewhere {
                        ip: ip.to_string(),
                        other,
                    }
                    .to_string(),
                )
            }
            None => AddrView::Absent,
        };
        return Ok(NetSight {
            link: None,
            bound: None,
            link_view: LinkView::Missing(why),
            addr_view,
        });
    };
    // Ours: on the interface with the configured prefix (any prefix when
    // none is configured), among every binding of the address there.
    let mine = bound
        .iter()
        .find(|b| b.link_index == link.index && vip.prefix.map_or(true, |p| p == b.prefix))
        .copied();
    let addr_view = match &mine {
        Some(b) if b.dadfailed => AddrView::DadFailed,
        Some(b) if b.tentative => AddrView::Tentative,
        Some(_) => AddrView::Present,
        None => {
            let prefix = vip.prefix.unwrap_or(0);
            match foreign(nl, ip, &link, prefix, &bound).await? {
                Some(e) => AddrView::Foreign(e.to_string()),
                None => AddrView::Absent,
            }
        }
    };
    let link_view = link_view(&link);
    Ok(NetSight {
        link: Some(link),
        bound: mine,
        link_view,
        addr_view,
    })
}

/// Up, or down with the reason an administrator can act on.
pub fn link_view(link: &Link) -> LinkView {
    if !link.admin_up {
        LinkView::Down(format!("nic {} is administratively down", link.name))
    } else if link.is_down() {
        let why = match link.oper {
            _ if !link.carrier => "has no carrier",
            OperState::LowerLayerDown => "has no carrier (lower layer down)",
            OperState::NotPresent => "is not present",
            _ => "is down",
        };
        LinkView::Down(format!("nic {} {why}", link.name))
    } else {
        LinkView::Up
    }
}

/// The container as the classification sees it.
pub async fn engine_view(engine: &impl Engine, container: &str) -> EngineView {
    match engine.inspect(container).await {
        Ok(Some(st)) => EngineView::Container(st),
        Ok(None) => EngineView::NoContainer,
        Err(e) => engine_error_view(e),
    }
}

/// The engine's share of an action's budget before the agent asks the
/// kernel instead: a quarter, between 1 s and 10 s (never more than the
/// budget). A healthy engine answers an inspect in milliseconds.
pub fn engine_wait(budget: Duration) -> Duration {
    (budget / 4)
        .clamp(Duration::from_secs(1), Duration::from_secs(10))
        .min(budget)
}

/// [`engine_view`], given up on at `until`: an engine that has not answered
/// by then is [`EngineView::Unresponsive`].
pub async fn engine_view_within(
    engine: &Docker,
    container: &str,
    until: Instant,
    waited: Duration,
) -> EngineView {
    match tokio::time::timeout_at(until, engine_view(engine, container)).await {
        Ok(v) => v,
        Err(_) => EngineView::Unresponsive(format!(
            "engine at {} did not answer inspect within {:.1} s",
            engine.endpoint(),
            waited.as_secs_f64()
        )),
    }
}

/// What the kernel says, asked only when the engine cannot tell; keeps the
/// record of the container's id up to date when it can.
pub fn host_view(io: &Io, cfg: &Config, engine: &EngineView) -> HostView {
    match engine {
        EngineView::Container(st) => {
            io.records
                .remember(&cfg.docker_host, &cfg.container, &st.id);
            HostView::NotAsked
        }
        EngineView::NoContainer => {
            io.records.forget(&cfg.docker_host, &cfg.container);
            HostView::NotAsked
        }
        EngineView::Down(_) | EngineView::Unresponsive(_) | EngineView::NotSocket(_) => {
            kernel_view(&io.host, &io.records, &cfg.docker_host, &cfg.container)
        }
        EngineView::Broken(_) | EngineView::Forbidden(_) => HostView::NotAsked,
    }
}

/// The container's processes by the id recorded for it.
pub fn kernel_view(host: &Kernel, records: &Records, engine: &str, container: &str) -> HostView {
    let id = match records.load(engine, container) {
        Known::Id(id) => id,
        Known::Nothing => {
            warn!(
                "the engine cannot be asked and container {container}'s id was never recorded \
                 on this node: its processes cannot be checked"
            );
            return HostView::Unknown("no record of its id".into());
        }
        Known::Garbled(why) => {
            warn!(
                "the engine cannot be asked and the record of container {container}'s id is \
                 unreadable ({why}): its processes cannot be checked"
            );
            return HostView::Unknown(why);
        }
    };
    match host.members(&id) {
        Ok(m) if m.pids.is_empty() => HostView::Gone,
        Ok(m) => {
            warn!(
                "the engine cannot be asked, but {} process(es) of container {container} ({}) are alive",
                m.pids.len(),
                id.get(..12).unwrap_or(&id)
            );
            HostView::Alive(m.pids.len())
        }
        Err(e) => HostView::Unreadable(e.to_string()),
    }
}

/// An engine error as the classification sees it.
pub fn engine_error_view(e: EngineError) -> EngineView {
    match e {
        EngineError::Absent { .. } => EngineView::Down(e.to_string()),
        EngineError::Timeout { .. } => EngineView::Unresponsive(e.to_string()),
        EngineError::Permission { .. } => EngineView::Forbidden(e.to_string()),
        EngineError::NotFound { .. } => EngineView::NoContainer,
        EngineError::NotSocket { .. } => EngineView::NotSocket(e.to_string()),
        EngineError::Api { .. }
        | EngineError::Protocol { .. }
        | EngineError::Unsupported { .. }
        | EngineError::BadEndpoint { .. } => EngineView::Broken(e.to_string()),
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
                Some(code) => CmdView::Failed(format!("exited {code}: {tail}")),
                None => CmdView::Failed(format!("gave no exit status: {tail}")),
            }
        }
        Err(EngineError::Timeout { .. }) => {
            CmdView::Failed("did not finish before the operation's deadline".into())
        }
        Err(e) => CmdView::Failed(format!("could not run: {e}")),
    }
}

/// One full look: container, address, interface, the container's processes
/// when the engine cannot tell, and `monitor_cmd` when `with_cmd` and the
/// container runs.
pub async fn observe(io: &Io, cfg: &Config, with_cmd: bool) -> (Observation, NetSight) {
    let waited = engine_wait(io.budget);
    let until = (Instant::now() + waited).min(io.deadline);
    let (engine_view, sight) = tokio::join!(
        engine_view_within(&io.engine, &cfg.container, until, waited),
        net_sight(&io.nl, cfg)
    );
    let host = host_view(io, cfg, &engine_view);
    let cmd = match (&engine_view, &cfg.monitor_cmd) {
        (EngineView::Container(st), Some(argv)) if with_cmd && is_running(st) => {
            run_cmd(&io.engine, &st.id, argv).await
        }
        _ => CmdView::NotRun,
    };
    let obs = Observation {
        engine: engine_view,
        host,
        addr: sight.addr_view.clone(),
        link: sight.link_view.clone(),
        cmd,
    };
    (obs, sight)
}
