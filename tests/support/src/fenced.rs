//! Steps the fenced scenarios share (tests/cluster_fencing.rs): where the
//! resource started, the copy checker started and judged, the fences the
//! power controller executed, a note for the record.

use std::time::Duration;

use crate::cluster::fencing::FenceEvent;
use crate::cluster::service::RSC;
use crate::cluster::{network, wait_until, Cluster};
use crate::{copies, procs};

/// How often the checker samples.
pub const EVERY: Duration = Duration::from_millis(250);

/// The node that runs our resource once it started, and another one.
pub fn started(c: &Cluster) -> (String, String) {
    let ok = wait_until(Duration::from_secs(40), || {
        c.locate(RSC).len() == 1 && c.dc_idle()
    });
    assert!(ok, "{RSC} did not start:\n{}", c.crm_mon());
    let holder = c.holder();
    let other = c
        .nodes
        .iter()
        .map(|n| n.name.clone())
        .find(|n| *n != holder)
        .unwrap_or_default();
    (holder, other)
}

/// Starts the copy checker on every node; the holder's container id.
pub fn watch_copies(c: &Cluster, holder: &str) -> (copies::CopyWatch, String) {
    let ids: Vec<(String, String)> = c
        .nodes
        .iter()
        .map(|n| (n.name.clone(), c.container_id(&n.name, "croit")))
        .collect();
    let holder_id = ids
        .iter()
        .find(|(n, _)| n == holder)
        .map(|(_, id)| id.clone())
        .unwrap_or_default();
    assert!(
        !procs::live_pids(&holder_id).is_empty(),
        "nothing runs on {holder}"
    );
    // a powered-off node's namespace keeps the address, but its cable is out
    let nodes = c.nodes.clone();
    let watch = copies::CopyWatch::start(ids, EVERY, move |node| {
        nodes.iter().any(|n| n.name == node && n.is_up()) && network::vip_in(&format!("hc-{node}"))
    });
    (watch, holder_id)
}

/// Stops the checker; fails on any sample with two copies running.
#[track_caller]
pub fn no_two_copies(watch: copies::CopyWatch, what: &str, min_secs: f64) -> (usize, f64, String) {
    let samples = watch.stop();
    let timeline = copies::timeline(&samples);
    eprintln!("{what}; who runs the container:\n{timeline}");
    let two = copies::two_copies(&samples);
    assert!(
        two.is_empty(),
        "{what}: {} of {} samples with two copies running:\n{timeline}",
        two.len(),
        samples.len()
    );
    let span = samples.last().map_or(0.0, |s| s.at);
    assert!(span >= min_secs, "only {span:.1} s of samples");
    (samples.len(), span, timeline)
}

pub fn note(file: &str, text: &str) {
    let path = crate::paths::target_tmp().join(file);
    let _ = std::fs::write(path, text);
}

/// The fences (every action but `status`) since `since` (epoch seconds).
pub fn fences_since(c: &Cluster, since: f64) -> Vec<FenceEvent> {
    c.fence_events()
        .into_iter()
        .filter(|e| e.at >= since && e.action != "status")
        .collect()
}

/// Asserts that since `since` the fence powered `holder` off and fenced no
/// other node (`other` named in the failure); returns the events.
#[track_caller]
pub fn only_fenced(c: &Cluster, since: f64, holder: &str, other: &str) -> Vec<FenceEvent> {
    let fences = fences_since(c, since);
    assert!(
        fences.iter().any(|e| e.action == "off"
            && e.target == holder
            && e.rc == 0
            && e.msg == "powered off"),
        "{holder} was not powered off by a fence: {fences:?}"
    );
    assert!(
        fences.iter().all(|e| e.target == holder),
        "{other} was fenced too: {fences:?}"
    );
    fences
}
