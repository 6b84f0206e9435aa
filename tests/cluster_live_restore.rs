//! Issue 21, item 5, in a fenced two-node cluster: the holder's dockerd
//! restarted under `live-restore` (SIGTERM, down for several recurring
//! monitors, started again) while the container serves on under its shim.
//! live-restore exists for exactly this moment, so Pacemaker must not
//! recover anything: no stop, no start, no fail count, no failed action,
//! the resource never leaves the holder, the client (asking through the
//! virtual address every 0.1 s) is served in every sample, and the
//! container's processes (found by its id in the host's /proc) are the
//! same before and after. The recurring monitor answers OCF 1.1's degraded
//! (190) while the engine is away (Pacemaker 2.1 passes
//! `OCF_RA_VERSION_MAJOR/MINOR`), and only 190 or 0 throughout; its results
//! are printed. Pacemaker 2.1.5 keeps the last degraded result under
//! "Failed Resource Actions" (`returned 'OCF_DEGRADED'`, until a cleanup)
//! with no fail count and no recovery, and the resource's line stays
//! `Started n1`: that entry is the one failed action allowed.
//!
//! Privileged (root, namespaces, corosync, pacemaker, dockerd): `#[ignore]`d
//! for the quick loop, run by tests/run.sh. One cluster at a time (a lock).

use scenario::TOKEN;
use support::{cluster, install, procs, scenario};

use std::collections::BTreeSet;
use std::thread;
use std::time::Duration;

use cluster::service::{create_ours, wait_started, RSC};
use cluster::watch::{log_ts, this_year, ClientSample, ClientSampler, Watcher};
use cluster::{now, wait_until, Cluster, Setup, VIP};
use install::OCF_PATH;

/// The recurring monitor's interval (`create_ours`: `op monitor interval=2s`).
const MONITOR_S: f64 = 2.0;
/// How long the holder's dockerd stays down: four monitors fall into it.
const DOWN_S: f64 = 8.0;
/// How long the test watches after the engine answers again.
const AFTER_S: f64 = 3.0 * MONITOR_S;

/// The fail count of `rsc` on `node` (`crm_failcount`; 0 when none is set).
fn fail_count(c: &Cluster, node: &str) -> String {
    let o = c.on(
        node,
        &["crm_failcount", "--query", "-r", RSC, "-N", node, "-q"],
    );
    let v = String::from_utf8_lossy(&o.stdout).trim().to_string();
    if v.is_empty() {
        "0".into()
    } else {
        v
    }
}

/// The lines of every node's Pacemaker log, at or after `since`, that
/// contain one of `needles`.
fn log_lines(c: &Cluster, since: f64, needles: &[&str]) -> Vec<String> {
    let year = this_year();
    let mut out = Vec::new();
    for n in &c.nodes {
        for l in c.pacemaker_log(&n.name).lines() {
            if !needles.iter().any(|w| l.contains(w)) {
                continue;
            }
            if log_ts(l, year).is_some_and(|t| t >= since - 0.05) {
                out.push(format!("{}: {l}", n.name));
            }
        }
    }
    out
}

/// Our resource's line in `crm_mon` (e.g. `* pxe (ocf:croit:container): Started n1`).
fn mon_line(c: &Cluster) -> String {
    let mon = c.crm_mon();
    let Some(l) = mon
        .lines()
        .find(|l| l.contains(&format!("{RSC}\t")) || l.contains(&format!("{RSC} (")))
    else {
        return format!("(no line for {RSC})");
    };
    l.trim().to_string()
}

/// Samples our resource's `crm_mon` line every second until `until`
/// (epoch seconds); the distinct lines seen, in order.
fn watch_mon(c: &Cluster, until: f64, seen: &mut Vec<String>) {
    while now() < until {
        let l = mon_line(c);
        if seen.last() != Some(&l) {
            seen.push(l);
        }
        thread::sleep(
            Duration::from_secs(1).min(Duration::from_secs_f64((until - now()).max(0.0))),
        );
    }
}

/// The client's samples as runs of the same answer, times from `t0`:
/// `-2.01..15.38 s served by n1 (170)`.
fn runs(samples: &[ClientSample], t0: f64) -> String {
    let mut out: Vec<(f64, f64, String, usize)> = Vec::new();
    for s in samples {
        let got = s.got.clone().unwrap_or_else(|| "nothing".into());
        match out.last_mut() {
            Some(r) if r.2 == got => {
                r.1 = s.at;
                r.3 += 1;
            }
            _ => out.push((s.at, s.at, got, 1)),
        }
    }
    out.iter()
        .map(|(a, b, got, n)| format!("{:.2}..{:.2} s {got} ({n})", a - t0, b - t0))
        .collect::<Vec<_>>()
        .join(", ")
}

#[test]
#[ignore = "needs root, corosync, pacemaker and dockerd: run by tests/run.sh"]
fn two_nodes_engine_restart_under_live_restore_on_the_holder_no_recovery() {
    let c = scenario::cluster_with(Setup {
        nodes: 2,
        token: TOKEN,
        live_restore: true,
    });
    create_ours(&c, "");
    let ok = wait_until(Duration::from_secs(40), || {
        c.locate(RSC).len() == 1 && c.dc_idle()
    });
    assert!(ok, "{RSC} did not start:\n{}", c.crm_mon());
    let holder = c.holder();
    wait_started(&c, RSC, &holder);
    let id = c.container_id(&holder, "croit");
    let pids = procs::live_pids(&id);
    assert!(
        !pids.is_empty(),
        "container croit ({id}) does not run on {holder}"
    );
    let fails_before = fail_count(&c, &holder);
    let want = format!("served by {holder}");
    assert_eq!(
        c.client_get().as_deref(),
        Some(want.as_str()),
        "not served before the fault"
    );

    let ns = c.node(&holder).ns();
    let addr = Watcher::start("ip", &["-n", &ns, "-ts", "monitor", "address"], None);
    let client = ClientSampler::start(Duration::from_millis(100));
    let mut mon = Vec::new();
    watch_mon(&c, now() + MONITOR_S, &mut mon);

    // the fault: SIGTERM, gone; down for DOWN_S; started again
    let stopping = now();
    c.engine_stop(&holder);
    let gone = now();
    let pids_down = procs::live_pids(&id);
    let mut mon_down = Vec::new();
    watch_mon(&c, gone + DOWN_S, &mut mon_down);
    let starting = now();
    c.engine_start(&holder);
    let answered = now();
    let mut mon_after = Vec::new();
    watch_mon(&c, answered + AFTER_S, &mut mon_after);
    let settled = wait_until(Duration::from_secs(30), || c.dc_idle());
    let samples = client.stop();
    let addr_lines = addr.stop();
    let end = now();

    let pids_after = procs::live_pids(&id);
    let fails_after = fail_count(&c, &holder);
    let located = c.locate(RSC);
    let crm_mon = c.crm_mon();
    let monitors = log_lines(
        &c,
        stopping,
        &[&format!(
            "Result of monitor operation for {RSC} on {holder}"
        )],
    );
    let monitor_output: BTreeSet<String> = log_lines(&c, stopping, &[&format!("{RSC}_monitor_")])
        .into_iter()
        .filter(|l| l.contains("output ["))
        .collect();
    // each run of the monitor that said something (an exit reason) while
    // the engine was away: the executor logs `pxe_monitor_2000[PID] ... output`
    let year = this_year();
    let outage_runs: BTreeSet<String> = monitor_output
        .iter()
        .filter(|l| l.contains("pacemaker-execd"))
        .filter(|l| {
            let t = l.split_once(": ").and_then(|(_, r)| log_ts(r, year));
            t.is_some_and(|t| t >= gone && t <= starting)
        })
        .filter_map(|l| l.split(&format!("{RSC}_monitor_")).nth(1))
        .filter_map(|r| r.split(']').next())
        .map(str::to_string)
        .collect();
    // the scheduler's "Actions: Recover    pxe    ( n1 )" and the results
    let recovery: Vec<String> = log_lines(&c, stopping, &[RSC, "will be fenced"])
        .into_iter()
        .filter(|l| {
            let words: Vec<&str> = l.split_whitespace().collect();
            let action = l.contains("Actions:")
                && words.contains(&RSC)
                && ["Recover", "Restart", "Move", "Stop", "Start"]
                    .iter()
                    .any(|a| words.contains(a));
            action
                || l.contains(&format!("Result of stop operation for {RSC}"))
                || l.contains(&format!("Result of start operation for {RSC}"))
                || l.contains("will be fenced")
        })
        .collect();
    let failed = samples
        .iter()
        .filter(|s| s.got.as_deref() != Some(want.as_str()))
        .count();
    let deleted: Vec<&String> = addr_lines
        .iter()
        .filter(|l| l.contains("Deleted") && l.contains(&format!("inet {VIP}/")))
        .collect();

    let failed_actions: Vec<&str> = crm_mon
        .split("Failed Resource Actions:")
        .nth(1)
        .unwrap_or("")
        .lines()
        .filter(|l| l.trim_start().starts_with("* "))
        .collect();
    let report = format!(
        "dockerd of {holder} (--live-restore): SIGTERM at 0, gone at {:.2} s, started at {:.2} s, \
         answering at {:.2} s, watched until {:.2} s\n\
         container {}: pids before {pids:?}, with the engine gone {pids_down:?}, after {pids_after:?}\n\
         client: {} samples every 0.1 s, {failed} not served by {holder}: {}\n\
         crm_mon before: {mon:?}\n\
         crm_mon with the engine down: {mon_down:?}\n\
         crm_mon after: {mon_after:?}\n\
         monitor results since the fault (Pacemaker logs only changes):\n  {}\n\
         monitor output since the fault ({} runs while the engine was away):\n  {}\n\
         stop/start/recovery since the fault:\n  {}\n\
         fail count of {RSC} on {holder}: {fails_before} before, {fails_after} after; located on {located:?}\n\
         {VIP} deleted on {holder}: {} times\n\
         crm_mon's failed actions: {failed_actions:?}",
        gone - stopping,
        starting - stopping,
        answered - stopping,
        end - stopping,
        &id[..12],
        samples.len(),
        runs(&samples, stopping),
        monitors.join("\n  "),
        outage_runs.len(),
        monitor_output.into_iter().collect::<Vec<_>>().join("\n  "),
        if recovery.is_empty() { "none".into() } else { recovery.join("\n  ") },
        deleted.len(),
    );
    eprintln!("{report}");
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("cluster-live-restore.md");
    let _ = std::fs::write(path, &report);

    let mut wrong = Vec::new();
    if pids_down != pids {
        wrong.push("the container's processes changed when dockerd stopped (no live-restore?)");
    }
    if pids_after != pids {
        wrong.push("the container's processes changed: it was stopped or restarted");
    }
    if !recovery.is_empty() {
        wrong.push("Pacemaker stopped, started or recovered the resource");
    }
    if fails_after != fails_before {
        wrong.push("the fail count changed");
    }
    if failed_actions
        .iter()
        .any(|l| !l.contains("monitor") || !l.contains("returned 'OCF_DEGRADED'"))
    {
        wrong.push("crm_mon lists a failed action that is not the degraded monitor");
    }
    let rcs: Vec<&str> = monitors
        .iter()
        .filter_map(|l| l.split(" rc=").nth(1))
        .map(str::trim)
        .collect();
    if !rcs.contains(&"190") {
        wrong.push("the monitor never answered 190 (degraded) while the engine was away");
    }
    if monitors.iter().any(|l| l.contains("Cancelled"))
        || rcs.iter().any(|rc| !["0", "190"].contains(rc))
    {
        wrong.push("a monitor answered something other than 190 or 0, or was cancelled");
    }
    if outage_runs.len() < 2 {
        wrong.push("fewer than two monitors ran while the engine was away");
    }
    if located != [holder.clone()] || !settled {
        wrong.push("the resource is not (only) on the holder, settled");
    }
    if failed > 0 || samples.len() < 50 {
        wrong.push("the client was not served by the holder in every sample");
    }
    if !deleted.is_empty() {
        wrong.push("the address was removed from the holder");
    }
    let ours = std::fs::read(OCF_PATH).ok() == std::fs::read(env!("CARGO_BIN_EXE_container")).ok();
    if !ours {
        wrong.push("the agent at the OCF path is not this build's (replaced during the test)");
    }
    assert!(
        wrong.is_empty(),
        "live-restore engine restart on {holder}: {}\n{report}\n{crm_mon}",
        wrong.join("; ")
    );
}
