//! start's waits decided in-process against the scripted engine
//! ([`crate::engine::scripted`]): for an engine that is not running (it
//! comes back within [`crate::budget::engine_patience`], or start gives up
//! with 1 and why). What waiting for the container will not fix is
//! [`crate::classify::readiness`]'s table.

use std::time::Duration;

use tokio::time::Instant;

use crate::actions::validate::inspect_waiting;
use crate::budget::Budget;
use crate::engine::scripted::{absent, block_on, ctr, no_answer, not_socket, Op, Scripted};
use crate::engine::{ContainerName, ContainerStatus, EngineError};
use crate::error::Error;

const A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

/// start's wait for the engine with `budget`: the outcome (the container's
/// id, or the code and reason) and how long it took.
fn wait(engine: &Scripted, budget: Duration) -> (Result<Option<String>, (u8, String)>, Duration) {
    let t0 = Instant::now();
    let r = block_on(inspect_waiting(
        engine,
        &ContainerName::of("croit"),
        &Budget::new(Instant::now() + budget, budget),
    ));
    let r = r
        .map(|c| c.map(|c| c.id))
        .map_err(|e: Error| (e.status().code(), e.to_string()));
    (r, t0.elapsed())
}

#[test]
fn an_engine_back_within_its_patience_lets_start_go_on() {
    let e = Scripted::with([ctr(A, "croit", ContainerStatus::Running)]);
    // `systemctl restart docker`: refused twice, then it answers
    e.fail(Op::Inspect, [absent(), absent()]);
    let (r, took) = wait(&e, Duration::from_secs(58));
    assert_eq!(r, Ok(Some(A.to_string())));
    assert_eq!(e.count(Op::Inspect), 3);
    assert!(
        took >= Duration::from_millis(400),
        "asked again every 200 ms"
    );
    // back, but without the container: start goes on to say so (5)
    let e = Scripted::default();
    e.fail(Op::Inspect, [absent()]);
    assert_eq!(wait(&e, Duration::from_secs(58)).0, Ok(None));
}

#[test]
fn an_engine_that_never_comes_back_is_1_after_its_patience() {
    let e = Scripted::with([ctr(A, "croit", ContainerStatus::Running)]);
    e.down(Some(absent()));
    // a 1.5 s budget: a third, at least 1 s, is waited
    let (r, took) = wait(&e, Duration::from_millis(1500));
    let (code, why) = r.err().unwrap_or_else(|| panic!("started"));
    assert_eq!(code, 1);
    assert_eq!(
        why,
        "engine at unix:///scripted.sock is not running (connection refused) (waited 1 s)"
    );
    assert!(took >= Duration::from_millis(700) && took < Duration::from_millis(1300));
    let asked = e.count(Op::Inspect);
    assert!((4..=6).contains(&asked), "{asked} inspects");
}

#[test]
fn what_waiting_cannot_fix_is_answered_at_once() {
    // a path that is not a socket: this node is set up wrong, 5
    let cases: [(EngineError, u8); 3] = [
        (not_socket(), 5),
        (
            EngineError::Permission {
                endpoint: "unix:///scripted.sock".into(),
            },
            4,
        ),
        // up but silent: not a restart in progress
        (no_answer("inspect"), 1),
    ];
    for (fault, want) in cases {
        let e = Scripted::with([ctr(A, "croit", ContainerStatus::Running)]);
        e.fail(Op::Inspect, [fault.clone()]);
        let (r, took) = wait(&e, Duration::from_secs(58));
        let (code, why) = r.err().unwrap_or_else(|| panic!("started"));
        assert_eq!((code, why), (want, fault.to_string()));
        assert_eq!(e.count(Op::Inspect), 1, "not asked again");
        assert!(took < Duration::from_millis(150));
    }
}
