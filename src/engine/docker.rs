//! [`Engine`] over the Docker Engine API (bollard, unix socket).

use std::future::Future;

use bollard::errors::Error as BError;
use bollard::exec::{CreateExecOptions, StartExecOptions, StartExecResults};
use bollard::models::{ContainerUpdateBody, RestartPolicy, RestartPolicyNameEnum};
use bollard::query_parameters::{InspectContainerOptions, StopContainerOptionsBuilder};
use futures_util::StreamExt;
use tokio::time::Instant;

use super::compat::{self, Raw, TAIL};
use super::{tail, ContainerState, Engine, EngineError, ExecResult};

/// A Docker (or Podman) engine behind a unix socket; every call bounded by
/// one deadline.
pub struct Docker {
    client: Option<bollard::Docker>,
    endpoint: String,
    deadline: Instant,
}

impl Docker {
    /// Prepares a client for `endpoint` (`unix:///path` or `/path`). Does not
    /// connect; a missing socket file shows on the first call as
    /// [`EngineError::Absent`].
    pub fn connect(endpoint: &str, deadline: Instant) -> Result<Docker, EngineError> {
        let path = endpoint.strip_prefix("unix://").unwrap_or(endpoint);
        if !path.starts_with('/') {
            return Err(EngineError::BadEndpoint {
                endpoint: endpoint.to_string(),
                problem: "expected unix:///path/to/socket".into(),
            });
        }
        // bollard's own timeout is whole seconds and covers only the headers:
        // the deadline below is what bounds each call. API version
        // negotiation is skipped: it costs a round trip per call.
        let client =
            bollard::Docker::connect_with_unix(path, 3600, bollard::API_DEFAULT_VERSION).ok();
        Ok(Docker {
            client,
            endpoint: endpoint.to_string(),
            deadline,
        })
    }

    /// The endpoint as configured.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    fn client(&self) -> Result<&bollard::Docker, EngineError> {
        self.client.as_ref().ok_or_else(|| EngineError::Absent {
            endpoint: self.endpoint.clone(),
            detail: "socket file missing".into(),
        })
    }

    /// Runs one request under the deadline; bollard's own error is kept.
    async fn bounded<T>(
        &self,
        op: &'static str,
        f: impl Future<Output = Result<T, BError>>,
    ) -> Result<Result<T, BError>, EngineError> {
        tokio::time::timeout_at(self.deadline, f)
            .await
            .map_err(|_| EngineError::Timeout {
                endpoint: self.endpoint.clone(),
                op,
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

impl Engine for Docker {
    async fn inspect(&self, container: &str) -> Result<Option<ContainerState>, EngineError> {
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
        })))
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
            }) => match self.inspect(container).await? {
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

    async fn exec(&self, container: &str, argv: &[String]) -> Result<ExecResult, EngineError> {
        let c = self.client()?;
        let create = CreateExecOptions {
            cmd: Some(argv.to_vec()),
            attach_stdout: Some(true),
            attach_stderr: Some(true),
            ..Default::default()
        };
        let id = match self
            .call("exec create", c.create_exec(container, create))
            .await
        {
            Ok(r) => r.id,
            Err(EngineError::Api { status: 404, .. }) => {
                return Err(EngineError::NotFound {
                    container: container.to_string(),
                })
            }
            Err(e) => return Err(e),
        };
        let started = self
            .call(
                "exec start",
                c.start_exec(&id, Some(StartExecOptions::default())),
            )
            .await?;
        let mut output = String::new();
        if let StartExecResults::Attached {
            output: mut stream, ..
        } = started
        {
            let collect = async {
                while let Some(chunk) = stream.next().await {
                    match chunk {
                        Ok(log) => {
                            output.push_str(&String::from_utf8_lossy(&log.into_bytes()));
                            if output.len() > 4 * TAIL {
                                output = tail(&output, TAIL);
                            }
                        }
                        Err(e) => return Err(e),
                    }
                }
                Ok(())
            };
            self.call("exec output", collect).await?;
        }
        let info = self.call("exec inspect", c.inspect_exec(&id)).await?;
        Ok(ExecResult {
            exit_code: info.exit_code,
            output_tail: tail(output.trim(), TAIL),
        })
    }
}
