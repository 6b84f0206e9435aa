//! The monitor's own decision, in-process against the scripted engine and
//! netlink world: a probe runs no `monitor_cmd`, a recurring monitor does.

use std::time::Duration;

use super::*;
use crate::engine::scripted::{block_on, ctr, Op, Scripted};
use crate::engine::ContainerStatus;
use crate::net::scripted::{eth, NetOp, ScriptedNet};
use crate::net::NetError;
use crate::observe::scratch::{Scratch, NAME};

const A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

/// Container [`NAME`] running and 192.0.2.10/24 bound on eth0, with a
/// `monitor_cmd` that fails; the code and reason of one monitor, and how
/// often the engine was asked to exec.
fn monitor_once(s: &Scratch, probe: bool) -> (u8, String, usize) {
    let cfg = Config::from_env(&ra_api::Env::from_pairs([
        ("OCF_RESKEY_ip", "192.0.2.10/24"),
        ("OCF_RESKEY_container", NAME),
        ("OCF_RESKEY_monitor_cmd", "false"),
    ]))
    .unwrap_or_else(|e| panic!("{e}"));
    let nl = ScriptedNet::with([eth(2, "eth0")]);
    nl.bind("192.0.2.10".parse().unwrap(), 2, 24);
    let engine = Scripted::with([ctr(A, NAME, ContainerStatus::Running)]);
    engine.exec_result(Some(1), "no\n");
    block_on(async {
        let io = s.node(engine, nl, Duration::from_secs(20));
        let (v, _, _) = judge(
            &io,
            &cfg,
            Asked {
                probe,
                degraded: true,
            },
        )
        .await;
        let execs = io.engine.count(Op::Exec);
        (v.status.code(), v.reason.unwrap_or_default(), execs)
    })
}

#[test]
fn a_probe_runs_no_monitor_cmd_and_a_recurring_monitor_does() {
    let s = Scratch::new("monitor-probe");
    assert_eq!(monitor_once(&s, true), (0, String::new(), 0));
    let (code, why, execs) = monitor_once(&s, false);
    assert_eq!((code, execs), (1, 1));
    assert!(why.starts_with("monitor_cmd exited 1"), "{why}");
}

/// One whole monitor (refresh included) of container [`NAME`] running
/// with 192.0.2.10/24 on eth0, `arp_count_refresh=2`: its code and the
/// refresh rounds sent, and the world for a look after.
fn whole_monitor(s: &Scratch, nl: ScriptedNet, probe: bool) -> (u8, String, ScriptedNet) {
    whole_monitor_of(s, "192.0.2.10/24", nl, probe)
}

fn whole_monitor_of(
    s: &Scratch,
    ip: &str,
    nl: ScriptedNet,
    probe: bool,
) -> (u8, String, ScriptedNet) {
    let cfg = Config::from_env(&ra_api::Env::from_pairs([
        ("OCF_RESKEY_ip", ip),
        ("OCF_RESKEY_container", NAME),
        ("OCF_RESKEY_arp_count_refresh", "2"),
        ("OCF_RESKEY_arp_interval", "20"),
    ]))
    .unwrap_or_else(|e| panic!("{e}"));
    let engine = Scripted::with([ctr(A, NAME, ContainerStatus::Running)]);
    block_on(async {
        let io = s.node(engine, nl, Duration::from_secs(20));
        let v = monitor_on(
            &io,
            &cfg,
            Asked {
                probe,
                degraded: true,
            },
        )
        .await;
        (v.status.code(), v.reason.unwrap_or_default(), io.nl)
    })
}

fn bound_on_eth0() -> ScriptedNet {
    let nl = ScriptedNet::with([eth(2, "eth0")]);
    nl.bind("192.0.2.10".parse().unwrap(), 2, 24);
    nl
}

#[test]
fn a_probe_sends_no_refresh_rounds_and_a_recurring_monitor_sends_them() {
    let s = Scratch::new("monitor-refresh");
    let (code, _, nl) = whole_monitor(&s, bound_on_eth0(), true);
    assert_eq!((code, nl.rounds().len()), (0, 0), "a probe only looks");
    let (code, _, nl) = whole_monitor(&s, bound_on_eth0(), false);
    assert_eq!(code, 0);
    let rounds = nl.rounds();
    assert_eq!(rounds.len(), 2, "arp_count_refresh rounds");
    assert!(rounds.iter().all(|r| r.link == 2));
    assert!(rounds[1].at - rounds[0].at >= Duration::from_millis(20));
}

#[test]
fn no_refresh_for_an_address_still_in_dad_or_a_failed_monitor() {
    let s = Scratch::new("monitor-refresh-not");
    // IPv6 still in DAD: running (0), only IPv4 is announced
    let v6: std::net::IpAddr = "2001:db8::10".parse().unwrap();
    let nl = bound_on_eth0();
    nl.route("2001:db8::".parse().unwrap(), 64, 2);
    nl.bind(v6, 2, 64);
    nl.tentative(v6);
    let (code, why, nl) = whole_monitor_of(&s, "192.0.2.10/24 2001:db8::10/64", nl, false);
    assert_eq!(code, 0, "{why}");
    let announced: Vec<_> = nl.rounds().into_iter().flat_map(|r| r.ips).collect();
    assert_eq!(
        announced,
        vec!["192.0.2.10".parse::<std::net::IpAddr>().unwrap(); 2]
    );
    // bound with another prefix: not ours, 1, nothing announced
    let nl = ScriptedNet::with([eth(2, "eth0")]);
    nl.bind("192.0.2.10".parse().unwrap(), 2, 25);
    let (code, _, nl) = whole_monitor(&s, nl, false);
    assert_eq!((code, nl.rounds().len()), (1, 0));
}

#[test]
fn an_address_netlink_cannot_read_is_an_error_never_not_running() {
    let s = Scratch::new("monitor-net-error");
    let nl = bound_on_eth0();
    nl.fail(
        NetOp::FindAddr,
        NetError::Timeout {
            op: "dump addresses",
        },
    );
    let (code, why, nl) = whole_monitor(&s, nl, true);
    assert_eq!(code, 1, "not 7: the address may well be bound ({why})");
    assert!(why.contains("no answer from the kernel"), "{why}");
    assert_eq!(nl.rounds().len(), 0);
}
