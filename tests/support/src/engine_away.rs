//! The holder's engine goes away while its container serves on
//! (tests/cluster_fencing.rs): dockerd SIGKILLed, or stopped under
//! live-restore. The agent finds the container in the kernel and names it
//! from Docker's files, so the monitor answers 190 (degraded, OCF 1.1):
//! for 30 s nothing is recovered, the resource stays on the holder, the
//! client is served by it in every sample, nobody is fenced. Then the
//! engine is started again: under live-restore it keeps the container (the
//! same processes, the monitor back to 0, still no recovery); without, its
//! restore ends the container, the monitor sees that and Pacemaker
//! recovers, and the client is served again. The copy checker runs
//! throughout: never two nodes with a live copy.

use std::thread;
use std::time::Duration;

use crate::cluster::faults::Fault;
use crate::cluster::service::{create_ours, wait_started, RSC};
use crate::cluster::watch::{ClientSample, ClientSampler};
use crate::cluster::{now, wait_until, Setup};
use crate::fenced::{fences_since, no_two_copies, note, started, watch_copies};
use crate::procs;
use crate::scenario;

/// How long the engine stays away.
pub const AWAY_S: f64 = 30.0;

/// The client's samples as runs of the same answer, times from `t0`:
/// `0.00..29.90 s served by n1 (270)`.
pub fn runs(samples: &[ClientSample], t0: f64) -> String {
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

/// See the module's doc. `fault` takes the engine away on the holder.
pub fn engine_gone_on_the_holder(
    live_restore: bool,
    fault: fn(String) -> Fault,
    what: &str,
    file: &str,
) {
    let mut c = scenario::cluster_with(Setup {
        nodes: 2,
        token: scenario::TOKEN,
        live_restore,
    });
    create_ours(&c, "");
    let (holder, _) = started(&c);
    wait_started(&c, RSC, &holder);
    let (watch, id) = watch_copies(&c, &holder);
    let pids = procs::live_pids(&id);
    let fails_before = c.fail_count(RSC, &holder);
    let want = format!("served by {holder}");
    let client = ClientSampler::start(Duration::from_millis(100));
    let t0 = now();
    fault(holder.clone()).inject(&mut c);
    let gone = now() - t0;
    let pids_down = procs::live_pids(&id);
    let mut wrong: Vec<String> = Vec::new();
    if pids_down.is_empty() {
        wrong.push(format!(
            "the container on {holder} did not outlive its engine"
        ));
    }

    // the engine away: where Pacemaker has the resource, once a second
    let mut located: Vec<Vec<String>> = Vec::new();
    let mut degraded_at = None;
    while now() < t0 + AWAY_S {
        let at = c.locate(RSC);
        if located.last() != Some(&at) {
            located.push(at);
        }
        if degraded_at.is_none()
            && c.failed_actions()
                .iter()
                .any(|l| l.contains("OCF_DEGRADED"))
        {
            degraded_at = Some(now() - t0);
        }
        thread::sleep(Duration::from_secs(1));
    }
    let away = client.stop();
    let mon_line = c
        .crm_mon()
        .lines()
        .find(|l| l.contains(&format!("{RSC}\t")) || l.contains(&format!("{RSC} (")))
        .map(|l| l.trim().to_string())
        .unwrap_or_default();
    let failed = c.failed_actions();
    let (xml_failures, xml_rsc) = c.mon_xml(RSC);
    let monitors = c.op_results(RSC, "monitor", t0);
    let recovery_away = c.recovery_since(RSC, t0);
    let fails_away = c.fail_count(RSC, &holder);
    let away_bad = away
        .iter()
        .filter(|s| s.got.as_deref() != Some(want.as_str()))
        .count();
    if located != [vec![holder.clone()]] {
        wrong.push(format!(
            "the resource did not stay on {holder}: {located:?}"
        ));
    }
    if away_bad > 0 || away.len() < 200 {
        wrong.push(format!(
            "the client was not served by {holder} in every sample"
        ));
    }
    if !monitors.iter().any(|m| m.rc == "190") || monitors.iter().any(|m| m.rc != "190") {
        wrong.push("the monitor did not answer 190 (degraded), and only that".into());
    }
    if degraded_at.is_none() || failed.iter().any(|l| !l.contains("'OCF_DEGRADED'")) {
        wrong.push("crm_mon shows no degraded monitor, or another failed action".into());
    }
    if !recovery_away.is_empty() || fails_away != fails_before {
        wrong.push("Pacemaker recovered the resource or counted a failure".into());
    }

    // the engine back
    let client = ClientSampler::start(Duration::from_millis(100));
    let starting = now() - t0;
    c.engine_start(&holder);
    let answered = now() - t0;
    let after = if live_restore {
        // the monitor back to 0, then three more monitors
        let ok = wait_until(Duration::from_secs(20), || {
            c.op_results(RSC, "monitor", t0 + answered)
                .iter()
                .any(|m| m.rc == "0")
        });
        thread::sleep(Duration::from_secs(6));
        let pids_after = procs::live_pids(&id);
        let samples = client.stop();
        let bad = samples
            .iter()
            .filter(|s| s.got.as_deref() != Some(want.as_str()))
            .count();
        if !ok {
            wrong.push("the monitor did not answer 0 again".into());
        }
        if pids_after != pids || pids_down != pids {
            wrong.push("the container's processes changed".into());
        }
        if bad > 0 || c.locate(RSC) != [holder.clone()] || !c.recovery_since(RSC, t0).is_empty() {
            wrong.push("recovered, moved or not served by the holder after the restart".into());
        }
        format!(
            "monitor 0 again: {ok}; pids {pids:?} before, {pids_down:?} away, {pids_after:?} \
             after; client {}",
            runs(&samples, t0)
        )
    } else {
        // dockerd's restore ends what its killed predecessor left running
        let ended = wait_until(Duration::from_secs(30), || procs::live_pids(&id).is_empty());
        let ended_at = now() - t0;
        let mut by = String::new();
        let served = wait_until(Duration::from_secs(60), || {
            let at = c.locate(RSC);
            let [node] = at.as_slice() else {
                return false;
            };
            by = node.clone();
            c.client_get() == Some(format!("served by {node}")) && c.dc_idle()
        });
        let served_at = now() - t0;
        let samples = client.stop();
        let failures: Vec<String> = c
            .op_results(RSC, "monitor", t0 + starting)
            .iter()
            .filter(|m| m.rc.parse::<i32>().is_ok_and(|rc| rc != 0 && rc != 190))
            .map(|m| m.line.clone())
            .collect();
        if !ended || !served || failures.is_empty() {
            wrong.push(format!(
                "after dockerd's restart: container ended {ended}, a failed monitor {}, \
                 served again {served}",
                !failures.is_empty()
            ));
        }
        format!(
            "container ended by dockerd's restore at {ended_at:.2} s; failed monitor: {failures:?}; \
             served again by {by} at {served_at:.2} s; recovery: {:?}; client {}",
            c.recovery_since(RSC, t0 + starting),
            runs(&samples, t0)
        )
    };

    let fences = fences_since(&c, t0);
    let (n, span, timeline) = no_two_copies(watch, &format!("{what} on {holder}"), AWAY_S);
    if !fences.is_empty() || !c.nodes.iter().all(|n| n.is_up()) {
        wrong.push(format!("a node was fenced: {fences:?}"));
    }
    let report = format!(
        "{what} on the holder {holder}: engine gone at {gone:.2} s, started again at \
         {starting:.2} s, answering at {answered:.2} s\n\
         with the engine away: located {located:?}; the client {} ({away_bad} not served by \
         {holder}); degraded in crm_mon from {degraded_at:?} s\n\
         monitor results:\n  {}\n\
         crm_mon -1: {mon_line:?}; failed actions: {failed:?}\n\
         crm_mon --output-as=xml: {xml_rsc:?}\n  {}\n\
         fail count {fails_before} before, {fails_away} with the engine away; stop/start/\
         recovery while away: {recovery_away:?}\n\
         engine back: {after}\n\
         fences: {fences:?}; {n} copy samples over {span:.0} s, none with two copies\n{timeline}",
        runs(&away, t0),
        monitors
            .iter()
            .map(|m| m.line.as_str())
            .collect::<Vec<_>>()
            .join("\n  "),
        xml_failures.join("\n  "),
    );
    eprintln!("{report}");
    note(file, &report);
    assert!(
        wrong.is_empty(),
        "{}\n{report}\n{}",
        wrong.join("; "),
        c.crm_mon()
    );
}
