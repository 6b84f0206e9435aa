//! stop's escalation decided in-process: the scripted engine
//! ([`crate::engine::scripted`]), a scratch process table and state
//! directory ([`crate::observe::scratch`]), and a stand-in for ending
//! processes through the kernel that records what it was asked to end and
//! signals nothing. Each test checks the answer's code and what was sent to
//! which id.

use std::cell::RefCell;

use super::*;
use crate::engine::scripted::{absent, block_on, ctr, no_answer, not_socket, Op, Scripted};
use crate::engine::{ContainerStatus, EngineError};
use crate::host::{Ending, HostError, Kernel};
use crate::observe::engine_view;
use crate::observe::scratch::{name, Scratch, NAME};

const A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

/// The kernel path over a scratch table: ending a container removes its
/// processes from the table, unless it is deaf (they survive SIGKILL).
pub(super) struct Procs1<'a> {
    scratch: &'a Scratch,
    table: Kernel,
    ended: RefCell<Vec<(String, Duration)>>,
    deaf: Vec<&'static str>,
}

impl<'a> Procs1<'a> {
    /// Over `scratch`'s table; the containers in `deaf` survive SIGKILL.
    pub(super) fn new(scratch: &'a Scratch, deaf: &[&'static str]) -> Procs1<'a> {
        Procs1 {
            scratch,
            table: scratch.kernel(),
            ended: RefCell::new(Vec::new()),
            deaf: deaf.to_vec(),
        }
    }

    /// The ids ended through the kernel, in order.
    pub(super) fn ended(&self) -> Vec<String> {
        self.ended
            .borrow()
            .iter()
            .map(|(id, _)| id.clone())
            .collect()
    }
}

impl Procs for Procs1<'_> {
    fn table(&self) -> &Kernel {
        &self.table
    }
    async fn terminate(&self, id: &str, grace: Duration, _: Instant) -> Result<Ending, HostError> {
        self.ended.borrow_mut().push((id.to_string(), grace));
        let found = self.table.members(id)?.pids.len();
        let deaf = self.deaf.contains(&id);
        if !deaf {
            self.scratch.exit(id);
        }
        Ok(Ending {
            found,
            killed: deaf,
            left: if deaf { found } else { 0 },
        })
    }
}

/// One stop of the resource's container against `engine` and the scratch
/// node: its code (0 or the failure's) and reason, and the ids ended
/// through the kernel.
fn end_one(engine: &Scripted, s: &Scratch, deaf: &[&'static str]) -> (u8, String, Vec<String>) {
    let ender = Ender {
        stop_timeout: None,
        kernel: Procs1::new(s, deaf),
        budget: Budget::new(
            Instant::now() + Duration::from_secs(18),
            Duration::from_secs(18),
        ),
    };
    let r = block_on(async {
        let view = engine_view(engine, &name()).await;
        end_seen(&ender, engine, &s.state(), &name(), view).await
    });
    let (code, why) = match r {
        Ok(()) => (0, String::new()),
        Err(e) => (e.status().code(), e.to_string()),
    };
    // the kernel path gets the grace period's rule too (18 s budget: 12 s)
    let graces = ender.kernel.ended.borrow();
    assert!(graces.iter().all(|(_, g)| *g <= Duration::from_secs(12)));
    (code, why, ender.kernel.ended())
}

fn running(id: &str, name: &str) -> crate::engine::ContainerState {
    ctr(id, name, ContainerStatus::Running)
}

#[test]
fn the_running_container_gets_one_stop_by_id_and_is_remembered() {
    let s = Scratch::new("one");
    let e = Scripted::with([running(A, NAME)]);
    e.after_stops(A, &[ContainerStatus::Exited]);
    assert_eq!(end_one(&e, &s, &[]), (0, String::new(), vec![]));
    assert_eq!(e.targets(Op::Stop), vec![A.to_string()]);
    assert_eq!(s.state().load().id(), Some(A));
}

#[test]
fn a_container_that_comes_back_is_stopped_again() {
    let s = Scratch::new("loop");
    let e = Scripted::with([ctr(A, NAME, ContainerStatus::Restarting)]);
    e.after_stops(A, &[ContainerStatus::Running, ContainerStatus::Exited]);
    assert_eq!(end_one(&e, &s, &[]).0, 0);
    assert_eq!(e.targets(Op::Stop), vec![A.to_string(), A.to_string()]);
}

#[test]
fn processes_that_outlive_the_engines_stop_are_ended_through_the_kernel() {
    let s = Scratch::new("outlive");
    s.run(A, 2);
    let e = Scripted::with([running(A, NAME)]);
    e.after_stops(A, &[ContainerStatus::Exited]);
    let (code, _, ended) = end_one(&e, &s, &[]);
    assert_eq!((code, ended), (0, vec![A.to_string()]));
    // and when they survive SIGKILL too: 1, never 0
    s.run(A, 2);
    let e = Scripted::with([running(A, NAME)]);
    e.after_stops(A, &[ContainerStatus::Exited]);
    let (code, why, ended) = end_one(&e, &s, &[A]);
    assert_eq!((code, ended), (1, vec![A.to_string()]));
    assert!(
        why.contains("the engine reports container croit stopped, but 2 of its processes")
            && why.contains("2 of 2 processes of container croit survived SIGKILL"),
        "{why}"
    );
}

#[test]
fn an_engine_gone_in_the_middle_of_the_stop_hands_over_to_the_kernel() {
    let s = Scratch::new("midway");
    s.run(A, 1);
    let e = Scripted::with([running(A, NAME)]);
    e.fail(Op::Stop, [absent()]);
    assert_eq!(
        end_one(&e, &s, &[]),
        (0, String::new(), vec![A.to_string()])
    );
    assert_eq!(e.targets(Op::Stop), vec![A.to_string()]);
}

#[test]
fn an_engine_that_does_not_answer_leaves_the_remembered_container_to_the_kernel() {
    let s = Scratch::new("silent");
    s.run(A, 3);
    s.remember(A);
    let e = Scripted::with([running(A, NAME)]);
    e.down(Some(no_answer("inspect")));
    assert_eq!(
        end_one(&e, &s, &[]),
        (0, String::new(), vec![A.to_string()])
    );
    assert_eq!(e.count(Op::Stop), 0, "nothing sent to a silent engine");
    assert_eq!(s.state().load().id(), Some(A), "what was ended is kept");
    // nothing of it alive, engine down or not a socket: 0, nothing ended
    for fault in [no_answer("inspect"), absent(), not_socket()] {
        e.down(Some(fault));
        assert_eq!(end_one(&e, &s, &[]), (0, String::new(), vec![]));
    }
    // and 1 when it survives
    s.run(A, 1);
    let (code, why, _) = end_one(&e, &s, &[A]);
    assert_eq!(code, 1, "{why}");
}

#[test]
fn with_the_engine_away_a_container_of_the_name_is_ended_only_on_a_known_engine() {
    let s = Scratch::new("named");
    s.run_named(B, NAME, 1);
    let e = Scripted::default();
    e.down(Some(absent()));
    // no record, the engine's root unknown: it may be another engine's
    let (code, why, ended) = end_one(&e, &s, &[]);
    assert_eq!((code, ended.len()), (1, 0));
    assert!(why.contains("runs on an engine not known here"), "{why}");
    // the root known (learned while the engine answered): it is ours
    s.state().remember_engine_root(&s.engine_root());
    assert_eq!(
        end_one(&e, &s, &[]),
        (0, String::new(), vec![B.to_string()])
    );
}

#[test]
fn the_stray_is_ended_before_the_names_container() {
    // renamed, and a new container under the name: both are the service
    let s = Scratch::new("stray");
    s.remember(A);
    let e = Scripted::with([running(A, "croit_old"), running(B, NAME)]);
    e.after_stops(A, &[ContainerStatus::Exited]);
    e.after_stops(B, &[ContainerStatus::Exited]);
    assert_eq!(end_one(&e, &s, &[]).0, 0);
    assert_eq!(e.targets(Op::Stop), vec![A.to_string(), B.to_string()]);
    assert_eq!(s.state().load().id(), Some(B));
}

#[test]
fn with_the_engine_away_the_stray_is_ended_first_through_the_kernel() {
    let s = Scratch::new("straykern");
    s.remember(A);
    s.run_named(A, "croit_old", 1);
    s.run_named(B, NAME, 2);
    s.state().remember_engine_root(&s.engine_root());
    let e = Scripted::default();
    e.down(Some(absent()));
    let (code, why, ended) = end_one(&e, &s, &[]);
    assert_eq!(code, 0, "{why}");
    assert_eq!(ended, vec![A.to_string(), B.to_string()]);
    assert_eq!(s.state().load().id(), Some(B));
}

#[test]
fn an_engine_that_answers_with_errors_or_refuses_us_is_never_0() {
    let s = Scratch::new("broken");
    let e = Scripted::with([running(A, NAME)]);
    e.fail(
        Op::Inspect,
        [EngineError::Api {
            op: "inspect",
            status: 500,
            message: "boom".into(),
        }],
    );
    let (code, why, ended) = end_one(&e, &s, &[]);
    assert_eq!((code, ended.len()), (1, 0), "{why}");
    e.fail(
        Op::Inspect,
        [EngineError::Permission {
            endpoint: "unix:///scripted.sock".into(),
        }],
    );
    assert_eq!(end_one(&e, &s, &[]).0, 4);
    assert_eq!(e.count(Op::Stop), 0);
}
