//! Which container is ours while the engine answers, decided in-process
//! against a scripted engine (containers by name and id, as the Engine API
//! resolves them) and a scripted process table: the stray rules.

use std::cell::RefCell;
use std::path::PathBuf;

use super::*;
use crate::engine::{
    ContainerState, ContainerStatus, EngineError, ExecResult, Health, RestartPolicy,
};

const A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

/// The engine's containers; `inspect` answers for an exact name or id.
struct Engine1(RefCell<Vec<ContainerState>>);

fn ctr(id: &str, name: &str, status: ContainerStatus) -> ContainerState {
    ContainerState {
        id: id.into(),
        name: name.into(),
        restarting: false,
        paused: false,
        status,
        health: Health::None,
        health_output: None,
        restart_policy: RestartPolicy::No,
        exit_code: None,
        engine_root: None,
    }
}

impl Engine for Engine1 {
    async fn inspect(&self, c: &str) -> Result<Option<ContainerState>, EngineError> {
        Ok(self
            .0
            .borrow()
            .iter()
            .find(|s| s.id == c || s.name == c)
            .cloned())
    }
    async fn start(&self, _: &str) -> Result<(), EngineError> {
        Ok(())
    }
    async fn stop(&self, _: &str, _: u32) -> Result<(), EngineError> {
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

/// A scratch directory: a process table with `alive` (container ids with
/// one process each) and a state directory.
struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str, alive: &[&str]) -> Scratch {
        let d = std::env::temp_dir().join(format!("croit-ident-{}-{tag}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        let proc_ = d.join("proc");
        let mut procs = vec![(1, "0::/\n".to_string())];
        for (i, id) in alive.iter().enumerate() {
            procs.push((100 + i as i32, format!("0::/docker/{id}\n")));
        }
        for (pid, cg) in procs {
            let p = proc_.join(pid.to_string());
            std::fs::create_dir_all(&p).unwrap_or_else(|e| panic!("{e}"));
            std::fs::write(p.join("cgroup"), cg).unwrap_or_else(|e| panic!("{e}"));
            std::fs::write(p.join("status"), "State:\tS\nNSpid:\t9\t1\n")
                .unwrap_or_else(|e| panic!("{e}"));
        }
        Scratch(d)
    }
    fn kernel(&self) -> Kernel {
        Kernel::at(self.0.join("proc"))
    }
    fn state(&self) -> State {
        State::new(self.0.join("state"), "pxe", "croit", "unix:///e")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn look(engine: &Engine1, s: &Scratch) -> Identity {
    let view = match engine.0.borrow().iter().find(|c| c.name == "croit") {
        Some(c) => EngineView::Container(c.clone()),
        None => EngineView::NoContainer,
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    rt.block_on(identify(engine, &s.kernel(), &s.state(), "croit", &view))
}

fn remembered(s: &Scratch, id: &str) {
    s.state().remember(&Ours {
        id: id.into(),
        name: "croit".into(),
    });
}

#[test]
fn the_remembered_container_under_the_name_is_ours() {
    let s = Scratch::new("same", &[A]);
    remembered(&s, A);
    let e = Engine1(RefCell::new(vec![ctr(
        A,
        "croit",
        ContainerStatus::Running,
    )]));
    let i = look(&e, &s);
    assert_eq!((i.host, i.stray), (HostView::NotAsked, None));
    assert_eq!(s.state().load().id(), Some(A));
}

#[test]
fn renamed_and_running_is_a_stray_and_the_record_stays() {
    let s = Scratch::new("ren", &[A]);
    remembered(&s, A);
    // renamed, nothing under the name
    let e = Engine1(RefCell::new(vec![ctr(
        A,
        "croit_old",
        ContainerStatus::Running,
    )]));
    let i = look(&e, &s);
    assert_eq!(
        i.stray,
        Some(Stray {
            id: A.into(),
            name: Some("croit_old".into())
        })
    );
    // and a new one under the name: the stray still, the record not moved
    e.0.borrow_mut()
        .push(ctr(B, "croit", ContainerStatus::Running));
    let i = look(&e, &s);
    assert_eq!(i.stray.map(|s| s.id), Some(A.to_string()));
    assert_eq!(s.state().load().id(), Some(A));
}

#[test]
fn the_remembered_one_stopped_or_gone_is_forgotten_for_the_name() {
    let s = Scratch::new("gone", &[]);
    remembered(&s, A);
    let e = Engine1(RefCell::new(vec![
        ctr(A, "croit_old", ContainerStatus::Exited),
        ctr(B, "croit", ContainerStatus::Running),
    ]));
    let i = look(&e, &s);
    assert_eq!(i.stray, None);
    assert_eq!(
        s.state().load().id(),
        Some(B),
        "the name's container is ours now"
    );
    // removed from the engine and no process of it: forgotten
    remembered(&s, A);
    let e = Engine1(RefCell::new(vec![]));
    let i = look(&e, &s);
    assert_eq!(i.stray, None);
    assert_eq!(s.state().load(), Known::Nothing);
}

#[test]
fn unknown_to_the_engine_but_alive_in_the_kernel_is_a_stray() {
    // an engine restored without it (or another engine on the socket):
    // its processes still run
    let s = Scratch::new("kern", &[A]);
    remembered(&s, A);
    let e = Engine1(RefCell::new(vec![]));
    let i = look(&e, &s);
    assert_eq!(
        i.stray,
        Some(Stray {
            id: A.into(),
            name: None
        })
    );
    assert_eq!(s.state().load().id(), Some(A), "kept while it runs");
}
