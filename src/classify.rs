//! Classify, then act: what was observed on this node, mapped to one OCF status.
//!
//! [`classify`] is a pure function of an [`Observation`]; monitor returns its
//! verdict, start waits for it to say running, stop checks it says stopped.
//! The table it implements is the one in the README.

use ra_api::Status;

use crate::engine::{ContainerState, ContainerStatus, Health};

/// What the Engine API told about the container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EngineView {
    /// The engine's socket is missing or refuses connections (dockerd is not
    /// running). The container's processes may still live: [`HostView`]
    /// says. The text says what the socket answered.
    Down(String),
    /// The socket path holds no socket (a file, a directory, a path through
    /// a file): no engine listens there, so the container cannot run
    /// through it, as with `Down`; but the node is set up wrong, and
    /// monitor says so with 5 where it would say 7
    /// ([`crate::actions::monitor`]).
    NotSocket(String),
    /// The engine did not answer within its share of the deadline.
    Unresponsive(String),
    /// The engine answered with an error or something unreadable.
    Broken(String),
    /// The socket refused us (permission).
    Forbidden(String),
    /// The container does not exist.
    NoContainer,
    /// The container as inspected.
    Container(ContainerState),
}

/// Where the virtual address was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddrView {
    /// On the configured interface with the configured prefix.
    Present,
    /// On the configured interface but DAD is still running (IPv6).
    Tentative,
    /// On the configured interface, but DAD failed: another host holds it.
    DadFailed,
    /// Not ours, but bound on this node in another way (another prefix on
    /// the configured interface, or another interface): the text says where.
    /// Never "stopped" while it is there.
    Foreign(String),
    /// Not on the configured interface.
    Absent,
    /// The address or link could not be read.
    Unknown(String),
    /// Several addresses, some bound on their interface and some not.
    Partial {
        /// The bound ones (blank-separated).
        bound: String,
        /// The missing ones (blank-separated).
        missing: String,
    },
}

impl AddrView {
    /// Bound by us on our interface (counts for a partial state).
    pub fn is_bound(&self) -> bool {
        matches!(
            self,
            AddrView::Present
                | AddrView::Tentative
                | AddrView::DadFailed
                | AddrView::Partial { .. }
        )
    }
}

/// The state of the interface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkView {
    /// Up with carrier (or a link without carrier sense, like a dummy).
    Up,
    /// Administratively down or without carrier; the text says which.
    Down(String),
    /// The interface does not exist, or none could be found for the address.
    Missing(String),
}

/// What the kernel says about the container's processes, asked only when
/// the engine cannot be (down or not answering).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostView {
    /// The engine answered: the kernel was not asked.
    NotAsked,
    /// The container's full id is not known on this node (never recorded
    /// since boot, or the record is unreadable): nothing can be checked.
    Unknown(String),
    /// Processes of the container are alive.
    Alive(usize),
    /// No process of the container is alive.
    Gone,
    /// `/proc` cannot be read; the text says why.
    Unreadable(String),
}

/// The outcome of `monitor_cmd`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CmdView {
    /// Not configured, a probe, or the container was not running.
    NotRun,
    /// Exit status 0.
    Passed,
    /// Anything else; the text says what and carries the output tail.
    Failed(String),
}

/// Everything one monitor looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observation {
    /// The container, through the engine.
    pub engine: EngineView,
    /// Its processes, through the kernel (when the engine cannot tell).
    pub host: HostView,
    /// The virtual address on the interface.
    pub addr: AddrView,
    /// The interface.
    pub link: LinkView,
    /// `monitor_cmd`.
    pub cmd: CmdView,
}

/// The status and, for anything but running or cleanly stopped, the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// What monitor returns.
    pub status: Status,
    /// The exit reason (for 0 and 7: `None`).
    pub reason: Option<String>,
}

impl Verdict {
    fn ok() -> Self {
        Verdict {
            status: Status::Success,
            reason: None,
        }
    }
    fn stopped() -> Self {
        Verdict {
            status: Status::NotRunning,
            reason: None,
        }
    }
    fn failed(reason: impl Into<String>) -> Self {
        Verdict {
            status: Status::ErrGeneric,
            reason: Some(reason.into()),
        }
    }
    /// Running and serving.
    pub fn is_running(&self) -> bool {
        self.status == Status::Success
    }
}

/// How the container is doing, reduced to what decides the verdict.
enum Run<'a> {
    Running(&'a ContainerState),
    Stopped,
    Broken(String),
}

/// The one table: observation in, verdict out.
pub fn classify(obs: &Observation, check_health: bool, container: &str, vip: &str) -> Verdict {
    let run = match (&obs.engine, &obs.host) {
        (_, HostView::Unreadable(e)) => {
            return Verdict {
                status: Status::ErrPerm,
                reason: Some(e.clone()),
            }
        }
        (
            EngineView::Down(why) | EngineView::Unresponsive(why) | EngineView::NotSocket(why),
            HostView::Alive(_),
        ) => return Verdict::failed(format!("container {container} still runs, but {why}")),
        (EngineView::Unresponsive(_), HostView::Gone) => Run::Stopped,
        (EngineView::Unresponsive(e) | EngineView::Broken(e), _) => {
            return Verdict::failed(e.clone())
        }
        (EngineView::Forbidden(e), _) => {
            return Verdict {
                status: Status::ErrPerm,
                reason: Some(e.clone()),
            }
        }
        (EngineView::Down(_) | EngineView::NotSocket(_) | EngineView::NoContainer, _) => {
            Run::Stopped
        }
        (EngineView::Container(st), _) => container_run(st, container),
    };
    match run {
        Run::Broken(reason) => Verdict::failed(reason),
        Run::Stopped => {
            if let AddrView::Unknown(why) | AddrView::Foreign(why) = &obs.addr {
                Verdict::failed(why.clone())
            } else if let AddrView::Partial { bound, .. } = &obs.addr {
                Verdict::failed(format!(
                    "{bound} still bound but container {container} is not running (partial; stop cleans up)"
                ))
            } else if obs.addr.is_bound() {
                Verdict::failed(format!(
                    "{vip} is bound but container {container} is not running (partial; stop cleans up)"
                ))
            } else {
                Verdict::stopped()
            }
        }
        Run::Running(st) => {
            if check_health && st.health == Health::Unhealthy {
                let tail = crate::reason::output_line(st.health_output.as_deref().unwrap_or(""));
                return Verdict::failed(format!("container {container} is unhealthy: {tail}"));
            }
            if let CmdView::Failed(why) = &obs.cmd {
                return Verdict::failed(format!("monitor_cmd {why}"));
            }
            match (&obs.link, &obs.addr) {
                (LinkView::Missing(why), _) => Verdict::failed(why.clone()),
                (_, AddrView::Unknown(why) | AddrView::Foreign(why)) => {
                    Verdict::failed(why.clone())
                }
                (_, AddrView::DadFailed) => {
                    Verdict::failed(format!("{vip}: duplicate address detection failed"))
                }
                (_, AddrView::Absent) => Verdict::failed(format!(
                    "container {container} runs but {vip} is not bound (partial)"
                )),
                (_, AddrView::Partial { missing, .. }) => Verdict::failed(format!(
                    "container {container} runs but {missing} not bound (partial)"
                )),
                (LinkView::Down(why), _) => Verdict::failed(why.clone()),
                (LinkView::Up, AddrView::Present | AddrView::Tentative) => Verdict::ok(),
            }
        }
    }
}

fn container_run<'a>(st: &'a ContainerState, container: &str) -> Run<'a> {
    if st.restarting || st.status == ContainerStatus::Restarting {
        return Run::Broken(format!("container {container} is restarting (crash loop)"));
    }
    if st.paused || st.status == ContainerStatus::Paused {
        return Run::Broken(format!("container {container} is paused"));
    }
    match &st.status {
        ContainerStatus::Running => Run::Running(st),
        ContainerStatus::Created
        | ContainerStatus::Exited
        | ContainerStatus::Dead
        | ContainerStatus::Removing => Run::Stopped,
        ContainerStatus::Stopping => Run::Broken(format!("container {container} is stopping")),
        ContainerStatus::Restarting | ContainerStatus::Paused => {
            Run::Broken(format!("container {container} is {:?}", st.status))
        }
        ContainerStatus::Other(s) => {
            Run::Broken(format!("container {container} is in unknown state {s:?}"))
        }
    }
}

mod combine;
pub use combine::combine;

#[cfg(test)]
mod tests;
