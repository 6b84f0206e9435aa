//! The grace period and the stop loop over a scripted engine.
use super::*;

#[test]
fn grace_leaves_room_for_the_kill_and_the_address() {
    // 20 s op timeout -> 18 s budget: 1.8 s + 3.6 s kept back.
    assert_eq!(grace_period(None, Duration::from_secs(18)), 12);
    assert_eq!(grace_period(None, Duration::from_secs(58)), 51);
    assert_eq!(grace_period(None, Duration::from_millis(5400)), 3);
    assert_eq!(grace_period(None, Duration::from_millis(1500)), 1);
    assert_eq!(grace_period(Some(5), Duration::from_secs(18)), 5);
    assert_eq!(grace_period(Some(600), Duration::from_secs(18)), 12);
}

use std::cell::RefCell;

use crate::engine::{ContainerState, ExecResult, Health, RestartPolicy};

/// An engine whose container goes through `states`: each stop moves to
/// the next one (Docker: running -> exited; Podman in a crash loop:
/// stopped (read as restarting) -> running again -> exited).
struct Scripted {
    states: RefCell<Vec<ContainerStatus>>,
    stops: RefCell<u32>,
}

impl Scripted {
    fn new(states: &[ContainerStatus]) -> Self {
        Scripted {
            states: RefCell::new(states.to_vec()),
            stops: RefCell::new(0),
        }
    }
}

impl Engine for Scripted {
    async fn inspect(&self, _: &str) -> Result<Option<ContainerState>, EngineError> {
        let status = self.states.borrow()[0].clone();
        Ok(Some(ContainerState {
            id: "x".into(),
            name: "croit".into(),
            restarting: status == ContainerStatus::Restarting,
            paused: false,
            status,
            health: Health::None,
            health_output: None,
            restart_policy: RestartPolicy::Engine("always".into()),
            exit_code: None,
            engine_root: None,
        }))
    }
    async fn start(&self, _: &str) -> Result<(), EngineError> {
        Ok(())
    }
    async fn stop(&self, _: &str, _: u32) -> Result<(), EngineError> {
        *self.stops.borrow_mut() += 1;
        let mut s = self.states.borrow_mut();
        if s.len() > 1 {
            s.remove(0);
        }
        Ok(())
    }
    async fn unpause(&self, _: &str) -> Result<(), EngineError> {
        Ok(())
    }
    async fn set_restart_policy_no(&self, _: &str) -> Result<(), EngineError> {
        Ok(())
    }
    async fn exec(&self, _: &str, _: &[String]) -> Result<ExecResult, EngineError> {
        Err(EngineError::Protocol {
            op: "exec",
            message: "not scripted".into(),
        })
    }
}

fn stops_for(states: &[ContainerStatus]) -> (u32, ContainerStatus) {
    let engine = Scripted::new(states);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    rt.block_on(stop_container(&engine, "croit", 1))
        .unwrap_or_else(|e| panic!("{e}"));
    let last = engine.states.borrow()[0].clone();
    let n = *engine.stops.borrow();
    (n, last)
}

#[test]
fn stop_is_repeated_while_the_container_comes_back() {
    use ContainerStatus as S;
    // Docker: one stop
    assert_eq!(stops_for(&[S::Running, S::Exited]), (1, S::Exited));
    // Podman: the stop of `stopped` is a 304 and it runs again
    assert_eq!(
        stops_for(&[S::Restarting, S::Running, S::Exited]),
        (2, S::Exited)
    );
    // down already: no stop at all
    for down in [S::Exited, S::Created, S::Dead, S::Removing] {
        assert_eq!(stops_for(std::slice::from_ref(&down)), (0, down));
    }
    // an unknown word after a stop is left to the final check
    let odd = S::Other("unknown".into());
    assert_eq!(stops_for(&[S::Running, odd.clone()]), (1, odd));
}
