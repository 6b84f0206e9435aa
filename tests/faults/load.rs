//! Faults of load and of the agent itself: twenty instances at once, an agent
//! killed in the middle of start.

use agent::{expect, has_addr, Call, Run};
use matrix::{probe, Rows};
use netns::NetnsPair;
use rig::{inspect, Rig, SERVE, V4};
use std::process::{Command, Stdio};
use std::time::Duration;
use support::{agent, docker, matrix, netns, rig};

/// Runs `f(i)` for `0..n` on `n` threads; returns the results in order.
pub(super) fn all<T: Send>(n: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    std::thread::scope(|s| {
        let f = &f;
        let handles: Vec<_> = (0..n).map(|i| s.spawn(move || f(i))).collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| panic!("an instance's thread panicked"))
            })
            .collect()
    })
}

pub(super) fn twenty_at_once() -> Rows {
    const N: usize = 20;
    let net = NetnsPair::new("f20");
    let ctrs: Vec<_> = (0..N)
        .map(|i| docker::TestContainer::create(&format!("f20-{i}"), &[], SERVE))
        .collect();
    // a subnet the node has no address of its own in: the first address
    // bound is the primary, the others its secondaries
    let ips: Vec<String> = (0..N)
        .map(|i| format!("198.51.100.{}/24", 101 + i))
        .collect();
    let calls: Vec<Call> = (0..N)
        .map(|i| {
            Call::new(&[
                ("ip", &ips[i]),
                ("nic", &net.node_if),
                ("container", ctrs[i].name()),
                ("docker_host", &docker::docker_host()),
                ("arp_interval", "20"),
            ])
            .recurring()
        })
        .collect();
    let ns = Some(net.node.as_str());
    let mut r = Rows::new("13. 20 instances on one NIC and subnet, concurrently");
    let codes = |runs: &[Run]| runs.iter().map(|r| r.code).collect::<Vec<_>>();
    let started = all(N, |i| calls[i].run(ns, "start"));
    assert_eq!(codes(&started), vec![0; N], "starts: {started:?}");
    let mon = all(N, |i| calls[i].run(ns, "monitor"));
    assert_eq!(codes(&mon), vec![0; N], "monitors: {mon:?}");
    for ip in &ips {
        assert!(has_addr(&net.node, &net.node_if, ip), "{ip} missing");
    }
    // the even ones stop while the odd ones are monitored
    let mixed = all(N, |i| {
        if i % 2 == 0 {
            calls[i].run(ns, "stop")
        } else {
            calls[i].run(ns, "monitor")
        }
    });
    assert_eq!(codes(&mixed), vec![0; N], "stops and monitors: {mixed:?}");
    let after = all(N, |i| probe(&calls[i]).run(ns, "monitor"));
    let want: Vec<i32> = (0..N).map(|i| if i % 2 == 0 { 7 } else { 0 }).collect();
    assert_eq!(codes(&after), want, "cross-talk: {after:?}");
    for i in 0..N {
        assert_eq!(
            has_addr(&net.node, &net.node_if, &ips[i]),
            i % 2 == 1,
            "{} after the even ones stopped",
            ips[i]
        );
        let st = inspect(ctrs[i].name(), "{{.State.Status}}");
        assert_eq!(st, if i % 2 == 1 { "running" } else { "exited" }, "{i}");
    }
    let stopped = all(N, |i| calls[i].run(ns, "stop"));
    assert_eq!(codes(&stopped), vec![0; N]);
    let gone = all(N, |i| probe(&calls[i]).run(ns, "monitor"));
    assert_eq!(codes(&gone), vec![7; N]);
    for ip in &ips {
        assert!(!has_addr(&net.node, &net.node_if, ip), "{ip} left behind");
    }
    let (stopped_probes, running_probes): (Vec<_>, Vec<_>) =
        after.into_iter().enumerate().partition(|(i, _)| i % 2 == 0);
    for (label, runs) in [
        ("start, 20 at once", started),
        ("monitor, 20 at once", mon),
        ("10 stop while 10 monitor, at once", mixed),
        (
            "probe of the 10 stopped",
            stopped_probes.into_iter().map(|(_, r)| r).collect(),
        ),
        (
            "probe of the 10 running",
            running_probes.into_iter().map(|(_, r)| r).collect(),
        ),
    ] {
        let runs: Vec<Run> = runs;
        let mut codes: Vec<i32> = runs.iter().map(|r| r.code).collect();
        codes.dedup();
        assert_eq!(codes.len(), 1, "{label}: {runs:?}");
        // every run is checked against its deadline; the table keeps one row per batch
        let n = r.rows.len();
        for run in runs {
            r.keep(&calls[0], label, run);
        }
        r.rows.truncate(n + 1);
    }
    r
}

pub(super) fn killed_mid_start() -> Rows {
    let rig = Rig::new("fkill", &[], SERVE);
    // 5 announcement rounds 100 ms apart: start lasts about half a second
    let call = rig.call(V4).param("arp_interval", "100").recurring();
    let mut r = Rows::new("14. agent SIGKILLed during start, after 0 to 600 ms")
        .sub(rig.ctr.name(), "<container>");
    for (n, ms) in [0u64, 5, 20, 50, 100, 200, 400, 600]
        .into_iter()
        .enumerate()
    {
        let mut cmd = Command::new("nsenter");
        cmd.args([
            &format!("--net=/run/netns/{}", rig.net.node),
            agent::bin(),
            "start",
        ])
        .env_clear()
        .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
        .env("OCF_ROOT", "/usr/lib/ocf")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
        for (k, v) in &call.params {
            cmd.env(format!("OCF_RESKEY_{k}"), v);
        }
        for (k, v) in &call.env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().unwrap_or_else(|e| panic!("spawn: {e}"));
        std::thread::sleep(Duration::from_millis(ms));
        let _ = child.kill(); // nsenter execs the agent: this is its pid
        let _ = child.wait();
        let stop = expect(call.run(rig.node(), "stop"), 0);
        let probe_run = expect(probe(&call).run(rig.node(), "monitor"), 7);
        assert!(
            !has_addr(&rig.net.node, &rig.net.node_if, V4),
            "killed after {ms} ms: the address is left"
        );
        assert_ne!(rig.status(), "running", "killed after {ms} ms");
        if n == 0 {
            r.keep(&call, "stop", stop);
            r.keep(&call, "probe after stop", probe_run);
        }
    }
    r
}
