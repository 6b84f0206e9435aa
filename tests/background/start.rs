//! Start and its rounds: the defaults reach the peer, start returns after
//! the first round, one round or no interval stays in the foreground.

use super::*;

/// With the defaults (5 rounds, 200 ms apart) every round reaches the peer,
/// the first before start returned.
#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn with_the_defaults_all_five_rounds_reach_the_peer() {
    let rig = Rig::new("bgdefault", &[], SERVE);
    let call = rig
        .call(V4)
        .param("arp_interval", "200")
        .param("arp_count", "5");
    let cap = StampedCapture::start(&rig.net.peer);
    let run = expect(call.run(rig.node(), "start"), 0);
    let returned = SystemTime::now();
    let bg = recorded_pid(rig.ctr.name());
    if let Some(pid) = bg {
        assert!(
            wait_for(Duration::from_secs(5), || !alive(pid)),
            "the announcer is still there 5 s later"
        );
    }
    std::thread::sleep(Duration::from_millis(900));
    let frames = cap.stop();
    assert_eq!(rounds(&frames), (5, 5), "5 rounds of request + reply");
    let ours: Vec<&Stamped> = frames.iter().filter(|f| f.arp_op().is_some()).collect();
    assert!(
        ours.first().is_some_and(|f| f.at < returned),
        "the first round was on the wire before start returned"
    );
    let after = ours.iter().filter(|f| f.at > returned).count();
    eprintln!(
        "start took {:?}; {after} of 10 frames after it returned (background announcer: {bg:?})",
        run.took
    );
    rig.stop_leaves_nothing(&call, V4);
}

/// Start returns after the first round; the rest come from a forked child
/// detached from the caller (own session, /dev/null, only its two sockets),
/// on schedule, and the child is gone afterwards. Rounds 1 s apart, so that
/// even a slow start returns long before the second.
#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn start_returns_after_the_first_round_and_the_rest_follow_from_a_detached_child() {
    let rig = Rig::new("bgdetach", &[], SERVE);
    let call = rig
        .call(V4)
        .param("arp_interval", "1000")
        .param("arp_count", "4");
    let cap = StampedCapture::start(&rig.net.peer);
    let run = expect(call.run(rig.node(), "start"), 0);
    let returned = SystemTime::now();
    let pid = recorded_pid(rig.ctr.name()).unwrap_or_else(|| {
        panic!(
            "no background announcer recorded after a {:?} start:\n{}",
            run.took, run.stderr
        )
    });
    // detached: its own session, stdin/stdout/stderr on /dev/null, no
    // other descriptor than its two sockets
    let sid = |p: i32| {
        std::fs::read_to_string(format!("/proc/{p}/stat"))
            .ok()
            .and_then(|s| {
                s.rsplit(')')
                    .next()
                    .and_then(|r| r.split_whitespace().nth(3))
                    .and_then(|v| v.parse::<i32>().ok())
            })
    };
    assert_eq!(sid(pid), Some(pid), "the announcer leads its own session");
    let fds_of = |p: i32| -> Vec<(String, String)> {
        std::fs::read_dir(format!("/proc/{p}/fd"))
            .map(|d| {
                d.flatten()
                    .map(|e| {
                        let t = std::fs::read_link(e.path()).unwrap_or_default();
                        (
                            e.file_name().to_string_lossy().into_owned(),
                            t.to_string_lossy().into_owned(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    // start may return before the child has run at all: give it a moment
    // to detach (it does so first thing)
    wait_for(Duration::from_millis(500), || fds_of(pid).len() == 5);
    let fds = fds_of(pid);
    for (fd, target) in &fds {
        match fd.as_str() {
            "0" | "1" | "2" => assert_eq!(target, "/dev/null", "fd {fd}: {fds:?}"),
            _ => assert!(
                target.starts_with("socket:"),
                "fd {fd} -> {target}: {fds:?}"
            ),
        }
    }
    assert_eq!(fds.len(), 5, "0, 1, 2 and two sockets: {fds:?}");
    assert!(
        wait_for(Duration::from_secs(6), || !alive(pid)),
        "the announcer is still there 6 s later"
    );
    let frames = cap.stop();
    assert_eq!(rounds(&frames), (4, 4), "4 rounds of request + reply");
    let ours: Vec<&Stamped> = frames.iter().filter(|f| f.arp_op().is_some()).collect();
    let before = ours.iter().filter(|f| f.at < returned).count();
    assert_eq!(before, 2, "one round (2 frames) before start returned");
    let gaps: Vec<u128> = ours
        .windows(2)
        .filter_map(|w| w[1].at.duration_since(w[0].at).ok())
        .map(|d| d.as_millis())
        .filter(|ms| *ms > 100)
        .collect();
    assert_eq!(gaps.len(), 3, "three pauses between four rounds: {gaps:?}");
    eprintln!(
        "start took {:?}; pauses between rounds (ms): {gaps:?}",
        run.took
    );
    rig.stop_leaves_nothing(&call, V4);
}

/// `arp_count=1` and `arp_interval=0`: everything before start returns, no
/// child.
#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn one_round_or_no_interval_sends_everything_in_the_foreground() {
    let rig = Rig::new("bgfg", &[], SERVE);
    for (count, interval, want) in [("1", "200", 1), ("4", "0", 4)] {
        let call = rig
            .call(V4)
            .param("arp_count", count)
            .param("arp_interval", interval);
        let cap = StampedCapture::start(&rig.net.peer);
        expect(call.run(rig.node(), "start"), 0);
        let returned = SystemTime::now();
        assert_eq!(recorded_pid(rig.ctr.name()), None, "no announcer recorded");
        std::thread::sleep(Duration::from_millis(400));
        let frames = cap.stop();
        assert_eq!(
            rounds(&frames),
            (want, want),
            "count {count} interval {interval}"
        );
        assert!(
            frames
                .iter()
                .filter(|f| f.arp_op().is_some())
                .all(|f| f.at < returned),
            "all before start returned"
        );
        rig.stop_leaves_nothing(&call, V4);
    }
}
