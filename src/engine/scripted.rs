//! A scripted engine for in-process tests of the decisions above the
//! engine (start's wait, stop's escalation, which container is ours, the
//! monitor's classification), as youki tests its container logic behind
//! its `Syscall` trait.
//!
//! It keeps a small world of containers: `inspect` answers for an exact
//! name or full id, as the Engine API resolves them; a stop moves the
//! container to the next status of its script ([`Scripted::after_stops`];
//! without one it stays as it is). Faults are scripted per request: the
//! next calls of a request answer the queued errors ([`Scripted::fail`]),
//! or every call does while the engine is [`Scripted::down`]. Every call
//! is recorded ([`Scripted::calls`]), so a test can check what was asked
//! and what was sent to which id.

use std::cell::RefCell;
use std::collections::VecDeque;

use super::{
    ContainerName, ContainerState, ContainerStatus, Engine, EngineError, ExecResult, Health,
    RestartPolicy,
};

/// A request of the [`Engine`] trait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `inspect`
    Inspect,
    /// `start`
    Start,
    /// `stop`
    Stop,
    /// `unpause`
    Unpause,
    /// `set_restart_policy_no`
    SetPolicyNo,
    /// `exec`
    Exec,
}

/// One call the engine received: the request and the name or id it named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// The request.
    pub op: Op,
    /// The name or id it was for.
    pub target: String,
}

/// A container of the world, with the statuses its next stops lead to.
struct Entry {
    state: ContainerState,
    after_stops: VecDeque<ContainerStatus>,
}

/// The scripted engine.
#[derive(Default)]
pub struct Scripted {
    world: RefCell<Vec<Entry>>,
    faults: RefCell<Vec<(Op, VecDeque<EngineError>)>>,
    down: RefCell<Option<EngineError>>,
    execs: RefCell<VecDeque<ExecResult>>,
    calls: RefCell<Vec<Call>>,
}

/// Where the scripted engine says it listens.
pub const ENDPOINT: &str = "unix:///scripted.sock";

/// A container as `docker inspect` shows it: no health check, restart
/// policy `no`, `restarting`/`paused` as the status says.
pub fn ctr(id: &str, name: &str, status: ContainerStatus) -> ContainerState {
    ContainerState {
        id: id.into(),
        name: name.into(),
        restarting: status == ContainerStatus::Restarting,
        paused: status == ContainerStatus::Paused,
        status,
        health: Health::None,
        health_output: None,
        restart_policy: RestartPolicy::No,
        exit_code: None,
        engine_root: None,
    }
}

/// The engine not running (`connection refused` on its socket).
pub fn absent() -> EngineError {
    EngineError::Absent {
        endpoint: ENDPOINT.into(),
        detail: "connection refused".into(),
    }
}

/// The engine up but silent for its whole share.
pub fn no_answer(op: &'static str) -> EngineError {
    EngineError::NoAnswer {
        endpoint: ENDPOINT.into(),
        op,
        share: std::time::Duration::from_secs(4),
    }
}

/// A path that holds no socket.
pub fn not_socket() -> EngineError {
    EngineError::NotSocket {
        endpoint: ENDPOINT.into(),
        problem: "it is a directory".into(),
    }
}

impl Scripted {
    /// An engine with these containers.
    pub fn with(containers: impl IntoIterator<Item = ContainerState>) -> Scripted {
        let e = Scripted::default();
        for c in containers {
            e.add(c);
        }
        e
    }

    /// Adds a container to the world.
    pub fn add(&self, state: ContainerState) {
        self.world.borrow_mut().push(Entry {
            state,
            after_stops: VecDeque::new(),
        });
    }

    /// Container `id`'s status after each of its next stops, in order
    /// (Podman in a crash loop: stopped, read as restarting, then running
    /// again, then exited).
    pub fn after_stops(&self, id: &str, statuses: &[ContainerStatus]) {
        for e in self.world.borrow_mut().iter_mut() {
            if e.state.id == id {
                e.after_stops = statuses.iter().cloned().collect();
            }
        }
    }

    /// The next calls of `op` fail with `errors`, one each, in order; then
    /// the world answers again.
    pub fn fail(&self, op: Op, errors: impl IntoIterator<Item = EngineError>) {
        let mut f = self.faults.borrow_mut();
        match f.iter_mut().find(|(o, _)| *o == op) {
            Some((_, q)) => q.extend(errors),
            None => f.push((op, errors.into_iter().collect())),
        }
    }

    /// Every call fails with `error` from now on (`None`: answers again).
    pub fn down(&self, error: Option<EngineError>) {
        *self.down.borrow_mut() = error;
    }

    /// What the next `exec` reports.
    pub fn exec_result(&self, exit_code: Option<i64>, output: &str) {
        self.execs.borrow_mut().push_back(ExecResult {
            exit_code,
            output_tail: output.into(),
        });
    }

    /// Every call so far, in order.
    pub fn calls(&self) -> Vec<Call> {
        self.calls.borrow().clone()
    }

    /// The names or ids the calls of `op` named, in order.
    pub fn targets(&self, op: Op) -> Vec<String> {
        self.calls
            .borrow()
            .iter()
            .filter(|c| c.op == op)
            .map(|c| c.target.clone())
            .collect()
    }

    /// How many calls of `op` there were.
    pub fn count(&self, op: Op) -> usize {
        self.targets(op).len()
    }

    /// Container `c` (exact name or id) as the world has it now.
    pub fn state(&self, c: &str) -> Option<ContainerState> {
        self.world
            .borrow()
            .iter()
            .find(|e| e.state.id == c || e.state.name == c)
            .map(|e| e.state.clone())
    }

    /// Records the call; the scripted fault it meets, if any.
    fn call(&self, op: Op, target: &str) -> Result<(), EngineError> {
        self.calls.borrow_mut().push(Call {
            op,
            target: target.into(),
        });
        if let Some(e) = self.down.borrow().clone() {
            return Err(e);
        }
        let mut f = self.faults.borrow_mut();
        match f
            .iter_mut()
            .find(|(o, _)| *o == op)
            .and_then(|(_, q)| q.pop_front())
        {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// Applies `f` to the container with id `id`.
    fn change(&self, id: &str, f: impl FnOnce(&mut Entry)) {
        if let Some(e) = self
            .world
            .borrow_mut()
            .iter_mut()
            .find(|e| e.state.id == id)
        {
            f(e);
        }
    }
}

fn set_status(st: &mut ContainerState, status: ContainerStatus) {
    st.restarting = status == ContainerStatus::Restarting;
    st.paused = status == ContainerStatus::Paused;
    st.status = status;
}

impl Engine for Scripted {
    fn endpoint(&self) -> &str {
        ENDPOINT
    }

    async fn inspect(
        &self,
        container: &ContainerName,
    ) -> Result<Option<ContainerState>, EngineError> {
        self.inspect_id(container.as_str()).await
    }

    async fn inspect_id(&self, id: &str) -> Result<Option<ContainerState>, EngineError> {
        self.call(Op::Inspect, id)?;
        Ok(self.state(id))
    }

    async fn start(&self, container: &str) -> Result<(), EngineError> {
        self.call(Op::Start, container)?;
        self.change(container, |e| {
            set_status(&mut e.state, ContainerStatus::Running)
        });
        Ok(())
    }

    async fn stop(&self, container: &str, _grace_s: u32) -> Result<(), EngineError> {
        self.call(Op::Stop, container)?;
        self.change(container, |e| {
            if let Some(next) = e.after_stops.pop_front() {
                set_status(&mut e.state, next);
            }
        });
        Ok(())
    }

    async fn unpause(&self, container: &str) -> Result<(), EngineError> {
        self.call(Op::Unpause, container)?;
        self.change(container, |e| {
            if e.state.status == ContainerStatus::Paused {
                set_status(&mut e.state, ContainerStatus::Running);
            }
            e.state.paused = false;
        });
        Ok(())
    }

    async fn set_restart_policy_no(&self, container: &str) -> Result<(), EngineError> {
        self.call(Op::SetPolicyNo, container)?;
        self.change(container, |e| e.state.restart_policy = RestartPolicy::No);
        Ok(())
    }

    async fn exec(&self, container: &str, _argv: &[String]) -> Result<ExecResult, EngineError> {
        self.call(Op::Exec, container)?;
        self.execs
            .borrow_mut()
            .pop_front()
            .ok_or_else(|| EngineError::Protocol {
                op: "exec",
                message: "not scripted".into(),
            })
    }
}

/// Runs `f` to completion on a current-thread runtime with time (what the
/// agent's actions run on).
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
        .block_on(f)
}
