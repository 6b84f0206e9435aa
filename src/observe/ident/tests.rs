//! Which container is ours with the engine away: the table.

use super::*;

const A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
const C: &str = "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc";

fn alive(id: &str) -> Alive {
    Alive {
        id: id.into(),
        pid: 100,
        count: 2,
    }
}

fn rec(id: &str) -> Known {
    Known::Ours(Ours {
        id: id.into(),
        name: "croit".into(),
    })
}

/// With the engine's root known (only its containers listed).
fn run(list: &[(Alive, Option<&str>)], known: &Known) -> Identity {
    run_on(list, known, true)
}

fn run_on(list: &[(Alive, Option<&str>)], known: &Known, root_known: bool) -> Identity {
    let named: Vec<(&Alive, Option<String>)> = list
        .iter()
        .map(|(a, n)| (a, n.map(str::to_string)))
        .collect();
    decide(
        &named,
        known.id(),
        &ContainerName::of("croit"),
        known,
        root_known,
    )
}

#[test]
fn the_remembered_container_confirmed_on_disk_is_verified() {
    let i = run(
        &[(alive(A), Some("croit")), (alive(B), Some("other"))],
        &rec(A),
    );
    assert_eq!(
        i.host,
        HostView::Alive {
            id: A.into(),
            count: 2,
            verified: true,
            frozen: false
        }
    );
    assert_eq!(i.stray, None);
}

#[test]
fn no_record_the_name_on_disk_finds_it() {
    let i = run(&[(alive(B), Some("croit"))], &Known::Nothing);
    assert_eq!(
        i.host,
        HostView::Alive {
            id: B.into(),
            count: 2,
            verified: true,
            frozen: false
        }
    );
}

#[test]
fn a_stale_record_does_not_hide_the_new_container() {
    // rm + run under the same name: the record's id is gone
    let i = run(&[(alive(B), Some("croit"))], &rec(A));
    assert!(matches!(i.host, HostView::Alive { ref id, verified: true, .. } if id == B));
    // ... and the old one renamed and still running: both
    let i = run(
        &[(alive(A), Some("croit_old")), (alive(B), Some("croit"))],
        &rec(A),
    );
    assert!(matches!(i.host, HostView::Alive { ref id, .. } if id == B));
    assert_eq!(i.stray.map(|s| s.id), Some(A.to_string()));
}

#[test]
fn renamed_after_start_is_a_stray() {
    let i = run(&[(alive(A), Some("croit_old"))], &rec(A));
    assert_eq!(i.host, HostView::Gone);
    assert_eq!(
        i.stray,
        Some(Stray {
            id: A.into(),
            name: Some("croit_old".into())
        })
    );
}

#[test]
fn a_remembered_id_whose_name_cannot_be_read_is_alive_unverified() {
    let i = run(&[(alive(A), None)], &rec(A));
    assert_eq!(
        i.host,
        HostView::Alive {
            id: A.into(),
            count: 2,
            verified: false,
            frozen: false
        }
    );
}

#[test]
fn unnamed_containers_make_it_unknown_never_gone() {
    for known in [Known::Nothing, rec(A), Known::Garbled("x".into())] {
        let i = run(&[(alive(C), None)], &known);
        assert!(
            matches!(i.host, HostView::Unknown(_)),
            "{known:?}: {:?}",
            i.host
        );
    }
    // other containers with names of their own: nothing of ours runs
    let i = run(&[(alive(C), Some("other"))], &Known::Nothing);
    assert_eq!(i.host, HostView::Gone);
    assert_eq!(run(&[], &Known::Nothing).host, HostView::Gone);
    // ours verified: unnamed others cannot have its name
    let i = run(&[(alive(C), None), (alive(A), Some("croit"))], &rec(A));
    assert!(matches!(i.host, HostView::Alive { verified: true, .. }));
}

#[test]
fn two_containers_with_the_name_on_unknown_engines_are_unknown() {
    let i = run(
        &[(alive(B), Some("croit")), (alive(C), Some("croit"))],
        &Known::Nothing,
    );
    assert!(matches!(i.host, HostView::Unknown(_)), "{:?}", i.host);
}
