//! The grace period and the stop loop over the scripted engine.
use super::ender::stop_container;
use super::*;
use crate::engine::scripted::{block_on, ctr, Op, Scripted};
use crate::engine::{ContainerStatus, EngineError, RestartPolicy};

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

const X: &str = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";

/// Stops the container `croit` (id X) that goes through `states`: each
/// stop moves to the next one (Docker: running -> exited; Podman in a
/// crash loop: stopped (read as restarting) -> running again -> exited).
/// How many stops were sent (each to X, never to the name), and the status
/// it ended in.
fn stops_for(states: &[ContainerStatus]) -> (usize, ContainerStatus) {
    let mut c = ctr(X, "croit", states[0].clone());
    c.restart_policy = RestartPolicy::Engine("always".into());
    let engine = Scripted::with([c]);
    engine.after_stops(X, &states[1..]);
    block_on(stop_container(&engine, X, 1)).unwrap_or_else(|e| panic!("{e}"));
    let stops = engine.targets(Op::Stop);
    assert!(stops.iter().all(|t| t == X), "{stops:?}");
    let last = engine.state(X).map(|s| s.status);
    (stops.len(), last.unwrap_or_else(|| panic!("gone")))
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

#[test]
fn a_paused_container_is_unpaused_before_its_stop() {
    let engine = Scripted::with([ctr(X, "croit", ContainerStatus::Paused)]);
    engine.after_stops(X, &[ContainerStatus::Exited]);
    block_on(stop_container(&engine, X, 1)).unwrap_or_else(|e| panic!("{e}"));
    let ops: Vec<(Op, String)> = engine
        .calls()
        .into_iter()
        .map(|c| (c.op, c.target))
        .collect();
    assert_eq!(
        ops,
        vec![
            (Op::Inspect, X.into()),
            (Op::Unpause, X.into()),
            (Op::Stop, X.into()),
            (Op::Inspect, X.into()),
        ]
    );
}

#[test]
fn an_engine_gone_in_the_loop_is_nothing_to_stop_a_silent_one_is_an_error() {
    let engine = Scripted::with([ctr(X, "croit", ContainerStatus::Running)]);
    engine.down(Some(crate::engine::scripted::absent()));
    assert!(block_on(stop_container(&engine, X, 1)).is_ok());
    assert_eq!(engine.count(Op::Stop), 0);
    engine.down(Some(crate::engine::scripted::no_answer("inspect")));
    match block_on(stop_container(&engine, X, 1)) {
        Err(Error::Engine(EngineError::NoAnswer { .. })) => {}
        other => panic!("{other:?}"),
    }
}
