//! One whole look ([`observe`]) and its classification, in-process: the
//! scripted engine, the scripted netlink world ([`crate::net::scripted`])
//! and a scratch process table and state directory make the node. What
//! these pin needs the address side as `observe` reads it: which binding
//! is ours, the link's state, and when `monitor_cmd` runs.

use std::net::IpAddr;

use super::*;
use crate::classify::{classify, Rules};
use crate::engine::scripted::{block_on, ctr, Op, Scripted};
use crate::net::scripted::{eth, ScriptedNet};
use crate::observe::scratch::{Scratch, NAME};

const A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const IP: &str = "192.0.2.10";

fn ip() -> IpAddr {
    IP.parse().unwrap()
}

/// The resource: `ip` on `nic` when given (else found by the route), the
/// container [`NAME`], `monitor_cmd` `false`.
fn cfg(ip: &str, nic: Option<&str>) -> Config {
    let mut pairs = vec![
        ("OCF_RESKEY_ip", ip),
        ("OCF_RESKEY_container", NAME),
        ("OCF_RESKEY_monitor_cmd", "false"),
    ];
    if let Some(nic) = nic {
        pairs.push(("OCF_RESKEY_nic", nic));
    }
    Config::from_env(&ra_api::Env::from_pairs(pairs)).unwrap_or_else(|e| panic!("{e}"))
}

/// A node with eth0 (ifindex 2) up and its route to 192.0.2.0/24, and
/// container [`NAME`] with `status`.
fn world(status: ContainerStatus) -> (Scripted, ScriptedNet) {
    let nl = ScriptedNet::with([eth(2, "eth0")]);
    nl.route("192.0.2.0".parse().unwrap(), 24, 2);
    (Scripted::with([ctr(A, NAME, status)]), nl)
}

/// One look as a monitor takes it (`with_cmd`: a recurring one) and its
/// verdict: the code and the reason.
fn look(
    e: Scripted,
    nl: ScriptedNet,
    s: &Scratch,
    cfg: &Config,
    with_cmd: bool,
) -> (u8, String, Scripted) {
    block_on(async {
        let io = s.node(e, nl, Duration::from_secs(20));
        let (obs, sights) =
            observe(&io, cfg, cfg.monitor_cmd.as_deref().filter(|_| with_cmd)).await;
        let rules = Rules {
            check_health: cfg.check_health,
            container: &cfg.container,
            label: &sights.label,
            degraded: true,
        };
        let v = classify(&obs, &rules);
        (v.status.code(), v.reason.unwrap_or_default(), io.engine)
    })
}

#[test]
fn a_probe_runs_no_monitor_cmd_and_a_recurring_monitor_does() {
    let s = Scratch::new("probe-cmd");
    let cfg = cfg("192.0.2.10/24", None);
    let (e, nl) = world(ContainerStatus::Running);
    nl.bind(ip(), 2, 24);
    e.exec_result(Some(1), "no\n");
    let (code, why, e) = look(e, nl, &s, &cfg, false);
    assert_eq!((code, why.as_str()), (0, ""));
    assert_eq!(e.count(Op::Exec), 0, "a probe runs no monitor_cmd");
    let (e2, nl) = world(ContainerStatus::Running);
    nl.bind(ip(), 2, 24);
    e2.exec_result(Some(1), "no\n");
    let (code, why, e2) = look(e2, nl, &s, &cfg, true);
    assert_eq!(code, 1);
    assert!(why.starts_with("monitor_cmd exited 1"), "{why}");
    assert_eq!(e2.targets(Op::Exec), vec![A.to_string()], "by full id");
}

#[test]
fn address_absent_and_container_exited_is_7() {
    let s = Scratch::new("stopped");
    for nic in [None, Some("eth0")] {
        let (e, nl) = world(ContainerStatus::Exited);
        let (code, why, e) = look(e, nl, &s, &cfg("192.0.2.10/24", nic), true);
        assert_eq!((code, why.as_str()), (7, ""), "nic {nic:?}");
        assert_eq!(e.count(Op::Exec), 0, "nothing runs in a stopped container");
    }
}

#[test]
fn address_present_and_container_exited_is_1_partial() {
    let s = Scratch::new("partial");
    for nic in [None, Some("eth0")] {
        let (e, nl) = world(ContainerStatus::Exited);
        nl.bind(ip(), 2, 24);
        let (code, why, _) = look(e, nl, &s, &cfg("192.0.2.10/24", nic), true);
        assert_eq!(code, 1, "nic {nic:?}");
        assert_eq!(
            why,
            "192.0.2.10/24 is bound but container croit is not running (partial; stop cleans up)"
        );
    }
}

#[test]
fn a_link_down_under_a_running_container_is_1_with_its_reason() {
    let s = Scratch::new("down");
    type Down = fn(&mut crate::net::Link);
    let cases: [(Down, &str); 2] = [
        (|l| l.carrier = false, "nic eth0 has no carrier"),
        (|l| l.admin_up = false, "nic eth0 is administratively down"),
    ];
    for (down, reason) in cases {
        let (e, nl) = world(ContainerStatus::Running);
        nl.bind(ip(), 2, 24);
        nl.set_link(2, down);
        let (code, why, _) = look(e, nl, &s, &cfg("192.0.2.10/24", Some("eth0")), false);
        assert_eq!((code, why.as_str()), (1, reason));
    }
}

#[test]
fn the_address_bound_with_another_prefix_is_its_reason_never_7() {
    let s = Scratch::new("prefix");
    let reason = "192.0.2.10/32 is already bound to eth0, not as /24: remove it or fix ip";
    for status in [ContainerStatus::Running, ContainerStatus::Exited] {
        let (e, nl) = world(status.clone());
        nl.bind(ip(), 2, 32);
        let (code, why, _) = look(e, nl, &s, &cfg("192.0.2.10/24", Some("eth0")), false);
        assert_eq!((code, why.as_str()), (1, reason), "{status:?}");
    }
}

#[test]
fn the_configured_nic_missing_is_1_while_the_container_runs_and_7_once_stopped() {
    let s = Scratch::new("missing");
    let cfg = cfg("192.0.2.10/24", Some("eth0"));
    let (e, nl) = world(ContainerStatus::Running);
    nl.remove_link(2);
    let (code, why, _) = look(e, nl, &s, &cfg, false);
    assert_eq!(
        (code, why.as_str()),
        (1, "nic eth0 does not exist on this node")
    );
    let (e, nl) = world(ContainerStatus::Exited);
    nl.remove_link(2);
    assert_eq!(look(e, nl, &s, &cfg, false).0, 7);
}
