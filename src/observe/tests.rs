//! One observation of the container, then the classification, in-process:
//! the scripted engine ([`crate::engine::scripted`]) and a scratch process
//! table and state directory ([`crate::observe::scratch`]) feed
//! [`container_sight`] as a monitor does; the address and link (netlink)
//! are given. Each test checks the code, the reason and what the engine
//! was asked.

use super::*;
use crate::classify::{classify, AddrView, LinkView, Rules};
use crate::engine::scripted::{absent, block_on, ctr, no_answer, not_socket, Op, Scripted};
use crate::observe::scratch::{name, Scratch, NAME};

const A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

/// A monitor: the engine asked for the name, the container's sight, the
/// address as `addr` on a link that is up; `cmd` runs when given. The
/// code (for a caller that knows 190 when `degraded`) and the reason.
fn monitor(
    e: &Scripted,
    s: &Scratch,
    cmd: Option<&[String]>,
    addr: AddrView,
    degraded: bool,
) -> (u8, String) {
    let (engine, Identity { host, stray }, cmd) = block_on(async {
        let view = engine_view(e, &name()).await;
        container_sight(e, &s.kernel(), &s.state(), &name(), cmd, view).await
    });
    let obs = Observation {
        engine,
        host,
        addr,
        link: LinkView::Up,
        cmd,
        stray,
    };
    let label = crate::classify::Vips(vec!["192.0.2.10/24".parse().unwrap()]);
    let rules = Rules {
        check_health: true,
        container: &name(),
        label: &label,
        degraded,
    };
    let v = classify(&obs, &rules);
    (v.status.code(), v.reason.unwrap_or_default())
}

fn running(id: &str, name: &str) -> ContainerState {
    ctr(id, name, ContainerStatus::Running)
}

fn argv() -> Vec<String> {
    vec!["true".into()]
}

#[test]
fn running_and_bound_is_0_and_the_command_runs_in_that_container() {
    let s = Scratch::new("ok");
    let e = Scripted::with([running(A, NAME)]);
    e.exec_result(Some(0), "");
    let cmd = argv();
    assert_eq!(
        monitor(&e, &s, Some(&cmd), AddrView::Present, true),
        (0, String::new())
    );
    assert_eq!(e.targets(Op::Exec), vec![A.to_string()], "by full id");
    assert_eq!(s.state().load().id(), Some(A), "remembered");
    // the command fails: 1 with its exit status and output
    e.exec_result(Some(3), "db down\n");
    let (code, why) = monitor(&e, &s, Some(&cmd), AddrView::Present, true);
    assert_eq!(code, 1);
    assert!(why.starts_with("monitor_cmd exited 3"), "{why}");
    assert!(why.contains("db down"), "{why}");
}

#[test]
fn a_probe_runs_no_command_and_a_stopped_container_none_either() {
    let s = Scratch::new("probe");
    let e = Scripted::with([running(A, NAME)]);
    e.exec_result(Some(1), "would fail");
    assert_eq!(monitor(&e, &s, None, AddrView::Present, true).0, 0);
    let e = Scripted::with([ctr(A, NAME, ContainerStatus::Exited)]);
    let cmd = argv();
    assert_eq!(
        monitor(&e, &s, Some(&cmd), AddrView::Absent, true),
        (7, String::new())
    );
    assert_eq!(e.count(Op::Exec), 0);
    // stopped with the address still bound: partial, 1
    let (code, why) = monitor(&e, &s, None, AddrView::Present, true);
    assert_eq!(code, 1);
    assert!(why.contains("partial"), "{why}");
}

#[test]
fn the_renamed_container_still_running_is_1_whatever_runs_under_the_name() {
    let s = Scratch::new("stray");
    s.remember(A);
    let e = Scripted::with([running(A, "croit_old"), running(B, NAME)]);
    let (code, why) = monitor(&e, &s, None, AddrView::Present, true);
    assert_eq!(code, 1);
    assert_eq!(
        why,
        "container croit_old (aaaaaaaaaaaa) started here as croit still runs under another \
         name: stop ends it"
    );
    assert_eq!(
        e.targets(Op::Inspect),
        vec![NAME.to_string(), A.to_string()]
    );
}

#[test]
fn with_the_engine_away_the_kernel_and_the_engines_files_decide() {
    let s = Scratch::new("away");
    let e = Scripted::default();
    e.down(Some(absent()));
    // nothing alive: stopped
    assert_eq!(
        monitor(&e, &s, None, AddrView::Absent, true),
        (7, String::new())
    );
    // alive and named croit by the engine's own files, but no record and
    // this engine's root not known: it may be another engine's, 1
    s.run_named(A, NAME, 2);
    let (code, why) = monitor(&e, &s, None, AddrView::Present, true);
    assert_eq!(code, 1);
    assert!(why.contains("runs on an engine not known here"), "{why}");
    // remembered as ours and confirmed by the engine's files: 190 for a
    // caller that knows it, else 0 with the reason
    s.remember(A);
    let (code, why) = monitor(&e, &s, None, AddrView::Present, true);
    assert_eq!(code, 190);
    assert!(
        why.starts_with("container croit (aaaaaaaaaaaa) runs and 192.0.2.10/24 is bound, but"),
        "{why}"
    );
    assert_eq!(monitor(&e, &s, None, AddrView::Present, false).0, 0);
    // the engine's root learned from it: later looks keep to this engine
    assert_eq!(s.state().engine_root(), Some(s.engine_root()));
    assert_eq!(s.state().load().id(), Some(A));
    // running but the address gone: 1
    assert_eq!(monitor(&e, &s, None, AddrView::Absent, true).0, 1);
}

#[test]
fn with_the_engine_away_a_container_known_only_by_the_record_is_1() {
    let s = Scratch::new("record");
    s.remember(A);
    s.run(A, 1);
    let e = Scripted::default();
    e.down(Some(no_answer("inspect")));
    let (code, why) = monitor(&e, &s, None, AddrView::Present, true);
    assert_eq!(code, 1);
    assert!(why.contains("its name cannot be checked"), "{why}");
    // a silent engine with nothing alive: stopped
    s.exit(A);
    assert_eq!(monitor(&e, &s, None, AddrView::Absent, true).0, 7);
}

#[test]
fn a_path_that_is_not_a_socket_is_5_when_nothing_runs() {
    let s = Scratch::new("notsock");
    let e = Scripted::default();
    e.down(Some(not_socket()));
    let (code, why) = monitor(&e, &s, None, AddrView::Absent, true);
    assert_eq!((code, why), (5, not_socket().to_string()));
    // a container of the name, its engine not known: 1, not 7 or 5
    s.run_named(B, NAME, 1);
    let (code, why) = monitor(&e, &s, None, AddrView::Absent, true);
    assert_eq!(code, 1);
    assert!(why.contains("runs on an engine not known here"), "{why}");
}

mod whole;
