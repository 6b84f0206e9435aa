//! Issue 15, scenario 1 (tests/cluster_fencing.rs): a stop that cannot
//! tell whether the container runs gets the holder fenced before the
//! survivor starts. The holder's dockerd frozen (SIGSTOP), and what names
//! its container gone: the agent's record of the id removed from the
//! node's `/run` (and, with `forget_root`, its record of the engine's root
//! too), and the container's `config.v2.json` moved aside in the node's
//! dockerd data root (`--data-root`, tests/cluster/node-dockerd.sh). The
//! kernel shows a container whose name cannot be read: the monitor answers
//! 1 (it may be ours), Pacemaker recovers, stop answers 1 (the container
//! may still run), the holder is fenced (powered off by the power
//! controller) and only then does the survivor serve; never two copies.
//! Booted again (the file back in place first), the old holder rejoins and
//! runs nothing.

use std::thread;
use std::time::{Duration, Instant};

use crate::cluster::faults::{restore, Fault};
use crate::cluster::pcmk::OpResult;
use crate::cluster::service::{create_ours, one_holder, RSC};
use crate::cluster::{now, wait_until};
use crate::fenced::{no_two_copies, note, only_fenced, started, watch_copies};
use crate::procs;
use crate::scenario;

/// See the module's doc.
pub fn failed_stop(forget_root: bool) {
    let mut c = scenario::cluster(2);
    create_ours(&c, "stop timeout=20s");
    let (holder, other) = started(&c);
    let (watch, holder_id) = watch_copies(&c, &holder);
    let since = now();
    Fault::EngineFreeze(holder.clone()).inject(&mut c);
    // a monitor that had its answer before the freeze has written by now
    thread::sleep(Duration::from_millis(300));
    let t0 = Instant::now();
    let records = "/run/resource-agents/croit-container";
    let removed = c.sh_on(
        &holder,
        &if forget_root {
            format!("rm -v {records}.{RSC}.*.id {records}.engine.*.root")
        } else {
            format!("rm -v {records}.{RSC}.*.id; ls {records}.engine.*.root")
        },
    );
    assert!(
        removed.contains(".id'") && removed.contains(".root"),
        "no records of the id and the engine's root on {holder}: {removed}"
    );
    let config = c
        .node(&holder)
        .dir()
        .join("docker-data/containers")
        .join(&holder_id)
        .join("config.v2.json");
    let aside = Aside::new(config);
    let want = format!("served by {other}");
    let served = wait_until(Duration::from_secs(90), || {
        !c.node(&holder).is_up() && c.client_get().as_deref() == Some(want.as_str())
    });
    let took = t0.elapsed().as_secs_f64();
    thread::sleep(Duration::from_secs(5));
    let monitors = c.op_results(RSC, "monitor", since);
    let stops = c.op_results(RSC, "stop", since);
    let report = format!("since the freeze:\n  {}", c.op_story(RSC, since));
    eprintln!("{report}");
    let what = format!(
        "{holder}'s dockerd frozen, the record of the id{} and the container's name removed",
        if forget_root {
            " and the engine's root"
        } else {
            ""
        }
    );
    let (n, span, timeline) = no_two_copies(watch, &what, 10.0);
    assert!(
        served,
        "{holder} not fenced or {other} not serving after 90 s:\n{}\n{report}\n{timeline}",
        c.crm_mon()
    );
    assert!(
        procs::live_pids(&holder_id).is_empty(),
        "the copy on the fenced {holder} still runs"
    );
    // The monitor found a container it cannot name (1, not 190 or 7), and
    // the stop failed on the holder, with the agent's reason.
    let unknown =
        |m: &OpResult| m.node == holder && m.rc == "1" && m.line.contains("no id remembered");
    assert!(
        monitors.iter().any(unknown) && monitors.iter().all(|m| m.rc != "190" && m.rc != "7"),
        "the monitor did not answer 1 for a container it cannot name:\n{report}"
    );
    assert!(
        stops.iter().any(unknown),
        "no failed stop with the agent's reason on {holder}:\n{report}"
    );
    // The scheduler decided to fence it for that, and the controller did.
    let logs = c.pacemaker_log(&holder) + &c.pacemaker_log(&other);
    assert!(
        logs.lines()
            .any(|l| l.contains(&format!("Cluster node {holder} will be fenced"))),
        "no fencing decision for {holder} in the logs"
    );
    let fences = only_fenced(&c, since, &holder, &other);

    // Booted again (its dockerd finds the container's files), the old
    // holder rejoins and runs nothing.
    drop(aside);
    restore(&mut c);
    one_holder(&c, RSC, "croit", &other);
    note(
        if forget_root {
            "cluster-failed-stop-no-root.md"
        } else {
            "cluster-failed-stop.md"
        },
        &format!(
            "failed stop on {holder}: fenced ({fences:?}), served by {other} {took:.1} s after \
             {what}; {n} samples over {span:.0} s, none with two \
             copies\n{report}\n{timeline}"
        ),
    );
}

/// A file moved aside (`<name>.aside`) for a test, put back when dropped
/// (unless something else is there by then).
pub struct Aside(std::path::PathBuf);

impl Aside {
    #[track_caller]
    pub fn new(path: std::path::PathBuf) -> Aside {
        let to = path.with_extension("json.aside");
        if let Err(e) = std::fs::rename(&path, &to) {
            panic!("cannot move {} aside: {e}", path.display());
        }
        Aside(path)
    }
}

impl Drop for Aside {
    fn drop(&mut self) {
        if !self.0.exists() {
            let _ = std::fs::rename(self.0.with_extension("json.aside"), &self.0);
        }
    }
}
