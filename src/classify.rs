//! Classify, then act: what was observed on this node, mapped to one OCF status.
//!
//! [`classify`] is a pure function of an [`Observation`]; monitor returns its
//! verdict, start reads it through [`readiness`] (ready, wait, or a state
//! waiting will not fix), stop checks it says stopped.
//! The table it implements is the one in `docs/monitor-and-codes.md` ("What
//! monitor returns").

use ra_api::Status;

use crate::engine::{ContainerName, ContainerState, ContainerStatus, EngineError, Health};
use crate::host::HostError;

/// What the Engine API told about the container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EngineView {
    /// The engine's socket is missing or refuses connections (dockerd is not
    /// running). The container's processes may still live: [`HostView`]
    /// says. The text says what the socket answered.
    Down(EngineError),
    /// The socket path holds no socket (a file, a directory, a path through
    /// a file): no engine listens there, so the container cannot run
    /// through it, as with `Down`; but the node is set up wrong, and
    /// monitor says so with 5 where it would say 7
    /// ([`classify`]).
    NotSocket(EngineError),
    /// The engine did not answer within its share of the deadline.
    Unresponsive(EngineError),
    /// The engine answered with an error or something unreadable.
    Broken(EngineError),
    /// The socket refused us (permission).
    Forbidden(EngineError),
    /// The container does not exist.
    NoContainer,
    /// The container as inspected.
    Container(ContainerState),
}

/// What the kernel says about the container's processes, asked only when
/// the engine cannot be (down or not answering).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostView {
    /// The engine answered: the kernel was not asked.
    NotAsked,
    /// Whether the container runs cannot be told: containers whose name
    /// cannot be read run on this node and the remembered id does not
    /// settle it ([`Undecided`] says why).
    Unknown(Undecided),
    /// Processes of the container are alive.
    Alive {
        /// Its full id.
        id: String,
        /// How many of its processes live.
        count: usize,
        /// Whether the engine's own files on disk confirm that this id has
        /// the configured name (Docker's `config.v2.json`); `false` when
        /// only the record says so.
        verified: bool,
        /// Its cgroup is frozen (paused): it serves nothing.
        frozen: bool,
    },
    /// No process of the container is alive (and none of a container that
    /// could be it).
    Gone,
    /// `/proc` cannot be read.
    Unreadable(HostError),
}

/// Why the kernel cannot tell whether the container runs; displayed as
/// the first half of the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Undecided {
    /// A container with the configured name runs whose engine's files do
    /// not confirm it (another engine, or a second one).
    #[error("a container named {container} runs on an engine not known here ({record})")]
    OtherEngine {
        /// The configured name.
        container: ContainerName,
        /// What the record said.
        record: RecordSays,
    },
    /// Containers whose name cannot be read run.
    #[error("containers of unreadable name run, {container} may be one ({record})")]
    Unnamed {
        /// The configured name.
        container: ContainerName,
        /// What the record said.
        record: RecordSays,
    },
}

/// What this node's record of the container said, when it did not settle
/// which container is ours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordSays {
    /// The remembered id has no process alive.
    RunsNothing,
    /// No id is remembered.
    NothingRemembered,
    /// The record cannot be read.
    Unreadable,
}

impl std::fmt::Display for RecordSays {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            RecordSays::RunsNothing => "its remembered id runs nothing",
            RecordSays::NothingRemembered => "no id remembered",
            RecordSays::Unreadable => "its record unreadable",
        })
    }
}

/// A container this node started or found under the configured name, which
/// runs but no longer has that name (renamed, or the name reused by a new
/// container while it lives on): a second copy of the service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stray {
    /// Its full id.
    pub id: String,
    /// Its name now, when known.
    pub name: Option<String>,
}

impl Stray {
    /// How a reason names it: `croit_old (24af5fa908a9)`.
    pub fn label(&self) -> String {
        let short = self.id.get(..12).unwrap_or(&self.id);
        match &self.name {
            Some(n) => format!("{n} ({short})"),
            None => short.to_string(),
        }
    }
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
    /// The container this node remembers as the resource's, when it still
    /// runs without the configured name.
    pub stray: Option<Stray>,
}

/// What the table needs besides the observation.
#[derive(Debug, Clone, Copy)]
pub struct Rules<'a> {
    /// `check_health`.
    pub check_health: bool,
    /// The configured container name.
    pub container: &'a ContainerName,
    /// The addresses as reasons name them.
    pub label: &'a Vips,
    /// The caller speaks OCF 1.1 (degraded, 190, is understood).
    pub degraded: bool,
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
    /// The engine cannot be asked, the kernel shows the container's
    /// processes and the engine's own files confirm its id.
    Away {
        why: &'a EngineError,
        id: &'a str,
    },
    Stopped,
    Broken(String),
}

/// The one table: observation in, verdict out.
pub fn classify(obs: &Observation, rules: &Rules<'_>) -> Verdict {
    let container = rules.container;
    let vip = rules.label;
    if let HostView::Unreadable(e) = &obs.host {
        return Verdict {
            status: Status::ErrPerm,
            reason: Some(e.to_string()),
        };
    }
    if let Some(stray) = &obs.stray {
        return Verdict::failed(format!(
            "container {} started here as {container} still runs under another name: stop ends it",
            stray.label()
        ));
    }
    let run = match (&obs.engine, &obs.host) {
        (
            EngineView::Down(why) | EngineView::Unresponsive(why) | EngineView::NotSocket(why),
            HostView::Alive {
                id,
                verified,
                frozen,
                ..
            },
        ) => {
            if *frozen {
                return Verdict::failed(format!(
                    "container {container} is paused (frozen), and {why}"
                ));
            }
            if *verified {
                Run::Away { why, id }
            } else {
                return Verdict::failed(format!(
                    "container {container} ({}) still runs, but {why}; its name cannot be checked",
                    id.get(..12).unwrap_or(id)
                ));
            }
        }
        (
            EngineView::Down(why) | EngineView::Unresponsive(why) | EngineView::NotSocket(why),
            HostView::Unknown(what),
        ) => return Verdict::failed(format!("{what}; {why}")),
        (EngineView::Unresponsive(_), HostView::Gone) => Run::Stopped,
        (EngineView::Unresponsive(e) | EngineView::Broken(e), _) => {
            return Verdict::failed(e.to_string())
        }
        (EngineView::Forbidden(e), _) => {
            return Verdict {
                status: Status::ErrPerm,
                reason: Some(e.to_string()),
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
            if let AddrView::Unknown(why) = &obs.addr {
                Verdict::failed(why.to_string())
            } else if let AddrView::Foreign(f) = &obs.addr {
                Verdict::failed(f.to_string())
            } else if let AddrView::Partial { bound, .. } = &obs.addr {
                Verdict::failed(format!(
                    "{bound} still bound but container {container} is not running (partial; stop cleans up)"
                ))
            } else if obs.addr.is_bound() {
                Verdict::failed(format!(
                    "{vip} is bound but container {container} is not running (partial; stop cleans up)"
                ))
            } else if let EngineView::NotSocket(why) = &obs.engine {
                // Stopped, as far as the container goes, but this node
                // cannot run it: 5, so that Pacemaker does not place it here.
                Verdict {
                    status: Status::ErrInstalled,
                    reason: Some(why.to_string()),
                }
            } else {
                Verdict::stopped()
            }
        }
        Run::Away { why, id } => match served(obs, container, vip) {
            Some(failed) => failed,
            None => Verdict {
                status: if rules.degraded {
                    Status::Degraded
                } else {
                    Status::Success
                },
                reason: Some(format!(
                    "container {container} ({}) runs and {vip} is bound, but {why}",
                    id.get(..12).unwrap_or(id)
                )),
            },
        },
        Run::Running(st) => {
            if rules.check_health && st.health == Health::Unhealthy {
                return Verdict::failed(unhealthy(container, st));
            }
            if let CmdView::Failed(why) = &obs.cmd {
                return Verdict::failed(format!("monitor_cmd {why}"));
            }
            served(obs, container, vip).unwrap_or_else(Verdict::ok)
        }
    }
}

/// With the container running: the failure the address and the link show,
/// if any.
fn served(obs: &Observation, container: &ContainerName, vip: &Vips) -> Option<Verdict> {
    Some(match (&obs.link, &obs.addr) {
        (LinkView::Missing(why), _) => Verdict::failed(why.to_string()),
        (_, AddrView::Unknown(why)) => Verdict::failed(why.to_string()),
        (_, AddrView::Foreign(f)) => Verdict::failed(f.to_string()),
        (_, AddrView::DadFailed) => {
            Verdict::failed(format!("{vip}: duplicate address detection failed"))
        }
        (_, AddrView::Absent) => Verdict::failed(format!(
            "container {container} runs but {vip} is not bound (partial)"
        )),
        (_, AddrView::Partial { missing, .. }) => Verdict::failed(format!(
            "container {container} runs but {missing} not bound (partial)"
        )),
        (LinkView::Down(why), _) => Verdict::failed(why.to_string()),
        (LinkView::Up, AddrView::Present | AddrView::Tentative) => return None,
    })
}

/// The reason for an unhealthy container: the last line of its health
/// check's output, masked ([`crate::reason::output_line`]).
fn unhealthy(container: &ContainerName, st: &ContainerState) -> String {
    let tail = crate::reason::output_line(st.health_output.as_deref().unwrap_or(""));
    format!("container {container} is unhealthy: {tail}")
}

fn container_run<'a>(st: &'a ContainerState, container: &ContainerName) -> Run<'a> {
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

mod addr;
mod combine;
mod ready;
pub use crate::vip::Vips;
pub use addr::{AddrView, DownWhy, Foreign, LinkDown, LinkMissing, LinkRef, LinkView, SpreadOn};
pub use combine::combine;
pub use ready::{readiness, Readiness};

#[cfg(test)]
mod tests;
