//! The rows where the engine cannot be asked and the kernel's view of the
//! container's processes decides, the stray, and the node that cannot run
//! the container.

use super::*;

const ID: &str = "24af5fa908a9c5d8ed325196c9c6d14d3f02f2c8ef549b85999dbc34ba5bb161";

fn alive(verified: bool) -> HostView {
    HostView::Alive {
        id: ID.into(),
        count: 3,
        verified,
        frozen: false,
    }
}

#[test]
fn engine_away_with_an_unverified_id_alive_is_1_never_7() {
    for engine in [down(), frozen()] {
        for a in [AddrView::Absent, AddrView::Present, foreign()] {
            let v = classify(
                &with_host(obs(engine.clone(), a.clone()), alive(false)),
                &rules(true, "x"),
            );
            assert_eq!(v.status, Status::ErrGeneric, "{engine:?} {a:?}");
            let reason = v.reason.unwrap_or_default();
            assert!(
                reason.starts_with("container croit (24af5fa908a9) still runs, but engine"),
                "{reason}"
            );
        }
    }
}

#[test]
fn engine_away_verified_running_and_bound_is_degraded_under_1_1_and_0_before() {
    for engine in [down(), frozen()] {
        let o = with_host(obs(engine.clone(), AddrView::Present), alive(true));
        let v = classify(&o, &rules(true, "192.0.2.10/24"));
        assert_eq!(v.status, Status::Degraded, "{engine:?}");
        let reason = v.reason.unwrap_or_default();
        assert!(
            reason.starts_with(
                "container croit (24af5fa908a9) runs and 192.0.2.10/24 is bound, but engine"
            ),
            "{reason}"
        );
        let old = Rules {
            degraded: false,
            ..rules(true, "192.0.2.10/24")
        };
        let v = classify(&o, &old);
        assert_eq!(v.status, Status::Success);
        assert!(v.reason.is_some(), "0, but the warning is kept");
        // the address not served: a failure, as with the engine there
        for a in [AddrView::Absent, AddrView::DadFailed] {
            let o = with_host(obs(engine.clone(), a.clone()), alive(true));
            assert_eq!(code(&o), 1, "{a:?}");
        }
        let mut o = with_host(obs(engine.clone(), AddrView::Present), alive(true));
        o.link = link_down("eth0");
        assert_eq!(code(&o), 1);
    }
}

#[test]
fn a_stray_is_1_naming_it_whatever_else_is_seen() {
    let stray = Stray {
        id: ID.into(),
        name: Some("croit_old".into()),
    };
    for (engine, addr) in [
        (running(Health::None), AddrView::Present),
        (EngineView::NoContainer, AddrView::Absent),
        (down(), AddrView::Absent),
    ] {
        let mut o = obs(engine, addr);
        o.stray = Some(stray.clone());
        let v = classify(&o, &rules(true, "x"));
        assert_eq!(v.status, Status::ErrGeneric);
        let reason = v.reason.unwrap_or_default();
        assert!(reason.contains("croit_old (24af5fa908a9)"), "{reason}");
        assert!(reason.len() <= 128, "{reason}");
    }
}

#[test]
fn the_kernels_answer_decides_when_the_engine_does_not_answer() {
    let frozen = frozen();
    // nothing alive, address gone: 7; address left: partial 1
    assert_eq!(
        code(&with_host(
            obs(frozen.clone(), AddrView::Absent),
            HostView::Gone
        )),
        7
    );
    assert_eq!(
        code(&with_host(
            obs(frozen.clone(), AddrView::Present),
            HostView::Gone
        )),
        1
    );
    // nothing known: 1, engine frozen or down (never 7 on a guess)
    for engine in [frozen, down()] {
        let unknown = with_host(
            obs(engine, AddrView::Absent),
            HostView::Unknown(Undecided::Unnamed {
                container: ContainerName::of("croit"),
                record: RecordSays::NothingRemembered,
            }),
        );
        assert_eq!(code(&unknown), 1);
        let reason = classify(&unknown, &rules(true, "x")).reason;
        assert!(
            reason.as_deref().is_some_and(|r| r.starts_with(
                "containers of unreadable name run, croit may be one (no id remembered); "
            )),
            "{reason:?}"
        );
    }
    assert_eq!(
        code(&with_host(obs(down(), AddrView::Absent), HostView::Gone)),
        7
    );
}

#[test]
fn an_unreadable_process_table_is_4_with_its_reason() {
    let unreadable = crate::host::HostError::Unreadable {
        path: "/proc/1/cgroup".into(),
        detail: "permission denied".into(),
    };
    for engine in [down(), frozen()] {
        let v = classify(
            &with_host(
                obs(engine, AddrView::Absent),
                HostView::Unreadable(unreadable.clone()),
            ),
            &rules(true, "x"),
        );
        assert_eq!(v.status, Status::ErrPerm);
        assert_eq!(v.reason, Some(unreadable.to_string()));
        assert!(
            v.reason
                .is_some_and(|r| r.starts_with("cannot read /proc/1/cgroup")),
            "the path is named"
        );
    }
}

#[test]
fn a_socket_path_that_holds_no_socket_is_5_when_nothing_runs() {
    let not_socket = not_socket();
    let v = classify(
        &with_host(obs(not_socket.clone(), AddrView::Absent), HostView::Gone),
        &rules(true, "x"),
    );
    assert_eq!(v.status, Status::ErrInstalled);
    assert_eq!(
        v.reason.as_deref(),
        Some("engine socket unix:///x is not a socket: it is a directory")
    );
    // the address left: partial, 1 (stop cleans up)
    let v = classify(
        &with_host(obs(not_socket, AddrView::Present), HostView::Gone),
        &rules(true, "x"),
    );
    assert_eq!(v.status, Status::ErrGeneric);
}
