//! [`Engine`] over the Docker Engine API (bollard, unix socket).

use std::future::Future;

use bollard::errors::Error as BError;
use bollard::models::{ContainerUpdateBody, RestartPolicy, RestartPolicyNameEnum};
use bollard::query_parameters::{InspectContainerOptions, StopContainerOptionsBuilder};
use tokio::time::Instant;
use tracing::warn;

use super::compat::{self, Raw};
use super::endpoint::{self, Endpoint, Unusable};
use super::{ContainerName, ContainerState, Engine, EngineError, ExecResult};

/// A Docker (or Podman) engine behind a unix socket; every call bounded by
/// one deadline.
pub struct Docker {
    client: Result<bollard::Docker, Unusable>,
    endpoint: String,
    path: String,
    deadline: Instant,
}

/// A client for the socket at `path` (no connection yet), once the path
/// holds a socket.
fn client_for(path: &str) -> Result<bollard::Docker, Unusable> {
    endpoint::examine(path).and_then(|()| {
        bollard::Docker::connect_with_unix(path, 3600, bollard::API_DEFAULT_VERSION)
            .map_err(|_| Unusable::Missing)
    })
}

impl Docker {
    /// Prepares a client for `endpoint` (`unix:///path` or `/path`). Does not
    /// connect; a missing socket file shows on the first call as
    /// [`EngineError::Absent`], a path that cannot be searched as
    /// [`EngineError::Permission`], one that is no socket as
    /// [`EngineError::NotSocket`].
    pub fn connect(endpoint: &Endpoint, deadline: Instant) -> Result<Docker, EngineError> {
        // bollard's own timeout is whole seconds and covers only the headers:
        // the deadline below is what bounds each call. API version
        // negotiation is skipped: it costs a round trip per call.
        Ok(Docker {
            client: client_for(endpoint.path()),
            endpoint: endpoint.to_string(),
            path: endpoint.path().to_string(),
            deadline,
        })
    }

    /// The endpoint as configured.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The client; a socket that was missing is looked for again (an
    /// engine restarting comes back while start waits for it).
    fn client(&self) -> Result<bollard::Docker, EngineError> {
        let fresh;
        let client = match &self.client {
            Err(Unusable::Missing) => {
                fresh = client_for(&self.path);
                &fresh
            }
            c => c,
        };
        client.clone().map_err(|u| match u {
            Unusable::Missing => EngineError::Absent {
                endpoint: self.endpoint.clone(),
                detail: "socket file missing".into(),
            },
            Unusable::Permission => EngineError::Permission {
                endpoint: self.endpoint.clone(),
            },
            Unusable::NotSocket(problem) => EngineError::NotSocket {
                endpoint: self.endpoint.clone(),
                problem: problem.clone(),
            },
        })
    }

    /// Runs one request under the deadline; bollard's own error is kept.
    async fn bounded<T>(
        &self,
        op: &'static str,
        f: impl Future<Output = Result<T, BError>>,
    ) -> Result<Result<T, BError>, EngineError> {
        let given = self.deadline.saturating_duration_since(Instant::now());
        tokio::time::timeout_at(self.deadline, f)
            .await
            .map_err(|_| EngineError::Timeout {
                endpoint: self.endpoint.clone(),
                op,
                given: Some(given),
            })
    }

    /// Runs one request under the deadline, mapping bollard's errors.
    async fn call<T>(
        &self,
        op: &'static str,
        f: impl Future<Output = Result<T, BError>>,
    ) -> Result<T, EngineError> {
        self.bounded(op, f).await?.map_err(|e| self.map_err(op, e))
    }

    fn map_err(&self, op: &'static str, e: BError) -> EngineError {
        match e {
            BError::DockerResponseServerError {
                status_code,
                message,
            } => EngineError::Api {
                op,
                status: status_code,
                message: message.trim().to_string(),
            },
            BError::SocketNotFoundError(_) => EngineError::Absent {
                endpoint: self.endpoint.clone(),
                detail: "socket file missing".into(),
            },
            BError::RequestTimeoutError => EngineError::Timeout {
                endpoint: self.endpoint.clone(),
                op,
                given: None,
            },
            BError::JsonDataError { message, .. } => EngineError::Protocol { op, message },
            other => match io_kind(&other) {
                Some(std::io::ErrorKind::ConnectionRefused | std::io::ErrorKind::NotFound) => {
                    EngineError::Absent {
                        endpoint: self.endpoint.clone(),
                        detail: "connection refused".into(),
                    }
                }
                Some(std::io::ErrorKind::PermissionDenied) => EngineError::Permission {
                    endpoint: self.endpoint.clone(),
                },
                _ => EngineError::Protocol {
                    op,
                    message: other.to_string(),
                },
            },
        }
    }
}

/// The kind of the first I/O error in the chain, if any.
fn io_kind(e: &(dyn std::error::Error + 'static)) -> Option<std::io::ErrorKind> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            return Some(io.kind());
        }
        cur = err.source();
    }
    None
}

impl Docker {
    /// The container the engine resolves `container` to (exact id, exact
    /// name, or id prefix); `None` when there is none, or when the prefix
    /// is ambiguous (then no container has that name or id either).
    async fn inspect_any(&self, container: &str) -> Result<Option<ContainerState>, EngineError> {
        let c = self.client()?;
        let r = self
            .bounded(
                "inspect",
                c.inspect_container(container, None::<InspectContainerOptions>),
            )
            .await?;
        let info = match r {
            Ok(i) => i,
            // A word bollard's enums do not know (Podman's `stopped`): the
            // answer is read again, leniently.
            Err(BError::JsonDataError {
                message, contents, ..
            }) => {
                return compat::from_json(&contents).map(Some).map_err(|why| {
                    EngineError::Protocol {
                        op: "inspect",
                        message: format!("{message} ({why})"),
                    }
                })
            }
            Err(e) => {
                return match self.map_err("inspect", e) {
                    EngineError::Api { status: 404, .. } => Ok(None),
                    EngineError::Api { message, .. } if ambiguous(&message) => Ok(None),
                    e => Err(e),
                }
            }
        };
        let state = info.state.unwrap_or_default();
        let health = state.health.as_ref();
        let health_output = health
            .and_then(|h| h.log.as_ref())
            .and_then(|l| l.last())
            .and_then(|r| r.output.as_deref());
        let policy = info
            .host_config
            .as_ref()
            .and_then(|h| h.restart_policy.as_ref())
            .and_then(|p| p.name.as_ref());
        Ok(Some(compat::build(Raw {
            id: info.id.as_deref().unwrap_or_default(),
            name: info.name.as_deref().unwrap_or_default(),
            status: state.status.as_ref().map_or("", |s| s.as_ref()),
            restarting: state.restarting.unwrap_or(false),
            paused: state.paused.unwrap_or(false),
            exit_code: state.exit_code,
            health: health.map(|h| h.status.as_ref().map_or("", |s| s.as_ref())),
            health_output,
            restart_policy: policy.map(|p| p.as_ref()),
            hostname_path: info.hostname_path.as_deref(),
        })))
    }

    /// [`Docker::inspect_any`] kept to the container whose name or full id
    /// is exactly `container`.
    async fn inspect_exact(&self, container: &str) -> Result<Option<ContainerState>, EngineError> {
        let found = self.inspect_any(container).await?;
        Ok(found.filter(|st| {
            let ours = st.id == container || st.name == container;
            if !ours {
                warn!(
                    "container {container}: the engine resolved it to {} ({}) by id prefix: \
                     not ours (only the exact name or full id counts)",
                    st.name, st.id
                );
            }
            ours
        }))
    }
}

/// The engine's answer to an id prefix that more than one container's id
/// starts with. Docker 20.10: HTTP 500 "Multiple IDs found with provided
/// prefix: 80"; Podman 4.3: HTTP 404 (read as none already) "more than one
/// result for container ID 0f: container already exists". Both seen.
fn ambiguous(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("multiple ids found") || m.contains("more than one result")
}

impl Engine for Docker {
    fn endpoint(&self) -> &str {
        Docker::endpoint(self)
    }

    /// Only the container whose name or full id is `container`: the engine
    /// resolves a name as exact id, exact name, then id prefix, and a
    /// prefix names some other container (`container=2af3` must never stop
    /// the container whose id starts with 2af3). The other requests take
    /// the full id from this answer.
    async fn inspect(
        &self,
        container: &ContainerName,
    ) -> Result<Option<ContainerState>, EngineError> {
        self.inspect_exact(container.as_str()).await
    }

    async fn inspect_id(&self, id: &str) -> Result<Option<ContainerState>, EngineError> {
        self.inspect_exact(id).await
    }

    // bollard takes the engine's 304 (already running / already stopped) as
    // success: start and stop of a container already there are no errors.
    async fn start(&self, container: &str) -> Result<(), EngineError> {
        let c = self.client()?;
        match self.call("start", c.start_container(container, None)).await {
            Err(EngineError::Api { status: 404, .. }) => Err(EngineError::NotFound {
                container: container.to_string(),
            }),
            r => r,
        }
    }

    async fn stop(&self, container: &str, grace_s: u32) -> Result<(), EngineError> {
        let c = self.client()?;
        let t = i32::try_from(grace_s).unwrap_or(i32::MAX);
        let opts = StopContainerOptionsBuilder::new().t(t).build();
        match self
            .call("stop", c.stop_container(container, Some(opts)))
            .await
        {
            Err(EngineError::Api { status: 404, .. }) => Ok(()),
            r => r,
        }
    }

    async fn unpause(&self, container: &str) -> Result<(), EngineError> {
        let c = self.client()?;
        self.call("unpause", c.unpause_container(container)).await
    }

    async fn set_restart_policy_no(&self, container: &str) -> Result<(), EngineError> {
        let c = self.client()?;
        let body = ContainerUpdateBody {
            restart_policy: Some(RestartPolicy {
                name: Some(RestartPolicyNameEnum::NO),
                maximum_retry_count: None,
            }),
            ..Default::default()
        };
        match self
            .call("update", c.update_container(container, body))
            .await
        {
            // Podman 4 answers 404 to the request itself (no such route):
            // only a container that is gone is "not found".
            Err(EngineError::Api {
                status: 404,
                message,
                ..
            }) => match self.inspect_id(container).await? {
                None => Err(EngineError::NotFound {
                    container: container.to_string(),
                }),
                Some(_) => Err(EngineError::Unsupported {
                    endpoint: self.endpoint.clone(),
                    op: "container update",
                    message,
                }),
            },
            r => r,
        }
    }

    /// Ends a little before the deadline: an exec still running then is
    /// ended (its processes killed), never left behind in the container.
    async fn exec(&self, container: &str, argv: &[String]) -> Result<ExecResult, EngineError> {
        self.exec_bounded(container, argv).await
    }
}

mod exec;
