//! Start returns when the service is up (issue 16): the first announcement
//! round goes out before start returns, the rest from a forked, detached
//! copy of the agent; stop (and a new start) end it first; a start killed
//! on the way leaves none behind. Frames are captured on the peer with the
//! kernel's receive time (SO_TIMESTAMPNS), so "after stop returned" is exact.
//!
//! Needs root, namespaces and dockerd; `#[ignore]`d for the quick
//! unprivileged loop.

use support::{agent, rig, stamped};

use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use agent::{expect, has_addr, wait_for};
use rig::{Rig, SERVE, V4};
use stamped::{Stamped, StampedCapture};

/// Requests and replies of ours among `frames`.
fn rounds(frames: &[Stamped]) -> (usize, usize) {
    let ops: Vec<u16> = frames.iter().filter_map(Stamped::arp_op).collect();
    (
        ops.iter().filter(|o| **o == 1).count(),
        ops.iter().filter(|o| **o == 2).count(),
    )
}

/// Where the agent records the background announcer of a container.
fn record(container: &str) -> std::path::PathBuf {
    // the rig's resource instance is its container's name (support::agent)
    croit_container::state::State::new("/run/resource-agents", container, container, "")
        .announcer_path()
}

/// The pid of the recorded announcer.
fn recorded_pid(container: &str) -> Option<i32> {
    let text = std::fs::read_to_string(record(container)).ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix("pid="))
        .and_then(|p| p.parse().ok())
}

fn alive(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| {
        !s.rsplit(')')
            .next()
            .unwrap_or("")
            .trim_start()
            .starts_with('Z')
    })
}

/// Processes that are copies of the agent for `container` (its
/// OCF_RESKEY_container in their environment), this test's agent binary.
fn agents_for(container: &str) -> Vec<i32> {
    let needle = format!("OCF_RESKEY_container={container}");
    let mut pids = Vec::new();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return pids;
    };
    for e in dir.flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<i32>().ok()) else {
            continue;
        };
        let env = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
        let ours = env.split(|b| *b == 0).any(|v| v == needle.as_bytes());
        if ours && alive(pid) {
            pids.push(pid);
        }
    }
    pids
}

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

/// A stop 50 ms after start returned ends the announcer first: no frame
/// of ours arrives after stop returned, and none of it is left.
#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn stop_right_after_start_leaves_no_announcement_after_it_returned() {
    let rig = Rig::new("bgstop", &[], SERVE);
    // 1 s apart: the announcer is sure to have rounds left at the stop
    let call = rig
        .call(V4)
        .param("arp_interval", "1000")
        .param("arp_count", "5");
    for attempt in 0..3 {
        let cap = StampedCapture::start(&rig.net.peer);
        expect(call.run(rig.node(), "start"), 0);
        let pid = recorded_pid(rig.ctr.name()).expect("an announcer after start");
        std::thread::sleep(Duration::from_millis(50));
        expect(call.run(rig.node(), "stop"), 0);
        let stopped = SystemTime::now();
        assert!(
            !alive(pid),
            "attempt {attempt}: the announcer outlived stop"
        );
        assert!(!std::path::Path::new(&record(rig.ctr.name())).exists());
        // long enough for two more rounds, had anything survived
        std::thread::sleep(Duration::from_millis(2200));
        let frames = cap.stop();
        let late: Vec<Duration> = frames
            .iter()
            .filter(|f| f.arp_op().is_some())
            .filter_map(|f| f.at.duration_since(stopped).ok())
            .collect();
        assert!(
            late.is_empty(),
            "attempt {attempt}: frames after stop returned: {late:?}"
        );
        let (req, _) = rounds(&frames);
        assert!(
            (1..5).contains(&req),
            "attempt {attempt}: {req} rounds: the stop cut the rounds short"
        );
        assert!(!has_addr(&rig.net.node, &rig.net.node_if, V4));
    }
}

/// The agent SIGKILLed in the middle of start (after its first round, while
/// it waits for the container to be healthy) leaves no announcer: nothing is
/// forked before start is done.
#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn a_start_killed_midway_leaves_no_announcer() {
    let health = [
        "--health-cmd",
        "test -f /tmp/healthy",
        "--health-interval",
        "1s",
    ];
    let cmd = &[
        "sh",
        "-c",
        "trap 'exit 0' TERM; sleep 3; touch /tmp/healthy; while :; do sleep 0.1; done",
    ];
    let rig = Rig::new("bgkill", &health, cmd);
    let call = rig
        .call(V4)
        .param("arp_interval", "200")
        .param("wait_healthy", "true");
    for kill_after in [150u64, 700] {
        let cap = StampedCapture::start(&rig.net.peer);
        let mut cmd = Command::new("nsenter");
        cmd.arg(format!("--net=/run/netns/{}", rig.net.node))
            .arg(agent::bin())
            .arg("start")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        for (k, v) in &call.params {
            cmd.env(format!("OCF_RESKEY_{k}"), v);
        }
        for (k, v) in &call.env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("spawn the agent");
        let t0 = Instant::now();
        // the agent itself (nsenter execs it: same pid)
        std::thread::sleep(Duration::from_millis(kill_after));
        let _ = child.kill();
        let _ = child.wait();
        let killed = SystemTime::now();
        let took = t0.elapsed();
        assert!(
            took < Duration::from_secs(2),
            "the kill came after start could have finished ({took:?})"
        );
        std::thread::sleep(Duration::from_millis(600));
        let left = agents_for(rig.ctr.name());
        assert!(
            left.is_empty(),
            "after {kill_after} ms: agent copies left: {left:?}"
        );
        assert!(
            !std::path::Path::new(&record(rig.ctr.name())).exists(),
            "after {kill_after} ms: an announcer was recorded"
        );
        let frames = cap.stop();
        let late = frames
            .iter()
            .filter(|f| f.arp_op().is_some())
            .filter(|f| f.at > killed)
            .count();
        assert_eq!(late, 0, "after {kill_after} ms: frames after the kill");
        if kill_after > 500 {
            assert!(
                rounds(&frames).0 >= 1,
                "the first round went out before the kill"
            );
        }
        expect(call.run(rig.node(), "stop"), 0);
    }
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

/// The announcer ends on its own once the address is gone (deleted by hand
/// after start): it checks before every round.
#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn the_announcer_ends_when_the_address_goes() {
    let rig = Rig::new("bggone", &[], SERVE);
    let call = rig
        .call(V4)
        .param("arp_interval", "1000")
        .param("arp_count", "10");
    let cap = StampedCapture::start(&rig.net.peer);
    expect(call.run(rig.node(), "start"), 0);
    let pid = recorded_pid(rig.ctr.name()).expect("an announcer after start");
    rig.node_addr("del", V4);
    let gone = SystemTime::now();
    assert!(
        wait_for(Duration::from_secs(3), || !alive(pid)),
        "the announcer outlived its address"
    );
    let frames = cap.stop();
    let late = frames
        .iter()
        .filter(|f| f.arp_op().is_some())
        .filter(|f| f.at > gone)
        .count();
    assert_eq!(late, 0, "announced an address that was gone");
    expect(call.run(rig.node(), "stop"), 0);
}

/// Two addresses on one link (IPv4 and IPv6, `nodad`): the announcer ends
/// as soon as either is gone, and announces neither after that.
#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn with_two_addresses_the_announcer_ends_when_either_goes() {
    let rig = Rig::new("bgdual", &[], SERVE);
    let call = rig
        .call("192.0.2.10/24 2001:db8::10/64")
        .param("nodad", "true")
        .param("arp_interval", "1000")
        .param("arp_count", "10");
    let cap = StampedCapture::start(&rig.net.peer);
    expect(call.run(rig.node(), "start"), 0);
    let pid = recorded_pid(rig.ctr.name()).expect("an announcer after start");
    std::thread::sleep(Duration::from_millis(1200));
    assert!(alive(pid), "the announcer ended with both addresses bound");
    rig.node_addr("del", "2001:db8::10/64");
    let gone = SystemTime::now();
    assert!(
        wait_for(Duration::from_secs(3), || !alive(pid)),
        "the announcer outlived one of its addresses"
    );
    let frames = cap.stop();
    let late = frames
        .iter()
        .filter(|f| f.arp_op().is_some())
        .filter(|f| f.at > gone)
        .count();
    assert_eq!(late, 0, "IPv4 announced after the IPv6 address went");
    assert!(rounds(&frames).0 >= 2, "two rounds before the deletion");
    expect(call.run(rig.node(), "monitor"), 1);
    expect(call.run(rig.node(), "stop"), 0);
    assert!(!has_addr(&rig.net.node, &rig.net.node_if, V4));
}
