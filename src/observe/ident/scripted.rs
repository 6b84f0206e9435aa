//! Which container is ours while the engine answers, decided in-process
//! against the scripted engine ([`crate::engine::scripted`]: containers by
//! name and id, as the Engine API resolves them) and a scratch process
//! table ([`crate::observe::scratch`]): the stray rules.

use super::*;
use crate::engine::scripted::{block_on, ctr, Op, Scripted};
use crate::engine::ContainerStatus;
use crate::observe::engine_view;
use crate::observe::scratch::{name, Scratch, NAME};

const A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

fn look(engine: &Scripted, s: &Scratch) -> Identity {
    block_on(async {
        let view = engine_view(engine, &name()).await;
        identify(engine, &s.kernel(), &s.state(), &name(), &view).await
    })
}

#[test]
fn the_remembered_container_under_the_name_is_ours() {
    let s = Scratch::new("same");
    s.run(A, 1);
    s.remember(A);
    let e = Scripted::with([ctr(A, NAME, ContainerStatus::Running)]);
    let i = look(&e, &s);
    assert_eq!((i.host, i.stray), (HostView::NotAsked, None));
    assert_eq!(s.state().load().id(), Some(A));
    // one question for the name, none for the id: it is the same container
    assert_eq!(e.targets(Op::Inspect), vec![NAME.to_string()]);
}

#[test]
fn renamed_and_running_is_a_stray_and_the_record_stays() {
    let s = Scratch::new("ren");
    s.run(A, 1);
    s.remember(A);
    // renamed, nothing under the name
    let e = Scripted::with([ctr(A, "croit_old", ContainerStatus::Running)]);
    let i = look(&e, &s);
    assert_eq!(
        i.stray,
        Some(Stray {
            id: A.into(),
            name: Some("croit_old".into())
        })
    );
    // and a new one under the name: the stray still, the record not moved
    e.add(ctr(B, NAME, ContainerStatus::Running));
    let i = look(&e, &s);
    assert_eq!(i.stray.map(|s| s.id), Some(A.to_string()));
    assert_eq!(s.state().load().id(), Some(A));
}

#[test]
fn the_remembered_one_stopped_or_gone_is_forgotten_for_the_name() {
    let s = Scratch::new("gone");
    s.remember(A);
    let e = Scripted::with([
        ctr(A, "croit_old", ContainerStatus::Exited),
        ctr(B, NAME, ContainerStatus::Running),
    ]);
    let i = look(&e, &s);
    assert_eq!(i.stray, None);
    assert_eq!(
        s.state().load().id(),
        Some(B),
        "the name's container is ours now"
    );
    // removed from the engine and no process of it: forgotten
    s.remember(A);
    let e = Scripted::default();
    let i = look(&e, &s);
    assert_eq!(i.stray, None);
    assert_eq!(s.state().load(), Known::Nothing);
}

#[test]
fn unknown_to_the_engine_but_alive_in_the_kernel_is_a_stray() {
    // an engine restored without it (or another engine on the socket):
    // its processes still run
    let s = Scratch::new("kern");
    s.run(A, 1);
    s.remember(A);
    let e = Scripted::default();
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
