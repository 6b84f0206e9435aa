//! The container engine, at the level of the domain: what state a container
//! is in, start it, stop it, run a command in it. bollard stays inside
//! [`docker`]; the rest of the agent sees only these types.

mod compat;
pub mod disk;
pub mod docker;
mod endpoint;
pub use endpoint::{Endpoint, DEFAULT_ENDPOINT};
mod leftover;
mod name;
pub use name::{is_full_id, ContainerName};
#[cfg(test)]
pub(crate) mod scripted;

pub use docker::Docker;

/// `State.Status` as the engine reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContainerStatus {
    /// Created, never started.
    Created,
    /// Running (but see `restarting` and `paused`).
    Running,
    /// Frozen.
    Paused,
    /// Between two runs of a restart policy (a crash loop).
    Restarting,
    /// Being removed.
    Removing,
    /// Exited.
    Exited,
    /// Dead (removal failed).
    Dead,
    /// SIGTERM sent, not exited yet (Podman says so, with `Running` false).
    Stopping,
    /// Anything else (an empty status, Podman's `unknown`, a newer engine's word).
    Other(String),
}

/// `HostConfig.RestartPolicy.Name`: whether the engine starts the
/// container by itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RestartPolicy {
    /// `no`, empty or absent: only Pacemaker starts it.
    No,
    /// Any other (`always`, `unless-stopped`, `on-failure`, a newer word):
    /// the engine may start it outside the cluster (at boot, after a
    /// crash); the word as the engine said it.
    Engine(String),
}

impl RestartPolicy {
    /// From the engine's word: empty or absent is `no`.
    pub fn from_word(word: Option<&str>) -> RestartPolicy {
        match word {
            None | Some("") | Some("no") => RestartPolicy::No,
            Some(w) => RestartPolicy::Engine(w.to_string()),
        }
    }

    /// The engine starts the container by itself.
    pub fn engine_restarts(&self) -> bool {
        matches!(self, RestartPolicy::Engine(_))
    }
}

impl std::fmt::Display for RestartPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RestartPolicy::No => f.write_str("no"),
            RestartPolicy::Engine(w) => f.write_str(w),
        }
    }
}

/// The health check's verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Health {
    /// No HEALTHCHECK (no Health block, or Podman's empty status).
    None,
    /// Within the start period, no verdict yet.
    Starting,
    /// Passing.
    Healthy,
    /// Failing.
    Unhealthy,
}

/// What monitor needs to know about a container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerState {
    /// Full id.
    pub id: String,
    /// Name without the leading `/`.
    pub name: String,
    /// `State.Status`.
    pub status: ContainerStatus,
    /// `State.Restarting` (`State.Running` is true then: never use it alone).
    pub restarting: bool,
    /// `State.Paused`.
    pub paused: bool,
    /// The health check.
    pub health: Health,
    /// Tail of the last health-check output, for exit reasons.
    pub health_output: Option<String>,
    /// `HostConfig.RestartPolicy.Name`.
    pub restart_policy: RestartPolicy,
    /// `State.ExitCode` when the container is not running.
    pub exit_code: Option<i64>,
    /// Where the engine keeps its containers' files (the directory above
    /// the container's own, from `HostnamePath`): what tells this engine's
    /// containers from other engines' when it cannot be asked.
    pub engine_root: Option<std::path::PathBuf>,
}

impl ContainerState {
    /// Down for good: exited, created, dead or being removed, and not
    /// between two runs of a restart policy. Nothing of it runs.
    pub fn is_down(&self) -> bool {
        matches!(
            self.status,
            ContainerStatus::Exited
                | ContainerStatus::Created
                | ContainerStatus::Dead
                | ContainerStatus::Removing
        ) && !self.restarting
    }
}

/// The outcome of a command run in the container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecResult {
    /// Its exit code, when the engine reported one.
    pub exit_code: Option<i64>,
    /// The last characters of stdout and stderr.
    pub output_tail: String,
}

/// What can go wrong talking to the engine. `Absent` (dockerd not running)
/// and `Timeout` (dockerd up but not answering) both mean the engine cannot
/// be asked: the kernel is then asked instead (`crate::host`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    /// The socket file is missing or refuses connections.
    #[error("engine at {endpoint} is not running ({detail})")]
    Absent {
        /// The endpoint.
        endpoint: String,
        /// What the socket said.
        detail: String,
    },
    /// The socket, or a directory on its path, refused us.
    #[error("no permission to use the engine socket {endpoint}")]
    Permission {
        /// The endpoint.
        endpoint: String,
    },
    /// The deadline passed before the engine answered.
    #[error("{}", timeout_text(endpoint, op, *given))]
    Timeout {
        /// The endpoint.
        endpoint: String,
        /// The request.
        op: &'static str,
        /// How long the engine was given, when known: a request that had
        /// next to no time is not the engine's failure, and the reason must
        /// not say it is.
        given: Option<std::time::Duration>,
    },
    /// The engine did not answer within the share of the budget it was
    /// given before the kernel is asked instead.
    #[error("engine at {endpoint} did not answer {op} within {:.1} s", share.as_secs_f64())]
    NoAnswer {
        /// The endpoint.
        endpoint: String,
        /// The request.
        op: &'static str,
        /// Its share of the budget.
        share: std::time::Duration,
    },
    /// The container does not exist.
    #[error("container {container} does not exist")]
    NotFound {
        /// Name or id.
        container: String,
    },
    /// The engine answered with an error.
    #[error("engine refused {op}: HTTP {status}: {message}")]
    Api {
        /// The request.
        op: &'static str,
        /// HTTP status.
        status: u16,
        /// The engine's message.
        message: String,
    },
    /// An answer that could not be read.
    #[error("engine {op}: {message}")]
    Protocol {
        /// The request.
        op: &'static str,
        /// What was wrong.
        message: String,
    },
    /// The engine has no such request (Podman 4 has no container update).
    #[error("engine at {endpoint} does not support {op} ({message})")]
    Unsupported {
        /// The endpoint.
        endpoint: String,
        /// The request.
        op: &'static str,
        /// The engine's answer.
        message: String,
    },
    /// The socket path holds something that is not a socket (a file, a
    /// directory, a path through a file): no engine listens there, and
    /// this node is set up wrong.
    #[error("engine socket {endpoint} is not a socket: {problem}")]
    NotSocket {
        /// The endpoint.
        endpoint: String,
        /// What is there instead.
        problem: String,
    },
}

/// Less than this left for a request: the agent's own time ran out, not
/// the engine's.
const NO_TIME: std::time::Duration = std::time::Duration::from_millis(100);

fn timeout_text(endpoint: &str, op: &str, given: Option<std::time::Duration>) -> String {
    match given {
        Some(g) if g < NO_TIME => {
            format!("no time was left to ask the engine at {endpoint} for {op} before the deadline")
        }
        _ => format!("engine at {endpoint} did not answer {op} before the deadline"),
    }
}

/// The engine operations the agent uses. `inspect` takes the configured
/// name (or full id) and answers only for the container with exactly that
/// name or id (`inspect_id` likewise for a remembered id); every other
/// operation takes the full id from its answer ([`ContainerState::id`]),
/// so that none can land on another container.
#[allow(async_fn_in_trait)]
pub trait Engine {
    /// The endpoint as configured, for the reasons that name it.
    fn endpoint(&self) -> &str;
    /// The container's state; `None` when no container has exactly this
    /// name or full id (an id prefix of another container is none).
    async fn inspect(
        &self,
        container: &ContainerName,
    ) -> Result<Option<ContainerState>, EngineError>;
    /// The state of the container with this full id (a remembered one),
    /// as [`Engine::inspect`] answers for a name.
    async fn inspect_id(&self, id: &str) -> Result<Option<ContainerState>, EngineError>;
    /// Starts it (already running: fine).
    async fn start(&self, container: &str) -> Result<(), EngineError>;
    /// SIGTERM, `grace_s` seconds, SIGKILL; returns once it stopped.
    /// Already stopped or absent: fine.
    async fn stop(&self, container: &str, grace_s: u32) -> Result<(), EngineError>;
    /// Unfreezes it.
    async fn unpause(&self, container: &str) -> Result<(), EngineError>;
    /// Sets the restart policy to `no`; [`EngineError::Unsupported`] when
    /// the engine cannot (Podman 4).
    async fn set_restart_policy_no(&self, container: &str) -> Result<(), EngineError>;
    /// Runs `argv` inside the container and waits for it.
    async fn exec(&self, container: &str, argv: &[String]) -> Result<ExecResult, EngineError>;
}

/// The last `max` characters of `s`.
pub fn tail(s: &str, max: usize) -> String {
    let n = s.chars().count();
    s.chars().skip(n.saturating_sub(max)).collect()
}

#[cfg(test)]
mod timeout_tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn the_engine_is_blamed_only_when_it_had_time() {
        let t = |given| {
            EngineError::Timeout {
                endpoint: "unix:///e".into(),
                op: "inspect",
                given,
            }
            .to_string()
        };
        assert_eq!(
            t(None),
            "engine at unix:///e did not answer inspect before the deadline"
        );
        assert_eq!(
            t(Some(Duration::from_secs(3))),
            "engine at unix:///e did not answer inspect before the deadline"
        );
        assert!(t(Some(Duration::from_millis(5))).starts_with("no time was left"));
    }
}
