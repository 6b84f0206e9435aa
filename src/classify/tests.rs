//! The monitor table of `docs/monitor-and-codes.md`, row by row.

use super::*;
use crate::classify::Stray;
use crate::engine::EngineError;

fn state(status: ContainerStatus, health: Health) -> ContainerState {
    ContainerState {
        id: "0123456789ab".into(),
        name: "croit".into(),
        restarting: status == ContainerStatus::Restarting,
        paused: status == ContainerStatus::Paused,
        status,
        health,
        health_output: Some("curl: connection refused\n".into()),
        restart_policy: crate::engine::RestartPolicy::No,
        exit_code: None,
        engine_root: None,
    }
}

fn running(health: Health) -> EngineView {
    EngineView::Container(state(ContainerStatus::Running, health))
}

fn obs(engine: EngineView, addr: AddrView) -> Observation {
    Observation {
        engine,
        addr,
        host: HostView::NotAsked,
        link: LinkView::Up,
        cmd: CmdView::NotRun,
        stray: None,
    }
}

/// The rules with the addresses `label` names (none for a label that is
/// no address: the reasons checked then do not name it).
fn rules(check_health: bool, label: &str) -> Rules<'static> {
    let vips = label.split(' ').filter_map(|v| v.parse().ok()).collect();
    Rules {
        check_health,
        container: Box::leak(Box::new(ContainerName::of("croit"))),
        label: Box::leak(Box::new(Vips(vips))),
        degraded: true,
    }
}

/// 192.0.2.10 bound to eth0 as /32 where /24 is configured.
fn foreign() -> AddrView {
    AddrView::Foreign(Foreign::OtherPrefix {
        ip: "192.0.2.10".parse().unwrap(),
        nic: "eth0".into(),
        found: 32,
        want: 24,
    })
}

fn link_down(nic: &str) -> LinkView {
    LinkView::Down(LinkDown {
        nic: nic.into(),
        why: DownWhy::NoCarrier,
    })
}

fn down() -> EngineView {
    EngineView::Down(EngineError::Absent {
        endpoint: "unix:///e".into(),
        detail: "connection refused".into(),
    })
}

/// The engine gave no answer within 18 s (its share of the budget).
fn frozen() -> EngineView {
    EngineView::Unresponsive(EngineError::NoAnswer {
        endpoint: "unix:///e".into(),
        op: "inspect",
        share: std::time::Duration::from_secs(18),
    })
}

fn not_socket() -> EngineView {
    EngineView::NotSocket(EngineError::NotSocket {
        endpoint: "unix:///x".into(),
        problem: "it is a directory".into(),
    })
}

fn with_host(mut o: Observation, host: HostView) -> Observation {
    o.host = host;
    o
}

fn code(o: &Observation) -> u8 {
    classify(o, &rules(true, "192.0.2.10/24")).status.code()
}

#[test]
fn running_and_served_is_0_whatever_the_health_but_unhealthy() {
    for h in [Health::None, Health::Healthy, Health::Starting] {
        let o = obs(running(h.clone()), AddrView::Present);
        let v = classify(&o, &rules(true, "192.0.2.10/24"));
        assert_eq!(
            v,
            Verdict {
                status: Status::Success,
                reason: None
            },
            "{h:?}"
        );
    }
    let mut o = obs(running(Health::None), AddrView::Present);
    o.cmd = CmdView::Passed;
    assert_eq!(code(&o), 0);
    // IPv6 address still in DAD counts as bound (start waits for DAD itself).
    assert_eq!(code(&obs(running(Health::None), AddrView::Tentative)), 0);
}

#[test]
fn unhealthy_fails_with_the_health_output_unless_health_is_ignored() {
    let o = obs(running(Health::Unhealthy), AddrView::Present);
    let v = classify(&o, &rules(true, "192.0.2.10/24"));
    assert_eq!(v.status, Status::ErrGeneric);
    let reason = v.reason.unwrap_or_default();
    assert!(reason.contains("unhealthy"), "{reason}");
    assert!(reason.contains("connection refused"), "{reason}");
    assert_eq!(classify(&o, &rules(false, "x")).status, Status::Success);
    // Unhealthy fails even when the address is gone.
    assert_eq!(code(&obs(running(Health::Unhealthy), AddrView::Absent)), 1);
}

#[test]
fn failed_monitor_cmd_is_1_with_its_output() {
    let mut o = obs(running(Health::None), AddrView::Present);
    o.cmd = CmdView::Failed("exited 3: not ready".into());
    let v = classify(&o, &rules(true, "x"));
    assert_eq!(v.status, Status::ErrGeneric);
    assert_eq!(v.reason.as_deref(), Some("monitor_cmd exited 3: not ready"));
}

#[test]
fn running_without_the_address_is_partial() {
    for a in [AddrView::Absent, foreign(), AddrView::DadFailed] {
        let v = classify(
            &obs(running(Health::None), a.clone()),
            &rules(true, "192.0.2.10/24"),
        );
        assert_eq!(v.status, Status::ErrGeneric, "{a:?}");
        assert!(v.reason.is_some());
    }
}

#[test]
fn an_address_bound_here_in_another_way_is_never_7() {
    let why = "192.0.2.10/32 is already bound to eth0, not as /24: remove it or fix ip";
    for e in [
        EngineView::NoContainer,
        down(),
        EngineView::Container(state(ContainerStatus::Exited, Health::None)),
        running(Health::None),
    ] {
        let v = classify(&obs(e, foreign()), &rules(true, "x"));
        assert_eq!(v.status, Status::ErrGeneric);
        assert_eq!(v.reason.as_deref(), Some(why));
    }
}

#[test]
fn crash_loop_and_paused_are_1_whatever_the_address() {
    for s in [ContainerStatus::Restarting, ContainerStatus::Paused] {
        for a in [AddrView::Present, AddrView::Absent] {
            let o = obs(EngineView::Container(state(s.clone(), Health::None)), a);
            assert_eq!(code(&o), 1, "{s:?}");
        }
    }
    // Docker reports a crash loop as status "running" with Restarting set.
    let mut st = state(ContainerStatus::Running, Health::None);
    st.restarting = true;
    assert_eq!(code(&obs(EngineView::Container(st), AddrView::Present)), 1);
}

#[test]
fn stopped_without_the_address_is_7() {
    let stopped = [
        EngineView::Container(state(ContainerStatus::Exited, Health::None)),
        EngineView::Container(state(ContainerStatus::Created, Health::None)),
        EngineView::Container(state(ContainerStatus::Dead, Health::None)),
        EngineView::NoContainer,
        down(),
    ];
    for e in stopped {
        let v = classify(&obs(e.clone(), AddrView::Absent), &rules(true, "x"));
        assert_eq!(
            v,
            Verdict {
                status: Status::NotRunning,
                reason: None
            },
            "{e:?}"
        );
    }
}

#[test]
fn stopped_with_the_address_is_partial_1() {
    for e in [
        EngineView::Container(state(ContainerStatus::Exited, Health::None)),
        EngineView::NoContainer,
        down(),
        not_socket(),
    ] {
        let v = classify(
            &obs(e.clone(), AddrView::Present),
            &rules(true, "192.0.2.10/24"),
        );
        assert_eq!(v.status, Status::ErrGeneric, "{e:?}");
        assert!(v.reason.unwrap_or_default().contains("partial"));
    }
}

#[test]
fn engine_not_answering_is_1_whatever_else() {
    for a in [AddrView::Present, AddrView::Absent] {
        let v = classify(&obs(frozen(), a), &rules(true, "x"));
        assert_eq!(v.status, Status::ErrGeneric);
        assert_eq!(
            v.reason.as_deref(),
            Some("engine at unix:///e did not answer inspect within 18.0 s")
        );
    }
    assert_eq!(
        code(&obs(
            EngineView::Broken(EngineError::Api {
                op: "inspect",
                status: 500,
                message: "boom".into()
            }),
            AddrView::Absent
        )),
        1
    );
    assert_eq!(
        code(&obs(
            EngineView::Forbidden(EngineError::Permission {
                endpoint: "unix:///e".into()
            }),
            AddrView::Absent
        )),
        4
    );
}

#[test]
fn nic_down_while_running_is_1() {
    let mut o = obs(running(Health::None), AddrView::Present);
    o.link = link_down("eth0");
    let v = classify(&o, &rules(true, "x"));
    assert_eq!(v.status, Status::ErrGeneric);
    assert_eq!(v.reason.as_deref(), Some("nic eth0 has no carrier"));
    o.link = LinkView::Missing(LinkMissing::Nic("eth9".into()));
    o.addr = AddrView::Absent;
    assert_eq!(code(&o), 1);
    // A down NIC with the container stopped and no address: cleanly stopped.
    let mut s = obs(EngineView::NoContainer, AddrView::Absent);
    s.link = LinkView::Down(LinkDown {
        nic: "eth0".into(),
        why: DownWhy::Down,
    });
    assert_eq!(code(&s), 7);
}

#[test]
fn unknown_container_states_are_never_7() {
    let o = obs(
        EngineView::Container(state(
            ContainerStatus::Other("stopping".into()),
            Health::None,
        )),
        AddrView::Absent,
    );
    assert_eq!(code(&o), 1);
    // Podman's `stopping` (SIGTERM sent, `Running` already false): not 7
    for addr in [AddrView::Absent, AddrView::Present] {
        let o = obs(
            EngineView::Container(state(ContainerStatus::Stopping, Health::None)),
            addr,
        );
        let v = classify(&o, &rules(true, "192.0.2.10/24"));
        assert_eq!(v.status, Status::ErrGeneric);
        assert_eq!(v.reason.as_deref(), Some("container croit is stopping"));
    }
}

#[test]
fn unreadable_address_while_running_is_1_not_0() {
    let o = obs(
        running(Health::None),
        AddrView::Unknown(crate::net::NetError::Timeout {
            op: "list addresses",
        }),
    );
    assert_eq!(code(&o), 1);
}

#[test]
fn unreadable_address_while_stopped_is_1_not_7() {
    let o = obs(
        EngineView::NoContainer,
        AddrView::Unknown(crate::net::NetError::Timeout {
            op: "list addresses",
        }),
    );
    assert_eq!(code(&o), 1);
}

mod away;
