//! The agent against a real dockerd and real network namespaces: each row of
//! the monitor table produced for real, start/stop idempotency, restart
//! policy handling, announcements captured on the peer, IPv6 DAD.
//!
//! Needs root, network namespaces and a dockerd with the test image
//! (`tests/run.sh` provides them); `#[ignore]`d for the quick unprivileged loop.

use support::{agent, docker, netns, rig};

use std::time::Duration;

use agent::{expect, has_addr};
use rig::{inspect, Rig, SERVE, V4, V6};

#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn v4_lifecycle_is_idempotent_and_leaves_nothing_behind() {
    let rig = Rig::new("life4", &[], SERVE);
    let call = rig.call(V4);
    expect(call.run(rig.node(), "monitor"), 7);
    expect(call.run(rig.node(), "start"), 0);
    assert!(has_addr(&rig.net.node, &rig.net.node_if, V4));
    assert_eq!(rig.status(), "running");
    expect(call.clone().recurring().run(rig.node(), "monitor"), 0);
    expect(call.run(rig.node(), "monitor"), 0);
    expect(call.run(rig.node(), "start"), 0);
    expect(call.run(rig.node(), "stop"), 0);
    assert!(!has_addr(&rig.net.node, &rig.net.node_if, V4));
    assert_eq!(rig.status(), "exited");
    // exited on SIGTERM, inside the grace period: exit code 0, not 137
    assert_eq!(inspect(rig.ctr.name(), "{{.State.ExitCode}}"), "0");
    expect(call.run(rig.node(), "monitor"), 7);
    expect(call.run(rig.node(), "stop"), 0);
    expect(call.run(rig.node(), "monitor"), 7);
}

#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn v4_announcements_reach_the_peer_as_requests_and_replies() {
    let rig = Rig::new("garp4", &[], SERVE);
    let cap = netns::Capture::start(&rig.net.peer, &rig.net.peer_if);
    expect(
        rig.call(V4)
            .param("arp_count", "3")
            .run(rig.node(), "start"),
        0,
    );
    std::thread::sleep(Duration::from_millis(200));
    let frames = cap.stop();
    let arps = netns::arp_frames(&frames);
    let mac = rig.net.node_mac();
    let ip: std::net::Ipv4Addr = [192, 0, 2, 10].into();
    let ours: Vec<_> = arps.iter().filter(|a| a.sender_ip == ip).collect();
    assert_eq!(ours.len(), 6, "3 rounds x (request + reply): {arps:?}");
    assert_eq!(ours.iter().filter(|a| a.op == 1).count(), 3, "requests");
    assert_eq!(ours.iter().filter(|a| a.op == 2).count(), 3, "replies");
    for a in &ours {
        assert_eq!(a.sender_mac, mac);
        assert_eq!(a.eth_src, mac);
        assert_eq!(a.eth_dst, [0xff; 6]);
        assert_eq!(a.target_ip, ip, "sender = target = the address");
    }
    expect(rig.call(V4).run(rig.node(), "stop"), 0);
}

#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn v6_start_waits_for_dad_then_advertises() {
    let rig = Rig::new("life6", &[], SERVE);
    let cap = netns::Capture::start(&rig.net.peer, &rig.net.peer_if);
    let call = rig.call(V6).param("arp_count", "2");
    expect(call.run(rig.node(), "start"), 0);
    std::thread::sleep(Duration::from_millis(200));
    let nas = netns::na_frames(&cap.stop());
    let ip: std::net::Ipv6Addr = "2001:db8::10"
        .parse()
        .unwrap_or(std::net::Ipv6Addr::LOCALHOST);
    let ours: Vec<_> = nas.iter().filter(|n| n.target == ip).collect();
    assert_eq!(ours.len(), 2, "{nas:?}");
    for n in &ours {
        assert_eq!(n.tlla, Some(rig.net.node_mac()));
        assert!(n.override_flag);
        assert_eq!(n.hop_limit, 255);
    }
    // DAD finished before the advertisement: the address is no longer tentative
    let out = std::process::Command::new("ip")
        .args([
            "-n",
            &rig.net.node,
            "-6",
            "-o",
            "addr",
            "show",
            "dev",
            &rig.net.node_if,
        ])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    // only our address's line: the link-local one of a fresh veth may still be tentative
    let line = out.lines().find(|l| l.contains("2001:db8::10/64"));
    assert!(line.is_some_and(|l| !l.contains("tentative")), "{out}");
    expect(call.clone().recurring().run(rig.node(), "monitor"), 0);
    rig.stop_leaves_nothing(&call, V6);
}

#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn v6_address_held_by_the_peer_fails_start_and_is_removed() {
    let rig = Rig::new("dad6", &[], SERVE);
    agent::ip(&[
        "-n",
        &rig.net.peer,
        "addr",
        "add",
        V6,
        "dev",
        &rig.net.peer_if,
        "nodad",
    ]);
    let run = expect(rig.call(V6).run(rig.node(), "start"), 1);
    run.assert_reason("DAD");
    assert!(!has_addr(&rig.net.node, &rig.net.node_if, V6));
    expect(rig.call(V6).run(rig.node(), "stop"), 0);
    expect(rig.call(V6).run(rig.node(), "monitor"), 7);
}

#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn killed_container_with_the_address_bound_is_a_partial_1_then_stop_cleans() {
    let rig = Rig::new("kill", &[], SERVE);
    let call = rig.call(V4);
    expect(call.run(rig.node(), "start"), 0);
    docker::docker(&["kill", rig.ctr.name()]);
    let run = expect(call.clone().recurring().run(rig.node(), "monitor"), 1);
    run.assert_reason("partial");
    rig.stop_leaves_nothing(&call, V4);
}

#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn paused_container_is_1_and_stop_still_gets_it_down() {
    let rig = Rig::new("pause", &[], SERVE);
    let call = rig.call(V4);
    expect(call.run(rig.node(), "start"), 0);
    docker::docker(&["pause", rig.ctr.name()]);
    let run = expect(call.run(rig.node(), "monitor"), 1);
    run.assert_reason("paused");
    expect(call.run(rig.node(), "stop"), 0);
    assert_eq!(rig.status(), "exited");
    expect(call.run(rig.node(), "monitor"), 7);
}

#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn crash_loop_under_a_restart_policy_is_1_not_running() {
    let rig = Rig::new(
        "loop",
        &["--restart", "always"],
        &["sh", "-c", "sleep 0.3; exit 1"],
    );
    docker::docker(&["start", rig.ctr.name()]);
    // fix_restart_policy=true would end the loop at the first monitor
    let call = rig.call(V4).param("fix_restart_policy", "false");
    let (seen, last) = rig.monitor_until(&call, Duration::from_secs(20), |run| {
        run.code == 1 && run.reason().unwrap_or("").contains("restarting")
    });
    assert!(seen, "no crash loop reported: {last:?}");
    expect(call.run(rig.node(), "stop"), 0);
    expect(call.run(rig.node(), "monitor"), 7);
}

#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn unhealthy_container_fails_monitor_unless_health_is_ignored() {
    let health = [
        "--health-cmd",
        "test -f /tmp/healthy",
        "--health-interval",
        "1s",
        "--health-retries",
        "1",
    ];
    let rig = Rig::new("sick", &health, SERVE);
    let call = rig.call(V4);
    expect(call.run(rig.node(), "start"), 0);
    let (sick, last) = rig.monitor_until(&call, Duration::from_secs(15), |run| run.code == 1);
    assert!(sick, "unhealthy never reported: {last:?}");
    let reason = last
        .as_ref()
        .and_then(|r| r.reason())
        .unwrap_or("")
        .to_string();
    assert!(reason.contains("unhealthy"), "{reason}");
    expect(
        call.clone()
            .param("check_health", "false")
            .run(rig.node(), "monitor"),
        0,
    );
    // healthy again once the check passes
    docker::docker(&["exec", rig.ctr.name(), "touch", "/tmp/healthy"]);
    let (up, last) = rig.monitor_until(&call, Duration::from_secs(15), |run| run.code == 0);
    assert!(up, "monitor never returned to 0: {last:?}");
    expect(call.run(rig.node(), "stop"), 0);
}

#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn wait_healthy_returns_only_once_healthy() {
    let health = [
        "--health-cmd",
        "test -f /tmp/healthy",
        "--health-interval",
        "1s",
    ];
    let cmd = &[
        "sh",
        "-c",
        "trap 'exit 0' TERM; sleep 2; touch /tmp/healthy; while :; do sleep 0.1; done",
    ];
    let rig = Rig::new("whealthy", &health, cmd);
    let call = rig.call(V4).param("wait_healthy", "true");
    let run = expect(call.run(rig.node(), "start"), 0);
    assert!(
        run.took >= Duration::from_secs(2),
        "returned after {:?}",
        run.took
    );
    assert_eq!(
        inspect(rig.ctr.name(), "{{.State.Health.Status}}"),
        "healthy"
    );
    expect(call.run(rig.node(), "stop"), 0);
}

#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn address_deleted_by_hand_is_partial_1() {
    let rig = Rig::new("deladdr", &[], SERVE);
    let call = rig.call(V4);
    expect(call.run(rig.node(), "start"), 0);
    rig.node_addr("del", V4);
    let run = expect(call.run(rig.node(), "monitor"), 1);
    run.assert_reason("not bound");
    expect(call.run(rig.node(), "stop"), 0);
    expect(call.run(rig.node(), "monitor"), 7);
}

#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn address_added_by_hand_with_the_container_stopped_is_1_and_stop_removes_it() {
    let rig = Rig::new("addaddr", &[], SERVE);
    let call = rig.call(V4);
    rig.node_addr("add", V4);
    let run = expect(call.run(rig.node(), "monitor"), 1);
    run.assert_reason("partial");
    rig.stop_leaves_nothing(&call, V4);
    // The same address with another prefix is not ours: left alone, but
    // never 7 while it is bound here.
    rig.node_addr("add", "192.0.2.10/25");
    let run = expect(call.run(rig.node(), "monitor"), 1);
    run.assert_reason("192.0.2.10/25");
    expect(call.run(rig.node(), "stop"), 0);
    assert!(has_addr(&rig.net.node, &rig.net.node_if, "192.0.2.10/25"));
}

#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn restart_policy_is_fixed_at_start_or_refused_without_side_effects() {
    let rig = Rig::new("policy", &["--restart", "unless-stopped"], SERVE);
    let refuse = rig.call(V4).param("fix_restart_policy", "false");
    let run = expect(refuse.run(rig.node(), "start"), 5);
    run.assert_reason("restart policy");
    assert!(
        !has_addr(&rig.net.node, &rig.net.node_if, V4),
        "side effect on a refused start"
    );
    assert_eq!(rig.status(), "created");
    expect(rig.call(V4).run(rig.node(), "start"), 0);
    assert_eq!(
        inspect(rig.ctr.name(), "{{.HostConfig.RestartPolicy.Name}}"),
        "no"
    );
    expect(rig.call(V4).run(rig.node(), "stop"), 0);
}

#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn monitor_cmd_runs_inside_the_container_on_recurring_monitors_only() {
    let rig = Rig::new("mcmd", &[], SERVE);
    let call = rig
        .call(V4)
        .param("monitor_cmd", "sh -c 'echo probe-output; test -f /tmp/ok'");
    // start waits until monitor would pass, monitor_cmd included: it cannot
    let short = call.clone().var("OCF_RESKEY_CRM_meta_timeout", "4000");
    let run = expect(short.run(rig.node(), "start"), 1);
    run.assert_reason("monitor_cmd");
    docker::docker(&["exec", rig.ctr.name(), "touch", "/tmp/ok"]);
    expect(call.run(rig.node(), "start"), 0);
    expect(call.clone().recurring().run(rig.node(), "monitor"), 0);
    docker::docker(&["exec", rig.ctr.name(), "rm", "/tmp/ok"]);
    let run = expect(call.clone().recurring().run(rig.node(), "monitor"), 1);
    let reason = run.reason().unwrap_or("");
    assert!(
        reason.contains("monitor_cmd") && reason.contains("probe-output"),
        "{reason}"
    );
    // a probe does not run it
    expect(call.run(rig.node(), "monitor"), 0);
    expect(call.run(rig.node(), "stop"), 0);
}

#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn nic_without_carrier_while_running_is_1() {
    let rig = Rig::new("carrier", &[], SERVE);
    let call = rig.call(V4);
    expect(call.run(rig.node(), "start"), 0);
    agent::ip(&["-n", &rig.net.peer, "link", "set", &rig.net.peer_if, "down"]);
    let run = expect(call.run(rig.node(), "monitor"), 1);
    run.assert_reason("carrier");
    agent::ip(&["-n", &rig.net.peer, "link", "set", &rig.net.peer_if, "up"]);
    let (up, last) = rig.monitor_until(&call, Duration::from_secs(5), |run| run.code == 0);
    assert!(up, "monitor never returned to 0: {last:?}");
    expect(call.run(rig.node(), "stop"), 0);
}

#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn missing_node_parts_are_5_and_malformed_parameters_6() {
    let rig = Rig::new("missing", &[], SERVE);
    let base = rig.call(V4);
    // the NIC
    let nonic = base.clone().param("nic", "nosuch0");
    let run = expect(nonic.run(rig.node(), "start"), 5);
    run.assert_reason("nosuch0");
    expect(
        nonic
            .clone()
            .var("OCF_CHECK_LEVEL", "10")
            .run(rig.node(), "validate-all"),
        5,
    );
    expect(nonic.run(rig.node(), "validate-all"), 0);
    expect(nonic.run(rig.node(), "monitor"), 7);
    // the container
    let noctr = base.clone().param("container", "croit-test-does-not-exist");
    let run = expect(noctr.run(rig.node(), "start"), 5);
    run.assert_reason("croit-test-does-not-exist");
    expect(noctr.run(rig.node(), "monitor"), 7);
    expect(noctr.run(rig.node(), "stop"), 0);
    // the engine (socket absent): start 1 (it may be restarting: start
    // waits for it first, 5 would ban the node), probe 7, stop 0
    let noeng = base
        .clone()
        .param("docker_host", "unix:///run/croit-test-no-such.sock");
    expect(noeng.run(rig.node(), "start"), 1);
    expect(noeng.run(rig.node(), "monitor"), 7);
    expect(noeng.run(rig.node(), "stop"), 0);
    assert!(
        !has_addr(&rig.net.node, &rig.net.node_if, V4),
        "side effect of a refused start"
    );
    // no route for an address without prefix
    let noroute = base.clone().param("ip", "198.51.100.7").param("nic", "");
    let run = expect(noroute.run(rig.node(), "start"), 5);
    run.assert_reason("route");
    // malformed: 6 naming the parameter, for every action but stop
    for (k, v) in [
        ("ip", "192.0.2.10/33"),
        ("nic", "eth0:1"),
        ("arp_count", "0"),
        ("check_health", "maybe"),
    ] {
        let bad = base.clone().param(k, v);
        for action in ["validate-all", "start", "monitor"] {
            let run = expect(bad.run(rig.node(), action), 6);
            assert!(
                run.reason().unwrap_or("").contains(k),
                "{k}: {:?}",
                run.reason()
            );
        }
        expect(bad.run(rig.node(), "stop"), 0);
    }
}

#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn prefix_and_nic_are_found_from_the_connected_route() {
    let rig = Rig::new("auto", &[], SERVE);
    rig.node_addr("add", "192.0.2.1/24");
    let call = rig.call("192.0.2.10").param("nic", "");
    expect(call.run(rig.node(), "start"), 0);
    assert!(has_addr(&rig.net.node, &rig.net.node_if, V4));
    expect(call.run(rig.node(), "monitor"), 0);
    expect(call.run(rig.node(), "stop"), 0);
    assert!(!has_addr(&rig.net.node, &rig.net.node_if, V4));
    assert!(
        has_addr(&rig.net.node, &rig.net.node_if, "192.0.2.1/24"),
        "the node's own address stays"
    );
    expect(call.run(rig.node(), "monitor"), 7);
}

#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn stop_kills_a_container_that_ignores_sigterm_within_the_timeout() {
    // busybox sleep as PID 1 has no TERM handler: the kernel ignores SIGTERM
    let rig = Rig::new("stubborn", &[], &["sleep", "1000"]);
    let call = rig.call(V4).var("OCF_RESKEY_CRM_meta_timeout", "6000");
    expect(call.run(rig.node(), "start"), 0);
    let run = expect(call.run(rig.node(), "stop"), 0);
    assert!(
        run.took < Duration::from_secs(6),
        "stop took {:?}",
        run.took
    );
    assert_eq!(rig.status(), "exited");
    assert_eq!(
        inspect(rig.ctr.name(), "{{.State.ExitCode}}"),
        "137",
        "killed after the grace"
    );
}

/// A unix socket that accepts connections and never answers: an engine that
/// is there but hung. Returns the socket path; the listener lives as long as
/// the test process.
fn hung_engine(tag: &str) -> String {
    use std::io::Read;
    use std::os::unix::net::UnixListener;
    let path = format!("/run/croit-test-hung-{}-{tag}.sock", std::process::id());
    let _ = std::fs::remove_file(&path);
    let listener = match UnixListener::bind(&path) {
        Ok(l) => l,
        Err(e) => panic!("bind {path}: {e}"),
    };
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for mut conn in listener.incoming().flatten() {
            // read the request so the client is not blocked on send, then hold
            let mut buf = [0u8; 4096];
            let _ = conn.set_read_timeout(Some(Duration::from_millis(100)));
            let _ = conn.read(&mut buf);
            held.push(conn);
        }
    });
    path
}

#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn engine_that_does_not_answer_is_1_before_the_deadline_for_monitor_and_stop() {
    let rig = Rig::new("hung", &[], SERVE);
    let sock = hung_engine("a");
    let call = rig
        .call(V4)
        .param("docker_host", &format!("unix://{sock}"))
        .var("OCF_RESKEY_CRM_meta_timeout", "3000");
    // bound by hand, as a crashed earlier start would leave it. The engine
    // cannot be asked, but the kernel can: no container with this name
    // runs anywhere on the node (and none whose name cannot be read), so
    // the address is a leftover: monitor says partial, stop removes it
    rig.node_addr("add", V4);
    for call in [call.clone(), call.clone().recurring()] {
        let run = expect(call.run(rig.node(), "monitor"), 1);
        assert!(run.took < Duration::from_millis(3000), "{:?}", run.took);
        run.assert_reason("is bound but container");
    }
    let run = expect(call.run(rig.node(), "stop"), 0);
    assert!(run.took < Duration::from_millis(3000), "{:?}", run.took);
    assert!(run.stderr.contains("did not answer"), "{}", run.stderr);
    let run = expect(call.run(rig.node(), "start"), 1);
    assert!(run.took < Duration::from_millis(3000), "{:?}", run.took);
    let reason = run.reason().unwrap_or("");
    assert!(
        reason.contains("did not answer") && reason.contains(&sock),
        "start: {reason}"
    );
    assert!(
        !has_addr(&rig.net.node, &rig.net.node_if, V4),
        "start bound the address although the engine was hung"
    );
    let _ = std::fs::remove_file(&sock);
}

#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn stale_engine_socket_is_an_absent_engine() {
    use std::os::unix::net::UnixListener;
    let rig = Rig::new("stale", &[], SERVE);
    let path = format!("/run/croit-test-stale-{}.sock", std::process::id());
    let _ = std::fs::remove_file(&path);
    // bind and drop: the file stays, nobody listens (dockerd killed -9)
    drop(UnixListener::bind(&path).unwrap_or_else(|e| panic!("bind {path}: {e}")));
    assert!(std::path::Path::new(&path).exists());
    let call = rig.call(V4).param("docker_host", &format!("unix://{path}"));
    expect(call.run(rig.node(), "monitor"), 7);
    expect(call.run(rig.node(), "stop"), 0);
    // not running may be a restart: start waits for it, then 1 (not 5,
    // which bans the node until a cleanup)
    let run = expect(call.run(rig.node(), "start"), 1);
    run.assert_reason(&path);
    assert!(run.stderr.contains("waiting for it"), "{}", run.stderr);
    let _ = std::fs::remove_file(&path);
}

#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn engine_start_and_stop_of_a_container_already_there_are_fine() {
    use croit_container::engine::{Docker, Engine};
    let rig = Rig::new("noop", &[], SERVE);
    let name = rig.ctr.name().to_string();
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => panic!("runtime: {e}"),
    };
    rt.block_on(async {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        let engine = match Docker::connect(&docker::docker_host(), deadline) {
            Ok(e) => e,
            Err(e) => panic!("connect: {e}"),
        };
        engine.start(&name).await.unwrap_or_else(|e| panic!("{e}"));
        // the engine answers 304 now: still fine
        engine
            .start(&name)
            .await
            .unwrap_or_else(|e| panic!("second start: {e}"));
        engine
            .stop(&name, 1)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        engine
            .stop(&name, 1)
            .await
            .unwrap_or_else(|e| panic!("second stop: {e}"));
    });
    assert_eq!(rig.status(), "exited");
}
