//! The monitor's own decision, in-process against the scripted engine and
//! netlink world: a probe runs no `monitor_cmd`, a recurring monitor does.

use std::time::Duration;

use tokio::time::Instant;

use super::*;
use crate::budget::Budget;
use crate::engine::scripted::{block_on, ctr, Op, Scripted};
use crate::engine::ContainerStatus;
use crate::net::scripted::{eth, ScriptedNet};
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
        let budget = Duration::from_secs(20);
        let deadline = Instant::now() + budget;
        let io = Node {
            nl,
            engine,
            host: s.kernel(),
            state: s.state(),
            budget: Budget::new(deadline, budget),
            announce_until: deadline,
        };
        let (v, _, _) = judge(&io, &cfg, probe, true).await;
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
