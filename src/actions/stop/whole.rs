//! A whole stop decided in-process: the container and the addresses on
//! one scripted node ([`Scratch::node`]: the scripted engine and network,
//! a scratch process table and records), processes ended through the
//! stand-in of [`super::escalation`]. Each test checks the code and the
//! world after it: what the engine was sent, what was ended through the
//! kernel, which addresses are still bound.

use std::net::IpAddr;

use super::escalation::Procs1;
use super::*;
use crate::engine::scripted::{absent, block_on, ctr, Op, Scripted};
use crate::engine::ContainerStatus;
use crate::net::scripted::{eth, NetOp, ScriptedNet};
use crate::observe::scratch::{name, Scratch, NAME};

const A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const VIP: &str = "192.0.2.10";

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// sn1 (2), on-link for 192.0.2.0/24, with [`VIP`] bound when `bound`.
fn net(bound: bool) -> ScriptedNet {
    let nl = ScriptedNet::with([eth(2, "sn1")]);
    nl.route(ip("192.0.2.0"), 24, 2);
    if bound {
        nl.bind(ip(VIP), 2, 24);
    }
    nl
}

/// The plan of `container=croit ip=192.0.2.10/24 nic=sn1`; without the
/// container when `container` is false (its parameter malformed).
fn plan(s: &Scratch, container: bool) -> StopPlan {
    let host = Endpoint::parse("unix:///scripted.sock").unwrap_or_else(|e| panic!("{e}"));
    let vips = crate::vip::parse_list("192.0.2.10/24").unwrap_or_else(|e| panic!("{e}"));
    StopPlan {
        container: container.then(|| (name(), host)),
        address: Some((vips, Some("sn1".into()))),
        stop_timeout: None,
        state_dir: s.state().dir().to_path_buf(),
        instance: "pxe".into(),
    }
}

/// What a stop left: its code (0 or the failure's) and reason, the ids
/// ended through the kernel, and the engine and network after it.
struct Stopped {
    code: u8,
    why: String,
    ended: Vec<String>,
    engine: Scripted,
    nl: ScriptedNet,
}

/// A stop of `plan` on the scratch node over `engine` and `nl`; the
/// containers in `deaf` survive SIGKILL.
fn stop(
    s: &Scratch,
    engine: Scripted,
    nl: ScriptedNet,
    plan: &StopPlan,
    deaf: &[&'static str],
) -> Stopped {
    let node = s.node(engine, nl, Duration::from_secs(18));
    let procs = Procs1::new(s, deaf);
    let (code, why) = match block_on(stop_on(&node, &procs, plan)) {
        Ok(()) => (0, String::new()),
        Err(e) => (e.status().code(), e.to_string()),
    };
    Stopped {
        code,
        why,
        ended: procs.ended(),
        engine: node.engine,
        nl: node.nl,
    }
}

fn away() -> Scripted {
    let e = Scripted::default();
    e.down(Some(absent()));
    e
}

#[test]
fn the_container_is_stopped_through_the_engine_then_the_address_goes() {
    let s = Scratch::new("whole-up");
    let e = Scripted::with([ctr(A, NAME, ContainerStatus::Running)]);
    e.after_stops(A, &[ContainerStatus::Exited]);
    let o = stop(&s, e, net(true), &plan(&s, true), &[]);
    assert_eq!((o.code, o.ended.len()), (0, 0), "{}", o.why);
    assert_eq!(o.engine.targets(Op::Stop), vec![A.to_string()]);
    assert_eq!(o.nl.bound(ip(VIP)), vec![]);
}

#[test]
fn with_the_engine_away_the_kernel_ends_the_container_then_the_address_goes() {
    let s = Scratch::new("whole-away");
    s.remember(A);
    s.run(A, 2);
    let o = stop(&s, away(), net(true), &plan(&s, true), &[]);
    assert_eq!((o.code, o.ended), (0, vec![A.to_string()]), "{}", o.why);
    assert_eq!(s.kernel().members(A).map(|m| m.pids.len()).ok(), Some(0));
    assert_eq!(o.nl.bound(ip(VIP)), vec![]);
}

#[test]
fn while_the_container_may_still_serve_the_address_stays_and_stop_is_never_0() {
    // survives SIGKILL
    let s = Scratch::new("whole-deaf");
    s.remember(A);
    s.run(A, 1);
    let o = stop(&s, away(), net(true), &plan(&s, true), &[A]);
    assert_eq!((o.code, o.ended), (1, vec![A.to_string()]), "{}", o.why);
    assert_eq!(o.nl.bound(ip(VIP)), vec![(2, 24)], "the address stays");
    assert_eq!(o.nl.count(NetOp::Del), 0);
    // a container of the name on an engine never learned here: not ended,
    // not called gone
    let s = Scratch::new("whole-unknown");
    s.run_named(A, NAME, 1);
    let o = stop(&s, away(), net(true), &plan(&s, true), &[]);
    assert_eq!((o.code, o.ended.len()), (1, 0), "{}", o.why);
    assert_eq!(o.nl.bound(ip(VIP)), vec![(2, 24)], "the address stays");
}

#[test]
fn without_a_readable_container_the_address_goes_and_no_engine_is_asked() {
    let s = Scratch::new("whole-noname");
    s.run_named(A, NAME, 1);
    let e = Scripted::with([ctr(A, NAME, ContainerStatus::Running)]);
    let o = stop(&s, e, net(true), &plan(&s, false), &[]);
    assert_eq!((o.code, o.ended.len()), (0, 0), "{}", o.why);
    assert!(o.engine.calls().is_empty(), "{:?}", o.engine.calls());
    assert_eq!(o.nl.bound(ip(VIP)), vec![]);
}

#[test]
fn a_resource_that_is_down_is_0_and_nothing_is_changed() {
    let s = Scratch::new("whole-down");
    let e = Scripted::with([ctr(A, NAME, ContainerStatus::Exited)]);
    let o = stop(&s, e, net(false), &plan(&s, true), &[]);
    assert_eq!(o.code, 0, "{}", o.why);
    assert_eq!((o.engine.count(Op::Stop), o.nl.count(NetOp::Del)), (0, 0));
    // and no engine at all, nothing alive: 0 as well
    let o = stop(&s, away(), net(false), &plan(&s, true), &[]);
    assert_eq!(o.code, 0, "{}", o.why);
}
