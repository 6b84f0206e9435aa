//! The container side: killed, paused, crash loop, health, the restart
//! policy, monitor_cmd, SIGTERM ignored, missing parts and malformed
//! parameters.

use super::*;

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

/// wait_healthy and a health check that fails: with check_health (the
/// default) unhealthy is a failure monitor would report too, so start gives
/// up at once with the check's output; without it start waits (the check
/// may pass again) and, out of time, says unhealthy, not "not running".
#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn wait_healthy_on_an_unhealthy_container_says_unhealthy() {
    let health = [
        "--health-cmd",
        "echo sick-output; false",
        "--health-interval",
        "1s",
        "--health-retries",
        "1",
    ];
    let rig = Rig::new("wsick", &health, SERVE);
    let call = rig
        .call(V4)
        .param("wait_healthy", "true")
        .var("OCF_RESKEY_CRM_meta_timeout", "10000");
    let run = expect(call.run(rig.node(), "start"), 1);
    let sick = format!("container {} is unhealthy: sick-output", rig.ctr.name());
    assert_eq!(run.reason(), Some(sick.as_str()));
    assert!(
        run.took < Duration::from_secs(8),
        "start waited for what waiting does not fix: {:?}",
        run.took
    );
    assert_eq!(
        inspect(rig.ctr.name(), "{{.State.Health.Status}}"),
        "unhealthy"
    );
    expect(call.run(rig.node(), "stop"), 0);

    let ignored = call
        .param("check_health", "false")
        .var("OCF_RESKEY_CRM_meta_timeout", "4000");
    let run = expect(ignored.run(rig.node(), "start"), 1);
    assert_eq!(
        run.reason(),
        Some(format!("start timed out: {sick}").as_str()),
    );
    assert_eq!(
        rig.status(),
        "running",
        "the reason said unhealthy of a running container"
    );
    rig.stop_leaves_nothing(&ignored, V4);
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
    // a stop whose parameters went bad after a start (ra-api's
    // stop_unconfigured hook) still ends what the readable ones identify:
    // the container (arp_count has nothing to do with it) and the address
    // (ip and nic are well-formed)
    expect(base.run(rig.node(), "start"), 0);
    assert_eq!(rig.status(), "running");
    expect(
        base.clone().param("arp_count", "0").run(rig.node(), "stop"),
        0,
    );
    assert_eq!(rig.status(), "exited", "stop with a malformed arp_count");
    assert!(
        !has_addr(&rig.net.node, &rig.net.node_if, V4),
        "the address stayed after a stop with a malformed arp_count"
    );
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
