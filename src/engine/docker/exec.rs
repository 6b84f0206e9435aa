//! `monitor_cmd` through the engine: an exec bounded by the deadline, and
//! the end of one that outlives it.

use bollard::exec::{CreateExecOptions, StartExecOptions, StartExecResults};
use futures_util::StreamExt;
use tracing::{info, warn};

use super::Docker;
use crate::engine::compat::TAIL;
use crate::engine::{leftover, tail, EngineError, ExecResult};

impl Docker {
    /// The exec behind [`crate::engine::Engine::exec`], ending a little
    /// before the deadline.
    pub(super) async fn exec_bounded(
        &self,
        container: &str,
        argv: &[String],
    ) -> Result<ExecResult, EngineError> {
        let c = self.client()?;
        let end = crate::budget::exec_end(self.deadline);
        let timeout = |op| EngineError::Timeout {
            endpoint: self.endpoint.clone(),
            op,
            given: None,
        };
        let create = CreateExecOptions {
            cmd: Some(argv.to_vec()),
            attach_stdout: Some(true),
            attach_stderr: Some(true),
            ..Default::default()
        };
        let created = tokio::time::timeout_at(
            end,
            self.call("exec create", c.create_exec(container, create)),
        )
        .await
        .map_err(|_| timeout("exec create"))?;
        let id = match created {
            Ok(r) => r.id,
            Err(EngineError::Api { status: 404, .. }) => {
                return Err(EngineError::NotFound {
                    container: container.to_string(),
                })
            }
            Err(e) => return Err(e),
        };
        let attached = async {
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
                while let Some(chunk) = stream.next().await {
                    let log = chunk.map_err(|e| self.map_err("exec output", e))?;
                    output.push_str(&String::from_utf8_lossy(&log.into_bytes()));
                    if output.len() > 4 * TAIL {
                        output = tail(&output, TAIL);
                    }
                }
            }
            Ok::<String, EngineError>(output)
        };
        let output = match tokio::time::timeout_at(end, attached).await {
            Ok(r) => r?,
            Err(_) => {
                self.end_exec(&id, container).await;
                return Err(timeout("exec"));
            }
        };
        let info = self.call("exec inspect", c.inspect_exec(&id)).await?;
        Ok(ExecResult {
            exit_code: info.exit_code,
            output_tail: tail(output.trim(), TAIL),
        })
    }

    /// Ends exec `id` in `container` (full id) when it still runs: the
    /// engine has no request for that, so its process tree is killed
    /// ([`leftover`]). Failures are logged: the monitor's answer stands.
    async fn end_exec(&self, id: &str, container: &str) {
        let Ok(c) = self.client() else { return };
        let info = match self.call("exec inspect", c.inspect_exec(id)).await {
            Ok(i) => i,
            Err(e) => {
                warn!("monitor_cmd may still run in container {container}: {e}");
                return;
            }
        };
        if info.running != Some(true) {
            return;
        }
        let cid = info.container_id.as_deref().unwrap_or(container);
        match info.pid.map(|pid| (pid, leftover::end_tree(pid, cid))) {
            Some((pid, Ok(n))) => info!(
                "monitor_cmd did not finish before the deadline: killed it (pid {pid}, {n} process(es))"
            ),
            Some((pid, Err(e))) => {
                warn!("monitor_cmd still runs in container {container} (pid {pid}): {e}")
            }
            None => warn!("monitor_cmd still runs in container {container}: the engine gave no pid"),
        }
    }
}
