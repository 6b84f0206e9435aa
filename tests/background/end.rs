//! How the announcer ends: stop right after start, a start killed midway,
//! the address (or either of two) gone.

use super::*;

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
